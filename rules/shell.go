package rules

import (
	"path"
	"regexp"
	"slices"
	"strings"
)

// The Docker CLI and dockerd checks read the shell scripts containers pass
// to `sh -c`. They need the simple commands of a script, not a full shell
// grammar: a word is the name of a command only in command position, so
// `echo "run docker ps"` (one quoted argument of echo) and
// `grep docker /proc/1/cgroup` are not Docker CLI calls, while
// `for c in $(docker ps -q); do docker inspect "$c"; done` has two. The
// lexer splits on ; & | newlines and parentheses, removes quotes, and adds
// the commands of $(...) and `...` substitutions, also inside double quotes.
// A here-document's body is data (`cat <<EOF` writes a file), so it is
// skipped, unless the command it feeds is a shell (`sh <<EOF`), which runs
// it as a script.

// shellCommands splits script into its simple commands, each a list of
// words with quotes removed.
func shellCommands(script string) [][]string {
	cmds, _ := shellCommandsAt(script)
	return cmds
}

// shellCommandsAt is shellCommands with the offset, in runes, at which
// each command starts in script, so a finding can point at its line.
func shellCommandsAt(script string) ([][]string, []int) {
	l := &shellLexer{src: []rune(script)}
	l.commands(0)
	return l.out, l.starts
}

type shellLexer struct {
	src []rune
	i   int
	out [][]string
	// starts holds the offset of each command of out.
	starts []int
	// heredocs are the here-documents of the line being read, whose
	// bodies start on the next line.
	heredocs []heredoc
}

// heredoc is a here-document's operator: its delimiter, whether <<-
// strips leading tabs from the body's lines, and whether the body is data,
// as it is for any command but a shell.
type heredoc struct {
	delimiter string
	stripTabs bool
	data      bool
}

// commands reads commands until end (the closing rune of a substitution,
// or 0 for the end of the script).
func (l *shellLexer) commands(end rune) {
	var cmd []string
	var word strings.Builder
	inWord := false
	first := -1
	endWord := func() {
		if inWord {
			cmd = append(cmd, word.String())
			word.Reset()
			inWord = false
		}
	}
	endCommand := func() {
		endWord()
		if len(cmd) > 0 {
			l.out = append(l.out, cmd)
			l.starts = append(l.starts, first)
			cmd = nil
		}
		first = -1
	}
	for l.i < len(l.src) {
		at := l.i
		c := l.src[l.i]
		l.i++
		switch {
		case end != 0 && c == end:
			endCommand()
			return
		case c == '\\':
			if l.i < len(l.src) {
				if l.src[l.i] != '\n' {
					word.WriteRune(l.src[l.i])
					inWord = true
				}
				l.i++
			}
		case c == '\'':
			inWord = true
			for l.i < len(l.src) && l.src[l.i] != '\'' {
				word.WriteRune(l.src[l.i])
				l.i++
			}
			l.i++
		case c == '"':
			inWord = true
			l.doubleQuoted(&word)
		case c == '$' || c == '`':
			inWord = true
			l.dollar(c, &word)
		case c == '#' && !inWord:
			for l.i < len(l.src) && l.src[l.i] != '\n' {
				l.i++
			}
		case c == '<' && l.peek(0) == '<' && l.peek(1) == '<':
			// A here-string: its word follows on the same line.
			word.WriteString("<<<")
			inWord = true
			l.i += 2
		case c == '<' && l.peek(0) == '<':
			endWord()
			l.i++
			l.heredocs = append(l.heredocs, l.heredocOperator(cmd))
		case c == '\n' && len(l.heredocs) > 0:
			endCommand()
			l.skipHeredocs()
		case strings.ContainsRune(";&|()\n", c):
			endCommand()
		case c == ' ' || c == '\t' || c == '\r':
			endWord()
		default:
			word.WriteRune(c)
			inWord = true
		}
		if inWord && first < 0 {
			first = at
		}
	}
	endCommand()
}

// peek is the rune k places after the one being read, or 0 past the end.
func (l *shellLexer) peek(k int) rune {
	if l.i+k < len(l.src) {
		return l.src[l.i+k]
	}
	return 0
}

// heredocOperator reads what follows << (an optional -, then the
// delimiter word, whose quotes only say the body is not expanded) for the
// command whose words so far are cmd.
func (l *shellLexer) heredocOperator(cmd []string) heredoc {
	h := heredoc{data: !slices.Contains(shells, commandName(cmd))}
	if l.peek(0) == '-' {
		h.stripTabs = true
		l.i++
	}
	for l.peek(0) == ' ' || l.peek(0) == '\t' {
		l.i++
	}
	var delimiter strings.Builder
	for l.i < len(l.src) && !strings.ContainsRune(" \t\r\n;&|()<>", l.src[l.i]) {
		if c := l.src[l.i]; c != '\'' && c != '"' && c != '\\' {
			delimiter.WriteRune(c)
		}
		l.i++
	}
	h.delimiter = delimiter.String()
	return h
}

// skipHeredocs passes over the bodies of the data here-documents of the
// line just ended, up to and including each delimiter line. A shell's
// body is left to be read as commands, and with it any after it.
func (l *shellLexer) skipHeredocs() {
	for _, h := range l.heredocs {
		if !h.data || h.delimiter == "" {
			break
		}
		for l.i < len(l.src) {
			end := l.i
			for end < len(l.src) && l.src[end] != '\n' {
				end++
			}
			line := strings.TrimSuffix(string(l.src[l.i:end]), "\r")
			if h.stripTabs {
				line = strings.TrimLeft(line, "\t")
			}
			l.i = min(end+1, len(l.src))
			if line == h.delimiter {
				break
			}
		}
	}
	l.heredocs = l.heredocs[:0]
}

// doubleQuoted reads a double-quoted string after its opening quote.
func (l *shellLexer) doubleQuoted(word *strings.Builder) {
	for l.i < len(l.src) {
		c := l.src[l.i]
		l.i++
		switch c {
		case '"':
			return
		case '\\':
			if l.i < len(l.src) {
				word.WriteRune(l.src[l.i])
				l.i++
			}
		case '$', '`':
			l.dollar(c, word)
		default:
			word.WriteRune(c)
		}
	}
}

// dollar reads an expansion after its $ or backquote. A command
// substitution's commands are added to the output; the word gets a
// placeholder, since its value is only known when the script runs.
func (l *shellLexer) dollar(c rune, word *strings.Builder) {
	switch {
	case c == '`':
		l.commands('`')
		word.WriteString("$(...)")
	case l.i < len(l.src) && l.src[l.i] == '(':
		l.i++
		l.commands(')')
		word.WriteString("$(...)")
	case l.i < len(l.src) && l.src[l.i] == '{':
		start := l.i
		for l.i < len(l.src) && l.src[l.i] != '}' {
			l.i++
		}
		l.i = min(l.i+1, len(l.src))
		word.WriteString("$" + string(l.src[start:l.i]))
	default:
		word.WriteByte('$')
	}
}

// commandPrefixes run the command that follows them, so the name that
// matters comes after them: `exec docker ps`, `sudo -E docker ps`,
// `if docker info; then`, `xargs docker rm`, and the wrappers images and
// node tools put in front of a command: `tini --`, `dumb-init`, `gosu app`,
// `su-exec app`, `chroot /host`, `nsenter -t 1 -m --`, `busybox`.
var commandPrefixes = map[string]commandPrefix{
	"!": {}, "{": {}, "if": {}, "then": {}, "elif": {}, "else": {}, "while": {}, "until": {}, "do": {},
	"exec": {options: []string{"-a"}}, "command": {}, "nohup": {}, "time": {}, "setsid": {},
	"sudo":      {options: []string{"-u", "-g", "-C", "-h", "-p", "-r", "-t", "-U"}},
	"env":       {options: []string{"-u", "-C", "-S"}},
	"nice":      {options: []string{"-n"}},
	"timeout":   {options: []string{"-s", "-k"}, operands: 1},
	"watch":     {options: []string{"-n", "-d"}},
	"xargs":     {options: []string{"-n", "-I", "-P", "-L", "-d", "-s", "-a", "-E"}},
	"tini":      {options: []string{"-p", "-e"}},
	"dumb-init": {options: []string{"-r", "--rewrite"}},
	"gosu":      {operands: 1},
	"su-exec":   {operands: 1},
	"chroot":    {operands: 1},
	"nsenter":   {options: []string{"-t", "--target", "-S", "--setuid", "-G", "--setgid"}},
	"busybox":   {},
}

// commandPrefix is how a prefix is written: its options that take the next
// word as their value, and how many operands (a duration, a user, a root
// directory) come before the command it runs.
type commandPrefix struct {
	options  []string
	operands int
}

var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// commandName is the base name of the program a simple command runs, or "".
func commandName(words []string) string {
	if i := commandStart(words); i < len(words) {
		return path.Base(words[i])
	}
	return ""
}

// commandStart is the index of the program's word, past variable
// assignments, prefixes such as exec and sudo, their options and operands
// (the duration of `timeout 10 docker ps`, the user of `gosu app docker ps`).
func commandStart(words []string) int {
	i := 0
	for i < len(words) {
		w := words[i]
		prefix, isPrefix := commandPrefixes[path.Base(w)]
		switch {
		case assignment.MatchString(w):
			i++
		case isPrefix:
			i++
			for i < len(words) && strings.HasPrefix(words[i], "-") {
				if words[i] == "--" {
					i++
					break
				}
				if slices.Contains(prefix.options, words[i]) {
					i++
				}
				i++
			}
			i = min(i+prefix.operands, len(words))
		default:
			return i
		}
	}
	return i
}

// shells are the interpreters whose -c option takes a script.
var shells = []string{"sh", "bash", "ash", "dash", "zsh", "ksh"}

// shellScriptIndex returns the index of the script in a `sh -c SCRIPT`
// command line, or -1. The option may be combined with others (-ec, -xc).
func shellScriptIndex(words []string) int {
	start := commandStart(words)
	if start >= len(words) {
		return -1
	}
	if path.Base(words[start]) == "su" {
		// su takes its user and options in any order: `su - app -c SCRIPT`.
		for i := start + 1; i+1 < len(words); i++ {
			if words[i] == "-c" || words[i] == "--command" {
				return i + 1
			}
		}
		return -1
	}
	if !slices.Contains(shells, path.Base(words[start])) {
		return -1
	}
	for i := start + 1; i < len(words); i++ {
		w := words[i]
		if w == "-o" || w == "+o" {
			i++
			continue
		}
		if !strings.HasPrefix(w, "-") || w == "-" || w == "--" {
			return -1
		}
		if !strings.HasPrefix(w, "--") && strings.Contains(w, "c") {
			if i+1 < len(words) {
				return i + 1
			}
			return -1
		}
	}
	return -1
}

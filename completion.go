package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/rules"
)

// shells are the shells `completion` writes scripts for.
var shells = []string{"bash", "fish", "zsh"}

// completionScript returns the writer of shell's script.
func completionScript(shell string) func(io.Writer) error {
	switch shell {
	case "bash":
		return writeBashCompletion
	case "fish":
		return writeFishCompletion
	case "zsh":
		return writeZshCompletion
	}
	return nil
}

func (c *cli) completion(args []string) error {
	fs := newFlagSet("completion")
	if err := parseFlags(fs, args); err != nil {
		_, err = c.flagError("completion", err)
		return err
	}
	if len(fs.Args()) != 1 {
		return usagef("completion takes one shell: %s", strings.Join(shells, ", "))
	}
	write := completionScript(fs.Args()[0])
	if write == nil {
		return usagef("no completion for shell %q (want %s)", fs.Args()[0], strings.Join(shells, ", "))
	}
	return write(c.stdout)
}

// completedFlag is a flag as the completion scripts offer it.
type completedFlag struct {
	long, short string
	summary     string
	valued      bool
	repeatable  bool
	// words are the values to offer; files says the value is a path.
	words []string
	files bool
}

// completedCommand is a command with its flags and what its arguments are.
type completedCommand struct {
	name, summary string
	flags         []completedFlag
	// args are the words its arguments are chosen from; argFiles says
	// they are paths.
	args     []string
	argFiles bool
}

// completionModel is the command table as the scripts need it: built from
// the same flag sets the commands parse, so completion cannot drift.
func completionModel() []completedCommand {
	ruleIDs := make([]string, 0, len(rules.All()))
	for _, r := range rules.All() {
		ruleIDs = append(ruleIDs, r.ID)
	}
	var names []string
	for _, cmd := range commands() {
		names = append(names, cmd.name)
	}
	var out []completedCommand
	for _, cmd := range commands() {
		cc := completedCommand{name: cmd.name, summary: cmd.summary}
		switch cmd.name {
		case "lint":
			cc.argFiles = true
		case "rules":
			cc.args = ruleIDs
		case "completion":
			cc.args = shells
		case "help":
			cc.args = names
		}
		cmd.flags().VisitAll(func(f *pflag.Flag) {
			_, usage := pflag.UnquoteUsage(f)
			cf := completedFlag{
				long:       f.Name,
				short:      f.Shorthand,
				summary:    firstClause(usage),
				valued:     f.Value.Type() != "bool",
				repeatable: slices.Contains([]string{"list", "FORMAT", "stringArray"}, f.Value.Type()),
			}
			switch f.Name {
			case "format":
				cf.words = []string{"text", "json"}
				if cmd.name == "lint" {
					cf.words = lint.Formats()
				}
			case "fail-on":
				cf.words = []string{"error", "warning", "note", "never"}
			case "color":
				cf.words = []string{"auto", "always", "never"}
			case "disable", "enable-only", "explain":
				cf.words = ruleIDs
			case "output", "config", "baseline", "write-baseline", "values", "set-file":
				cf.files = true
			}
			cc.flags = append(cc.flags, cf)
		})
		out = append(out, cc)
	}
	return out
}

// firstClause shortens a flag's usage to what fits a completion menu.
func firstClause(usage string) string {
	if i := strings.IndexAny(usage, ";("); i > 0 {
		usage = usage[:i]
	}
	return strings.TrimSpace(usage)
}

func writeBashCompletion(w io.Writer) error {
	model := completionModel()
	var b strings.Builder
	b.WriteString("# bash completion for dockershim-lint: source <(dockershim-lint completion bash)\n")
	b.WriteString("_dockershim_lint() {\n")
	b.WriteString("    local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\" cmd=lint i\n")
	b.WriteString("    COMPREPLY=()\n")
	// The command is the first word that is not a flag; without one the
	// program lints. A flag's value is a word too, so a command can only
	// be recognised when it comes first, which is where it belongs.
	fmt.Fprintf(&b, "    case \"${COMP_WORDS[1]}\" in\n        %s) [[ $COMP_CWORD -gt 1 ]] && cmd=\"${COMP_WORDS[1]}\" ;;\n    esac\n",
		strings.Join(commandNames(model), "|"))
	b.WriteString("    case \"$cmd:$prev\" in\n")
	for _, cmd := range model {
		for _, f := range cmd.flags {
			if !f.valued {
				continue
			}
			pattern := cmd.name + ":--" + f.long
			if f.short != "" {
				pattern += "|" + cmd.name + ":-" + f.short
			}
			switch {
			case f.files:
				fmt.Fprintf(&b, "        %s) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", pattern)
			case len(f.words) > 0:
				fmt.Fprintf(&b, "        %s) COMPREPLY=($(compgen -W %q -- \"$cur\")); return ;;\n", pattern, strings.Join(f.words, " "))
			default:
				fmt.Fprintf(&b, "        %s) return ;;\n", pattern)
			}
		}
	}
	b.WriteString("    esac\n")
	b.WriteString("    case \"$cmd\" in\n")
	for _, cmd := range model {
		var flags []string
		for _, f := range cmd.flags {
			flags = append(flags, "--"+f.long)
			if f.short != "" {
				flags = append(flags, "-"+f.short)
			}
		}
		fmt.Fprintf(&b, "        %s)\n", cmd.name)
		fmt.Fprintf(&b, "            if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W %q -- \"$cur\")); return; fi\n", strings.Join(flags, " "))
		switch {
		case cmd.argFiles:
			b.WriteString("            COMPREPLY=($(compgen -f -- \"$cur\"))\n")
			fmt.Fprintf(&b, "            [[ $COMP_CWORD -eq 1 ]] && COMPREPLY+=($(compgen -W %q -- \"$cur\"))\n", strings.Join(commandNames(model), " "))
		case len(cmd.args) > 0:
			fmt.Fprintf(&b, "            COMPREPLY=($(compgen -W %q -- \"$cur\"))\n", strings.Join(cmd.args, " "))
		}
		b.WriteString("            ;;\n")
	}
	b.WriteString("    esac\n}\n")
	b.WriteString("complete -o filenames -F _dockershim_lint dockershim-lint\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func commandNames(model []completedCommand) []string {
	names := make([]string, len(model))
	for i, cmd := range model {
		names[i] = cmd.name
	}
	return names
}

// zshQuote escapes text for an _arguments spec inside single quotes.
func zshQuote(s string) string {
	return strings.NewReplacer("'", `'\''`, "[", `\[`, "]", `\]`, ":", `\:`).Replace(s)
}

func writeZshCompletion(w io.Writer) error {
	model := completionModel()
	var b strings.Builder
	b.WriteString("#compdef dockershim-lint\n")
	b.WriteString("# zsh completion for dockershim-lint: dockershim-lint completion zsh > \"${fpath[1]}/_dockershim-lint\"\n")
	b.WriteString("_dockershim-lint() {\n    local -a commands specs\n    local cmd=lint\n")
	b.WriteString("    commands=(\n")
	for _, cmd := range model {
		fmt.Fprintf(&b, "        '%s:%s'\n", cmd.name, zshQuote(cmd.summary))
	}
	b.WriteString("    )\n")
	b.WriteString("    if (( CURRENT > 2 )) && (( ${+commands[(r)${words[2]}:*]} )); then\n")
	b.WriteString("        cmd=${words[2]}\n        shift words\n        (( CURRENT-- ))\n    fi\n")
	b.WriteString("    case $cmd in\n")
	for _, cmd := range model {
		fmt.Fprintf(&b, "    %s)\n        specs=(\n", cmd.name)
		for _, f := range cmd.flags {
			fmt.Fprintf(&b, "            %s\n", zshSpec(f))
		}
		switch {
		case cmd.argFiles:
			b.WriteString("            '*:path:_files'\n")
		case len(cmd.args) > 0:
			fmt.Fprintf(&b, "            '*:%s:(%s)'\n", cmd.name, strings.Join(cmd.args, " "))
		}
		b.WriteString("        )\n")
		if cmd.name == "lint" {
			b.WriteString("        if (( CURRENT == 2 )); then\n")
			b.WriteString("            _describe -t commands command commands\n        fi\n")
		}
		b.WriteString("        _arguments -s $specs\n        ;;\n")
	}
	b.WriteString("    esac\n}\n")
	b.WriteString("if [[ $funcstack[1] == _dockershim-lint ]]; then\n    _dockershim-lint \"$@\"\nelse\n    compdef _dockershim-lint dockershim-lint\nfi\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func zshSpec(f completedFlag) string {
	action := ""
	if f.valued {
		switch {
		case f.files:
			action = ":" + f.long + ":_files"
		case len(f.words) > 0:
			action = ":" + f.long + ":(" + strings.Join(f.words, " ") + ")"
		default:
			action = ":" + f.long + ": "
		}
	}
	repeat := ""
	if f.repeatable {
		repeat = "*"
	}
	desc := "[" + zshQuote(f.summary) + "]"
	if f.short == "" {
		eq := ""
		if f.valued {
			eq = "="
		}
		return "'" + repeat + "--" + f.long + eq + desc + action + "'"
	}
	long, short := "--"+f.long, "-"+f.short
	if f.valued {
		long += "="
		short += "+"
	}
	exclusive := "'(-" + f.short + " --" + f.long + ")'"
	if f.repeatable {
		exclusive = "'*'"
	}
	return exclusive + "{" + short + "," + long + "}'" + desc + action + "'"
}

func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

func writeFishCompletion(w io.Writer) error {
	model := completionModel()
	names := strings.Join(commandNames(model), " ")
	var b strings.Builder
	b.WriteString("# fish completion for dockershim-lint: dockershim-lint completion fish | source\n")
	// The command is the first word after the program's name when it is
	// one; anything else is the lint command's form without a command.
	fmt.Fprintf(&b, "function __dockershim_lint_command\n    set -l words (commandline -opc)\n"+
		"    if set -q words[2]; and contains -- $words[2] %s\n        echo $words[2]\n    else\n        echo lint\n    end\nend\n", names)
	b.WriteString("complete -c dockershim-lint -e\n")
	for _, cmd := range model {
		fmt.Fprintf(&b, "complete -c dockershim-lint -n '__fish_use_subcommand' -a %s -d %s\n", cmd.name, fishQuote(cmd.summary))
	}
	for _, cmd := range model {
		cond := fmt.Sprintf("-n 'test (__dockershim_lint_command) = %s'", cmd.name)
		for _, f := range cmd.flags {
			line := "complete -c dockershim-lint " + cond + " -l " + f.long
			if f.short != "" {
				line += " -s " + f.short
			}
			switch {
			case f.files:
				line += " -r -F"
			case len(f.words) > 0:
				line += " -x -a " + fishQuote(strings.Join(f.words, " "))
			case f.valued:
				line += " -x"
			}
			b.WriteString(line + " -d " + fishQuote(f.summary) + "\n")
		}
		if len(cmd.args) > 0 {
			fmt.Fprintf(&b, "complete -c dockershim-lint %s -f -a %s\n", cond, fishQuote(strings.Join(cmd.args, " ")))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// Rules that look for an endpoint in free-form values (dockershim-socket in
// any field, docker-host-env in any variable) report configuration, not
// documentation: a ConfigMap's README that tells people to move off
// /var/run/dockershim.sock, or a variable holding help text that mentions
// tcp://localhost:2375, depends on nothing.
//
// A line is prose when it reads as a sentence: once list and heading
// markers are dropped, at least four of its words are plain words (a
// letter, then letters and dashes only, with at most a closing , . ; : ! ?
// or )), and plain words are more than half of its words; and it holds
// none of the characters that shell and configuration syntax needs
// ($ = | & ; < > { } [ ]) outside backquoted code. A path, URL, flag, key: value line or command line is never prose:
// their words are mostly not plain, or they use that syntax.
//
// Two of those characters are also punctuation. A semicolon followed by a
// space ends a clause when the clause before it reads as one (three plain
// words or more, most of its words): "talked to /var/run/dockershim.sock;
// after the migration". Before a shell's semicolon comes a command, whose
// words are few and mostly not plain (cmd; docker ps, cd /tmp; make). An =
// inside a word names a setting, as in "Do not set DOCKER_HOST=tcp://...",
// when two plain words come before it in its clause; a command line's
// assignment comes first (DOCKER_HOST=tcp://... make) or after a command
// word only (export, env).

// isProseLine reports whether one line of text is a sentence.
func isProseLine(line string) bool {
	if hasSyntax(line) {
		return false
	}
	plain, words := plainWords(strings.TrimLeft(strings.TrimSpace(line), "#*->0123456789. \t"))
	return plain >= 4 && 2*plain > words
}

// hasSyntax reports whether line uses shell or configuration syntax outside
// `backquoted` code, which prose quotes in Markdown.
func hasSyntax(line string) bool {
	inCode := false
	for i, r := range line {
		switch {
		case r == '`':
			inCode = !inCode
		case inCode:
		case r == ';' && endsClause(line, i):
		case r == '=' && namesSetting(line, i):
		case strings.ContainsRune("$=|&;<>{}[]", r):
			return true
		}
	}
	return false
}

// endsClause reports whether the semicolon at line[i] is punctuation: a
// space or the end of the line follows, and its clause reads as one.
func endsClause(line string, i int) bool {
	if rest := line[i+1:]; rest != "" && !unicode.IsSpace(rune(rest[0])) {
		return false
	}
	plain, words := plainWords(clauseBefore(line, i))
	return plain >= 3 && 2*plain > words
}

// namesSetting reports whether the = at line[i] joins a name to a value
// written without spaces (NAME=value) after two plain words of prose.
func namesSetting(line string, i int) bool {
	if i == 0 || i+1 >= len(line) || unicode.IsSpace(rune(line[i+1])) {
		return false
	}
	if c := rune(line[i-1]); !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != '_' {
		return false
	}
	before := clauseBefore(line, i)
	// The words before the one holding the =.
	if at := strings.LastIndexFunc(before, unicode.IsSpace); at >= 0 {
		before = before[:at]
	} else {
		before = ""
	}
	plain, _ := plainWords(before)
	return plain >= 2
}

// clauseBefore is the text of line before i, from the last semicolon.
func clauseBefore(line string, i int) string {
	return line[strings.LastIndexByte(line[:i], ';')+1 : i]
}

// plainWords counts the plain words of text and all its words.
func plainWords(text string) (plain, words int) {
	for _, w := range strings.Fields(text) {
		words++
		if isPlainWord(w) {
			plain++
		}
	}
	return plain, words
}

func isPlainWord(w string) bool {
	w = strings.TrimLeft(w, "(\"'")
	w = strings.TrimRight(w, ",.;:!?)\"'")
	// A flag (--runtime-endpoint) is made of letters and dashes too.
	if r, _ := utf8.DecodeRuneInString(w); !unicode.IsLetter(r) {
		return false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) && r != '\'' && r != '-' {
			return false
		}
	}
	return true
}

// onlyInProse reports whether every line of value that match accepts is
// prose: the value mentions the endpoint only in sentences.
func onlyInProse(value string, match func(line string) bool) bool {
	found := false
	for line := range strings.Lines(value) {
		if !match(line) {
			continue
		}
		if !isProseLine(line) {
			return false
		}
		found = true
	}
	return found
}

// matchingLine is the node to report a value's match at: for a literal
// block scalar (lint.Lines.InBlock), the first of its lines that match
// accepts and that is not prose, with the scalar as within, so that an
// ignore comment at the block's header still covers the finding. Other
// scalars fold or escape lines and are reported whole.
func matchingLine(obj *lint.Object, n *yaml.Node, match func(line string) bool) (node, within *yaml.Node) {
	if n == nil || !strings.Contains(n.Value, "\n") {
		return n, nil
	}
	number := 0
	for line := range strings.Lines(n.Value) {
		number++
		if !match(line) || isProseLine(line) {
			continue
		}
		text := strings.TrimRight(line, "\r\n")
		trimmed := strings.TrimLeftFunc(text, unicode.IsSpace)
		column := utf8.RuneCountInString(text[:len(text)-len(trimmed)]) + 1
		fileLine, fileColumn, ok := obj.Lines.InBlock(n, number, column)
		if !ok {
			break
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Value: strings.TrimRightFunc(trimmed, unicode.IsSpace), Line: fileLine, Column: fileColumn}, n
	}
	return n, nil
}

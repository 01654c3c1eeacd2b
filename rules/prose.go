package rules

import (
	"strings"
	"unicode"
)

// Rules that look for an endpoint in free-form values (dockershim-socket in
// any field, docker-host-env in any variable) report configuration, not
// documentation: a ConfigMap's README that tells people to move off
// /var/run/dockershim.sock, or a variable holding help text that mentions
// tcp://localhost:2375, depends on nothing.
//
// A line is prose when it reads as a sentence: once list and heading
// markers are dropped, at least four of its words are plain words (letters
// only, with at most a closing , . ; : ! ? or )), and plain words are more
// than half of its words; and it holds none of the characters that shell
// and configuration syntax needs ($ = | & ; < > { } [ ]) outside backquoted
// code. A path, URL, flag, key: value line or command line is never prose:
// their words are mostly not plain, or they use that syntax.

// isProseLine reports whether one line of text is a sentence.
func isProseLine(line string) bool {
	if hasSyntax(line) {
		return false
	}
	words := strings.Fields(strings.TrimLeft(strings.TrimSpace(line), "#*->0123456789. \t"))
	plain := 0
	for _, w := range words {
		if isPlainWord(w) {
			plain++
		}
	}
	return plain >= 4 && 2*plain > len(words)
}

// hasSyntax reports whether line uses shell or configuration syntax outside
// `backquoted` code, which prose quotes in Markdown.
func hasSyntax(line string) bool {
	inCode := false
	for _, r := range line {
		switch {
		case r == '`':
			inCode = !inCode
		case !inCode && strings.ContainsRune("$=|&;<>{}[]", r):
			return true
		}
	}
	return false
}

func isPlainWord(w string) bool {
	w = strings.TrimLeft(w, "(\"'")
	w = strings.TrimRight(w, ",.;:!?)\"'")
	if w == "" {
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

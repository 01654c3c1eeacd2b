package lint

import (
	"bufio"
	"bytes"
	"strings"
)

// IgnoreDirective is the comment that suppresses findings on its own line or
// the line below:
//
//	# dockershim-lint:ignore docker-socket,docker-cli -- the node still runs Docker until Q3
const IgnoreDirective = "dockershim-lint:ignore"

// IgnoreAnnotation suppresses findings on the whole object; its value has the
// directive's form without the prefix: "docker-socket -- reason".
const IgnoreAnnotation = "dockershim-lint.io/ignore"

// Directive is one parsed ignore comment or annotation.
type Directive struct {
	Position
	Rules  []string
	Reason string
	// Problem says why a malformed directive suppresses nothing.
	Problem string
}

// Suppression records why a finding is not reported. Text and JSON output
// drop suppressed findings; SARIF keeps them so code scanning shows them as
// dismissed with their reason.
type Suppression struct {
	// Kind is "inSource" for comments and annotations.
	Kind          string
	Justification string
}

// ParseDirectives returns the ignore comments of one source file. It is cheap
// on the common file that has none.
func ParseDirectives(file string, src []byte) []Directive {
	if !bytes.Contains(src, []byte(IgnoreDirective)) {
		return nil
	}
	var out []Directive
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(nil, len(src)+1)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		at := strings.Index(text, IgnoreDirective)
		if at < 0 {
			continue
		}
		hash := strings.LastIndex(text[:at], "#")
		if hash < 0 || strings.TrimSpace(text[hash+1:at]) != "" {
			// Not a comment of its own: a string value that mentions the
			// directive, as this package's documentation does.
			continue
		}
		d := ParseDirective(text[at+len(IgnoreDirective):])
		d.Position = Position{File: file, Line: line, Column: len([]rune(text[:hash])) + 1}
		out = append(out, d)
	}
	return out
}

// ParseDirective parses what follows the directive keyword (or an annotation
// value): "RULE[,RULE] -- reason".
func ParseDirective(text string) Directive {
	rules, reason, found := strings.Cut(text, "--")
	var d Directive
	for _, r := range strings.Split(rules, ",") {
		if r = strings.TrimSpace(r); r != "" {
			d.Rules = append(d.Rules, r)
		}
	}
	d.Reason = strings.TrimSpace(reason)
	switch {
	case len(d.Rules) == 0:
		d.Problem = "names no rule (want: " + IgnoreDirective + " RULE[,RULE] -- reason)"
	case !found || d.Reason == "":
		d.Problem = "gives no reason (want: " + IgnoreDirective + " RULE[,RULE] -- reason)"
	}
	return d
}

// covers reports whether directive d suppresses a finding of rule at line of
// file: on the same line (a trailing comment) or the line below (a comment
// on its own line).
func (d *Directive) covers(f *Finding) bool {
	if d.Problem != "" || d.File != f.File || (f.Line != d.Line && f.Line != d.Line+1) {
		return false
	}
	for _, r := range d.Rules {
		if r == f.Rule {
			return true
		}
	}
	return false
}

// Package linttest checks findings against the expectations fixtures carry
// beside the lines that trigger them, in the style of analysistest:
//
//	path: /var/run/docker.sock # want: docker-socket@13 "Docker socket"
//
// Each expectation is a rule, "@" and the column the finding starts at, and
// optionally a Go-quoted regular expression its message must match. A line
// may carry several, separated by spaces or commas. Any line without a want
// comment must produce no finding.
package linttest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

// Want is one expected finding: rule at line and column of file, with a
// message that Message (when set) matches.
type Want struct {
	File    string
	Line    int
	Column  int
	Rule    string
	Message *regexp.Regexp
}

func (w Want) String() string {
	s := fmt.Sprintf("%s:%d:%d: %s", w.File, w.Line, w.Column, w.Rule)
	if w.Message != nil {
		s += fmt.Sprintf(" %q", w.Message)
	}
	return s
}

// position is what a want and a finding are paired by; the message is
// checked once they are.
type position struct {
	file         string
	line, column int
	rule         string
}

func (w Want) position() position { return position{w.File, w.Line, w.Column, w.Rule} }

var (
	wantComment = regexp.MustCompile(`#\s*want:(.*)`)
	expectation = regexp.MustCompile(`^[\s,]*([a-z0-9][a-z0-9-]*)@(\d+)(\s+"(?:[^"\\]|\\.)*")?`)
)

// ParseWants reads the want comments of one fixture. file is the name the
// findings will carry. A malformed want comment fails t: a typo must not
// turn an expectation into silence.
func ParseWants(t testing.TB, file string, src []byte) []Want {
	t.Helper()
	var wants []Want
	lines := lint.IndexLines(src)
	for line := 1; line <= lines.Count(); line++ {
		m := wantComment.FindSubmatch(lines.Text(line))
		if m == nil {
			continue
		}
		rest := strings.TrimRight(string(m[1]), " \t\r")
		if strings.TrimSpace(rest) == "" {
			t.Fatalf("%s:%d: want comment names no rule", file, line)
		}
		for strings.Trim(rest, " \t,") != "" {
			e := expectation.FindStringSubmatch(rest)
			if e == nil {
				t.Fatalf("%s:%d: want comment %q: expected rule@column [\"message regexp\"]", file, line, strings.TrimSpace(rest))
			}
			column, _ := strconv.Atoi(e[2])
			w := Want{File: file, Line: line, Column: column, Rule: e[1]}
			if e[3] != "" {
				pattern, err := strconv.Unquote(strings.TrimSpace(e[3]))
				if err == nil {
					w.Message, err = regexp.Compile(pattern)
				}
				if err != nil {
					t.Fatalf("%s:%d: want comment message %s: %v", file, line, e[3], err)
				}
			}
			wants = append(wants, w)
			rest = rest[len(e[0]):]
		}
	}
	return wants
}

// ParseWantFiles reads the want comments of every file below dir whose
// extension is one of exts, naming each by its path joined to dir with
// forward slashes, as the linter names walked files.
func ParseWantFiles(t testing.TB, dir string, exts ...string) []Want {
	t.Helper()
	var wants []Want
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !slices.Contains(exts, filepath.Ext(path)) {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		wants = append(wants, ParseWants(t, filepath.ToSlash(path), src)...)
		return nil
	})
	if err != nil {
		t.Fatalf("reading fixtures in %s: %v", dir, err)
	}
	return wants
}

// Match fails t for every want without a finding and every finding without a
// want. Findings are paired with wants by file, line, column and rule, then
// checked against the want's message pattern.
func Match(t testing.TB, wants []Want, findings []lint.Finding) {
	t.Helper()
	got := map[position][]lint.Finding{}
	for _, f := range findings {
		p := position{f.File, f.Line, f.Column, f.Rule}
		got[p] = append(got[p], f)
	}
	expected := map[position]bool{}
	for _, w := range wants {
		expected[w.position()] = true
		matched := got[w.position()]
		if len(matched) == 0 {
			t.Errorf("%s: missing finding%s", w, nearby(w, findings))
			continue
		}
		if w.Message != nil && !slices.ContainsFunc(matched, func(f lint.Finding) bool { return w.Message.MatchString(f.Message) }) {
			t.Errorf("%s: message %q does not match", w, matched[0].Message)
		}
	}
	for _, f := range findings {
		if !expected[position{f.File, f.Line, f.Column, f.Rule}] {
			t.Errorf("%s:%d:%d: unexpected %s finding: %s (%s)", f.File, f.Line, f.Column, f.Rule, f.Message, f.Object)
		}
	}
}

// nearby names the findings of the want's rule on its line, so that a want
// whose column is off says where the finding is instead.
func nearby(w Want, findings []lint.Finding) string {
	var columns []string
	for _, f := range findings {
		if f.File == w.File && f.Line == w.Line && f.Rule == w.Rule {
			columns = append(columns, strconv.Itoa(f.Column))
		}
	}
	if columns == nil {
		return ""
	}
	return " (found at column " + strings.Join(columns, ", ") + ")"
}

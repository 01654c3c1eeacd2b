// Package linttest checks findings against the expectations fixtures carry
// beside the lines that trigger them, in the style of analysistest:
//
//	path: /var/run/docker.sock # want: docker-socket
//
// A line may name several rules, separated by spaces or commas. Any line
// without a want comment must produce no finding.
package linttest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

// Want is one expected finding: rule at line of file.
type Want struct {
	File string
	Line int
	Rule string
}

func (w Want) String() string { return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Rule) }

var wantComment = regexp.MustCompile(`#\s*want:\s*([a-z0-9][a-z0-9, -]*)`)

// ParseWants reads the want comments of one fixture. file is the name the
// findings will carry.
func ParseWants(file string, src []byte) []Want {
	var wants []Want
	lines := lint.IndexLines(src)
	for line := 1; line <= lines.Count(); line++ {
		m := wantComment.FindSubmatch(lines.Text(line))
		if m == nil {
			continue
		}
		for _, rule := range strings.FieldsFunc(string(m[1]), func(r rune) bool { return r == ',' || r == ' ' }) {
			wants = append(wants, Want{File: file, Line: line, Rule: rule})
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
		wants = append(wants, ParseWants(filepath.ToSlash(path), src)...)
		return nil
	})
	if err != nil {
		t.Fatalf("reading fixtures in %s: %v", dir, err)
	}
	return wants
}

// Match fails t for every want without a finding and every finding without a
// want. Findings are compared by file, line and rule.
func Match(t testing.TB, wants []Want, findings []lint.Finding) {
	t.Helper()
	got := map[Want]int{}
	for _, f := range findings {
		got[Want{File: f.File, Line: f.Line, Rule: f.Rule}]++
	}
	expected := map[Want]bool{}
	for _, w := range wants {
		expected[w] = true
		if got[w] == 0 {
			t.Errorf("%s: missing finding", w)
		}
	}
	for _, f := range findings {
		w := Want{File: f.File, Line: f.Line, Rule: f.Rule}
		if !expected[w] {
			t.Errorf("%s:%d:%d: unexpected %s finding: %s (%s)", f.File, f.Line, f.Column, f.Rule, f.Message, f.Object)
		}
	}
}

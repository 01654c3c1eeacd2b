package lint_test

import (
	"bytes"
	"testing"
	"unicode/utf8"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

// FuzzParseDirectives checks that any input parses without panicking and
// that every directive points inside it: a line that exists and a column
// within that line, so a finding about it can be opened in an editor.
func FuzzParseDirectives(f *testing.F) {
	for _, seed := range []string{
		"",
		"# dockershim-lint:ignore docker-socket -- reason\n",
		"path: /var/run/docker.sock # dockershim-lint:ignore docker-socket,docker-cli -- r\r\n",
		"#dockershim-lint:ignore",
		"a#dockershim-lint:ignore x -- y\n\"# dockershim-lint:ignore\"\n",
		"name: cœur\t# dockershim-lint:ignore -- --\n",
		"\xff# dockershim-lint:ignore a\n\n\n",
		"a: 1\r# dockershim-lint:ignore x -- y\rb: 2\u0085# dockershim-lint:ignore z -- w\r",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		lines := lint.IndexLines(src)
		for _, d := range lint.ParseDirectives("f.yaml", src) {
			if d.File != "f.yaml" || d.Line < 1 || d.Line > lines.Count() {
				t.Fatalf("directive at line %d of a %d-line input", d.Line, lines.Count())
			}
			line := lines.Text(d.Line)
			if d.Column < 1 || d.Column > utf8.RuneCount(line) {
				t.Fatalf("directive at column %d of line %q", d.Column, line)
			}
			if !bytes.Contains(line, []byte(lint.IgnoreDirective)) {
				t.Fatalf("directive on line %q, which lacks the keyword", line)
			}
			if d.Problem == "" && (len(d.Rules) == 0 || d.Reason == "") {
				t.Fatalf("directive %+v has no rule or reason but no problem", d)
			}
		}
	})
}

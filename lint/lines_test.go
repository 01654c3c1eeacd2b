package lint_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

func TestLines(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// texts are the lines as a person sees them; clamp is the last
		// line an end-of-input error may name.
		texts []string
		clamp int
	}{
		{name: "empty", src: "", texts: []string{""}, clamp: 1},
		{name: "no final break", src: "a: 1\nb: 2", texts: []string{"a: 1", "b: 2"}, clamp: 2},
		{name: "LF", src: "a: 1\nb: 2\n", texts: []string{"a: 1", "b: 2", ""}, clamp: 2},
		{name: "CRLF", src: "a: 1\r\nb: 2\r\n", texts: []string{"a: 1", "b: 2", ""}, clamp: 2},
		{name: "lone CR", src: "a: 1\rb: 2\r", texts: []string{"a: 1", "b: 2", ""}, clamp: 2},
		{name: "mixed", src: "a\r\nb\rc\nd", texts: []string{"a", "b", "c", "d"}, clamp: 4},
		{name: "CR then LF is one break", src: "a\r\n\nb", texts: []string{"a", "", "b"}, clamp: 3},
		{name: "LF then CR is two", src: "a\n\rb", texts: []string{"a", "", "b"}, clamp: 3},
		{name: "blank lines at the end", src: "a\n\n\n", texts: []string{"a", "", "", ""}, clamp: 3},
		{name: "byte order mark", src: "\ufeffa: 1\nb: 2", texts: []string{"a: 1", "b: 2"}, clamp: 2},
		{name: "NEL, LS and PS stay inside a line", src: "a\u0085b\u2028c\u2029d\ne", texts: []string{"a\u0085b\u2028c\u2029d", "e"}, clamp: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := lint.IndexLines([]byte(tt.src))
			if l.Count() != len(tt.texts) {
				t.Fatalf("Count() = %d, want %d", l.Count(), len(tt.texts))
			}
			var texts []string
			for line := 1; line <= l.Count(); line++ {
				texts = append(texts, string(l.Text(line)))
			}
			if !slices.Equal(texts, tt.texts) {
				t.Errorf("lines %q, want %q", texts, tt.texts)
			}
			if got := l.Clamp(1 << 20); got != tt.clamp {
				t.Errorf("Clamp(past the end) = %d, want %d", got, tt.clamp)
			}
			if got := l.Clamp(0); got != 1 {
				t.Errorf("Clamp(0) = %d, want 1", got)
			}
			// Every offset of a line maps back to it, and Start is its
			// first byte.
			for line := 1; line <= l.Count(); line++ {
				start := l.Start(line)
				for off := start; off <= start+len(l.Text(line)); off++ {
					if got := l.Line(off); got != line {
						t.Errorf("Line(%d) = %d, want %d", off, got, line)
					}
				}
			}
		})
	}
}

func TestLinesPosition(t *testing.T) {
	src := "\ufeffkey: é😀x\r\n\tv\rend"
	tests := []struct {
		name         string
		offset       int
		line, column int
	}{
		{name: "inside the byte order mark", offset: 1, line: 1, column: 1},
		{name: "first character", offset: 3, line: 1, column: 1},
		{name: "after a two-byte character", offset: 3 + len("key: é"), line: 1, column: 7},
		{name: "after a four-byte character", offset: 3 + len("key: é😀"), line: 1, column: 8},
		{name: "at the CR of a CRLF", offset: 3 + len("key: é😀x"), line: 1, column: 9},
		{name: "after a CRLF", offset: 3 + len("key: é😀x\r\n"), line: 2, column: 1},
		{name: "after a tab", offset: 3 + len("key: é😀x\r\n\t"), line: 2, column: 2},
		{name: "after a lone CR", offset: 3 + len("key: é😀x\r\n\tv\r"), line: 3, column: 1},
		{name: "end", offset: len(src), line: 3, column: 4},
		{name: "past the end", offset: len(src) + 10, line: 3, column: 4},
		{name: "negative", offset: -1, line: 1, column: 1},
	}
	l := lint.IndexLines([]byte(src))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, column := l.Position(tt.offset)
			if line != tt.line || column != tt.column {
				t.Errorf("Position(%d) = %d:%d, want %d:%d", tt.offset, line, column, tt.line, tt.column)
			}
		})
	}
	if line, column := l.End(); line != 3 || column != 4 {
		t.Errorf("End() = %d:%d, want 3:4", line, column)
	}
	// Line 0 is taken as the first, a line past the last as the end.
	for line, want := range []int{3, 3, 3 + len("key: é😀x\r\n"), 3 + len("key: é😀x\r\n\tv\r"), len(src)} {
		if got := l.Start(line); got != want {
			t.Errorf("Start(%d) = %d, want %d", line, got, want)
		}
	}
}

// TestLinesFromYAML checks the translation from yaml.v3's positions, which
// break lines at NEL, LS and PS too, against the nodes yaml.v3 decodes.
func TestLinesFromYAML(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// want maps each scalar's value to where a person sees it.
		want map[string]string
	}{
		{
			name: "LF only: nothing to translate",
			src:  "a: 1\nb: [x, y]\n",
			want: map[string]string{"a": "1:1", "1": "1:4", "b": "2:1", "x": "2:5", "y": "2:8"},
		},
		{
			name: "CR only: yaml.v3 and GitHub agree",
			src:  "a: 1\rb: 2\r",
			want: map[string]string{"a": "1:1", "1": "1:4", "b": "2:1", "2": "2:4"},
		},
		{
			name: "NEL, LS and PS between entries",
			src:  "a: 1\u0085b: 2\u2028c: 3\u2029d: [x, é]\ne: 5\n",
			want: map[string]string{
				"a": "1:1", "1": "1:4", "b": "1:6", "2": "1:9", "c": "1:11", "3": "1:14",
				"d": "1:16", "x": "1:20", "é": "1:23", "e": "2:1", "5": "2:4",
			},
		},
		{
			name: "NEL in a comment",
			src:  "# note\u0085a: 1\r\nb: 2",
			want: map[string]string{"a": "1:8", "1": "1:11", "b": "2:1", "2": "2:4"},
		},
		{
			name: "LS in a quoted scalar",
			src:  "a: \"q\u2028r\"\nb: 1\n",
			want: map[string]string{"a": "1:1", "q\u2028r": "1:4", "b": "2:1", "1": "2:4"},
		},
		{
			name: "byte order mark",
			src:  "\ufeffa: 1\u2029b: 2",
			want: map[string]string{"a": "1:1", "1": "1:4", "b": "1:6", "2": "1:9"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tt.src), &doc); err != nil {
				t.Fatal(err)
			}
			lint.IndexLines([]byte(tt.src)).RenumberNodes(&doc)
			got := map[string]string{}
			var walk func(n *yaml.Node)
			walk = func(n *yaml.Node) {
				if n.Kind == yaml.ScalarNode {
					got[n.Value] = fmt.Sprintf("%d:%d", n.Line, n.Column)
				}
				for _, c := range n.Content {
					walk(c)
				}
			}
			walk(&doc)
			for value, want := range tt.want {
				if got[value] != want {
					t.Errorf("%q at %s, want %s", value, got[value], want)
				}
			}
		})
	}
}

func TestLinesFromYAMLEdges(t *testing.T) {
	l := lint.IndexLines([]byte("a\u0085bc\u2028d"))
	tests := []struct {
		name                 string
		line, column         int
		wantLine, wantColumn int
	}{
		{name: "a yaml.v3 line inside a line", line: 2, column: 2, wantLine: 1, wantColumn: 4},
		{name: "unknown column stays unknown", line: 3, column: 0, wantLine: 1, wantColumn: 0},
		{name: "past the end of its line", line: 2, column: 9, wantLine: 1, wantColumn: 5},
		{name: "past the last line", line: 7, column: 3, wantLine: 1, wantColumn: 7},
		{name: "unknown line", line: 0, column: 0, wantLine: 0, wantColumn: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, column := l.FromYAML(tt.line, tt.column)
			if line != tt.wantLine || column != tt.wantColumn {
				t.Errorf("FromYAML(%d, %d) = %d:%d, want %d:%d", tt.line, tt.column, line, column, tt.wantLine, tt.wantColumn)
			}
		})
	}
}

// TestLinesInBlock places the position of "needle" inside a block scalar's
// value in the text the scalar was decoded from, whatever the block's
// indentation, and refuses styles that join or escape lines.
func TestLinesInBlock(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// line and column of "needle" in src; 0 when no position can be
		// told.
		line, column int
	}{
		{name: "two-space block", src: "data:\n  conf: |\n    a: 1\n    b: needle\n", line: 4, column: 8},
		{name: "strip indicator", src: "data:\n  conf: |-\n    a: 1\n    b: needle", line: 4, column: 8},
		{name: "six-space indent", src: "data:\n  conf: |\n        a: 1\n        b: needle\n", line: 4, column: 12},
		{name: "indentation indicator with more-indented first line", src: "data:\n  conf: |2\n      a: 1\n    b: needle\n", line: 4, column: 8},
		{name: "indicator and chomping", src: "data:\n  conf: |4-\n          x\n      needle\n", line: 4, column: 7},
		{name: "leading empty lines", src: "conf: |\n\n\n  needle\n", line: 4, column: 3},
		{name: "sequence item", src: "args:\n  - |\n    set -e\n    run needle\n", line: 4, column: 9},
		{name: "tag and anchor before the header", src: "conf: !!str &c |\n   needle\n", line: 2, column: 4},
		{name: "CRLF", src: "conf: |\r\n  a\r\n  needle\r\n", line: 3, column: 3},
		{name: "folded", src: "conf: >\n  a\n  needle\n"},
		{name: "double-quoted", src: "conf: \"a\\nneedle\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tt.src), &doc); err != nil {
				t.Fatal(err)
			}
			var value *yaml.Node
			var find func(n *yaml.Node)
			find = func(n *yaml.Node) {
				if n.Kind == yaml.ScalarNode && len(n.Value) > len("conf") && value == nil {
					value = n
				}
				for _, c := range n.Content {
					find(c)
				}
			}
			find(&doc)
			if value == nil {
				t.Fatal("no block value")
			}
			// The needle's line and column in the value, both from 1.
			line, column := 1, 1
			for i, text := range strings.Split(value.Value, "\n") {
				if c := strings.Index(text, "needle"); c >= 0 {
					line, column = i+1, c+1
				}
			}
			gotLine, gotColumn, ok := lint.IndexLines([]byte(tt.src)).InBlock(value, line, column)
			if !ok {
				gotLine, gotColumn = 0, 0
			}
			if gotLine != tt.line || gotColumn != tt.column {
				t.Errorf("InBlock = %d:%d, want %d:%d", gotLine, gotColumn, tt.line, tt.column)
			}
		})
	}
}

// TestScalarSpan reads a scalar's span from the text: each case marks the
// span it wants with « and », which the test removes before decoding.
func TestScalarSpan(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// key's value is the scalar spanned.
		key string
	}{
		{name: "plain", key: "a", src: "a: «/var/run/docker.sock»\n"},
		{name: "plain before a comment", key: "a", src: "a: «x y» # note\n"},
		{name: "double-quoted with escapes", key: "a", src: "a: «\"\\t/var/run/docker.sock\\u00e9\"»\n"},
		{name: "single-quoted with a doubled quote", key: "a", src: "a: «'it''s'»\n"},
		{name: "plain folded over lines", key: "a", src: "a: «unix:///var/run/\n  docker.sock»\nb: 1\n"},
		{name: "plain folded after a trailing space", key: "a", src: "a: «d& \n   docker exec»\nb: 1\n"},
		{name: "plain folded over an empty line", key: "a", src: "a: «x  \n\n  y  z»\n"},
		{name: "plain with doubled spaces", key: "a", src: "a: «x  y»\n"},
		{name: "double-quoted over lines", key: "a", src: "a: «\"unix:///var/run/\n  docker.sock\"»\n"},
		{name: "anchor and tag", key: "a", src: "a: &s !!str «/var/run/docker.sock»\n"},
		{name: "tag and anchor", key: "a", src: "a: !!str &s «'/var/run/docker.sock'»\n"},
		{name: "alias", key: "b", src: "a: &s x\nb: «*s»\n"},
		{name: "flow sequence item", key: "a", src: "a: [«x»]\n"},
		{name: "non-ASCII", key: "a", src: "a: «\"ménage\"»\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to := strings.Index(tt.src, "«"), strings.Index(tt.src, "»")
			src := tt.src[:from] + tt.src[from+len("«"):to] + tt.src[to+len("»"):]
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
				t.Fatal(err)
			}
			_, n := lint.GetEntry(doc.Content[0], tt.key)
			if tt.key == "b" {
				n = doc.Content[0].Content[3]
			}
			if n.Kind == yaml.SequenceNode {
				n = n.Content[0]
			}
			lines := lint.IndexLines([]byte(src))
			start, end, ok := lines.ScalarSpan(n)
			wantEnd := to - len("«")
			if !ok || start != from || end != wantEnd {
				t.Errorf("ScalarSpan = %d, %d, %v; want %d, %d (%q)", start, end, ok, from, wantEnd, src[from:wantEnd])
			}
		})
	}
}

package helm

import (
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// TestMatchBlock finds the values item a rendered list item was pasted
// from by content: equal items are paired in order.
func TestMatchBlock(t *testing.T) {
	const rendered = `volumes:
  - {name: a, path: /x}
  - {name: b, path: /y}
  - {name: b, path: /y}
`
	const values = `- {path: /y, name: b}
- {name: b, path: /y}
- {name: c, path: /z}
`
	var r, v yaml.Node
	if err := yaml.Unmarshal([]byte(rendered), &r); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte(values), &v); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		index    int
		wantLine int // 0: no values item
	}{
		{index: 0},
		{index: 1, wantLine: 1},
		{index: 2, wantLine: 2},
	}
	for _, tt := range tests {
		field := lint.KeyPath("volumes").Index(tt.index).Key("path")
		got := matchBlock(v.Content[0], r.Content[0], field, 1)
		line := 0
		if got != nil {
			line = got.Line
		}
		if line != tt.wantLine {
			t.Errorf("volumes[%d]: values line %d, want %d", tt.index, line, tt.wantLine)
		}
	}
}

// TestPastedLine finds the line of pasted text a line of the block it was
// pasted into holds, around lines the template added.
func TestPastedLine(t *testing.T) {
	tests := []struct {
		name          string
		block, pasted []string
		line          int
		want          int
		ok            bool
	}{
		{name: "pasted alone", block: []string{"a", "b", "c"}, pasted: []string{"a", "b", "c"}, line: 3, want: 3, ok: true},
		{name: "after a template line", block: []string{"# head", "a", "b"}, pasted: []string{"a", "b"}, line: 3, want: 2, ok: true},
		{name: "template line itself", block: []string{"# head", "a", "b"}, pasted: []string{"a", "b"}, line: 1},
		{name: "pasted twice: the one around the line", block: []string{"a", "b", "x", "a", "b"}, pasted: []string{"a", "b"}, line: 4, want: 1, ok: true},
		{name: "changed text", block: []string{"A", "b"}, pasted: []string{"a", "b"}, line: 2},
		{name: "line tpl rendered", block: []string{"cluster: r", "b"}, pasted: []string{"cluster: {{ .Release.Name }}", "b"}, line: 2, want: 2, ok: true},
		{name: "the rendered line is not the text", block: []string{"cluster: r", "b"}, pasted: []string{"cluster: {{ .Release.Name }}", "b"}, line: 1},
		{name: "longer than the block", block: []string{"a"}, pasted: []string{"a", "b"}, line: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := pastedLine(tt.block, tt.pasted, tt.line)
			if got != tt.want || ok != tt.ok {
				t.Errorf("pastedLine = %d, %v; want %d, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

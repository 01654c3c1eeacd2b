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

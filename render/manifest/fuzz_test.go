package manifest

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// FuzzDecode feeds arbitrary bytes to the decoder: it must never panic, and
// every position it hands out, for nodes and errors alike, must lie inside
// the input, because editors and code scanning jump to them.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: x\n",
		"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n",
		"{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"j\"}}",
		"a: &a [*a]\n",
		"a: {b: [1, 2\n",
		"\ufeffapiVersion: v1\r\nkind: Pod\r\n",
		"---\n---\n",
		"a:\n\tb: 1\n",
		"x: \xff\x00\n",
		"a: 1\u0085b: [x,\u2028 y]\u2029c: |\r  z\u0085  w\rd: ?",
		// Merge keys: the merged entries keep their own positions.
		"kind: X\napiVersion: v1\na: &a {b: 1}\nc:\n  <<: [*a, {d: 2}]\n  e: 3\n",
		"kind: X\napiVersion: v1\na: &a\n  b:\n    <<: *a\n    c: 1\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objects, err := Decode("f.yaml", data)
		lines := lint.IndexLines(data)
		var ie *lint.InputError
		if errors.As(err, &ie) && ie.Line > lines.Count() {
			t.Fatalf("error line %d outside the input's %d lines: %v", ie.Line, lines.Count(), err)
		}
		for _, obj := range objects {
			checkPositions(t, obj.Node, lines, 0)
		}
	})
}

func checkPositions(t *testing.T, n *yaml.Node, lines *lint.Lines, depth int) {
	if n == nil || depth > 100 || n.Kind == yaml.AliasNode {
		return
	}
	if n.Line < 1 || n.Line > lines.Count() {
		t.Fatalf("node %q at line %d outside the input's %d lines", n.Value, n.Line, lines.Count())
	}
	if length := utf8.RuneCount(lines.Text(n.Line)); n.Column < 1 || n.Column > length+1 {
		t.Fatalf("node %q at %d:%d outside its line of %d code points", n.Value, n.Line, n.Column, length)
	}
	for _, c := range n.Content {
		checkPositions(t, c, lines, depth+1)
	}
}

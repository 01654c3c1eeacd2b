package manifest

import (
	"errors"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

// TestMergeKeys pins how merge keys resolve: as sigs.k8s.io/yaml (yaml.v2)
// decodes them for the API server, with each value at its own line.
func TestMergeKeys(t *testing.T) {
	tests := []struct {
		name string
		src  string
		path []string
		want string
		line int
		// errLine is the line of the error Decode returns, 0 for none.
		errLine int
	}{
		{
			name: "flow mapping",
			src:  "kind: X\napiVersion: v1\nvol:\n  name: a\n  <<: {hostPath: {path: /var/run/docker.sock}}\n",
			path: []string{"vol", "hostPath", "path"}, want: "/var/run/docker.sock", line: 5,
		},
		{
			name: "anchor",
			src:  "kind: X\napiVersion: v1\nbase: &b\n  path: /var/run/docker.sock\nvol:\n  <<: *b\n  type: Socket\n",
			path: []string{"vol", "path"}, want: "/var/run/docker.sock", line: 4,
		},
		{
			name: "explicit key after the merge wins",
			src:  "kind: X\napiVersion: v1\nbase: &b\n  path: /a\nvol:\n  <<: *b\n  path: /b\n",
			path: []string{"vol", "path"}, want: "/b", line: 7,
		},
		{
			name: "merge after an explicit key overrides it, as yaml.v2 applies entries in order",
			src:  "kind: X\napiVersion: v1\nbase: &b\n  path: /a\nvol:\n  path: /b\n  <<: *b\n",
			path: []string{"vol", "path"}, want: "/a", line: 4,
		},
		{
			name: "earlier mapping of a list wins",
			src:  "kind: X\napiVersion: v1\na: &a {path: /a}\nb: &b {path: /b, type: Socket}\nvol:\n  <<: [*a, *b]\n",
			path: []string{"vol", "path"}, want: "/a", line: 3,
		},
		{
			name: "later mapping of a list still adds its keys",
			src:  "kind: X\napiVersion: v1\na: &a {path: /a}\nb: &b {path: /b, type: Socket}\nvol:\n  <<: [*a, *b]\n",
			path: []string{"vol", "type"}, want: "Socket", line: 4,
		},
		{
			name: "merge of a mapping that merges",
			src:  "kind: X\napiVersion: v1\na: &a {path: /a}\nb: &b\n  <<: *a\n  type: Socket\nvol:\n  <<: *b\n",
			path: []string{"vol", "path"}, want: "/a", line: 3,
		},
		{
			name: "quoted key is not a merge",
			src:  "kind: X\napiVersion: v1\nvol:\n  \"<<\": {path: /a}\n",
			path: []string{"vol", "<<", "path"}, want: "/a", line: 4,
		},
		{
			name: "merge of a scalar is an error, and kept as written",
			src:  "kind: X\napiVersion: v1\nvol:\n  <<: /a\n",
			path: []string{"vol", "<<"}, want: "/a", line: 4, errLine: 4,
		},
		{
			name: "merge of a list holding a scalar is an error",
			src:  "kind: X\napiVersion: v1\ns: &s /var/run/docker.sock\nvol:\n  name: v\n  <<: [*s]\n",
			path: []string{"vol", "name"}, want: "v", line: 5, errLine: 6,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objects, err := Decode("m.yaml", []byte(tt.src))
			if len(objects) != 1 {
				t.Fatalf("Decode: %d objects, %v", len(objects), err)
			}
			var ie *lint.InputError
			switch {
			case tt.errLine == 0 && err != nil:
				t.Errorf("Decode: %v", err)
			case tt.errLine != 0 && (!errors.As(err, &ie) || ie.Line != tt.errLine || !strings.Contains(ie.Message, "map merge requires map or sequence of maps")):
				t.Errorf("Decode: %v, want the invalid merge at line %d", err, tt.errLine)
			}
			n := lint.Path(objects[0].Node, tt.path...)
			if n == nil {
				t.Fatalf("%v: no such node", tt.path)
			}
			if n.Value != tt.want || n.Line != tt.line {
				t.Errorf("%v = %q at line %d, want %q at line %d", tt.path, n.Value, n.Line, tt.want, tt.line)
			}
		})
	}
}

// TestMergeKeySelfReference checks that an anchor merged or aliased inside
// itself, which yaml.v3 accepts and sigs.k8s.io/yaml (yaml.v2) refuses
// ("anchor 'a' value contains itself"), ends, is an error at the alias,
// and still leaves the object to lint.
func TestMergeKeySelfReference(t *testing.T) {
	tests := []struct {
		name, src string
		errLine   int
		path      []string
		want      string
	}{
		{name: "merged", src: "kind: X\napiVersion: v1\na: &a\n  b:\n    <<: *a\n    c: 1\n", errLine: 5, path: []string{"a", "b", "c"}, want: "1"},
		{name: "aliased", src: "apiVersion: v1\nkind: Pod\nmetadata: &m {name: x, self: *m}\n", errLine: 3, path: []string{"metadata", "name"}, want: "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objects, err := Decode("m.yaml", []byte(tt.src))
			var ie *lint.InputError
			if !errors.As(err, &ie) || ie.Line != tt.errLine || !strings.Contains(ie.Message, "contains itself") {
				t.Errorf("Decode: %v, want an error at line %d", err, tt.errLine)
			}
			if len(objects) != 1 || lint.Scalar(lint.Path(objects[0].Node, tt.path...)) != tt.want {
				t.Errorf("%v lost", tt.path)
			}
		})
	}
}

// TestMergeLocation pins where a finding about a merged value points: at
// the alias a merge applies (each merge of an anchor its own place), or,
// for a mapping written after <<, at the value with the << line related.
func TestMergeLocation(t *testing.T) {
	const src = "kind: X\napiVersion: v1\nbase: &b\n  path: /s\na:\n  <<: *b\nb:\n  <<: [{x: 1}, *b]\nc:\n  <<:\n    path: /t\n"
	tests := []struct {
		path        []string
		at, related string
	}{
		{path: []string{"a", "path"}, at: "m.yaml:6:7", related: "m.yaml:4:9 through the anchor &b"},
		{path: []string{"b", "path"}, at: "m.yaml:8:16", related: "m.yaml:4:9 through the anchor &b"},
		{path: []string{"c", "path"}, at: "m.yaml:11:11", related: "m.yaml:10:3 merged here"},
		{path: []string{"base", "path"}, at: "m.yaml:4:9"},
	}
	objects, err := Decode("m.yaml", []byte(src))
	if err != nil || len(objects) != 1 {
		t.Fatalf("Decode: %d objects, %v", len(objects), err)
	}
	obj := objects[0]
	for _, tt := range tests {
		field := lint.KeyPath(tt.path...)
		loc := obj.Locate(lint.Lookup(obj.Node, field), field)
		related := ""
		for _, r := range loc.Related {
			related = r.Position.String() + " " + r.Message
		}
		if got := loc.Primary.String(); got != tt.at || related != tt.related {
			t.Errorf("%s at %s (related %q), want %s (related %q)", field, got, related, tt.at, tt.related)
		}
	}
}

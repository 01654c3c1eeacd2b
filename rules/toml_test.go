package rules

import (
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

func TestParseTOML(t *testing.T) {
	src := "# GitLab Runner\nconcurrent = 4\n[[runners]]\n  name = \"a\"\n[[runners]]\n  name = \"b\"\n  [runners.kubernetes]\n    host_path = [{ name = \"s\", host_path = \"/var/run/docker.sock\" }]\n  [runners.docker]\n    volumes = [\"/cache\", \"/var/run/docker.sock:/var/run/docker.sock\"]\n[inputs.x]\nb.c = true\n"
	root := parseTOML(src)
	if root == nil {
		t.Fatal("valid TOML not parsed")
	}
	tests := []struct {
		path         lint.FieldPath
		value        string
		line, column int
	}{
		{path: lint.KeyPath("concurrent"), value: "4", line: 2, column: 14},
		{path: lint.KeyPath("runners").Index(0), line: 3, column: 3},
		{path: lint.KeyPath("runners").Index(1).Key("name"), value: "b", line: 6, column: 10},
		{path: lint.KeyPath("runners").Index(1).Key("kubernetes").Key("host_path").Index(0).Key("host_path"), value: "/var/run/docker.sock", line: 8, column: 44},
		{path: lint.KeyPath("runners").Index(1).Key("docker").Key("volumes").Index(1), value: "/var/run/docker.sock:/var/run/docker.sock", line: 10, column: 26},
		{path: lint.KeyPath("inputs", "x", "b", "c"), value: "true", line: 12, column: 7},
	}
	for _, tt := range tests {
		t.Run(tt.path.String(), func(t *testing.T) {
			n := lint.Lookup(root, tt.path)
			if n == nil {
				t.Fatal("not found")
			}
			if n.Value != tt.value || n.Line != tt.line || n.Column != tt.column {
				t.Errorf("got %q at %d:%d, want %q at %d:%d", n.Value, n.Line, n.Column, tt.value, tt.line, tt.column)
			}
		})
	}
	if lint.Lookup(root, lint.KeyPath("runners").Index(0).Key("kubernetes")) != nil {
		t.Error("[runners.kubernetes] extended the first runner, not the last")
	}
	for _, bad := range []string{"a = ", "[x\n", "key: value\n"} {
		if parseTOML(bad) != nil {
			t.Errorf("%q parsed as TOML", bad)
		}
	}
}

// FuzzParseTOML checks that parseTOML never panics and that every node it
// places points inside the text, a key at the key as written.
func FuzzParseTOML(f *testing.F) {
	f.Add("[[inputs.docker]]\n  endpoint = \"unix:///var/run/docker.sock\"\n")
	f.Add("[[runners]]\n[runners.kubernetes]\nhost_path = [{ name = \"s\", host_path = \"/x\" }]\n")
	f.Add("a.\"b c\".d = 'x'\r\n[t]\nk = [1, [2, {x = 3}], \"\"\"\nmulti\n\"\"\"]\n# é\nü = 1\n")
	f.Fuzz(func(t *testing.T, text string) {
		root := parseTOML(text)
		if root == nil {
			return
		}
		lines := lint.IndexLines([]byte(text))
		var check func(n *yaml.Node, key bool)
		check = func(n *yaml.Node, key bool) {
			if n.Line < 1 || n.Line > lines.Count() || n.Column < 1 {
				t.Fatalf("node %q at %d:%d, outside the text's %d lines", n.Value, n.Line, n.Column, lines.Count())
			}
			line := []rune(string(lines.Text(n.Line)))
			if n.Column > len(line)+1 {
				t.Fatalf("node %q at column %d of a %d-character line", n.Value, n.Column, len(line))
			}
			if key {
				rest := string(line[n.Column-1:])
				if !strings.HasPrefix(rest, n.Value) && !strings.HasPrefix(rest, `"`) && !strings.HasPrefix(rest, "'") {
					t.Fatalf("key %q placed at %q", n.Value, rest)
				}
			}
			for i, c := range n.Content {
				check(c, n.Kind == yaml.MappingNode && i%2 == 0)
			}
		}
		check(root, false)
	})
}

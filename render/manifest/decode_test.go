package manifest

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

func objectNames(objects []*lint.Object) []string {
	var names []string
	for _, o := range objects {
		names = append(names, o.Kind+"/"+o.Name)
	}
	return names
}

func TestDecodeSyntaxErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// line is the line a person must look at to fix the error.
		line int
		msg  string
		// objects are decoded before the broken document.
		objects []string
	}{
		{
			name: "unclosed flow mapping",
			src:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\ndata:\n  k: v\n",
			line: 3, msg: "did not find expected ',' or '}'",
		},
		{
			name: "unclosed flow sequence",
			src:  "apiVersion: v1\nkind: Pod\nspec:\n  args: [a, b\n  x: 1\n",
			line: 4, msg: "did not find expected ',' or ']'",
		},
		{
			name: "bad indentation",
			src:  "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n    labels: x\n",
			line: 5, msg: "mapping values are not allowed in this context",
		},
		{
			name: "tab indentation",
			src:  "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: a\n",
			line: 4, msg: "found character that cannot start any token",
		},
		{
			name: "tab after a plain scalar",
			src:  "apiVersion: v1\nkind: Pod\n\tbad: tab\n",
			line: 3, msg: "found a tab character that violates indentation",
		},
		{
			name: "tab after a plain scalar continued over lines",
			src:  "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n    b\n\tc: d\n",
			line: 6, msg: "found a tab character that violates indentation",
		},
		{
			name: "CRLF line endings",
			src:  "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: a\r\nspec:\r\n  x: [1\r\n",
			line: 6, msg: "did not find expected ',' or ']'",
		},
		{
			name: "error at end of input stays on the last line",
			src:  "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Pod\nmetadata: {\n",
			line: 8, msg: "did not find expected node content",
			objects: []string{"Pod/a"},
		},
		{
			name: "unknown anchor",
			src:  "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec: *missing\n",
			line: 5, msg: "unknown anchor 'missing' referenced",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objects, err := Decode("f.yaml", []byte(tt.src))
			var ie *lint.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an InputError", err)
			}
			if ie.File != "f.yaml" || ie.Line != tt.line || !strings.Contains(ie.Message, tt.msg) {
				t.Errorf("error = %s, want f.yaml:%d: ...%s", ie, tt.line, tt.msg)
			}
			if got := objectNames(objects); !slices.Equal(got, tt.objects) {
				t.Errorf("objects = %v, want %v", got, tt.objects)
			}
		})
	}
}

func TestDecodeObjects(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		objects []string
		// field is a path of keys in the first object whose value position
		// is checked against line and column.
		field        []string
		line, column int
	}{
		{
			name:    "CRLF keeps lines and columns",
			src:     "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: a\r\nspec:\r\n  hostNetwork: true\r\n",
			objects: []string{"Pod/a"},
			field:   []string{"spec", "hostNetwork"}, line: 6, column: 16,
		},
		{
			// yaml.v3 numbers lines at a lone CR too; the limits check
			// must agree rather than pull every node onto line 1.
			name:    "old Mac line endings keep lines and columns",
			src:     "apiVersion: v1\rkind: Pod\rmetadata:\r  name: a\rspec:\r  hostNetwork: true\r",
			objects: []string{"Pod/a"},
			field:   []string{"spec", "hostNetwork"}, line: 6, column: 16,
		},
		{
			name:    "byte order mark does not shift the first line",
			src:     "\ufeffapiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n",
			objects: []string{"Pod/a"},
			field:   []string{"kind"}, line: 2, column: 7,
		},
		{
			name:    "List contributes its items",
			src:     "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: one\n  - apiVersion: apps/v1\n    kind: DaemonSet\n    metadata:\n      name: two\n",
			objects: []string{"ConfigMap/one", "DaemonSet/two"},
			field:   []string{"metadata", "name"}, line: 7, column: 13,
		},
		{
			name:    "typed list contributes its items",
			src:     "apiVersion: v1\nkind: ConfigMapList\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: one\n",
			objects: []string{"ConfigMap/one"},
		},
		{
			// Mappings without apiVersion and kind come back without an
			// identity, for the rules that read agent configuration files;
			// sequences and scalars are not documents any rule reads.
			name:    "non-Kubernetes YAML has no identity",
			src:     "# values.yaml\nimage: nginx\n---\nname: CI\non: [push]\njobs: {}\n---\n- a\n- b\n---\nplain scalar\n",
			objects: []string{"/", "/"},
		},
		{
			name:    "empty documents are skipped",
			src:     "---\n---\n# only a comment\n---\n~\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n---\n",
			objects: []string{"Namespace/ns"},
			field:   []string{"metadata", "name"}, line: 10, column: 9,
		},
		{
			name:    "empty input",
			src:     "",
			objects: nil,
		},
		{
			name:    "JSON",
			src:     "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"j\"}\n}\n",
			objects: []string{"Pod/j"},
			field:   []string{"kind"}, line: 3, column: 11,
		},
		{
			name:    "generateName stands in for a missing name",
			src:     "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\n",
			objects: []string{"Job/migrate-"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objects, err := Decode("f.yaml", []byte(tt.src))
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got := objectNames(objects); !slices.Equal(got, tt.objects) {
				t.Fatalf("objects = %v, want %v", got, tt.objects)
			}
			for _, o := range objects {
				if o.File != "f.yaml" {
					t.Errorf("object %s has File %q", o.Name, o.File)
				}
			}
			if tt.field == nil {
				return
			}
			n := lint.Path(objects[0].Node, tt.field...)
			if n == nil {
				t.Fatalf("field %v not found", tt.field)
			}
			if n.Line != tt.line || n.Column != tt.column {
				t.Errorf("%v at %d:%d, want %d:%d", tt.field, n.Line, n.Column, tt.line, tt.column)
			}
		})
	}
}

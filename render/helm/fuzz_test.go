package helm

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
	"go.yaml.in/yaml/v3"
	"helm.sh/helm/v3/pkg/engine"
)

// expensiveTemplate matches what lets a short template cost without bound:
// a large count (repeat, until, nindent 1000000000), recursion through
// include, template or tpl, or key generation. The fuzzer would soon find
// them and measure Helm's engine and the machine's memory, not the line
// mapper; the limits on such renders are TestHostileInputs' business.
var expensiveTemplate = regexp.MustCompile(`[0-9]{4,}|[eE][0-9]|include|template|tpl|define|gen[A-Z]|genPrivateKey|bcrypt|htpasswd|derivePassword`)

// maxRanges bounds nested loops, whose cost multiplies.
const maxRanges = 2

// FuzzHelmLineMap renders a one-template chart from an arbitrary template
// and values file. Whenever Helm renders the template, the markers must not
// change the output, and every position handed out for the rendered objects
// must lie in the template or the values file, inside its lines. A plain
// scalar placed with its span in the template, which the locator does only
// for literal template text, must be the text at that span.
func FuzzHelmLineMap(f *testing.F) {
	for _, seed := range []struct{ template, values string }{
		{
			"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  volumes:\n    - name: s\n      hostPath:\n        path: {{ .Values.socket }}\n",
			"socket: /var/run/docker.sock\n",
		},
		{
			"apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: x\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          env:\n            {{- toYaml .Values.env | nindent 12 }}\n",
			"env:\n  - name: DOCKER_HOST\n    value: unix:///var/run/docker.sock\n",
		},
		{
			"{{- if .Values.on }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  {{- range $k, $v := .Values.data }}\n  {{ $k }}: {{ $v | quote }}\n  {{- end }}\n{{- end }}\n",
			"on: true\ndata:\n  a: unix://{{x}}\n  b: \"2\"\n",
		},
		{
			"apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {a: {{ .Values.a | default \"b\" }}}}\nspec:\n  containers: [{name: c, image: \"{{ .Values.image.repo }}:{{ .Values.image.tag }}\"}]\n",
			"a: &x y\nimage: {repo: docker, tag: *x}\n",
		},
		{"---\n# only a comment\n---\napiVersion: v1\nkind: List\nitems: []\n", ""},
		{"apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: \"{{ .Values.n }}\"\r\n", "n: \"\\u00e9t\\u00e9\"\n"},
	} {
		f.Add(seed.template, seed.values)
	}
	f.Fuzz(func(t *testing.T, template, values string) {
		if len(template) > 4096 || len(values) > 4096 || expensiveTemplate.MatchString(template) || strings.Count(template, "range") > maxRanges {
			return
		}
		dir := filepath.Join(t.TempDir(), "fuzz")
		for name, text := range map[string]string{
			"Chart.yaml":       "apiVersion: v2\nname: fuzz\nversion: 0.1.0\n",
			"values.yaml":      values,
			"templates/t.yaml": template,
		} {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		c := NewChart(dir, Options{}).(*Chart)
		r, chrt, vals, err := c.prepare("")
		if err != nil {
			return
		}
		plain, err := engine.Render(chrt, vals)
		if err != nil {
			return
		}
		r.addMarkers(chrt)
		marked, err := engine.Render(chrt, vals)
		if err != nil {
			t.Fatalf("the template renders, but not once marked: %v", err)
		}
		for key, want := range plain {
			markedKey := key
			if r.shadowed[key] {
				markedKey += markedSuffix
			}
			if got, _ := stripMarkers(marked[markedKey], &r.marks); string(got) != want {
				t.Fatalf("%s: output differs once markers are stripped:\n%q\nwant\n%q", key, got, want)
			}
		}

		objects, _ := NewChart(dir, Options{}).Load()
		templateFile := c.Path + "/templates/t.yaml"
		templateLines := lint.IndexLines([]byte(template))
		lines := map[string]int{
			templateFile:            templateLines.Count(),
			c.Path + "/values.yaml": lint.IndexLines([]byte(values)).Count(),
		}
		for _, obj := range objects {
			walkFields(obj.Node, lint.FieldPath{}, 0, func(n *yaml.Node, field lint.FieldPath) {
				loc := obj.Locate(n, field)
				checkPosition(t, loc.Primary, lines)
				if p := loc.Primary; p.File == templateFile && p.EndLine == p.Line && p.Line > 0 &&
					n.Kind == yaml.ScalarNode && n.Style == 0 && !strings.Contains(n.Value, "\n") {
					text := []rune(string(templateLines.Text(p.Line)))
					if p.Column < 1 || p.EndColumn-1 > len(text) || p.EndColumn < p.Column || string(text[p.Column-1:p.EndColumn-1]) != n.Value {
						t.Fatalf("%s: %s holds %q, not the scalar %q", field, spanString(p), string(text), n.Value)
					}
				}
				for _, rel := range loc.Related {
					checkPosition(t, rel.Position, lines)
				}
			})
		}
	})
}

func checkPosition(t *testing.T, p lint.Position, lines map[string]int) {
	t.Helper()
	n, ok := lines[p.File]
	if !ok {
		t.Fatalf("position in %q, neither the template nor the values file", p.File)
	}
	if p.Line < 0 || p.Line > n || p.Column < 0 {
		t.Fatalf("position %s outside the file's %d lines", p, n)
	}
}

// walkFields calls fn for every node of the tree with its field path, as
// rules name fields; aliases are not followed.
func walkFields(n *yaml.Node, field lint.FieldPath, depth int, fn func(*yaml.Node, lint.FieldPath)) {
	if n == nil || depth > manifest.MaxDepth {
		return
	}
	fn(n, field)
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			walkFields(n.Content[i+1], field.Key(n.Content[i].Value), depth+1, fn)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			walkFields(item, field.Index(i), depth+1, fn)
		}
	}
}

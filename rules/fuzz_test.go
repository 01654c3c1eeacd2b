package rules

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
	"go.yaml.in/yaml/v3"
)

// FuzzRules runs every rule over the objects of arbitrary YAML, decoded as
// the CLI decodes files. No rule may panic, and every finding must name a
// known rule and severity, carry a message, and point inside the input; a
// finding about a scalar field must point at that scalar (checkScalarAt).
func FuzzRules(f *testing.F) {
	for _, dir := range []string{"testdata/rules", "testdata/agents", "testdata/agentconfig"} {
		_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".yaml") {
				if data, err := os.ReadFile(path); err == nil {
					f.Add(data)
				}
			}
			return nil
		})
	}
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes: [{name: v, hostPath: {path: &s /var/run/docker.sock}}]\n  containers: [{name: c, env: [{name: DOCKER_HOST, value: *s}], command: [sh, -c, docker ps]}]\n"))
	// Scalars whose decoded value differs from their text: an escape, a
	// tag, a doubled quote.
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes: [{name: v, hostPath: {path: !!str \"/var/run/\\x64ocker.sock\"}}]\n  containers: [{name: c, env: [{name: DOCKER_HOST, value: 'unix:///var/run/docker.sock'}]}]\n"))
	all := All()
	ids := map[string]bool{}
	for _, r := range all {
		ids[r.ID] = true
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objects, _ := manifest.Decode("f.yaml", data)
		e := lint.Engine{Rules: all}
		lines := lint.IndexLines(data).Count()
		for _, finding := range e.Check(objects) {
			if !ids[finding.Rule] {
				t.Fatalf("finding of unknown rule %q", finding.Rule)
			}
			if !slices.Contains([]lint.Severity{lint.SeverityError, lint.SeverityWarning, lint.SeverityNote}, finding.Severity) || finding.Message == "" {
				t.Fatalf("finding without severity or message: %+v", finding)
			}
			// Every finding points at a node of the input, even for an
			// object without a name (see the agent-without-name seed).
			if finding.File != "f.yaml" || finding.Line < 1 || finding.Line > lines || finding.Column < 1 {
				t.Fatalf("finding at %s, outside the input's %d lines", finding.Position, lines)
			}
			if !utf8.ValidString(finding.Message) {
				t.Fatalf("message is not UTF-8: %q", finding.Message)
			}
			checkScalarAt(t, data, objects, finding)
		}
	})
}

// checkScalarAt is the position oracle: when the finding's field leads to a
// scalar of its object, written on one line, the text the finding spans is
// that scalar, which decodes to the same value; reached through an alias,
// it is the alias.
func checkScalarAt(t *testing.T, data []byte, objects []*lint.Object, f lint.Finding) {
	t.Helper()
	if _, _, _, embedded := f.Field.Embedded(); embedded || f.Field.Len() == 0 || f.EndLine != f.Line {
		return
	}
	line := []rune(string(lint.IndexLines(data).Text(f.Line)))
	if f.Column < 1 || f.EndColumn <= f.Column || f.EndColumn-1 > len(line) {
		t.Fatalf("finding %s spans columns %d to %d of a %d-column line", f.Position, f.Column, f.EndColumn, len(line))
	}
	text := string(line[f.Column-1 : f.EndColumn-1])
	// Documents without a name share their identity: the finding is about
	// one of them.
	var scalars []string
	for _, obj := range objects {
		if obj.ObjectRef != f.Object {
			continue
		}
		for _, n := range lookupAll(obj.Node, f.Field) {
			if n.Kind != yaml.ScalarNode {
				continue
			}
			// A finding inside a block scalar points at a line of
			// its text, which this oracle does not read.
			if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
				return
			}
			if obj.Reach(f.Field).Alias != nil {
				if strings.HasPrefix(text, "*") {
					return
				}
				scalars = append(scalars, "an alias")
				continue
			}
			var doc yaml.Node
			err := yaml.Unmarshal([]byte(text), &doc)
			if err == nil && len(doc.Content) > 0 && doc.Content[0].Value == n.Value {
				return
			}
			// A !!binary scalar's value is the text its base64 encodes,
			// as Kubernetes decodes it (manifest.Decode).
			if err == nil && len(doc.Content) > 0 && n.ShortTag() == "!!binary" {
				if text, err := base64.StdEncoding.DecodeString(doc.Content[0].Value); err == nil && string(text) == n.Value {
					return
				}
			}
			// Rules about a setting's name (kubeletExtraArgs'
			// container-runtime) report its key.
			if key, isKey := f.Field.At(f.Field.Len() - 1).Key(); isKey && err == nil && len(doc.Content) > 0 && doc.Content[0].Value == key {
				return
			}
			scalars = append(scalars, strconv.Quote(n.Value))
		}
	}
	if len(scalars) > 0 {
		t.Fatalf("finding %s (%s) spans %q, which is not %s", f.Position, f.Field, text, strings.Join(scalars, " or "))
	}
}

// lookupAll is lint.Lookup that follows every copy of a duplicated key.
// Decode reports a duplicate as an input error but still lints the
// document, and a rule that walks a mapping's entries sees the copy
// Kubernetes applies, the last, where Lookup returns the first.
func lookupAll(root *yaml.Node, p lint.FieldPath) []*yaml.Node {
	nodes := []*yaml.Node{lint.Resolve(root)}
	for i := range p.Len() {
		var next []*yaml.Node
		for _, n := range nodes {
			if key, isKey := p.At(i).Key(); isKey && n.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(n.Content); j += 2 {
					if n.Content[j].Value == key {
						next = append(next, lint.Resolve(n.Content[j+1]))
					}
				}
			} else if found := lint.Lookup(n, p.Slice(i, i+1)); found != nil {
				next = append(next, found)
			}
		}
		nodes = next
	}
	return nodes
}

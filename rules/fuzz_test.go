package rules

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
)

// FuzzRules runs every rule over the objects of arbitrary YAML, decoded as
// the CLI decodes files. No rule may panic, and every finding must name a
// known rule and severity, carry a message, and point inside the input.
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
		}
	})
}

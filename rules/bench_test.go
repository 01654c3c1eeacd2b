package rules_test

import (
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/dockershim-lint/dockershim-lint/internal/benchcpu"
	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/rules"
)

// BenchmarkDockershimWalk measures the dockershim-socket rule on the objects
// it walks key by key: ones that name the shim somewhere, so the cheap scan
// that lets every other object go does not apply. The walk builds a field
// path for every node it passes.
func BenchmarkDockershimWalk(b *testing.B) {
	var src strings.Builder
	src.WriteString("apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: node-agent\nspec:\n  template:\n    spec:\n      containers:\n")
	for i := range 50 {
		fmt.Fprintf(&src, "        - name: c%d\n          image: example.com/agent:%d\n          args: [\"--v=2\", \"--port=%d\"]\n", i, i, 8000+i)
		src.WriteString("          env:\n")
		for j := range 10 {
			fmt.Fprintf(&src, "            - name: VAR_%d\n              value: \"value %d\"\n", j, j)
		}
		fmt.Fprintf(&src, "          resources:\n            limits: {cpu: 100m, memory: 64Mi}\n")
	}
	src.WriteString("        - name: last\n          image: example.com/agent:last\n          args: [\"--container-runtime-endpoint=unix:///var/run/dockershim.sock\"]\n")
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src.String()), &doc); err != nil {
		b.Fatal(err)
	}
	obj := &lint.Object{
		ObjectRef: lint.ObjectRef{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "node-agent"},
		File:      "agent.yaml",
		Node:      doc.Content[0],
	}
	var rule *lint.Rule
	for _, r := range rules.All() {
		if r.ID == "dockershim-socket" {
			rule = r
		}
	}
	engine := lint.Engine{Rules: []*lint.Rule{rule}}
	b.ReportAllocs()
	defer benchcpu.Start(b)()
	for b.Loop() {
		if got := engine.Check([]*lint.Object{obj}); len(got) != 1 {
			b.Fatalf("got %d findings, want 1", len(got))
		}
	}
}

package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/lint/linttest"
	"github.com/dockershim-lint/dockershim-lint/render"
	"github.com/dockershim-lint/dockershim-lint/rules"
)

// TestSuppressFixtures lints testdata/suppress as the CLI does: reported
// findings must match the want comments, and suppressed ones the table.
func TestSuppressFixtures(t *testing.T) {
	const dir = "testdata/suppress"
	inputs, errs := render.Discover([]string{dir}, render.Options{})
	if len(errs) > 0 {
		t.Fatalf("discovery errors: %v", errs)
	}
	engine := lint.Engine{Rules: rules.All()}
	res := engine.Run(inputs)
	if len(res.Errors) > 0 {
		t.Fatalf("input errors: %v", res.Errors)
	}
	linttest.Match(t, linttest.ParseWantFiles(t, dir, ".yaml"), res.Findings)

	type suppressed struct {
		file   string
		line   int
		rule   string
		reason string
	}
	want := []suppressed{
		{file: "chart/templates/daemonset.yaml", line: 20, rule: "docker-host-env", reason: "the agent reads a remote daemon"},
		// The finding is on the template line; the comment on the values
		// line it relates to covers it.
		{file: "chart/templates/daemonset.yaml", line: 28, rule: "docker-host-env", reason: "the sidecar reads a remote daemon"},
		{file: "chart/values.yaml", line: 7, rule: "docker-socket", reason: "build nodes keep Docker until Q3"},
		// Once from the base alone, once through the overlay.
		{file: "kustomize/base/daemonset.yaml", line: 25, rule: "docker-data-dir", reason: "nodes are migrated in the overlay's cluster first"},
		{file: "kustomize/base/daemonset.yaml", line: 25, rule: "docker-data-dir", reason: "nodes are migrated in the overlay's cluster first"},
		{file: "kustomize/overlay/mount-socket.yaml", line: 17, rule: "docker-socket", reason: "the shipper reads container labels"},
		// One use of an anchor each, at the alias and at the << line.
		{file: "manifests/anchors.yaml", line: 11, rule: "docker-socket", reason: "only one"},
		{file: "manifests/anchors.yaml", line: 26, rule: "docker-socket", reason: "the merge on this line"},
		{file: "manifests/pods.yaml", line: 14, rule: "docker-socket", reason: "CI nodes keep Docker until Q3"},
		{file: "manifests/pods.yaml", line: 27, rule: "docker-host-env", reason: "talks to a remote build daemon"},
		{file: "manifests/pods.yaml", line: 42, rule: "docker-socket", reason: "image builder pool, still on Docker"},
		{file: "manifests/pods.yaml", line: 45, rule: "docker-data-dir", reason: "image builder pool, still on Docker"},
		{file: "manifests/pods.yaml", line: 77, rule: "docker-cli", reason: "one of two is used # want: unused-ignore@7"},
		// Findings on a script's line, covered by a comment above the
		// block, after its header, and on the line itself.
		{file: "manifests/scripts.yaml", line: 17, rule: "docker-cli", reason: "the build pool keeps Docker until Q3"},
		{file: "manifests/scripts.yaml", line: 24, rule: "docker-cli", reason: "the build pool keeps Docker until Q3"},
		{file: "manifests/scripts.yaml", line: 32, rule: "docker-cli", reason: "the build pool keeps Docker until Q3"},
	}
	var got []suppressed
	for _, f := range res.Suppressed {
		if len(f.Suppressions) != 1 || f.Suppressions[0].Kind != "inSource" {
			t.Errorf("%s:%d %s: suppressions %+v, want one inSource", f.File, f.Line, f.Rule, f.Suppressions)
			continue
		}
		got = append(got, suppressed{
			file: strings.TrimPrefix(f.File, dir+"/"), line: f.Line, rule: f.Rule,
			reason: f.Suppressions[0].Justification,
		})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("suppressed findings:\n got %+v\nwant %+v", got, want)
	}
}

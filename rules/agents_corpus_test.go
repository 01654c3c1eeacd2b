package rules

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
)

// corpusDir holds vendors' published manifests and charts; it lives beside
// the repository, never in it.
const corpusDir = "../../shared/corpus"

// TestVendorCorpus runs the vendor rules over vendors' own plain manifests
// and compares with findings checked by hand against the files: every
// finding in these files, so that a new false positive fails too. Charts
// are left to the Helm renderer's tests.
func TestVendorCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	tests := []struct {
		glob string
		want []string // "file:line:column severity rule"
	}{
		{
			glob: "signalfx-agent/deployments/k8s/*.yaml",
			want: []string{
				// agent.yaml's monitors list, inside the ConfigMap's block scalar.
				"signalfx-agent/deployments/k8s/configmap.yaml:64:13 error signalfx-docker-container-stats",
				// The agent image, with /var/run/docker.sock mounted.
				"signalfx-agent/deployments/k8s/daemonset.yaml:48:16 error agent-signalfx",
			},
		},
		{
			// The serverless variant has no Docker monitor and no mount.
			glob: "signalfx-agent/deployments/k8s/serverless/*.yaml",
			want: []string{"signalfx-agent/deployments/k8s/serverless/deployment.yaml:39:16 note agent-signalfx"},
		},
		{
			// The OneAgent resource is noted; the operator's own Deployment
			// (dynatrace-oneagent-operator) is not the agent.
			glob: "dynatrace-oneagent-operator/deploy/*.yaml",
			want: []string{"dynatrace-oneagent-operator/deploy/cr.yaml:6:9 note agent-dynatrace"},
		},
		{
			// kube-bench is Aqua's, but neither an agent nor its config.
			glob: "kube-bench/*.yaml",
		},
	}
	for _, tt := range tests {
		t.Run(tt.glob, func(t *testing.T) {
			files, err := filepath.Glob(filepath.Join(corpusDir, tt.glob))
			if err != nil || len(files) == 0 {
				t.Fatalf("no corpus files match %s: %v", tt.glob, err)
			}
			var got []string
			for _, path := range files {
				src, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				name := strings.TrimPrefix(filepath.ToSlash(path), corpusDir+"/")
				objects, err := manifest.Decode(name, src)
				if err != nil {
					t.Errorf("decoding %s: %v", name, err)
				}
				for _, f := range (&lint.Engine{Rules: vendorRules()}).Check(objects) {
					got = append(got, f.Position.String()+" "+f.Severity.String()+" "+f.Rule)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

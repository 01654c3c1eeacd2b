package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/helm"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
	"github.com/dockershim-lint/dockershim-lint/rules"
)

// corpusDir holds vendor manifests and charts as published; it lives next
// to the repository, not in it.
const corpusDir = "../shared/corpus"

// corpusFinding is a finding checked by hand against the vendor's file.
// Line and column are zero for rendered charts, whose positions belong to
// the Helm renderer's tests.
type corpusFinding struct {
	rule     string
	severity lint.Severity
	file     string
	line     int
	column   int
	field    string
	message  string
}

func TestCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	const datadogKey = "datadog.apiKey=0123456789abcdef0123456789abcdef"
	tests := []struct {
		name  string
		input func(dir string) lint.Input
		want  []corpusFinding
	}{
		{
			name:  "SignalFx agent DaemonSet mounts the socket",
			input: file("signalfx-agent/deployments/k8s/daemonset.yaml"),
			want: []corpusFinding{{
				rule: "docker-socket", severity: lint.SeverityError,
				file: "signalfx-agent/deployments/k8s/daemonset.yaml", line: 101, column: 17,
				field:   "spec.template.spec.volumes[2].hostPath.path",
				message: `hostPath volume "docker" mounts the Docker Engine socket /var/run/docker.sock`,
			}},
		},
		{name: "kube-bench node job reads no Docker path", input: file("kube-bench/job-node.yaml")},
		{name: "kube-bench master job reads no Docker path", input: file("kube-bench/job-master.yaml")},
		{name: "Dynatrace operator", input: file("dynatrace-oneagent-operator/deploy/kubernetes.yaml")},
		{
			name:  "Datadog chart defaults mount /var/run",
			input: chart("assembled/datadog", helm.Options{Set: []string{datadogKey}}),
			want: []corpusFinding{{
				rule: "docker-socket", severity: lint.SeverityWarning,
				file:    "assembled/datadog/templates/daemonset.yaml",
				field:   "spec.template.spec.volumes[2].hostPath.path",
				message: `hostPath volume "runtimesocketdir" mounts /var/run, the directory holding the Docker Engine socket`,
			}},
		},
		{
			// DOCKER_HOST is set in the containers-common-env helper,
			// which every container includes.
			name: "Datadog chart with dockerSocketPath sets DOCKER_HOST",
			input: chart("assembled/datadog", helm.Options{
				Set: []string{datadogKey, "datadog.dockerSocketPath=/var/run/docker.sock"},
			}),
			want: []corpusFinding{
				{
					rule: "docker-socket", severity: lint.SeverityWarning,
					file:  "assembled/datadog/templates/daemonset.yaml",
					field: "spec.template.spec.volumes[2].hostPath.path",
				},
				{
					rule: "docker-host-env", severity: lint.SeverityError,
					file:    "assembled/datadog/templates/_containers-common-env.yaml",
					field:   "spec.template.spec.containers[0].env[4].value",
					message: `container "agent" sets DOCKER_HOST to unix:///host/var/run/docker.sock, the node's Docker Engine socket (hostPath volume "runtimesocketdir")`,
				},
				{
					rule: "docker-host-env", severity: lint.SeverityError,
					file:  "assembled/datadog/templates/_containers-common-env.yaml",
					field: "spec.template.spec.containers[1].env[4].value",
				},
				{
					rule: "docker-host-env", severity: lint.SeverityError,
					file:  "assembled/datadog/templates/_containers-common-env.yaml",
					field: "spec.template.spec.initContainers[1].env[4].value",
				},
			},
		},
	}
	core := rules.Core()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			result := (&lint.Engine{Rules: core}).Run([]lint.Input{tt.input(corpusDir)})
			for _, e := range result.Errors {
				t.Errorf("input error: %s", e.Error())
			}
			got := result.Findings
			if len(got) != len(tt.want) {
				for _, f := range got {
					t.Logf("got %s %s %s: %s", f.Position, f.Rule, f.Field, f.Message)
				}
				t.Fatalf("got %d findings, want %d", len(got), len(tt.want))
			}
			for _, w := range tt.want {
				i := slices.IndexFunc(got, func(f lint.Finding) bool { return f.Rule == w.rule && f.Field.String() == w.field })
				if i < 0 {
					t.Errorf("no %s finding on %s", w.rule, w.field)
					continue
				}
				f := got[i]
				if !strings.HasSuffix(f.File, "/"+w.file) || f.Severity != w.severity || !strings.Contains(f.Message, w.message) {
					t.Errorf("%s on %s = %s %v %q, want %s %v containing %q", w.rule, w.field, f.File, f.Severity, f.Message, w.file, w.severity, w.message)
				}
				if w.line != 0 && (f.Line != w.line || f.Column != w.column) {
					t.Errorf("%s on %s at %d:%d, want %d:%d", w.rule, w.field, f.Line, f.Column, w.line, w.column)
				}
			}
		})
	}
}

func file(rel string) func(dir string) lint.Input {
	return func(dir string) lint.Input { return manifest.NewFile(filepath.Join(dir, rel)) }
}

func chart(rel string, opts helm.Options) func(dir string) lint.Input {
	return func(dir string) lint.Input { return helm.NewChart(filepath.Join(dir, rel), opts) }
}

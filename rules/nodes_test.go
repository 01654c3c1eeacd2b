package rules

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestCIAndNodeFields pins the field paths the CI and node rules report:
// fingerprints, baselines and kustomize positions are built from them.
func TestCIAndNodeFields(t *testing.T) {
	tests := []struct {
		file   string
		rule   string
		line   int
		column int
		field  string
	}{
		{file: "argo-docker-executor/configmap.yaml", rule: "argo-docker-executor", line: 8, column: 29, field: `data.containerRuntimeExecutor`},
		{file: "argo-docker-executor/configmap.yaml", rule: "argo-docker-executor", line: 19, column: 15, field: `data.config>containerRuntimeExecutors[0].name`},
		{file: "argo-docker-executor/values.yaml", rule: "argo-docker-executor", line: 3, column: 29, field: `controller.containerRuntimeExecutor`},
		{file: "ci-runner-docker-socket/gitlab-runner.yaml", rule: "ci-runner-docker-socket", line: 13, column: 30, field: `data["config.template.toml"]>runners[0].docker.volumes[1]`},
		{file: "ci-runner-docker-socket/gitlab-runner.yaml", rule: "ci-runner-docker-socket", line: 22, column: 23, field: `data["config.template.toml"]>runners[1].kubernetes.volumes.host_path[0].host_path`},
		{file: "ci-runner-docker-socket/jenkins.yaml", rule: "ci-runner-docker-socket", line: 19, column: 33, field: `data["clouds.yaml"]>jenkins.clouds[0].kubernetes.templates[0].volumes[0].hostPathVolume.hostPath`},
		{file: "ci-runner-docker-socket/jenkins-values.yaml", rule: "ci-runner-docker-socket", line: 5, column: 17, field: `agent.volumes[0].hostPath`},
		{file: "node-docker-runtime/eksctl.yaml", rule: "node-docker-runtime", line: 16, column: 23, field: `managedNodeGroups[0].containerRuntime`},
		{file: "node-docker-runtime/kubelet.yaml", rule: "node-docker-runtime", line: 34, column: 15, field: `spec.template.spec.containers[0].args[0]`},
		{file: "node-docker-runtime/kubelet.yaml", rule: "node-docker-runtime", line: 49, column: 18, field: `spec.template.spec.containers[4].args[0]`},
		{file: "node-docker-runtime/kubelet.yaml", rule: "node-docker-runtime", line: 75, column: 13, field: `nodeRegistration.kubeletExtraArgs[0].name`},
		{file: "node-docker-runtime/cluster-api.yaml", rule: "node-docker-runtime", line: 13, column: 13, field: `spec.template.spec.joinConfiguration.nodeRegistration.kubeletExtraArgs.container-runtime`},
		{file: "node-docker-runtime/rke1-cluster.yaml", rule: "node-docker-runtime", line: 2, column: 1, field: `nodes`},
	}
	for _, tt := range tests {
		t.Run(tt.file+":"+tt.rule, func(t *testing.T) {
			_, findings := lintAgentFixture(t, filepath.Join("testdata", "rules", tt.file), slices.Concat(ciRules(), nodeRules()))
			f := agentFindingAt(t, findings, tt.rule, tt.line)
			if f.Column != tt.column || f.Field.String() != tt.field {
				t.Errorf("got column %d field %q, want column %d field %q", f.Column, f.Field, tt.column, tt.field)
			}
		})
	}
}

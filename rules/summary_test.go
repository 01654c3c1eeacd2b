package rules

import (
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// The vendor-agent rules quote evidence summaries in their messages, so
// their wording is a contract between the two sets of rules.
func TestEvidenceSummaries(t *testing.T) {
	tests := []struct {
		name string
		spec string
		want []string
	}{
		{
			name: "socket directory",
			spec: `
containers:
- name: agent
  image: example.com/agent:1
  volumeMounts: [{name: runtime-socket, mountPath: /host/var/run}]
volumes:
- {name: runtime-socket, hostPath: {path: /var/run}}
`,
			want: []string{"docker-socket: mounts /var/run (volume runtime-socket)"},
		},
		{
			name: "socket through subPath, and an unmounted socket",
			spec: `
containers:
- name: agent
  image: example.com/agent:1
  volumeMounts: [{name: run, mountPath: /var/run/docker.sock, subPath: docker.sock}]
volumes:
- {name: run, hostPath: {path: /var/run}}
- {name: spare, hostPath: {path: /var/run/docker.sock, type: Socket}}
`,
			want: []string{
				"docker-socket: mounts /var/run/docker.sock (volume run, subPath docker.sock)",
				"docker-socket: declares hostPath /var/run/docker.sock (volume spare, not mounted)",
			},
		},
		{
			name: "every other core rule",
			spec: `
containers:
- name: agent
  image: example.com/agent:1
  command: [sh, -c, "docker ps"]
  env:
  - {name: DOCKER_HOST, value: "unix:///var/run/docker.sock"}
  - {name: ENGINE, value: "tcp://docker:2375"}
  - {name: CRI, value: "unix:///var/run/dockershim.sock"}
  volumeMounts: [{name: logs, mountPath: /var/lib/docker/containers}]
volumes:
- {name: logs, hostPath: {path: /var/lib/docker/containers}}
`,
			want: []string{
				"docker-data-dir: mounts /var/lib/docker/containers (volume logs)",
				"docker-host-env: sets DOCKER_HOST",
				"docker-host-env: sets ENGINE to tcp://docker:2375",
				"docker-cli: runs `docker ps`",
				"dockershim-socket: names unix:///var/run/dockershim.sock",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var spec yaml.Node
			if err := yaml.Unmarshal([]byte(tt.spec), &spec); err != nil {
				t.Fatal(err)
			}
			pod := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Value: "spec"}, spec.Content[0],
			}}
			obj := &lint.Object{ObjectRef: lint.ObjectRef{APIVersion: "v1", Kind: "Pod", Name: "p"}, File: "p.yaml", Node: pod}
			var got []string
			for _, e := range dockerEvidence(&lint.Pass{Object: obj}) {
				got = append(got, e.rule+": "+e.summary)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("summaries = %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("summary %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

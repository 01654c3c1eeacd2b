package rules

import (
	"strings"
	"testing"
)

func TestImageChangeFor(t *testing.T) {
	img := AgentImage{
		Repository: "datadog/agent",
		Versions: []AgentVersion{
			{Since: "6", Change: "six"},
			{Since: "7.40", Change: "seven-forty"},
		},
	}
	tests := []struct {
		image string
		want  string
	}{
		{image: "datadog/agent:5.32.1", want: "generic"},
		{image: "datadog/agent:6", want: "six"},
		{image: "gcr.io/datadoghq/agent:7.29.0", want: "six"},
		{image: "gcr.io/datadoghq/agent:7.29.0-jmx", want: "six"},
		{image: "datadog/agent:7.40.0", want: "seven-forty"},
		{image: "datadog/agent:v7.52.1", want: "seven-forty"},
		{image: "registry.local:5000/datadog/agent:7.50", want: "seven-forty"},
		{image: "datadog/agent:latest", want: "generic"},
		{image: "datadog/agent", want: "generic"},
		{image: "datadog/agent@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", want: "generic"},
		{image: "registry.local:5000/datadog/agent", want: "generic"},
	}
	for _, tt := range tests {
		t.Run(tt.image, func(t *testing.T) {
			if got := img.changeFor(tt.image, "generic"); got != tt.want {
				t.Errorf("changeFor(%q) = %q, want %q", tt.image, got, tt.want)
			}
		})
	}
}

func TestAgentVersionValidation(t *testing.T) {
	a := Agent{
		ID: "agent-x", Name: "X", Status: StatusMigrate, Link: "https://x.example", Change: "c",
		Images: []AgentImage{{Repository: "x/agent", Versions: []AgentVersion{{Since: "latest", Change: "c"}, {Since: "2"}}}},
	}
	err := a.Validate()
	if err == nil {
		t.Fatal("accepted a version that is none, and one without a change")
	}
	for _, want := range []string{`version "latest" is not a version`, `version "2" has no change`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestAgentEvidenceOncePerContainer(t *testing.T) {
	got := evidenceSummaries([]evidence{
		{summary: "sets DOCKER_HOST", container: "agent"},
		{summary: "mounts /var/run (volume run)"},
		{summary: "sets DOCKER_HOST", container: "trace-agent"},
		{summary: "sets DOCKER_HOST", container: "agent"},
		{summary: "runs `docker ps`", container: "agent"},
	})
	want := []string{
		`sets DOCKER_HOST (containers "agent", "trace-agent")`,
		"mounts /var/run (volume run)",
		"runs `docker ps` (container \"agent\")",
	}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("summary %d = %q, want %q", i, got[i], want[i])
		}
	}
}

package rules

import "testing"

func TestIsProseLine(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		{line: "If the agent logs errors about /var/run/dockershim.sock, the node still", want: true},
		{line: "- Older releases read `/var/run/dockershim.sock` through the kubelet.", want: true},
		{line: "Set the Docker daemon address, for example tcp://localhost:2375.", want: true},
		{line: "## Troubleshooting the dockershim socket on old nodes", want: true},
		// Paths, URLs, flags, keys and commands are configuration.
		{line: "/var/run/dockershim.sock", want: false},
		{line: "unix:///var/run/dockershim.sock", want: false},
		{line: "--container-runtime-endpoint=unix:///var/run/dockershim.sock", want: false},
		{line: "criSocket: /var/run/dockershim.sock", want: false},
		{line: "DOCKER_HOST=tcp://localhost:2375", want: false},
		{line: "crictl --runtime-endpoint unix:///var/run/dockershim.sock ps", want: false},
		{line: "runtime endpoint /var/run/dockershim.sock", want: false},
		{line: "if [ -S /var/run/dockershim.sock ]; then echo found the dockershim socket; fi", want: false},
		{line: "docker -H tcp://localhost:2375 ps", want: false},
		{line: "", want: false},
	}
	for _, tt := range tests {
		if got := isProseLine(tt.line); got != tt.want {
			t.Errorf("isProseLine(%q) = %v, want %v", tt.line, got, tt.want)
		}
	}
}

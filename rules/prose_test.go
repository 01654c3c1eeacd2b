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
		// A semicolon or an = in a sentence is punctuation.
		{line: "On old nodes the kubelet talked to /var/run/dockershim.sock; after the migration", want: true},
		{line: "Do not set DOCKER_HOST=tcp://localhost:2375; it is gone", want: true},
		{line: "The kubelet used /var/run/dockershim.sock; containerd replaced it.", want: true},
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
		{line: "cmd; docker ps", want: false},
		{line: "crictl --runtime-endpoint unix:///var/run/dockershim.sock images # want: x@1", want: false},
		{line: "cd /tmp; echo checking the old dockershim socket /var/run/dockershim.sock", want: false},
		{line: "export DOCKER_HOST=tcp://localhost:2375; run the build and push it", want: false},
		{line: "DOCKER_HOST=tcp://localhost:2375 make build test push release", want: false},
		{line: "env DOCKER_HOST=tcp://localhost:2375 make build test push", want: false},
		{line: "rm -f /var/run/dockershim.sock;echo removed the old socket file", want: false},
		{line: "", want: false},
	}
	for _, tt := range tests {
		if got := isProseLine(tt.line); got != tt.want {
			t.Errorf("isProseLine(%q) = %v, want %v", tt.line, got, tt.want)
		}
	}
}

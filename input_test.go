//go:build unix

package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestUnreadableInputs points every file the command line reads besides the
// manifests (config, baseline, --set-file, a committed config file) at a
// device or a FIFO: each must be refused with an error naming it, and exit
// 2, instead of reading /dev/zero until memory runs out or waiting on the
// FIFO forever.
func TestUnreadableInputs(t *testing.T) {
	socket, err := filepath.Abs(socketFile)
	if err != nil {
		t.Fatal(err)
	}
	chart, err := filepath.Abs("testdata/charts/socketpath")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		// setup prepares the working directory, a repository of its own.
		setup func(t *testing.T, dir string)
		args  []string
		want  want
	}{
		{
			name:  "committed config file linked to /dev/zero",
			setup: func(t *testing.T, dir string) { link(t, "/dev/zero", filepath.Join(dir, configName)) },
			args:  []string{"lint", socket},
			want:  want{code: 2, stderr: []string{configName + " resolves to /dev/zero, outside"}},
		},
		{
			name:  "committed config file that is a FIFO",
			setup: func(t *testing.T, dir string) { fifo(t, filepath.Join(dir, configName)) },
			args:  []string{"lint", socket},
			want:  want{code: 2, stderr: []string{configName + ": not a regular file"}},
		},
		{
			// The file is the repository's, not the user's: a values file
			// it names outside the repository could carry the content of
			// ~/.docker/config.json into a finding's message.
			name: "committed config file naming a values file outside the repository",
			setup: func(t *testing.T, dir string) {
				socketChart(t, dir)
				write(t, filepath.Join(dir, configName), "charts:\n  chart:\n    values: [../outside.yaml]\n")
				write(t, filepath.Join(dir, "..", "outside.yaml"), "socket: /var/run/docker.sock\n")
			},
			args: []string{"lint", "chart"},
			want: want{code: 2, stderr: []string{configName + ":3: charts: chart: values file ../outside.yaml: ", "outside"}},
		},
		{
			// Whether a file outside exists is not told: the same error
			// as for one that does.
			name: "committed config file naming a missing values file outside the repository",
			setup: func(t *testing.T, dir string) {
				socketChart(t, dir)
				write(t, filepath.Join(dir, configName), "charts:\n  chart:\n    values: [../no-such-file.yaml]\n")
			},
			args: []string{"lint", "chart"},
			want: want{code: 2, stderr: []string{configName + ":3: charts: chart: values file ../no-such-file.yaml: ", "outside"}},
		},
		{
			name: "committed config file naming a values file linked outside the repository",
			setup: func(t *testing.T, dir string) {
				socketChart(t, dir)
				write(t, filepath.Join(dir, configName), "charts:\n  chart:\n    values: [prod.yaml]\n")
				link(t, "/etc/passwd", filepath.Join(dir, "prod.yaml"))
			},
			args: []string{"lint", "chart"},
			want: want{code: 2, stderr: []string{configName + ":3: charts: chart: values file prod.yaml: ", "resolves to /etc/passwd, outside"}},
		},
		{
			name: "--config /dev/zero",
			args: []string{"lint", "--config", "/dev/zero", socket},
			want: want{code: 2, stderr: []string{"config file /dev/zero: not a regular file"}},
		},
		{
			name:  "--config naming a FIFO",
			setup: func(t *testing.T, dir string) { fifo(t, filepath.Join(dir, "pipe.yaml")) },
			args:  []string{"lint", "--config", "pipe.yaml", socket},
			want:  want{code: 2, stderr: []string{"config file pipe.yaml: not a regular file"}},
		},
		{
			name: "--baseline /dev/zero",
			args: []string{"lint", "--baseline", "/dev/zero", socket},
			want: want{code: 2, stderr: []string{"baseline /dev/zero: not a regular file"}},
		},
		{
			name: "--set-file naming /dev/zero",
			args: []string{"lint", "--set-file", "docker.socketPath=/dev/zero", chart},
			want: want{code: 2, stderr: []string{"--set-file docker.socketPath=/dev/zero: /dev/zero: not a regular file"}},
		},
		{
			name:  "a FIFO named beside a manifest",
			setup: func(t *testing.T, dir string) { fifo(t, filepath.Join(dir, "pipe.yaml")) },
			args:  []string{"lint", "pipe.yaml", socket},
			want:  want{code: 2, stdout: []string{"error docker-socket"}, stderr: []string{"pipe.yaml: error: not a regular file"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			t.Chdir(dir)
			done := make(chan cliResult, 1)
			go func() { done <- runCLI(t, "", tt.args...) }()
			select {
			case r := <-done:
				r.check(t, tt.want)
			case <-time.After(2 * time.Minute):
				t.Fatalf("%v did not end", tt.args)
			}
		})
	}
}

// TestReportToFIFO: a report written to a named pipe reaches the reader
// that opens it later, as with the shell's >. Opened for reading and writing,
// the pipe never waited for a reader: the run put the report in the pipe's
// buffer and ended, and the report was lost (or, past the 64 KiB buffer,
// the run waited forever on a reader that was itself).
func TestReportToFIFO(t *testing.T) {
	socket, err := filepath.Abs(socketFile)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pipe := filepath.Join(dir, "report.json")
	fifo(t, pipe)
	done := make(chan cliResult, 1)
	go func() { done <- runCLI(t, "", "lint", "--format", "json", "-o", pipe, socket) }()
	select {
	case r := <-done:
		t.Fatalf("the run ended (exit %d) before anything read its report from the pipe:\n%s", r.code, r.stderr)
	case <-time.After(2 * time.Second):
	}
	f, err := os.Open(pipe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	report, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		r.check(t, want{code: 1})
	case <-time.After(2 * time.Minute):
		t.Fatal("the run did not end once its report was read")
	}
	if !strings.Contains(string(report), `"rule": "docker-socket"`) {
		t.Errorf("the reader got no report:\n%s", report)
	}
}

func link(t *testing.T, target, path string) {
	t.Helper()
	if err := os.Symlink(target, path); err != nil {
		t.Skipf("cannot make a symbolic link here: %v", err)
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// socketChart writes a chart in dir/chart that mounts .Values.socket.
func socketChart(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "chart", "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "chart", "Chart.yaml"), "apiVersion: v2\nname: chart\nversion: 0.1.0\n")
	write(t, filepath.Join(dir, "chart", "templates", "pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"+
		"spec:\n  containers: []\n  volumes:\n    - name: s\n      hostPath:\n        path: {{ .Values.socket | default \"/tmp\" }}\n")
}

func fifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
}

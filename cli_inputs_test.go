package main

import (
	"strings"
	"testing"
)

const guardedChart = `apiVersion: v2
name: %s
version: 0.1.0
`

// guardedTemplate mounts the Docker socket only with docker.enabled.
const guardedTemplate = `apiVersion: v1
kind: Pod
metadata:
  name: {{ .Chart.Name }}
spec:
  containers:
    - name: agent
      image: example/agent:1.0
  volumes:
    {{- if .Values.docker.enabled }}
    - name: docker-sock
      hostPath:
        path: /var/run/docker.sock
    {{- end }}
    - name: tmp
      emptyDir: {}
`

// TestRealRepositories: the inputs of real repositories, clusters and
// charts, each lint as people expect.
func TestRealRepositories(t *testing.T) {
	dump := readFixture(t, "testdata/cli/dump.yaml")
	socket := readFixture(t, socketFile)
	// A 33 MiB dump: a finding in its first document, then a break that
	// stops decoding, so that the test reads 33 MiB without decoding them.
	bigDump := socket + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: before-the-break\n---\n\tbroken: here\n" +
		strings.Repeat("# "+strings.Repeat("x", 78)+"\n", (33<<20)/81+1)
	tests := []struct {
		name  string
		files map[string]string
		args  []string
		stdin string
		want  want
	}{
		{
			name:  "a pod whose controller is in the dump is reported through the controller",
			args:  []string{"lint", "-"},
			stdin: dump,
			want: want{code: exitFindings, stdout: []string{
				"<stdin>:32:23: error docker-socket: ", "(DaemonSet monitoring/node-agent)\n",
				"(Pod ci/builder-5d9f8-abcde)\n", "2 findings: 2 errors in 1 file",
			}, notStdout: []string{"node-agent-x7k2p", "node-agent-q9m4t"}},
		},
		{
			name: "a JSONC tsconfig.json is skipped with a notice",
			files: map[string]string{
				"tsconfig.json": "{\n  // the compiler's options\n  \"compilerOptions\": {\"strict\": true,},\n}\n",
				"pod.yaml":      socket,
			},
			args: []string{"lint", "tsconfig.json", "pod.yaml"},
			want: want{
				code:   exitFindings,
				stdout: []string{"pod.yaml:17:15: error docker-socket: ", "linted 1 file\n"},
				stderr: []string{"tsconfig.json: notice: skipped: not a Kubernetes manifest: no apiVersion or kind, and not valid YAML or JSON (line 3: invalid YAML: "},
			},
		},
		{
			name:  "a broken manifest stays an error",
			files: map[string]string{"pod.json": "{\n  // a comment\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n}\n"},
			args:  []string{"lint", "pod.json"},
			want:  want{code: exitError, stderr: []string{"pod.json:3: error: invalid YAML"}},
		},
		{
			// Without the flag it is refused whole, as render's hostile
			// input tests check.
			name:  "--max-file-size raises the limit",
			args:  []string{"lint", "--max-file-size", "40MiB", "-"},
			stdin: bigDump,
			want: want{
				code:   exitError,
				stdout: []string{"<stdin>:17:15: error docker-socket: ", "linted 1 file; 1 input had errors\n"},
				stderr: []string{"<stdin>:24: error: invalid YAML: found character that cannot start any token"},
			},
		},
		{
			// Standard input is read once: a second - would lint the
			// empty rest of it and count it as another file.
			name:  "- named twice is one input",
			args:  []string{"lint", "-", "-"},
			stdin: socket,
			want:  want{code: exitFindings, stdout: []string{"1 finding: 1 error in 1 file; linted 1 file\n"}},
		},
		{
			name:  "max-file-size in the config file",
			files: map[string]string{"config.yaml": "max-file-size: 100\n"},
			args:  []string{"lint", "--config", "config.yaml", "-"},
			stdin: socket,
			want:  want{code: exitError, stderr: []string{"<stdin>: error: file is larger than the 100-byte limit; not linted (--max-file-size raises it)"}},
		},
		{
			name:  "--max-file-size wins over the config file",
			files: map[string]string{"config.yaml": "max-file-size: 100\n"},
			args:  []string{"lint", "--config", "config.yaml", "--max-file-size", "2048", "-"},
			stdin: socket,
			want:  want{code: exitFindings, stdout: []string{"<stdin>:17:15: error docker-socket: "}},
		},
		{
			name: "--max-file-size with a bad size",
			args: []string{"lint", "--max-file-size", "40MB", "-"},
			want: want{code: exitError, stderr: []string{`invalid --max-file-size "40MB": want a positive number of bytes, optionally with KiB, MiB or GiB`}},
		},
		{
			name: "--render-timeout below its minimum",
			args: []string{"lint", "--render-timeout", "10ms", "-"},
			want: want{code: exitError, stderr: []string{`invalid --render-timeout "10ms": want 1s to 1h0m0s`}},
		},
		{
			name: "--render-timeout that is no duration",
			args: []string{"lint", "--render-timeout", "10", "-"},
			want: want{code: exitError, stderr: []string{`invalid --render-timeout "10": want a duration such as 30s or 2m`}},
		},
		{
			name: "--render-memory below its minimum",
			args: []string{"lint", "--render-memory", "1MiB", "-"},
			want: want{code: exitError, stderr: []string{`invalid --render-memory "1MiB": want 128MiB to 64GiB`}},
		},
		{
			name:  "--render-timeout wins over the config file",
			files: map[string]string{"config.yaml": "render-timeout: 1s\n", "fan/Chart.yaml": "apiVersion: v2\nname: fan\nversion: 0.1.0\n", "fan/templates/fan.yaml": includeFanOut},
			args:  []string{"lint", "--config", "config.yaml", "--render-timeout", "2s", "fan"},
			want:  want{code: exitError, stderr: []string{"took longer than the 2s render budget"}},
		},
		{
			name: "required says how to supply the value",
			args: []string{"lint", "testdata/charts/cirequired"},
			want: want{code: exitError, stderr: []string{
				"testdata/charts/cirequired/templates/daemonset.yaml:4: error: chart cirequired: ",
				"clusterName is required; supply the value with --set clusterName=... (or --values FILE), " +
					`or give the chart its values in .dockershim-lint.yaml: charts: {"testdata/charts/cirequired": {set: ["clusterName=..."]}}`,
				"or lint it with its CI values (ci/kind-values.yaml) with --all-ci-values",
			}},
		},
		{
			// A subchart reads its values under its name (here its alias)
			// in the parent's, except global ones: --set apiKey=... would
			// set nothing the subchart sees.
			name: "required in a subchart names the key under the subchart's alias",
			files: map[string]string{
				"parent/Chart.yaml":            "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n    alias: agent\n",
				"parent/charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
				"parent/charts/sub/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ required \"set apiKey\" .Values.apiKey }}\n" +
					"  namespace: {{ required \"set the cluster\" .Values.global.cluster }}\n",
			},
			args: []string{"lint", "--set", "global.cluster=c", "parent"},
			want: want{code: exitError, stderr: []string{
				"parent/charts/sub/templates/cm.yaml:4: error: chart parent: ",
				`set apiKey; supply the value with --set agent.apiKey=... (or --values FILE), ` +
					`or give the chart its values in .dockershim-lint.yaml: charts: {"parent": {set: ["agent.apiKey=..."]}}`,
			}},
		},
		{
			name: "global values in a subchart are set as global",
			files: map[string]string{
				"parent/Chart.yaml":                   "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n",
				"parent/charts/sub/Chart.yaml":        "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
				"parent/charts/sub/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.global.cluster | required \"set the cluster\" }}\n",
			},
			args: []string{"lint", "parent"},
			want: want{code: exitError, stderr: []string{"set the cluster; supply the value with --set global.cluster=... (or --values FILE)"}},
		},
		{
			name: "a kubeVersion the Kubernetes version does not meet is an error at its line",
			files: map[string]string{
				"old/Chart.yaml":        "apiVersion: v2\nname: old\nversion: 0.1.0\nkubeVersion: \"<1.19\"\n",
				"old/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
			},
			args: []string{"lint", "old"},
			want: want{code: exitError, stderr: []string{"old/Chart.yaml:4: error: chart old requires kubeVersion <1.19, which is incompatible with Kubernetes"}},
		},
		{
			name: "fail says how to supply values",
			files: map[string]string{
				"chart/Chart.yaml":         strings.ReplaceAll(guardedChart, "%s", "chart"),
				"chart/templates/pod.yaml": `{{ if not .Values.mode }}{{ fail "set mode to agent or gateway" }}{{ end }}`,
			},
			args: []string{"lint", "chart"},
			want: want{code: exitError, stderr: []string{
				"set mode to agent or gateway; supply the value with --set KEY=VALUE (or --values FILE), " +
					`or give the chart its values in .dockershim-lint.yaml: charts: {"chart": {set: ["KEY=VALUE"]}}`,
			}},
		},
		{
			name: "--all-ci-values lints through the CI files, as chart-testing does",
			args: []string{"lint", "--all-ci-values", "testdata/charts/cirequired"},
			want: want{code: exitFindings, stdout: []string{
				"testdata/charts/cirequired/templates/daemonset.yaml:20:19: error docker-socket: ",
				"[values ci/kind-values.yaml] (DaemonSet kind-agent)", "linted 1 chart\n",
			}},
		},
		{
			name: "dependencies switched off by condition and tags need not be in charts/",
			args: []string{"lint", "testdata/charts/optionaldep"},
			want: want{code: exitFindings, stdout: []string{"testdata/charts/optionaldep/templates/pod.yaml:15:15: error docker-socket: "}},
		},
		{
			name: "a dependency switched on must be in charts/",
			args: []string{"lint", "--set", "redis.enabled=true", "testdata/charts/optionaldep"},
			want: want{code: exitError, stderr: []string{`testdata/charts/optionaldep/Chart.yaml:7: error: chart optionaldep: dependency "redis" is missing from charts/`}},
		},
		{
			name: "a dependency switched on by its tag must be in charts/",
			args: []string{"lint", "--set", "tags.extras=true", "testdata/charts/optionaldep"},
			want: want{code: exitError, stderr: []string{`dependency "extras" is missing from charts/`}},
		},
		{
			name: "charts: keys accept globs",
			files: map[string]string{
				".dockershim-lint.yaml":             "charts:\n  \"deploy/agent-*\":\n    set: [\"docker.enabled=true\"]\n",
				"deploy/agent-a/Chart.yaml":         strings.ReplaceAll(guardedChart, "%s", "agent-a"),
				"deploy/agent-a/values.yaml":        "docker:\n  enabled: false\n",
				"deploy/agent-a/templates/pod.yaml": guardedTemplate,
				"deploy/agent-b/Chart.yaml":         strings.ReplaceAll(guardedChart, "%s", "agent-b"),
				"deploy/agent-b/values.yaml":        "docker:\n  enabled: false\n",
				"deploy/agent-b/templates/pod.yaml": guardedTemplate,
				"deploy/other/Chart.yaml":           strings.ReplaceAll(guardedChart, "%s", "other"),
				"deploy/other/values.yaml":          "docker:\n  enabled: false\n",
				"deploy/other/templates/pod.yaml":   guardedTemplate,
			},
			args: []string{"lint", "deploy"},
			want: want{code: exitFindings, stdout: []string{
				"deploy/agent-a/templates/pod.yaml:13:15: error docker-socket: ",
				"deploy/agent-b/templates/pod.yaml:13:15: error docker-socket: ",
				"2 findings: 2 errors in 2 files; linted 3 charts\n",
			}, notStdout: []string{"deploy/other/"}},
		},
		{
			name: "--set-file is checked up front",
			args: []string{"lint", "--set-file", "config=missing.txt", socketFile},
			want: want{code: exitError, stderr: []string{"--set-file config=missing.txt: missing.txt: no such file or directory"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.files != nil {
				// Fixtures the test names stay reachable from the workspace.
				for _, dir := range []string{"testdata"} {
					tt.files[dir] = "->" + abs(t, dir)
				}
				workspace(t, tt.files)
			}
			got := runCLI(t, tt.stdin, tt.args...)
			got.check(t, tt.want)
			if tt.want.code == exitError && tt.want.stderr != nil && strings.Contains(got.stdout, "no findings") {
				t.Errorf("a run with errors says no findings:\n%s", got.stdout)
			}
		})
	}
}

// TestMessages: findings say what to do, once, and what fits the version
// and the command found.
func TestMessages(t *testing.T) {
	datadog := func(image string) string {
		return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: datadog
spec:
  template:
    spec:
      containers:
        - name: agent
          image: ` + image + `
          env:
            - name: DOCKER_HOST
              value: unix:///host/var/run/docker.sock
        - name: trace-agent
          image: ` + image + `
          env:
            - name: DOCKER_HOST
              value: unix:///host/var/run/docker.sock
        - name: process-agent
          image: ` + image + `
          env:
            - name: DOCKER_HOST
              value: unix:///host/var/run/docker.sock
`
	}
	job := func(script string) string {
		return `apiVersion: batch/v1
kind: Job
metadata:
  name: build
spec:
  template:
    spec:
      containers:
        - name: build
          image: example/ci:1
          command: ["sh", "-c", "` + script + `"]
`
	}
	tests := []struct {
		name      string
		stdin     string
		stdout    []string
		notStdout []string
	}{
		{
			name:  "each container's evidence once",
			stdin: datadog("gcr.io/datadoghq/agent:7.29.0"),
			stdout: []string{`error agent-datadog: DaemonSet runs Datadog (image gcr.io/datadoghq/agent:7.29.0) and ` +
				`sets DOCKER_HOST (containers "agent", "trace-agent", "process-agent"), which stops working without Docker Engine`},
			notStdout: []string{"sets DOCKER_HOST, sets DOCKER_HOST"},
		},
		{
			name:      "a 7.x Agent is not told to upgrade to v7",
			stdin:     datadog("gcr.io/datadoghq/agent:7.29.0"),
			stdout:    []string{"This Agent version already supports containerd and CRI-O", "datadog.criSocketPath"},
			notStdout: []string{"Upgrade to Agent v7"},
		},
		{
			name:   "an Agent of unknown version is",
			stdin:  datadog("datadog/agent:latest"),
			stdout: []string{"Upgrade to Agent v7 (or v6)"},
		},
		{
			name:      "docker build is replaced by a builder",
			stdin:     job("docker build -t app . && docker push app"),
			stdout:    []string{"runs `docker build`, `docker push`, which needs Docker Engine", "use crictl or the Kubernetes API, and build images with BuildKit, kaniko or buildah, instead"},
			notStdout: []string{"use crictl or the Kubernetes API instead"},
		},
		{
			name:      "docker build alone",
			stdin:     job("docker build -t app ."),
			stdout:    []string{"build images with BuildKit, kaniko or buildah instead"},
			notStdout: []string{"crictl"},
		},
		{
			name:   "docker ps keeps crictl",
			stdin:  job("docker ps"),
			stdout: []string{"use crictl or the Kubernetes API instead"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runCLI(t, tt.stdin, "lint", "--fail-on", "never", "-").check(t, want{code: exitOK, stdout: tt.stdout, notStdout: tt.notStdout})
		})
	}
}

package rules_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/lint/linttest"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
	"github.com/dockershim-lint/dockershim-lint/rules"
)

var (
	kebabCase        = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	securitySeverity = regexp.MustCompile(`^(10\.0|\d\.\d)$`)
	precisions       = []string{"very-high", "high", "medium", "low"}
)

func TestAllRulesAreDocumented(t *testing.T) {
	all := rules.All()
	if len(all) == 0 {
		t.Fatal("All() returned no rules")
	}
	seen := map[string]bool{}
	for _, r := range all {
		t.Run(r.ID, func(t *testing.T) {
			if !kebabCase.MatchString(r.ID) {
				t.Errorf("ID %q is not kebab-case", r.ID)
			}
			if seen[r.ID] {
				t.Errorf("ID %q is used by more than one rule", r.ID)
			}
			seen[r.ID] = true
			if r.Severity != lint.SeverityError && r.Severity != lint.SeverityWarning && r.Severity != lint.SeverityNote {
				t.Errorf("Severity %v is not error, warning or note", r.Severity)
			}
			for field, value := range map[string]string{
				"Name": r.Name, "Summary": r.Summary, "Help": r.Help, "HelpURL": r.HelpURL,
				"Doc.Rationale": r.Doc.Rationale, "Doc.Before": r.Doc.Before, "Doc.After": r.Doc.After,
			} {
				if strings.TrimSpace(value) == "" {
					t.Errorf("%s is empty", field)
				}
			}
			if !strings.HasPrefix(r.HelpURL, "https://") {
				t.Errorf("HelpURL %q is not an https link", r.HelpURL)
			}
			if len(r.Tags) == 0 {
				t.Error("Tags is empty")
			}
			if !slices.Contains(precisions, r.Precision) {
				t.Errorf("Precision %q is not one of %v", r.Precision, precisions)
			}
			if slices.Contains(r.Tags, "security") != (r.SecuritySeverity != "") {
				t.Errorf("a rule tagged security needs a SecuritySeverity and only it: tags %v, score %q", r.Tags, r.SecuritySeverity)
			}
			if r.SecuritySeverity != "" && !securitySeverity.MatchString(r.SecuritySeverity) {
				t.Errorf("SecuritySeverity %q is not a score such as 8.9", r.SecuritySeverity)
			}
			// The engine itself reports the suppression rules; every other
			// rule must check something.
			engineReported := slices.ContainsFunc(lint.SuppressionRules(), func(s *lint.Rule) bool { return s.ID == r.ID })
			if (r.Check == nil) != engineReported {
				t.Errorf("Check is nil: %v, but only engine-reported rules have none", r.Check == nil)
			}
		})
	}
}

// TestCoreRules pins the rules this package promises other packages and the
// documentation: their IDs and default severities.
func TestCoreRules(t *testing.T) {
	tests := []struct {
		id       string
		severity lint.Severity
	}{
		{id: "docker-socket", severity: lint.SeverityError},
		{id: "docker-data-dir", severity: lint.SeverityWarning},
		{id: "docker-host-env", severity: lint.SeverityError},
		{id: "docker-cli", severity: lint.SeverityWarning},
		{id: "dockershim-socket", severity: lint.SeverityError},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			i := slices.IndexFunc(rules.All(), func(r *lint.Rule) bool { return r.ID == tt.id })
			if i < 0 {
				t.Fatalf("All() has no rule %q", tt.id)
			}
			if got := rules.All()[i].Severity; got != tt.severity {
				t.Errorf("severity = %v, want %v", got, tt.severity)
			}
		})
	}
}

// TestFixtures checks every fixture under testdata/rules against its want
// comments, with every rule running, as the linter runs them.
func TestFixtures(t *testing.T) {
	const dir = "testdata/rules"
	engine := lint.Engine{Rules: rules.All()}
	var findings []lint.Finding
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".yaml" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		objects, err := manifest.Decode(filepath.ToSlash(path), data)
		if err != nil {
			t.Errorf("%s: %v", path, err)
		}
		findings = append(findings, engine.Check(objects)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wants := linttest.ParseWantFiles(t, dir, ".yaml")
	if len(wants) == 0 {
		t.Fatal("no want comments found: fixtures missing?")
	}
	linttest.Match(t, wants, findings)
}

// check lints one YAML document with the core rules, leaving the
// vendor-agent rules to their own tests.
func check(t *testing.T, src string) []lint.Finding {
	t.Helper()
	objects, err := manifest.Decode("test.yaml", []byte(src))
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	findings := (&lint.Engine{Rules: rules.Core()}).Check(objects)
	lint.SortFindings(findings)
	return findings
}

// daemonSet wraps a pod spec (indented for its place) in a DaemonSet whose
// spec starts on line 9.
func daemonSet(podSpec string) string {
	return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
  namespace: monitoring
spec:
  template:
    spec:
` + podSpec
}

type wantFinding struct {
	rule     string
	severity lint.Severity
	line     int
	column   int
	field    string
	// message holds substrings the message must contain.
	message []string
	related int
}

func TestFindings(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []wantFinding
	}{
		{
			name: "socket in second volume, mounted",
			src: daemonSet(`      containers:
      - name: agent
        image: example.com/agent:1
        volumeMounts:
        - name: dockersock
          mountPath: /var/run/docker.sock
      volumes:
      - name: config
        configMap: {name: agent}
      - name: dockersock
        hostPath:
          path: /var/run/docker.sock
`),
			want: []wantFinding{{
				rule: "docker-socket", severity: lint.SeverityError, line: 20, column: 17,
				field:   "spec.template.spec.volumes[1].hostPath.path",
				message: []string{`hostPath volume "dockersock" mounts the Docker Engine socket /var/run/docker.sock`, "/run/containerd/containerd.sock"},
				related: 1,
			}},
		},
		{
			name: "socket path normalised",
			src: daemonSet(`      containers:
      - name: agent
        image: example.com/agent:1
      volumes:
      - name: sock
        hostPath:
          path: "//var/run//docker.sock/"
          type: Socket
`),
			want: []wantFinding{{
				rule: "docker-socket", severity: lint.SeverityError, line: 15, column: 17,
				field:   "spec.template.spec.volumes[0].hostPath.path",
				message: []string{"Docker Engine socket /var/run/docker.sock", "no container mounts it", "type Socket keeps the pod from starting"},
			}},
		},
		{
			name: "directory holding the socket is a warning",
			src: daemonSet(`      containers:
      - name: agent
        image: example.com/agent:1
        volumeMounts:
        - {name: runtime-socket, mountPath: /host/var/run, readOnly: true}
      volumes:
      - name: runtime-socket
        hostPath:
          path: /var/run
`),
			want: []wantFinding{{
				rule: "docker-socket", severity: lint.SeverityWarning, line: 17, column: 17,
				field:   "spec.template.spec.volumes[0].hostPath.path",
				message: []string{"mounts /var/run, the directory holding the Docker Engine socket", "mount the container runtime's CRI socket instead (e.g. /run/containerd/containerd.sock)"},
				related: 1,
			}},
		},
		{
			name: "directory with subPath docker.sock is the socket",
			src: daemonSet(`      containers:
      - name: agent
        image: example.com/agent:1
        volumeMounts:
        - name: run
          mountPath: /var/run/docker.sock
          subPath: docker.sock
      volumes:
      - name: run
        hostPath:
          path: /var/run
`),
			want: []wantFinding{{
				rule: "docker-socket", severity: lint.SeverityError, line: 19, column: 17,
				field:   "spec.template.spec.volumes[0].hostPath.path",
				message: []string{`through subPath "docker.sock" of /var/run`},
				related: 1,
			}},
		},
		{
			name: "Windows named pipe",
			src: daemonSet(`      containers:
      - name: agent
        image: example.com/agent:1
        volumeMounts:
        - {name: pipe, mountPath: \\.\pipe\docker_engine}
      volumes:
      - name: pipe
        hostPath:
          path: \\.\pipe\docker_engine
`),
			want: []wantFinding{{
				rule: "docker-socket", severity: lint.SeverityError, line: 17, column: 17,
				field:   "spec.template.spec.volumes[0].hostPath.path",
				message: []string{`Docker Engine socket \\.\pipe\docker_engine`},
				related: 1,
			}},
		},
		{
			name: "not the Docker socket",
			src: daemonSet(`      containers:
      - name: agent
        image: example.com/agent:1
        volumeMounts:
        - {name: a, mountPath: /a}
        - {name: b, mountPath: /b}
        - {name: c, mountPath: /c}
        - {name: d, mountPath: /d}
        - {name: e, mountPath: /e}
        - {name: f, mountPath: /f}
        - {name: g, mountPath: /g}
      volumes:
      - {name: a, hostPath: {path: /run/containerd/containerd.sock}}
      - {name: b, hostPath: {path: /var/run/crio/crio.sock}}
      - {name: c, hostPath: {path: /var/run/secrets/kubernetes.io}}
      - {name: d, hostPath: {path: /}}
      - {name: e, hostPath: {path: /var/lib/docker-compose}}
      - {name: f, hostPath: {path: /var/lib/dockershim}}
      - {name: g, hostPath: {path: /var/lib/docker-foo}}
`),
		},
		{
			name: "Docker data directory",
			src: daemonSet(`      containers:
      - name: shipper
        image: example.com/shipper:1
        volumeMounts:
        - {name: containers, mountPath: /var/lib/docker/containers}
      volumes:
      - name: containers
        hostPath:
          path: /var/lib/docker/containers
`),
			want: []wantFinding{{
				rule: "docker-data-dir", severity: lint.SeverityWarning, line: 17, column: 17,
				field:   "spec.template.spec.volumes[0].hostPath.path",
				message: []string{"mounts /var/lib/docker/containers, where Docker Engine keeps container logs", "/var/log/pods"},
				related: 1,
			}},
		},
		{
			name: "Docker state directory, not the socket",
			src: daemonSet(`      containers:
      - name: agent
        image: example.com/agent:1
        volumeMounts:
        - {name: state, mountPath: /run/docker}
      volumes:
      - name: state
        hostPath:
          path: /var/run/docker
`),
			want: []wantFinding{{
				rule: "docker-data-dir", severity: lint.SeverityWarning, line: 17, column: 17,
				field:   "spec.template.spec.volumes[0].hostPath.path",
				message: []string{"Docker Engine's state directory"},
				related: 1,
			}},
		},
		{
			name: "DOCKER_HOST to the mounted node socket",
			src: daemonSet(`      containers:
      - name: agent
        image: example.com/agent:1
        env:
        - name: DOCKER_HOST
          value: unix:///host/var/run/docker.sock
        volumeMounts:
        - {name: run, mountPath: /host/var/run}
      volumes:
      - name: run
        hostPath:
          path: /var/run
`),
			want: []wantFinding{
				{
					rule: "docker-host-env", severity: lint.SeverityError, line: 14, column: 18,
					field:   "spec.template.spec.containers[0].env[0].value",
					message: []string{`container "agent" sets DOCKER_HOST to unix:///host/var/run/docker.sock, the node's Docker Engine socket (hostPath volume "run")`},
					related: 1,
				},
				{rule: "docker-socket", severity: lint.SeverityWarning, line: 20, column: 17, field: "spec.template.spec.volumes[0].hostPath.path", related: 1},
			},
		},
		{
			name: "DOCKER_HOST to a dind sidecar is a warning",
			src: daemonSet(`      containers:
      - name: build
        image: docker:24-cli
        env:
        - {name: DOCKER_HOST, value: "tcp://localhost:2376"}
        command: ["docker", "build", "."]
      - name: daemon
        image: docker:24-dind
`),
			want: []wantFinding{{
				rule: "docker-host-env", severity: lint.SeverityWarning, line: 13, column: 38,
				field:   "spec.template.spec.containers[0].env[0].value",
				message: []string{"a container in the same pod", "the pod runs its own Docker daemon"},
			}},
		},
		{
			name: "DOCKER_HOST from valueFrom is a warning on the name",
			src: daemonSet(`      containers:
      - name: agent
        image: example.com/agent:1
        env:
        - name: DOCKER_HOST
          valueFrom: {configMapKeyRef: {name: agent, key: docker-host}}
`),
			want: []wantFinding{{
				rule: "docker-host-env", severity: lint.SeverityWarning, line: 13, column: 17,
				field:   "spec.template.spec.containers[0].env[0].name",
				message: []string{"sets DOCKER_HOST from valueFrom"},
			}},
		},
		{
			name: "DOCKER_HOST to the node's IP is an error",
			src: daemonSet(`      containers:
      - name: agent
        image: example.com/agent:1
        env:
        - name: NODE_IP
          valueFrom: {fieldRef: {fieldPath: status.hostIP}}
        - name: DOCKER_HOST
          value: tcp://$(NODE_IP):2375
`),
			want: []wantFinding{{
				rule: "docker-host-env", severity: lint.SeverityError, line: 16, column: 18,
				field:   "spec.template.spec.containers[0].env[1].value",
				message: []string{"the Docker Engine API of the node (status.hostIP)"},
			}},
		},
		{
			name: "DOCKER_HOST to localhost on the host network is an error",
			src: daemonSet(`      hostNetwork: true
      containers:
      - name: agent
        image: example.com/agent:1
        env:
        - {name: DOCKER_HOST, value: "tcp://localhost:2375"}
`),
			want: []wantFinding{{
				rule: "docker-host-env", severity: lint.SeverityError, line: 14, column: 38,
				field:   "spec.template.spec.containers[0].env[0].value",
				message: []string{"localhost on the host network"},
			}},
		},
		{
			name: "Docker socket in a pod volume shared with a dind sidecar",
			src: daemonSet(`      containers:
      - name: build
        image: example.com/builder:1
        env:
        - {name: DOCKER_HOST, value: "unix:///dind/docker.sock"}
        volumeMounts:
        - {name: dind-socket, mountPath: /dind}
      - name: engine
        image: docker:27-dind
      volumes:
      - name: dind-socket
        emptyDir: {}
`),
			want: []wantFinding{{
				rule: "docker-host-env", severity: lint.SeverityWarning, line: 13, column: 38,
				field:   "spec.template.spec.containers[0].env[0].value",
				message: []string{`a Docker socket on pod volume "dind-socket"`},
				related: 1,
			}},
		},
		{
			name: "Docker CLI in a shell script",
			src: daemonSet(`      containers:
      - name: reaper
        image: example.com/toolbox:1
        command: ["/bin/sh", "-c"]
        args:
        - |
          docker ps -q --filter status=exited | xargs docker rm
`),
			// The script's line that runs docker, not the "- |" above it.
			want: []wantFinding{{
				rule: "docker-cli", severity: lint.SeverityWarning, line: 15, column: 11,
				field:   "spec.template.spec.containers[0].args[0]",
				message: []string{`container "reaper" runs ` + "`docker ps`, `docker rm`", "crictl"},
			}},
		},
		{
			name: "Docker CLI names in strings and file names are not commands",
			src: daemonSet(`      containers:
      - name: quiet
        image: example.com/toolbox:1
        command: ["sh", "-c", "echo \"run docker ps\"; cat Dockerfile docker-compose.yml; docker --version; docker-compose version"]
`),
		},
		{
			name: "dockerd in the pod silences the Docker CLI",
			src: daemonSet(`      containers:
      - name: runner
        image: example.com/runner:1
        command: ["sh", "-c", "docker info"]
      - name: engine
        image: example.com/engine:1
        command: ["dockerd", "--host=unix:///var/run/docker.sock"]
`),
		},
		{
			name: "dockershim socket as a flag value",
			src: daemonSet(`      containers:
      - name: kubelet
        image: example.com/kubelet:1.23
        args:
        - --container-runtime-endpoint
        - unix:///var/run/dockershim.sock
`),
			want: []wantFinding{{
				rule: "dockershim-socket", severity: lint.SeverityError, line: 14, column: 11,
				field:   "spec.template.spec.containers[0].args[1]",
				message: []string{"flag --container-runtime-endpoint", "names the dockershim socket unix:///var/run/dockershim.sock"},
			}},
		},
		{
			name: "dockershim socket inside a ConfigMap block",
			src: `apiVersion: v1
kind: ConfigMap
metadata:
  name: kubelet-config
  namespace: kube-system
data:
  kubelet: |
    apiVersion: kubelet.config.k8s.io/v1beta1
    kind: KubeletConfiguration
    containerRuntimeEndpoint: unix:///var/run/dockershim.sock
`,
			want: []wantFinding{{
				rule: "dockershim-socket", severity: lint.SeverityError, line: 10, column: 31,
				field:   "data.kubelet>containerRuntimeEndpoint",
				message: []string{"ConfigMap data.kubelet: KubeletConfiguration containerRuntimeEndpoint names the dockershim socket"},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := check(t, tt.src)
			if len(got) != len(tt.want) {
				for _, f := range got {
					t.Logf("got %s:%d:%d %s %s: %s", f.File, f.Line, f.Column, f.Rule, f.Field, f.Message)
				}
				t.Fatalf("got %d findings, want %d", len(got), len(tt.want))
			}
			for i, w := range tt.want {
				f := got[i]
				if f.Rule != w.rule || f.Severity != w.severity || f.Line != w.line || f.Column != w.column || f.Field.String() != w.field {
					t.Errorf("finding %d = %s %v at %d:%d %s, want %s %v at %d:%d %s",
						i, f.Rule, f.Severity, f.Line, f.Column, f.Field, w.rule, w.severity, w.line, w.column, w.field)
				}
				for _, m := range w.message {
					if !strings.Contains(f.Message, m) {
						t.Errorf("finding %d message %q does not contain %q", i, f.Message, m)
					}
				}
				if len(f.Related) != w.related {
					t.Errorf("finding %d has %d related locations, want %d", i, len(f.Related), w.related)
				}
				if f.Object.Name == "" || f.Help == "" {
					t.Errorf("finding %d lacks its object or help: %+v", i, f)
				}
			}
		})
	}
}

// TestHostileInput feeds documents built to trip tree walkers: an alias
// that contains itself (without a guard, walking it never ends), scripts
// cut off mid-quote, and fields of the wrong type. Checking must return,
// and find only what is really there.
func TestHostileInput(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
		// decodeErr starts the error Decode returns, with the object.
		decodeErr string
	}{
		{
			name:      "self-referencing alias",
			src:       "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: &a\n  containers: [{name: c, image: i, args: *a}]\n  volumes: *a\n",
			decodeErr: "test.yaml:5: alias *a is inside the node its anchor names",
		},
		{
			// Each use of an anchor is a finding, at its anchor or alias.
			name: "alias to a shim socket is reported at each use",
			src:  "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i, args: &s [--cri-socket, /var/run/dockershim.sock]}, {name: d, image: i, args: *s}]\n",
			want: []string{"dockershim-socket", "dockershim-socket"},
		},
		{
			name: "unterminated quotes",
			src:  "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i, command: [sh, -c, \"echo '$(docker ps\\\" ${\"]}]\n",
		},
		{
			name: "unterminated substitution",
			src:  "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i, command: [sh, -c, \"echo $(docker ps\"]}]\n",
			want: []string{"docker-cli"},
		},
		{
			name: "shell and docker without arguments",
			src:  "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i, command: [sh, -c]}, {name: d, command: [docker]}]\n",
		},
		{
			name: "mistyped fields",
			src:  "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: {name: c}\n  volumes: [[/var/run/docker.sock], {name: v, hostPath: [x]}, {name: w, hostPath: {path: {}}}]\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objects, err := manifest.Decode("test.yaml", []byte(tt.src))
			if (err == nil) != (tt.decodeErr == "") || err != nil && !strings.HasPrefix(err.Error(), tt.decodeErr) {
				t.Fatalf("decoding: %v, want %q", err, tt.decodeErr)
			}
			var got []string
			for _, f := range (&lint.Engine{Rules: rules.Core()}).Check(objects) {
				got = append(got, f.Rule)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestDockerCLIScripts pins how shell scripts are read: a word is a Docker
// CLI call only in command position, so Docker named inside a string or as
// an argument is not one, while substitutions and nested shells are
// followed.
func TestDockerCLIScripts(t *testing.T) {
	tests := []struct {
		script string
		want   []string
	}{
		{script: "docker ps", want: []string{"docker ps"}},
		{script: "/usr/bin/docker -H unix:///var/run/docker.sock --tls top app", want: []string{"docker top"}},
		{script: "echo \"containers: $(docker ps -q | wc -l)\"", want: []string{"docker ps"}},
		{script: "for c in `docker ps -q`; do docker inspect $c; done", want: []string{"docker ps", "docker inspect"}},
		{script: "if docker info >/dev/null 2>&1; then exec docker events; fi", want: []string{"docker info", "docker events"}},
		{script: "X=1 sudo -E nice -n 5 docker logs -f app &", want: []string{"docker logs"}},
		{script: "docker ps -aq | xargs docker rm", want: []string{"docker ps", "docker rm"}},
		{script: "bash -o pipefail -c 'docker stats --no-stream'", want: []string{"docker stats"}},
		{script: "(cd /tmp && docker exec app ls)", want: []string{"docker exec"}},
		{script: "echo \"run docker ps to list containers\""},
		{script: "echo docker ps; printf '%s' 'docker logs'"},
		{script: "grep -q docker /proc/1/cgroup && echo in-docker"},
		{script: "cat Dockerfile docker-compose.yml # docker ps"},
		// A here-document's body is data, unless a shell reads it.
		{script: "cat <<EOT\ndocker ps\nEOT"},
		{script: "cat > /run.sh <<'EOF'\ndocker ps\nEOF\ndocker info", want: []string{"docker info"}},
		{script: "cat <<-\"EOF\" >/x; echo done\n\tdocker ps\n\tEOF\ndocker logs app", want: []string{"docker logs"}},
		{script: "docker ps <<EOF\ninput\nEOF", want: []string{"docker ps"}},
		{script: "sh <<EOF\ndocker ps\nEOF", want: []string{"docker ps"}},
		{script: "cat <<<'docker ps'; docker info", want: []string{"docker info"}},
		{script: "cat <<EOF\ndocker ps", want: nil},
		{script: "docker --version; docker help; docker-compose version; docker-compose config -q"},
		// docker-compose and the wrappers that run a command for another
		// user, in another root or namespace, or under an init process.
		{script: "docker-compose up -d", want: []string{"docker-compose up"}},
		{script: "docker compose -f ci.yml run tests", want: []string{"docker compose"}},
		{script: "nsenter -t 1 -m -u -n -i -- docker ps", want: []string{"docker ps"}},
		{script: "nsenter --target 1 --mount -- sh -c 'docker info'", want: []string{"docker info"}},
		{script: "chroot /host docker images", want: []string{"docker images"}},
		{script: "tini -s -- docker events", want: []string{"docker events"}},
		{script: "dumb-init docker logs -f app", want: []string{"docker logs"}},
		{script: "gosu app docker pull alpine", want: []string{"docker pull"}},
		{script: "su-exec app:app docker push app", want: []string{"docker push"}},
		{script: "su - app -c 'docker ps -q'", want: []string{"docker ps"}},
		{script: "busybox sh -c 'docker rm -f app'", want: []string{"docker rm"}},
		{script: "eval \"docker stop app\"", want: []string{"docker stop"}},
		{script: "eval docker kill app", want: []string{"docker kill"}},
		{script: "nsenter -t 1 -m -- crictl ps; chroot /host crictl images"},
		{script: "gosu app echo docker ps; tini -- echo docker; eval echo docker ps"},
		{script: "su app -c 'crictl ps'; busybox echo docker"},
		{script: "crictl ps && crictl logs app"},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			src := daemonSet(`      containers:
      - name: tool
        image: example.com/toolbox:1
        command: ["sh", "-c", ` + strconv.Quote(tt.script) + `]
`)
			got := check(t, src)
			if len(tt.want) == 0 {
				if len(got) != 0 {
					t.Fatalf("unexpected finding: %s", got[0].Message)
				}
				return
			}
			if len(got) != 1 || got[0].Rule != "docker-cli" {
				t.Fatalf("got %d findings (%v), want one docker-cli finding", len(got), got)
			}
			var quoted []string
			for _, call := range tt.want {
				quoted = append(quoted, "`"+call+"`")
			}
			if want := `container "tool" runs ` + strings.Join(quoted, ", ") + ", which"; !strings.HasPrefix(got[0].Message, want) {
				t.Errorf("message %q does not start with %q", got[0].Message, want)
			}
		})
	}
}

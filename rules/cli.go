package rules

import (
	"path"
	"slices"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

var dockerCLIRule = &lint.Rule{
	ID:       dockerCLIID,
	Name:     "Docker CLI in container commands",
	Severity: lint.SeverityWarning,
	Summary:  "A container's command, args, probe or lifecycle hook runs a Docker CLI command that needs Docker Engine.",
	Help: "Replace the Docker CLI call: `crictl ps`, `crictl logs`, `crictl inspect` and `crictl stats` read the " +
		"container runtime through its CRI socket, and `kubectl logs`/`kubectl exec` or the Kubernetes API give the " +
		"same information without node access. crictl cannot build images: replace `docker build` with BuildKit, " +
		"kaniko or buildah, which build without Docker Engine. If the pod runs its own Docker daemon (a " +
		"docker-in-docker sidecar), make the sidecar visible in the manifest (a dind image or a dockerd command).",
	HelpURL: checkDockershimRemoval,
	Doc: lint.RuleDoc{
		Rationale: "The Docker CLI is a client of Docker Engine. On nodes that run containerd or CRI-O there is no " +
			"Docker Engine, so the command fails; where Docker Engine still runs, it no longer sees the pods' containers, " +
			"so `docker ps` lists nothing of interest.",
		Before: `containers:
- name: inventory
  command: ["sh", "-c", "docker ps --format '{{.Names}}'"]
`,
		After: `containers:
- name: inventory
  command: ["sh", "-c", "crictl ps -o json"]
`,
	},
	Tags:      []string{"docker", "command"},
	Precision: "medium",
	Check:     reportEvidence(detectDockerCLI),
}

// daemonSubcommands are the Docker CLI commands that call Docker Engine.
// `docker help`, `docker --version` and `docker context` do not.
var daemonSubcommands = []string{
	"attach", "build", "buildx", "commit", "compose", "container", "cp", "create", "diff", "events", "exec",
	"export", "history", "image", "images", "import", "info", "inspect", "kill", "load", "logs", "network",
	"node", "pause", "plugin", "port", "ps", "pull", "push", "rename", "restart", "rm", "rmi", "run", "save",
	"secret", "service", "stack", "start", "stats", "stop", "swarm", "system", "tag", "top", "unpause",
	"update", "version", "volume", "wait",
}

// dockerValueFlags are the Docker CLI's global options that take a value
// as the next word.
var dockerValueFlags = []string{"-H", "--host", "-c", "--context", "--config", "-l", "--log-level", "--tlscacert", "--tlscert", "--tlskey"}

// dockerSubcommand returns the subcommand of a Docker CLI call, given the
// words after "docker", or "" when there is none.
func dockerSubcommand(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case slices.Contains(dockerValueFlags, a):
			i++
		case strings.HasPrefix(a, "-"):
		default:
			return a
		}
	}
	return ""
}

// maxShellDepth bounds how far `sh -c "bash -c '...'"` is followed.
const maxShellDepth = 3

// dockerCalls returns the Docker CLI calls ("docker ps") a simple command
// makes, itself or through a nested shell script.
func dockerCalls(words []string, depth int) []string {
	start := commandStart(words)
	if start >= len(words) {
		return nil
	}
	switch path.Base(words[start]) {
	case "docker":
		if sub := dockerSubcommand(words[start+1:]); slices.Contains(daemonSubcommands, sub) {
			return []string{"docker " + sub}
		}
		return nil
	case "docker-compose":
		if sub := dockerSubcommand(words[start+1:]); sub != "" && !slices.Contains(composeLocalSubcommands, sub) {
			return []string{"docker-compose " + sub}
		}
		return nil
	}
	script := ""
	switch i := shellScriptIndex(words); {
	case i >= 0:
		script = words[i]
	case words[start] == "eval":
		// eval joins its arguments into a script and runs it.
		script = strings.Join(words[start+1:], " ")
	}
	if script == "" || depth >= maxShellDepth {
		return nil
	}
	var calls []string
	for _, cmd := range shellCommands(script) {
		calls = append(calls, dockerCalls(cmd, depth+1)...)
	}
	return calls
}

// composeLocalSubcommands are the docker-compose commands that only read
// the compose file or print the client's version.
var composeLocalSubcommands = []string{"config", "convert", "version", "help"}

// isDockerClient reports whether a command word runs the Docker CLI or
// docker-compose, which call Docker Engine.
func isDockerClient(word string) bool {
	name := path.Base(word)
	return name == "docker" || name == "docker-compose"
}

// execHooks are the other places a container runs commands: its probes
// and lifecycle hooks.
var execHooks = [][]string{
	{"livenessProbe", "exec", "command"},
	{"readinessProbe", "exec", "command"},
	{"startupProbe", "exec", "command"},
	{"lifecycle", "postStart", "exec", "command"},
	{"lifecycle", "preStop", "exec", "command"},
}

// commandLines lists each command line a container runs, as argv words.
func commandLines(c Container) [][]argWord {
	lines := [][]argWord{containerArgv(c)}
	for _, hook := range execHooks {
		var argv []argWord
		field := c.Path.Concat(lint.KeyPath(hook...))
		for i, n := range lint.Items(lint.Path(c.Node, hook...)) {
			argv = append(argv, argWord{value: lint.Scalar(n), node: n, field: field.Index(i)})
		}
		lines = append(lines, argv)
	}
	// A script field is run as if passed to sh -c; its words all stand
	// for the script's value, where a finding belongs.
	for _, s := range c.scripts {
		lines = append(lines, []argWord{{value: "sh", node: s.node, field: s.field}, {value: "-c", node: s.node, field: s.field}, s})
	}
	return lines
}

func detectDockerCLI(p *lint.Pass) []evidence {
	var out []evidence
	for _, w := range workloadsOf(p) {
		out = append(out, podDockerCLI(w)...)
	}
	return out
}

func podDockerCLI(w *Workload) []evidence {
	var out []evidence
	for _, c := range w.Containers() {
		if !mayRun(c, "docker") {
			continue
		}
		// Asked only once a container may run docker: most pods never
		// get here, and the answer is the same for every container.
		if w.runsDockerDaemon() {
			return nil
		}
		for _, argv := range commandLines(c) {
			words := make([]string, len(argv))
			for i, a := range argv {
				words[i] = a.value
			}
			if start := commandStart(words); start < len(words) && isDockerClient(words[start]) {
				if calls := dockerCalls(words, 0); len(calls) > 0 {
					out = append(out, cliEvidence(c, argv[start], calls))
				}
				continue
			}
			if i := shellScriptIndex(words); i >= 0 {
				var calls []string
				cmds, starts := shellCommandsAt(words[i])
				first := -1
				for k, cmd := range cmds {
					found := dockerCalls(cmd, 1)
					if len(found) > 0 && (first < 0 || starts[k] < first) {
						first = starts[k]
					}
					calls = append(calls, found...)
				}
				if len(calls) > 0 {
					e := cliEvidence(c, argv[i], calls)
					e.node, e.within = scriptLine(w.Object, argv[i], first)
					out = append(out, e)
				}
			}
		}
	}
	return out
}

// buildSubcommands are the Docker CLI commands that build images, which
// crictl cannot replace: a builder that needs no Docker Engine does.
var buildSubcommands = []string{"docker build", "docker buildx"}

func cliEvidence(c Container, at argWord, calls []string) evidence {
	var quoted []string
	builds, others := false, false
	for _, call := range calls {
		if slices.Contains(buildSubcommands, call) {
			builds = true
		} else {
			others = true
		}
		if q := "`" + call + "`"; !slices.Contains(quoted, q) {
			quoted = append(quoted, q)
		}
	}
	instead := "use crictl or the Kubernetes API instead"
	switch {
	case builds && others:
		instead = "use crictl or the Kubernetes API, and build images with BuildKit, kaniko or buildah, instead"
	case builds:
		instead = "build images with BuildKit, kaniko or buildah instead, which need no Docker Engine"
	}
	return evidence{
		rule:  dockerCLIID,
		node:  at.node,
		field: at.field,
		message: "container " + quote(c.Name) + " runs " + strings.Join(quoted, ", ") +
			", which needs Docker Engine; containerd and CRI-O nodes have none: " + instead,
		summary:   "runs " + quoted[0],
		container: c.Name,
	}
}

// scriptLine is the node to report a command of a script at: the script's
// line that runs it, for a script written as a literal block (`- |`),
// whose lines are the file's. within is then the script itself, which an
// ignore comment above it still covers. Other scalars fold or escape
// lines, and the script is reported as a whole.
func scriptLine(obj *lint.Object, script argWord, offset int) (node, within *yaml.Node) {
	text := []rune(script.value)
	if offset < 0 || offset >= len(text) {
		return script.node, nil
	}
	line, lineStart := 1, 0
	for i, r := range text[:offset] {
		if r == '\n' {
			line, lineStart = line+1, i+1
		}
	}
	fileLine, fileColumn, ok := obj.Lines.InBlock(script.node, line, offset-lineStart+1)
	if !ok {
		return script.node, nil
	}
	end := offset
	for end < len(text) && text[end] != '\n' {
		end++
	}
	command := strings.TrimRight(string(text[offset:end]), " \t")
	return &yaml.Node{Kind: yaml.ScalarNode, Value: command, Line: fileLine, Column: fileColumn}, script.node
}

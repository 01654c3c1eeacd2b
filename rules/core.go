package rules

import (
	"path"
	"regexp"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// Help links of the core rules; migrationGuide covers the rest.
const (
	checkDockershimRemoval = "https://kubernetes.io/docs/tasks/administer-cluster/migrating-from-dockershim/check-if-dockershim-removal-affects-you/"
	changeRuntimeGuide     = "https://kubernetes.io/docs/tasks/administer-cluster/migrating-from-dockershim/change-runtime-containerd/"
)

// volumeMount is a container's use of a pod volume.
type volumeMount struct {
	container Container
	node      *yaml.Node
	field     lint.FieldPath
	mountPath string
	subPath   string
}

// related is the mount as a node worth showing beside a finding about its
// volume: the mountPath line tells the reader where the container sees it.
func (m volumeMount) related() lint.RelatedNode {
	node, field := m.node, m.field
	if mp := lint.Get(m.node, "mountPath"); mp != nil {
		node, field = mp, m.field.Key("mountPath")
	}
	msg := "mounted at " + m.mountPath + " in container " + quote(m.container.Name)
	if m.subPath != "" {
		msg += " with subPath " + quote(m.subPath)
	}
	return lint.RelatedNode{Node: node, Field: field, Message: msg}
}

// mountsOf lists every mount of the named volume, across all containers.
func (w *Workload) mountsOf(volume string) []volumeMount {
	return w.index().mounts[volume]
}

// volumeNamed returns the pod volume called name and its field path.
func (w *Workload) volumeNamed(name string) (*yaml.Node, lint.FieldPath) {
	v, ok := w.index().volumes[name]
	if !ok {
		return nil, lint.FieldPath{}
	}
	return v.node, v.field
}

// dindImage matches images that run their own Docker daemon: the official
// docker:*-dind tags and the many community "dind" images.
var dindImage = regexp.MustCompile(`(?i)(^|[/:._-])dind([:._-]|$)|docker-in-docker`)

// mayBeDindImage is a quick test, allocating nothing for ASCII, that
// passes every image dindImage matches: one holding "dind" or
// "docker-in-docker" in any case. Nearly every image fails it, which
// spares the regexp.
func mayBeDindImage(image string) bool {
	return containsLower(image, "dind") || containsLower(image, "docker-in-docker")
}

// runsDockerDaemon reports whether the pod starts its own Docker daemon (a
// docker-in-docker sidecar). Its Docker CLI and DOCKER_HOST then talk to that
// daemon, which keeps working whatever runtime the node uses.
func (w *Workload) runsDockerDaemon() bool {
	if w.daemon == daemonUnknown {
		w.daemon = daemonAbsent
		if w.startsDockerDaemon() {
			w.daemon = daemonRuns
		}
	}
	return w.daemon == daemonRuns
}

func (w *Workload) startsDockerDaemon() bool {
	for _, c := range w.Containers() {
		if image := imageRepoTag(lint.Scalar(c.Image)); mayBeDindImage(image) && dindImage.MatchString(image) {
			return true
		}
		if !mayRun(c, "dockerd") {
			continue
		}
		for _, cmd := range commandsOf(c) {
			if isDockerd(cmd) {
				return true
			}
		}
	}
	return false
}

// imageRepoTag drops an image reference's registry host and digest, so that
// a registry named "dind.example.com" does not count.
func imageRepoTag(image string) string {
	image, _, _ = strings.Cut(image, "@")
	if host, rest, ok := strings.Cut(image, "/"); ok && strings.ContainsAny(host, ".:") {
		image = rest
	}
	return image
}

// isDockerd reports whether a simple command starts the Docker daemon,
// directly or through the dind image's entrypoint script.
func isDockerd(words []string) bool {
	name := commandName(words)
	return name == "dockerd" || name == "dockerd-entrypoint.sh"
}

// commandsOf is every simple command a container's command and args run:
// the argv itself, and the commands of shell scripts it passes to `sh -c`.
func commandsOf(c Container) [][]string {
	argv := containerArgv(c)
	words := make([]string, len(argv))
	for i, a := range argv {
		words[i] = a.value
	}
	out := [][]string{words}
	if i := shellScriptIndex(words); i >= 0 {
		out = append(out, shellCommands(words[i])...)
	}
	return out
}

// mayRun is a quick test, allocating nothing, that passes every container
// whose command, args, probes or hooks could run the program called name:
// one of their words contains name. Shell scripts lose quotes and
// backslashes when they are split into words (do\cker is docker), so a
// word holding either passes too. Most containers fail the test, which
// spares building their command lines.
func mayRun(c Container, name string) bool {
	mentions := func(n *yaml.Node) bool {
		for _, w := range lint.Items(n) {
			if v := lint.Scalar(w); strings.Contains(v, name) || strings.ContainsAny(v, `\'"`) {
				return true
			}
		}
		return false
	}
	if mentions(lint.Get(c.Node, "command")) || mentions(lint.Get(c.Node, "args")) {
		return true
	}
	for _, hook := range execHooks {
		if mentions(lint.Path(c.Node, hook...)) {
			return true
		}
	}
	for _, s := range c.scripts {
		if strings.Contains(s.value, name) || strings.ContainsAny(s.value, `\'"`) {
			return true
		}
	}
	return false
}

// argWord is one element of a container's command or args.
type argWord struct {
	value string
	node  *yaml.Node
	field lint.FieldPath
}

// containerArgv joins command and args the way the kubelet does when both
// are set. A container with args only runs its image's entrypoint, which
// the manifest does not show, so its args are still returned for the shell
// and Docker CLI checks to look at.
func containerArgv(c Container) []argWord {
	var argv []argWord
	for _, key := range []string{"command", "args"} {
		for i, n := range lint.Items(lint.Get(c.Node, key)) {
			if n.Kind != yaml.ScalarNode {
				continue
			}
			argv = append(argv, argWord{value: n.Value, node: n, field: c.Path.Append(lint.Key(key), lint.Index(i))})
		}
	}
	return argv
}

func quote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// cleanHostPath normalises a hostPath the way the node resolves it, so that
// "//var/run//docker.sock" and "/var/run/" compare equal to their clean
// forms. Windows paths keep their drive and use forward slashes.
func cleanHostPath(p string) string {
	p = strings.TrimSpace(p)
	if p == "" {
		return ""
	}
	p = strings.ReplaceAll(p, `\`, "/")
	if isDockerPipe(p) {
		return dockerPipe
	}
	return path.Clean(p)
}

// dockerPipe is the Docker Engine's named pipe on Windows nodes, the
// counterpart of /var/run/docker.sock.
const dockerPipe = `\\.\pipe\docker_engine`

// isDockerPipe matches the pipe in either slash direction, as written in
// hostPath (\\.\pipe\docker_engine) or in a URL (npipe:////./pipe/docker_engine).
func isDockerPipe(p string) bool {
	p = strings.ToLower(strings.ReplaceAll(p, `\`, "/"))
	return strings.HasSuffix(p, "//./pipe/docker_engine")
}

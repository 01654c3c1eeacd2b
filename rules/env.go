package rules

import (
	"path"
	"regexp"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

var dockerHostEnvRule = &lint.Rule{
	ID:       dockerHostEnvID,
	Name:     "Docker Engine endpoint in environment",
	Severity: lint.SeverityError,
	Summary:  "A container sets DOCKER_HOST, or an environment variable that names the Docker Engine socket or API port.",
	Help: "Remove the variable if the tool can work without Docker, or point it at the container runtime's " +
		"CRI endpoint (unix:///run/containerd/containerd.sock) with a tool version that speaks CRI. " +
		"A DOCKER_HOST that reaches a Docker daemon the pod runs itself (a docker-in-docker sidecar) keeps " +
		"working and is reported as a warning. A value the container reads from a ConfigMap in the same file, chart or " +
		"kustomize build (envFrom or valueFrom.configMapKeyRef) is reported at the ConfigMap, where it is changed; help text " +
		"that merely mentions an endpoint is not reported.",
	HelpURL: migrationGuide,
	Doc: lint.RuleDoc{
		Rationale: "The variable tells the Docker client, or an agent built on it, to talk to Docker Engine. " +
			"On nodes that run containerd or CRI-O there is no Docker Engine socket or API port, so every call " +
			"fails; where Docker Engine still runs, it no longer knows the pods' containers. Access to the node's " +
			"Docker socket is root on the node.",
		Before: `env:
- name: DOCKER_HOST
  value: unix:///var/run/docker.sock
`,
		After: `env:
- name: CONTAINER_RUNTIME_ENDPOINT
  value: unix:///run/containerd/containerd.sock
`,
	},
	Tags:             []string{"security", "docker", "env"},
	Precision:        "high",
	SecuritySeverity: "8.9",
	Check:            reportEvidence(detectDockerHostEnv),
}

// dockerAPIURL matches the Docker Engine API's TCP ports: 2375 plain,
// 2376 with TLS.
var dockerAPIURL = regexp.MustCompile(`(?i)^(?:tcp|https?)://([^/?#]*):(2375|2376)(?:[/?#]|$)`)

// endpoint is what an environment value points at.
type endpoint struct {
	socket string // a path ending in docker.sock, or the Windows pipe
	host   string // the host of a Docker API URL
	text   string // the endpoint as written
}

// dockerEndpoint finds the Docker Engine endpoint in an environment value:
// a socket path with or without unix://, the Windows pipe, or a URL with
// one of the API ports. Values may hold several words ("-H unix:///...").
func dockerEndpoint(value string) (endpoint, bool) {
	if !mayNameEndpoint(value) {
		return endpoint{}, false
	}
	return findEndpoint(value)
}

// findEndpoint is dockerEndpoint without the quick test in front.
func findEndpoint(value string) (endpoint, bool) {
	for _, word := range strings.FieldsFunc(value, func(r rune) bool {
		return strings.ContainsRune(" \t\n,;=\"'", r)
	}) {
		if isDockerPipe(word) {
			return endpoint{socket: dockerPipe, text: word}, true
		}
		if p := strings.TrimPrefix(word, "unix://"); strings.HasPrefix(p, "/") && path.Base(path.Clean(p)) == "docker.sock" {
			return endpoint{socket: path.Clean(p), text: word}, true
		}
		if m := dockerAPIURL.FindStringSubmatch(word); m != nil {
			return endpoint{host: m[1], text: word}, true
		}
	}
	return endpoint{}, false
}

// mayNameEndpoint is a quick test, allocating nothing for ASCII, that
// passes every value dockerEndpoint finds an endpoint in: a socket path
// ends in docker.sock, the pipe (matched in any case) is docker_engine, and
// an API URL has port 2375 or 2376. Nearly every variable fails it, which
// spares splitting the value into words and matching each.
func mayNameEndpoint(value string) bool {
	return strings.Contains(value, "237") || containsLower(value, "docker")
}

func namesEndpoint(s string) bool {
	_, ok := dockerEndpoint(s)
	return ok
}

// configuredEndpoint is dockerEndpoint for a value that configures one:
// help text that mentions an endpoint only in sentences sets none.
func configuredEndpoint(value string) (endpoint, bool) {
	ep, found := dockerEndpoint(value)
	if !found || onlyInProse(value, namesEndpoint) {
		return endpoint{}, false
	}
	return ep, true
}

func detectDockerHostEnv(p *lint.Pass) []evidence {
	var out []evidence
	for _, w := range workloadsOf(p) {
		out = append(out, podDockerHostEnv(w, p.Objects)...)
	}
	if p.Object.Kind == "ConfigMap" {
		out = append(out, configMapDockerHostEnv(p)...)
	}
	return out
}

// podDockerHostEnv finds the variables of w's containers that name a
// Docker endpoint; objects are the other objects of the input, where a
// ConfigMap a variable reads may be.
func podDockerHostEnv(w *Workload, objects []*lint.Object) []evidence {
	var out []evidence
	for _, c := range w.Containers() {
		start := len(out)
		envs := lint.Get(c.Node, "env")
		for j, env := range lint.Items(envs) {
			// Built only for a finding: most variables are not one.
			field := func(key string) lint.FieldPath { return c.Path.Append(lint.Key("env"), lint.Index(j), lint.Key(key)) }
			nameNode := lint.Get(env, "name")
			name := lint.Scalar(nameNode)
			valueNode := lint.Get(env, "value")
			value := lint.Scalar(valueNode)
			isHost := name == "DOCKER_HOST"
			ep, found := configuredEndpoint(value)
			if !found && !isHost {
				// Most variables: nothing to report, nothing to build.
				continue
			}
			who := "container " + quote(c.Name) + " sets " + name
			switch {
			case found:
			case isHost && value == "" && lint.Get(env, "valueFrom") != nil:
				if v := configMapKeyRef(objects, w.Object, env); v != nil {
					if _, found := configuredEndpoint(v.Value); found {
						// Reported at the ConfigMap's value (see
						// configMapDockerHostEnv).
						continue
					}
					out = append(out, unknownHostEvidence(nameNode, field("name"), who+" from ConfigMap "+
						quote(lint.Scalar(lint.Path(env, "valueFrom", "configMapKeyRef", "name"))), v.Value))
					continue
				}
				out = append(out, evidence{
					rule:     dockerHostEnvID,
					node:     nameNode,
					field:    field("name"),
					severity: lint.SeverityWarning,
					message:  who + " from valueFrom, so the Docker Engine it reaches is not visible here; make sure it is not the node's Docker socket, which containerd and CRI-O nodes do not have",
					summary:  "sets DOCKER_HOST",
				})
				continue
			default:
				// Without a value the finding belongs on the name: it is
				// the only line the variable has.
				node, at := valueNode, field("value")
				if node == nil {
					node, at = nameNode, field("name")
				}
				out = append(out, unknownHostEvidence(node, at, who, value))
				continue
			}
			out = append(out, endpointEvidence(w, c, w.runsDockerDaemon(), valueNode, field("value"), name, who, ep))
		}
		inContainer(out[start:], c.Name)
	}
	return out
}

// unknownHostEvidence is a DOCKER_HOST whose value names no endpoint the
// linter knows: it may reach the node's Docker Engine all the same.
func unknownHostEvidence(node *yaml.Node, at lint.FieldPath, who, value string) evidence {
	return evidence{
		rule:     dockerHostEnvID,
		node:     node,
		field:    at,
		severity: lint.SeverityWarning,
		message:  who + " to " + quote(value) + "; make sure it reaches a Docker daemon the pod runs itself, not the node's, which containerd and CRI-O nodes do not have",
		summary:  "sets DOCKER_HOST",
	}
}

// endpointEvidence is a variable called name, set at node to the Docker
// endpoint ep, as container c of w sees it; who says who sets it.
func endpointEvidence(w *Workload, c Container, dind bool, node *yaml.Node, at lint.FieldPath, name, who string, ep endpoint) evidence {
	e := evidence{
		rule:    dockerHostEnvID,
		node:    node,
		field:   at,
		summary: "sets " + name,
	}
	if name != "DOCKER_HOST" {
		e.summary += " to " + ep.text
	}
	onNode, how, related := endpointOnNode(w, c, ep, dind)
	if related != nil {
		e.related = []lint.RelatedNode{*related}
	}
	switch {
	case onNode:
		e.message = who + " to " + ep.text + ", " + how + "; remove it, or use the container runtime's CRI endpoint " +
			"(unix:///run/containerd/containerd.sock) with a tool that speaks CRI"
	case dind:
		e.severity = lint.SeverityWarning
		e.message = who + " to " + ep.text + ", " + how + "; the pod runs its own Docker daemon, so make sure this reaches it and not the node"
	default:
		e.severity = lint.SeverityWarning
		e.message = who + " to " + ep.text + ", " + how + "; make sure it reaches a Docker daemon the pod runs itself, not the node's"
	}
	return e
}

// endpointOnNode decides whether ep is the node's Docker Engine, and says
// how in words a finding can quote. A socket path is the node's when a
// hostPath volume provides it, or when no volume does and the pod runs no
// daemon of its own (the manifest means the node's socket, and the pod will
// fail to find it). A TCP endpoint is the node's when it is the node's IP,
// or localhost in a pod on the host network.
func endpointOnNode(w *Workload, c Container, ep endpoint, dind bool) (bool, string, *lint.RelatedNode) {
	if ep.socket != "" {
		m := w.mountFor(c, ep.socket)
		if m == nil {
			return !dind, "which names the Docker Engine socket", nil
		}
		related := m.related()
		vol, _ := w.volumeNamed(lint.Scalar(lint.Get(m.node, "name")))
		if lint.Get(vol, "hostPath") != nil {
			return true, "the node's Docker Engine socket (hostPath volume " + quote(lint.Scalar(lint.Get(vol, "name"))) + ")", &related
		}
		return false, "a Docker socket on pod volume " + quote(lint.Scalar(lint.Get(vol, "name"))), &related
	}
	host, _, _ := strings.Cut(ep.host, "@")
	if ref, ok := strings.CutPrefix(host, "$("); ok {
		if w.fieldRefOf(c, strings.TrimSuffix(ref, ")")) == "status.hostip" {
			return true, "the Docker Engine API of the node (status.hostIP)", nil
		}
	}
	if host = strings.ToLower(host); host == "localhost" || host == "127.0.0.1" || host == "[::1]" {
		if lint.Scalar(lint.Get(w.Spec, "hostNetwork")) == "true" {
			return true, "the Docker Engine API of the node (localhost on the host network)", nil
		}
		return false, "the Docker Engine API port of a container in the same pod", nil
	}
	return false, "a Docker Engine API port", nil
}

// fieldRefOf returns, lower-cased, the fieldRef path of the container's
// variable called name, which the kubelet substitutes for $(name).
func (w *Workload) fieldRefOf(c Container, name string) string {
	env := w.containerIndex(c).env[name]
	return strings.ToLower(lint.Scalar(lint.Path(env, "valueFrom", "fieldRef", "fieldPath")))
}

// mountFor is the container's mount that holds p: the one with the longest
// mountPath at or above it. p is clean, so the mounts that hold it are at p
// and its parent directories.
func (w *Workload) mountFor(c Container, p string) *volumeMount {
	mountAt := w.containerIndex(c).mountAt
	for dir := p; ; dir = path.Dir(dir) {
		if m := mountAt[dir]; m != nil {
			return m
		}
		if dir == "/" || !strings.Contains(dir, "/") {
			return nil
		}
	}
}

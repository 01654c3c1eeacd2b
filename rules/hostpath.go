package rules

import (
	"path"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

var dockerSocketRule = &lint.Rule{
	ID:       dockerSocketID,
	Name:     "Docker Engine socket mounted",
	Severity: lint.SeverityError,
	Summary:  "A hostPath volume exposes the Docker Engine socket, or the /var/run directory that holds it.",
	Help: "Remove the volume and its volumeMounts if the workload only needs Kubernetes metadata. " +
		"If it needs container information, mount the node's CRI socket instead " +
		"(/run/containerd/containerd.sock for containerd, /var/run/crio/crio.sock for CRI-O) " +
		"and use a version of the tool that speaks CRI. Mount the socket file itself rather than all of /var/run.",
	HelpURL: checkDockershimRemoval,
	Doc: lint.RuleDoc{
		Rationale: "Nodes that run containerd or CRI-O have no Docker Engine, so /var/run/docker.sock is missing: " +
			"a volume of type Socket keeps the pod from starting, and any other volume gives the container an " +
			"empty path, so the tool fails or silently reports nothing. Where Docker Engine does still run next to " +
			"the kubelet, it no longer sees the pods' containers. The socket also grants root on the node, " +
			"so a mount that is no longer needed is a standing risk.",
		Before: `volumes:
- name: dockersock
  hostPath:
    path: /var/run/docker.sock
    type: Socket
`,
		After: `volumes:
- name: containerd-sock
  hostPath:
    path: /run/containerd/containerd.sock
    type: Socket
`,
	},
	Tags:             []string{"security", "docker", "hostpath"},
	Precision:        "very-high",
	SecuritySeverity: "8.9",
	Check:            reportEvidence(detectDockerSocket),
}

var dockerDataDirRule = &lint.Rule{
	ID:       dockerDataDirID,
	Name:     "Docker Engine data directory mounted",
	Severity: lint.SeverityWarning,
	Summary:  "A hostPath volume mounts Docker Engine's data directory /var/lib/docker or its state directory /var/run/docker.",
	Help: "Read container logs from /var/log/pods (and the /var/log/containers symlinks) instead of " +
		"/var/lib/docker/containers, and drop mounts of Docker's image store and state directory: " +
		"containerd keeps its own under /var/lib/containerd and /run/containerd, which only CRI tools should read.",
	HelpURL: migrationGuide,
	Doc: lint.RuleDoc{
		Rationale: "/var/lib/docker and /var/run/docker exist only on nodes that run Docker Engine. On containerd " +
			"or CRI-O nodes the volume is empty: log shippers that tail /var/lib/docker/containers/*/*.log and " +
			"agents that read Docker's metadata find nothing, without any error.",
		Before: `volumes:
- name: docker-logs
  hostPath:
    path: /var/lib/docker/containers
`,
		After: `volumes:
- name: pod-logs
  hostPath:
    path: /var/log/pods
`,
	},
	Tags:      []string{"docker", "hostpath", "logging"},
	Precision: "high",
	Check:     reportEvidence(detectDockerDataDir),
}

// socketKind is how close a host path is to the Docker Engine socket.
type socketKind int

const (
	notSocket socketKind = iota
	// socketDir is the directory holding the socket: the container sees the
	// socket, and everything else in /var/run with it.
	socketDir
	socketFile
)

// dockerSocketKind classifies a clean host path.
func dockerSocketKind(p string) socketKind {
	switch {
	case p == dockerPipe || path.Base(p) == "docker.sock":
		return socketFile
	case p == "/var/run" || p == "/run":
		return socketDir
	}
	return notSocket
}

// dockerDataDir returns the Docker Engine directory a clean host path is
// at or under, and the rest of the path below it, or "" when there is
// none. /var/lib/dockershim (the kubelet's) and /var/lib/docker-compose are
// not Docker's. Windows paths are compared ignoring case, as Windows does.
func dockerDataDir(p string) (dir, rest string) {
	for _, dir := range []string{"/var/lib/docker", "/var/run/docker", "/run/docker", "C:/ProgramData/docker"} {
		equal := func(a, b string) bool { return a == b }
		if strings.HasPrefix(dir, "C:") {
			equal = strings.EqualFold
		}
		if equal(p, dir) {
			return dir, ""
		}
		if len(p) > len(dir) && equal(p[:len(dir)+1], dir+"/") {
			return dir, p[len(dir)+1:]
		}
	}
	return "", ""
}

// hostPathVolume is a hostPath volume and what its mounts expose of the node.
type hostPathVolume struct {
	name     string
	pathNode *yaml.Node
	field    lint.FieldPath
	clean    string
	typ      string
	mounts   []volumeMount
}

// target is one node path a volume makes visible: the host path itself,
// or, for a mount with a subPath, the file or directory under it.
type target struct {
	path  string
	mount *volumeMount
}

func (v *hostPathVolume) targets() []target {
	if len(v.mounts) == 0 {
		return []target{{path: v.clean}}
	}
	out := make([]target, len(v.mounts))
	for i := range v.mounts {
		m := &v.mounts[i]
		out[i] = target{path: v.clean, mount: m}
		if m.subPath != "" && v.clean != dockerPipe {
			out[i].path = path.Join(v.clean, m.subPath)
		}
	}
	return out
}

// hostPathVolumes lists the hostPath volumes of the pods being checked.
func hostPathVolumes(p *lint.Pass) []*hostPathVolume {
	var out []*hostPathVolume
	// A volume the object's pods share (an Argo Workflow's spec.volumes)
	// is one volume, mounted by the containers of every pod: every pod
	// reaches it at the same field. Volumes at two fields are two, even
	// when an anchor gives them one path node: each use is a finding.
	byField := map[string]*hostPathVolume{}
	for _, w := range workloadsOf(p) {
		for _, list := range w.volumeLists() {
			for i, vol := range lint.Items(list.node) {
				hp := lint.Get(vol, "hostPath")
				pathNode := lint.Get(hp, "path")
				clean := cleanHostPath(lint.Scalar(pathNode))
				if clean == "" {
					continue
				}
				name := lint.Scalar(lint.Get(vol, "name"))
				field := list.field.Append(lint.Index(i), lint.Key("hostPath"), lint.Key("path"))
				key := field.String()
				if v := byField[key]; v != nil {
					v.mounts = append(v.mounts, w.mountsOf(name)...)
					continue
				}
				v := &hostPathVolume{
					name:     name,
					pathNode: pathNode,
					field:    field,
					clean:    clean,
					typ:      lint.Scalar(lint.Get(hp, "type")),
					mounts:   w.mountsOf(name),
				}
				byField[key] = v
				out = append(out, v)
			}
		}
	}
	return out
}

func detectDockerSocket(p *lint.Pass) []evidence {
	var out []evidence
	for _, v := range hostPathVolumes(p) {
		best, bestPath, viaSubPath := notSocket, "", ""
		var related []lint.RelatedNode
		for _, t := range v.targets() {
			kind := dockerSocketKind(t.path)
			if kind == notSocket {
				continue
			}
			if t.mount != nil {
				related = append(related, t.mount.related())
			}
			if kind > best {
				best, bestPath, viaSubPath = kind, t.path, ""
				if t.mount != nil && t.path != v.clean {
					viaSubPath = t.mount.subPath
				}
			}
		}
		if best == notSocket {
			continue
		}
		e := evidence{
			rule:    dockerSocketID,
			node:    v.pathNode,
			field:   v.field,
			related: related,
		}
		volume := "hostPath volume " + quote(v.name)
		switch {
		case best == socketFile && viaSubPath != "":
			e.message = volume + " exposes the Docker Engine socket " + bestPath + " through subPath " + quote(viaSubPath) +
				" of " + v.clean + "; remove it, or mount the container runtime's CRI socket (e.g. /run/containerd/containerd.sock) if the workload needs one"
			e.summary = "mounts " + bestPath + " (volume " + v.name + ", subPath " + viaSubPath + ")"
		case best == socketFile:
			e.message = volume + " mounts the Docker Engine socket " + bestPath +
				"; remove it, or mount the container runtime's CRI socket (e.g. /run/containerd/containerd.sock) if the workload needs one"
			e.summary = "mounts " + bestPath + " (volume " + v.name + ")"
		default:
			e.severity = lint.SeverityWarning
			e.message = volume + " mounts " + bestPath + ", the directory holding the Docker Engine socket; " +
				"mount the container runtime's CRI socket instead (e.g. /run/containerd/containerd.sock) if the workload needs one"
			e.summary = "mounts " + bestPath + " (volume " + v.name + ")"
		}
		if len(v.mounts) == 0 {
			e.message += v.unmountedNote()
			e.summary = "declares hostPath " + bestPath + " (volume " + v.name + ", not mounted)"
		}
		out = append(out, e)
	}
	return out
}

func detectDockerDataDir(p *lint.Pass) []evidence {
	var out []evidence
	for _, v := range hostPathVolumes(p) {
		found, role := "", ""
		var related []lint.RelatedNode
		for _, t := range v.targets() {
			dir, rest := dockerDataDir(t.path)
			if dir == "" {
				continue
			}
			if found == "" || len(t.path) < len(found) {
				found, role = t.path, dataDirRole(dir, rest)
			}
			if t.mount != nil {
				related = append(related, t.mount.related())
			}
		}
		if found == "" {
			continue
		}
		e := evidence{
			rule:    dockerDataDirID,
			node:    v.pathNode,
			field:   v.field,
			related: related,
			summary: "mounts " + found + " (volume " + v.name + ")",
			message: "hostPath volume " + quote(v.name) + " mounts " + found + ", " + role +
				", which does not exist on containerd or CRI-O nodes",
		}
		if role == dataDirRole("", "containers") {
			e.message += "; read container logs from /var/log/pods instead"
		}
		if len(v.mounts) == 0 {
			e.message += v.unmountedNote()
			e.summary = "declares hostPath " + found + " (volume " + v.name + ", not mounted)"
		}
		out = append(out, e)
	}
	return out
}

// dataDirRole says what a path under one of Docker's directories holds.
func dataDirRole(dir, rest string) string {
	switch {
	case rest == "containers" || strings.HasPrefix(rest, "containers/"):
		return "where Docker Engine keeps container logs"
	case strings.HasSuffix(dir, "/run/docker"):
		return "Docker Engine's state directory"
	default:
		return "Docker Engine's image and container store"
	}
}

// unmountedNote explains why an unused volume still matters: the kubelet
// checks a typed hostPath before it starts the pod.
func (v *hostPathVolume) unmountedNote() string {
	switch v.typ {
	case "", "DirectoryOrCreate", "FileOrCreate":
		return "; no container mounts it, so the volume can simply be removed"
	}
	return "; no container mounts it, but its type " + v.typ + " keeps the pod from starting on nodes without the path: remove the volume"
}

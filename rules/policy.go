package rules

import (
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

const policyDockerHostPathID = "policy-docker-host-path"

var policyDockerHostPathRule = &lint.Rule{
	ID:       policyDockerHostPathID,
	Name:     "Pod security policy allows Docker Engine host paths",
	Severity: lint.SeverityNote,
	Summary: "A PodSecurityPolicy's allowedHostPaths lets pods mount the Docker Engine socket, the /var/run " +
		"directory that holds it, or Docker's data directory /var/lib/docker.",
	Help: "Drop the allowedHostPaths entry once no workload mounts these paths, or narrow it to the container " +
		"runtime's CRI socket (/run/containerd/containerd.sock) if an agent still needs one. The policy itself " +
		"breaks nothing: it only permits the mounts that docker-socket and docker-data-dir report.",
	HelpURL: checkDockershimRemoval,
	Doc: lint.RuleDoc{
		Rationale: "A policy that allows the Docker socket or Docker's data directory exists for workloads that " +
			"depend on Docker Engine, so it points at dependencies to migrate, possibly in manifests this run does " +
			"not see. After the migration it still lets any pod under the policy mount paths that no longer hold " +
			"what they did, or, on a node that keeps Docker Engine, a socket that is root on the node. A prefix " +
			"as broad as / or /var is not reported: it is not about Docker.",
		Before: `apiVersion: policy/v1beta1
kind: PodSecurityPolicy
spec:
  allowedHostPaths:
  - pathPrefix: /var/run/docker.sock
`,
		After: `apiVersion: policy/v1beta1
kind: PodSecurityPolicy
spec:
  allowedHostPaths:
  - pathPrefix: /run/containerd/containerd.sock
    readOnly: true
`,
	},
	Tags:      []string{"docker", "hostpath", "policy"},
	Precision: "high",
	Check:     checkPolicyDockerHostPaths,
}

// checkPolicyDockerHostPaths reports the allowedHostPaths entries of a
// PodSecurityPolicy (policy/v1beta1 or the older extensions/v1beta1) whose
// prefix admits the Docker socket or data directory.
func checkPolicyDockerHostPaths(p *lint.Pass) {
	if p.Object.Kind != "PodSecurityPolicy" {
		return
	}
	field := lint.KeyPath("spec", "allowedHostPaths")
	for i, entry := range lint.Items(lint.Path(p.Object.Node, "spec", "allowedHostPaths")) {
		prefix := lint.Get(entry, "pathPrefix")
		allowed := policyAllows(cleanHostPath(lint.Scalar(prefix)))
		if allowed == "" {
			continue
		}
		p.Reportf(prefix, field.Index(i).Key("pathPrefix"),
			"PodSecurityPolicy allows hostPath %s, %s: drop the entry once no workload mounts it, "+
				"or allow the container runtime's CRI socket instead", lint.Scalar(prefix), allowed)
	}
}

// policyAllows says what Docker path a clean pathPrefix admits, or "" for a
// prefix that is not about Docker. A pathPrefix matches whole path
// elements, so /var/run admits /var/run/docker.sock and /var/lib/dock
// admits nothing of Docker's.
func policyAllows(prefix string) string {
	switch {
	case prefix == "":
		return ""
	case dockerSocketKind(prefix) == socketFile:
		return "the Docker Engine socket"
	case dockerSocketKind(prefix) == socketDir:
		return "the directory holding the Docker Engine socket"
	}
	if dir, _ := dockerDataDir(prefix); dir != "" {
		return dataDirRole(dir, strings.TrimPrefix(prefix, dir+"/"))
	}
	return ""
}

package rules

import (
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// The rule below reads node provisioning kept beside the manifests: cluster
// definitions that choose the nodes' container runtime, and the kubelet's
// own flags and configuration.

var nodeDockerRuntimeRule = &lint.Rule{
	ID:       "node-docker-runtime",
	Name:     "Nodes provisioned with Docker Engine",
	Severity: lint.SeverityError,
	Summary: "Finds node provisioning that runs pods on Docker Engine: eksctl node groups with containerRuntime: " +
		"dockerd, kops containerRuntime: docker, RKE1 cluster.yml files, and kubelets started with " +
		"--container-runtime=docker or --docker-endpoint (in a pod's args, kubeletExtraArgs or a KubeletConfiguration).",
	Help: "Provision the nodes with containerd (or CRI-O): eksctl containerRuntime: containerd, kops " +
		"containerRuntime: containerd, RKE2 instead of RKE1; drop --container-runtime and --docker-endpoint and point " +
		"--container-runtime-endpoint at the runtime's socket. Check the workloads first with this linter's other rules.",
	HelpURL: changeRuntimeGuide,
	Doc: lint.RuleDoc{
		Rationale: "From Kubernetes 1.24 the kubelet has no built-in Docker support: a node set up to run pods on " +
			"Docker Engine (through dockershim) does not start its kubelet, or does so only with cri-dockerd installed " +
			"beside it. eksctl and EKS AMIs for 1.24 and later, and kops from 1.24, do not offer Docker; RKE1 runs every " +
			"node on Docker Engine and reached its end of life.",
		Before: "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: prod\n  region: eu-west-1\n" +
			"nodeGroups:\n  - name: workers\n    containerRuntime: dockerd\n",
		After: "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: prod\n  region: eu-west-1\n" +
			"nodeGroups:\n  - name: workers\n    containerRuntime: containerd\n",
	},
	Tags:      []string{"kubelet", "node"},
	Precision: "very-high",
	Check:     checkNodeRuntime,
}

// nodeRules are the rules that read node provisioning.
func nodeRules() []*lint.Rule {
	return []*lint.Rule{nodeDockerRuntimeRule}
}

func checkNodeRuntime(p *lint.Pass) {
	obj := p.Object
	group, _, _ := strings.Cut(obj.APIVersion, "/")
	switch {
	case obj.Kind == "ClusterConfig" && group == "eksctl.io":
		checkEksctl(p)
	case (obj.Kind == "Cluster" || obj.Kind == "InstanceGroup") && (group == "kops.k8s.io" || group == "kops"):
		if v := lint.Path(obj.Node, "spec", "containerRuntime"); strings.EqualFold(lint.Scalar(v), "docker") {
			p.Reportf(v, lint.KeyPath("spec", "containerRuntime"),
				"kops %s %s runs its nodes' pods on Docker Engine, which kops does not support from Kubernetes 1.24: set containerRuntime: containerd",
				obj.Kind, obj.Name)
		}
	case obj.Kind == "KubeletConfiguration":
		if v := lint.Get(obj.Node, "containerRuntime"); lint.Scalar(v) == "docker" {
			p.Reportf(v, lint.KeyPath("containerRuntime"),
				"KubeletConfiguration sets containerRuntime: docker, the dockershim the kubelet dropped in 1.24: remove it and set containerRuntimeEndpoint to the runtime's CRI socket")
		}
	case obj.Kind == "" && isRKE1(obj.Node):
		k, _ := lint.GetEntry(obj.Node, "nodes")
		p.Reportf(k, lint.KeyPath("nodes"),
			"RKE1 cluster file: RKE1 runs Kubernetes and every pod on the nodes' Docker Engine (through cri-dockerd from 1.24) and "+
				"has reached its end of life: move the cluster to RKE2, which runs on containerd")
	}
	if strings.Contains(group, "kubeadm") || strings.Contains(group, "cluster.x-k8s.io") {
		checkKubeletExtraArgs(p)
	}
	for _, w := range workloadsOf(p) {
		for _, c := range w.Containers() {
			checkKubeletFlags(p, c)
		}
	}
}

func checkEksctl(p *lint.Pass) {
	for _, list := range []string{"nodeGroups", "managedNodeGroups"} {
		for i, ng := range lint.Items(lint.Get(p.Object.Node, list)) {
			if v := lint.Get(ng, "containerRuntime"); lint.Scalar(v) == "dockerd" {
				p.Reportf(v, lint.KeyPath(list).Index(i).Key("containerRuntime"),
					"eksctl node group %s runs its pods on Docker Engine, which EKS AMIs for Kubernetes 1.24 and later do not "+
						"have: set containerRuntime: containerd", lint.Scalar(lint.Get(ng, "name")))
			}
		}
	}
}

// isRKE1 recognises an RKE1 cluster.yml: a nodes list of hosts with
// address and role, beside the services or kubernetes_version RKE1 reads.
// RKE2's config.yaml has neither.
func isRKE1(root *yaml.Node) bool {
	nodes := lint.Get(root, "nodes")
	if nodes == nil || nodes.Kind != yaml.SequenceNode || len(nodes.Content) == 0 {
		return false
	}
	for _, n := range lint.Items(nodes) {
		if lint.Get(n, "address") == nil || lint.Get(n, "role") == nil {
			return false
		}
	}
	return lint.Get(root, "services") != nil || lint.Get(root, "kubernetes_version") != nil || lint.Get(root, "system_images") != nil
}

// checkKubeletExtraArgs reads kubeadm's and Cluster API's kubeletExtraArgs,
// a map in kubeadm v1beta3 and a list of name/value pairs in v1beta4.
func checkKubeletExtraArgs(p *lint.Pass) {
	walkMappings(p.Object.Node, nil, func(m *yaml.Node, steps []lint.Step) {
		args := lint.Get(m, "kubeletExtraArgs")
		at := lint.NewFieldPath(appendStep(steps, lint.Key("kubeletExtraArgs"))...)
		report := func(name string, key, value *yaml.Node, field lint.FieldPath) {
			if msg := kubeletFlagMessage(name, lint.Scalar(value)); msg != "" {
				p.Reportf(key, field, "kubeletExtraArgs %s", msg)
			}
		}
		for k, v := range lint.Entries(args) {
			report(k.Value, k, v, at.Key(k.Value))
		}
		for i, item := range lint.Items(args) {
			name := lint.Get(item, "name")
			report(lint.Scalar(name), name, lint.Get(item, "value"), at.Index(i).Key("name"))
		}
	})
}

// checkKubeletFlags reads a container's command line for the kubelet's
// Docker flags, as a DaemonSet or static pod that runs the kubelet has.
func checkKubeletFlags(p *lint.Pass, c Container) {
	if !mayHaveKubeletFlag(c) {
		return
	}
	argv := containerArgv(c)
	if !containsKubelet(argv) && !entrypointIsKubelet(c) {
		return
	}
	// A kubelet started from a shell script has its flags in one word.
	var words []argWord
	for _, w := range argv {
		for f := range strings.FieldsSeq(w.value) {
			words = append(words, argWord{value: f, node: w.node, field: w.field})
		}
	}
	argv = words
	for i, w := range argv {
		name, value, hasValue := strings.Cut(strings.TrimLeft(w.value, "-"), "=")
		if !strings.HasPrefix(w.value, "--") {
			continue
		}
		if !hasValue && i+1 < len(argv) && !strings.HasPrefix(argv[i+1].value, "-") {
			value = argv[i+1].value
		}
		if msg := kubeletFlagMessage(name, value); msg != "" {
			p.Report(lint.Diagnostic{Node: w.node, Field: w.field, Message: "kubelet flag " + msg})
		}
	}
}

// mayHaveKubeletFlag is a quick test, allocating nothing, that passes
// every container whose command or args could hold a flag
// kubeletFlagMessage reports: the flag is written after at least two
// dashes, whether as a word of its own or inside a script. Nearly every
// container fails it, which spares building its command line and parsing
// its image.
func mayHaveKubeletFlag(c Container) bool {
	for _, key := range []string{"command", "args"} {
		for _, n := range lint.Items(lint.Get(c.Node, key)) {
			if n.Kind == yaml.ScalarNode && mayHoldKubeletFlag(n.Value) {
				return true
			}
		}
	}
	return false
}

func mayHoldKubeletFlag(v string) bool {
	return strings.Contains(v, "--container-runtime") || strings.Contains(v, "--docker-endpoint")
}

// containsKubelet tells a kubelet's command line from another program's
// that happens to take a --container-runtime flag.
func containsKubelet(argv []argWord) bool {
	for _, w := range argv {
		for word := range strings.FieldsSeq(w.value) {
			if word == "kubelet" || strings.HasSuffix(word, "/kubelet") {
				return true
			}
		}
	}
	return false
}

// entrypointIsKubelet reports whether a container without a command runs
// the kubelet as its image's entrypoint, its args being the kubelet's
// flags: the container is named kubelet, or its image's repository is
// kubelet or hyperkube.
func entrypointIsKubelet(c Container) bool {
	if lint.Get(c.Node, "command") != nil {
		return false
	}
	if c.Name == "kubelet" {
		return true
	}
	path := parseImagePattern(lint.Scalar(c.Image)).path
	return len(path) > 0 && (path[len(path)-1] == "kubelet" || path[len(path)-1] == "hyperkube")
}

// kubeletFlagMessage says why a kubelet flag (without its dashes) keeps the
// node on Docker Engine, or "".
func kubeletFlagMessage(name, value string) string {
	switch name {
	case "container-runtime":
		if value == "docker" {
			return "container-runtime=docker selects the dockershim, which the kubelet dropped in 1.24 (it then refuses " +
				"to start): remove it and set --container-runtime-endpoint to the runtime's CRI socket"
		}
	case "docker-endpoint":
		return "docker-endpoint points the kubelet's dockershim at Docker Engine; the flag was removed in 1.24 and the " +
			"kubelet refuses to start with it: remove it and set --container-runtime-endpoint to the runtime's CRI socket"
	}
	return ""
}

package rules

import (
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// The rules below read the configuration of CI systems and workflow
// engines that run their jobs' containers through Docker Engine: their pods
// look ordinary until a job runs.

const argoExecutorsDoc = "https://argo-workflows.readthedocs.io/en/latest/workflow-executors/"

var argoDockerExecutorRule = &lint.Rule{
	ID:       "argo-docker-executor",
	Name:     "Argo Workflows docker executor",
	Severity: lint.SeverityError,
	Summary:  "Finds Argo Workflows configured with containerRuntimeExecutor: docker, an executor that drives Docker Engine on the node.",
	Help: "Use the emissary executor (the default since Argo Workflows 3.3, the only one since 3.4): remove " +
		"containerRuntimeExecutor or set it to emissary, and check that workflows with output artifacts from base " +
		"layers still work, since emissary reads them differently.",
	HelpURL: argoExecutorsDoc,
	Doc: lint.RuleDoc{
		Rationale: "The docker executor runs `docker` against the node's /var/run/docker.sock to wait for and read the " +
			"main container. On containerd or CRI-O nodes there is no Docker Engine running the pods, so every workflow " +
			"step fails; Argo Workflows 3.4 removed the executor altogether.",
		Before: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: workflow-controller-configmap\ndata:\n  containerRuntimeExecutor: docker\n",
		After:  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: workflow-controller-configmap\ndata:\n  containerRuntimeExecutor: emissary\n",
	},
	Tags:      []string{"ci", "workflow"},
	Precision: "very-high",
	Check:     checkArgoExecutor,
}

var ciRunnerDockerSocketRule = &lint.Rule{
	ID:       "ci-runner-docker-socket",
	Name:     "CI runner job pods mount the Docker socket",
	Severity: lint.SeverityError,
	Summary: "Finds GitLab Runner config.toml and Jenkins Kubernetes-plugin pod templates (JCasC or chart values) " +
		"that mount /var/run/docker.sock into the job pods they create.",
	Help: "Build images without Docker Engine on the node: use Kaniko, BuildKit (rootless) or Buildah in the job, or " +
		"a Docker-in-Docker service container with its own daemon, and remove the docker.sock volume from the runner's " +
		"or the pod template's configuration.",
	HelpURL:          checkDockershimRemoval,
	SecuritySeverity: "8.8",
	Doc: lint.RuleDoc{
		Rationale: "The runner's own pod does not mount the socket: the job pods it creates do, from its configuration, " +
			"so the core rules cannot see it. On containerd or CRI-O nodes the socket is gone or belongs to a Docker " +
			"Engine that no longer runs the pods: `docker build` and `docker run` in jobs fail. The mount also gives every " +
			"job root on the node.",
		Before: "[[runners]]\n  [runners.kubernetes]\n    [[runners.kubernetes.volumes.host_path]]\n      name = \"docker\"\n" +
			"      mount_path = \"/var/run/docker.sock\"\n      host_path = \"/var/run/docker.sock\"\n",
		After: "[[runners]]\n  [runners.kubernetes]\n    privileged = false\n# and build with Kaniko or BuildKit in the job\n",
	},
	Tags:      []string{"ci", "security"},
	Precision: "high",
	Check:     checkCIRunnerSocket,
}

// ciRules are the rules that read CI systems' and workflow engines'
// configuration.
func ciRules() []*lint.Rule {
	return []*lint.Rule{argoDockerExecutorRule, ciRunnerDockerSocketRule}
}

const argoExecutorKey = "containerRuntimeExecutor"

func checkArgoExecutor(p *lint.Pass) {
	report := func(n *yaml.Node, field lint.FieldPath, what string) {
		p.Report(lint.Diagnostic{
			Node:  n,
			Field: field,
			Message: "Argo Workflows " + what + " uses the docker executor, which runs workflow steps through the node's Docker " +
				"Engine and was removed in Argo Workflows 3.4: use the emissary executor",
		})
	}
	obj := p.Object
	if obj.Kind == "ConfigMap" {
		// The controller's ConfigMap of Argo 2.x and early 3.x kept each
		// setting as its own data key.
		if v := lint.Path(obj.Node, "data", argoExecutorKey); lint.Scalar(v) == "docker" {
			report(v, lint.KeyPath("data", argoExecutorKey), "workflow controller")
		}
	}
	for _, doc := range configDocsOf(p) {
		root := doc.parseYAML(argoExecutorKey)
		roots := []configRoot{{node: root}}
		if doc.tree != nil {
			// The argo-workflows chart's values.
			roots = append(roots, configRoot{node: lint.Get(root, "controller"), steps: []lint.Step{lint.Key("controller")}})
		}
		for _, r := range roots {
			if v := lint.Get(r.node, argoExecutorKey); lint.Scalar(v) == "docker" {
				report(doc.locate(v), doc.fieldOf(appendStep(r.steps, lint.Key(argoExecutorKey))...), "workflow controller")
			}
			for i, ex := range lint.Items(lint.Get(r.node, argoExecutorKey+"s")) {
				if v := lint.Get(ex, "name"); lint.Scalar(v) == "docker" {
					report(doc.locate(v), doc.fieldOf(appendStep(r.steps, lint.Key(argoExecutorKey+"s"), lint.Index(i), lint.Key("name"))...),
						"workflow controller, for the workflows its selector matches,")
				}
			}
		}
	}
}

func checkCIRunnerSocket(p *lint.Pass) {
	for _, doc := range configDocsOf(p) {
		var hits []shipperHit
		if root := doc.parseTOML("docker.sock"); root != nil {
			hits = gitlabRunnerHits(root)
		} else if root := doc.parseYAML("docker.sock"); root != nil {
			hits = jenkinsHits(root, doc.tree != nil && doc.obj.Kind == "")
		}
		for _, h := range hits {
			p.Report(lint.Diagnostic{Node: doc.locate(h.node), Field: doc.fieldOf(h.steps...), Message: h.message})
		}
	}
}

// isDockerSocketHostPath reports whether a host path is Docker Engine's socket or the
// directory holding it.
func isDockerSocketHostPath(p string) bool {
	return dockerSocketKind(cleanHostPath(p)) != notSocket
}

// gitlabRunnerHits checks every runner of a GitLab Runner config.toml:
// `volumes` of the docker executor ("host:container[:mode]") and host_path
// volumes of the kubernetes executor, in both the old
// [[runners.kubernetes.host_path]] and the current
// [[runners.kubernetes.volumes.host_path]] form.
func gitlabRunnerHits(root *yaml.Node) []shipperHit {
	var hits []shipperHit
	for i, runner := range lint.Items(lint.Get(root, "runners")) {
		name := lint.Scalar(lint.Get(runner, "name"))
		if name == "" {
			name = "runner"
		}
		at := []lint.Step{lint.Key("runners"), lint.Index(i)}
		for j, vol := range lint.Items(lint.Path(runner, "docker", "volumes")) {
			host, _, ok := strings.Cut(lint.Scalar(vol), ":")
			if ok && isDockerSocketHostPath(host) {
				hits = append(hits, shipperHit{
					node: vol, steps: appendStep(at, lint.Key("docker"), lint.Key("volumes"), lint.Index(j)),
					message: "GitLab Runner " + name + " mounts " + host + " into every job container: " + ciSocketAdvice,
				})
			}
		}
		kube := lint.Get(runner, "kubernetes")
		for _, list := range [][]string{{"host_path"}, {"volumes", "host_path"}} {
			for j, vol := range lint.Items(lint.Path(kube, list...)) {
				if hp := lint.Get(vol, "host_path"); isDockerSocketHostPath(lint.Scalar(hp)) {
					steps := appendStep(at, lint.Key("kubernetes"))
					for _, k := range list {
						steps = append(steps, lint.Key(k))
					}
					hits = append(hits, shipperHit{
						node: hp, steps: append(steps, lint.Index(j), lint.Key("host_path")),
						message: "GitLab Runner " + name + " mounts the host's " + hp.Value + " into every job pod: " + ciSocketAdvice,
					})
				}
			}
		}
	}
	return hits
}

const ciSocketAdvice = "on containerd or CRI-O nodes Docker Engine is gone or no longer runs the pods, so docker commands in " +
	"jobs fail; build with Kaniko, BuildKit or Buildah instead, or run Docker-in-Docker as a service"

// jenkinsHits finds the Kubernetes plugin's pod template volumes: in JCasC
// (jenkins.clouds[].kubernetes.templates[].volumes[].hostPathVolume, and
// the same templates wherever a values file lists them) and in the jenkins
// chart's values for its default agent (agent.volumes[] of type HostPath).
func jenkinsHits(root *yaml.Node, values bool) []shipperHit {
	var hits []shipperHit
	walkMappings(root, nil, func(m *yaml.Node, steps []lint.Step) {
		if hp := lint.Path(m, "hostPathVolume", "hostPath"); isDockerSocketHostPath(lint.Scalar(hp)) {
			hits = append(hits, shipperHit{
				node: hp, steps: appendStep(steps, lint.Key("hostPathVolume"), lint.Key("hostPath")),
				message: "Jenkins Kubernetes-plugin pod template mounts the host's " + hp.Value + " into every agent pod: " + ciSocketAdvice,
			})
		}
	})
	if !values {
		return hits
	}
	for i, vol := range lint.Items(lint.Path(root, "agent", "volumes")) {
		if hp := lint.Get(vol, "hostPath"); lint.Scalar(lint.Get(vol, "type")) == "HostPath" && isDockerSocketHostPath(lint.Scalar(hp)) {
			hits = append(hits, shipperHit{
				node: hp, steps: []lint.Step{lint.Key("agent"), lint.Key("volumes"), lint.Index(i), lint.Key("hostPath")},
				message: "Jenkins chart's default agent pod template mounts the host's " + hp.Value + " into every agent pod: " + ciSocketAdvice,
			})
		}
	}
	return hits
}

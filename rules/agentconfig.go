package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// The rules below read agents' own configuration, which lives in
// ConfigMaps, collector resources and standalone files: an agent can use
// Docker Engine through its config without any Docker mount in its
// manifest. Configs are parsed, never grepped, so commented-out lines never
// match.

const (
	kubeletMetricsDoc = "https://github.com/signalfx/signalfx-agent/blob/main/docs/monitors/kubelet-metrics.md"
	kubeletStatsDoc   = "https://github.com/signalfx/signalfx-agent/blob/main/docs/monitors/kubelet-stats.md"
	kubeletStatsRecv  = "https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/main/receiver/kubeletstatsreceiver/README.md"
	fluentBitTailDoc  = "https://docs.fluentbit.io/manual/pipeline/inputs/tail#multiline-and-containers-v1.8"
)

var signalfxDockerStatsRule = &lint.Rule{
	ID:       "signalfx-docker-container-stats",
	Name:     "SignalFx docker-container-stats monitor",
	Severity: lint.SeverityError,
	Summary:  "Finds the SignalFx Smart Agent's docker-container-stats monitor, which reads container metrics from Docker Engine.",
	Help: "Remove the docker-container-stats monitor: with another runtime it reports wrong metrics when Docker is still " +
		"installed and nothing when it is not. Enable and configure the kubelet-metrics monitor instead, and review " +
		"dashboards and detectors, because the metric set changes.",
	HelpURL: kubeletMetricsDoc,
	Doc: lint.RuleDoc{
		Rationale: "The monitor talks to /var/run/docker.sock. On containerd or CRI-O nodes the socket is gone, or " +
			"belongs to a Docker Engine that no longer runs the pods, so container metrics stop or are wrong.",
		Before: "monitors:\n  - type: docker-container-stats\n    dockerURL: unix:///var/run/docker.sock\n",
		After:  "monitors:\n  - type: kubelet-metrics\n    kubeletAPI:\n      authType: serviceAccount\n",
	},
	Tags:      []string{"agent", "monitoring"},
	Precision: "very-high",
	Check:     func(p *lint.Pass) { checkSignalFx(p, "docker-container-stats", signalfxDockerStatsMessage) },
}

var signalfxKubeletStatsRule = &lint.Rule{
	ID:       "signalfx-kubelet-stats",
	Name:     "SignalFx kubelet-stats monitor",
	Severity: lint.SeverityNote,
	Summary:  "Finds the SignalFx Smart Agent's kubelet-stats monitor, deprecated in favour of kubelet-metrics.",
	Help: "Change the monitor's type to kubelet-metrics, which takes the same kubeletAPI settings; it is the monitor " +
		"SignalFx recommends for container metrics on every runtime.",
	HelpURL: kubeletStatsDoc,
	Doc: lint.RuleDoc{
		Rationale: "kubelet-stats reads the kubelet's deprecated cAdvisor endpoints. Moving off Docker is a good moment " +
			"to switch to kubelet-metrics, which the Docker migration guidance is built on.",
		Before: "monitors:\n  - type: kubelet-stats\n    kubeletAPI:\n      authType: serviceAccount\n",
		After:  "monitors:\n  - type: kubelet-metrics\n    kubeletAPI:\n      authType: serviceAccount\n",
	},
	Tags:      []string{"agent", "monitoring"},
	Precision: "very-high",
	Check:     func(p *lint.Pass) { checkSignalFx(p, "kubelet-stats", signalfxKubeletStatsMessage) },
}

var otelDockerStatsRule = &lint.Rule{
	ID:       "otel-docker-stats",
	Name:     "OpenTelemetry docker_stats receiver",
	Severity: lint.SeverityWarning,
	Summary:  "Finds the OpenTelemetry Collector's docker_stats receiver, which reads container stats from Docker Engine's API.",
	Help: "On containerd or CRI-O nodes there is no Docker API to read. Collect container metrics with the kubeletstats " +
		"receiver and remove docker_stats from the pipelines (and its Docker socket mount).",
	HelpURL: kubeletStatsRecv,
	Doc: lint.RuleDoc{
		Rationale: "docker_stats polls the Docker Engine API at /var/run/docker.sock. Without Docker Engine the receiver " +
			"fails to start or reports nothing, and container metrics silently disappear.",
		Before: "receivers:\n  docker_stats:\n    endpoint: unix:///var/run/docker.sock\nservice:\n  pipelines:\n    metrics:\n      receivers: [docker_stats]\n",
		After:  "receivers:\n  kubeletstats:\n    auth_type: serviceAccount\nservice:\n  pipelines:\n    metrics:\n      receivers: [kubeletstats]\n",
	},
	Tags:      []string{"agent", "monitoring"},
	Precision: "high",
	Check:     checkOTelDockerStats,
}

// configRules are the rules that read agents' configuration.
func configRules() []*lint.Rule {
	return []*lint.Rule{signalfxDockerStatsRule, signalfxKubeletStatsRule, otelDockerStatsRule, logFormatRule, agentConfigDockerRule}
}

func signalfxDockerStatsMessage(where string) string {
	return where + " reads container metrics from Docker Engine: remove it (with another runtime it reports wrong " +
		"metrics when Docker is installed and nothing when it is not), enable and configure kubelet-metrics, and " +
		"review dashboards and alerts because the metric set changes"
}

func signalfxKubeletStatsMessage(where string) string {
	return where + " is deprecated in favour of kubelet-metrics: change the type to kubelet-metrics, which takes the " +
		"same kubeletAPI settings"
}

// signalfxAgentKeys are top-level keys only the Smart Agent's agent.yaml
// has; a standalone file needs one beside `monitors` to be taken for it.
var signalfxAgentKeys = []string{"signalFxAccessToken", "signalFxRealm", "ingestUrl", "apiUrl", "intervalSeconds", "observers", "collectd", "writer"}

// checkSignalFx reports monitors of type monitorType in Smart Agent
// configs and in the Splunk OpenTelemetry Collector's smartagent receivers.
func checkSignalFx(p *lint.Pass, monitorType string, message func(string) string) {
	for _, doc := range configDocsOf(p) {
		root := doc.parseYAML(monitorType)
		if root == nil {
			continue
		}
		if monitors := lint.Get(root, "monitors"); monitors != nil && monitors.Kind == yaml.SequenceNode && isSignalFxConfig(doc, root) {
			for i, m := range lint.Items(monitors) {
				typ := lint.Get(m, "type")
				if lint.Scalar(typ) != monitorType || isTrue(lint.Get(m, "disabled")) {
					continue
				}
				p.Report(lint.Diagnostic{
					Node:    doc.locate(typ),
					Field:   doc.fieldOf(lint.Key("monitors"), lint.Index(i), lint.Key("type")),
					Message: message("SignalFx Smart Agent monitor " + monitorType),
				})
			}
		}
		for name, recv := range lint.Entries(lint.Get(root, "receivers")) {
			if name.Value != "smartagent" && !strings.HasPrefix(name.Value, "smartagent/") {
				continue
			}
			typ := lint.Get(recv, "type")
			if lint.Scalar(typ) != monitorType || !receiverActive(root, name.Value) {
				continue
			}
			p.Report(lint.Diagnostic{
				Node:    doc.locate(typ),
				Field:   doc.fieldOf(lint.Key("receivers"), lint.Key(name.Value), lint.Key("type")),
				Message: message("Splunk OpenTelemetry Collector receiver " + name.Value + " runs the Smart Agent monitor " + monitorType + ", which"),
			})
		}
	}
}

// isSignalFxConfig tells the agent's config from any YAML with a monitors
// list: inside a ConfigMap the list is enough, a file of its own must also
// carry an agent setting.
func isSignalFxConfig(doc configDoc, root *yaml.Node) bool {
	if doc.obj.Kind != "" {
		return true
	}
	return slices.ContainsFunc(signalfxAgentKeys, func(k string) bool { return lint.Get(root, k) != nil })
}

// isTrue reads a boolean the way the Smart Agent (a yaml.v2 program) does,
// where an unquoted yes or on is true as well.
func isTrue(n *yaml.Node) bool {
	if n == nil || n.Kind != yaml.ScalarNode || n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		return false
	}
	switch strings.ToLower(n.Value) {
	case "true", "yes", "on":
		return true
	}
	return false
}

// receiverActive reports whether a collector config uses a receiver. A
// receiver no pipeline names does not run; a config without pipelines (a
// fragment merged with others) is given the benefit of the doubt.
func receiverActive(root *yaml.Node, receiver string) bool {
	pipelines := lint.Path(root, "service", "pipelines")
	if pipelines == nil {
		return true
	}
	for _, pipeline := range lint.Entries(pipelines) {
		for _, r := range lint.Items(lint.Get(pipeline, "receivers")) {
			if r.Value == receiver {
				return true
			}
		}
	}
	return false
}

func checkOTelDockerStats(p *lint.Pass) {
	for _, doc := range configDocsOf(p) {
		root := doc.parseYAML("docker_stats")
		for name, recv := range lint.Entries(lint.Get(root, "receivers")) {
			if name.Value != "docker_stats" && !strings.HasPrefix(name.Value, "docker_stats/") {
				continue
			}
			if !receiverActive(root, name.Value) {
				continue
			}
			endpoint := lint.Scalar(lint.Get(recv, "endpoint"))
			if endpoint == "" {
				endpoint = "unix:///var/run/docker.sock"
			}
			p.Report(lint.Diagnostic{
				Node:  doc.locate(name),
				Field: doc.fieldOf(lint.Key("receivers"), lint.Key(name.Value)),
				Message: fmt.Sprintf("OpenTelemetry Collector receiver %s reads container stats from Docker Engine's API at %s, "+
					"which containerd and CRI-O nodes do not have: collect container metrics with the kubeletstats receiver instead",
					name.Value, endpoint),
			})
		}
	}
}

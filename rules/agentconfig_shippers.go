package rules

import (
	"slices"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

var agentConfigDockerRule = &lint.Rule{
	ID:       "agent-config-docker",
	Name:     "Log shipper or collector reading Docker Engine",
	Severity: lint.SeverityWarning,
	Summary: "Finds log shippers and collectors configured to read Docker's JSON logs or its API: Promtail's docker " +
		"stage, Filebeat's docker input, the Beats' docker autodiscover provider and add_docker_metadata processor, " +
		"Metricbeat's docker module, Vector's " +
		"docker_logs source, Telegraf's docker and docker_log inputs and the OpenTelemetry Collector's docker_observer.",
	Help: "Switch each to its runtime-neutral counterpart: Promtail `cri: {}` instead of `docker: {}`; Filebeat's " +
		"filestream input with the container parser (or `type: container`) and add_kubernetes_metadata; Metricbeat's " +
		"kubernetes module; Vector's kubernetes_logs source; Telegraf's kubernetes input and a tail of /var/log/pods; " +
		"the Collector's k8s_observer. Then drop the Docker socket mount the agent no longer needs.",
	HelpURL: migrationGuide,
	Doc: lint.RuleDoc{
		Rationale: "These settings read /var/lib/docker/containers in Docker's json-file format or ask Docker Engine's " +
			"API at /var/run/docker.sock. On containerd or CRI-O nodes the log lines are in the CRI format and no Docker " +
			"API answers, so logs stop being parsed, and container metrics and metadata silently disappear.",
		Before: "scrape_configs:\n  - job_name: kubernetes-pods\n    pipeline_stages:\n      - docker: {}\n",
		After:  "scrape_configs:\n  - job_name: kubernetes-pods\n    pipeline_stages:\n      - cri: {}\n",
	},
	Tags:      []string{"agent", "logging", "monitoring"},
	Precision: "high",
	Check:     checkAgentConfigDocker,
}

// shipperHit is one setting that reads Docker Engine, found in a config
// tree at steps.
type shipperHit struct {
	node    *yaml.Node
	steps   []lint.Step
	message string
}

func checkAgentConfigDocker(p *lint.Pass) {
	for _, doc := range configDocsOf(p) {
		var hits []shipperHit
		if root := doc.parseYAML("docker"); root != nil {
			hits = yamlShipperHits(root, doc.tree != nil && doc.obj.Kind == "")
		} else if root := doc.parseTOML("docker"); root != nil {
			hits = tomlShipperHits(root)
		}
		for _, h := range hits {
			p.Report(lint.Diagnostic{Node: doc.locate(h.node), Field: doc.fieldOf(h.steps...), Message: h.message})
		}
	}
}

// yamlShipperHits checks a YAML config. A chart's values file (values)
// also holds configs under config (Promtail, Telegraf, the Collector) and
// customConfig (Vector).
func yamlShipperHits(root *yaml.Node, values bool) []shipperHit {
	var hits []shipperHit
	beats := beatsOf(root)
	walkMappings(root, nil, func(m *yaml.Node, steps []lint.Step) {
		last := lastKey(steps)
		for k, v := range lint.Entries(m) {
			at := appendStep(steps, lint.Key(k.Value))
			switch {
			case (k.Value == "pipeline_stages" || k.Value == "pipelineStages" || k.Value == "stages" && last == "match") && v.Kind == yaml.SequenceNode:
				hits = append(hits, promtailHits(v, at)...)
			case k.Value == "processors" && v.Kind == yaml.SequenceNode:
				for i, item := range lint.Items(v) {
					if key, _ := lint.GetEntry(item, "add_docker_metadata"); key != nil {
						hits = append(hits, shipperHit{
							node: key, steps: appendStep(at, lint.Index(i), lint.Key(key.Value)),
							message: "Beats processor add_docker_metadata asks Docker Engine's API for container metadata, which containerd and " +
								"CRI-O nodes do not have: use add_kubernetes_metadata instead",
						})
					}
				}
			}
		}
		// Inputs and modules are list items, or autodiscover's hints
		// default_config.
		if !isListItem(steps) && last != "default_config" && !strings.HasSuffix(last, ".default_config") || isFalse(lint.Get(m, "enabled")) {
			return
		}
		typ := lint.Get(m, "type")
		switch {
		case lint.Scalar(typ) != "docker":
		case listKey(steps) == "providers" && (beats["filebeat"] || beats["metricbeat"]):
			hits = append(hits, shipperHit{
				node: typ, steps: appendStep(steps, lint.Key("type")),
				message: "Beats autodiscover provider docker watches Docker Engine's events, which containerd and CRI-O nodes do " +
					"not have: use the kubernetes provider instead",
			})
		case beats["filebeat"]:
			hits = append(hits, shipperHit{
				node: typ, steps: appendStep(steps, lint.Key("type")),
				message: "Filebeat input type docker reads /var/lib/docker/containers in Docker's json-file format, which containerd " +
					"and CRI-O nodes do not write: read /var/log/containers/*.log with the filestream input and its container parser " +
					"(or the older container input)",
			})
		}
		if mod := lint.Get(m, "module"); beats["metricbeat"] && lint.Scalar(mod) == "docker" {
			hits = append(hits, shipperHit{
				node: mod, steps: appendStep(steps, lint.Key("module")),
				message: "Metricbeat module docker reads container metrics from Docker Engine's API, which containerd and CRI-O " +
					"nodes do not have: use the kubernetes module (its container and pod metricsets) instead",
			})
		}
	})
	roots := []configRoot{{node: root}}
	if values {
		for _, key := range []string{"config", "customConfig"} {
			if sub := mappingOrNil(lint.Get(root, key)); sub != nil {
				roots = append(roots, configRoot{node: sub, steps: []lint.Step{lint.Key(key)}})
			}
		}
	}
	for _, r := range roots {
		hits = append(hits, vectorHits(r)...)
		hits = append(hits, otelObserverHits(r)...)
		if values && len(r.steps) > 0 {
			// The Telegraf chart lists inputs as config.inputs: [{docker: {...}}].
			for i, item := range lint.Items(lint.Get(r.node, "inputs")) {
				for k := range lint.Entries(item) {
					if k.Value == "docker" || k.Value == "docker_log" {
						hits = append(hits, telegrafHit(k, appendStep(r.steps, lint.Key("inputs"), lint.Index(i), lint.Key(k.Value)), k.Value))
					}
				}
			}
		}
	}
	return hits
}

// configRoot is a config tree and where it sits in its document.
type configRoot struct {
	node  *yaml.Node
	steps []lint.Step
}

// beatsOf tells which Beats a config belongs to, from its top-level keys
// (filebeat.inputs, metricbeat: {modules: ...}). Only in a Beat's own config
// are `type: docker` and `module: docker` its input and module.
func beatsOf(root *yaml.Node) map[string]bool {
	beats := map[string]bool{}
	for k := range lint.Entries(root) {
		name, _, _ := strings.Cut(k.Value, ".")
		if name == "filebeat" || name == "metricbeat" {
			beats[name] = true
		}
	}
	return beats
}

func promtailHits(stages *yaml.Node, at []lint.Step) []shipperHit {
	var hits []shipperHit
	for i, stage := range lint.Items(stages) {
		if key, _ := lint.GetEntry(stage, "docker"); key != nil {
			hits = append(hits, shipperHit{
				node: key, steps: appendStep(at, lint.Index(i), lint.Key("docker")),
				message: "Promtail pipeline stage docker parses Docker's JSON log lines; on containerd and CRI-O nodes the lines are " +
					"in the CRI format: use the cri stage (cri: {}) instead, otherwise logs silently stop parsing after the switch",
			})
		}
	}
	return hits
}

// vectorHits finds Vector sources of type docker_logs.
func vectorHits(r configRoot) []shipperHit {
	var hits []shipperHit
	for name, source := range lint.Entries(lint.Get(r.node, "sources")) {
		if typ := lint.Get(source, "type"); lint.Scalar(typ) == "docker_logs" {
			hits = append(hits, shipperHit{
				node: typ, steps: appendStep(r.steps, lint.Key("sources"), lint.Key(name.Value), lint.Key("type")),
				message: "Vector source " + name.Value + " of type docker_logs reads logs from Docker Engine's API, which containerd and " +
					"CRI-O nodes do not have: use the kubernetes_logs source instead",
			})
		}
	}
	return hits
}

// otelObserverHits finds the Collector's docker_observer extension where
// the service enables it (or where the config has no service section, a
// fragment merged with others).
func otelObserverHits(r configRoot) []shipperHit {
	var hits []shipperHit
	service := lint.Get(r.node, "service")
	for name := range lint.Entries(lint.Get(r.node, "extensions")) {
		if name.Value != "docker_observer" && !strings.HasPrefix(name.Value, "docker_observer/") {
			continue
		}
		if service != nil && !slices.ContainsFunc(itemsOf(lint.Get(service, "extensions")), func(n *yaml.Node) bool { return n.Value == name.Value }) {
			continue
		}
		hits = append(hits, shipperHit{
			node: name, steps: appendStep(r.steps, lint.Key("extensions"), lint.Key(name.Value)),
			message: "OpenTelemetry Collector extension " + name.Value + " discovers containers through Docker Engine's API, which " +
				"containerd and CRI-O nodes do not have: use the k8s_observer extension instead",
		})
	}
	return hits
}

// tomlShipperHits checks Telegraf's telegraf.conf and Vector's vector.toml.
func tomlShipperHits(root *yaml.Node) []shipperHit {
	var hits []shipperHit
	for k, v := range lint.Entries(lint.Get(root, "inputs")) {
		if k.Value != "docker" && k.Value != "docker_log" {
			continue
		}
		if v.Kind != yaml.SequenceNode {
			hits = append(hits, telegrafHit(k, []lint.Step{lint.Key("inputs"), lint.Key(k.Value)}, k.Value))
			continue
		}
		for i, item := range lint.Items(v) {
			hits = append(hits, telegrafHit(item, []lint.Step{lint.Key("inputs"), lint.Key(k.Value), lint.Index(i)}, k.Value))
		}
	}
	return append(hits, vectorHits(configRoot{node: root})...)
}

func telegrafHit(n *yaml.Node, steps []lint.Step, plugin string) shipperHit {
	msg := "Telegraf input docker reads container metrics from Docker Engine's API, which containerd and CRI-O nodes do " +
		"not have: use the kubernetes input (the kubelet's stats) instead"
	if plugin == "docker_log" {
		msg = "Telegraf input docker_log reads container logs from Docker Engine's API, which containerd and CRI-O nodes do " +
			"not have: tail /var/log/pods with the tail input instead"
	}
	return shipperHit{node: n, steps: steps, message: msg}
}

// walkMappings calls visit with every mapping of the tree and its path,
// the root's included. Aliases are not followed: what they name is visited
// where it is written.
func walkMappings(n *yaml.Node, steps []lint.Step, visit func(m *yaml.Node, steps []lint.Step)) {
	switch n.Kind {
	case yaml.MappingNode:
		visit(n, steps)
		for i := 0; i+1 < len(n.Content); i += 2 {
			walkMappings(n.Content[i+1], appendStep(steps, lint.Key(n.Content[i].Value)), visit)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			walkMappings(item, appendStep(steps, lint.Index(i)), visit)
		}
	}
}

// appendStep appends to a copy of steps, so that paths handed out while
// walking never share a backing array.
func appendStep(steps []lint.Step, more ...lint.Step) []lint.Step {
	return append(slices.Clip(steps), more...)
}

func lastKey(steps []lint.Step) string {
	if len(steps) == 0 {
		return ""
	}
	k, _ := steps[len(steps)-1].Key()
	return k
}

// listKey is the key of the list a list item at steps belongs to.
func listKey(steps []lint.Step) string {
	if !isListItem(steps) {
		return ""
	}
	return lastKey(steps[:len(steps)-1])
}

func isListItem(steps []lint.Step) bool {
	if len(steps) == 0 {
		return false
	}
	_, ok := steps[len(steps)-1].Index()
	return ok
}

// isFalse reads a disabling boolean the way Beats (yaml.v2 programs) do.
func isFalse(n *yaml.Node) bool {
	if n == nil || n.Kind != yaml.ScalarNode {
		return false
	}
	switch strings.ToLower(n.Value) {
	case "false", "no", "off":
		return true
	}
	return false
}

func itemsOf(n *yaml.Node) []*yaml.Node {
	var items []*yaml.Node
	for _, item := range lint.Items(n) {
		items = append(items, item)
	}
	return items
}

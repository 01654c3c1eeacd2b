package rules

import (
	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// evidence is one Docker Engine dependency a detector found. The core rules
// report each piece of evidence as a finding; the vendor-agent rules cite the
// same evidence ("mounts /var/run (volume runtime-socket)") to decide their
// severity, so both always agree on what counts as a Docker dependency.
type evidence struct {
	rule     string
	node     *yaml.Node
	field    lint.FieldPath
	severity lint.Severity // zero: the rule's default
	// message is the finding's full message.
	message string
	// summary is a short phrase an agent finding quotes, such as
	// "mounts /var/run (volume runtime-socket)".
	summary string
	// container names the container the evidence is in, when it is in
	// one: an agent finding names each container once per summary.
	container string
	related   []lint.RelatedNode
	// within is the scalar whose text holds node, when node is placed
	// inside it (a script's line).
	within *yaml.Node
}

// inContainer records that evidence was found in the container named name.
func inContainer(evidence []evidence, name string) {
	for i := range evidence {
		evidence[i].container = name
	}
}

// detector finds evidence in the object being checked.
type detector func(p *lint.Pass) []evidence

// reportEvidence builds a rule check from a detector.
func reportEvidence(detect detector) func(*lint.Pass) {
	return func(p *lint.Pass) {
		if p.Object.Kind == "" {
			// A document that is not a Kubernetes object, such as a CI
			// workflow that mentions docker.sock, deploys nothing.
			return
		}
		for _, e := range detect(p) {
			p.Report(lint.Diagnostic{
				Node:     e.node,
				Field:    e.field,
				Message:  e.message,
				Severity: e.severity,
				Related:  e.related,
				Within:   e.within,
			})
		}
	}
}

// dockerEvidence is everything the core rules find in the object being
// checked.
func dockerEvidence(p *lint.Pass) []evidence {
	var all []evidence
	for _, detect := range coreDetectors {
		all = append(all, detect(p)...)
	}
	return all
}

package rules

import (
	"slices"
	"sync"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

// migrationGuide is the Kubernetes page on agents that depend on Docker
// Engine; rules link it where no more specific page exists.
const migrationGuide = "https://kubernetes.io/docs/tasks/administer-cluster/migrating-from-dockershim/migrating-telemetry-and-security-agents/"

// The core rules' IDs are constants so that detectors can name their rule
// without an initialization cycle through the rule's Check.
const (
	dockerSocketID     = "docker-socket"
	dockerDataDirID    = "docker-data-dir"
	dockerHostEnvID    = "docker-host-env"
	dockerCLIID        = "docker-cli"
	dockershimSocketID = "dockershim-socket"
)

// coreDetectors are the detectors of the core Docker-dependency rules, whose
// evidence the vendor-agent rules cite.
var coreDetectors = []detector{
	detectDockerSocket,
	detectDockerDataDir,
	detectDockerHostEnv,
	detectDockerCLI,
	detectDockershimSocket,
}

// all builds every rule, in the order reports list them: the core rules,
// then the vendor-agent rules. It runs once, on first use, so that rule
// tables are not read by programs that never lint. New rules and rule sets
// are added to this list and nowhere else.
var all = sync.OnceValue(func() []*lint.Rule {
	return slices.Concat(
		Core(),
		[]*lint.Rule{policyDockerHostPathRule},
		vendorRules(),
		ciRules(),
		nodeRules(),
		lint.SuppressionRules(),
	)
})

// Core returns the five rules that find a Docker Engine dependency in any
// workload, without the vendor-agent and agent-configuration rules.
func Core() []*lint.Rule {
	return []*lint.Rule{
		dockerSocketRule,
		dockerDataDirRule,
		dockerHostEnvRule,
		dockerCLIRule,
		dockershimSocketRule,
	}
}

// All returns every rule, in the order reports list them. The slice is a
// copy: callers may filter or reorder it.
func All() []*lint.Rule {
	return slices.Clone(all())
}

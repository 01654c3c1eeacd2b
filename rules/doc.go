// Package rules holds dockershim-lint's checks: the Docker Engine
// dependencies of workloads and node configuration, and the vendor agents
// that historically needed Docker. All lists every rule.
package rules

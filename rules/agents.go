package rules

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// Agent is one vendor agent as rules/agents.yaml and users' config files
// describe it. Each becomes one rule (AgentRules), so adding a vendor is a
// data change only.
type Agent struct {
	ID     string      `yaml:"id"`
	Name   string      `yaml:"name"`
	Status AgentStatus `yaml:"status"`
	// Names identify the agent in workload, container and app-label names;
	// each is a token sequence ("datadog-agent"), matched on whole tokens.
	Names       []string        `yaml:"names"`
	Images      []AgentImage    `yaml:"images"`
	OtherImages []string        `yaml:"otherImages"`
	Operators   []AgentOperator `yaml:"operators"`
	Link        string          `yaml:"link"`
	// Change says what to change in a sentence or two; findings quote it.
	Change string `yaml:"change"`
	// Guidance is the vendor's advice in one paragraph: the rule's help.
	Guidance  string   `yaml:"guidance"`
	Rationale string   `yaml:"rationale"`
	Before    string   `yaml:"before"`
	After     string   `yaml:"after"`
	Tags      []string `yaml:"tags"`
	Precision string   `yaml:"precision"`
}

// AgentStatus is what the vendor says about runtimes other than Docker.
type AgentStatus string

const (
	// StatusMigrate: current versions support containerd and CRI-O, but a
	// deployment made for Docker must change.
	StatusMigrate AgentStatus = "migrate"
	// StatusNoChange: the agent works on any runtime as deployed.
	StatusNoChange AgentStatus = "no-change"
	// StatusUnsupported: the agent only works with Docker Engine.
	StatusUnsupported AgentStatus = "unsupported"
)

// AgentImage is an image repository that identifies an agent.
type AgentImage struct {
	// Repository is a path such as "datadog/agent", matched against the end
	// of an image's path whatever its registry, tag and digest; a leading
	// host ("registry.aquasec.com/enforcer") must match too.
	Repository string `yaml:"repository"`
	// DockerOnly marks images that only ever worked with Docker Engine.
	DockerOnly bool `yaml:"dockerOnly"`
	// Note says why the image is Docker-only; findings quote it.
	Note string `yaml:"note"`
	// Versions replace the agent's Change for images whose tag is a
	// version at or above one of theirs: advice to upgrade reads wrong on
	// an image that already is the version it asks for. The last that
	// applies wins; a tag that is no version ("latest", a digest) keeps
	// the agent's Change.
	Versions []AgentVersion `yaml:"versions"`
}

// AgentVersion is the advice for an image from a version on.
type AgentVersion struct {
	// Since is a version such as "6" or "7.40.1", compared with the
	// image's tag component by component.
	Since  string `yaml:"since"`
	Change string `yaml:"change"`
}

// AgentOperator is a custom resource from which an operator creates the
// agent's DaemonSet.
type AgentOperator struct {
	Group string `yaml:"group"`
	Kind  string `yaml:"kind"`
}

//go:embed agents.yaml
var builtinAgentsYAML []byte

// builtinAgents is parsed on first use, not at start-up: commands that run
// no rule should not pay for it.
var builtinAgents = sync.OnceValues(func() ([]Agent, error) {
	return ParseAgents(builtinAgentsYAML)
})

// BuiltinAgents returns the vendor agents shipped with the linter. The
// slice is a copy, so a config loader may append to it.
func BuiltinAgents() []Agent {
	agents, err := builtinAgents()
	if err != nil {
		// The file is embedded and checked by tests: failing here is a
		// build defect, not bad input.
		panic("rules/agents.yaml: " + err.Error())
	}
	return append([]Agent(nil), agents...)
}

// ParseAgents decodes and validates a list of agents. Unknown fields are
// errors, so a typo in a user's config does not silently drop a setting;
// errors name the line.
func ParseAgents(data []byte) ([]Agent, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var agents []Agent
	if err := dec.Decode(&agents); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if err := ValidateAgents(agents); err != nil {
		return nil, err
	}
	return agents, nil
}

var kebabCase = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

var precisions = map[string]bool{"": true, "very-high": true, "high": true, "medium": true, "low": true}

// Validate checks one agent on its own.
func (a *Agent) Validate() error {
	var errs []error
	if !kebabCase.MatchString(a.ID) {
		errs = append(errs, fmt.Errorf("id %q is not kebab-case", a.ID))
	}
	switch a.Status {
	case StatusMigrate, StatusNoChange, StatusUnsupported:
	default:
		errs = append(errs, fmt.Errorf("status %q is not one of migrate, no-change, unsupported", a.Status))
	}
	if strings.TrimSpace(a.Name) == "" {
		errs = append(errs, errors.New("name is empty"))
	}
	if !strings.HasPrefix(a.Link, "https://") && !strings.HasPrefix(a.Link, "http://") {
		errs = append(errs, fmt.Errorf("link %q is not an http(s) URL", a.Link))
	}
	if strings.TrimSpace(a.Change) == "" {
		errs = append(errs, errors.New("change is empty"))
	}
	if len(a.Names) == 0 && len(a.Images) == 0 && len(a.Operators) == 0 {
		errs = append(errs, errors.New("no names, images or operators to match"))
	}
	for _, n := range a.Names {
		if len(tokens(n)) == 0 {
			errs = append(errs, fmt.Errorf("name %q has no tokens", n))
		}
	}
	for _, img := range a.Images {
		if len(parseImagePattern(img.Repository).path) == 0 {
			errs = append(errs, fmt.Errorf("image repository %q is empty", img.Repository))
		}
		for _, v := range img.Versions {
			if _, ok := parseVersion(v.Since); !ok {
				errs = append(errs, fmt.Errorf("image %q: version %q is not a version such as 6 or 7.40.1", img.Repository, v.Since))
			}
			if strings.TrimSpace(v.Change) == "" {
				errs = append(errs, fmt.Errorf("image %q: version %q has no change", img.Repository, v.Since))
			}
		}
	}
	for _, op := range a.Operators {
		if op.Group == "" || op.Kind == "" {
			errs = append(errs, fmt.Errorf("operator %q/%q needs both group and kind", op.Group, op.Kind))
		}
	}
	for _, tag := range a.Tags {
		// SARIF readers treat "security" as a claim backed by a
		// security-severity score, which only the core rules carry.
		if !kebabCase.MatchString(tag) || tag == "security" {
			errs = append(errs, fmt.Errorf("tag %q is not a kebab-case word other than security", tag))
		}
	}
	if !precisions[a.Precision] {
		errs = append(errs, fmt.Errorf("precision %q is not one of very-high, high, medium, low", a.Precision))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("agent %q: %w", a.ID, err)
	}
	return nil
}

// ValidateAgents checks every agent and that ids are unique among them: a
// config loader passes the built-in agents and the user's together.
func ValidateAgents(agents []Agent) error {
	var errs []error
	seen := map[string]bool{}
	for i := range agents {
		if err := agents[i].Validate(); err != nil {
			errs = append(errs, err)
		}
		if seen[agents[i].ID] {
			errs = append(errs, fmt.Errorf("agent id %q is defined twice", agents[i].ID))
		}
		seen[agents[i].ID] = true
	}
	return errors.Join(errs...)
}

// AgentRules turns agents into rules, one per agent, in order.
func AgentRules(agents []Agent) ([]*lint.Rule, error) {
	if err := ValidateAgents(agents); err != nil {
		return nil, err
	}
	out := make([]*lint.Rule, len(agents))
	for i := range agents {
		out[i] = newAgentRule(compileAgent(agents[i]))
	}
	return out, nil
}

// agentRules are the rules of the built-in agents.
var agentRules = sync.OnceValue(func() []*lint.Rule {
	rules, err := AgentRules(BuiltinAgents())
	if err != nil {
		panic("rules/agents.yaml: " + err.Error())
	}
	return rules
})

func newAgentRule(a *compiledAgent) *lint.Rule {
	severity := lint.SeverityError
	if a.Status == StatusNoChange {
		severity = lint.SeverityNote
	}
	precision := a.Precision
	if precision == "" {
		precision = "high"
	}
	summary := fmt.Sprintf("Finds %s, which %s.", a.Name, statusPhrase[a.Status])
	return &lint.Rule{
		ID:       a.ID,
		Name:     a.Name,
		Severity: severity,
		Summary:  summary,
		Help:     strings.TrimSpace(a.Guidance + "\n\n" + a.Change),
		HelpURL:  a.Link,
		Doc: lint.RuleDoc{
			Rationale: a.Rationale,
			Before:    a.Before,
			After:     a.After,
		},
		Tags:      append([]string{"agent"}, a.Tags...),
		Precision: precision,
		Check:     a.check,
	}
}

var statusPhrase = map[AgentStatus]string{
	StatusMigrate:     "needs a change when nodes move from Docker Engine to containerd or CRI-O",
	StatusNoChange:    "works on any container runtime (reported so the agent inventory is complete)",
	StatusUnsupported: "does not support container runtimes other than Docker Engine",
}

// vendorRules are the vendor-agent rules and the agent-configuration rules,
// in the order reports list them; All() appends them after the core rules.
func vendorRules() []*lint.Rule {
	return slices.Concat(agentRules(), configRules())
}

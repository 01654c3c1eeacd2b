package lint

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Rule is a check plus the documentation that travels with it. The same
// value feeds diagnostics, `rules --explain`, the SARIF driver and docs/rules,
// so none of them can drift from the code.
type Rule struct {
	ID       string
	Name     string
	Severity Severity
	// Summary is one sentence: what the rule finds.
	Summary string
	// Help says what to change; it is plain text, shown by `rules --explain`
	// and in SARIF help.
	Help    string
	HelpURL string
	Doc     RuleDoc
	// Tags are SARIF rule tags beyond the ones every rule has.
	Tags []string
	// Precision is SARIF's properties.precision: very-high, high, medium, low.
	Precision string
	// SecuritySeverity is GitHub's properties.security-severity, a score from
	// 0.0 to 10.0, set on rules whose finding grants node-level access.
	SecuritySeverity string
	Check            func(*Pass)
}

// RuleDoc is the long-form documentation of a rule.
type RuleDoc struct {
	// Rationale says why the finding breaks after the dockershim removal.
	Rationale string
	// Before and After are YAML examples: a failing snippet and its fix.
	Before string
	After  string
}

// Pass is what a rule sees when it checks one object: the object, every
// object of the same input (a file, a chart release, a kustomization build;
// for a BatchInput, the same batch) for cross-object checks, and a way to
// report.
type Pass struct {
	Rule    *Rule
	Object  *Object
	Objects []*Object

	findings []Finding
	// memo is shared by every rule checking Object; see Memo. An object
	// holds a handful of memos, which a scan finds sooner than a map
	// hashes its interface keys: every rule of every object asks.
	memo []memoEntry
}

type memoEntry struct{ key, value any }

// Memo returns the value stored under key for the object being checked,
// calling compute the first time any rule asks. Rules use it to share work
// that depends only on the object, such as splitting a workload's images
// and names once for every vendor rule. Keys should be values of an
// unexported type, as with context.Context.
func Memo[T any](p *Pass, key any, compute func() T) T {
	for _, e := range p.memo {
		if e.key == key {
			return e.value.(T)
		}
	}
	// compute may ask for other memos, so the entry is added after it.
	v := compute()
	if p.memo == nil {
		// Room for every memo the rules keep, allocated once per input.
		p.memo = make([]memoEntry, 0, 8)
	}
	p.memo = append(p.memo, memoEntry{key: key, value: v})
	return v
}

// Diagnostic is what a rule reports; the engine turns it into a Finding by
// locating its nodes.
type Diagnostic struct {
	Node    *yaml.Node
	Field   FieldPath
	Message string
	// Severity overrides the rule's default when the evidence warrants it.
	Severity Severity
	Related  []RelatedNode
	// Within, when set, is the scalar whose text Node is placed in (a
	// line of a script written as a block): an ignore comment that covers
	// the scalar covers the finding too.
	Within *yaml.Node
}

// RelatedNode is a node worth showing next to the finding, of the object
// being checked unless Object names another of the same input (the
// container that reads a ConfigMap's value).
type RelatedNode struct {
	Node    *yaml.Node
	Field   FieldPath
	Message string
	Object  *Object
}

// Reportf reports a finding at node n, found at field, with the rule's default
// severity.
func (p *Pass) Reportf(n *yaml.Node, field FieldPath, format string, args ...any) {
	p.Report(Diagnostic{Node: n, Field: field, Message: fmt.Sprintf(format, args...)})
}

// Report reports a diagnostic.
func (p *Pass) Report(d Diagnostic) {
	severity := d.Severity
	if severity == 0 {
		severity = p.Rule.Severity
	}
	if d.Node == nil {
		// A rule that found a problem in a field the manifest leaves out
		// still owes the user a line: the object's own is the nearest.
		d.Node = p.Object.Node
	}
	loc := p.Object.Locate(d.Node, d.Field)
	related := loc.Related
	for _, r := range d.Related {
		obj := p.Object
		if r.Object != nil {
			obj = r.Object
		}
		rl := obj.Locate(r.Node, r.Field)
		related = append(related, Related{Position: rl.Primary, Message: r.Message})
	}
	var within []Position
	if d.Within != nil {
		within = append(within, p.Object.Locate(d.Within, d.Field).Primary)
	}
	p.findings = append(p.findings, Finding{
		Rule:     p.Rule.ID,
		Severity: severity,
		Message:  d.Message,
		Position: loc.Primary,
		Object:   p.Object.ObjectRef,
		Field:    d.Field,
		Help:     p.Rule.HelpURL,
		Related:  related,
		Within:   within,
		Source:   p.Object.Source,
		identity: d.Field.Named(p.Object.Node).String(),
	})
}

package lint

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// StdinName is how standard input is named in findings and errors.
const StdinName = "<stdin>"

// Position is a place in a file a person can open and edit. Lines are
// numbered as GitHub and editors number them (see Lines), columns count
// Unicode code points; both are 1-based, and zero means unknown.
type Position struct {
	File      string `json:"file"`
	Line      int    `json:"line,omitempty"`
	Column    int    `json:"column,omitempty"`
	EndLine   int    `json:"endLine,omitempty"`
	EndColumn int    `json:"endColumn,omitempty"`
}

func (p Position) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(p.Line))
		if p.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(p.Column))
		}
	}
	return b.String()
}

// Related is a secondary place worth showing next to a finding, such as the
// values-file line that fed a Helm template.
type Related struct {
	Position
	Message string `json:"message,omitempty"`
}

// Location is where a rendered node came from: the place to edit, and the
// other places that contributed to it.
type Location struct {
	Primary Position
	Related []Related
}

// Locator maps a node of an object's tree back to the source a person edits.
// Plain files need none (the node's own line and column are right); Helm and
// kustomize renderers supply one because their trees describe rendered text.
// field is the node's path in the object. For a path into an embedded
// document, n may be the string value holding it or a node placed inside
// that value's text.
type Locator interface {
	Locate(n *yaml.Node, field FieldPath) Location
}

// ObjectRef identifies a Kubernetes object in reports.
type ObjectRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

func (r ObjectRef) String() string {
	switch {
	case r.Kind == "":
		// A document that is not a Kubernetes object, such as an agent's
		// own configuration file, has no identity beyond its file.
		return ""
	case r.Name == "":
		// A KubeletConfiguration or an eksctl ClusterConfig may have no
		// name; its kind alone reads better than a dangling space.
		return r.Kind
	case r.Namespace == "":
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// Object is one Kubernetes object as a rule sees it: its identity, the file
// it came from and its yaml.v3 node tree, which keeps every line and column.
type Object struct {
	ObjectRef

	// File is the path as the user gave it, with forward slashes.
	File string
	// Node is the object's mapping node.
	Node *yaml.Node
	// Lines indexes the text Node was decoded from (a file, or a render's
	// output), so that a position inside a block scalar's text is read
	// from its bytes; nil when no text is at hand.
	Lines *Lines
	// Locator maps nodes of Node to source positions; nil means the nodes'
	// own positions in File.
	Locator Locator
	// Merges records the entries merge keys (<<) copied into mappings of
	// Node, so that a finding about one is placed at its merge; nil when
	// the document has none.
	Merges map[MergedEntry]MergeSource
	// Source describes how the object was produced when it was not read
	// verbatim from File ("chart datadog with ci/kind-values.yaml"); it is
	// added to finding messages so a person knows which render to look at.
	Source string
}

// Locate returns where n, found at field, should be reported. A node the
// field reaches through an alias (*name), or through a merge key applying
// an alias (<<: *name), is reported at the alias, with its place in the
// anchored node related: each use of an anchor is a finding of its own,
// where an ignore comment about that use goes. A node a merge key copies
// in from a mapping written after it is reported where it is written, with
// the << line related.
func (o *Object) Locate(n *yaml.Node, field FieldPath) Location {
	if o.Locator != nil {
		return o.Locator.Locate(n, field)
	}
	primary := o.Lines.NodePosition(o.File, n)
	switch r := o.Reach(field); {
	case r.Alias != nil && r.Alias != n && r.Alias.Alias != nil:
		return Location{
			Primary: o.Lines.NodePosition(o.File, r.Alias),
			Related: []Related{{Position: primary, Message: "through the anchor &" + r.Alias.Alias.Anchor}},
		}
	case r.Merge != nil:
		return Location{
			Primary: primary,
			Related: []Related{{Position: o.Lines.NodePosition(o.File, r.Merge), Message: "merged here"}},
		}
	}
	return Location{Primary: primary}
}

// MergedEntry names an entry a merge key (<<) copied into a mapping: the
// mapping and the entry's key node, which every mapping merging the same
// anchor shares.
type MergedEntry struct {
	Mapping, Key *yaml.Node
}

// MergeSource is where a merged entry came from: the << key, and the value
// written after it that held the entry (an alias, a mapping, or one item of
// a list of them).
type MergeSource struct {
	Key, From *yaml.Node
}

// Reach is how a field path reaches its node: the nearest alias or merge
// on the way, the place a person edits to change that one use.
type Reach struct {
	// Alias is the last alias passed, written as a value or after a merge
	// key; nil when none.
	Alias *yaml.Node
	// Merge is the << key of the last step that went through a merge.
	Merge *yaml.Node
}

// Reach walks field from the object's root and says through which alias
// or merge it last passed.
func (o *Object) Reach(field FieldPath) Reach {
	var r Reach
	n := Resolve(o.Node)
	for _, s := range field.steps {
		var next *yaml.Node
		switch s.kind {
		case keyStep:
			if n == nil || n.Kind != yaml.MappingNode {
				return r
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				if k := n.Content[i]; k.Value == s.key {
					next = n.Content[i+1]
					if src, ok := o.Merges[MergedEntry{Mapping: n, Key: k}]; ok {
						r = Reach{Merge: src.Key}
						if src.From.Kind == yaml.AliasNode {
							r.Alias = src.From
						}
					}
					break
				}
			}
		case indexStep:
			if n == nil || n.Kind != yaml.SequenceNode || s.index < 0 || int(s.index) >= len(n.Content) {
				return r
			}
			next = n.Content[s.index]
		default:
			return r
		}
		if next == nil {
			return r
		}
		if next.Kind == yaml.AliasNode {
			r = Reach{Alias: next}
		}
		n = Resolve(next)
	}
	return r
}

// NodePosition is the position of n in file. For a scalar written on one
// line it also spans the value, so editors and code scanning can underline it.
func NodePosition(file string, n *yaml.Node) Position {
	if n == nil {
		return Position{File: file}
	}
	p := Position{File: file, Line: n.Line, Column: n.Column}
	if n.Kind == yaml.ScalarNode && n.Line > 0 && !strings.Contains(n.Value, "\n") {
		width := len([]rune(n.Value))
		switch n.Style {
		case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
			width += 2
		case yaml.LiteralStyle, yaml.FoldedStyle:
			return p
		}
		p.EndLine, p.EndColumn = n.Line, n.Column+width
	}
	return p
}

// Finding is one reported problem. Its JSON form is the stable report format
// other tools parse.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Position
	Object  ObjectRef `json:"object"`
	Field   FieldPath `json:"field"`
	Help    string    `json:"help"`
	Related []Related `json:"related,omitempty"`
	// Within are the places of the scalars whose text holds the finding,
	// such as the `- |` line of a script: ignore comments covering them
	// cover the finding.
	Within []Position `json:"-"`
	// Source is the Object.Source of the object the finding is about. It
	// is kept apart from Message so that the same finding from two renders
	// of one chart (--all-ci-values) compares equal and is reported once.
	Source string `json:"source,omitempty"`
	// Suppressions are the ignore comments and annotations that cover the
	// finding. Only SARIF shows them; a suppressed finding is left out of
	// every other format.
	Suppressions []Suppression `json:"-"`

	// identity is what the finding is about, for Fingerprint: the field
	// with list items named, or for an ignore finding its directive.
	identity string
	// repoFile is File relative to the engine's Root, for Fingerprint.
	repoFile string
}

// Text is the message as reports show it, naming the render that produced
// the finding when there was one.
func (f *Finding) Text() string {
	if f.Source == "" {
		return f.Message
	}
	return f.Message + " [" + f.Source + "]"
}

// TextWithObject is Text followed by the object the finding is about, as the
// one-line formats print it: "... (DaemonSet monitoring/agent)".
func (f *Finding) TextWithObject() string {
	if ref := f.Object.String(); ref != "" {
		return f.Text() + " (" + ref + ")"
	}
	return f.Text()
}

// SARIFFingerprintKey names the partialFingerprints entry of SARIF results
// that holds Fingerprint; the version changes with the hash, so that GitHub
// never matches an old value against a new one. LegacySARIFFingerprintKey
// names the entry of earlier versions, which baselines still read.
const (
	SARIFFingerprintKey       = "dockershimLint/v2"
	LegacySARIFFingerprintKey = "dockershimLint/v1"
)

// Fingerprint identifies a finding across edits that move lines: it hashes
// the rule, the file relative to the repository root, the object's kind,
// namespace and name, and the field with list items named by their merge
// key (volumes[name=docker-sock]). No line, list index, apiVersion or
// working directory goes in, so code scanning alerts and baselines survive
// unrelated changes: a volume inserted above, an apps/v1beta2 moved to
// apps/v1, a run from a subdirectory.
func (f *Finding) Fingerprint() string {
	identity := f.identity
	if identity == "" {
		identity = f.Field.String()
	}
	return fingerprint(f.Rule, cmp.Or(f.repoFile, f.File), f.Object.Kind, f.Object.Namespace, f.Object.Name, identity)
}

// LegacyFingerprint is the fingerprint earlier versions wrote, over the
// file as given, the apiVersion and the field with list indexes. Baselines
// they wrote still match through it.
func (f *Finding) LegacyFingerprint() string {
	return fingerprint(f.Rule, f.File, f.Object.APIVersion, f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Field.String())
}

func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, part := range parts {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// InputError is an input that could not be read, parsed or rendered. Line is
// zero when the problem has no single line.
type InputError struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

func (e *InputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Message)
}

package manifest

import (
	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// resolveMerges replaces the merge keys (<<) of every mapping under n by
// the entries they merge, so that rules reading the tree see what the
// Kubernetes API server is sent. kubectl and Helm read YAML through
// sigs.k8s.io/yaml, which decodes with yaml.v2: a mapping's entries are
// applied in the order they are written, each overriding what came
// before, and a merge applies a list of mappings from last to first, so
// that an earlier mapping wins over a later one and an explicit key
// written after the merge (the usual place) wins over both. The merged
// entries keep their own nodes, so a finding about a merged value points
// at the line the value was written on, inside the anchor or flow mapping,
// and merged records where each merged entry came from, so that findings
// about an anchor merged twice are two, each at its merge (lint.Object.Merges).
//
// Aliases are not followed: every node is reached through its parent,
// once. An anchor comes before its aliases, so the mapping it names has
// had its own merges resolved by the time a merge copies it. The walk
// allocates nothing for a document without merge keys.
//
// A merge whose value is not a mapping or a list of mappings is kept as
// written and returned as invalid (the first one): yaml.v2 refuses the
// document, so Kubernetes never sees the object.
func resolveMerges(n *yaml.Node, m *merges) {
	if n == nil || n.Kind == yaml.AliasNode {
		return
	}
	for _, c := range n.Content {
		resolveMerges(c, m)
	}
	if n.Kind == yaml.MappingNode && hasMergeKey(n) {
		if m.merged == nil {
			m.merged = map[lint.MergedEntry]lint.MergeSource{}
		}
		n.Content = m.entries(n)
	}
}

// merges is what resolveMerges found in one document.
type merges struct {
	// merged says where each merged entry came from.
	merged map[lint.MergedEntry]lint.MergeSource
	// invalid is the first merge key whose value is not a mapping or a
	// list of mappings.
	invalid *yaml.Node
}

// err is the input error about m.invalid, worded as yaml.v2 words it.
func (m *merges) err(file string) error {
	if m.invalid == nil {
		return nil
	}
	return &lint.InputError{
		File:    file,
		Line:    m.invalid.Line,
		Message: "invalid merge: map merge requires map or sequence of maps as the value, which Kubernetes' YAML decoder rejects",
	}
}

func hasMergeKey(n *yaml.Node) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if isMergeKey(n.Content[i]) {
			return true
		}
	}
	return false
}

// isMergeKey matches a plain << key; a quoted "<<" is an ordinary string.
func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge"
}

// entries returns n's entries with its merges applied. A merge whose
// value is not a mapping or a list of mappings, which Kubernetes rejects,
// is kept as written and noted.
func (m *merges) entries(n *yaml.Node) []*yaml.Node {
	out := make([]*yaml.Node, 0, len(n.Content))
	at := map[string]int{}
	set := func(k, v *yaml.Node) {
		if k.Kind == yaml.ScalarNode {
			if i, ok := at[k.Value]; ok {
				out[i], out[i+1] = k, v
				return
			}
			at[k.Value] = len(out)
		}
		out = append(out, k, v)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !isMergeKey(k) {
			set(k, v)
			continue
		}
		sources, ok := mergeSources(v)
		if !ok {
			if m.invalid == nil {
				m.invalid = k
			}
			set(k, v)
			continue
		}
		for _, src := range sources {
			from := lint.Resolve(src)
			for j := 0; j+1 < len(from.Content); j += 2 {
				// A source still holding a merge key is an ancestor of
				// this mapping (an anchor aliased inside itself): its
				// merge cannot be applied here.
				if !isMergeKey(from.Content[j]) {
					set(from.Content[j], from.Content[j+1])
					m.merged[lint.MergedEntry{Mapping: n, Key: from.Content[j]}] = lint.MergeSource{Key: k, From: src}
				}
			}
		}
	}
	return out
}

// mergeSources lists the values naming the mappings a merge value
// applies (a mapping, or an alias of one), in the order they are applied:
// a list's items last to first.
func mergeSources(v *yaml.Node) ([]*yaml.Node, bool) {
	mapping := func(n *yaml.Node) *yaml.Node {
		if r := lint.Resolve(n); r == nil || r.Kind != yaml.MappingNode {
			return nil
		}
		return n
	}
	if m := mapping(v); m != nil {
		return []*yaml.Node{m}, true
	}
	if v.Kind != yaml.SequenceNode {
		return nil, false
	}
	out := make([]*yaml.Node, 0, len(v.Content))
	for i := len(v.Content) - 1; i >= 0; i-- {
		m := mapping(v.Content[i])
		if m == nil {
			return nil, false
		}
		out = append(out, m)
	}
	return out, true
}

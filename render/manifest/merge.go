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
func resolveMerges(n *yaml.Node, merged map[lint.MergedEntry]lint.MergeSource) map[lint.MergedEntry]lint.MergeSource {
	if n == nil || n.Kind == yaml.AliasNode {
		return merged
	}
	for _, c := range n.Content {
		merged = resolveMerges(c, merged)
	}
	if n.Kind == yaml.MappingNode && hasMergeKey(n) {
		if merged == nil {
			merged = map[lint.MergedEntry]lint.MergeSource{}
		}
		n.Content = mergedEntries(n, merged)
	}
	return merged
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

// mergedEntries returns n's entries with its merges applied. A merge whose
// value is not a mapping or a list of mappings, which Kubernetes rejects,
// is kept as written.
func mergedEntries(n *yaml.Node, merged map[lint.MergedEntry]lint.MergeSource) []*yaml.Node {
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
		sources, ok := mergeSources(v)
		if !isMergeKey(k) || !ok {
			set(k, v)
			continue
		}
		for _, src := range sources {
			m := lint.Resolve(src)
			for j := 0; j+1 < len(m.Content); j += 2 {
				// A source still holding a merge key is an ancestor of
				// this mapping (an anchor aliased inside itself): its
				// merge cannot be applied here.
				if !isMergeKey(m.Content[j]) {
					set(m.Content[j], m.Content[j+1])
					merged[lint.MergedEntry{Mapping: n, Key: m.Content[j]}] = lint.MergeSource{Key: k, From: src}
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

package lint

import (
	"iter"

	"go.yaml.in/yaml/v3"
)

// The helpers below read yaml.v3 trees the way rules need them: aliases are
// followed one step (never expanded), and a missing or mistyped node reads as
// nil rather than an error, because manifests in the wild are often partial.

// Resolve follows an alias node to the node it names.
func Resolve(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode {
		return n.Alias
	}
	return n
}

// Get returns the value stored under key in mapping n, or nil.
func Get(n *yaml.Node, key string) *yaml.Node {
	_, v := GetEntry(n, key)
	return v
}

// GetEntry returns the key and value nodes stored under key in mapping n.
func GetEntry(n *yaml.Node, key string) (k, v *yaml.Node) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i], Resolve(n.Content[i+1])
		}
	}
	return nil, nil
}

// Path follows a chain of mapping keys from n.
func Path(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		n = Get(n, k)
		if n == nil {
			return nil
		}
	}
	return n
}

// Scalar returns the value of a scalar node, or "" for anything else.
func Scalar(n *yaml.Node) string {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// Items iterates over the elements of sequence n with their indexes.
func Items(n *yaml.Node) iter.Seq2[int, *yaml.Node] {
	return func(yield func(int, *yaml.Node) bool) {
		n = Resolve(n)
		if n == nil || n.Kind != yaml.SequenceNode {
			return
		}
		for i, item := range n.Content {
			if !yield(i, Resolve(item)) {
				return
			}
		}
	}
}

// Entries iterates over the key and value nodes of mapping n.
func Entries(n *yaml.Node) iter.Seq2[*yaml.Node, *yaml.Node] {
	return func(yield func(*yaml.Node, *yaml.Node) bool) {
		n = Resolve(n)
		if n == nil || n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !yield(n.Content[i], Resolve(n.Content[i+1])) {
				return
			}
		}
	}
}

package lint

import (
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// FieldPath is where a node sits in an object: the mapping keys and
// sequence indexes that lead to it from the object's root. Rules build it
// step by step as they walk; locators and fingerprints read the steps, and
// reports print it in one form, such as
//
//	spec.template.spec.volumes[0].hostPath.path
//	metadata.annotations["dockershim-lint.io/ignore"]
//	data.kubelet>containerRuntimeEndpoint
//
// The last is a path that goes on inside a YAML document embedded in a
// string value (kubeadm's configuration in a ConfigMap): a Document step
// marks where. No code reads a path back from its printed form.
//
// A FieldPath is a value: Append and Concat return a new path and never
// change the one they extend, so a path can be shared freely.
type FieldPath struct {
	// steps is never appended to in place: its capacity is its length.
	steps []Step
}

// Step is one step of a FieldPath.
//
// A sequence step holds the item's index and, in a path made by Named, the
// item's name: the value of its merge key, as strategic merge identifies
// list items, so that the path says volumes[name=docker-sock].
type Step struct {
	// key is a mapping key, or for a named sequence step the item's name
	// as printed between the brackets.
	key string
	// index is an int32 so that a step takes 24 bytes, not 32: no YAML
	// document under the size limit has 2^31 items in one sequence.
	index int32
	kind  stepKind
}

type stepKind uint8

const (
	keyStep stepKind = iota
	indexStep
	documentStep
)

// Key is the step to the value of a mapping key.
func Key(key string) Step { return Step{kind: keyStep, key: key} }

// Index is the step to the i-th item of a sequence, counted from 0.
func Index(i int) Step { return Step{kind: indexStep, index: int32(i)} }

// Document is the step into the i-th YAML document (counted from 0) of the
// string value the path has reached.
func Document(i int) Step { return Step{kind: documentStep, index: int32(i)} }

// Key returns the mapping key of a Key step.
func (s Step) Key() (string, bool) { return s.key, s.kind == keyStep }

// Index returns the sequence index of an Index step.
func (s Step) Index() (int, bool) { return int(s.index), s.kind == indexStep }

// Document returns the document index of a Document step.
func (s Step) Document() (int, bool) { return int(s.index), s.kind == documentStep }

// NewFieldPath returns the path made of steps, which it copies.
func NewFieldPath(steps ...Step) FieldPath {
	return FieldPath{}.Append(steps...)
}

// KeyPath returns the path that follows keys, one mapping after another.
func KeyPath(keys ...string) FieldPath {
	steps := make([]Step, len(keys))
	for i, k := range keys {
		steps[i] = Key(k)
	}
	return FieldPath{steps: steps}
}

// Append returns p followed by steps.
func (p FieldPath) Append(steps ...Step) FieldPath {
	if len(steps) == 0 {
		return p
	}
	// The full slice expression makes append copy p's steps, whatever
	// capacity a caller's slice left behind.
	return FieldPath{steps: slices.Clip(append(p.steps[:len(p.steps):len(p.steps)], steps...))}
}

// Key returns p followed by a Key step.
func (p FieldPath) Key(key string) FieldPath { return p.Append(Key(key)) }

// Index returns p followed by an Index step.
func (p FieldPath) Index(i int) FieldPath { return p.Append(Index(i)) }

// Concat returns p followed by the steps of q.
func (p FieldPath) Concat(q FieldPath) FieldPath { return p.Append(q.steps...) }

// Len is the number of steps.
func (p FieldPath) Len() int { return len(p.steps) }

// At is the i-th step, counted from 0.
func (p FieldPath) At(i int) Step { return p.steps[i] }

// Slice is the path made of steps i to j-1.
func (p FieldPath) Slice(i, j int) FieldPath { return FieldPath{steps: p.steps[i:j:j]} }

// Equal reports whether p and q have the same steps.
func (p FieldPath) Equal(q FieldPath) bool { return slices.Equal(p.steps, q.steps) }

// Embedded splits a path that enters an embedded document at its first
// Document step: outer leads to the string value, doc is the document's
// index and inner the path inside it. ok is false, and outer is p, for a
// path that stays in the object.
func (p FieldPath) Embedded() (outer FieldPath, doc int, inner FieldPath, ok bool) {
	for i, s := range p.steps {
		if s.kind == documentStep {
			return p.Slice(0, i), int(s.index), p.Slice(i+1, len(p.steps)), true
		}
	}
	return p, 0, FieldPath{}, false
}

// Lookup returns the node p leads to from root, following aliases, or nil
// when the tree has no such node. A path into an embedded document leads
// to no node of root's tree: the document is text inside a value.
func Lookup(root *yaml.Node, p FieldPath) *yaml.Node {
	n := Resolve(root)
	for _, s := range p.steps {
		switch s.kind {
		case keyStep:
			n = Get(n, s.key)
		case indexStep:
			if n == nil || n.Kind != yaml.SequenceNode || s.index < 0 || int(s.index) >= len(n.Content) {
				return nil
			}
			n = Resolve(n.Content[s.index])
		default:
			return nil
		}
		if n == nil {
			return nil
		}
	}
	return n
}

// String is the path's printed form, the one reports show: keys joined
// by dots, indexes in brackets, a key that would not read as one element
// (annotations, ConfigMap file names) bracketed and quoted, and ">" where
// the path enters an embedded document, followed by "#i" for any document
// but the first.
func (p FieldPath) String() string {
	b, _ := p.AppendText(nil)
	return string(b)
}

// AppendText appends the printed form of p to b; see String.
func (p FieldPath) AppendText(b []byte) ([]byte, error) {
	dot := false
	for _, s := range p.steps {
		switch s.kind {
		case keyStep:
			if !isPlainKey(s.key) {
				b = append(b, `["`...)
				for i := 0; i < len(s.key); i++ {
					if s.key[i] == '"' {
						b = append(b, '\\')
					}
					b = append(b, s.key[i])
				}
				b = append(b, `"]`...)
				break
			}
			if dot {
				b = append(b, '.')
			}
			b = append(b, s.key...)
		case indexStep:
			b = append(b, '[')
			if s.key != "" {
				b = append(b, s.key...)
			} else {
				b = strconv.AppendInt(b, int64(s.index), 10)
			}
			b = append(b, ']')
		case documentStep:
			b = append(b, '>')
			if s.index == 0 {
				dot = false
				continue
			}
			b = append(b, '#')
			b = strconv.AppendInt(b, int64(s.index), 10)
		}
		dot = true
	}
	return b, nil
}

// MarshalText gives a path its printed form in JSON.
func (p FieldPath) MarshalText() ([]byte, error) {
	return p.AppendText(nil)
}

// isPlainKey reports whether key matches [A-Za-z_][A-Za-z0-9_-]*, the keys
// printed without brackets.
func isPlainKey(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_':
		case i > 0 && ('0' <= c && c <= '9' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// mergeKeys are the fields that name an item of a Kubernetes list, in the
// order strategic merge patches look for them: containers, volumes and env
// by name, volume mounts by mountPath, ports by containerPort.
var mergeKeys = []string{"name", "mountPath", "devicePath", "containerPort", "key", "ip"}

// Named returns p with each sequence step that root's tree can name
// carrying the item's name: the value of its merge key for a mapping
// (volumes[name=docker-sock]), the value itself for a scalar
// (args[="docker ps"]). Items without either keep their index. A path
// named so does not change when an unrelated item is inserted before, which
// is what fingerprints need; the steps inside an embedded document keep
// their indexes, since that text is not a tree here.
func (p FieldPath) Named(root *yaml.Node) FieldPath {
	steps := slices.Clone(p.steps)
	n := Resolve(root)
	for i, s := range steps {
		switch s.kind {
		case keyStep:
			n = Get(n, s.key)
			continue
		case documentStep:
			return FieldPath{steps: steps}
		}
		if n == nil || n.Kind != yaml.SequenceNode || s.index < 0 || int(s.index) >= len(n.Content) {
			return FieldPath{steps: steps}
		}
		n = Resolve(n.Content[s.index])
		steps[i].key = itemName(n)
	}
	return FieldPath{steps: steps}
}

// itemName is how Named prints a list item, or "" to keep its index.
func itemName(item *yaml.Node) string {
	switch {
	case item == nil:
		return ""
	case item.Kind == yaml.ScalarNode:
		return "=" + strconv.Quote(item.Value)
	case item.Kind == yaml.MappingNode:
		for _, k := range mergeKeys {
			if v := Get(item, k); v != nil && v.Kind == yaml.ScalarNode {
				return k + "=" + v.Value
			}
		}
	}
	return ""
}

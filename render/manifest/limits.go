package manifest

import (
	"bytes"
	"cmp"
	"fmt"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// The limits below bound the time and memory one document can cost, beyond
// source.MaxFileSize. Each is far above what real manifests need, and each is
// enforced with an input error naming the file, so a hostile or broken input
// is reported and skipped instead of taking the process down. docs/limits.md
// documents them for users; keep the two in step.
const (
	// MaxDepth is the deepest nesting of mappings and sequences accepted in
	// one YAML document. Kubernetes objects, OpenAPI schemas of CRDs
	// included, stay below a hundred levels.
	MaxDepth = 1000

	// MaxExpandedNodes is how many nodes one document may reach when every
	// alias is followed as if it were a copy of its anchor. It stops alias
	// bombs ("billion laughs") before anything walks through the aliases,
	// while leaving ordinary anchor reuse alone.
	MaxExpandedNodes = 1_000_000
)

// docCheck enforces the per-document limits on the documents of one input
// as Decode reads them.
type docCheck struct {
	file string
	// lines is how many lines the input has, and lastLength the length of
	// the last one in code points.
	lines, lastLength int
}

func newDocCheck(file string, lines *lint.Lines) *docCheck {
	last, column := lines.End()
	return &docCheck{file: file, lines: last, lastLength: column - 1}
}

// check enforces MaxDepth and MaxExpandedNodes on one decoded document and,
// for a Kubernetes object (dupKeys), reports the first key written twice in
// one mapping: rules read the first, Kubernetes keeps the last, so the object
// may not be what either the author or the linter thinks. It also reports
// an alias inside the node its anchor names (a: &a [*a]), which yaml.v2 and
// yaml.v3 refuse to decode ("anchor 'a' value contains itself"), so
// Kubernetes (sigs.k8s.io/yaml) rejects the document. These are returned
// as dup, apart from err, because the object is still worth linting: the
// rules' walks meet the alias as a node already seen.
//
// On the way it moves any node yaml.v3 placed past the end of the input (the
// empty value of a key at the very end, as in "?") to the end of the last
// line, so that every position handed out lies inside the input.
//
// The walk allocates nothing; only a document that holds an alias pays for
// counting what its aliases expand to.
func (c *docCheck) check(root *yaml.Node, dupKeys bool) (dup, err error) {
	hasAlias, dup, err := c.walk(root, 1, dupKeys)
	if err != nil || !hasAlias {
		return dup, err
	}
	tc := c.treeCheck()
	if err := tc.check(root); err != nil {
		return dup, err
	}
	if a := tc.cycle; a != nil && dup == nil {
		dup = &lint.InputError{File: c.file, Line: a.Line, Message: fmt.Sprintf(
			"alias *%s is inside the node its anchor names (anchor '%s' value contains itself), which Kubernetes' YAML decoder rejects", a.Value, a.Value)}
	}
	return dup, nil
}

func (c *docCheck) walk(n *yaml.Node, depth int, dupKeys bool) (hasAlias bool, dup, err error) {
	if n.Line > c.lines {
		n.Line, n.Column = max(1, c.lines), c.lastLength+1
	}
	if n.Kind == yaml.AliasNode {
		return true, nil, nil
	}
	if len(n.Content) == 0 {
		return false, nil, nil
	}
	if depth > MaxDepth {
		return false, nil, &lint.InputError{File: c.file, Line: n.Line, Message: fmt.Sprintf("nesting deeper than %d levels; not linted", MaxDepth)}
	}
	if dupKeys && n.Kind == yaml.MappingNode {
		dup = c.duplicateKey(n)
	}
	for _, child := range n.Content {
		a, d, err := c.walk(child, depth+1, dupKeys)
		if err != nil {
			return false, nil, err
		}
		hasAlias = hasAlias || a
		dup = cmp.Or(dup, d)
	}
	return hasAlias, dup, nil
}

// duplicateKey finds a key written twice in one mapping. Nearly every
// mapping is small, and comparing its keys pairwise costs less than a map
// per mapping; a large one gets a map, so a hostile file with a million
// keys stays linear.
func (c *docCheck) duplicateKey(n *yaml.Node) error {
	const pairwiseUpTo = 16
	var first map[string]*yaml.Node
	if len(n.Content) > 2*pairwiseUpTo {
		first = make(map[string]*yaml.Node, len(n.Content)/2)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || k.Value == "<<" {
			continue
		}
		var earlier *yaml.Node
		if first != nil {
			earlier = first[k.Value]
			if earlier == nil {
				first[k.Value] = k
			}
		} else {
			for j := 0; j < i && earlier == nil; j += 2 {
				if e := n.Content[j]; e.Kind == yaml.ScalarNode && e.Value == k.Value {
					earlier = e
				}
			}
		}
		if earlier != nil {
			return &lint.InputError{File: c.file, Line: k.Line, Message: fmt.Sprintf("duplicate key %q (first at line %d): Kubernetes keeps the last, rules read the first", k.Value, earlier.Line)}
		}
	}
	return nil
}

func (c *docCheck) treeCheck() *treeCheck {
	return &treeCheck{file: c.file, expanded: map[*yaml.Node]int{}, open: map[*yaml.Node]bool{}, lines: c.lines, lastLength: c.lastLength}
}

// treeCheck computes, visiting each node once, what an alias-expanding walk
// would reach, to stop alias bombs before anything walks through them. An
// alias inside the node it names (which yaml.v3 accepts) counts as one node,
// the way walks that remember what they have seen meet it.
type treeCheck struct {
	file string
	// expanded is, for each collection already visited, the number of
	// nodes below it with aliases expanded, saturating at maxCount.
	expanded map[*yaml.Node]int
	// open holds the collections being visited: an alias to one of them
	// is a cycle.
	open map[*yaml.Node]bool
	// refuseCycles makes a cycle an error that stops the check. The rules
	// and our own walks keep track of the nodes they are in, so for them
	// a cycle is a node that is already being walked; kustomize expands
	// aliases and would not stop.
	refuseCycles bool
	// cycle is the first alias met inside the node it names, when cycles
	// are not refused.
	cycle *yaml.Node
	// real counts the nodes of the document itself.
	real int
	// largest is the alias adding the most nodes, where an error points.
	largest     *yaml.Node
	largestSize int
	// lines and lastLength are the docCheck's.
	lines, lastLength int
}

// maxCount keeps expanded sizes from overflowing: 9^20 is nothing to write.
const maxCount = 1 << 40

func (c *treeCheck) check(root *yaml.Node) error {
	size, err := c.visit(root, 1)
	if err != nil {
		return err
	}
	// Only what aliases add counts: a large file without them is bounded
	// by source.MaxFileSize already.
	if size-c.real > MaxExpandedNodes {
		return &lint.InputError{File: c.file, Line: c.largest.Line, Message: fmt.Sprintf("aliases expand this document by more than %d nodes (an alias bomb?); not linted", MaxExpandedNodes)}
	}
	return nil
}

func (c *treeCheck) visit(n *yaml.Node, depth int) (int, error) {
	if n == nil {
		return 0, nil
	}
	if n.Line > c.lines {
		n.Line, n.Column = max(1, c.lines), c.lastLength+1
	}
	if n.Kind == yaml.AliasNode {
		c.real++
		target := n.Alias
		if target == nil {
			return 1, nil
		}
		if c.open[target] {
			if c.refuseCycles {
				return 0, &lint.InputError{File: c.file, Line: n.Line, Message: "alias *" + n.Value + " refers to a node that contains it; not linted"}
			}
			if c.cycle == nil {
				c.cycle = n
			}
			return 1, nil
		}
		size, ok := c.expanded[target]
		if !ok {
			// A scalar, or a collection not seen yet (yaml.v3 only
			// lets an alias follow its anchor, so only a scalar).
			var err error
			if size, err = c.visit(target, depth); err != nil {
				return 0, err
			}
		}
		if size > c.largestSize {
			c.largest, c.largestSize = n, size
		}
		return min(maxCount, 1+size), nil
	}
	c.real++
	if len(n.Content) == 0 {
		return 1, nil
	}
	if depth > MaxDepth {
		return 0, &lint.InputError{File: c.file, Line: n.Line, Message: fmt.Sprintf("nesting deeper than %d levels; not linted", MaxDepth)}
	}
	c.open[n] = true
	total := 1
	for _, child := range n.Content {
		size, err := c.visit(child, depth+1)
		if err != nil {
			return 0, err
		}
		total = min(maxCount, total+size)
	}
	delete(c.open, n)
	c.expanded[n] = total
	return total, nil
}

// CheckYAMLLimits applies treeCheck to every document of data, for YAML that
// another library parses after us (kustomize expands aliases while reading).
// Only text with an anchor can hold an alias, so most files are passed
// without parsing; what the other library builds comes back through Decode,
// which checks the nesting. Syntax errors are left for the other library to
// report.
func CheckYAMLLimits(file string, data []byte) error {
	if !bytes.ContainsRune(data, '&') {
		return nil
	}
	lines := lint.IndexLines(data)
	docs := newDocCheck(file, lines)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			return nil
		}
		if len(doc.Content) == 0 {
			continue
		}
		lines.RenumberNodes(doc.Content[0])
		c := docs.treeCheck()
		c.refuseCycles = true
		if err := c.check(doc.Content[0]); err != nil {
			return err
		}
	}
}

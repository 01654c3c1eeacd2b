package render

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// The limits below bound the time and memory one input can cost. Each is
// far above what real manifests, charts and overlays need, and each is
// enforced with an input error naming the file, so a hostile or broken input
// is reported and skipped instead of taking the process down. docs/limits.md
// documents them for users; keep the two in step.
const (
	// MaxFileSize is the largest manifest, values file or kustomize input
	// read, in bytes. The largest real manifests (CRD bundles of operators)
	// are a few megabytes; a decoded node tree costs about ten times its
	// text, so this keeps one file well under a gigabyte of memory.
	MaxFileSize = 32 << 20

	// MaxDepth is the deepest nesting of mappings and sequences accepted in
	// one YAML document. Kubernetes objects, OpenAPI schemas of CRDs
	// included, stay below a hundred levels.
	MaxDepth = 1000

	// MaxExpandedNodes is how many nodes one document may reach when every
	// alias is followed as if it were a copy of its anchor. It stops alias
	// bombs ("billion laughs") before anything walks through the aliases,
	// while leaving ordinary anchor reuse alone.
	MaxExpandedNodes = 1_000_000

	// MaxTemplateOutput is the most text one Helm template may render, in
	// bytes, and MaxChartOutput the most a whole chart render may.
	MaxTemplateOutput = 16 << 20
	MaxChartOutput    = 64 << 20

	// MaxChartArchiveSize and MaxChartFileSize bound a chart when Helm's
	// loader reads it: the decompressed size of a packaged chart, and the
	// size of any one file of a chart, packaged or not. They are Helm's
	// own defaults, which the loader enforces; TestHelmLoaderLimits keeps
	// them in step.
	MaxChartArchiveSize = 100 << 20
	MaxChartFileSize    = 5 << 20

	// MaxChartArchives is how many subchart archives a chart may hold,
	// nested ones included; real charts hold a few dozen. Helm's loader
	// gives each archive its own MaxChartArchiveSize, so the chart and all
	// its archives are also held to one MaxChartArchiveSize together (see
	// archiveBudget).
	MaxChartArchives = 1000

	// MaxSetListElements is how many list elements the --set values of
	// one chart may make, summed over every index: room for a list at
	// Helm's largest index (65,537 elements) and more, never for two.
	// MaxSetSize is how many bytes they may add up to, --set-file contents
	// included (see SetBudget).
	MaxSetListElements = 1 << 17
	MaxSetSize         = MaxFileSize
)

// readLimited reads r up to MaxFileSize, failing rather than reading on.
func readLimited(file string, r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, &lint.InputError{File: file, Message: "cannot read: " + err.Error()}
	}
	if len(data) > MaxFileSize {
		return nil, tooLarge(file)
	}
	return data, nil
}

func tooLarge(file string) error {
	return &lint.InputError{File: file, Message: fmt.Sprintf("file is larger than the %d MiB limit; not linted", MaxFileSize>>20)}
}

// docCheck enforces the per-document limits on the documents of one input
// as Decode reads them.
type docCheck struct {
	file string
	// lines is how many lines the input has, and lastLength the length of
	// the last one in code points.
	lines, lastLength int
}

func newDocCheck(file string, data []byte) *docCheck {
	lines := lineLengths(data)
	return &docCheck{file: file, lines: len(lines), lastLength: lines[len(lines)-1]}
}

// check enforces MaxDepth and MaxExpandedNodes on one decoded document and,
// for a Kubernetes object (dupKeys), reports the first key written twice in
// one mapping: rules read the first, Kubernetes keeps the last, so the object
// may not be what either the author or the linter thinks. A duplicate is
// returned as dup, apart from err, because the object is still worth linting.
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
	return dup, c.treeCheck().check(root)
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
	// refuseCycles makes a cycle an error. The rules and our own walks
	// keep track of the nodes they have seen, so for them a cycle is a
	// node that is already done; kustomize expands aliases and would not
	// stop.
	refuseCycles bool
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
	// by MaxFileSize already.
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

// checkRenderSize enforces MaxTemplateOutput and MaxChartOutput on what
// Helm's engine returned, before any of it is decoded into node trees.
func (r *release) checkRenderSize(chartName string, out map[string]string) error {
	total := 0
	for _, key := range slices.Sorted(maps.Keys(out)) {
		size := len(out[key])
		if size > MaxTemplateOutput {
			file := r.base
			if f := r.byKey[key]; f != nil {
				file = r.display[f]
			}
			return &lint.InputError{File: file, Message: fmt.Sprintf("chart %s: template renders more than the %d MiB limit; not linted", chartName, MaxTemplateOutput>>20)}
		}
		total += size
	}
	if total > MaxChartOutput {
		return &lint.InputError{File: r.base, Message: fmt.Sprintf("chart %s renders more than the %d MiB limit; not linted", chartName, MaxChartOutput>>20)}
	}
	return nil
}

// checkChartLinks refuses a chart directory holding a symbolic link that
// resolves outside the chart, or to a directory containing the link. Helm's
// loader follows symbolic links, so the first would read (and expose through
// .Files) files the user never named, and the second would walk forever.
func checkChartLinks(name, dir string) error {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return &lint.InputError{File: name, Message: "cannot load chart: " + describeOpenError(err)}
	}
	root = absPath(root)
	return filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return &lint.InputError{File: filepath.ToSlash(p), Message: "cannot load chart: " + describeOpenError(err)}
		}
		if de.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		link := filepath.ToSlash(p)
		target, err := filepath.EvalSymlinks(p)
		if err != nil {
			return &lint.InputError{File: link, Message: "chart holds a broken symbolic link; not linted"}
		}
		target = absPath(target)
		if !within(root, target) {
			return &lint.InputError{File: link, Message: "chart holds a symbolic link to " + filepath.ToSlash(target) + ", outside the chart; not linted"}
		}
		if linkDir, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil && within(target, absPath(linkDir)) {
			return &lint.InputError{File: link, Message: "chart holds a symbolic link to a directory containing it (a loop); not linted"}
		}
		return nil
	})
}

// within reports whether path is dir or lies below it.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// readFileLimited reads the file at name (an OS path), named file in
// errors, up to MaxFileSize.
func readFileLimited(file, name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, &lint.InputError{File: file, Message: describeOpenError(err)}
	}
	defer f.Close()
	return readLimited(file, f)
}

// checkYAMLLimits applies treeCheck to every document of data, for YAML that
// another library parses after us (kustomize expands aliases while reading).
// Only text with an anchor can hold an alias, so most files are passed
// without parsing; what the other library builds comes back through Decode,
// which checks the nesting. Syntax errors are left for the other library to
// report.
func checkYAMLLimits(file string, data []byte) error {
	if !bytes.ContainsRune(data, '&') {
		return nil
	}
	docs := newDocCheck(file, data)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			return nil
		}
		if len(doc.Content) == 0 {
			continue
		}
		c := docs.treeCheck()
		c.refuseCycles = true
		if err := c.check(doc.Content[0]); err != nil {
			return err
		}
	}
}

// includeCall is how Helm's engine chains the error of an include inside
// another.
const includeCall = "error calling include: "

// condenseIncludes shortens a Helm error through many nested includes, as
// when a chart's templates recurse until Helm's include limit: one frame per
// level made a message of a hundred kilobytes. The outermost frame, where
// the template a person opens goes wrong, and the innermost cause are kept.
func condenseIncludes(msg string) string {
	const keep = 3
	n := strings.Count(msg, includeCall)
	if n <= keep {
		return msg
	}
	first := strings.Index(msg, includeCall) + len(includeCall)
	last := strings.LastIndex(msg, includeCall) + len(includeCall)
	return msg[:first] + fmt.Sprintf("[%d nested includes] ", n-1) + msg[last:]
}

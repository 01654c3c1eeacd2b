package helm

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// helmLocator maps the nodes of one rendered template back to the template
// and values lines that produced them.
type helmLocator struct {
	file   string
	marks  *markTable
	placed []placed
	values *chartValues
	// roots are the objects decoded from the output.
	roots []*yaml.Node
	// lines index the output, in which rules place nodes inside values'
	// text.
	lines *lint.Lines
}

// root is the object of the output that holds n at field.
func (l *helmLocator) root(n *yaml.Node, field lint.FieldPath) *yaml.Node {
	for _, r := range l.roots {
		if lint.Lookup(r, field) == n {
			return r
		}
	}
	return nil
}

// Locate finds the last marker at or before n in the rendered output. After
// a text marker, output and template agree character for character, so the
// node's offset from the marker is its offset in the template line. After
// an action marker the node is (part of) that action's output: the action
// is the place to edit, with the values-file line as a related position
// when the rendered value is a literal there, or as the primary one when
// the action pastes a values subtree wholesale (toYaml .Values.x).
//
// A node inside a helper's output is placed in the helper; the includes
// that led there are related, innermost first.
func (l *helmLocator) Locate(n *yaml.Node, field lint.FieldPath) lint.Location {
	if n == nil || n.Line == 0 {
		return lint.Location{Primary: lint.Position{File: l.file}}
	}
	i := l.markerBefore(n.Line-1, n.Column-1)
	if i < 0 {
		return lint.Location{Primary: lint.Position{File: l.file}}
	}
	loc := l.locate(n, field, i)
	loc.Related = append(loc.Related, l.callChain(i)...)
	return loc
}

// helperDefinitions relates the definitions of the helpers an action
// reads, whose lines its output cannot show.
func (l *helmLocator) helperDefinitions(mk mark) []lint.Related {
	var out []lint.Related
	for _, name := range mk.reads {
		if pos, ok := l.marks.defines[name]; ok {
			out = append(out, lint.Related{Position: pos, Message: "computed by helper " + strconv.Quote(name) + ", defined here"})
		}
	}
	return out
}

// callChain lists the calls whose output holds the marker placed[i].
func (l *helmLocator) callChain(i int) []lint.Related {
	var out []lint.Related
	for j := l.placed[i].parent; j >= 0; j = l.placed[j].parent {
		mk := l.marks.marks[l.placed[j].mark]
		msg := "included from here"
		if mk.callee != "" {
			msg += " (" + strconv.Quote(mk.callee) + ")"
		}
		out = append(out, lint.Related{Position: lint.Position{File: mk.file, Line: mk.line, Column: mk.column}, Message: msg})
	}
	return out
}

func (l *helmLocator) locate(n *yaml.Node, field lint.FieldPath, i int) lint.Location {
	p := l.placed[i]
	mk := l.marks.marks[p.mark]
	if mk.kind == markText && p.line == n.Line-1 {
		loc := lint.Location{Primary: l.textPosition(n, i)}
		// A value that starts as literal text may continue with an
		// action ("unix://{{ .Values.socket }}"): relate its values.
		if l.values != nil && n.Kind == yaml.ScalarNode {
			end := lint.NodePosition("", n).EndColumn - 1
			for _, q := range l.placed[i+1:] {
				if q.line != p.line || (end > 0 && q.column >= end) {
					break
				}
				loc.Related = append(loc.Related, l.values.related(l.marks.marks[q.mark], q.item, n)...)
			}
		}
		return loc
	}
	action := lint.Position{File: mk.file, Line: mk.line, Column: mk.column}
	loc := lint.Location{Primary: action, Related: l.helperDefinitions(mk)}
	if l.values == nil || n.Kind == yaml.AliasNode {
		return loc
	}
	if pos, ok := l.inPastedText(n, field, mk, p.item); ok {
		return lint.Location{
			Primary: pos,
			Related: append([]lint.Related{{Position: action, Message: "pasted into the manifest here"}}, loc.Related...),
		}
	}
	if mk.toYAML {
		if vn, file := l.values.block(mk.refs[0], field, n, l.root(n, field)); vn != nil {
			return lint.Location{
				Primary: lint.NodePosition(file, vn),
				Related: []lint.Related{{Position: action, Message: "rendered into the manifest here"}},
			}
		}
	}
	if n.Kind != yaml.ScalarNode {
		return loc
	}
	loc.Related = append(loc.Related, l.values.related(mk, p.item, n)...)
	return loc
}

// inPastedText places n, a node a rule put inside the text of a literal
// block (a setting of an agent's configuration), on its line of the values
// block scalar or chart file the action mk pasted into that block ({{
// .Values.conf | indent 4 }}, {{ .Files.Get "agent.yaml" | indent 4 }}):
// that line is the one to edit. The pasted text is found in
// the block by content, as the template may add lines around it.
func (l *helmLocator) inPastedText(n *yaml.Node, field lint.FieldPath, mk mark, item int) (lint.Position, bool) {
	path, _, _, _ := field.Embedded()
	var block *yaml.Node
	for _, r := range l.roots {
		v := lint.Lookup(r, path)
		if v != nil && v != n && v.Kind == yaml.ScalarNode && n.Line > v.Line && n.Line-v.Line <= strings.Count(v.Value, "\n")+1 {
			block = v
			break
		}
	}
	indent, ok := l.lines.BlockIndent(block)
	if !ok || n.Column <= indent {
		return lint.Position{}, false
	}
	line, column := n.Line-block.Line, n.Column-indent
	rendered := strings.Split(block.Value, "\n")
	for _, ref := range mk.refs {
		ref = refAt(ref, item)
		if l.values.fromFlags(ref) {
			continue
		}
		for _, c := range l.values.lookupAll(ref) {
			if c.node.Kind != yaml.ScalarNode {
				continue
			}
			at, ok := pastedLine(rendered, strings.Split(strings.TrimSuffix(c.node.Value, "\n"), "\n"), line)
			if !ok {
				continue
			}
			if fileLine, fileColumn, ok := c.lines.InBlock(c.node, at, column); ok {
				moved := *n
				moved.Line, moved.Column = fileLine, fileColumn
				return lint.NodePosition(c.file, &moved), true
			}
		}
	}
	// A chart file pasted whole: its lines are the block's.
	if f, ok := l.values.files[mk.chartFile]; ok && mk.chartFile != "" {
		if at, ok := pastedLine(rendered, strings.Split(strings.TrimSuffix(string(f.data), "\n"), "\n"), line); ok {
			moved := *n
			moved.Line, moved.Column = at, column
			return lint.NodePosition(f.display, &moved), true
		}
	}
	return lint.Position{}, false
}

// pastedLine is the line of pasted that is line (from 1) of block, when
// pasted's lines sit in block around that line; the first such placing
// wins. A pasted line holding an action may differ, as tpl renders it
// (on one line), but not the line itself: its text is the one to edit.
func pastedLine(block, pasted []string, line int) (int, bool) {
	for start := max(0, line-len(pasted)); start < line && start+len(pasted) <= len(block); start++ {
		if block[line-1] != pasted[line-1-start] {
			continue
		}
		same := true
		for k, text := range pasted {
			if block[start+k] != text && !strings.Contains(text, "{{") {
				same = false
				break
			}
		}
		if same {
			return line - start, true
		}
	}
	return 0, false
}

// refAt is ref with the innermost range's "*" step replaced by item, the
// list item that range was on, when known (item >= 0).
func refAt(ref []string, item int) []string {
	for i := len(ref) - 1; i >= 0 && item >= 0; i-- {
		if ref[i] == anyItem {
			ref = slices.Clone(ref)
			ref[i] = strconv.Itoa(item)
			break
		}
	}
	return ref
}

// valueFeeds says whether a values scalar plausibly produced a rendered one:
// verbatim, or spliced into it ("unix://{{ .Values.socket }}"). Short values
// such as "true" splice into too much to tell.
func valueFeeds(rendered, value string) bool {
	return rendered == value || (len(value) >= 4 && strings.Contains(rendered, value))
}

// markerBefore returns the index of the last marker placed at or before
// the 0-based line and column, or -1.
func (l *helmLocator) markerBefore(line, col int) int {
	i, _ := slices.BinarySearchFunc(l.placed, [2]int{line, col + 1}, func(p placed, t [2]int) int {
		if p.line != t[0] {
			return p.line - t[0]
		}
		return p.column - t[1]
	})
	return i - 1
}

// textPosition shifts n's rendered position onto the template line of the
// text marker placed[i]. The span is kept only when no other marker falls
// inside the node, that is, when the whole value is literal template text.
func (l *helmLocator) textPosition(n *yaml.Node, i int) lint.Position {
	p := l.placed[i]
	mk := l.marks.marks[p.mark]
	rendered := lint.NodePosition(mk.file, n)
	pos := lint.Position{File: mk.file, Line: mk.line, Column: mk.column + (n.Column - 1 - p.column)}
	if rendered.EndLine == rendered.Line && rendered.EndColumn > 0 {
		end := rendered.EndColumn - 1
		if i+1 == len(l.placed) || l.placed[i+1].line > p.line || l.placed[i+1].column >= end {
			pos.EndLine, pos.EndColumn = pos.Line, pos.Column+(rendered.EndColumn-rendered.Column)
		}
	}
	return pos
}

// renderedLine maps a 1-based line of rendered output to the template
// position that produced it, for errors in rendered YAML.
func (l *helmLocator) renderedLine(line int) (string, int) {
	i := l.markerBefore(line-1, 1<<30)
	// A line's own first marker says more than one from an earlier line.
	for j := i; j >= 0 && l.placed[j].line == line-1; j-- {
		i = j
	}
	if i < 0 {
		return l.file, 0
	}
	mk := l.marks.marks[l.placed[i].mark]
	return mk.file, mk.line
}

// valuesSource is one values file as a yaml.v3 tree, with the keys under
// which it holds the values of the chart being located.
type valuesSource struct {
	file string
	root *yaml.Node
	// lines index the file, nil for values written inline in another.
	lines  *lint.Lines
	prefix []string
}

// chartValues finds where a value of one chart (the root chart or a
// subchart) was set, following Helm's precedence: --set flags (no file),
// then -f files, last first, then the values.yaml of each chart from the
// root down to this one, since a parent overrides its subchart's defaults.
type chartValues struct {
	set       map[string]any
	setPrefix []string
	sources   []valuesSource
	// files are the chart's own files by name, which templates paste
	// with .Files.Get.
	files map[string]chartFile
}

// chartFile is a file of a chart that is neither a template nor values.
type chartFile struct {
	display string
	data    []byte
}

// related lists the values-file lines whose scalars the action mk pasted
// into the rendered scalar n. A value set on the command line has no line:
// the action is related instead, saying so. item is the list item the
// innermost range holding the action was on, -1 when unknown.
func (cv *chartValues) related(mk mark, item int, n *yaml.Node) []lint.Related {
	var out []lint.Related
	for _, ref := range mk.refs {
		ref = refAt(ref, item)
		name := "." + strings.Join(append([]string{"Values"}, ref...), ".")
		if v, ok := cv.flagValue(ref); ok {
			if valueFeeds(n.Value, fmt.Sprint(v)) {
				out = append(out, lint.Related{
					Position: lint.Position{File: mk.file, Line: mk.line, Column: mk.column},
					Message:  "value of " + name + " set with --set, --set-string or --set-file, which has no line",
				})
			}
			continue
		}
		for _, c := range cv.lookupAll(ref) {
			if c.node.Kind == yaml.ScalarNode && valueFeeds(n.Value, c.node.Value) {
				out = append(out, lint.Related{Position: lint.NodePosition(c.file, c.node), Message: "value of " + c.name})
				break
			}
		}
	}
	return out
}

// valueNode is a values node, the file that holds it and its name
// (.Values.mounts[1].path).
type valueNode struct {
	node  *yaml.Node
	file  string
	lines *lint.Lines
	name  string
}

// lookupAll returns the nodes that may have set the value at path, from
// the file that wins by Helm's precedence: one node, or with a range's
// "*" step, one per list item.
func (cv *chartValues) lookupAll(path []string) []valueNode {
	for _, s := range cv.sources {
		var found []valueNode
		prefix := scoped(s.prefix, path)
		walkAll(lint.Path(s.root, prefix...), path, ".Values", func(n *yaml.Node, name string) {
			if !isNull(n) {
				found = append(found, valueNode{node: n, file: s.file, lines: s.lines, name: name})
			}
		})
		if len(found) > 0 {
			return found
		}
	}
	return nil
}

// scoped is the prefix under which a file holds path: none for global
// values, which Helm copies from the top of each file down to every
// subchart.
func scoped(prefix, path []string) []string {
	if len(path) > 0 && path[0] == "global" {
		return nil
	}
	return prefix
}

// walkAll follows the keys of a .Values reference from n, "*" standing
// for each item of a list, and calls fn with each node found and its name.
func walkAll(n *yaml.Node, keys []string, name string, fn func(*yaml.Node, string)) {
	n = lint.Resolve(n)
	switch {
	case n == nil:
	case len(keys) == 0:
		fn(n, name)
	case n.Kind == yaml.SequenceNode && keys[0] != anyItem:
		// A range's item, found by counting its passes.
		if i, err := strconv.Atoi(keys[0]); err == nil && i >= 0 && i < len(n.Content) {
			walkAll(n.Content[i], keys[1:], name+"["+keys[0]+"]", fn)
		}
	case keys[0] != anyItem:
		walkAll(lint.Path(n, keys[0]), keys[1:], name+"."+keys[0], fn)
	case n.Kind == yaml.SequenceNode:
		for i, item := range n.Content {
			walkAll(item, keys[1:], name+"["+strconv.Itoa(i)+"]", fn)
		}
	}
}

// block finds, for n found at field inside the output of toYaml of the
// values at ref, the values node it was serialised from. A rendered block
// mirrors its values subtree, so a suffix of field is n's path in that
// subtree; the longest suffix whose node matches n wins. A field inside a
// document embedded in a string is looked for as the string: the values
// hold the string, not the document. root is the rendered object holding
// n, nil when unknown.
func (cv *chartValues) block(ref []string, field lint.FieldPath, n, root *yaml.Node) (*yaml.Node, string) {
	if cv.fromFlags(ref) {
		return nil, ""
	}
	outer, _, _, embedded := field.Embedded()
	if embedded {
		root = nil
	}
	for k := range outer.Len() + 1 {
		for _, s := range cv.sources {
			base := walkValues(s.root, append(slices.Clone(scoped(s.prefix, ref)), ref...))
			if base == nil {
				continue
			}
			if vn := matchBlock(base, root, outer, k); vn != nil && sameShape(vn, n) {
				return vn, s.file
			}
		}
	}
	return nil, ""
}

// matchBlock follows field from step k on inside the values subtree base.
// A list item is found by content, not by index: the values item equal to
// the rendered item at that step (the second of two equal ones for the
// second rendered), so that items toYaml pastes after literal items of the
// same list are told apart. Without root, the index is taken as it is.
func matchBlock(base, root *yaml.Node, field lint.FieldPath, k int) *yaml.Node {
	v := lint.Resolve(base)
	for i := k; i < field.Len() && v != nil; i++ {
		idx, isIndex := field.At(i).Index()
		if !isIndex || root == nil {
			v = lint.Lookup(v, field.Slice(i, i+1))
			continue
		}
		parent := lint.Lookup(root, field.Slice(0, i))
		if v.Kind != yaml.SequenceNode || parent == nil || parent.Kind != yaml.SequenceNode || idx >= len(parent.Content) {
			return nil
		}
		rendered := parent.Content[idx]
		nth := 0
		for _, sib := range parent.Content[:idx] {
			if sameContent(sib, rendered) {
				nth++
			}
		}
		items := v.Content
		v = nil
		for _, item := range items {
			if !sameContent(item, rendered) {
				continue
			}
			if nth == 0 {
				v = lint.Resolve(item)
				break
			}
			nth--
		}
	}
	return v
}

// sameContent says whether two trees hold the same values, whatever
// their positions, styles, tags and key order (toYaml sorts keys).
func sameContent(a, b *yaml.Node) bool {
	a, b = lint.Resolve(a), lint.Resolve(b)
	if a == nil || b == nil || a.Kind != b.Kind || len(a.Content) != len(b.Content) {
		return a == b
	}
	switch a.Kind {
	case yaml.ScalarNode:
		return a.Value == b.Value
	case yaml.MappingNode:
		for i := 0; i+1 < len(a.Content); i += 2 {
			if !sameContent(a.Content[i+1], lint.Get(b, a.Content[i].Value)) {
				return false
			}
		}
		return true
	}
	for i := range a.Content {
		if !sameContent(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}

func (cv *chartValues) fromFlags(path []string) bool {
	_, ok := cv.flagValue(path)
	return ok
}

// flagValue is the value --set and its kin gave path, if they did.
func (cv *chartValues) flagValue(path []string) (any, bool) {
	var cur any = cv.set
	for _, k := range append(slices.Clone(scoped(cv.setPrefix, path)), path...) {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func sameShape(v, n *yaml.Node) bool {
	v, n = lint.Resolve(v), lint.Resolve(n)
	if v.Kind != n.Kind {
		return false
	}
	if v.Kind == yaml.ScalarNode {
		return v.Value == n.Value
	}
	return len(v.Content) == len(n.Content)
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// walkValues follows the keys of a .Values reference from n.
func walkValues(n *yaml.Node, keys []string) *yaml.Node {
	return lint.Resolve(lint.Path(n, keys...))
}

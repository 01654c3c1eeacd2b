package helm

import (
	"crypto/rand"
	"encoding/hex"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/template/parse"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

// Helm's engine returns only the text a template produced, with no trace of
// which template line produced which output line. Rather than re-implement
// the engine, each top-level template is rewritten before rendering so that
// its output carries invisible markers: one at the start of every literal
// text segment (the text of one template line) and one before every action.
// A marker is "\x00<token><index>\x01": an index into a table of template
// positions, behind a token drawn at random when the process starts. Chart
// values reach the output too, and a value may hold any bytes, NUL
// included; without the token it could pass for a marker and move, lose or
// invent a finding. A value cannot know the token, so what it holds is kept
// as output, where the YAML decoder reports the control character.
//
// Markers go into top-level template bodies, which are written straight to
// the output, and into the `define` bodies of the helpers whose output every
// caller writes out unchanged but for indentation (see helpers.go): a
// marker in output that a function reads (trim, trunc, eq, b64enc) would
// change what Helm renders. A call of a helper is bracketed by a call
// marker and a return marker, so that a node found inside a helper's output
// knows the chain of includes that produced it. TestMarkersDoNotChangeOutput
// checks on every fixture and corpus chart that stripping the markers
// gives Helm's own render.

const (
	markStart = '\x00'
	markEnd   = '\x01'
)

// markKind says what produced the output following a marker.
type markKind uint8

const (
	// markText is literal template text: output and template agree
	// character for character until the next marker.
	markText markKind = iota
	// markAction is the output of an action.
	markAction
	// markCall is an action that writes out a helper's output (include,
	// possibly indented, or template): the place to edit when the helper
	// carries no markers of its own.
	markCall
	// markReturn ends the output of the markCall before it.
	markReturn
	// markRange is written before a range over a values list, and
	// markItem at the start of each pass through its body: counting them
	// tells which item of the list an output came from.
	markRange
	markItem
)

// mark is one marker's template position and, for an action, the values
// paths its pipeline reads.
type mark struct {
	kind   markKind
	file   string // display path of the template
	line   int
	column int
	// refs are the .Values paths the action reads, relative to the chart's
	// values; toYAML is set when the action serialises a single one of them
	// wholesale (toYaml .Values.x), so the rendered block mirrors that
	// values subtree.
	refs   [][]string
	toYAML bool
	// chartFile is the chart file the action reads with .Files.Get and a
	// literal name, "" when none.
	chartFile string
	// callee is the helper a markCall names, "" when it is computed.
	callee string
	// reads are the helpers the action includes: their output carries no
	// markers when a function reads it, so their definitions are related.
	reads []string
	// item is 1 + the index of the markItem of the innermost range over
	// a values list holding this mark, 0 outside one; for a markRange,
	// its markItem's.
	item int
}

// markToken follows the NUL of every marker; see above. Its 64 random bits
// are as unguessable to a value as more would be, and are kept to that: a
// render carries thousands of markers, every byte of which Helm parses and
// copies and the stripper scans.
var markToken = func() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic("dockershim-lint: no randomness for Helm position markers: " + err.Error())
	}
	return hex.EncodeToString(b)
}()

// markTable collects the marks of every template of one chart render.
type markTable struct {
	marks []mark
	// defines are where the helpers that actions read are defined, for
	// those defined once.
	defines map[string]lint.Position
}

// parsedTemplate is one template file parsed once, for both the helper
// analysis and the markers.
type parsedTemplate struct {
	name  string // the engine's name for the file
	file  string // display path
	data  []byte // the source, as src
	src   string
	trees map[string]*parse.Tree
	// lines index data once for the markers and the helpers' define
	// positions; nil until either needs it.
	lines *lint.Lines
}

func (pt *parsedTemplate) lineIndex() *lint.Lines {
	if pt.lines == nil {
		pt.lines = lint.IndexLines(pt.data)
	}
	return pt.lines
}

// parseTemplate parses a template file as Helm's engine will; an error
// means Helm will report the same one with its own message.
func parseTemplate(name, file string, data []byte) (*parsedTemplate, error) {
	src := string(data)
	trees := map[string]*parse.Tree{}
	t := parse.New(name)
	t.Mode = parse.SkipFuncCheck
	if _, err := t.Parse(src, "{{", "}}", trees); err != nil {
		return nil, err
	}
	return &parsedTemplate{name: name, file: file, data: data, src: src, trees: trees}, nil
}

// rewrite marks the bodies of the helpers pt defines that safe allows and,
// with markMain, its main body. It returns the source with everything
// marked, and with plain also the source whose main body is left unmarked
// (for a file other templates include by name). changed is false when no
// marker was inserted.
func (mt *markTable) rewrite(pt *parsedTemplate, safe map[string]bool, markMain, plain bool) (marked, unmarkedMain string, changed bool) {
	// Define bodies are written in name order, so that the rewritten
	// source is deterministic.
	names := make([]string, 0, len(pt.trees))
	for n := range pt.trees {
		if n != pt.name {
			names = append(names, n)
			changed = changed || safe[n]
		}
	}
	main := pt.trees[pt.name]
	if !changed && (!markMain || main == nil) {
		return "", "", false
	}
	slices.Sort(names)
	m := &marker{table: mt, file: pt.file, src: pt.src, lines: pt.lineIndex()}
	before := len(mt.marks)
	for _, n := range names {
		if safe[n] {
			m.list(pt.trees[n].Root, values{})
		}
	}
	var mainText string
	if main != nil && (plain || !markMain) {
		var b strings.Builder
		b.Grow(len(pt.src))
		writeList(&b, main.Root)
		mainText = b.String()
	}
	if markMain && main != nil {
		m.list(main.Root, values{})
	}
	// Sized once: the source, give or take what parsing dropped
	// (comments, spaces inside actions), and the markers.
	var b strings.Builder
	b.Grow(len(pt.src) + (len(mt.marks)-before)*(1+len(markToken)+len(strconv.Itoa(len(mt.marks)))+1))
	if markMain && main != nil {
		writeList(&b, main.Root)
	} else {
		b.WriteString(mainText)
	}
	defsStart := b.Len()
	for _, n := range names {
		b.WriteString("{{define ")
		b.WriteString(strconv.Quote(n))
		b.WriteString("}}")
		writeList(&b, pt.trees[n].Root)
		b.WriteString("{{end}}")
	}
	marked = b.String()
	if plain {
		unmarkedMain = mainText + marked[defsStart:]
	}
	return marked, unmarkedMain, true
}

// writeList appends l's source to b as l.String() writes it, but for text
// nodes, which it writes as they are: TextNode.String formats its bytes
// with fmt, a copy per node, and every marker is a text node.
func writeList(b *strings.Builder, l *parse.ListNode) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			b.Write(n.Text)
		case *parse.IfNode:
			writeBranch(b, "if", &n.BranchNode)
		case *parse.RangeNode:
			writeBranch(b, "range", &n.BranchNode)
		case *parse.WithNode:
			writeBranch(b, "with", &n.BranchNode)
		default:
			b.WriteString(n.String())
		}
	}
}

func writeBranch(b *strings.Builder, name string, n *parse.BranchNode) {
	b.WriteString("{{")
	b.WriteString(name)
	b.WriteByte(' ')
	b.WriteString(n.Pipe.String())
	b.WriteString("}}")
	writeList(b, n.List)
	if n.ElseList != nil {
		b.WriteString("{{else}}")
		writeList(b, n.ElseList)
	}
	b.WriteString("{{end}}")
}

// values is what dot refers to inside the values: a path when dot is
// .Values or a subtree of it (inside `with .Values.x`), unknown otherwise;
// and the variables that hold a values path ($rt := .Values.runtime). A
// path step "*" is any item of a list: inside `range .Values.list`, the
// output does not tell which.
type values struct {
	path  []string
	known bool
	vars  map[string][]string
}

// anyItem is the path step of a range's element.
const anyItem = "*"

type marker struct {
	// item is the mark.item of the marks added now.
	item  int
	table *markTable
	file  string
	src   string
	lines *lint.Lines
	// nodeBlock and markBlock are blocks the text nodes the marker
	// inserts, and their markers' bytes, are carved from: an allocation
	// per block rather than three per marker.
	nodeBlock []parse.TextNode
	markBlock []byte
}

// textNode returns a new text node holding text.
func (m *marker) textNode(pos int, text []byte) *parse.TextNode {
	if len(m.nodeBlock) == cap(m.nodeBlock) {
		m.nodeBlock = make([]parse.TextNode, 0, 64)
	}
	m.nodeBlock = append(m.nodeBlock, parse.TextNode{NodeType: parse.NodeText, Pos: parse.Pos(pos), Text: text})
	return &m.nodeBlock[len(m.nodeBlock)-1]
}

func (m *marker) add(mk mark) *parse.TextNode {
	mk.file = m.file
	if mk.kind != markRange {
		mk.item = m.item
	}
	m.table.marks = append(m.table.marks, mk)
	// A marker is at most this long (an index has 20 digits at most); a
	// block that has less room left is set aside rather than grown, which
	// would copy the markers before.
	maxSize := 1 + len(markToken) + 20 + 1
	if cap(m.markBlock)-len(m.markBlock) < maxSize {
		m.markBlock = make([]byte, 0, 64*maxSize)
	}
	start := len(m.markBlock)
	m.markBlock = append(m.markBlock, markStart)
	m.markBlock = append(m.markBlock, markToken...)
	m.markBlock = strconv.AppendInt(m.markBlock, int64(len(m.table.marks)-1), 10)
	m.markBlock = append(m.markBlock, markEnd)
	return m.textNode(0, m.markBlock[start:len(m.markBlock):len(m.markBlock)])
}

// list inserts markers into a node list, recursing into control structures.
func (m *marker) list(l *parse.ListNode, dot values) {
	if l == nil {
		return
	}
	out := make([]parse.Node, 0, 2*len(l.Nodes))
	// A variable declared here is seen by what follows in this list
	// only: the map is copied before the first declaration.
	ownVars := false
	declare := func(name string, path []string) {
		if !ownVars {
			dot.vars, ownVars = maps.Clone(dot.vars), true
			if dot.vars == nil {
				dot.vars = map[string][]string{}
			}
		}
		if path == nil {
			delete(dot.vars, name)
			return
		}
		dot.vars[name] = path
	}
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			out = m.text(out, n)
		case *parse.ActionNode:
			if len(n.Pipe.Decl) == 1 {
				declare(n.Pipe.Decl[0].Ident[0], singleRef(n.Pipe, dot))
			}
			line, col := m.actionPosition(int(n.Pos))
			refs, toYAML := pipeRefs(n.Pipe, dot)
			mk := mark{kind: markAction, line: line, column: col, refs: refs, toYAML: toYAML, reads: includes(n.Pipe, nil), chartFile: filesGet(n.Pipe)}
			if callee, _, ok := directCall(n); ok {
				mk.kind, mk.callee = markCall, callee
				out = append(out, m.add(mk), n, m.add(mark{kind: markReturn}))
				continue
			}
			out = append(out, m.add(mk), n)
		case *parse.TemplateNode:
			line, col := m.actionPosition(int(n.Pos))
			out = append(out, m.add(mark{kind: markCall, line: line, column: col, callee: n.Name}), n, m.add(mark{kind: markReturn}))
		case *parse.IfNode:
			m.list(n.List, dot)
			m.list(n.ElseList, dot)
			out = append(out, n)
		case *parse.WithNode:
			inner := values{vars: dot.vars}
			if ref := singleRef(n.Pipe, dot); ref != nil {
				inner.path, inner.known = ref, true
			}
			m.list(n.List, inner)
			m.list(n.ElseList, dot)
			out = append(out, n)
		case *parse.RangeNode:
			// Dot, and the last variable declared, is an element:
			// any item of the list, as the output does not tell
			// which.
			inner := values{vars: maps.Clone(dot.vars)}
			if ref := singleRef(n.Pipe, dot); ref != nil {
				inner.path, inner.known = append(slices.Clone(ref), anyItem), true
			}
			if d := n.Pipe.Decl; len(d) > 0 {
				if inner.vars == nil {
					inner.vars = map[string][]string{}
				}
				for _, v := range d {
					delete(inner.vars, v.Ident[0])
				}
				if inner.known {
					inner.vars[d[len(d)-1].Ident[0]] = inner.path
				}
			}
			if inner.known && n.List != nil {
				outer := m.item
				pass := m.add(mark{kind: markItem})
				m.item = len(m.table.marks)
				out = append(out, m.add(mark{kind: markRange, item: m.item}))
				m.list(n.List, inner)
				n.List.Nodes = append([]parse.Node{pass}, n.List.Nodes...)
				m.item = outer
			} else {
				m.list(n.List, inner)
			}
			m.list(n.ElseList, dot)
			out = append(out, n)
		default:
			out = append(out, n)
		}
	}
	l.Nodes = out
}

// text splits a text node after every line break and puts a marker in
// front of each non-empty piece, so every output line of literal text
// starts with the template position it came from. The nodes are appended
// to out.
func (m *marker) text(out []parse.Node, n *parse.TextNode) []parse.Node {
	rest := n.Text
	off := int(n.Pos)
	for len(rest) > 0 {
		line, col := m.lines.Position(off)
		end := len(rest)
		if next := m.lines.Start(line+1) - off; next > 0 && next < end {
			end = next
		}
		out = append(out, m.add(mark{kind: markText, line: line, column: col}), m.textNode(off, rest[:end]))
		rest = rest[end:]
		off += end
	}
	return out
}

// actionPosition is the position of the "{{" opening the action whose
// pipeline starts at off; the parser records the pipeline's offset.
func (m *marker) actionPosition(off int) (line, col int) {
	if i := strings.LastIndex(m.src[:min(off, len(m.src))], "{{"); i >= 0 {
		off = i
	}
	return m.lines.Position(off)
}

// singleRef is the values path a pipeline is, when it is one reference
// (.Values.a, $rt.b, index .Values "a"), possibly with a default.
func singleRef(p *parse.PipeNode, dot values) []string {
	refs, _ := pipeRefs(p, dot)
	if len(refs) != 1 || len(p.Cmds) == 0 || len(p.Cmds) > 2 {
		return nil
	}
	if len(p.Cmds) == 2 && !isIdent(p.Cmds[1].Args[0], "default") {
		return nil
	}
	if first := p.Cmds[0].Args; len(first) != 1 && !isIdent(first[0], "index") && !isIdent(first[0], "default") {
		return nil
	}
	return refs[0]
}

// pipeRefs lists the .Values paths a pipeline reads, and whether it
// serialises exactly one of them with toYaml.
func pipeRefs(p *parse.PipeNode, dot values) (refs [][]string, toYAML bool) {
	if p == nil {
		return nil, false
	}
	for _, c := range p.Cmds {
		if ref, ok := indexRef(c, dot); ok {
			refs = append(refs, ref)
			continue
		}
		for _, arg := range c.Args {
			switch a := arg.(type) {
			case *parse.IdentifierNode:
				if a.Ident == "toYaml" {
					toYAML = true
				}
			case *parse.PipeNode:
				sub, _ := pipeRefs(a, dot)
				refs = append(refs, sub...)
			default:
				if r, ok := valuesRef(arg, dot); ok {
					refs = append(refs, r)
				}
			}
		}
	}
	return refs, toYAML && len(refs) == 1
}

// valuesRef returns the values path an argument reads: .Values.a.b and
// $.Values.a.b anywhere, and .a.b or . where dot is known to be in values.
func valuesRef(arg parse.Node, dot values) ([]string, bool) {
	switch a := arg.(type) {
	case *parse.FieldNode:
		if dot.known {
			return append(slices.Clone(dot.path), a.Ident...), true
		}
		if a.Ident[0] == "Values" {
			return slices.Clone(a.Ident[1:]), true
		}
	case *parse.VariableNode:
		if len(a.Ident) > 1 && a.Ident[0] == "$" && a.Ident[1] == "Values" {
			return slices.Clone(a.Ident[2:]), true
		}
		if base, ok := dot.vars[a.Ident[0]]; ok {
			return append(slices.Clone(base), a.Ident[1:]...), true
		}
	case *parse.DotNode:
		if dot.known {
			return slices.Clone(dot.path), true
		}
	}
	return nil, false
}

// filesGet is the name of the chart file a pipeline reads with .Files.Get
// "name" or $.Files.Get "name", "" when it reads none by a literal name.
func filesGet(p *parse.PipeNode) string {
	if p == nil {
		return ""
	}
	for _, c := range p.Cmds {
		if len(c.Args) > 1 && isFilesGet(c.Args[0]) {
			if s, ok := c.Args[1].(*parse.StringNode); ok {
				return s.Text
			}
		}
		for _, a := range c.Args {
			if sub, ok := a.(*parse.PipeNode); ok {
				if name := filesGet(sub); name != "" {
					return name
				}
			}
		}
	}
	return ""
}

func isFilesGet(n parse.Node) bool {
	switch a := n.(type) {
	case *parse.FieldNode:
		return slices.Equal(a.Ident, []string{"Files", "Get"})
	case *parse.VariableNode:
		return slices.Equal(a.Ident, []string{"$", "Files", "Get"})
	}
	return false
}

// includes adds to names the helpers a pipeline includes by a literal name.
func includes(p *parse.PipeNode, names []string) []string {
	if p == nil {
		return names
	}
	for _, c := range p.Cmds {
		if len(c.Args) > 1 && isIdent(c.Args[0], "include") {
			if s, ok := c.Args[1].(*parse.StringNode); ok {
				names = append(names, s.Text)
			}
		}
		for _, a := range c.Args {
			if sub, ok := a.(*parse.PipeNode); ok {
				names = includes(sub, names)
			}
		}
	}
	return names
}

// definePositions finds where each helper that marks read is defined,
// for helpers defined once.
func (mt *markTable) definePositions(files []*parsedTemplate) {
	wanted := map[string]bool{}
	for _, mk := range mt.marks {
		for _, n := range mk.reads {
			wanted[n] = true
		}
	}
	count := map[string]int{}
	mt.defines = map[string]lint.Position{}
	for _, pt := range files {
		for n, tree := range pt.trees {
			if n == pt.name || !wanted[n] {
				continue
			}
			count[n]++
			if count[n] > 1 {
				delete(mt.defines, n)
				continue
			}
			off := int(tree.Root.Pos)
			if i := strings.LastIndex(pt.src[:min(off, len(pt.src))], "{{"); i >= 0 {
				off = i
			}
			line, col := pt.lineIndex().Position(off)
			mt.defines[n] = lint.Position{File: pt.file, Line: line, Column: col}
		}
	}
}

// indexRef reads `index <values> "a" "b"` as the path it looks up; a key
// that is not a literal ends the path there.
func indexRef(c *parse.CommandNode, dot values) ([]string, bool) {
	if len(c.Args) < 3 || !isIdent(c.Args[0], "index") {
		return nil, false
	}
	base, ok := valuesRef(c.Args[1], dot)
	if !ok {
		return nil, false
	}
	for _, k := range c.Args[2:] {
		switch k := k.(type) {
		case *parse.StringNode:
			base = append(base, k.Text)
		case *parse.NumberNode:
			base = append(base, k.Text)
		default:
			return base, true
		}
	}
	return base, true
}

// placed is a marker found in rendered output: the mark, and where its
// output starts once markers are stripped (0-based line, column in code
// points), lines counted as Decode numbers the nodes of that output. parent
// is the index in the same list of the call whose output holds it, or -1.
type placed struct {
	mark   int
	line   int
	column int
	parent int
	// item is the index of the values list item the innermost range
	// holding the mark was on, -1 outside one.
	item int
}

// readMarker reads the marker at the start of s: its index into a table of
// marks entries, and its length in bytes. ok is false for anything else,
// such as a value holding NUL.
func readMarker(s string, marks int) (idx, size int, ok bool) {
	rest, found := strings.CutPrefix(s[1:], markToken)
	if !found {
		return 0, 0, false
	}
	end := strings.IndexByte(rest, markEnd)
	if end <= 0 {
		return 0, 0, false
	}
	idx, err := strconv.Atoi(rest[:end])
	if err != nil || idx < 0 || idx >= marks || strconv.Itoa(idx) != rest[:end] {
		return 0, 0, false
	}
	return idx, 1 + len(markToken) + end + 1, true
}

// stripMarkers removes the markers from rendered output and returns where
// each was. Return markers are not kept: they only close the call they end.
func stripMarkers(out string, mt *markTable) ([]byte, []placed) {
	text := make([]byte, 0, len(out))
	var found []placed
	var offsets []int
	var calls []int
	// passes counts the passes through each range body, by markItem.
	passes := map[int]int{}
	for {
		i := strings.IndexByte(out, markStart)
		if i < 0 {
			text = append(text, out...)
			break
		}
		text, out = append(text, out[:i]...), out[i:]
		if idx, size, ok := readMarker(out, len(mt.marks)); ok {
			out = out[size:]
			mk := &mt.marks[idx]
			switch mk.kind {
			case markReturn:
				if len(calls) > 0 {
					calls = calls[:len(calls)-1]
				}
				continue
			case markRange:
				passes[mk.item-1] = 0
				continue
			case markItem:
				passes[idx]++
				continue
			}
			parent := -1
			if len(calls) > 0 {
				parent = calls[len(calls)-1]
			}
			item := -1
			if mk.item > 0 {
				item = passes[mk.item-1] - 1
			}
			found = append(found, placed{mark: idx, parent: parent, item: item})
			offsets = append(offsets, len(text))
			if mk.kind == markCall {
				calls = append(calls, len(found)-1)
			}
			continue
		}
		// Not one of ours (a value holding NUL): it is kept, so the YAML
		// decoder reports the control character.
		text, out = append(text, out[0]), out[1:]
	}
	if len(found) > 0 {
		lines := lint.IndexLines(text)
		for i, off := range offsets {
			line, column := lines.Position(off)
			found[i].line, found[i].column = line-1, column-1
		}
	}
	return text, found
}

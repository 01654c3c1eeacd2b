package lint

import (
	"bytes"
	"slices"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Lines numbers the lines of a text the way GitHub's file view and editors
// do, so that a reported line is the one a person opens: a line ends at LF,
// CRLF or a lone CR (a file saved with old Mac line endings is many lines,
// not one). Columns count code points from 1. A UTF-8 byte order mark is
// no part of the first line, as editors hide it.
//
// yaml.v3 numbers lines differently in one respect: it also ends them at
// NEL (U+0085), LS (U+2028) and PS (U+2029), the line breaks of YAML 1.1,
// which GitHub and editors show inside a line. FromYAML and RenumberNodes
// translate its positions.
type Lines struct {
	src []byte
	// starts holds the offset at which each line starts.
	starts []int
	// yamlStarts holds the line starts as yaml.v3 counts them; it is nil
	// when the text has no NEL, LS or PS, and yaml.v3's lines are ours.
	yamlStarts []int
}

var byteOrderMark = []byte("\ufeff")

// IndexLines indexes the lines of src, which must not change while the
// index is in use.
func IndexLines(src []byte) *Lines {
	first := 0
	if bytes.HasPrefix(src, byteOrderMark) {
		first = len(byteOrderMark)
	}
	l := &Lines{src: src, starts: make([]int, 1, bytes.Count(src, []byte{'\n'})+1)}
	l.starts[0] = first
	yamlOnly := false
	for i := first; i < len(src); i++ {
		switch src[i] {
		case '\n':
			l.starts = append(l.starts, i+1)
		case '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			l.starts = append(l.starts, i+1)
		case 0xC2, 0xE2:
			// The lead bytes of NEL, LS and PS; they never occur inside
			// another character's encoding.
			yamlOnly = yamlOnly || yamlBreak(src, i) > 0
		}
	}
	if yamlOnly {
		l.yamlStarts = []int{first}
		for i := first; i < len(src); {
			if w := yamlBreak(src, i); w > 0 {
				i += w
				l.yamlStarts = append(l.yamlStarts, i)
				continue
			}
			i++
		}
	}
	return l
}

// yamlBreak is the length in bytes of the line break yaml.v3 sees at
// src[i], or 0.
func yamlBreak(src []byte, i int) int {
	switch {
	case src[i] == '\n':
		return 1
	case src[i] == '\r':
		if i+1 < len(src) && src[i+1] == '\n' {
			return 2
		}
		return 1
	case src[i] == 0xC2 && i+1 < len(src) && src[i+1] == 0x85:
		return 2
	case src[i] == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xA8 || src[i+2] == 0xA9):
		return 3
	}
	return 0
}

// Count is the number of lines. Text that ends with a line break has one
// more, empty, after it, where an editor puts the cursor; an empty text has
// one line.
func (l *Lines) Count() int { return len(l.starts) }

// Start is the offset at which line starts; a line past the last starts at
// the end of the text.
func (l *Lines) Start(line int) int {
	switch {
	case line < 1:
		return l.starts[0]
	case line > len(l.starts):
		return len(l.src)
	}
	return l.starts[line-1]
}

// Text is the content of line, without its line break.
func (l *Lines) Text(line int) []byte {
	if line < 1 || line > len(l.starts) {
		return nil
	}
	text := l.src[l.starts[line-1]:l.Start(line+1)]
	if n := len(text); n > 0 && text[n-1] == '\n' {
		text = text[:n-1]
	}
	if n := len(text); n > 0 && text[n-1] == '\r' {
		text = text[:n-1]
	}
	return text
}

// Clamp keeps line within the text, for a reader that reports the end of
// input on the line after the last: the empty line after a final line
// break holds nothing to show, so the line before it is the last.
func (l *Lines) Clamp(line int) int {
	last := len(l.starts)
	if last > 1 && l.starts[last-1] == len(l.src) {
		last--
	}
	return max(1, min(line, last))
}

// Line is the line holding offset.
func (l *Lines) Line(offset int) int {
	i, found := slices.BinarySearch(l.starts, offset)
	if !found {
		i--
	}
	return max(1, i+1)
}

// Position is the line and column of offset. An offset past the end is
// taken as the end.
func (l *Lines) Position(offset int) (line, column int) {
	offset = min(max(offset, 0), len(l.src))
	line = l.Line(offset)
	start := l.starts[line-1]
	if offset < start {
		// Inside the byte order mark.
		return line, 1
	}
	return line, utf8.RuneCount(l.src[start:offset]) + 1
}

// End is the position just past the last character.
func (l *Lines) End() (line, column int) {
	return l.Position(len(l.src))
}

// FromYAML translates a 1-based line and column as yaml.v3 gives them into
// this text's. A position past the end of its line or of the text is taken
// as that end; a column of 0 (unknown) stays 0.
func (l *Lines) FromYAML(line, column int) (int, int) {
	if l.yamlStarts == nil || line < 1 {
		return line, column
	}
	if line > len(l.yamlStarts) {
		end, endColumn := l.End()
		if column == 0 {
			endColumn = 0
		}
		return end, endColumn
	}
	offset := l.yamlStarts[line-1]
	for c := 1; c < column && offset < len(l.src) && yamlBreak(l.src, offset) == 0; c++ {
		_, size := utf8.DecodeRune(l.src[offset:])
		offset += size
	}
	translated, translatedColumn := l.Position(offset)
	if column == 0 {
		translatedColumn = 0
	}
	return translated, translatedColumn
}

// BlockIndent is how many columns the literal block scalar n, decoded from
// this text, strips from each of its lines: its content indentation,
// whether written (|4) or detected. It is read from the text, by finding
// the value's first non-empty line at the end of its line in the text, so
// no rule about how far a block is indented has to be guessed. ok is false
// for any other scalar, and for a node this text does not hold.
func (l *Lines) BlockIndent(n *yaml.Node) (indent int, ok bool) {
	if l == nil || n == nil || n.Kind != yaml.ScalarNode || n.Style&yaml.LiteralStyle == 0 || n.Line < 1 {
		return 0, false
	}
	k := 0
	for text := range strings.Lines(n.Value) {
		k++
		text = strings.TrimSuffix(text, "\n")
		if text == "" {
			continue
		}
		src := l.Text(n.Line + k)
		if !bytes.HasSuffix(src, []byte(text)) {
			return 0, false
		}
		prefix := src[:len(src)-len(text)]
		if len(bytes.TrimLeft(prefix, " ")) > 0 {
			return 0, false
		}
		return len(prefix), true
	}
	return 0, false
}

// InBlock is the position in this text of a line and column (both from 1)
// of the value of the literal block scalar n: a literal block keeps its
// lines, so line k of the value is k lines below the block's header, after
// its indentation. ok is false where BlockIndent's is: a folded or quoted
// scalar joins or escapes lines, and no position inside it can be told.
func (l *Lines) InBlock(n *yaml.Node, line, column int) (fileLine, fileColumn int, ok bool) {
	indent, ok := l.BlockIndent(n)
	if !ok || line < 1 || column < 1 {
		return 0, 0, false
	}
	return n.Line + line, indent + column, true
}

// RenumberNodes moves every node of the tree under root, decoded by
// yaml.v3 from this text, to the lines and columns FromYAML gives. It
// changes nothing, and costs nothing, in the usual text without NEL, LS or
// PS.
func (l *Lines) RenumberNodes(root *yaml.Node) {
	if l.yamlStarts == nil || root == nil {
		return
	}
	if root.Line > 0 {
		root.Line, root.Column = l.FromYAML(root.Line, root.Column)
	}
	for _, n := range root.Content {
		l.RenumberNodes(n)
	}
}

// offset is the offset of a line and column (a code point, from 1) of this
// text; a column past the end of its line is taken as that end.
func (l *Lines) offset(line, column int) int {
	offset := l.Start(line)
	end := l.Start(line + 1)
	for c := 1; c < column && offset < end; c++ {
		_, size := utf8.DecodeRune(l.src[offset:])
		offset += size
	}
	return offset
}

// ScalarSpan is where the scalar or alias n, decoded from this text, is
// written: from its first character past any anchor and tag (&a !!str) to
// just past its last, quotes included. It is read from the text, not
// computed from the decoded value, so escapes ("\t"), a quote doubled
// ('it”s') and plain or quoted scalars folded over several lines span what
// a person sees. ok is false for block scalars and when the text does not
// hold n where its position says.
func (l *Lines) ScalarSpan(n *yaml.Node) (start, end int, ok bool) {
	if l == nil || n == nil || n.Line < 1 || n.Column < 1 || n.Line > len(l.starts) {
		return 0, 0, false
	}
	src := l.src
	i := l.offset(n.Line, n.Column)
	if n.Kind == yaml.AliasNode {
		if i >= len(src) || src[i] != '*' {
			return 0, 0, false
		}
		j := i + 1
		for j < len(src) && !isYAMLSpace(src[j]) && !bytes.ContainsRune([]byte(",[]{}"), rune(src[j])) {
			j++
		}
		return i, j, true
	}
	if n.Kind != yaml.ScalarNode {
		return 0, 0, false
	}
	// Skip the node's properties: an anchor and a tag, in either order.
	for i < len(src) && (src[i] == '&' || src[i] == '!') {
		for i < len(src) && !isYAMLSpace(src[i]) {
			i++
		}
		for i < len(src) && isYAMLSpace(src[i]) {
			i++
		}
	}
	if i >= len(src) {
		return 0, 0, false
	}
	switch {
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return 0, 0, false
	case n.Style&yaml.DoubleQuotedStyle != 0:
		if src[i] != '"' {
			return 0, 0, false
		}
		for j := i + 1; j < len(src); j++ {
			switch src[j] {
			case '\\':
				j++
			case '"':
				return i, j + 1, true
			}
		}
		return 0, 0, false
	case n.Style&yaml.SingleQuotedStyle != 0:
		if src[i] != '\'' {
			return 0, 0, false
		}
		for j := i + 1; j < len(src); j++ {
			if src[j] == '\'' {
				if j+1 < len(src) && src[j+1] == '\'' {
					j++
					continue
				}
				return i, j + 1, true
			}
		}
		return 0, 0, false
	}
	if n.ShortTag() == "!!binary" {
		// Its value may be the text the base64 encodes (render/manifest
		// decodes it, as Kubernetes does): the base64 is what is written.
		j := i
		for j < len(src) && !isYAMLSpace(src[j]) && !bytes.ContainsRune([]byte(",[]{}"), rune(src[j])) {
			j++
		}
		return i, j, true
	}
	// A plain scalar is its value as written, but for the line breaks and
	// indentation that folding turned into a single space or line feed.
	j := i
	for k := 0; k < len(n.Value); k++ {
		if c := n.Value[k]; c == ' ' || c == '\n' {
			if run := foldedRun(src[j:]); run > 0 {
				j += run
				continue
			}
		}
		if j >= len(src) || src[j] != n.Value[k] {
			return 0, 0, false
		}
		j++
	}
	return i, j, true
}

// foldedRun is the length of the white space at the start of b that line
// folding turns into one character of a plain scalar's value: the trailing
// spaces of a line, its breaks and the next line's indentation. Without a
// break in it, the run is not folded, and each space stands for itself.
func foldedRun(b []byte) int {
	n := 0
	for n < len(b) && isYAMLSpace(b[n]) {
		n++
	}
	if bytes.IndexByte(b[:n], '\n') < 0 && bytes.IndexByte(b[:n], '\r') < 0 {
		return 0
	}
	return n
}

func isYAMLSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r'
}

// NodePosition is lint.NodePosition with the span read from this text
// (ScalarSpan) where it can be; l may be nil.
func (l *Lines) NodePosition(file string, n *yaml.Node) Position {
	start, end, ok := l.ScalarSpan(n)
	if !ok {
		return NodePosition(file, n)
	}
	p := Position{File: file}
	p.Line, p.Column = l.Position(start)
	p.EndLine, p.EndColumn = l.Position(end)
	return p
}

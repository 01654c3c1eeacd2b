package rules

import (
	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/pelletier/go-toml/v2/unstable"
	"go.yaml.in/yaml/v3"
)

// parseTOML reads a TOML document (Telegraf's telegraf.conf, Vector's
// vector.toml, GitLab Runner's config.toml) into a yaml.v3 tree, so that
// the rules read TOML and YAML configs with the same helpers and place
// findings the same way: every key, table and scalar keeps the line and
// column it was written at. A table header that names a table the tree
// already holds through an array of tables (`[runners.kubernetes]` after
// `[[runners]]`) extends the array's last element, as TOML specifies. It
// returns nil when the text is not TOML.
func parseTOML(text string) *yaml.Node {
	src := []byte(text)
	t := tomlTree{lines: lint.IndexLines(src), root: &yaml.Node{Kind: yaml.MappingNode, Line: 1, Column: 1}}
	var p unstable.Parser
	p.Reset(src)
	current := t.root
	for p.NextExpression() {
		expr := p.Expression()
		switch expr.Kind {
		case unstable.KeyValue:
			t.setKeyValue(current, expr)
		case unstable.Table:
			current = t.table(expr)
		case unstable.ArrayTable:
			current = t.arrayTable(expr)
		}
	}
	if p.Error() != nil {
		return nil
	}
	return t.root
}

type tomlTree struct {
	lines *lint.Lines
	root  *yaml.Node
}

// place sets n's line and column to where raw starts in the text.
func (t *tomlTree) place(n *yaml.Node, raw unstable.Range) {
	n.Line, n.Column = t.lines.Position(int(raw.Offset))
}

func (t *tomlTree) keyNode(part *unstable.Node) *yaml.Node {
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: string(part.Data)}
	t.place(k, part.Raw)
	return k
}

// keyParts lists the parts of a dotted key.
func keyParts(it unstable.Iterator) []*unstable.Node {
	var parts []*unstable.Node
	for it.Next() {
		parts = append(parts, it.Node())
	}
	return parts
}

// child returns the table under part in m, creating it when missing. Going
// through an array of tables leads to its last element.
func (t *tomlTree) child(m *yaml.Node, part *unstable.Node) *yaml.Node {
	v := lint.Get(m, string(part.Data))
	if v == nil {
		k := t.keyNode(part)
		v = &yaml.Node{Kind: yaml.MappingNode, Line: k.Line, Column: k.Column}
		m.Content = append(m.Content, k, v)
	}
	if v.Kind == yaml.SequenceNode && len(v.Content) > 0 {
		v = v.Content[len(v.Content)-1]
	}
	return v
}

func (t *tomlTree) table(expr *unstable.Node) *yaml.Node {
	m := t.root
	for _, part := range keyParts(expr.Key()) {
		m = t.child(m, part)
	}
	return m
}

func (t *tomlTree) arrayTable(expr *unstable.Node) *yaml.Node {
	parts := keyParts(expr.Key())
	m := t.root
	for _, part := range parts[:len(parts)-1] {
		m = t.child(m, part)
	}
	last := parts[len(parts)-1]
	seq := lint.Get(m, string(last.Data))
	if seq == nil || seq.Kind != yaml.SequenceNode {
		k := t.keyNode(last)
		seq = &yaml.Node{Kind: yaml.SequenceNode, Line: k.Line, Column: k.Column}
		m.Content = append(m.Content, k, seq)
	}
	// The element starts at its header's last key part, where a person
	// reads which array it belongs to.
	item := &yaml.Node{Kind: yaml.MappingNode}
	t.place(item, last.Raw)
	seq.Content = append(seq.Content, item)
	return item
}

// setKeyValue adds a key-value, dotted keys making tables on the way.
func (t *tomlTree) setKeyValue(m *yaml.Node, expr *unstable.Node) {
	parts := keyParts(expr.Key())
	for _, part := range parts[:len(parts)-1] {
		m = t.child(m, part)
	}
	k := t.keyNode(parts[len(parts)-1])
	m.Content = append(m.Content, k, t.value(expr.Value(), k))
}

// value converts a TOML value; key places the containers the parser gives
// no position of their own.
func (t *tomlTree) value(v *unstable.Node, key *yaml.Node) *yaml.Node {
	switch v.Kind {
	case unstable.Array:
		seq := &yaml.Node{Kind: yaml.SequenceNode, Line: key.Line, Column: key.Column}
		for it := v.Children(); it.Next(); {
			if item := it.Node(); item.Kind != unstable.Comment {
				seq.Content = append(seq.Content, t.value(item, key))
			}
		}
		return seq
	case unstable.InlineTable:
		m := &yaml.Node{Kind: yaml.MappingNode}
		t.place(m, v.Raw)
		for it := v.Children(); it.Next(); {
			if kv := it.Node(); kv.Kind == unstable.KeyValue {
				t.setKeyValue(m, kv)
			}
		}
		return m
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: tomlTags[v.Kind], Value: string(v.Data)}
	if v.Kind == unstable.String {
		// Quoted in the source: the span then covers the quotes as it
		// does for a quoted YAML scalar.
		n.Style = yaml.DoubleQuotedStyle
	}
	t.place(n, v.Raw)
	return n
}

var tomlTags = map[unstable.Kind]string{
	unstable.String:  "!!str",
	unstable.Bool:    "!!bool",
	unstable.Integer: "!!int",
	unstable.Float:   "!!float",
}

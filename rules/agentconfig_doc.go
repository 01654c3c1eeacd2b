package rules

import (
	"encoding/base64"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// configDoc is an agent's configuration found in an object: text embedded
// in a string (a ConfigMap data value) or a YAML tree that is part of the
// object itself (a standalone agent.yaml, a collector resource's spec).
type configDoc struct {
	obj *lint.Object
	// field is where the document sits in the object, such as
	// data["agent.yaml"]; empty for a whole standalone file.
	field lint.FieldPath
	// text and value are the embedded document and the scalar holding it;
	// both are unset when tree is part of the object.
	text  string
	value *yaml.Node
	// encoded marks text decoded from value (a Secret's base64 data): no
	// position inside it maps to the file.
	encoded bool
	tree    *yaml.Node
	// parsed keeps text parsed as YAML and as TOML: the list of documents
	// is memoised per object (configDocsOf), so every rule that reads a
	// document shares one parse of it.
	parsed *parsedText
}

type parsedText struct {
	yamlDone, tomlDone bool
	yaml, toml         *yaml.Node
}

// textDoc is the document embedded in the string v at field.
func textDoc(obj *lint.Object, field lint.FieldPath, v *yaml.Node) configDoc {
	return configDoc{obj: obj, field: field, text: v.Value, value: v, parsed: &parsedText{}}
}

// configDocsKey memoises the object's configDocs for every rule that reads
// them (see lint.Memo): a Secret's data is decoded and a values file walked
// once, not once per rule.
type configDocsKey struct{}

// configDocsOf is configDocs of the object being checked.
func configDocsOf(p *lint.Pass) []configDoc {
	return lint.Memo(p, configDocsKey{}, func() []configDoc { return configDocs(p.Object) })
}

// configDocs lists the configuration documents an object may carry.
func configDocs(obj *lint.Object) []configDoc {
	switch {
	case obj.Kind == "ConfigMap":
		return dataDocs(nil, obj, "data", false)
	case obj.Kind == "Secret":
		// Charts that treat their agent's config as secret, such as
		// Promtail's, render it into a Secret's stringData or data.
		return dataDocs(dataDocs(nil, obj, "stringData", false), obj, "data", true)
	case obj.Kind == "OpenTelemetryCollector" && strings.HasPrefix(obj.APIVersion, "opentelemetry.io/"):
		v := lint.Path(obj.Node, "spec", "config")
		switch {
		case v == nil:
			return nil
		case v.Kind == yaml.ScalarNode:
			return []configDoc{textDoc(obj, lint.KeyPath("spec", "config"), v)}
		default:
			return []configDoc{{obj: obj, field: lint.KeyPath("spec", "config"), tree: v}}
		}
	case obj.Kind == "" && obj.APIVersion == "":
		// A document that is not a Kubernetes object: a standalone agent
		// configuration file, or a chart's values file, whose multi-line
		// strings are the configs the chart puts in its ConfigMaps
		// (Filebeat's filebeatConfig, GitLab Runner's runners.config).
		docs := []configDoc{{obj: obj, tree: obj.Node}}
		return appendValueDocs(docs, obj, obj.Node, lint.FieldPath{})
	}
	return nil
}

// dataDocs adds each string of the object's map under key (a ConfigMap's
// data, a Secret's stringData) as an embedded document. Values of a
// Secret's data are base64: their decoded text is read, and findings in it
// point at the encoded string.
func dataDocs(docs []configDoc, obj *lint.Object, key string, base64Encoded bool) []configDoc {
	data := lint.Get(obj.Node, key)
	for k, v := range lint.Entries(data) {
		if v.Kind != yaml.ScalarNode {
			continue
		}
		doc := textDoc(obj, lint.KeyPath(key, k.Value), v)
		if base64Encoded {
			text, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v.Value), ""))
			if err != nil {
				continue
			}
			doc.text, doc.encoded = string(text), true
		}
		docs = append(docs, doc)
	}
	return docs
}

// appendValueDocs adds every multi-line string under mapping n as an
// embedded document. Aliases are not followed: the value they name is
// visited where it is written.
func appendValueDocs(docs []configDoc, obj *lint.Object, n *yaml.Node, field lint.FieldPath) []configDoc {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			switch {
			case v.Kind == yaml.ScalarNode && strings.Contains(v.Value, "\n"):
				docs = append(docs, textDoc(obj, field.Key(k.Value), v))
			case v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode:
				docs = appendValueDocs(docs, obj, v, field.Key(k.Value))
			}
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			if item.Kind == yaml.MappingNode || item.Kind == yaml.SequenceNode {
				docs = appendValueDocs(docs, obj, item, field.Index(i))
			}
		}
	}
	return docs
}

// parseYAML parses the document as YAML and returns its root mapping, or nil
// when it is not a YAML mapping (a Fluent Bit file, a script). needle is a
// word the document must contain to be worth parsing: it keeps the linter
// from parsing every ConfigMap value for every rule, but never decides a
// finding, since comments may contain it too.
func (d configDoc) parseYAML(needle string) *yaml.Node {
	if d.tree != nil {
		return mappingOrNil(d.tree)
	}
	if !strings.Contains(d.text, needle) {
		return nil
	}
	if !d.parsed.yamlDone {
		d.parsed.yaml, d.parsed.yamlDone = parseYAMLText(d.text), true
	}
	return d.parsed.yaml
}

func parseYAMLText(text string) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil || len(doc.Content) == 0 {
		return nil
	}
	return mappingOrNil(doc.Content[0])
}

// parseTOML is parseYAML for a TOML document; a tree of the object is not
// TOML and gives nil.
func (d configDoc) parseTOML(needle string) *yaml.Node {
	if d.tree != nil || !strings.Contains(d.text, needle) {
		return nil
	}
	if !d.parsed.tomlDone {
		d.parsed.toml, d.parsed.tomlDone = parseTOML(d.text), true
	}
	return d.parsed.toml
}

func mappingOrNil(n *yaml.Node) *yaml.Node {
	n = lint.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	return n
}

// locate returns a node placed where n, a node of the document, sits in the
// file: n itself for a tree of the object, a copy moved into the file's
// coordinates for an embedded document.
func (d configDoc) locate(n *yaml.Node) *yaml.Node {
	if d.tree != nil {
		return n
	}
	return d.at(n.Line, n.Column, n)
}

// at returns a node at a line and column of the embedded text; like is
// copied for its value and style, so the finding spans the value. A
// literal block keeps its lines, so the place is read from the object's
// text (lint.Lines.InBlock); other styles fold or escape lines, and the
// value itself is reported.
func (d configDoc) at(line, column int, like *yaml.Node) *yaml.Node {
	fileLine, fileColumn, ok := d.obj.Lines.InBlock(d.value, line, column)
	if !ok || d.encoded {
		return d.value
	}
	moved := yaml.Node{Kind: yaml.ScalarNode}
	if like != nil {
		moved = *like
		moved.Content = nil
	}
	moved.Line, moved.Column = fileLine, fileColumn
	return &moved
}

// fieldOf is the path of a field inside the document. For a document
// embedded in a string it goes through a Document step: parseYAML reads
// the first document of the text.
func (d configDoc) fieldOf(steps ...lint.Step) lint.FieldPath {
	if d.tree == nil {
		return d.field.Append(lint.Document(0)).Append(steps...)
	}
	return d.field.Append(steps...)
}

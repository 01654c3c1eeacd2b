package kustomize

import (
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// generatorFields are the kustomization fields of each generator kind.
var generatorFields = map[string]string{
	"ConfigMapGenerator": "configMapGenerator",
	"SecretGenerator":    "secretGenerator",
}

// generatorLocation places a field of a generated ConfigMap or Secret where
// its value was written: the literal in the kustomization, the line of an
// env file, or inside the file a files entry reads. A field it cannot
// place further is reported at the generator's entry.
func (l *kustLocator) generatorLocation(n *yaml.Node, field lint.FieldPath) (lint.Location, bool) {
	spec := l.b.spec(l.configuredIn)
	gen := l.generatorOf(spec)
	if gen == nil {
		return lint.Location{}, false
	}
	kfile := l.b.display(spec.file)
	entry := lint.Location{Primary: lint.NodePosition(kfile, lint.Get(gen, "name"))}
	outer, doc, inner, embedded := field.Embedded()
	if outer.Len() != 2 {
		return entry, true
	}
	key, _ := outer.At(1).Key()
	for _, item := range lint.Items(lint.Get(gen, "literals")) {
		if k, v, ok := strings.Cut(lint.Scalar(item), "="); ok && k == key {
			return lint.Location{Primary: literalValue(kfile, item, k, v)}, true
		}
	}
	for _, item := range lint.Items(lint.Get(gen, "files")) {
		ref := lint.Scalar(item)
		k, path, ok := strings.Cut(ref, "=")
		if !ok {
			k, path = filepath.Base(filepath.FromSlash(ref)), ref
		}
		if k != key {
			continue
		}
		src := l.b.source(filepath.Join(spec.dir, filepath.FromSlash(path)))
		if src == nil {
			return lint.Location{Primary: lint.NodePosition(kfile, item)}, true
		}
		related := []lint.Related{{Position: lint.NodePosition(kfile, item), Message: "generated from this file"}}
		if embedded && doc < len(src.docs) {
			if target := lint.Lookup(src.docs[doc], inner); target != nil {
				return lint.Location{Primary: src.lines.NodePosition(src.display, target), Related: related}, true
			}
		}
		// The value is the file's text: a line of the value is the file's.
		if line, column, ok := l.inValueText(n, outer); ok {
			moved := *n
			moved.Line, moved.Column = line, column
			return lint.Location{Primary: src.lines.NodePosition(src.display, &moved), Related: related}, true
		}
		return lint.Location{Primary: lint.Position{File: src.display}, Related: related}, true
	}
	envs := lint.Items(lint.Get(gen, "envs"))
	for _, item := range envs {
		if loc, ok := l.envLocation(spec, item, key); ok {
			return loc, true
		}
	}
	if loc, ok := l.envLocation(spec, lint.Get(gen, "env"), key); ok {
		return loc, true
	}
	return entry, true
}

// generatorOf is the entry of spec that generated the object: the one whose
// name, renamed by the kustomizations from spec up to the root (and
// followed by the content hash unless disabled), is the built name.
func (l *kustLocator) generatorOf(spec *kustSpec) *yaml.Node {
	if spec == nil {
		return nil
	}
	chains := l.b.chains(spec.file)
	for _, gen := range lint.Items(lint.Get(spec.root, generatorFields[l.generator])) {
		name := lint.Scalar(lint.Get(gen, "name"))
		for _, c := range chains {
			built := l.b.built(c, name)
			// The hash is a dash and ten characters.
			if l.name == built || len(l.name) == len(built)+11 && strings.HasPrefix(l.name, built+"-") {
				return gen
			}
		}
	}
	return nil
}

// literalValue is the position of v in the literal "k=v" that item holds.
func literalValue(file string, item *yaml.Node, k, v string) lint.Position {
	p := lint.NodePosition(file, item)
	if item.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || p.Line == 0 {
		return p
	}
	start := item.Column + utf8.RuneCountInString(k) + 1
	if item.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		start++
	}
	return lint.Position{File: file, Line: item.Line, Column: start, EndLine: item.Line, EndColumn: start + utf8.RuneCountInString(v)}
}

// envLocation finds key in the env file item names: the value after
// "key=" on its line.
func (l *kustLocator) envLocation(spec *kustSpec, item *yaml.Node, key string) (lint.Location, bool) {
	ref := lint.Scalar(item)
	if ref == "" {
		return lint.Location{}, false
	}
	src := l.b.source(filepath.Join(spec.dir, filepath.FromSlash(ref)))
	if src == nil {
		return lint.Location{}, false
	}
	for line := 1; line <= src.lines.Count(); line++ {
		text := string(src.lines.Text(line))
		indent := len(text) - len(strings.TrimLeft(text, " \t"))
		k, v, ok := strings.Cut(text[indent:], "=")
		if !ok || strings.TrimSpace(k) != key {
			continue
		}
		start := utf8.RuneCountInString(text[:indent]) + utf8.RuneCountInString(k) + 2
		return lint.Location{Primary: lint.Position{File: src.display, Line: line, Column: start, EndLine: line, EndColumn: start + utf8.RuneCountInString(v)}}, true
	}
	return lint.Location{}, false
}

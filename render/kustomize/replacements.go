package kustomize

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// replacementLocation places a field a replacement wrote at the field of
// the source object it copied, with the replacement's target as related
// location. Kustomize runs replacements after patches, so one that writes
// the field decides its value.
func (l *kustLocator) replacementLocation(path lint.FieldPath, src origin, depth int) (lint.Location, bool) {
	for level, spec := range src.chain.specs {
		for _, r := range slices.Backward(l.replacementsOf(spec)) {
			if loc, ok := l.replaced(r, path, l.b.nameAt(src.chain, level, src.name), depth); ok {
				return loc, true
			}
		}
	}
	return lint.Location{}, false
}

// replacement is one replacement and the file it is written in.
type replacement struct {
	node *yaml.Node
	file string
}

// replacementsOf lists a kustomization's replacements, inline and read
// from files, in order.
func (l *kustLocator) replacementsOf(spec *kustSpec) []replacement {
	var out []replacement
	for _, entry := range lint.Items(lint.Get(spec.root, "replacements")) {
		ref := lint.Scalar(lint.Get(entry, "path"))
		if ref == "" {
			out = append(out, replacement{node: entry, file: l.b.display(spec.file)})
			continue
		}
		file := l.b.source(filepath.Join(spec.dir, filepath.FromSlash(ref)))
		if file == nil {
			continue
		}
		for _, doc := range file.docs {
			if doc.Kind == yaml.SequenceNode {
				for _, r := range lint.Items(doc) {
					out = append(out, replacement{node: r, file: file.display})
				}
			} else {
				out = append(out, replacement{node: doc, file: file.display})
			}
		}
	}
	return out
}

// replaced reports where the value of path comes from when replacement r
// wrote it; name is the object's name as the replacement's kustomization
// sees it. depth counts the replacements followed back to get here.
func (l *kustLocator) replaced(r replacement, path lint.FieldPath, name string, depth int) (lint.Location, bool) {
	for _, target := range lint.Items(lint.Get(r.node, "targets")) {
		sel := lint.Get(target, "select")
		if k := lint.Scalar(lint.Get(sel, "kind")); k != "" && k != l.kind {
			continue
		}
		if n := lint.Scalar(lint.Get(sel, "name")); n != "" && n != name {
			continue
		}
		for _, fp := range lint.Items(lint.Get(target, "fieldPaths")) {
			written, ok := resolveFieldPath(l.rendered, lint.Scalar(fp))
			if !ok || written.Len() > path.Len() || !written.Equal(path.Slice(0, written.Len())) {
				continue
			}
			related := []lint.Related{{Position: lint.NodePosition(r.file, fp), Message: "replaced by this replacement"}}
			loc := l.replacementSource(lint.Get(r.node, "source"), depth)
			loc.Related = append(loc.Related, related...)
			if loc.Primary.File == "" {
				loc.Primary = related[0].Position
				loc.Related = loc.Related[1:]
			}
			return loc, true
		}
	}
	return lint.Location{}, false
}

// replacementSource locates the field a replacement copies, in the built
// object it names (by its kind and its name as written or as built).
func (l *kustLocator) replacementSource(source *yaml.Node, depth int) lint.Location {
	// A replacement may copy from a field another one wrote, or from the
	// field it writes itself: the chain is followed a few steps only.
	if depth >= maxReplacementChain {
		return lint.Location{}
	}
	kind, name := lint.Scalar(lint.Get(source, "kind")), lint.Scalar(lint.Get(source, "name"))
	fieldPath := lint.Scalar(lint.Get(source, "fieldPath"))
	if fieldPath == "" {
		fieldPath = "metadata.name"
	}
	for _, obj := range l.b.objects {
		loc, ok := obj.Locator.(*kustLocator)
		if !ok || obj.Kind != kind || obj.Name != name && loc.sourceObject().name != name {
			continue
		}
		field, ok := resolveFieldPath(obj.Node, fieldPath)
		if !ok {
			continue
		}
		return loc.locate(lint.Lookup(obj.Node, field), field, depth+1)
	}
	return lint.Location{}
}

// resolveFieldPath turns a kustomize field path (spec.volumes.[name=x].path,
// spec.containers.0.image) into the typed path it names in root.
func resolveFieldPath(root *yaml.Node, fieldPath string) (lint.FieldPath, bool) {
	var path lint.FieldPath
	cur := root
	for _, seg := range splitFieldPath(fieldPath) {
		cur = lint.Resolve(cur)
		if cur == nil {
			return path, false
		}
		if cur.Kind == yaml.SequenceNode {
			index := -1
			if k, v, ok := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(seg, "["), "]"), "="); ok && strings.HasPrefix(seg, "[") {
				for i, item := range lint.Items(cur) {
					if lint.Scalar(lint.Get(item, k)) == v {
						index = i
						break
					}
				}
			} else if n, err := strconv.Atoi(seg); err == nil && n >= 0 && n < len(cur.Content) {
				index = n
			}
			if index < 0 {
				return path, false
			}
			path, cur = path.Index(index), cur.Content[index]
			continue
		}
		next := lint.Get(cur, seg)
		if next == nil {
			return path, false
		}
		path, cur = path.Key(seg), next
	}
	return path, true
}

// splitFieldPath splits a field path at the dots outside brackets.
func splitFieldPath(fieldPath string) []string {
	var segs []string
	depth, start := 0, 0
	for i, r := range fieldPath {
		switch r {
		case '[':
			depth++
		case ']':
			depth--
		case '.':
			if depth == 0 {
				segs = append(segs, fieldPath[start:i])
				start = i + 1
			}
		}
	}
	return append(segs, fieldPath[start:])
}

// maxReplacementChain bounds how many replacements are followed back from
// one field.
const maxReplacementChain = 8

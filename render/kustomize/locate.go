package kustomize

import (
	"bytes"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
	"github.com/dockershim-lint/dockershim-lint/render/source"
	"go.yaml.in/yaml/v3"
)

// kustBuild is one kustomization build's view of its sources, shared by the
// locators of its objects so each source file is parsed once.
type kustBuild struct {
	// absDir is the kustomization directory; origins are relative to it.
	absDir string
	// dir is the same directory as the user named it.
	dir string
	// boundary bounds the build; read holds every file the build read
	// through it, by absolute path. Origins name files by annotations that
	// a patch can forge, so only these are ever mapped: a path an
	// annotation names and the build did not read is never opened.
	boundary *source.Boundary
	read     map[string][]byte

	// rootFile is the root kustomization file.
	rootFile string

	mu      sync.Mutex
	sources map[string]*sourceFile
	specs   map[string]*kustSpec

	// chainsOnce finds resourceChains once per build; walking them reads
	// specs, which takes mu.
	chainsOnce     sync.Once
	resourceChains map[string][]nameChain
	// objects are the built objects, which replacements copy from.
	objects []*lint.Object
}

// sourceFile is a file an object or a patch came from.
type sourceFile struct {
	display string
	lines   *lint.Lines
	docs    []*yaml.Node
}

func (b *kustBuild) display(abs string) string {
	rel, err := filepath.Rel(b.absDir, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(filepath.Join(b.dir, rel))
}

// abs resolves a path from a kustomize annotation, relative to the build.
func (b *kustBuild) abs(path string) string {
	return filepath.Join(b.absDir, filepath.FromSlash(path))
}

// source parses the file at abs as the build read it, or returns nil when
// the build read no such file (an origin annotation set by the user, not by
// kustomize): the finding then falls back to a coarser position.
func (b *kustBuild) source(abs string) *sourceFile {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, ok := b.sources[abs]; ok {
		return s
	}
	var s *sourceFile
	if data, ok := b.read[filepath.Clean(abs)]; ok {
		s = &sourceFile{display: b.display(abs), lines: lint.IndexLines(data)}
		s.docs = parseDocs(s.lines, data)
	}
	b.sources[abs] = s
	return s
}

// wasRead reports whether the build read the file at abs.
func (b *kustBuild) wasRead(abs string) bool {
	_, ok := b.read[filepath.Clean(abs)]
	return ok
}

func (b *kustBuild) spec(abs string) *kustSpec {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, ok := b.specs[abs]; ok {
		return s
	}
	var s *kustSpec
	if data, ok := b.read[filepath.Clean(abs)]; ok {
		s, _ = parseKustomization(abs, data, b.boundary)
	}
	b.specs[abs] = s
	return s
}

// parseDocs returns the root node of every document of data that parses,
// numbered by lines, the index of data.
func parseDocs(lines *lint.Lines, data []byte) []*yaml.Node {
	var docs []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if dec.Decode(&doc) != nil {
			return docs
		}
		if len(doc.Content) > 0 {
			lines.RenumberNodes(doc.Content[0])
			docs = append(docs, doc.Content[0])
		}
	}
}

// buildOrigin is the part of kustomize's origin annotations the locator
// uses: a source path for objects read from files, the kustomization and
// generator for generated ones.
type buildOrigin struct {
	Path         string `yaml:"path"`
	ConfiguredIn string `yaml:"configuredIn"`
	ConfiguredBy struct {
		Kind string `yaml:"kind"`
		Name string `yaml:"name"`
	} `yaml:"configuredBy"`
}

// patchTransformers are the kustomize transformers whose configuration is a
// kustomization's patches.
var patchTransformers = []string{"PatchTransformer", "PatchStrategicMergeTransformer", "PatchJson6902Transformer"}

// newLocator reads and strips obj's origin annotations, so rules see the
// object as the user wrote it, and returns the locator they describe.
func (b *kustBuild) newLocator(obj *lint.Object) *kustLocator {
	l := &kustLocator{b: b, rendered: obj.Node, renderedLines: obj.Lines, kind: obj.Kind, name: obj.Name, namespace: obj.Namespace}
	annotations := lint.Path(obj.Node, "metadata", "annotations")
	var origin buildOrigin
	if yaml.Unmarshal([]byte(lint.Scalar(lint.Get(annotations, originAnnotation))), &origin) == nil {
		// A patch or generator option can set the annotation itself: a
		// path the build did not read is not kustomize's, and is ignored.
		if p := b.abs(origin.Path); origin.Path != "" && b.wasRead(p) {
			l.origin = p
		}
		if p := b.abs(origin.ConfiguredIn); origin.ConfiguredIn != "" && b.wasRead(p) {
			l.configuredIn = p
			l.generator = origin.ConfiguredBy.Kind
		}
	}
	var transformations []buildOrigin
	if yaml.Unmarshal([]byte(lint.Scalar(lint.Get(annotations, transformationAnnotation))), &transformations) == nil {
		for _, t := range transformations {
			k := b.abs(t.ConfiguredIn)
			if t.ConfiguredIn != "" && slices.Contains(patchTransformers, t.ConfiguredBy.Kind) && !slices.Contains(l.patchedIn, k) {
				l.patchedIn = append(l.patchedIn, k)
			}
		}
	}
	stripAnnotations(obj.Node)
	return l
}

// stripAnnotations removes the build's annotations, and the annotations
// mapping itself when they were all it held.
func stripAnnotations(obj *yaml.Node) {
	metadata := lint.Get(obj, "metadata")
	annotations := lint.Get(metadata, "annotations")
	if annotations == nil || annotations.Kind != yaml.MappingNode {
		return
	}
	var kept []*yaml.Node
	for i := 0; i+1 < len(annotations.Content); i += 2 {
		if k := annotations.Content[i].Value; k != originAnnotation && k != transformationAnnotation {
			kept = append(kept, annotations.Content[i], annotations.Content[i+1])
		}
	}
	annotations.Content = kept
	if len(kept) > 0 {
		return
	}
	for i := 0; i+1 < len(metadata.Content); i += 2 {
		if metadata.Content[i].Value == "annotations" {
			metadata.Content = slices.Delete(metadata.Content, i, i+2)
			return
		}
	}
}

// kustLocator maps a built object's fields to the base file or patch that
// wrote them.
type kustLocator struct {
	b        *kustBuild
	rendered *yaml.Node
	// renderedLines indexes the built object's text, in which rules place
	// nodes inside values.
	renderedLines *lint.Lines
	kind          string
	// name and namespace are the built ones, after namePrefix and
	// nameSuffix.
	name, namespace string
	// origin is the file the object was read from; empty for generated
	// objects, which have configuredIn (their kustomization) and generator.
	origin       string
	configuredIn string
	// generator is the kind of generator, ConfigMapGenerator or
	// SecretGenerator, that made the object.
	generator string
	// patchedIn are the kustomization files whose patches touched the
	// object, in the order they were applied.
	patchedIn []string

	// source is sourceObject's answer, found once: every field located
	// and every replacement copying from the object asks for it.
	sourceOnce sync.Once
	source     origin
}

// objectFile is the file an object is said to come from.
func (l *kustLocator) objectFile() string {
	switch {
	case l.origin != "":
		return l.b.display(l.origin)
	case l.configuredIn != "":
		return l.b.display(l.configuredIn)
	}
	return l.b.display(filepath.Join(l.b.absDir, FileNames[0]))
}

// fragment is a YAML tree inside a source file: a document of the file, or
// a patch written inline in a kustomization, whose node positions are
// relative to the block holding it.
type fragment struct {
	file string
	// src is the file's text, when it could be read.
	src             *sourceFile
	node            *yaml.Node
	lineOff, colOff int
	// at, when set, is the position of every node of a fragment whose
	// text cannot be mapped back line by line (a quoted inline patch).
	at *yaml.Node
	// inline indexes an inline patch's text, in which its nodes are
	// positioned before lineOff and colOff move them into the file.
	inline *lint.Lines
}

// blockLines indexes the text the fragment's nodes are positioned in: the
// source file's, or for an inline patch the patch's own.
func (f fragment) blockLines() *lint.Lines {
	if f.inline != nil || f.src == nil {
		return f.inline
	}
	return f.src.lines
}

func (f fragment) position(n *yaml.Node) lint.Position {
	if f.at != nil {
		// at is a node of the source file itself, not of an inline text.
		var lines *lint.Lines
		if f.src != nil {
			lines = f.src.lines
		}
		return lines.NodePosition(f.file, f.at)
	}
	p := f.blockLines().NodePosition(f.file, n)
	if p.Line > 0 {
		p.Line += f.lineOff
		p.Column += f.colOff
	}
	if p.EndLine > 0 {
		p.EndLine += f.lineOff
		p.EndColumn += f.colOff
	}
	return p
}

// located is the node of a source fragment that wrote a field, or the
// deepest node on the field's path that the fragment has.
type located struct {
	at       fragment
	node     *yaml.Node
	complete bool
}

func (l *kustLocator) Locate(n *yaml.Node, field lint.FieldPath) lint.Location {
	return l.locate(n, field, 0)
}

// locate is Locate for a field reached by following depth replacements
// back from the field a rule asked about. The depth belongs to this walk,
// so each chain is bounded on its own and the answer for a field never
// depends on what else is being located.
func (l *kustLocator) locate(n *yaml.Node, field lint.FieldPath, depth int) lint.Location {
	path, doc, inner, embedded := field.Embedded()
	src := l.sourceObject()
	if src.ambiguous != nil {
		return lint.Location{Primary: lint.NodePosition(l.b.display(src.chain.specs[len(src.chain.specs)-1].file), src.ambiguous)}
	}
	if loc, ok := l.replacementLocation(path, src, depth); ok {
		return loc
	}
	found, ok := l.locateInPatches(path, src)
	if !ok && src.at.node != nil {
		n, complete := walkField(src.at.node, l.rendered, path)
		found, ok = located{at: src.at, node: n, complete: complete}, true
	}
	if ok {
		if embedded && found.complete {
			if pos, ok := embeddedPosition(found.at, found.node, doc, inner); ok {
				return lint.Location{Primary: pos}
			}
		}
		if line, column, ok := l.inValueText(n, path); ok && found.complete && lint.Scalar(found.node) == lint.Scalar(lint.Lookup(l.rendered, path)) {
			if fileLine, fileColumn, ok := found.at.blockLines().InBlock(found.node, line, column); ok {
				moved := *n
				moved.Line, moved.Column = fileLine, fileColumn
				return lint.Location{Primary: found.at.position(&moved)}
			}
		}
		return lint.Location{Primary: found.at.position(found.node)}
	}
	if loc, ok := l.generatorLocation(n, field); ok {
		return loc
	}
	return lint.Location{Primary: lint.Position{File: l.objectFile()}}
}

// inValueText is the line and column, inside the text of the value at path,
// of n: a node a rule placed in that text (a Fluent Bit setting, a script's
// line), positioned in the built object's text. ok is false for the value
// itself or any node outside it.
func (l *kustLocator) inValueText(n *yaml.Node, path lint.FieldPath) (line, column int, ok bool) {
	value := lint.Lookup(l.rendered, path)
	if n == nil || value == nil || n == value || n.Line <= value.Line {
		return 0, 0, false
	}
	indent, ok := l.renderedLines.BlockIndent(value)
	if !ok || n.Column <= indent || n.Line-value.Line > strings.Count(value.Value, "\n")+1 {
		return 0, 0, false
	}
	return n.Line - value.Line, n.Column - indent, true
}

// origin is the object a built object was made from.
type origin struct {
	at fragment
	// name is the object's name in its file.
	name string
	// chain is the way its file reaches the build, when known.
	chain nameChain
	// ambiguous, when set, is the kustomization entry that brought in
	// several objects the built one could have come from: findings go
	// there rather than to a guess.
	ambiguous *yaml.Node
}

// sourceObject finds the object in its origin file: the one of the same
// kind whose name, renamed by the kustomizations on a way from the root to
// the file, is the built name. Kinds kustomize never renames (Namespace,
// CustomResourceDefinition) keep their name, which is the next guess; an
// object renamed otherwise is found when it is its file's only one of its
// kind.
func (l *kustLocator) sourceObject() origin {
	l.sourceOnce.Do(func() { l.source = l.findSourceObject() })
	return l.source
}

func (l *kustLocator) findSourceObject() origin {
	if l.origin == "" {
		return origin{}
	}
	file := l.b.source(l.origin)
	if file == nil {
		return origin{}
	}
	chains := l.b.chains(l.origin)
	type candidate struct {
		obj   *lint.Object
		chain nameChain
	}
	var renamed, same, ofKind []candidate
	for _, doc := range file.docs {
		for _, obj := range manifest.Objects(file.display, doc) {
			if obj.Kind != l.kind {
				continue
			}
			ofKind = append(ofKind, candidate{obj: obj})
			if obj.Name == l.name {
				same = append(same, candidate{obj: obj})
			}
			for _, c := range chains {
				if l.b.built(c, obj.Name) == l.name {
					renamed = append(renamed, candidate{obj: obj, chain: c})
					break
				}
			}
		}
	}
	candidates := renamed
	if len(candidates) == 0 {
		candidates = same
	}
	if len(candidates) == 0 && len(ofKind) == 1 {
		// Renamed some other way (a patch of metadata.name): the file's
		// only object of the kind is the one.
		candidates = ofKind
	}
	if len(candidates) > 1 {
		// Objects of one name in several namespaces are told apart by the
		// namespace, when the build kept it.
		var inNamespace []candidate
		for _, c := range candidates {
			if c.obj.Namespace == l.namespace {
				inNamespace = append(inNamespace, c)
			}
		}
		if len(inNamespace) == 1 {
			candidates = inNamespace
		}
	}
	switch {
	case len(candidates) == 1:
		c := candidates[0]
		return origin{at: fragment{file: file.display, src: file, node: c.obj.Node}, name: c.obj.Name, chain: c.chain}
	case len(candidates) > 1 && candidates[0].chain.entry != nil:
		return origin{chain: candidates[0].chain, ambiguous: candidates[0].chain.entry}
	}
	return origin{}
}

// embeddedPosition places a field of a YAML document embedded in the
// string value n of fragment at: inside a literal block, whose lines the
// source file's text gives (lint.Lines.InBlock). Other styles fold or
// escape lines: the caller reports the value itself.
func embeddedPosition(at fragment, n *yaml.Node, doc int, inner lint.FieldPath) (lint.Position, bool) {
	if at.at != nil || at.src == nil || n == nil || n.Kind != yaml.ScalarNode {
		return lint.Position{}, false
	}
	text := []byte(n.Value)
	docs := parseDocs(lint.IndexLines(text), text)
	if doc >= len(docs) {
		return lint.Position{}, false
	}
	target := lint.Lookup(docs[doc], inner)
	if target == nil {
		return lint.Position{}, false
	}
	// n's own line and column are in the fragment's text: an inline
	// patch's nodes are placed in its block only after.
	line, column, ok := at.blockLines().InBlock(n, target.Line, target.Column)
	if !ok {
		return lint.Position{}, false
	}
	moved := *target
	moved.Line, moved.Column = line, column
	return at.position(&moved), true
}

// patch is one patch of a kustomization: strategic merge documents or a
// JSON 6902 operation list.
type patch struct {
	target *yaml.Node
	docs   []fragment
}

// locateInPatches finds the node in the last applied patch that wrote the
// field, if any did.
func (l *kustLocator) locateInPatches(path lint.FieldPath, src origin) (located, bool) {
	for _, kfile := range slices.Backward(l.patchedIn) {
		spec := l.b.spec(kfile)
		if spec == nil {
			continue
		}
		names := l.namesIn(kfile, src)
		patches := l.patchesOf(spec)
		for _, p := range slices.Backward(patches) {
			if p.target != nil && !l.targets(p.target, names) {
				continue
			}
			for _, doc := range slices.Backward(p.docs) {
				if found, ok := l.locateInPatch(doc, p.target != nil, path, names); ok {
					return found, true
				}
			}
		}
	}
	return located{}, false
}

// namesIn are the names the object may have when the patches of the
// kustomization file kfile see it. On the object's chain it is exactly
// one; a component's patches see the name of the kustomization using it.
// Off the chain, or for an object whose source is unknown, both the
// source name and the built name are accepted.
func (l *kustLocator) namesIn(kfile string, src origin) []string {
	level := src.chain.level(kfile)
	if level < 0 {
		level = slices.IndexFunc(src.chain.specs, func(s *kustSpec) bool {
			return slices.Contains(s.components, filepath.Dir(kfile))
		})
	}
	if level >= 0 {
		return []string{l.b.nameAt(src.chain, level, src.name)}
	}
	if src.name == "" {
		return []string{l.name}
	}
	return []string{src.name, l.name}
}

func (l *kustLocator) locateInPatch(doc fragment, targeted bool, path lint.FieldPath, names []string) (located, bool) {
	if doc.node.Kind == yaml.SequenceNode {
		return l.locateInOps(doc, path)
	}
	if !targeted {
		kind := lint.Scalar(lint.Get(doc.node, "kind"))
		name := lint.Scalar(lint.Path(doc.node, "metadata", "name"))
		if kind != "" && kind != l.kind || !slices.Contains(names, name) {
			return located{}, false
		}
	}
	n, complete := walkField(doc.node, l.rendered, path)
	if !complete {
		return located{}, false
	}
	return located{at: doc, node: n, complete: true}, true
}

// locateInOps finds the JSON 6902 operation that wrote the field: the last
// add or replace whose path is the field or one of its parents. The field
// is then looked up inside the operation's value.
func (l *kustLocator) locateInOps(doc fragment, path lint.FieldPath) (located, bool) {
	for _, op := range slices.Backward(doc.node.Content) {
		if kind := lint.Scalar(lint.Get(op, "op")); kind != "add" && kind != "replace" {
			continue
		}
		ptr := strings.Split(strings.TrimPrefix(lint.Scalar(lint.Get(op, "path")), "/"), "/")
		if len(ptr) > path.Len() || !pointerCovers(ptr, path) {
			continue
		}
		value := lint.Get(op, "value")
		if value == nil {
			return located{at: doc, node: op}, true
		}
		renderedAt, _ := walkField(l.rendered, l.rendered, path.Slice(0, len(ptr)))
		n, complete := walkField(value, renderedAt, path.Slice(len(ptr), path.Len()))
		// "-" appends one item wherever the list ends, so it covers every
		// index: only the item it added is its own.
		if ptr[len(ptr)-1] == "-" && !sameItem(value, renderedAt, complete) {
			continue
		}
		return located{at: doc, node: n, complete: complete}, true
	}
	return located{}, false
}

// sameItem reports whether value, an item a patch added, is the built
// list's item rendered: the same by merge key, or for items without one,
// holding the whole field looked for.
func sameItem(value, rendered *yaml.Node, complete bool) bool {
	for _, key := range mergeKeys {
		if want := lint.Scalar(lint.Get(rendered, key)); want != "" {
			return lint.Scalar(lint.Get(value, key)) == want
		}
	}
	return complete
}

func pointerCovers(ptr []string, path lint.FieldPath) bool {
	for i, tok := range ptr {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		step := path.At(i)
		if key, ok := step.Key(); ok {
			if tok != key {
				return false
			}
			continue
		}
		index, _ := step.Index()
		if n, err := strconv.Atoi(tok); tok != "-" && (err != nil || n != index) {
			return false
		}
	}
	return true
}

// targets reports whether a patch target selects the object. Only kind
// and name are compared: selectors by label or annotation are taken to
// match, since a patch is credited only when it holds the field anyway.
func (l *kustLocator) targets(target *yaml.Node, names []string) bool {
	match := func(pattern, value string) bool {
		if pattern == "" {
			return true
		}
		re, err := regexp.Compile("^(?:" + pattern + ")$")
		if err != nil {
			return pattern == value
		}
		return re.MatchString(value)
	}
	name := lint.Scalar(lint.Get(target, "name"))
	return match(lint.Scalar(lint.Get(target, "kind")), l.kind) && slices.ContainsFunc(names, func(n string) bool { return match(name, n) })
}

// patchesOf reads every patch of a kustomization, in the order kustomize
// applies them.
func (l *kustLocator) patchesOf(spec *kustSpec) []patch {
	var out []patch
	add := func(entry, target *yaml.Node) {
		p := patch{target: target}
		if ref := lint.Scalar(lint.Get(entry, "path")); ref != "" {
			p.docs = l.fileFragments(filepath.Join(spec.dir, filepath.FromSlash(ref)))
		} else if inline := lint.Get(entry, "patch"); inline != nil {
			p.docs = l.inlineFragments(spec, inline)
		}
		out = append(out, p)
	}
	for _, entry := range lint.Items(lint.Get(spec.root, "patchesStrategicMerge")) {
		if strings.Contains(entry.Value, "\n") {
			out = append(out, patch{docs: l.inlineFragments(spec, entry)})
		} else {
			out = append(out, patch{docs: l.fileFragments(filepath.Join(spec.dir, filepath.FromSlash(entry.Value)))})
		}
	}
	for _, entry := range lint.Items(lint.Get(spec.root, "patchesJson6902")) {
		add(entry, lint.Get(entry, "target"))
	}
	for _, entry := range lint.Items(lint.Get(spec.root, "patches")) {
		add(entry, lint.Get(entry, "target"))
	}
	return out
}

func (l *kustLocator) fileFragments(abs string) []fragment {
	src := l.b.source(abs)
	if src == nil {
		return nil
	}
	out := make([]fragment, 0, len(src.docs))
	for _, doc := range src.docs {
		out = append(out, fragment{file: src.display, src: src, node: doc})
	}
	return out
}

// inlineFragments parses a patch written inside a kustomization. A literal
// block's lines map one to one onto the file's, shifted by the line of its
// header and its indentation; any other style is credited as a whole.
func (l *kustLocator) inlineFragments(spec *kustSpec, n *yaml.Node) []fragment {
	src := l.b.source(spec.file)
	var lineOff, colOff int
	at := n
	if src != nil {
		if indent, ok := src.lines.BlockIndent(n); ok {
			at = nil
			lineOff, colOff = n.Line, indent
		}
	}
	text := []byte(n.Value)
	lines := lint.IndexLines(text)
	var out []fragment
	for _, doc := range parseDocs(lines, text) {
		out = append(out, fragment{file: l.b.display(spec.file), src: src, node: doc, lineOff: lineOff, colOff: colOff, at: at, inline: lines})
	}
	return out
}

// mergeKeys identify list elements across a base, its patches and the
// build, as strategic merge does: containers, volumes and env by name,
// mounts by mountPath, ports by containerPort.
var mergeKeys = []string{"name", "mountPath", "devicePath", "containerPort"}

// walkField follows path in src, using rendered (the built object at the
// same place) to turn an index of the built list into the matching element
// of the source list. It returns the deepest node reached and whether the
// whole path was.
func walkField(src, rendered *yaml.Node, path lint.FieldPath) (*yaml.Node, bool) {
	cur := src
	for i := range path.Len() {
		var next *yaml.Node
		step := path.At(i)
		if key, ok := step.Key(); ok {
			next, rendered = lint.Get(cur, key), lint.Get(rendered, key)
		} else {
			index, _ := step.Index()
			var item *yaml.Node
			for i, it := range lint.Items(rendered) {
				if i == index {
					item = it
				}
			}
			next, rendered = matchItem(cur, item, index), item
		}
		if next == nil {
			return cur, false
		}
		cur = next
	}
	return cur, true
}

func matchItem(seq, rendered *yaml.Node, index int) *yaml.Node {
	seq = lint.Resolve(seq)
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil
	}
	for _, key := range mergeKeys {
		want := lint.Scalar(lint.Get(rendered, key))
		if want == "" {
			continue
		}
		for _, item := range lint.Items(seq) {
			if lint.Scalar(lint.Get(item, key)) == want {
				return item
			}
		}
		return nil
	}
	if index < len(seq.Content) {
		return lint.Resolve(seq.Content[index])
	}
	return nil
}

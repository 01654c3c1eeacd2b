package manifest

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"errors"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/source"
	"go.yaml.in/yaml/v3"
)

// Decode reads every YAML or JSON document in data and returns the
// Kubernetes objects among them, each keeping its node tree so that any field
// maps to a line and column of file. A List, or any *List kind with items,
// contributes its items. A mapping document without apiVersion and kind (a
// values file, a CI workflow, an agent's own agent.yaml) is returned as an
// object with an empty ObjectRef: the rules that read agent configuration
// files look at it, and every other rule passes over it.
//
// A syntax error stops decoding at the broken document: yaml.v3 cannot resume
// after one. The objects before it are still returned, with the error.
//
// A document beyond MaxDepth or MaxExpandedNodes is skipped with an error
// and the documents after it still decoded; input over source.MaxFileSize is not
// decoded at all. A key written twice in one mapping is an error too, but
// the object is still linted.
func Decode(file string, data []byte) ([]*lint.Object, error) {
	var objects []*lint.Object
	err := decodeDocuments(file, data, func(objs []*lint.Object) { objects = append(objects, objs...) })
	return objects, err
}

// decodeDocuments is Decode one document at a time: it calls yield with
// each document's objects as soon as they are read.
func decodeDocuments(file string, data []byte, yield func([]*lint.Object)) error {
	if len(data) > int(source.Limit()) {
		return source.TooLarge(file)
	}
	lines := lint.IndexLines(data)
	docs := newDocCheck(file, lines)
	binary := bytes.Contains(data, []byte("!!binary")) || bytes.Contains(data, []byte("2002:binary"))
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var limitErr error
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return limitErr
		}
		if err != nil {
			err = SyntaxError(file, data, err)
			if limitErr != nil {
				err = errors.Join(limitErr, err)
			}
			return err
		}
		if len(doc.Content) == 0 {
			continue
		}
		lines.RenumberNodes(doc.Content[0])
		// Duplicate keys only matter in Kubernetes objects: other YAML
		// (values files, CI workflows) is read by tools of its own that
		// decide about them.
		isObject := lint.Scalar(lint.Get(doc.Content[0], "kind")) != ""
		dup, err := docs.check(doc.Content[0], isObject)
		if err != nil {
			limitErr = cmp.Or(limitErr, err)
			continue
		}
		limitErr = cmp.Or(limitErr, dup)
		if binary {
			decodeBinary(doc.Content[0])
		}
		var m merges
		resolveMerges(doc.Content[0], &m)
		limitErr = cmp.Or(limitErr, m.err(file))
		if objects := appendObjects(nil, file, doc.Content[0]); len(objects) > 0 {
			for _, obj := range objects {
				obj.Lines = lines
				obj.Merges = m.merged
			}
			yield(objects)
		}
	}
}

// decodeBinary replaces the value of each !!binary scalar below n by the
// text its base64 encodes, as Kubernetes' decoder (yaml.v2) reads it, so that
// no rule is blind to a path written that way. A value that is not base64 of
// UTF-8 text is left as written. The tag stays, and tells lint.ScalarSpan to
// span the text written rather than look for the value in it.
func decodeBinary(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!binary" {
		if text, err := base64.StdEncoding.DecodeString(n.Value); err == nil && utf8.Valid(text) {
			n.Value = string(text)
		}
		return
	}
	for _, c := range n.Content {
		decodeBinary(c)
	}
}

// Objects returns the objects document n holds: itself, the items of a
// List, or an object without identity for a mapping that is not a
// Kubernetes object. Renderers that decode documents themselves use it to
// name them as Decode does.
func Objects(file string, n *yaml.Node) []*lint.Object {
	return appendObjects(nil, file, n)
}

func appendObjects(objects []*lint.Object, file string, n *yaml.Node) []*lint.Object {
	n = lint.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return objects
	}
	apiVersion, kind := lint.Scalar(lint.Get(n, "apiVersion")), lint.Scalar(lint.Get(n, "kind"))
	if apiVersion == "" || kind == "" {
		return append(objects, &lint.Object{File: file, Node: n})
	}
	if strings.HasSuffix(kind, "List") {
		if items := lint.Get(n, "items"); items != nil && items.Kind == yaml.SequenceNode {
			for _, item := range lint.Items(items) {
				objects = appendObjects(objects, file, item)
			}
			return objects
		}
	}
	metadata := lint.Get(n, "metadata")
	name := lint.Scalar(lint.Get(metadata, "name"))
	if name == "" {
		name = lint.Scalar(lint.Get(metadata, "generateName"))
	}
	return append(objects, &lint.Object{
		ObjectRef: lint.ObjectRef{
			APIVersion: apiVersion,
			Kind:       kind,
			Namespace:  lint.Scalar(lint.Get(metadata, "namespace")),
			Name:       name,
		},
		File: file,
		Node: n,
	})
}

var (
	errorLine     = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	unknownAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// yaml.v3 reports its parser's errors (unlike its scanner's) with a 0-based
// line: the start of the collection it was parsing or the token where it gave
// up, one line early. These are the parser's messages.
var parserErrors = []string{
	"did not find expected <document start>",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"found undefined tag handle",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found duplicate %TAG directive",
}

// SyntaxError turns a yaml.v3 error about data into an InputError with the
// line a person should look at.
func SyntaxError(file string, data []byte, err error) error {
	lines := lint.IndexLines(data)
	msg := err.Error()
	if m := errorLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if slices.Contains(parserErrors, m[2]) {
			line++
		}
		line, _ = lines.FromYAML(line, 0)
		if m[2] == tabIndentError {
			line = firstTabIndented(lines, line)
		}
		return &lint.InputError{File: file, Line: lines.Clamp(line), Message: "invalid YAML: " + m[2]}
	}
	line := 0
	switch m := unknownAnchor.FindStringSubmatch(msg); {
	case m != nil:
		line = lineOf(lines, bytes.Index(data, []byte("*"+m[1])))
	case strings.Contains(msg, "control characters are not allowed"):
		line = lineOf(lines, bytes.IndexFunc(data, isForbiddenControl))
	case strings.Contains(msg, "UTF-8"):
		line = lineOf(lines, invalidUTF8Offset(data))
	}
	return &lint.InputError{File: file, Line: line, Message: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// tabIndentError is reported by yaml.v3 at the line where the scalar or
// block it was scanning began, which is not always the line holding the tab.
const tabIndentError = "found a tab character that violates indentation"

// firstTabIndented returns the first line from line on whose indentation
// holds a tab: the line a person has to fix.
func firstTabIndented(lines *lint.Lines, line int) int {
	for l := line; l <= lines.Count(); l++ {
		text := lines.Text(l)
		indent := text[:len(text)-len(bytes.TrimLeft(text, " \t"))]
		if bytes.IndexByte(indent, '\t') >= 0 {
			return l
		}
	}
	return line
}

func isForbiddenControl(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r'
}

func invalidUTF8Offset(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// lineOf is the 1-based line holding byte offset, or 0 for a negative offset.
func lineOf(lines *lint.Lines, offset int) int {
	if offset < 0 {
		return 0
	}
	return lines.Line(offset)
}

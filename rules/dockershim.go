package rules

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

var dockershimSocketRule = &lint.Rule{
	ID:       dockershimSocketID,
	Name:     "dockershim socket referenced",
	Severity: lint.SeverityError,
	Summary: "A manifest or configuration names dockershim.sock: a kubeadm criSocket, the kubelet's " +
		"containerRuntimeEndpoint or --container-runtime-endpoint, a hostPath, an environment value or a command.",
	Help: "Point it at the container runtime's CRI socket: unix:///run/containerd/containerd.sock for containerd, " +
		"unix:///var/run/crio/crio.sock for CRI-O, or unix:///var/run/cri-dockerd.sock if the node keeps Docker " +
		"Engine through cri-dockerd. For a kubeadm node, also update the kubeadm.alpha.kubernetes.io/cri-socket " +
		"annotation of the Node object.",
	HelpURL: changeRuntimeGuide,
	Doc: lint.RuleDoc{
		Rationale: "dockershim.sock was served by the kubelet's built-in Docker shim, which Kubernetes 1.24 removed. " +
			"A kubelet or kubeadm configured with it no longer starts or joins, and a workload that mounts or " +
			"dials it finds nothing there.",
		Before: `apiVersion: kubeadm.k8s.io/v1beta3
kind: JoinConfiguration
nodeRegistration:
  criSocket: /var/run/dockershim.sock
`,
		After: `apiVersion: kubeadm.k8s.io/v1beta3
kind: JoinConfiguration
nodeRegistration:
  criSocket: unix:///run/containerd/containerd.sock
`,
	},
	Tags:      []string{"kubelet", "kubeadm"},
	Precision: "very-high",
	Check:     reportEvidence(detectDockershimSocket),
}

// namesDockershim matches the shim's endpoints: the Unix socket, and the
// named pipe (npipe:////./pipe/dockershim) kubeadm used on Windows.
func namesDockershim(s string) bool {
	s = strings.ToLower(strings.ReplaceAll(s, `\`, "/"))
	if strings.Contains(s, "dockershim.sock") {
		return true
	}
	_, after, ok := strings.Cut(s, "/pipe/dockershim")
	return ok && (after == "" || !isWordRune(rune(after[0])))
}

// mentionsDockershim reports whether a scalar under n contains
// "dockershim" in any case, as every value namesDockershim accepts does
// once lower-cased. It allocates nothing for ASCII text.
func mentionsDockershim(n *yaml.Node) bool {
	var s shimScan
	return s.scan(n)
}

// shimScan remembers the anchors it entered through an alias: only an
// alias can lead back into a tree, so that is all a scan must not repeat.
type shimScan struct {
	aliased map[*yaml.Node]bool
}

func (s *shimScan) scan(n *yaml.Node) bool {
	if n == nil {
		return false
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return containsDockershim(n.Value)
	case yaml.AliasNode:
		if n.Alias == nil || s.aliased[n.Alias] {
			return false
		}
		if s.aliased == nil {
			s.aliased = map[*yaml.Node]bool{}
		}
		s.aliased[n.Alias] = true
		return s.scan(n.Alias)
	}
	for _, c := range n.Content {
		if s.scan(c) {
			return true
		}
	}
	return false
}

func containsDockershim(v string) bool { return containsLower(v, "dockershim") }

// containsLower reports whether strings.ToLower(v) contains word, a
// lower-case ASCII word, allocating only for a v that is not ASCII. A match
// found among the ASCII bytes stands: lower-casing what follows does not
// move them.
func containsLower(v, word string) bool {
	first, fold := word[0], byte(0)
	if 'a' <= first && first <= 'z' {
		// c|0x20 is c lower-cased for an ASCII letter.
		fold = 0x20
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= utf8.RuneSelf {
			// Unicode lower-casing maps a few non-ASCII letters (the
			// Kelvin sign) onto ASCII ones: do what the callers' full
			// checks do.
			return strings.Contains(strings.ToLower(v), word)
		}
		if c|fold == first && i+len(word) <= len(v) && strings.EqualFold(v[i:i+len(word)], word) {
			return true
		}
	}
	return false
}

func isWordRune(r rune) bool {
	return r == '_' || r == '-' || r == '.' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9'
}

// runtimeEndpointFlags are the kubelet and crictl flags that take the
// runtime's socket.
var runtimeEndpointFlags = []string{"--container-runtime-endpoint", "--runtime-endpoint", "--image-service-endpoint", "--cri-socket"}

// shimHit is one scalar that names the shim, with enough context to say
// what it is.
type shimHit struct {
	node    *yaml.Node
	field   lint.FieldPath
	subject string
}

// shimWalker finds scalars naming the shim in a node tree.
type shimWalker struct {
	// kind names the object or embedded document in messages.
	kind string
	hits []shimHit
	// seen holds the collections being walked, the ancestors of the node
	// at hand: a hostile file can make an anchored node its own ancestor.
	// A node reached again through an alias elsewhere is walked again, as
	// each use of an anchor is a finding of its own; the decoder's limit on
	// expanded aliases bounds that.
	seen map[*yaml.Node]bool
	// path holds the steps to the node being walked. The walk pushes and
	// pops them and only a hit copies them into a FieldPath, so walking
	// allocates nothing per node.
	path []lint.Step
}

// skippedFields hold copies or prose, not configuration: a finding there
// would repeat one made elsewhere or quote documentation.
var skippedFields = [][]lint.Step{
	{lint.Key("status")},
	{lint.Key("metadata"), lint.Key("managedFields")},
	{lint.Key("metadata"), lint.Key("annotations"), lint.Key("kubectl.kubernetes.io/last-applied-configuration")},
}

func (sw *shimWalker) skipped() bool {
	for _, f := range skippedFields {
		if slices.Equal(sw.path, f) {
			return true
		}
	}
	return false
}

func (sw *shimWalker) walk(n *yaml.Node) {
	if n == nil || sw.skipped() || sw.seen[n] {
		return
	}
	if sw.seen == nil {
		sw.seen = map[*yaml.Node]bool{}
	}
	sw.seen[n] = true
	defer delete(sw.seen, n)
	switch n.Kind {
	case yaml.MappingNode:
		for k, v := range lint.Entries(n) {
			// A description is prose; a mountPath is where the container
			// sees a volume whose hostPath is reported itself.
			if k.Value == "description" || k.Value == "mountPath" {
				continue
			}
			sw.path = append(sw.path, lint.Key(k.Value))
			switch {
			case v.Kind != yaml.ScalarNode:
				sw.walk(v)
			case namesDockershim(v.Value) && !sw.skipped() && !onlyInProse(v.Value, namesDockershim):
				field := lint.NewFieldPath(sw.path...)
				sw.hits = append(sw.hits, shimHit{node: v, field: field, subject: sw.subject(n, k.Value, field)})
			}
			sw.path = sw.path[:len(sw.path)-1]
		}
	case yaml.SequenceNode:
		prev := ""
		for i, item := range lint.Items(n) {
			sw.path = append(sw.path, lint.Index(i))
			switch {
			case item.Kind != yaml.ScalarNode:
				sw.walk(item)
				prev = ""
			default:
				if namesDockershim(item.Value) && !onlyInProse(item.Value, namesDockershim) {
					field := lint.NewFieldPath(sw.path...)
					subject := "argument " + field.String()
					if flag := flagOf(prev, item.Value); flag != "" {
						subject = "flag " + flag + " (" + field.String() + ")"
					}
					sw.hits = append(sw.hits, shimHit{node: item, field: field, subject: subject})
				}
				prev = item.Value
			}
			sw.path = sw.path[:len(sw.path)-1]
		}
	}
}

// flagOf names the runtime endpoint flag a command-line word sets, in
// either the --flag=value form or as the value after --flag.
func flagOf(prev, word string) string {
	for _, flag := range runtimeEndpointFlags {
		if prev == flag || strings.Contains(word, flag+"=") {
			return flag
		}
	}
	return ""
}

// subject says what the value under key of mapping parent is, in the
// terms of its owner: a hostPath volume, an environment variable, or a
// configuration field.
func (sw *shimWalker) subject(parent *yaml.Node, key string, field lint.FieldPath) string {
	switch {
	case key == "path" && len(sw.path) > 2 && sw.path[len(sw.path)-2] == lint.Key("hostPath"):
		return "hostPath " + field.String()
	case key == "value" && lint.Get(parent, "name") != nil:
		return "environment variable " + lint.Scalar(lint.Get(parent, "name")) + " (" + field.String() + ")"
	}
	for _, flag := range runtimeEndpointFlags {
		if strings.Contains(lint.Scalar(lint.Get(parent, key)), flag+"=") {
			return "flag " + flag + " (" + field.String() + ")"
		}
	}
	if sw.kind == "" {
		return field.String()
	}
	return sw.kind + " " + field.String()
}

func detectDockershimSocket(p *lint.Pass) []evidence {
	obj := p.Object
	// Hardly any object names the shim. Letting them go after a scan of
	// their scalars spares the walk below, which builds a field path for
	// every key, most of the rule's cost.
	if !mentionsDockershim(obj.Node) {
		return nil
	}
	sw := &shimWalker{kind: obj.Kind}
	sw.walk(obj.Node)
	var out []evidence
	for _, h := range sw.hits {
		if obj.Kind == "ConfigMap" && h.field.At(0) == lint.Key("data") && strings.Contains(h.node.Value, "\n") {
			if embedded := embeddedShimHits(obj, h); len(embedded) > 0 {
				out = append(out, embedded...)
				continue
			}
		}
		e := shimEvidence(h.node, h.field, h.subject, h.node.Value)
		e.node, e.within = matchingLine(obj, h.node, namesDockershim)
		out = append(out, e)
	}
	return out
}

func shimEvidence(n *yaml.Node, field lint.FieldPath, subject, value string) evidence {
	token := value
	for _, word := range strings.FieldsFunc(value, func(r rune) bool { return strings.ContainsRune(" \t\n=\"',", r) }) {
		if namesDockershim(word) {
			token = strings.TrimRight(word, "})];")
			break
		}
	}
	return evidence{
		rule:  dockershimSocketID,
		node:  n,
		field: field,
		message: subject + " names the dockershim socket " + token + ", which Kubernetes 1.24 removed; " +
			"use the container runtime's CRI socket instead (unix:///run/containerd/containerd.sock for containerd, " +
			"unix:///var/run/crio/crio.sock for CRI-O)",
		summary: "names " + token,
	}
}

// embeddedShimHits reads a ConfigMap value as the configuration files
// kubeadm stores there (kubeadm-config's ClusterConfiguration,
// kubelet-config's KubeletConfiguration) and reports each field that names
// the shim inside the block scalar. It returns nothing when the value is
// not YAML, so the caller reports the value as a whole.
//
// Each finding's field leads to the value, then through a Document step to
// the field inside. A literal block's field is placed in the object's text
// (lint.Lines.InBlock); other styles are reported at the value.
func embeddedShimHits(obj *lint.Object, h shimHit) []evidence {
	dec := yaml.NewDecoder(bytes.NewReader([]byte(h.node.Value)))
	var hits []shimHit
	for i := 0; ; i++ {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || len(doc.Content) == 0 {
			return nil
		}
		inner := &shimWalker{kind: lint.Scalar(lint.Get(doc.Content[0], "kind"))}
		inner.walk(doc.Content[0])
		// The hits keep their path inside the document for the message;
		// the finding's field leads from the object into the document.
		at := h.field.Append(lint.Document(i))
		for _, ih := range inner.hits {
			ih.subject = "ConfigMap " + h.field.String() + ": " + ih.subject
			ih.field = at.Concat(ih.field)
			hits = append(hits, ih)
		}
	}
	var out []evidence
	for _, ih := range hits {
		node := h.node
		if line, column, ok := obj.Lines.InBlock(h.node, ih.node.Line, ih.node.Column); ok {
			node = &yaml.Node{Kind: yaml.ScalarNode, Style: ih.node.Style, Value: ih.node.Value, Line: line, Column: column}
		}
		out = append(out, shimEvidence(node, ih.field, ih.subject, ih.node.Value))
	}
	return out
}

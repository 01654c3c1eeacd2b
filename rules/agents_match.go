package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// compiledAgent is an Agent with its names and images pre-split, so that
// checking an object allocates only for the object.
type compiledAgent struct {
	Agent
	names       [][]string
	nameTokens  map[string]bool
	images      []imagePattern
	otherImages []imagePattern
}

func compileAgent(a Agent) *compiledAgent {
	c := &compiledAgent{Agent: a, nameTokens: map[string]bool{}}
	for _, n := range a.Names {
		toks := tokens(n)
		c.names = append(c.names, toks)
		for _, t := range toks {
			c.nameTokens[t] = true
		}
	}
	for _, img := range a.Images {
		p := parseImagePattern(img.Repository)
		p.image = img
		c.images = append(c.images, p)
	}
	for _, img := range a.OtherImages {
		c.otherImages = append(c.otherImages, parseImagePattern(img))
	}
	return c
}

// tokens splits a name at the separators Kubernetes names and image paths
// use, so that "falco" matches "falco-exporter" but "falcon-api" does not.
func tokens(s string) []string { return appendTokens(nil, s) }

// appendTokens appends the tokens of s to dst. The separators are ASCII,
// which never occur inside another character's UTF-8 encoding, so the
// bytes are split directly.
func appendTokens(dst []string, s string) []string {
	s = strings.ToLower(s)
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && !isTokenSeparator(s[i]) {
			continue
		}
		if i > start {
			dst = append(dst, s[start:i])
		}
		start = i + 1
	}
	return dst
}

func isTokenSeparator(c byte) bool { return c == '-' || c == '_' || c == '.' || c == '/' }

// countTokens is how many tokens appendTokens finds in s.
func countTokens(s string) int {
	n := 0
	s = strings.ToLower(s)
	for i := 0; i < len(s); i++ {
		if !isTokenSeparator(s[i]) && (i == 0 || isTokenSeparator(s[i-1])) {
			n++
		}
	}
	return n
}

// hasTokenRun reports whether seq appears in toks as consecutive tokens.
func hasTokenRun(toks, seq []string) bool {
	for i := 0; i+len(seq) <= len(toks); i++ {
		if slices.Equal(toks[i:i+len(seq)], seq) {
			return true
		}
	}
	return false
}

// imagePattern is an image reference reduced to what identifies a product:
// an optional registry host and the repository path.
type imagePattern struct {
	host  string
	path  []string
	image AgentImage
}

// parseImagePattern splits an image reference. The first component is a
// registry host when it has a dot or a port, or is localhost, which is how
// container runtimes tell "gcr.io/datadoghq/agent" from "datadog/agent".
func parseImagePattern(ref string) imagePattern {
	ref = strings.ToLower(strings.TrimSpace(ref))
	ref, _, _ = strings.Cut(ref, "@")
	if slash := strings.LastIndexByte(ref, '/'); strings.LastIndexByte(ref, ':') > slash {
		ref = ref[:strings.LastIndexByte(ref, ':')]
	}
	var p imagePattern
	if host, rest, ok := strings.Cut(ref, "/"); ok && (strings.ContainsAny(host, ".:") || host == "localhost") {
		p.host, ref = host, rest
	}
	if ref != "" {
		p.path = strings.Split(ref, "/")
	}
	return p
}

// matches reports whether image is this repository, under any registry and
// any mirror prefix ("mirror.corp/dockerhub/datadog/agent").
func (p imagePattern) matches(image imagePattern) bool {
	if len(p.path) == 0 || len(image.path) < len(p.path) {
		return false
	}
	if p.host != "" && p.host != image.host {
		return false
	}
	return slices.Equal(image.path[len(image.path)-len(p.path):], p.path)
}

func matchAny(patterns []imagePattern, image imagePattern) (imagePattern, bool) {
	for _, p := range patterns {
		if p.matches(image) {
			return p, true
		}
	}
	return imagePattern{}, false
}

// agentMatch is why a workload is taken for an agent.
type agentMatch struct {
	node  *yaml.Node
	field lint.FieldPath
	// image is the matched image reference, empty for a name match.
	image   string
	pattern imagePattern
	// name is the matching name and where it was found, for a name match.
	name      string
	nameField lint.FieldPath
}

// nameSource is a name that may identify an agent, found at the path at
// followed by keys: its field path is built only for the name that
// matches, as are the paths of the metadata it is read from.
type nameSource struct {
	value string
	at    lint.FieldPath
	keys  [3]string
}

func (n *nameSource) field() lint.FieldPath {
	f := n.at
	for _, k := range n.keys {
		if k != "" {
			f = f.Key(k)
		}
	}
	return f
}

// workloadNames are the names a person or a chart gives an agent: the
// object's name, its app labels and those of its pod template, and its
// container names.
func workloadNames(w *Workload) []nameSource {
	containers := w.Containers()
	out := make([]nameSource, 0, 5+len(containers))
	out = append(out, nameSource{value: w.Object.Name, keys: [3]string{"metadata", "name"}})
	labels := func(at lint.FieldPath, metadata *yaml.Node) {
		labels := lint.Get(metadata, "labels")
		for _, key := range []string{"app.kubernetes.io/name", "app"} {
			if v := lint.Scalar(lint.Get(labels, key)); v != "" {
				out = append(out, nameSource{value: v, at: at, keys: [3]string{"metadata", "labels", key}})
			}
		}
	}
	labels(lint.FieldPath{}, lint.Get(w.Object.Node, "metadata"))
	// A pod template (spec.template.spec) has metadata beside its spec.
	if n := w.SpecPath.Len(); n > 1 {
		if key, _ := w.SpecPath.At(n - 1).Key(); key == "spec" {
			template := w.SpecPath.Slice(0, n-1)
			labels(template, lint.Get(lint.Lookup(w.Object.Node, template), "metadata"))
		}
	}
	for _, c := range containers {
		if c.Name != "" {
			out = append(out, nameSource{value: c.Name, at: c.Path, keys: [3]string{"name"}})
		}
	}
	return out
}

// match finds the agent in a workload: by image first, the strongest
// evidence; else by name, unless every image the workload runs is clearly
// something else (a Helm release prefix: "datadog-kube-state-metrics"
// runs kube-state-metrics), which yields nothing.
func (a *compiledAgent) match(v *workloadView) (agentMatch, bool) {
	for i, c := range v.containers {
		if p, ok := matchAny(a.images, v.images[i]); ok {
			return agentMatch{node: c.Image, field: c.Path.Key("image"), image: lint.Scalar(c.Image), pattern: p}, true
		}
	}
	var found *nameSource
	for i := range v.names {
		if slices.ContainsFunc(a.names, func(seq []string) bool { return hasTokenRun(v.nameTokens[i], seq) }) {
			found = &v.names[i]
			break
		}
	}
	if found == nil {
		return agentMatch{}, false
	}
	if a.runsSomethingElse(v) {
		return agentMatch{}, false
	}
	node, field := identityNode(v.w.Object)
	return agentMatch{node: node, field: field, name: found.value, nameField: found.field()}, true
}

// identityNode is where a finding about a whole object goes: its name, or
// its kind when it has none (a generateName object, a hand-written
// fragment), so that the finding still has a line.
func identityNode(obj *lint.Object) (*yaml.Node, lint.FieldPath) {
	if n := lint.Path(obj.Node, "metadata", "name"); n != nil {
		return n, metadataNamePath
	}
	return lint.Get(obj.Node, "kind"), kindPath
}

// Paths every object has; a FieldPath is never changed once built, so one
// value serves every finding.
var (
	metadataNamePath = lint.KeyPath("metadata", "name")
	kindPath         = lint.KeyPath("kind")
)

// workloadView is what the agent rules read of a workload, worked out once
// per object for all of them: splitting names into tokens and image
// references into paths, for every agent in turn, was most of their cost.
type workloadView struct {
	w          *Workload
	containers []Container
	// images holds each container's parsed image, in containers' order.
	images []imagePattern
	names  []nameSource
	// nameTokens holds each name's tokens, in names' order.
	nameTokens [][]string
}

func newWorkloadView(p *lint.Pass) *workloadView {
	w := workloadOf(p)
	if w == nil {
		return nil
	}
	v := &workloadView{w: w, containers: w.Containers(), names: workloadNames(w)}
	v.images = make([]imagePattern, len(v.containers))
	for i, c := range v.containers {
		v.images[i] = parseImagePattern(lint.Scalar(c.Image))
	}
	// Every name's tokens share one array, made as large as they need:
	// one allocation, not one per name. (Were it moved by an append, the
	// names split before would keep the old array.)
	size := 0
	for _, n := range v.names {
		size += countTokens(n.value)
	}
	all := make([]string, 0, size)
	v.nameTokens = make([][]string, len(v.names))
	for i, n := range v.names {
		start := len(all)
		all = appendTokens(all, n.value)
		v.nameTokens[i] = all[start:len(all):len(all)]
	}
	return v
}

// workloadViewKey memoises an object's workloadView, shared by every
// agent rule (see lint.Memo).
type workloadViewKey struct{}

// runsSomethingElse reports whether every container runs an image that is
// not the agent: another component of the vendor (an operator) or an image
// whose repository shares no token with the agent's names. Containers
// without a literal image (a template left unrendered) prove nothing.
func (a *compiledAgent) runsSomethingElse(v *workloadView) bool {
	seen := false
	for i, c := range v.containers {
		if lint.Scalar(c.Image) == "" {
			continue
		}
		seen = true
		img := v.images[i]
		if _, ok := matchAny(a.otherImages, img); ok {
			continue
		}
		if len(img.path) > 0 && slices.ContainsFunc(tokens(img.path[len(img.path)-1]), func(t string) bool { return a.nameTokens[t] }) {
			return false
		}
	}
	return seen
}

// coreRuleIDs are the rules whose evidence makes an agent's Docker
// dependency certain.
var coreRuleIDs = map[string]bool{
	"docker-socket":     true,
	"docker-host-env":   true,
	"docker-cli":        true,
	"docker-data-dir":   true,
	"dockershim-socket": true,
}

func (a *compiledAgent) check(p *lint.Pass) {
	v := lint.Memo(p, workloadViewKey{}, func() *workloadView { return newWorkloadView(p) })
	if v != nil {
		if m, ok := a.match(v); ok {
			p.Report(a.diagnostic(p, m))
		}
		return
	}
	a.checkOperator(p)
}

// checkOperator notes the agent's operator resources: the DaemonSet the
// operator creates is not in the repository, so whether it depends on
// Docker can only be checked against the vendor's guidance.
func (a *compiledAgent) checkOperator(p *lint.Pass) {
	group, _, _ := strings.Cut(p.Object.APIVersion, "/")
	for _, op := range a.Operators {
		if op.Kind != p.Object.Kind || op.Group != group {
			continue
		}
		node, field := identityNode(p.Object)
		p.Report(lint.Diagnostic{
			Node:     node,
			Field:    field,
			Severity: lint.SeverityNote,
			Message: fmt.Sprintf("%s %s makes the %s operator create the agent DaemonSet, which this repository does not show; "+
				"check that the operator and agent versions support the nodes' container runtime: %s",
				p.Object.Kind, quote(p.Object.Name), a.Name, a.Link),
		})
		return
	}
}

func (a *compiledAgent) diagnostic(p *lint.Pass, m agentMatch) lint.Diagnostic {
	obj := p.Object
	var evidence []evidence
	for _, e := range dockerEvidence(p) {
		if coreRuleIDs[e.rule] && e.summary != "" {
			evidence = append(evidence, e)
		}
	}
	var b strings.Builder
	if m.image != "" {
		fmt.Fprintf(&b, "%s runs %s (image %s)", obj.Kind, a.Name, m.image)
	} else {
		fmt.Fprintf(&b, "%s looks like %s (%s %s; its images are not the known agent images)", obj.Kind, a.Name, m.nameField, quote(m.name))
	}
	related := make([]lint.RelatedNode, len(evidence))
	for i, e := range evidence {
		related[i] = lint.RelatedNode{Node: e.node, Field: e.field, Message: e.summary}
	}
	if len(evidence) > 0 {
		b.WriteString(" and ")
		b.WriteString(joinPhrases(evidenceSummaries(evidence)))
	}

	change := m.pattern.image.changeFor(m.image, a.Change)
	severity := lint.SeverityNote
	switch {
	case a.Status == StatusNoChange:
		fmt.Fprintf(&b, ": %s", change)
	case a.Status == StatusUnsupported:
		severity = lint.SeverityError
		fmt.Fprintf(&b, ": %s", change)
	case m.pattern.image.DockerOnly:
		severity = lint.SeverityError
		fmt.Fprintf(&b, ": %s. %s", m.pattern.image.Note, change)
	case len(evidence) > 0:
		severity = lint.SeverityError
		fmt.Fprintf(&b, ", which stops working without Docker Engine: %s", change)
	default:
		fmt.Fprintf(&b, " without a Docker Engine dependency in this manifest; confirm that the agent version supports the nodes' runtime: %s", a.Link)
	}
	return lint.Diagnostic{
		Node:     m.node,
		Field:    m.field,
		Message:  b.String(),
		Severity: severity,
		Related:  related,
	}
}

// evidenceSummaries states each piece of evidence once, naming the
// containers it was found in: three containers setting DOCKER_HOST make
// `sets DOCKER_HOST (containers "agent", "trace-agent", "process-agent")`,
// not the same phrase three times. The related locations keep every place.
func evidenceSummaries(evidence []evidence) []string {
	var order []string
	containers := map[string][]string{}
	for _, e := range evidence {
		if _, seen := containers[e.summary]; !seen {
			order = append(order, e.summary)
			containers[e.summary] = nil
		}
		if e.container != "" && !slices.Contains(containers[e.summary], e.container) {
			containers[e.summary] = append(containers[e.summary], e.container)
		}
	}
	summaries := make([]string, len(order))
	for i, summary := range order {
		names := containers[summary]
		quoted := make([]string, len(names))
		for j, name := range names {
			quoted[j] = quote(name)
		}
		switch len(names) {
		case 0:
			summaries[i] = summary
		case 1:
			summaries[i] = summary + " (container " + quoted[0] + ")"
		default:
			summaries[i] = summary + " (containers " + strings.Join(quoted, ", ") + ")"
		}
	}
	return summaries
}

// joinPhrases joins "a", "b", "c" as "a, b and c".
func joinPhrases(phrases []string) string {
	if len(phrases) <= 1 {
		return strings.Join(phrases, "")
	}
	return strings.Join(phrases[:len(phrases)-1], ", ") + " and " + phrases[len(phrases)-1]
}

package rules

import (
	"slices"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

var logFormatRule = &lint.Rule{
	ID:       "log-format-docker-json",
	Name:     "Container logs parsed as Docker JSON",
	Severity: lint.SeverityWarning,
	Summary:  "Finds Fluent Bit and Fluentd configs that parse /var/log/containers with Docker's JSON log format.",
	Help: "Parse container logs with the CRI format: in Fluent Bit set `multiline.parser docker, cri` (or `Parser cri`) " +
		"on the tail input and drop Docker_Mode; in Fluentd use `@type cri` (fluent-plugin-parser-cri) or a regexp for " +
		"the CRI format in the tail source's <parse> section.",
	HelpURL: fluentBitTailDoc,
	Doc: lint.RuleDoc{
		Rationale: "Docker's json-file driver writes one JSON object per line. containerd and CRI-O write the CRI " +
			"format (`2021-06-01T12:00:00.000Z stdout F message`), which a JSON parser rejects: after the switch, " +
			"logs silently stop being parsed, and their fields and Kubernetes metadata are lost.",
		Before: "[INPUT]\n    Name   tail\n    Path   /var/log/containers/*.log\n    Parser docker\n",
		After:  "[INPUT]\n    Name              tail\n    Path              /var/log/containers/*.log\n    multiline.parser  docker, cri\n",
	},
	Tags:      []string{"agent", "logging"},
	Precision: "high",
	Check:     checkLogFormat,
}

const containerLogDir = "/var/log/containers"

const logFormatAdvice = "; on containerd and CRI-O the lines are in the CRI format and need the cri parser, " +
	"otherwise logs silently stop parsing after the switch"

// confEntry is one `Key Value` line of a Fluent Bit or Fluentd file, with
// its position in that file (1-based).
type confEntry struct {
	key, value   string
	line, column int
	raw          string
}

// confSection is a Fluent Bit section ([INPUT]) or a Fluentd directive
// (<source>), with its nested directives.
type confSection struct {
	name     string
	entries  []confEntry
	children []*confSection
}

func (s *confSection) get(key string) (confEntry, bool) {
	for _, e := range s.entries {
		if strings.EqualFold(e.key, key) {
			return e, true
		}
	}
	return confEntry{}, false
}

// confLine is one meaningful line: comments and blank lines are dropped,
// because a commented-out setting must never match.
type confLine struct {
	text         string
	line, column int
}

func confLines(text string) []confLine {
	var out []confLine
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimRight(l, "\r")
		trimmed := strings.TrimLeft(l, " \t")
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		out = append(out, confLine{
			text:   strings.TrimRight(trimmed, " \t"),
			line:   i + 1,
			column: len([]rune(l[:len(l)-len(trimmed)])) + 1,
		})
	}
	return out
}

func splitKeyValue(l confLine) confEntry {
	key, value, _ := strings.Cut(l.text, " ")
	if k, v, ok := strings.Cut(l.text, "\t"); ok && len(k) < len(key) {
		key, value = k, v
	}
	return confEntry{key: key, value: strings.TrimSpace(value), line: l.line, column: l.column, raw: l.text}
}

// parseFluentBit reads Fluent Bit's classic format: `[SECTION]` headers
// followed by `Key Value` lines. @INCLUDE and @SET lines are skipped: an
// included file of the same ConfigMap is read as a document of its own.
// It returns nil when the text has no section header.
func parseFluentBit(text string) []*confSection {
	var sections []*confSection
	for _, l := range confLines(text) {
		switch {
		case strings.HasPrefix(l.text, "[") && strings.HasSuffix(l.text, "]"):
			name := strings.ToUpper(strings.TrimSpace(l.text[1 : len(l.text)-1]))
			sections = append(sections, &confSection{name: name})
		case strings.HasPrefix(l.text, "@"), len(sections) == 0:
		default:
			s := sections[len(sections)-1]
			s.entries = append(s.entries, splitKeyValue(l))
		}
	}
	return sections
}

// parseFluentd reads Fluentd's format: `<directive arg>` ... `</directive>`
// blocks, nested, holding `key value` parameters. It returns nil when the
// text has no directive.
func parseFluentd(text string) []*confSection {
	root := &confSection{}
	stack := []*confSection{root}
	for _, l := range confLines(text) {
		top := stack[len(stack)-1]
		switch {
		case strings.HasPrefix(l.text, "</"):
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		case strings.HasPrefix(l.text, "<") && strings.HasSuffix(l.text, ">"):
			name, _, _ := strings.Cut(strings.TrimSpace(l.text[1:len(l.text)-1]), " ")
			d := &confSection{name: strings.ToLower(name)}
			top.children = append(top.children, d)
			stack = append(stack, d)
		case len(stack) > 1:
			e := splitKeyValue(l)
			e.value = stripFluentdComment(e.value)
			top.entries = append(top.entries, e)
		}
	}
	return root.children
}

// stripFluentdComment drops a trailing comment from a parameter value:
// Fluentd's v1 parser ends an unquoted value at whitespace followed by #,
// while a # inside a value ("a#b") is kept. Fluent Bit has no such
// comments, which is why this applies to Fluentd only.
func stripFluentdComment(value string) string {
	for i := 1; i < len(value); i++ {
		if value[i] == '#' && (value[i-1] == ' ' || value[i-1] == '\t') {
			return strings.TrimRight(value[:i], " \t")
		}
	}
	return value
}

// logHit is a setting that parses container logs as Docker JSON.
type logHit struct {
	entry   confEntry
	node    *yaml.Node // set for a YAML config
	message string
}

func checkLogFormat(p *lint.Pass) {
	docs := configDocsOf(p)
	readsLogs := func(doc configDoc) bool { return doc.tree != nil || strings.Contains(doc.text, containerLogDir) }
	// Most objects hold no log configuration: the parser table is not worth
	// building for them.
	if !slices.ContainsFunc(docs, readsLogs) {
		return
	}
	parsers := jsonParsers(docs)
	for _, doc := range docs {
		if !readsLogs(doc) {
			continue
		}
		var hits []logHit
		switch {
		case doc.tree != nil:
			hits = fluentBitYAMLHits(doc.tree, parsers)
		case isFluentd(doc.text):
			hits = fluentdHits(parseFluentd(doc.text))
		default:
			if sections := parseFluentBit(doc.text); len(sections) > 0 {
				hits = fluentBitHits(sections, parsers)
			} else {
				hits = fluentBitYAMLHits(doc.parseYAML(containerLogDir), parsers)
			}
		}
		for _, h := range hits {
			node := h.node
			if node != nil {
				node = doc.locate(node)
			} else {
				node = doc.at(h.entry.line, h.entry.column, &yaml.Node{Kind: yaml.ScalarNode, Value: h.entry.raw})
			}
			p.Report(lint.Diagnostic{Node: node, Field: doc.field, Message: h.message + logFormatAdvice})
		}
	}
}

// isFluentd tells Fluentd's format from Fluent Bit's by its directives.
func isFluentd(text string) bool {
	for _, l := range confLines(text) {
		if strings.HasPrefix(l.text, "<source") || strings.HasPrefix(l.text, "<match") || strings.HasPrefix(l.text, "<filter") {
			return true
		}
	}
	return false
}

// jsonParsers are the Fluent Bit parser names that read JSON: the stock
// parsers.conf's docker and json, unless the ConfigMap redefines them,
// plus every parser it defines with Format json.
func jsonParsers(docs []configDoc) map[string]bool {
	parsers := map[string]bool{"docker": true, "json": true}
	define := func(name, format string) {
		if name != "" {
			parsers[strings.ToLower(name)] = strings.EqualFold(format, "json")
		}
	}
	for _, doc := range docs {
		if doc.tree != nil || !strings.Contains(strings.ToLower(doc.text), "parser") {
			continue
		}
		if sections := parseFluentBit(doc.text); len(sections) > 0 {
			for _, s := range sections {
				if s.name == "PARSER" {
					name, _ := s.get("Name")
					format, _ := s.get("Format")
					define(name.value, format.value)
				}
			}
			continue
		}
		for _, parser := range lint.Items(lint.Get(doc.parseYAML("parsers"), "parsers")) {
			define(lint.Scalar(getFold(parser, "name")), lint.Scalar(getFold(parser, "format")))
		}
	}
	return parsers
}

func fluentBitHits(sections []*confSection, parsers map[string]bool) []logHit {
	var hits []logHit
	for _, s := range sections {
		name, _ := s.get("Name")
		path, _ := s.get("Path")
		if s.name != "INPUT" || !strings.EqualFold(name.value, "tail") || !strings.Contains(path.value, containerLogDir) {
			continue
		}
		for _, e := range s.entries {
			if msg := fluentBitSetting(e.key, e.value, parsers); msg != "" {
				hits = append(hits, logHit{entry: e, message: msg})
			}
		}
	}
	return hits
}

// fluentBitSetting says why a tail input setting reads Docker JSON, or "".
func fluentBitSetting(key, value string, parsers map[string]bool) string {
	switch strings.ToLower(key) {
	case "docker_mode":
		if isOn(value) {
			return "Fluent Bit tail input on " + containerLogDir + " sets Docker_Mode On, which joins Docker's JSON log lines"
		}
	case "parser":
		if parsers[strings.ToLower(value)] {
			return "Fluent Bit tail input on " + containerLogDir + " parses lines with the " + value + " parser, Docker's JSON log format"
		}
	case "multiline.parser":
		var names []string
		for n := range strings.SplitSeq(value, ",") {
			names = append(names, strings.ToLower(strings.TrimSpace(n)))
		}
		if slices.Contains(names, "docker") && !slices.Contains(names, "cri") {
			return "Fluent Bit tail input on " + containerLogDir + " uses multiline.parser " + value + " without cri, so only Docker's JSON log format is read"
		}
	}
	return ""
}

func isOn(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "yes":
		return true
	}
	return false
}

// fluentBitYAMLHits checks Fluent Bit's YAML format:
// pipeline.inputs[] with name, path, parser, docker_mode, multiline.parser.
func fluentBitYAMLHits(root *yaml.Node, parsers map[string]bool) []logHit {
	var hits []logHit
	for _, input := range lint.Items(lint.Path(root, "pipeline", "inputs")) {
		if !strings.EqualFold(lint.Scalar(getFold(input, "name")), "tail") || !strings.Contains(lint.Scalar(getFold(input, "path")), containerLogDir) {
			continue
		}
		for k, v := range lint.Entries(input) {
			value := lint.Scalar(v)
			if v.Kind == yaml.SequenceNode {
				var names []string
				for _, item := range lint.Items(v) {
					names = append(names, lint.Scalar(item))
				}
				value = strings.Join(names, ", ")
			}
			if msg := fluentBitSetting(k.Value, value, parsers); msg != "" {
				hits = append(hits, logHit{node: k, message: msg})
			}
		}
	}
	return hits
}

// getFold is lint.Get with a case-insensitive key, as Fluent Bit reads them.
func getFold(n *yaml.Node, key string) *yaml.Node {
	for k, v := range lint.Entries(n) {
		if strings.EqualFold(k.Value, key) {
			return v
		}
	}
	return nil
}

// fluentdHits checks every tail source on container logs, however deeply
// nested in <label> blocks, for a JSON parse: `<parse> @type json`, the
// v0.12 `format json`, or a multi_format whose every pattern is JSON.
func fluentdHits(directives []*confSection) []logHit {
	var hits []logHit
	for _, d := range directives {
		hits = append(hits, fluentdHits(d.children)...)
		typ, _ := d.get("@type")
		path, _ := d.get("path")
		if d.name != "source" || typ.value != "tail" || !strings.Contains(path.value, containerLogDir) {
			continue
		}
		const prefix = "Fluentd tail source on " + containerLogDir + " parses lines as JSON, Docker's log format"
		if format, ok := d.get("format"); ok && format.value == "json" {
			hits = append(hits, logHit{entry: format, message: prefix + " (format json)"})
		}
		for _, parse := range d.children {
			if parse.name != "parse" {
				continue
			}
			if e, ok := fluentdJSONParse(parse); ok {
				hits = append(hits, logHit{entry: e, message: prefix + " (@type " + e.value + ")"})
			}
		}
	}
	return hits
}

// fluentdJSONParse returns the setting that makes a <parse> section read
// only JSON.
func fluentdJSONParse(parse *confSection) (confEntry, bool) {
	typ, ok := parse.get("@type")
	if !ok {
		return confEntry{}, false
	}
	switch typ.value {
	case "json":
		return typ, true
	case "multi_format":
		patterns := 0
		for _, c := range parse.children {
			if c.name != "pattern" {
				continue
			}
			patterns++
			if f, _ := c.get("format"); f.value != "json" {
				return confEntry{}, false
			}
		}
		return typ, patterns > 0
	}
	return confEntry{}, false
}

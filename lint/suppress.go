package lint

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// IgnoreDirective is the comment that suppresses findings on its own line
// (after YAML) or on the line below (alone on its line):
//
//	# dockershim-lint:ignore docker-socket,docker-cli -- the node still runs Docker until Q3
const IgnoreDirective = "dockershim-lint:ignore"

// IgnoreAnnotation suppresses findings on the whole object; its value has the
// directive's form without the keyword: "docker-socket -- reason".
const IgnoreAnnotation = "dockershim-lint.io/ignore"

// ignoreAnnotationField is the annotation's field path.
var ignoreAnnotationField = KeyPath("metadata", "annotations", IgnoreAnnotation)

// The rules the engine itself reports about ignore comments and annotations.
const (
	UnusedIgnoreID  = "unused-ignore"
	InvalidIgnoreID = "invalid-ignore"
)

// suppressionsURL is the README section on ignoring findings.
const suppressionsURL = "https://github.com/dockershim-lint/dockershim-lint#suppressing-findings"

// Directive is one parsed ignore comment or annotation.
type Directive struct {
	Position
	Rules  []string
	Reason string
	// Trailing is set for a comment that follows YAML on its line: it
	// covers that line only. A comment alone on its line covers the next.
	Trailing bool
	// Problem says why a malformed directive suppresses nothing.
	Problem string
}

// DirectiveSource is implemented by inputs that know the ignore comments of
// the files they read (a manifest; a chart's templates and values files; a
// kustomization's resources and patches). The engine asks after Load, so an
// input scans the bytes it has already read rather than reading them again.
type DirectiveSource interface {
	Directives() []Directive
}

// Suppression records why a finding is not reported. Text and JSON output
// drop suppressed findings; SARIF keeps them so code scanning shows them as
// dismissed with their reason.
type Suppression struct {
	// Kind is SARIF's suppression kind: "inSource" for comments and
	// annotations, which live in the linted files.
	Kind          string
	Justification string
	// Position is the comment or annotation that suppressed the finding.
	Position Position
}

// ParseDirectives returns the ignore comments of one source file. It is cheap
// on the common file that has none.
func ParseDirectives(file string, src []byte) []Directive {
	if text, ok := fromUTF16(src); ok {
		src = text
	}
	if !bytes.Contains(src, []byte(IgnoreDirective)) {
		return nil
	}
	var out []Directive
	lines := IndexLines(src)
	for line := 1; line <= lines.Count(); line++ {
		text := lines.Text(line)
		at := bytes.Index(text, []byte(IgnoreDirective))
		if at < 0 {
			continue
		}
		hash := bytes.LastIndexByte(text[:at], '#')
		if hash < 0 || len(bytes.TrimSpace(text[hash+1:at])) > 0 {
			// Not a comment of its own: a string value that mentions the
			// directive, as this package's documentation does.
			continue
		}
		if hash > 0 && text[hash-1] != ' ' && text[hash-1] != '\t' {
			// YAML starts a comment only after white space: "a#b" is a
			// plain scalar.
			continue
		}
		if inQuotes(text[:hash]) {
			// A shell comment in a quoted command ("docker ps # ...") is
			// part of the string, and must not hide the finding on it.
			continue
		}
		d := ParseDirective(string(text[at+len(IgnoreDirective):]))
		_, column := lines.Position(lines.Start(line) + hash)
		d.Position = Position{File: file, Line: line, Column: column}
		d.Trailing = len(bytes.TrimSpace(text[:hash])) > 0
		out = append(out, d)
	}
	return out
}

// fromUTF16 is src, a file that starts with a UTF-16 byte order mark, as
// UTF-8 with the same lines and characters: yaml.v3 reads such a file and
// reports its findings, so its comments must be read as text too.
func fromUTF16(src []byte) ([]byte, bool) {
	var order binary.ByteOrder
	switch {
	case bytes.HasPrefix(src, []byte{0xFF, 0xFE}):
		order = binary.LittleEndian
	case bytes.HasPrefix(src, []byte{0xFE, 0xFF}):
		order = binary.BigEndian
	default:
		return nil, false
	}
	units := make([]uint16, 0, len(src)/2)
	for i := 0; i+1 < len(src); i += 2 {
		units = append(units, order.Uint16(src[i:]))
	}
	return []byte(string(utf16.Decode(units))), true
}

// inQuotes reports whether the end of text, the start of a line, lies inside
// a single- or double-quoted scalar opened on that line. A quote opens one
// only where a scalar may start (the line's start, after "- ", ":", "[",
// "{" or ","), so the apostrophe of a plain scalar (it's) opens nothing.
func inQuotes(text []byte) bool {
	var quote byte
	prev := byte(0) // the last character outside quotes and white space
	space := true   // white space (or the line's start) came just before
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case quote == '"' && c == '\\':
			i++
		case quote != 0 && c == quote:
			if quote == '\'' && i+1 < len(text) && text[i+1] == '\'' {
				i++
				continue
			}
			quote, prev, space = 0, c, false
		case quote != 0:
		case c == ' ' || c == '\t':
			space = true
		case c == '#' && space:
			// A comment already: whatever follows is in it.
			return false
		case (c == '"' || c == '\'') && (prev == 0 || strings.IndexByte("[{,:", prev) >= 0 || (prev == '-' || prev == '?') && space):
			quote = c
		default:
			prev, space = c, false
		}
	}
	return quote != 0
}

// ParseDirective parses what follows the directive keyword (or an annotation
// value): "RULE[,RULE] -- reason". Rules may also be separated by spaces.
func ParseDirective(text string) Directive {
	rules, reason, found := strings.Cut(text, "--")
	d := Directive{Reason: strings.TrimSpace(reason)}
	// Appended rather than assigned so that no rule reads as nil.
	d.Rules = append(d.Rules, strings.FieldsFunc(rules, isRuleSeparator)...)
	switch {
	case len(d.Rules) == 0:
		d.Problem = "names no rule"
	case !found || d.Reason == "":
		d.Problem = "gives no reason after --, so it suppresses nothing"
	}
	return d
}

func isRuleSeparator(r rune) bool {
	return r == ',' || r == ' ' || r == '\t'
}

// covers is the line comment directive d is about: its own for a trailing
// comment, the next for one alone on its line. Findings look their line up,
// so a file of many findings and many comments costs no more than both.
func (d *Directive) covers() fileLine {
	if d.Trailing {
		return fileLine{d.File, d.Line}
	}
	return fileLine{d.File, d.Line + 1}
}

// fileLine is a line of a file, the unit ignore comments cover.
type fileLine struct {
	file string
	line int
}

func (d *Directive) suppression() Suppression {
	return Suppression{Kind: "inSource", Justification: d.Reason, Position: d.Position}
}

// annotationIgnore is the ignore annotation of one object, located like any
// field so that an unused one is reported at the line that holds it.
type annotationIgnore struct {
	Directive
	object ObjectRef
}

func objectIgnore(obj *Object) (annotationIgnore, bool) {
	_, v := GetEntry(Path(obj.Node, "metadata", "annotations"), IgnoreAnnotation)
	if v == nil {
		return annotationIgnore{}, false
	}
	d := ParseDirective(Scalar(v))
	d.Position = obj.Locate(v, ignoreAnnotationField).Primary
	return annotationIgnore{Directive: d, object: obj.ObjectRef}, true
}

// suppressByAnnotation marks the findings of one object that its ignore
// annotation names.
func suppressByAnnotation(ann *annotationIgnore, findings []Finding) {
	if ann.Problem != "" {
		return
	}
	for i := range findings {
		if slices.Contains(ann.Rules, findings[i].Rule) {
			findings[i].Suppressions = append(findings[i].Suppressions, ann.suppression())
		}
	}
}

// ignoreKey identifies a directive across inputs: the same file linted alone
// and through an overlay, or a chart rendered under several values files,
// yields it once per input.
type ignoreKey struct {
	file         string
	line, column int
}

func keyOf(p Position) ignoreKey { return ignoreKey{p.File, p.Line, p.Column} }

// usageKey is one rule of one directive.
type usageKey struct {
	ignoreKey
	rule string
}

// seenIgnore is a directive gathered from every input that has it.
type seenIgnore struct {
	Directive
	object     ObjectRef
	annotation bool
	// reportable is set when an input that loaded without error has the
	// directive: an input that failed may have lost the findings the
	// directive is for, so its silence proves nothing.
	reportable bool
}

// applyIgnores matches every finding against the ignore comments of every
// input and the annotations already applied per object, splits the findings
// into reported and suppressed ones, and reports the directives that are
// malformed or suppress nothing. Usage is counted over all inputs, since a
// base linted alone and through an overlay has one comment for both.
func (e *Engine) applyIgnores(results []inputResult) (reported, suppressed []Finding) {
	ignores := map[ignoreKey]*seenIgnore{}
	var order []ignoreKey
	add := func(d Directive, object ObjectRef, annotation, clean bool) {
		k := keyOf(d.Position)
		s, ok := ignores[k]
		if !ok {
			s = &seenIgnore{Directive: d, object: object, annotation: annotation}
			ignores[k] = s
			order = append(order, k)
		}
		s.reportable = s.reportable || clean
	}
	byLine := map[fileLine][]*Directive{}
	for _, r := range results {
		// An input that stopped early, on an error or at the findings
		// cap, may not have reported what an ignore would suppress.
		clean := len(r.errors) == 0 && len(r.capped) == 0
		for _, d := range r.directives {
			if _, dup := ignores[keyOf(d.Position)]; !dup && d.Problem == "" {
				byLine[d.covers()] = append(byLine[d.covers()], &d)
			}
			add(d, ObjectRef{}, false, clean)
		}
		for _, a := range r.annotations {
			add(a.Directive, a.object, true, clean)
		}
	}

	used := map[usageKey]bool{}
	for _, r := range results {
		for _, f := range r.findings {
			suppressByComments(&f, byLine)
			if len(f.Suppressions) == 0 {
				reported = append(reported, f)
				continue
			}
			for _, s := range f.Suppressions {
				used[usageKey{keyOf(s.Position), f.Rule}] = true
			}
			suppressed = append(suppressed, f)
		}
	}

	enabled := map[string]bool{}
	for _, r := range e.Rules {
		enabled[r.ID] = true
	}
	known := map[string]bool{UnusedIgnoreID: true, InvalidIgnoreID: true}
	knownRules := e.Known
	if knownRules == nil {
		knownRules = e.Rules
	}
	for _, r := range knownRules {
		known[r.ID] = true
	}
	// An ignore finding is about its directive, which has no field: its
	// identity is what the directive says, numbered when a file says the
	// same thing twice, so that each has a fingerprint of its own.
	said := map[string]int{}
	for _, k := range order {
		for _, f := range e.ignoreFindings(ignores[k], used, enabled, known) {
			key := f.File + "\x00" + f.identity
			said[key]++
			if n := said[key]; n > 1 {
				f.identity += "#" + strconv.Itoa(n)
			}
			reported = append(reported, f)
		}
	}
	return reported, suppressed
}

// suppressByComments adds the suppressions of the comments at f's position
// and, for a finding made through Helm or kustomize, at its related places in
// other files: a values-file line that fed a template may carry the comment.
// Related places in f's own file are other fields, which a comment there is
// not about; the scalar f is inside (Within) is the same field, and its
// comments are.
func suppressByComments(f *Finding, byLine map[fileLine][]*Directive) {
	positions := append([]Position{f.Position}, f.Within...)
	for _, r := range f.Related {
		if r.File != f.File {
			positions = append(positions, r.Position)
		}
	}
	for _, p := range positions {
		for _, d := range byLine[fileLine{p.File, p.Line}] {
			if slices.Contains(d.Rules, f.Rule) && !slices.ContainsFunc(f.Suppressions, func(s Suppression) bool {
				return s.Position == d.Position
			}) {
				f.Suppressions = append(f.Suppressions, d.suppression())
			}
		}
	}
}

// ignoreFindings are the invalid-ignore and unused-ignore findings about one
// directive. A rule disabled in this run found nothing to suppress, so a
// directive naming it is not called unused.
func (e *Engine) ignoreFindings(s *seenIgnore, used map[usageKey]bool, enabled, known map[string]bool) []Finding {
	what := "ignore comment"
	if s.annotation {
		what = "ignore annotation"
	}
	finding := func(rule *Rule, message string) Finding {
		f := Finding{
			Rule:     rule.ID,
			Severity: rule.Severity,
			Message:  message,
			Position: s.Position,
			Object:   s.object,
			Help:     rule.HelpURL,
			identity: what + " " + strings.Join(s.Rules, ",") + " " + s.Reason + ": " + message,
		}
		if s.annotation {
			f.Field = ignoreAnnotationField
		}
		return f
	}
	var out []Finding
	if s.Problem != "" {
		if enabled[InvalidIgnoreID] {
			out = append(out, finding(invalidIgnoreRule, what+" "+s.Problem+"; write "+directiveSyntax(s.annotation)))
		}
		return out
	}
	for _, rule := range s.Rules {
		switch {
		case !known[rule]:
			if enabled[InvalidIgnoreID] {
				out = append(out, finding(invalidIgnoreRule, what+" names unknown rule \""+rule+"\" (see 'dockershim-lint rules')"))
			}
		case enabled[UnusedIgnoreID] && enabled[rule] && s.reportable && !used[usageKey{keyOf(s.Position), rule}]:
			out = append(out, finding(unusedIgnoreRule, what+" for "+rule+" suppresses nothing: no "+rule+" finding "+coverage(s)))
		}
	}
	return out
}

func directiveSyntax(annotation bool) string {
	if annotation {
		return IgnoreAnnotation + `: "RULE[,RULE] -- reason"`
	}
	return "# " + IgnoreDirective + " RULE[,RULE] -- reason"
}

func coverage(s *seenIgnore) string {
	switch {
	case s.annotation:
		return "on this object; remove it from the annotation"
	case s.Trailing:
		return "on this line; remove it"
	default:
		return "on the next line; remove it or move it above the finding"
	}
}

var unusedIgnoreRule = &Rule{
	ID:       UnusedIgnoreID,
	Name:     "Ignore that suppresses nothing",
	Severity: SeverityNote,
	Summary:  "An ignore comment or annotation names a rule that reports nothing where it applies.",
	Help: "Remove the rule from the directive, or the whole directive when it names no other rule. " +
		"If the finding moved, put the comment on its line or the line above it.",
	HelpURL: suppressionsURL,
	Doc: RuleDoc{
		Rationale: "An ignore left behind after a fix, or one that drifted away from its line, hides nothing today " +
			"but would silently hide a finding that appears there later. A rule disabled with --disable " +
			"or --enable-only is never called unused, since it could not have found anything.",
		Before: `volumes:
  # dockershim-lint:ignore docker-socket -- migrated to containerd in 2024
  - name: containerd-sock
    hostPath:
      path: /run/containerd/containerd.sock
`,
		After: `volumes:
  - name: containerd-sock
    hostPath:
      path: /run/containerd/containerd.sock
`,
	},
	Tags:      []string{"suppression"},
	Precision: "very-high",
}

var invalidIgnoreRule = &Rule{
	ID:       InvalidIgnoreID,
	Name:     "Malformed ignore",
	Severity: SeverityWarning,
	Summary:  "An ignore comment or annotation gives no reason, names no rule, or names a rule that does not exist.",
	Help: "Write the directive as `# " + IgnoreDirective + " RULE[,RULE] -- reason` (or the annotation " +
		IgnoreAnnotation + `: "RULE[,RULE] -- reason"), with rule ids from 'dockershim-lint rules' ` +
		"and a reason saying why the finding is safe to ignore.",
	HelpURL: suppressionsURL,
	Doc: RuleDoc{
		Rationale: "A directive without a reason suppresses nothing, because the next reader could not tell a " +
			"deliberate exception from a silenced problem; one that names an unknown rule (often a typo) would " +
			"otherwise look like it works while the finding it was meant for stays reported, or comes back.",
		Before: `# dockershim-lint:ignore docker-sock
- name: docker-sock
  hostPath:
    path: /var/run/docker.sock
`,
		After: `# dockershim-lint:ignore docker-socket -- CI runners build images with Docker until Q3
- name: docker-sock
  hostPath:
    path: /var/run/docker.sock
`,
	},
	Tags:      []string{"suppression"},
	Precision: "very-high",
}

// SuppressionRules are the rules the engine reports about ignore directives.
// They have no Check: the engine produces their findings after every input
// is checked. Listing them with the other rules lets --disable turn them
// off and puts them in `rules`, the SARIF driver and the README.
func SuppressionRules() []*Rule {
	return []*Rule{unusedIgnoreRule, invalidIgnoreRule}
}

package lint

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// reportWithControlCharacters is sampleReport with a message quoting an
// escape sequence from a manifest, which XML 1.0 cannot hold as it is.
func reportWithControlCharacters() *Report {
	r := sampleReport()
	r.Findings = append(r.Findings, Finding{
		Rule: "docker-cli", Severity: SeverityWarning,
		Message:  "runs `docker ps\x1b[2J`",
		Position: Position{File: "jobs/clean.yaml", Line: 7, Column: 13},
		Object:   ObjectRef{APIVersion: "v1", Kind: "Pod", Name: "clean"},
		Field:    KeyPath("spec", "containers").Index(0).Key("args").Index(0),
	})
	SortFindings(r.Findings)
	return r
}

func writeFormat(t *testing.T, w Writer, r *Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := w.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCheckstyle(t *testing.T) {
	tests := []struct {
		name   string
		report *Report
	}{
		{name: "report", report: reportWithControlCharacters()},
		{name: "clean", report: &Report{Version: "v1.2.3", Rules: []*Rule{socketRule}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := writeFormat(t, CheckstyleWriter{}, tt.report)
			checkGolden(t, filepath.Join("testdata", "checkstyle", tt.name+".xml"), got)
			root := parseXML(t, got)
			checkXMLGrammar(t, root, checkstyleGrammar)
			var errorsSeen int
			for _, file := range root.children {
				errorsSeen += len(file.children)
			}
			if want := len(tt.report.Findings) + len(tt.report.Errors); errorsSeen != want {
				t.Errorf("%d <error> elements, want one per finding and input error (%d)", errorsSeen, want)
			}
		})
	}
}

func TestJUnit(t *testing.T) {
	tests := []struct {
		name   string
		report *Report
	}{
		{name: "report", report: reportWithControlCharacters()},
		{name: "clean", report: &Report{Version: "v1.2.3", Rules: []*Rule{socketRule, hostEnvRule}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := writeFormat(t, JUnitWriter{}, tt.report)
			checkGolden(t, filepath.Join("testdata", "junit", tt.name+".xml"), got)
			root := parseXML(t, got)
			checkXMLGrammar(t, root, junitGrammar)
			checkJUnitCounts(t, root)
			failures := 0
			for _, suite := range root.children {
				for _, c := range suite.children {
					for _, p := range c.children {
						if p.name == "failure" {
							failures++
							if p.attrs["message"] == "" || p.text == "" {
								t.Errorf("a failure without its message: %+v", p)
							}
						}
					}
				}
			}
			if failures != len(tt.report.Findings) {
				t.Errorf("%d failures, want one per finding (%d)", failures, len(tt.report.Findings))
			}
		})
	}
}

func TestGitLab(t *testing.T) {
	c := jsonschema.NewCompiler()
	schema, err := c.Compile(filepath.Join("testdata", "gitlab", "code-quality.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		report *Report
	}{
		{name: "report", report: reportWithControlCharacters()},
		{name: "clean", report: &Report{Version: "v1.2.3", Rules: []*Rule{socketRule}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := writeFormat(t, &GitLabWriter{WorkDir: sampleWorkDir}, tt.report)
			checkGolden(t, filepath.Join("testdata", "gitlab", tt.name+".json"), got)
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(got))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(doc); err != nil {
				t.Errorf("not a valid Code Quality report: %v", err)
			}
			var issues []gitlabIssue
			if err := json.Unmarshal(got, &issues); err != nil {
				t.Fatal(err)
			}
			if want := len(tt.report.Findings) + len(tt.report.Errors); len(issues) != want {
				t.Errorf("%d issues, want one per finding and input error (%d)", len(issues), want)
			}
			// GitLab keeps one issue per fingerprint.
			seen := map[string]bool{}
			for _, is := range issues {
				if seen[is.Fingerprint] {
					t.Errorf("fingerprint %s is not unique", is.Fingerprint)
				}
				seen[is.Fingerprint] = true
			}
		})
	}
}

// The schema checks must be able to fail: each broken document is one a
// writer bug could produce.
func TestFormatChecksReject(t *testing.T) {
	xmlTests := []struct {
		name    string
		grammar xmlGrammar
		doc     string
	}{
		{
			name: "checkstyle error without source", grammar: checkstyleGrammar,
			doc: `<checkstyle version="4.3"><file name="a"><error line="1" severity="error" message="m"/></file></checkstyle>`,
		},
		{
			name: "checkstyle unknown severity", grammar: checkstyleGrammar,
			doc: `<checkstyle version="4.3"><file name="a"><error line="1" severity="note" message="m" source="s"/></file></checkstyle>`,
		},
		{
			name: "checkstyle line zero", grammar: checkstyleGrammar,
			doc: `<checkstyle version="4.3"><file name="a"><error line="0" severity="error" message="m" source="s"/></file></checkstyle>`,
		},
		{
			name: "junit testcase without name", grammar: junitGrammar,
			doc: `<testsuites><testsuite name="s" tests="1"><testcase classname="c"/></testsuite></testsuites>`,
		},
		{
			name: "junit failure outside a testcase", grammar: junitGrammar,
			doc: `<testsuites><testsuite name="s" tests="1"><failure message="m"/></testsuite></testsuites>`,
		},
		{name: "junit root", grammar: junitGrammar, doc: `<testsuite name="s" tests="0"/>`},
	}
	for _, tt := range xmlTests {
		t.Run(tt.name, func(t *testing.T) {
			root := parseXML(t, []byte(tt.doc))
			if errs := tt.grammar.check(root); len(errs) == 0 {
				t.Errorf("accepted %s", tt.doc)
			}
		})
	}
	t.Run("junit counts", func(t *testing.T) {
		root := parseXML(t, []byte(`<testsuites tests="1"><testsuite name="s" tests="2" failures="0"><testcase name="a" classname="c"/></testsuite></testsuites>`))
		if err := junitCountErrors(root); err == nil {
			t.Error("accepted a suite whose tests attribute is wrong")
		}
	})
	t.Run("gitlab", func(t *testing.T) {
		schema, err := jsonschema.NewCompiler().Compile(filepath.Join("testdata", "gitlab", "code-quality.schema.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range []string{
			`[{"description":"d","check_name":"c","fingerprint":"f","severity":"error","location":{"path":"a","lines":{"begin":1}}}]`,
			`[{"description":"d","check_name":"c","fingerprint":"f","severity":"major","location":{"path":"a","lines":{"begin":0}}}]`,
			`[{"description":"d","check_name":"c","severity":"major","location":{"path":"a","lines":{"begin":1}}}]`,
			`[{"description":"d","check_name":"c","fingerprint":"f","severity":"major","location":{"path":"/abs","lines":{"begin":1}}}]`,
		} {
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(doc)))
			if err != nil {
				t.Fatal(err)
			}
			if schema.Validate(v) == nil {
				t.Errorf("accepted %s", doc)
			}
		}
	})
}

// xmlNode is an element of a parsed document.
type xmlNode struct {
	name     string
	attrs    map[string]string
	children []*xmlNode
	text     string
}

// parseXML parses data strictly: encoding/xml rejects what is not
// well-formed XML 1.0, control characters among it.
func parseXML(t *testing.T, data []byte) *xmlNode {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var stack []*xmlNode
	var root *xmlNode
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, data)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) == 0 {
				if root != nil {
					t.Fatal("more than one root element")
				}
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		}
	}
	if root == nil {
		t.Fatal("no root element")
	}
	return root
}

// xmlGrammar is a format description as a schema would give it: per
// element, its attributes with their kinds and whether they are required,
// and the children it may have. The root is the grammar's first element.
type xmlGrammar struct {
	root     string
	elements map[string]xmlElement
}

type xmlElement struct {
	required map[string]string // attribute -> kind
	optional map[string]string
	children []string
}

// Attribute kinds.
const (
	xmlString   = "string"
	xmlCount    = "count"    // a non-negative integer
	xmlLine     = "line"     // a positive integer
	xmlDecimal  = "decimal"  // seconds
	xmlSeverity = "severity" // Checkstyle's
)

func (g xmlGrammar) check(root *xmlNode) []error {
	if root.name != g.root {
		return []error{fmt.Errorf("root element <%s>, want <%s>", root.name, g.root)}
	}
	var errs []error
	var walk func(n *xmlNode)
	walk = func(n *xmlNode) {
		el, ok := g.elements[n.name]
		if !ok {
			errs = append(errs, fmt.Errorf("unknown element <%s>", n.name))
			return
		}
		for attr, kind := range el.required {
			v, ok := n.attrs[attr]
			if !ok {
				errs = append(errs, fmt.Errorf("<%s> lacks the required attribute %s", n.name, attr))
				continue
			}
			if err := checkXMLKind(kind, v); err != nil {
				errs = append(errs, fmt.Errorf("<%s %s=%q>: %w", n.name, attr, v, err))
			}
		}
		for attr, v := range n.attrs {
			kind, ok := el.required[attr]
			if !ok {
				kind, ok = el.optional[attr]
			}
			if !ok {
				errs = append(errs, fmt.Errorf("<%s> has an unknown attribute %s", n.name, attr))
				continue
			}
			if err := checkXMLKind(kind, v); err != nil {
				errs = append(errs, fmt.Errorf("<%s %s=%q>: %w", n.name, attr, v, err))
			}
		}
		for _, c := range n.children {
			if !slices.Contains(el.children, c.name) {
				errs = append(errs, fmt.Errorf("<%s> may not hold <%s>", n.name, c.name))
				continue
			}
			walk(c)
		}
	}
	walk(root)
	return errs
}

func checkXMLKind(kind, v string) error {
	switch kind {
	case xmlCount, xmlLine:
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || (kind == xmlLine && n < 1) {
			return fmt.Errorf("want a %s number", kind)
		}
	case xmlDecimal:
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return errors.New("want a decimal")
		}
	case xmlSeverity:
		if !slices.Contains([]string{"ignore", "info", "warning", "error"}, v) {
			return errors.New("want ignore, info, warning or error")
		}
	}
	return nil
}

func checkXMLGrammar(t *testing.T, root *xmlNode, g xmlGrammar) {
	t.Helper()
	for _, err := range g.check(root) {
		t.Error(err)
	}
}

// checkstyleGrammar is Checkstyle's XML report as its XMLLogger writes it
// and as Jenkins, reviewdog and SonarQube read it: <checkstyle version> with
// a <file name> per file, each with <error line column severity message
// source> per problem.
var checkstyleGrammar = xmlGrammar{
	root: "checkstyle",
	elements: map[string]xmlElement{
		"checkstyle": {optional: map[string]string{"version": xmlString}, children: []string{"file"}},
		"file":       {required: map[string]string{"name": xmlString}, children: []string{"error"}},
		"error": {
			required: map[string]string{"line": xmlLine, "severity": xmlSeverity, "message": xmlString, "source": xmlString},
			optional: map[string]string{"column": xmlLine},
		},
	},
}

// junitGrammar is the JUnit XML report as the common JUnit schema (the
// one Jenkins and GitLab read) describes it: <testsuites> of <testsuite
// name tests> of <testcase name classname>, which holds at most <failure>,
// <error>, <skipped>, <system-out> and <system-err>.
var junitGrammar = xmlGrammar{
	root: "testsuites",
	elements: map[string]xmlElement{
		"testsuites": {
			optional: map[string]string{"name": xmlString, "tests": xmlCount, "failures": xmlCount, "errors": xmlCount, "skipped": xmlCount, "time": xmlDecimal},
			children: []string{"testsuite"},
		},
		"testsuite": {
			required: map[string]string{"name": xmlString, "tests": xmlCount},
			optional: map[string]string{
				"failures": xmlCount, "errors": xmlCount, "skipped": xmlCount, "time": xmlDecimal,
				"timestamp": xmlString, "hostname": xmlString, "id": xmlString, "package": xmlString, "file": xmlString,
			},
			children: []string{"properties", "testcase", "system-out", "system-err"},
		},
		"properties": {children: []string{"property"}},
		"property":   {required: map[string]string{"name": xmlString, "value": xmlString}},
		"testcase": {
			required: map[string]string{"name": xmlString, "classname": xmlString},
			optional: map[string]string{"time": xmlDecimal, "file": xmlString, "line": xmlLine, "assertions": xmlCount},
			children: []string{"failure", "error", "skipped", "system-out", "system-err"},
		},
		"failure":    {optional: map[string]string{"message": xmlString, "type": xmlString}},
		"error":      {optional: map[string]string{"message": xmlString, "type": xmlString}},
		"skipped":    {optional: map[string]string{"message": xmlString}},
		"system-out": {},
		"system-err": {},
	},
}

// junitCountErrors checks that every count attribute matches what the
// elements hold, which the schema cannot say but CI systems rely on.
func junitCountErrors(root *xmlNode) error {
	var errs []error
	total := map[string]int{}
	for _, suite := range root.children {
		counts := map[string]int{"tests": len(suite.children)}
		for _, c := range suite.children {
			for _, p := range c.children {
				switch p.name {
				case "failure":
					counts["failures"]++
				case "error":
					counts["errors"]++
				}
			}
		}
		for attr, n := range counts {
			total[attr] += n
			if v, ok := suite.attrs[attr]; (ok || attr == "tests") && v != strconv.Itoa(n) {
				errs = append(errs, fmt.Errorf("suite %s: %s=%q, but it holds %d", suite.attrs["name"], attr, v, n))
			}
		}
	}
	for attr, n := range total {
		if v, ok := root.attrs[attr]; ok && v != strconv.Itoa(n) {
			errs = append(errs, fmt.Errorf("testsuites: %s=%q, but the suites hold %d", attr, v, n))
		}
	}
	return errors.Join(errs...)
}

func checkJUnitCounts(t *testing.T, root *xmlNode) {
	t.Helper()
	if err := junitCountErrors(root); err != nil {
		t.Error(err)
	}
}

package lint

import (
	"encoding/xml"
	"io"
)

// JUnitWriter writes a JUnit XML report, which GitLab, Jenkins, Azure
// Pipelines and CircleCI show as test results: a test suite per rule that
// ran, a failing test case per finding, and a passing one for a rule
// without findings, so the suites list every check. Input errors are test
// cases with an <error> in a suite of their own.
type JUnitWriter struct{}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
}

// junitProblem is a <failure> or an <error>: a one-line message, a type,
// and the full text.
type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// inputErrorSuite names the suite that holds input errors.
const inputErrorSuite = "input errors"

func (JUnitWriter) Write(w io.Writer, r *Report) error {
	var order []string
	suites := map[string]*junitSuite{}
	suite := func(name string) *junitSuite {
		if s, ok := suites[name]; ok {
			return s
		}
		s := &junitSuite{Name: name}
		suites[name] = s
		order = append(order, name)
		return s
	}
	for _, rule := range r.Rules {
		suite(rule.ID)
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		s := suite(f.Rule)
		s.Failures++
		text := f.TextWithObject()
		if f.Help != "" {
			text += "\n" + f.Help
		}
		s.Cases = append(s.Cases, junitCase{
			Name:      OneLine(f.Position.String()),
			Classname: f.Rule,
			File:      f.File,
			Line:      f.Line,
			Failure:   &junitProblem{Message: OneLine(f.Text()), Type: f.Severity.String(), Text: text},
		})
	}
	for i := range r.Errors {
		e := &r.Errors[i]
		s := suite(inputErrorSuite)
		s.Errors++
		pos := Position{File: e.File, Line: e.Line}
		s.Cases = append(s.Cases, junitCase{
			Name:      OneLine(pos.String()),
			Classname: "input-error",
			File:      e.File,
			Line:      e.Line,
			Error:     &junitProblem{Message: OneLine(e.Message), Type: "input-error", Text: e.Error()},
		})
	}
	out := junitSuites{Name: toolName}
	for _, name := range order {
		s := suites[name]
		if len(s.Cases) == 0 {
			s.Cases = []junitCase{{Name: name, Classname: name}}
		}
		s.Tests = len(s.Cases)
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Suites = append(out.Suites, *s)
	}
	return writeXML(w, out)
}

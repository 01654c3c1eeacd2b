package lint

import (
	"cmp"
	"encoding/xml"
	"io"
	"maps"
	"slices"
)

// CheckstyleWriter writes Checkstyle's XML report, which Jenkins' Warnings
// plugin, reviewdog, SonarQube and many CI dashboards read: a <file> per
// file, an <error> per finding. Input errors are <error>s too, with the
// source "dockershim-lint.input-error", so a report of a broken run does not
// pass for a clean one.
type CheckstyleWriter struct{}

// checkstyleVersion is the format version Checkstyle itself writes.
const checkstyleVersion = "4.3"

type checkstyleReport struct {
	XMLName xml.Name         `xml:"checkstyle"`
	Version string           `xml:"version,attr"`
	Files   []checkstyleFile `xml:"file"`
}

type checkstyleFile struct {
	Name   string            `xml:"name,attr"`
	Errors []checkstyleError `xml:"error"`
}

type checkstyleError struct {
	// Line is required by readers of the format; an error without a line
	// is put on the first, as Checkstyle puts file-level problems.
	Line     int    `xml:"line,attr"`
	Column   int    `xml:"column,attr,omitempty"`
	Severity string `xml:"severity,attr"`
	Message  string `xml:"message,attr"`
	Source   string `xml:"source,attr"`
}

// checkstyleSeverities maps ours onto Checkstyle's error, warning and info.
var checkstyleSeverities = map[Severity]string{
	SeverityError:   "error",
	SeverityWarning: "warning",
	SeverityNote:    "info",
}

func (CheckstyleWriter) Write(w io.Writer, r *Report) error {
	byFile := map[string][]checkstyleError{}
	for i := range r.Findings {
		f := &r.Findings[i]
		byFile[f.File] = append(byFile[f.File], checkstyleError{
			Line:     max(f.Line, 1),
			Column:   f.Column,
			Severity: cmp.Or(checkstyleSeverities[f.Severity], "warning"),
			Message:  f.TextWithObject(),
			Source:   toolName + "." + f.Rule,
		})
	}
	for _, e := range r.Errors {
		byFile[e.File] = append(byFile[e.File], checkstyleError{
			Line:     max(e.Line, 1),
			Severity: "error",
			Message:  e.Message,
			Source:   toolName + ".input-error",
		})
	}
	out := checkstyleReport{Version: checkstyleVersion}
	for _, name := range slices.Sorted(maps.Keys(byFile)) {
		errs := byFile[name]
		slices.SortStableFunc(errs, func(a, b checkstyleError) int {
			return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
		})
		out.Files = append(out.Files, checkstyleFile{Name: name, Errors: errs})
	}
	return writeXML(w, out)
}

// writeXML writes v as an indented XML document with its declaration.
// encoding/xml replaces characters XML 1.0 cannot hold (control
// characters quoted from a manifest) with U+FFFD, so the document stays
// well-formed whatever the findings say.
func writeXML(w io.Writer, v any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

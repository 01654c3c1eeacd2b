package lint

import (
	"encoding/json"
	"io"
)

// JSONWriter writes the whole report as one JSON object. Its field names are
// a public interface: add fields, never rename them. The report has its own
// types rather than the model's struct tags so that a change to the model
// cannot change the format by accident, and so that every documented field
// is present even when empty (a parser should not have to guess whether a
// missing namespace means "" or an older version).
type JSONWriter struct{}

type jsonObject struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace"`
	Name       string `json:"name"`
}

type jsonFinding struct {
	Rule        string     `json:"rule"`
	Severity    Severity   `json:"severity"`
	Message     string     `json:"message"`
	File        string     `json:"file"`
	Line        int        `json:"line"`
	Column      int        `json:"column"`
	EndLine     int        `json:"endLine,omitempty"`
	EndColumn   int        `json:"endColumn,omitempty"`
	Object      jsonObject `json:"object"`
	Field       FieldPath  `json:"field"`
	Help        string     `json:"help"`
	Related     []Related  `json:"related,omitempty"`
	Source      string     `json:"source,omitempty"`
	Fingerprint string     `json:"fingerprint"`
}

type jsonReport struct {
	Version  string        `json:"version"`
	Findings []jsonFinding `json:"findings"`
	Errors   []InputError  `json:"errors"`
}

func (JSONWriter) Write(w io.Writer, r *Report) error {
	out := jsonReport{
		Version:  r.Version,
		Findings: make([]jsonFinding, len(r.Findings)),
		Errors:   r.Errors,
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		out.Findings[i] = jsonFinding{
			Rule:      f.Rule,
			Severity:  f.Severity,
			Message:   f.Text(),
			File:      f.File,
			Line:      f.Line,
			Column:    f.Column,
			EndLine:   f.EndLine,
			EndColumn: f.EndColumn,
			Object: jsonObject{
				APIVersion: f.Object.APIVersion,
				Kind:       f.Object.Kind,
				Namespace:  f.Object.Namespace,
				Name:       f.Object.Name,
			},
			Field:       f.Field,
			Help:        f.Help,
			Related:     f.Related,
			Source:      f.Source,
			Fingerprint: f.Fingerprint(),
		}
	}
	if out.Errors == nil {
		out.Errors = []InputError{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

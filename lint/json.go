package lint

import (
	"encoding/json"
	"io"
)

// JSONWriter writes the whole report as one JSON object. Its field names are
// a public interface: add fields, never rename them.
type JSONWriter struct{}

type jsonFinding struct {
	Finding
	Fingerprint string `json:"fingerprint"`
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
		out.Findings[i] = jsonFinding{Finding: r.Findings[i], Fingerprint: r.Findings[i].Fingerprint()}
	}
	if out.Errors == nil {
		out.Errors = []InputError{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/source"
)

// baseline is the fingerprints of findings accepted in an earlier report.
type baseline struct {
	file         string
	fingerprints map[string]bool
}

// baselineReport holds both report shapes a baseline may have: our JSON
// format (findings) and SARIF (runs).
type baselineReport struct {
	Findings *[]struct {
		Fingerprint string `json:"fingerprint"`
	} `json:"findings"`
	Runs *[]struct {
		Results []struct {
			PartialFingerprints map[string]string `json:"partialFingerprints"`
		} `json:"results"`
	} `json:"runs"`
}

// loadBaseline reads a report written by --format json, --format sarif or
// --write-baseline. A finding without our fingerprint is an error rather
// than skipped: the file is then not one of our reports, and treating it
// as an empty baseline would report everything it was meant to hide, or
// worse, hide nothing while seeming to work.
func loadBaseline(name string) (*baseline, error) {
	file := filepath.ToSlash(name)
	data, err := source.ReadFile(file, name)
	if err != nil {
		return nil, usagef("baseline %v", err)
	}
	var raw baselineReport
	if err := json.Unmarshal(data, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := lint.IndexLines(data).Line(int(se.Offset))
			return nil, usagef("baseline %s:%d: not a JSON report: %v", file, line, err)
		}
		return nil, usagef("baseline %s: not a dockershim-lint JSON or SARIF report: %v", file, err)
	}
	b := &baseline{file: file, fingerprints: map[string]bool{}}
	switch {
	case raw.Findings != nil:
		for i, f := range *raw.Findings {
			if f.Fingerprint == "" {
				return nil, usagef("baseline %s: finding %d has no fingerprint", file, i+1)
			}
			b.fingerprints[f.Fingerprint] = true
		}
	case raw.Runs != nil:
		for _, run := range *raw.Runs {
			for i, r := range run.Results {
				fp := cmp.Or(r.PartialFingerprints[lint.SARIFFingerprintKey], r.PartialFingerprints[lint.LegacySARIFFingerprintKey])
				if fp == "" {
					return nil, usagef("baseline %s: SARIF result %d has no %s fingerprint (not a dockershim-lint report)", file, i+1, lint.SARIFFingerprintKey)
				}
				b.fingerprints[fp] = true
			}
		}
	default:
		return nil, usagef("baseline %s: not a dockershim-lint JSON or SARIF report (no findings or runs)", file)
	}
	return b, nil
}

// filter returns the findings not in the baseline and how many were. A
// baseline written by an earlier version holds fingerprints of the earlier
// form, which still match.
func (b *baseline) filter(findings []lint.Finding) ([]lint.Finding, int) {
	var kept []lint.Finding
	for i := range findings {
		f := &findings[i]
		if !b.fingerprints[f.Fingerprint()] && !b.fingerprints[f.LegacyFingerprint()] {
			kept = append(kept, findings[i])
		}
	}
	return kept, len(findings) - len(kept)
}

// writeBaseline writes report as JSON to name, whatever --format says, so
// that the file can be read back by --baseline.
func writeBaseline(name string, report *lint.Report) error {
	var buf bytes.Buffer
	if err := (lint.JSONWriter{}).Write(&buf, report); err != nil {
		return fmt.Errorf("writing baseline: %w", err)
	}
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing baseline: %w", err)
	}
	return nil
}

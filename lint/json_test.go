package lint_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

func TestJSONWriter(t *testing.T) {
	tests := []struct {
		name   string
		report *lint.Report
	}{
		{name: "sample", report: sampleReport()},
		// An empty report still has both arrays: parsers should not have to
		// tell null from [].
		{name: "empty", report: &lint.Report{Version: "(devel)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := (lint.JSONWriter{}).Write(&out, tt.report); err != nil {
				t.Fatal(err)
			}
			golden(t, "json-"+tt.name+".golden", out.Bytes())
		})
	}
}

// TestJSONRoundTrip reads the report back through the exported types, so a
// field renamed on one side only cannot pass.
func TestJSONRoundTrip(t *testing.T) {
	want := sampleReport()
	var out bytes.Buffer
	if err := (lint.JSONWriter{}).Write(&out, want); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Version  string `json:"version"`
		Findings []struct {
			lint.Finding
			// A path is printed, never parsed back: the report's field
			// is compared in its printed form.
			Field       string `json:"field"`
			Fingerprint string `json:"fingerprint"`
		} `json:"findings"`
		Errors []lint.InputError `json:"errors"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Version != want.Version {
		t.Errorf("version = %q, want %q", got.Version, want.Version)
	}
	if len(got.Findings) != len(want.Findings) {
		t.Fatalf("got %d findings, want %d", len(got.Findings), len(want.Findings))
	}
	for i := range want.Findings {
		g, w := got.Findings[i], want.Findings[i]
		if g.Rule != w.Rule || g.Severity != w.Severity || g.Message != w.Message || g.Position != w.Position ||
			g.Object != w.Object || g.Field != w.Field.String() || g.Help != w.Help || len(g.Related) != len(w.Related) {
			t.Errorf("finding %d:\n got %+v\nwant %+v", i, g.Finding, w)
		}
		if g.Fingerprint != w.Fingerprint() {
			t.Errorf("finding %d: fingerprint %q, want %q", i, g.Fingerprint, w.Fingerprint())
		}
	}
	if len(got.Errors) != len(want.Errors) {
		t.Fatalf("got %d errors, want %d", len(got.Errors), len(want.Errors))
	}
	for i := range want.Errors {
		if got.Errors[i] != want.Errors[i] {
			t.Errorf("error %d = %+v, want %+v", i, got.Errors[i], want.Errors[i])
		}
	}
}

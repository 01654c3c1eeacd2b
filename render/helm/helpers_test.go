package helm

import (
	"maps"
	"slices"
	"testing"
)

// TestSafeHelpers decides, for each way a helper's output can be used,
// whether markers may go inside it: only when every call site writes the
// output straight out, through indent or nindent at most, from a body that
// is itself written straight out.
func TestSafeHelpers(t *testing.T) {
	const helper = `{{- define "h" -}}x{{- end -}}`
	tests := []struct {
		name string
		// main is the main body of templates/t.yaml; helpers is a
		// partial defining more helpers beside "h".
		main    string
		helpers string
		// named says other templates include t.yaml by name.
		named bool
		texts []string
		want  []string
	}{
		{name: "include written out", main: `a: {{ include "h" . }}`, want: []string{"h"}},
		{name: "nindent", main: `{{- include "h" . | nindent 4 }}`, want: []string{"h"}},
		{name: "indent of a parenthesised include", main: `{{ (include "h" .) | indent 4 }}`, want: []string{"h"}},
		{name: "template action", main: `{{ template "h" . }}`, want: []string{"h"}},
		{name: "trunc", main: `{{ include "h" . | trunc 63 }}`},
		{name: "trim", main: `{{ include "h" . | trim }}`},
		{name: "sha256sum", main: `{{ include "h" . | sha256sum }}`},
		{name: "b64enc", main: `{{ include "h" . | b64enc }}`},
		{name: "fromYaml", main: `{{ fromYaml (include "h" .) }}`},
		{name: "eq in a condition", main: `{{ if eq (include "h" .) "true" }}y{{ end }}`},
		{name: "tpl", main: `{{ tpl (include "h" .) . }}`},
		{name: "printf", main: `{{ printf "%s-x" (include "h" .) }}`},
		{name: "assigned to a variable", main: `{{ $v := include "h" . }}{{ if $v }}y{{ end }}`},
		{name: "indent then trim", main: `{{ include "h" . | indent 2 | trim }}`},
		{name: "argument of another include", main: `{{ include "g" (include "h" .) }}`, helpers: `{{ define "g" }}{{ . }}{{ end }}`, want: []string{"g"}},
		{name: "one unsafe call site among safe ones", main: `{{ include "h" . }}{{ include "h" . | quote }}`},
		{
			name:    "called from a helper that is read by a function",
			main:    `{{ include "g" . | sha256sum }}{{ include "h" . }}`,
			helpers: `{{ define "g" }}{{ include "h" . }}{{ end }}`,
		},
		{
			name:    "called from a helper written out",
			main:    `{{ include "g" . | nindent 2 }}`,
			helpers: `{{ define "g" }}{{ template "h" . }}{{ end }}`,
			want:    []string{"g", "h"},
		},
		{name: "from a file included by name", main: `{{ include "h" . }}`, named: true},
		{name: "named in a values string rendered with tpl", main: `{{ include "h" . }}`, texts: []string{`{{ include "h" . | trim }}`}, want: nil},
		{name: "a values string naming another helper", main: `{{ include "h" . }}`, texts: []string{`{{ include "other" . }}`}, want: []string{"h"}},
		{
			name: "computed name that may be the helper", main: `{{ include "h" . }}{{ include (print "h" .Values.x) . | trim }}`,
		},
		{
			name: "computed name of a file", main: `{{ include "h" . }}{{ include (print $.Template.BasePath "/cm.yaml") . | sha256sum }}`,
			want: []string{"h"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newHelperAnalysis()
			for name, src := range map[string]string{"c/templates/t.yaml": tt.main, "c/templates/_h.tpl": helper + tt.helpers} {
				pt, err := parseTemplate(name, name, []byte(src))
				if err != nil {
					t.Fatal(err)
				}
				a.addFile(name, pt.trees, !tt.named || name != "c/templates/t.yaml")
			}
			for _, s := range tt.texts {
				a.addText(s)
			}
			got := slices.Sorted(maps.Keys(a.safeHelpers()))
			if !slices.Equal(got, tt.want) {
				t.Errorf("safe helpers = %q, want %q", got, tt.want)
			}
		})
	}
}

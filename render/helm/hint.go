package helm

import (
	"fmt"
	"regexp"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
)

// A chart stops rendering with an execution error when a template calls
// `required` on a value nobody set, or `fail`. Helm's message is the
// chart's own text; valueHint adds how to supply the value here, with the
// key when the template names it.
var (
	requiredCall = regexp.MustCompile("required\\s+(?:\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`)\\s+\\(?\\s*\\.Values\\.([A-Za-z0-9_.]+)")
	requiredPipe = regexp.MustCompile(`\.Values\.([A-Za-z0-9_.]+)\s*\|\s*required\b`)
)

// valueHint is the advice for an execution error at line of template t,
// which the engine names name, for the chart as the user named it (base).
// ciFiles are the chart's CI values files, which --all-ci-values would
// render it with instead.
func valueHint(t *chart.File, name string, line int, base string, ciFiles []string, allCIValues bool) string {
	key := ""
	if t != nil && line > 0 {
		lines := strings.Split(string(t.Data), "\n")
		if line <= len(lines) {
			text := lines[line-1]
			for _, re := range []*regexp.Regexp{requiredCall, requiredPipe} {
				if m := re.FindStringSubmatch(text); m != nil {
					key = m[1]
					break
				}
			}
		}
	}
	setting := "KEY=VALUE"
	if key != "" {
		if !strings.HasPrefix(key, "global.") {
			key = valuesPrefix(name) + key
		}
		setting = key + "=..."
	}
	hint := fmt.Sprintf("; supply the value with --set %s (or --values FILE), or give the chart its values in %s: charts: {%q: {set: [%q]}}",
		setting, ".dockershim-lint.yaml", base, setting)
	if len(ciFiles) > 0 && !allCIValues {
		hint += fmt.Sprintf(", or lint it with its CI values (%s) with --all-ci-values", strings.Join(ciFiles, ", "))
	}
	return hint
}

// valuesPrefix is where the values of the chart holding the template the
// engine names name ("parent/charts/agent/templates/cm.yaml") sit in the
// values a user sets: a subchart reads its own under its name or alias in
// its parent's, so its .Values.apiKey is set as agent.apiKey.
func valuesPrefix(name string) string {
	parts := strings.Split(name, "/")
	prefix := ""
	for i := 1; i+1 < len(parts) && parts[i] == "charts"; i += 2 {
		prefix += parts[i+1] + "."
	}
	return prefix
}

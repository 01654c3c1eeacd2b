package main

import (
	"runtime"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

// TestDeterministicOutput lints the example manifests, charts and overlays
// in every format, with one scheduler thread and with eight, twice each:
// every report must be byte-identical, since CI diffs them and code
// scanning deduplicates on them.
func TestDeterministicOutput(t *testing.T) {
	paths := []string{"testdata/examples", "testdata/charts", "testdata/kustomize", "testdata/cli"}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, format := range lint.Formats() {
		t.Run(format, func(t *testing.T) {
			var first cliResult
			for i, procs := range []int{1, 8, 1, 8} {
				runtime.GOMAXPROCS(procs)
				got := runCLI(t, "", append([]string{"lint", "--no-color", "--format", format}, paths...)...)
				if i == 0 {
					first = got
					if got.stdout == "" {
						t.Fatalf("empty %s report (exit %d): %s", format, got.code, got.stderr)
					}
					continue
				}
				if got != first {
					t.Fatalf("run %d with GOMAXPROCS=%d differs from the first:\n%s", i+1, procs, firstDifference(first.stdout+first.stderr, got.stdout+got.stderr))
				}
			}
		})
	}
}

// firstDifference shows where two outputs part, with some context.
func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-200)
	return "first:  ..." + a[from:min(len(a), i+200)] + "\nthen:   ..." + b[from:min(len(b), i+200)]
}

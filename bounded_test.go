package main

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/dockershim-lint/dockershim-lint/lint/linttest"
)

// boundedDeadline is the most any input of a few kilobytes may cost: each
// case below took from 25 s to minutes before it was bounded, and takes
// well under a second now.
const boundedDeadline = 10 * time.Second

// TestBoundedWork runs the CLI on small hostile inputs, each under a
// deadline and an allocation budget, and checks the error a user sees.
func TestBoundedWork(t *testing.T) {
	tests := []struct {
		name string
		// setup writes the inputs into dir and returns the arguments,
		// run from dir.
		setup func(t *testing.T, dir string) []string
		want  want
		// maxAllocMiB bounds what the whole run allocates, and maxHeapMiB
		// the largest the heap grows, garbage included.
		maxAllocMiB, maxHeapMiB uint64
		// deadline, when set, replaces boundedDeadline for a case whose
		// input takes seconds to read on a busy machine.
		deadline time.Duration
	}{
		{
			name: "--set nesting list indexes",
			setup: func(t *testing.T, dir string) []string {
				writeChart(t, filepath.Join(dir, "chart"))
				return []string{"lint", "--set", nestedIndexes(100), "chart"}
			},
			want: want{code: exitError, stderr: []string{
				"dockershim-lint: --set a[65536][65536]", "...: list indexes add up to 6553700 elements, more than the 131072 limit",
			}},
			maxAllocMiB: 64,
		},
		{
			name: "config file set: nesting list indexes",
			setup: func(t *testing.T, dir string) []string {
				writeChart(t, filepath.Join(dir, "chart"))
				config := "charts:\n  chart:\n    set:\n      - x=1\n      - " + nestedIndexes(140) + "\n"
				writeFile(t, filepath.Join(dir, configName), config)
				return []string{"lint", "chart"}
			},
			want: want{code: exitError, stderr: []string{
				configName + ":5: charts: chart: set a[65536]", "list indexes add up to 9175180 elements, more than the 131072 limit",
			}},
			maxAllocMiB: 64,
		},
		{
			name: "--set-file larger than the values budget",
			setup: func(t *testing.T, dir string) []string {
				writeChart(t, filepath.Join(dir, "chart"))
				f, err := os.Create(filepath.Join(dir, "big.txt"))
				if err != nil {
					t.Fatal(err)
				}
				if err := f.Truncate(40 << 20); err != nil {
					t.Fatal(err)
				}
				f.Close()
				return []string{"lint", "--set-file", "a=big.txt", "chart"}
			},
			want: want{code: exitError, stdout: []string{"1 input had errors"}, stderr: []string{
				"chart: error: --set-file a=big.txt: big.txt: file is larger than the 32 MiB limit",
			}},
			maxAllocMiB: 160,
		},
		{
			name: "chart ranging over until 1e8, beside a manifest",
			setup: func(t *testing.T, dir string) []string {
				writeChart(t, filepath.Join(dir, "loop"))
				writeFile(t, filepath.Join(dir, "loop", "templates", "loop.yaml"), "a: \"{{ range until 100000000 }}x{{ end }}\"\n")
				writeFile(t, filepath.Join(dir, "pod.yaml"), socketPod)
				// The memory budget must end it: the clock, which a
				// loaded machine under the race detector could spend
				// first, gets time to spare.
				return []string{"lint", "--render-timeout", "2m", "loop", "pod.yaml"}
			},
			want: want{code: exitError, stdout: []string{"pod.yaml:9:24: error docker-socket", "1 input had errors"}, stderr: []string{
				"loop/templates/loop.yaml: error: chart loop: rendering templates/loop.yaml needed more than the 512 MiB render memory budget (raise it with --render-memory)",
			}},
			maxAllocMiB: 64,
		},
		{
			name: "chart including a template 2^25 times, with --render-timeout",
			setup: func(t *testing.T, dir string) []string {
				writeChart(t, filepath.Join(dir, "fan"))
				writeFile(t, filepath.Join(dir, "fan", "templates", "fan.yaml"), includeFanOut)
				writeFile(t, filepath.Join(dir, "pod.yaml"), socketPod)
				return []string{"lint", "--render-timeout", "2s", "fan", "pod.yaml"}
			},
			want: want{code: exitError, stdout: []string{"pod.yaml:9:24: error docker-socket", "1 input had errors"}, stderr: []string{
				"fan/templates/fan.yaml: error: chart fan: rendering templates/fan.yaml took longer than the 2s render budget (raise it with --render-timeout)",
			}},
			maxAllocMiB: 64,
		},
		{
			name: "chart including a template 2^25 times, with the config's render-timeout",
			setup: func(t *testing.T, dir string) []string {
				writeChart(t, filepath.Join(dir, "fan"))
				writeFile(t, filepath.Join(dir, "fan", "templates", "fan.yaml"), includeFanOut)
				writeFile(t, filepath.Join(dir, configName), "render-timeout: 1s\nrender-memory: 256MiB\n")
				return []string{"lint", "fan"}
			},
			want: want{code: exitError, stdout: []string{"1 input had errors"}, stderr: []string{
				"chart fan: rendering templates/fan.yaml took longer than the 1s render budget",
			}},
			maxAllocMiB: 64,
		},
		{
			name: "31 MB file of 204,000 findings",
			setup: func(t *testing.T, dir string) []string {
				const pod = "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p%d\nspec:\n  containers: [{name: c}]\n" +
					"  volumes:\n    - name: s\n      hostPath: {path: /var/run/docker.sock}\n"
				var b strings.Builder
				for i := range 204_000 {
					fmt.Fprintf(&b, pod, i)
				}
				writeFile(t, filepath.Join(dir, "generated.yaml"), b.String())
				return []string{"lint", "--format", "json", "generated.yaml"}
			},
			want: want{code: exitFindings, stdout: []string{`"name": "p9999"`}, notStdout: []string{`"name": "p10000"`}, stderr: []string{
				"generated.yaml: notice: 10000 findings in generated.yaml; the rest (194000) are not reported",
			}},
			maxHeapMiB: 400, deadline: time.Minute,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := tt.setup(t, dir)
			t.Chdir(dir)
			done := make(chan cliResult, 1)
			var allocated, peak uint64
			go func() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				stop := sampleHeap(&peak)
				r := runCLI(t, "", args...)
				stop()
				runtime.ReadMemStats(&after)
				allocated = after.TotalAlloc - before.TotalAlloc
				done <- r
			}()
			deadline := linttest.Deadline(cmp.Or(tt.deadline, boundedDeadline))
			select {
			case r := <-done:
				r.check(t, tt.want)
			case <-time.After(deadline):
				t.Fatalf("the run did not end within %s", deadline)
			}
			t.Logf("allocated %d MiB; the heap reached %d MiB", allocated>>20, peak>>20)
			if tt.maxAllocMiB > 0 && allocated > tt.maxAllocMiB<<20 {
				t.Errorf("allocated %d MiB, over the %d MiB budget", allocated>>20, tt.maxAllocMiB)
			}
			if tt.maxHeapMiB > 0 && peak > tt.maxHeapMiB<<20 {
				t.Errorf("the heap reached %d MiB, over the %d MiB budget", peak>>20, tt.maxHeapMiB)
			}
		})
	}
}

// socketPod mounts the Docker socket, at 9:24.
const socketPod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: [{name: c, image: x}]\n" +
	"  volumes:\n    - name: s\n      hostPath: {path: /var/run/docker.sock}\n"

// includeFanOut calls a template 2^25 times, each rendering nothing.
const includeFanOut = `{{- define "f" }}{{ if gt (int .) 0 }}{{ include "f" (sub (int .) 1) }}{{ include "f" (sub (int .) 1) }}{{ end }}{{ end -}}` +
	"a: {{ len (include \"f\" 25) }}\n"

// nestedIndexes is a --set value nesting n list indexes at Helm's largest.
func nestedIndexes(n int) string {
	return "a" + strings.Repeat("[65536]", n) + "=1"
}

func writeChart(t *testing.T, dir string) {
	t.Helper()
	writeFile(t, filepath.Join(dir, "Chart.yaml"), "apiVersion: v2\nname: "+filepath.Base(dir)+"\nversion: 0.1.0\n")
	writeFile(t, filepath.Join(dir, "templates", "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: {{ .Values.a | quote }}\n")
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

package render

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/helm"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
	"github.com/dockershim-lint/dockershim-lint/render/source"
	"github.com/dockershim-lint/dockershim-lint/rules"
	"helm.sh/helm/v3/pkg/chart/loader"
)

// hostileDeadline is when a hostile input is declared to hang. It is far
// above what any case takes, even under -race on a busy machine: the
// assertion is that the run ends, not how fast.
const hostileDeadline = 3 * time.Minute

// goodManifest is linted beside every hostile input: its finding proves the
// hostile input did not stop the others from being linted.
const goodManifest = `apiVersion: v1
kind: Pod
metadata:
  name: good
spec:
  containers:
    - name: c
      image: busybox
  volumes:
    - name: sock
      hostPath:
        path: /var/run/docker.sock
`

// hostileRun is what linting a tree with a hostile input produced.
type hostileRun struct {
	lint.Result
	skipped []Skipped
	// allocated is how many bytes the run allocated in total.
	allocated uint64
	// opened is every path the reader opened, in order.
	opened []string
}

// lintHostile discovers and lints paths with the real rules, as the CLI
// does, and fails the test if that does not end before hostileDeadline.
func lintHostile(t *testing.T, paths []string) hostileRun {
	t.Helper()
	done := make(chan hostileRun, 1)
	go func() {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		var run hostileRun
		var mu sync.Mutex
		stop := source.Trace(func(path string) {
			mu.Lock()
			defer mu.Unlock()
			run.opened = append(run.opened, path)
		})
		defer stop()
		inputs, errs := Discover(paths, Options{OnSkip: func(s Skipped) { run.skipped = append(run.skipped, s) }})
		e := lint.Engine{Rules: rules.All()}
		run.Result = e.Run(inputs)
		run.Errors = append(run.Errors, errs...)
		runtime.ReadMemStats(&after)
		run.allocated = after.TotalAlloc - before.TotalAlloc
		done <- run
	}()
	select {
	case run := <-done:
		return run
	case <-time.After(hostileDeadline):
		t.Fatalf("linting %v did not end within %s", paths, hostileDeadline)
		return hostileRun{}
	}
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("cannot create symbolic links here: %v", err)
	}
}

func pod(name, spec string) string {
	return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n" + spec
}

// aliasBomb is a Pod whose args, if its aliases were expanded, would hold
// 9^9 strings.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Pod\nmetadata:\n  name: lol\n  annotations:\n")
	b.WriteString(`    a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	for i := 1; i < 9; i++ {
		p := fmt.Sprintf("*a%d", i-1)
		fmt.Fprintf(&b, "    a%d: &a%d [%s]\n", i, i, strings.Repeat(p+",", 8)+p)
	}
	b.WriteString("spec:\n  containers:\n    - name: c\n      image: busybox\n      args: *a8\n")
	return b.String()
}

// chartFiles writes a chart named name into dir with the given templates.
func chartFiles(t *testing.T, dir string, templates map[string]string) {
	t.Helper()
	write(t, filepath.Join(dir, "Chart.yaml"), []byte("apiVersion: v2\nname: "+filepath.Base(dir)+"\nversion: 0.1.0\n"))
	for name, text := range templates {
		write(t, filepath.Join(dir, "templates", name), []byte(text))
	}
}

// tgz writes a packaged chart whose Chart.yaml is followed by files, each
// a name and a size of zeros; a negative size writes a header claiming
// that size's absolute value with no content behind it, as a crafted
// archive can.
func tgz(t *testing.T, path string, files []tarFile) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	chartYAML := []byte("apiVersion: v2\nname: bomb\nversion: 0.1.0\n")
	if err := tw.WriteHeader(&tar.Header{Name: "bomb/Chart.yaml", Mode: 0o644, Size: int64(len(chartYAML))}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(chartYAML); err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: "bomb/" + f.name, Mode: 0o644, Size: f.size}); err != nil {
			t.Fatal(err)
		}
		if f.headerOnly {
			break
		}
		for left := f.size; left > 0; left -= int64(len(zeros)) {
			if _, err := tw.Write(zeros[:min(left, int64(len(zeros)))]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Flush(); err != nil && !strings.Contains(err.Error(), "missed writing") {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	write(t, path, buf.Bytes())
}

// nestedChartArchive is a packaged chart whose charts/ holds two copies of
// a packaged chart holding two copies of the next, levels deep: gzip stores
// each second copy as a reference to the first, so the archive stays a few
// kilobytes while Helm's loader would unpack 2^levels charts.
func nestedChartArchive(t *testing.T, levels int) []byte {
	t.Helper()
	var archive []byte
	for level := range levels + 1 {
		name := fmt.Sprintf("nest%d", level)
		files := map[string][]byte{"Chart.yaml": []byte("apiVersion: v2\nname: " + name + "\nversion: 0.1.0\n")}
		if level == 0 {
			files["templates/pod.yaml"] = []byte(goodManifest)
		} else {
			files["charts/a-0.1.0.tgz"] = archive
			files["charts/b-0.1.0.tgz"] = archive
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		tw := tar.NewWriter(zw)
		for _, file := range slices.Sorted(maps.Keys(files)) {
			if err := tw.WriteHeader(&tar.Header{Name: name + "/" + file, Mode: 0o644, Size: int64(len(files[file]))}); err != nil {
				t.Fatal(err)
			}
			if _, err := tw.Write(files[file]); err != nil {
				t.Fatal(err)
			}
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		archive = buf.Bytes()
	}
	return archive
}

type tarFile struct {
	name       string
	size       int64
	headerOnly bool
}

// TestHostileInputs lints each hostile or broken input beside a good
// manifest: the run must end, report an error naming the input (and line
// where there is one), keep linting the good manifest, and stay within a
// memory budget.
// hostileCase is one hostile or broken input, linted beside a good manifest.
type hostileCase struct {
	name string
	// setup writes the hostile input below dir and returns the paths
	// to lint besides dir/good.yaml; nil means dir itself.
	setup func(t *testing.T, dir string) []string
	// errFile is the suffix of the error's file, errMsg part of its
	// message; errLine, when not zero, its line. Empty errMsg means no
	// error is expected.
	errFile, errMsg string
	errLine         int
	// skip is part of a skip notice that must be given.
	skip string
	// maxAllocMiB bounds the bytes allocated by the whole run.
	maxAllocMiB uint64
	// check makes further assertions.
	check func(t *testing.T, dir string, run hostileRun)
}

func TestHostileInputs(t *testing.T) {
	runHostile(t, []hostileCase{
		{
			name: "alias bomb",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "bomb.yaml"), []byte(aliasBomb()))
				return nil
			},
			errFile: "bomb.yaml", errMsg: "alias bomb", errLine: 19, maxAllocMiB: 64,
		},
		{
			name: "alias that contains itself",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "cycle.yaml"), []byte(pod("cycle", "  containers: &c\n    - name: c\n      args: *c\n")))
				return nil
			},
			// Kubernetes' decoder refuses it; the rules still end.
			errFile: "cycle.yaml", errMsg: "anchor 'c' value contains itself", errLine: 8,
			check: func(t *testing.T, dir string, run hostileRun) {
				if len(run.Findings) != 1 {
					t.Errorf("got %d findings, want only good.yaml's: %v", len(run.Findings), run.Findings)
				}
			},
		},
		{
			name: "merge of a scalar",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "merge.yaml"), []byte(pod("merge", "  volumes:\n    - name: v\n      <<: /var/run/docker.sock\n")))
				return nil
			},
			errFile: "merge.yaml", errMsg: "map merge requires map or sequence of maps as the value", errLine: 8,
		},
		{
			name: "kustomization resource with an alias that contains itself",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "kcycle", "kustomization.yaml"), []byte("resources:\n  - cycle.yaml\n"))
				write(t, filepath.Join(dir, "kcycle", "cycle.yaml"), []byte(pod("cycle", "  containers: &c\n    - name: c\n      args: *c\n")))
				return nil
			},
			errFile: "kcycle/kustomization.yaml", errMsg: "alias *c refers to a node that contains it",
		},
		{
			name: "nesting deeper than manifest.MaxDepth",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "deep.yaml"), []byte(pod("deep", "  x: "+strings.Repeat("[", 9000)+strings.Repeat("]", 9000)+"\n")))
				return nil
			},
			errFile: "deep.yaml", errMsg: fmt.Sprintf("nesting deeper than %d levels", manifest.MaxDepth), errLine: 6,
		},
		{
			name: "10,000-deep nesting, past yaml.v3's own limit",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "deeper.yaml"), []byte(pod("deeper", "  x: "+strings.Repeat("{a: ", 10001)+"1"+strings.Repeat("}", 10001)+"\n")))
				return nil
			},
			errFile: "deeper.yaml", errMsg: "exceeded max depth",
		},
		{
			name: "50 MB manifest",
			setup: func(t *testing.T, dir string) []string {
				cm := "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  k: " + strings.Repeat("x", 1000) + "\n"
				write(t, filepath.Join(dir, "big.yaml"), bytes.Repeat([]byte(cm), 50<<20/len(cm)+1))
				return nil
			},
			errFile: "big.yaml", errMsg: "larger than the 32 MiB limit", maxAllocMiB: 160,
		},
		{
			name: "invalid UTF-8",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "latin1.yaml"), []byte(pod("caf\xe9", "  containers: []\n")))
				return nil
			},
			errFile: "latin1.yaml", errMsg: "UTF-8", errLine: 4,
		},
		{
			name: "NUL bytes",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "nul.yaml"), []byte(pod("a\x00b", "  containers: []\n")))
				return nil
			},
			errFile: "nul.yaml", errMsg: "control characters are not allowed", errLine: 4,
		},
		{
			name: "binary file named .yaml",
			setup: func(t *testing.T, dir string) []string {
				rng := rand.New(rand.NewPCG(1, 2))
				data := make([]byte, 64<<10)
				for i := range data {
					data[i] = byte(rng.Uint32())
				}
				write(t, filepath.Join(dir, "image.yaml"), data)
				return nil
			},
			errFile: "image.yaml", errMsg: "invalid YAML", errLine: -1,
		},
		{
			name: "tabs in indentation",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "tabs.yaml"), []byte("apiVersion: v1\nkind: Pod\nmetadata:\n\tname: tabs\n"))
				return nil
			},
			errFile: "tabs.yaml", errMsg: "invalid YAML", errLine: 4,
		},
		{
			name: "duplicate keys",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "dup.yaml"), []byte(pod("dup", "  volumes:\n    - name: v\n      hostPath:\n        path: /srv\n      hostPath:\n        path: /var/run/docker.sock\n")))
				return nil
			},
			errFile: "dup.yaml", errMsg: `duplicate key "hostPath" (first at line 8)`, errLine: 10,
		},
		{
			name: "CRLF line ends and a byte order mark keep positions",
			setup: func(t *testing.T, dir string) []string {
				text := "\ufeff" + strings.ReplaceAll(strings.ReplaceAll(goodManifest, "good", "crlf"), "\n", "\r\n")
				write(t, filepath.Join(dir, "crlf.yaml"), []byte(text))
				return nil
			},
			check: func(t *testing.T, dir string, run hostileRun) {
				assertFindingAt(t, run, "crlf.yaml", 12, 15)
			},
		},
		{
			name: "directory loop through a symbolic link",
			setup: func(t *testing.T, dir string) []string {
				symlink(t, "..", filepath.Join(dir, "sub", "up"))
				symlink(t, ".", filepath.Join(dir, "here"))
				return nil
			},
			check: func(t *testing.T, dir string, run hostileRun) {
				if len(run.Findings) != 1 {
					t.Errorf("got %d findings, want good.yaml's one, once: %v", len(run.Findings), run.Findings)
				}
			},
		},
		{
			name: "symbolic link out of the linted directory",
			setup: func(t *testing.T, dir string) []string {
				outside := filepath.Join(filepath.Dir(dir), "outside.yaml")
				write(t, outside, []byte(strings.ReplaceAll(goodManifest, "good", "outside")))
				symlink(t, outside, filepath.Join(dir, "leak.yaml"))
				return nil
			},
			skip: "outside the walked directory, not followed",
			check: func(t *testing.T, dir string, run hostileRun) {
				if len(run.Findings) != 1 {
					t.Errorf("got %d findings, want only good.yaml's: %v", len(run.Findings), run.Findings)
				}
			},
		},
		{
			name: "unreadable file",
			setup: func(t *testing.T, dir string) []string {
				if os.Geteuid() != 0 {
					p := filepath.Join(dir, "secret.yaml")
					write(t, p, []byte(goodManifest))
					if err := os.Chmod(p, 0); err != nil {
						t.Fatal(err)
					}
					return nil
				}
				// Root reads any mode; a process's own memory file opens but
				// fails on the first read at address zero.
				if _, err := os.Stat("/proc/self/mem"); err != nil {
					t.Skip("running as root without /proc/self/mem: no file is unreadable")
				}
				return []string{dir, "/proc/self/mem"}
			},
			errMsg: "cannot", errFile: map[bool]string{true: "/proc/self/mem", false: "secret.yaml"}[os.Geteuid() == 0],
		},
		{
			name: "chart archive whose header claims gigabytes",
			setup: func(t *testing.T, dir string) []string {
				tgz(t, filepath.Join(dir, "bomb-0.1.0.tgz"), []tarFile{{name: "templates/huge.yaml", size: 4 << 30, headerOnly: true}})
				return []string{dir, filepath.Join(dir, "bomb-0.1.0.tgz")}
			},
			errFile: "bomb-0.1.0.tgz", errMsg: "larger than the maximum", maxAllocMiB: 64,
		},
		{
			name: "chart archive decompressing past the chart limit",
			setup: func(t *testing.T, dir string) []string {
				var files []tarFile
				for i := range helm.MaxChartArchiveSize/(4<<20) + 1 {
					files = append(files, tarFile{name: fmt.Sprintf("files/zeros-%d", i), size: 4 << 20})
				}
				tgz(t, filepath.Join(dir, "bomb-0.1.0.tgz"), files)
				return []string{dir, filepath.Join(dir, "bomb-0.1.0.tgz")}
			},
			errFile: "bomb-0.1.0.tgz", errMsg: "decompresses to more than the 100 MiB limit", maxAllocMiB: 512,
		},
		{
			name: "chart archive nesting 2^20 subchart archives in 5 KB",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "nest-0.1.0.tgz"), nestedChartArchive(t, 20))
				return []string{dir, filepath.Join(dir, "nest-0.1.0.tgz")}
			},
			errFile: "nest-0.1.0.tgz", errMsg: fmt.Sprintf("more than %d subchart archives", helm.MaxChartArchives), maxAllocMiB: 256,
		},
		{
			name: "chart whose subchart archives decompress past the chart limit together",
			setup: func(t *testing.T, dir string) []string {
				chartFiles(t, filepath.Join(dir, "parent"), nil)
				var files []tarFile
				for i := range helm.MaxChartArchiveSize / 2 / helm.MaxChartFileSize {
					files = append(files, tarFile{name: fmt.Sprintf("files/zeros-%d", i), size: helm.MaxChartFileSize})
				}
				tgz(t, filepath.Join(dir, "parent", "charts", "a-0.1.0.tgz"), files)
				tgz(t, filepath.Join(dir, "parent", "charts", "b-0.1.0.tgz"), files)
				return nil
			},
			errFile: "parent", errMsg: "decompresses to more than the 100 MiB limit", maxAllocMiB: 512,
		},
		{
			name: "chart whose templates include themselves without end",
			setup: func(t *testing.T, dir string) []string {
				chartFiles(t, filepath.Join(dir, "loop"), map[string]string{
					"_helpers.tpl": `{{ define "again" }}{{ include "again" . }}{{ end }}`,
					"pod.yaml":     "{{ include \"again\" . }}\n",
				})
				return nil
			},
			errFile: "loop/templates/pod.yaml", errMsg: "nested includes] rendering template has a nested reference name: again", errLine: 1,
		},
		{
			name: "template rendering 100 MB",
			setup: func(t *testing.T, dir string) []string {
				chartFiles(t, filepath.Join(dir, "huge"), map[string]string{"big.yaml": "x: {{ repeat 100000000 \"x\" }}\n"})
				return nil
			},
			errFile: "huge/templates/big.yaml", errMsg: "chart huge: template renders more than the 16 MiB limit",
		},
		{
			name: "chart rendering more than the chart limit",
			setup: func(t *testing.T, dir string) []string {
				templates := map[string]string{}
				for i := range helm.MaxChartOutput/helm.MaxTemplateOutput + 1 {
					templates[fmt.Sprintf("t%d.yaml", i)] = fmt.Sprintf("x: {{ repeat %d \"x\" }}\n", helm.MaxTemplateOutput-100)
				}
				chartFiles(t, filepath.Join(dir, "wide"), templates)
				return nil
			},
			errFile: "wide", errMsg: "chart wide renders more than the 64 MiB limit",
		},
		{
			name: "chart reading outside itself through .Files",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "socket.txt"), []byte("/var/run/docker.sock"))
				chartFiles(t, filepath.Join(dir, "nosy"), map[string]string{"pod.yaml": pod("nosy", `  volumes:
    - name: v
      hostPath:
        path: {{ .Files.Get "../socket.txt" | default "/srv/data" }}
    - name: w
      hostPath:
        path: /srv/{{ len (.Files.Glob "../**") }}
`)})
				return nil
			},
			check: func(t *testing.T, dir string, run hostileRun) {
				if len(run.Findings) != 1 {
					t.Errorf("got %d findings, want only good.yaml's: .Files reached outside the chart: %v", len(run.Findings), run.Findings)
				}
			},
		},
		{
			name: "chart reading outside itself through a symbolic link",
			setup: func(t *testing.T, dir string) []string {
				outside := filepath.Join(filepath.Dir(dir), "outside.yaml")
				write(t, outside, []byte(strings.ReplaceAll(goodManifest, "good", "outside")))
				chartFiles(t, filepath.Join(dir, "linked"), nil)
				symlink(t, outside, filepath.Join(dir, "linked", "templates", "pod.yaml"))
				return nil
			},
			errFile: "linked/templates/pod.yaml", errMsg: "outside the chart",
		},
		{
			name: "chart with a symbolic link loop",
			setup: func(t *testing.T, dir string) []string {
				chartFiles(t, filepath.Join(dir, "looped"), map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"})
				symlink(t, "..", filepath.Join(dir, "looped", "templates", "again"))
				return nil
			},
			errFile: "looped/templates/again", errMsg: "(a loop)",
		},
		{
			name: "kustomization including itself",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "self", "kustomization.yaml"), []byte("resources:\n  - .\n"))
				return nil
			},
			errFile: "self/kustomization.yaml", errMsg: "cycle detected",
		},
		{
			name: "kustomization reaching outside its root",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "secret.yaml"), []byte(strings.ReplaceAll(goodManifest, "good", "secret")))
				write(t, filepath.Join(dir, "app", "kustomization.yaml"), []byte("resources:\n  - ../secret.yaml\n"))
				return []string{filepath.Join(dir, "good.yaml"), filepath.Join(dir, "app")}
			},
			errFile: "app/kustomization.yaml", errMsg: "secret.yaml is outside",
		},
		{
			name: "kustomization with a remote base",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "remote", "kustomization.yaml"), []byte("resources:\n  - deployment.yaml\n  - https://github.com/example/app//base?ref=v1\n"))
				write(t, filepath.Join(dir, "remote", "deployment.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"))
				return nil
			},
			errFile: "remote/kustomization.yaml", errMsg: "remote resources are not fetched", errLine: 3,
		},
		{
			name: "kustomization with an exec plugin",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "exec", "kustomization.yaml"), []byte("generators:\n  - gen.yaml\n"))
				write(t, filepath.Join(dir, "exec", "gen.yaml"), []byte("apiVersion: example.com/v1\nkind: Gen\nmetadata:\n  name: g\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ./gen.sh\n"))
				write(t, filepath.Join(dir, "exec", "gen.sh"), []byte("#!/bin/sh\ntouch "+filepath.Join(dir, "ran")+"\n"))
				return nil
			},
			errFile: "exec/kustomization.yaml", errMsg: "external plugins disabled",
			check: func(t *testing.T, dir string, run hostileRun) {
				if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
					t.Error("the exec plugin ran")
				}
			},
		},
		{
			name: "kustomization with a container plugin",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "container", "kustomization.yaml"), []byte("transformers:\n  - fn.yaml\n"))
				write(t, filepath.Join(dir, "container", "fn.yaml"), []byte("apiVersion: example.com/v1\nkind: Fn\nmetadata:\n  name: f\n  annotations:\n    config.kubernetes.io/function: |\n      container:\n        image: example.com/fn:1\n"))
				return nil
			},
			errFile: "container/kustomization.yaml", errMsg: "external plugins disabled",
		},
		{
			name: "kustomization resource that is an alias bomb",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "kbomb", "kustomization.yaml"), []byte("resources:\n  - bomb.yaml\n"))
				write(t, filepath.Join(dir, "kbomb", "bomb.yaml"), []byte(aliasBomb()))
				return nil
			},
			errFile: "kbomb/kustomization.yaml", errMsg: "alias", maxAllocMiB: 256,
		},
	})
}

// runHostile lints each case in a tree of its own: the run must end, report
// an error naming the input (and line where there is one), keep linting the
// good manifest, and stay within the case's memory budget.
func runHostile(t *testing.T, tests []hostileCase) {
	t.Helper()
	// Every case here is about a limit other than the render's clock,
	// which a loaded machine under the race detector could spend first.
	helm.SetRenderBudget(helm.RenderBudget{Timeout: 2 * time.Minute})
	t.Cleanup(func() { helm.SetRenderBudget(helm.RenderBudget{}) })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "tree")
			write(t, filepath.Join(dir, "good.yaml"), []byte(goodManifest))
			paths := tt.setup(t, dir)
			if paths == nil {
				paths = []string{dir}
			}
			run := lintHostile(t, paths)

			if !hasFinding(run, "good.yaml", "docker-socket") {
				t.Errorf("good.yaml was not linted beside the hostile input; findings %v, errors %v", run.Findings, run.Errors)
			}
			if tt.errMsg == "" && len(run.Errors) > 0 {
				t.Errorf("unexpected errors: %v", run.Errors)
			}
			if tt.errMsg != "" && !hasError(run.Errors, tt.errFile, tt.errMsg, tt.errLine) {
				t.Errorf("want an error on %s (line %d) saying %q; got %v", tt.errFile, tt.errLine, tt.errMsg, run.Errors)
			}
			if tt.skip != "" && !hasSkip(run.skipped, tt.skip) {
				t.Errorf("want a skip notice saying %q; got %v", tt.skip, run.skipped)
			}
			if tt.maxAllocMiB > 0 && run.allocated > tt.maxAllocMiB<<20 {
				t.Errorf("allocated %d MiB, over the %d MiB budget", run.allocated>>20, tt.maxAllocMiB)
			}
			if tt.check != nil {
				tt.check(t, dir, run)
			}
		})
	}
}

func hasFinding(run hostileRun, fileSuffix, rule string) bool {
	for _, f := range run.Findings {
		if strings.HasSuffix(f.File, fileSuffix) && f.Rule == rule {
			return true
		}
	}
	return false
}

// hasError looks for an error on a file ending in fileSuffix whose message
// contains msg; line -1 asks for any known line, 0 for no check.
func hasError(errs []lint.InputError, fileSuffix, msg string, line int) bool {
	for _, e := range errs {
		if !strings.HasSuffix(e.File, fileSuffix) || !strings.Contains(e.Message, msg) {
			continue
		}
		if line == 0 || line == e.Line || line == -1 && e.Line > 0 {
			return true
		}
	}
	return false
}

func hasSkip(skipped []Skipped, reason string) bool {
	for _, s := range skipped {
		if strings.Contains(s.Reason, reason) {
			return true
		}
	}
	return false
}

func assertFindingAt(t *testing.T, run hostileRun, fileSuffix string, line, column int) {
	t.Helper()
	for _, f := range run.Findings {
		if strings.HasSuffix(f.File, fileSuffix) {
			if f.Line != line || f.Column != column {
				t.Errorf("finding in %s at %d:%d, want %d:%d", f.File, f.Line, f.Column, line, column)
			}
			return
		}
	}
	t.Errorf("no finding in %s: %v", fileSuffix, run.Findings)
}

// TestHelmLoaderLimits: Helm's loader enforces the chart size limits, so
// the constants docs/limits.md is written from must match its values.
func TestHelmLoaderLimits(t *testing.T) {
	if loader.MaxDecompressedChartSize != helm.MaxChartArchiveSize || loader.MaxDecompressedFileSize != helm.MaxChartFileSize {
		t.Errorf("Helm's loader limits are %d and %d bytes; update helm.MaxChartArchiveSize, helm.MaxChartFileSize and docs/limits.md",
			loader.MaxDecompressedChartSize, loader.MaxDecompressedFileSize)
	}
}

// TestLargeDocumentWithoutAliasesIsLinted: manifest.MaxExpandedNodes counts only the
// nodes aliases add, so a document of more nodes than that, with a few
// aliases, is linted.
func TestLargeDocumentWithoutAliasesIsLinted(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  labels: &l {a: b}\n  annotations: *l\ndata:\n")
	for i := range manifest.MaxExpandedNodes/2 + 1 {
		fmt.Fprintf(&b, "  k%d: v\n", i)
	}
	objects, err := manifest.Decode("big.yaml", []byte(b.String()))
	if err != nil || len(objects) != 1 {
		t.Fatalf("got %d objects and error %v, want the ConfigMap", len(objects), err)
	}
}

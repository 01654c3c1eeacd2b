package render

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

// socketPod is goodManifest under another name: its docker-socket finding
// shows that an input beside an escape attempt was still linted.
var socketPod = strings.Replace(goodManifest, "name: good", "name: agent", 1)

// openedOnlyBelow fails the test when the reader opened anything outside
// dir, the boundary of the run, and lists what it opened.
func openedOnlyBelow(t *testing.T, dir string, run hostileRun) {
	t.Helper()
	for _, p := range run.opened {
		abs, err := filepath.Abs(p)
		if err != nil || !strings.HasPrefix(abs, dir+string(filepath.Separator)) {
			t.Errorf("opened %s, outside the boundary %s; every path opened:\n%s", p, dir, strings.Join(run.opened, "\n"))
			return
		}
	}
	if len(run.opened) == 0 {
		t.Error("the reader opened nothing: the trace is not wired")
	}
}

// findingsOnlyBelow fails the test when a finding names a file outside dir.
func findingsOnlyBelow(t *testing.T, dir string, run hostileRun) {
	t.Helper()
	for _, f := range run.Findings {
		abs, err := filepath.Abs(filepath.FromSlash(f.File))
		if err != nil || !strings.HasPrefix(abs, dir+string(filepath.Separator)) {
			t.Errorf("finding %s %s names a file outside %s", f.Position, f.Rule, dir)
		}
	}
}

// contained checks both: nothing outside dir was opened or reported.
func contained(t *testing.T, dir string, run hostileRun) {
	t.Helper()
	openedOnlyBelow(t, dir, run)
	findingsOnlyBelow(t, dir, run)
}

// forgedOrigin is an overlay whose patch sets kustomize's origin annotation
// on the pod to target, as a hostile pull request can.
func forgedOrigin(t *testing.T, dir, target string) {
	t.Helper()
	write(t, filepath.Join(dir, "app", "pod.yaml"), []byte(socketPod))
	write(t, filepath.Join(dir, "app", "kustomization.yaml"), []byte("resources:\n  - pod.yaml\npatches:\n  - path: origin.yaml\n"))
	write(t, filepath.Join(dir, "app", "origin.yaml"), []byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\n  annotations:\n    config.kubernetes.io/origin: |\n      path: "+target+"\n"))
}

// up is a relative path from dir/app to the file system root.
func up(dir string) string {
	return strings.Repeat("../", strings.Count(filepath.Join(dir, "app"), string(filepath.Separator)))
}

// TestEscapes lints trees whose inputs try to read outside the boundary:
// the tree itself, as no .git is above the temporary directory. Each must
// end with nothing outside the tree opened or named by a finding, and the
// tree's own manifests still linted.
func TestEscapes(t *testing.T) {
	runHostile(t, []hostileCase{
		{
			name: "kustomize patch forging the origin of an object as /etc/passwd",
			setup: func(t *testing.T, dir string) []string {
				forgedOrigin(t, dir, up(dir)+"etc/passwd")
				return nil
			},
			check: func(t *testing.T, dir string, run hostileRun) {
				contained(t, dir, run)
				if !hasFinding(run, "app/pod.yaml", "docker-socket") && !hasFinding(run, "app/kustomization.yaml", "docker-socket") {
					t.Errorf("the overlay's finding is lost: %v", run.Findings)
				}
			},
		},
		{
			name: "kustomize patch forging an origin at /dev/zero",
			setup: func(t *testing.T, dir string) []string {
				forgedOrigin(t, dir, up(dir)+"dev/zero")
				return nil
			},
			maxAllocMiB: 256,
			check:       contained,
		},
		{
			name: "kustomize patch forging an origin at a FIFO",
			setup: func(t *testing.T, dir string) []string {
				fifo := filepath.Join(filepath.Dir(dir), "fifo")
				mkfifo(t, fifo)
				forgedOrigin(t, dir, up(dir)+strings.TrimPrefix(filepath.ToSlash(fifo), "/"))
				return nil
			},
			check: contained,
		},
		{
			name: "configMapGenerator option forging an origin",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "gen", "kustomization.yaml"), []byte("configMapGenerator:\n  - name: kubelet\n    literals:\n      - endpoint=unix:///var/run/dockershim.sock\n    options:\n      annotations:\n        config.kubernetes.io/origin: |\n          path: "+up(dir)+"etc/passwd\n"))
				return nil
			},
			check: contained,
		},
		{
			name: "FIFO named on the command line",
			setup: func(t *testing.T, dir string) []string {
				mkfifo(t, filepath.Join(dir, "pipe.yaml"))
				return []string{filepath.Join(dir, "good.yaml"), filepath.Join(dir, "pipe.yaml")}
			},
			errFile: "pipe.yaml", errMsg: "not a regular file",
		},
		{
			name: "FIFO as a kustomize resource",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "k", "kustomization.yaml"), []byte("resources:\n  - pipe.yaml\n"))
				mkfifo(t, filepath.Join(dir, "k", "pipe.yaml"))
				return nil
			},
			errFile: "k/kustomization.yaml", errMsg: "not a regular file",
		},
		{
			name: "FIFO as a kustomize patch",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "k", "pod.yaml"), []byte(socketPod))
				write(t, filepath.Join(dir, "k", "kustomization.yaml"), []byte("resources:\n  - pod.yaml\npatches:\n  - path: pipe.yaml\n"))
				mkfifo(t, filepath.Join(dir, "k", "pipe.yaml"))
				return nil
			},
			errFile: "k/kustomization.yaml", errMsg: "not a regular file",
		},
		{
			name: "FIFO as a configMapGenerator file",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "k", "kustomization.yaml"), []byte("configMapGenerator:\n  - name: c\n    files:\n      - pipe.conf\n"))
				mkfifo(t, filepath.Join(dir, "k", "pipe.conf"))
				return nil
			},
			errFile: "k/kustomization.yaml", errMsg: "not a regular file",
		},
		{
			name: "FIFO as a helmCharts valuesFile",
			setup: func(t *testing.T, dir string) []string {
				chartFiles(t, filepath.Join(dir, "k", "charts", "app"), map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"})
				write(t, filepath.Join(dir, "k", "kustomization.yaml"), []byte("helmCharts:\n  - name: app\n    valuesFile: pipe.yaml\n"))
				mkfifo(t, filepath.Join(dir, "k", "pipe.yaml"))
				return nil
			},
			errFile: "pipe.yaml", errMsg: "not a regular file",
		},
		{
			name: "FIFO inside a chart",
			setup: func(t *testing.T, dir string) []string {
				chartFiles(t, filepath.Join(dir, "chart"), map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"})
				mkfifo(t, filepath.Join(dir, "chart", "templates", "pipe.yaml"))
				return nil
			},
			errFile: "chart/templates/pipe.yaml", errMsg: "not a regular file",
		},
		{
			name: "kustomization file over the size limit",
			setup: func(t *testing.T, dir string) []string {
				sparse(t, filepath.Join(dir, "k", "kustomization.yaml"), 40<<20)
				return nil
			},
			errFile: "k/kustomization.yaml", errMsg: "larger than the 32 MiB limit", maxAllocMiB: 160,
		},
		{
			name: "600 MB file in a templates directory outside any chart",
			setup: func(t *testing.T, dir string) []string {
				sparse(t, filepath.Join(dir, "templates", "huge.yaml"), 600<<20)
				return nil
			},
			errFile: "templates/huge.yaml", errMsg: "larger than the 32 MiB limit", maxAllocMiB: 200,
		},
		{
			name: "helmCharts chartHome outside the boundary",
			setup: func(t *testing.T, dir string) []string {
				chartFiles(t, filepath.Join(filepath.Dir(dir), "outside", "app"), map[string]string{"pod.yaml": socketPod})
				write(t, filepath.Join(dir, "k", "kustomization.yaml"), []byte("helmGlobals:\n  chartHome: ../../outside\nhelmCharts:\n  - name: app\n"))
				return nil
			},
			errFile: "k/kustomization.yaml", errMsg: "outside", errLine: 4,
			check: contained,
		},
		{
			name: "helmCharts values files outside the boundary",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(filepath.Dir(dir), "secret-values.yaml"), []byte("x: 1\n"))
				chartFiles(t, filepath.Join(dir, "k", "charts", "app"), map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"})
				write(t, filepath.Join(dir, "k", "kustomization.yaml"), []byte("helmCharts:\n  - name: app\n    valuesFile: ../../secret-values.yaml\n    additionalValuesFiles:\n      - ../../secret-values.yaml\n"))
				return nil
			},
			errFile: "k/kustomization.yaml", errMsg: "secret-values.yaml is outside", errLine: 3,
			check: contained,
		},
		{
			name: "kustomize base outside the boundary, with no .git anywhere",
			setup: func(t *testing.T, dir string) []string {
				outside := filepath.Join(filepath.Dir(dir), "outside")
				write(t, filepath.Join(outside, "kustomization.yaml"), []byte("resources:\n  - pod.yaml\n"))
				write(t, filepath.Join(outside, "pod.yaml"), []byte(socketPod))
				write(t, filepath.Join(dir, "k", "kustomization.yaml"), []byte("resources:\n  - ../../outside\n"))
				return nil
			},
			errFile: "kustomization.yaml", errMsg: "outside",
			check: contained,
		},
		{
			name: "Chart.yaml in a directory above the linted one",
			setup: func(t *testing.T, dir string) []string {
				chartFiles(t, filepath.Dir(dir), map[string]string{"pod.yaml": socketPod})
				return nil
			},
			check: func(t *testing.T, dir string, run hostileRun) {
				contained(t, dir, run)
				if len(run.Findings) != 1 {
					t.Errorf("want only good.yaml's finding, got %v", run.Findings)
				}
			},
		},
		{
			name: "plain manifest named in a templates directory outside any chart",
			setup: func(t *testing.T, dir string) []string {
				write(t, filepath.Join(dir, "templates", "pod.yaml"), []byte(socketPod))
				return []string{filepath.Join(dir, "good.yaml"), filepath.Join(dir, "templates", "pod.yaml")}
			},
			check: func(t *testing.T, dir string, run hostileRun) {
				if !hasFinding(run, "templates/pod.yaml", "docker-socket") {
					t.Errorf("templates/pod.yaml was skipped: findings %v, skipped %v", run.Findings, run.skipped)
				}
			},
		},
	})
}

// TestNothingOutsideTheBoundaryIsOpened lints one tree in which charts,
// overlays, patches, generators, origins and values all try to escape, and
// lists every path the reader opened.
func TestNothingOutsideTheBoundaryIsOpened(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "tree")
	outside := filepath.Join(root, "outside")
	write(t, filepath.Join(outside, "kustomization.yaml"), []byte("resources:\n  - pod.yaml\n"))
	write(t, filepath.Join(outside, "pod.yaml"), []byte(socketPod))
	write(t, filepath.Join(outside, "values.yaml"), []byte("x: 1\n"))
	chartFiles(t, filepath.Join(outside, "charts", "app"), map[string]string{"pod.yaml": socketPod})
	chartFiles(t, root, map[string]string{"pod.yaml": socketPod})

	write(t, filepath.Join(dir, "good.yaml"), []byte(goodManifest))
	forgedOrigin(t, dir, up(dir)+"outside/pod.yaml")
	write(t, filepath.Join(dir, "base", "kustomization.yaml"), []byte("resources:\n  - ../../outside\n"))
	write(t, filepath.Join(dir, "home", "kustomization.yaml"), []byte("helmGlobals:\n  chartHome: ../../outside/charts\nhelmCharts:\n  - name: app\n"))
	chartFiles(t, filepath.Join(dir, "vals", "charts", "app"), map[string]string{"pod.yaml": socketPod})
	write(t, filepath.Join(dir, "vals", "kustomization.yaml"), []byte("helmCharts:\n  - name: app\n    valuesFile: ../../outside/values.yaml\n"))
	write(t, filepath.Join(dir, "gen", "kustomization.yaml"), []byte("configMapGenerator:\n  - name: c\n    files:\n      - ../../outside/values.yaml\n"))
	chartFiles(t, filepath.Join(dir, "linked"), map[string]string{"pod.yaml": socketPod})
	symlink(t, filepath.Join(outside, "values.yaml"), filepath.Join(dir, "linked", "values.yaml"))
	symlink(t, filepath.Join(outside, "pod.yaml"), filepath.Join(dir, "link.yaml"))

	run := lintHostile(t, []string{dir})
	contained(t, dir, run)
	for _, want := range []string{"base/kustomization.yaml", "home/kustomization.yaml", "vals/kustomization.yaml", "gen/kustomization.yaml", "linked"} {
		if !slices.ContainsFunc(run.Errors, func(e lint.InputError) bool { return strings.Contains(e.File, want) }) {
			t.Errorf("no input error for %s; errors: %v", want, run.Errors)
		}
	}
	if !hasFinding(run, "good.yaml", "docker-socket") {
		t.Errorf("good.yaml was not linted: %v", run.Findings)
	}
	t.Logf("opened:\n%s", strings.Join(run.opened, "\n"))
}

// sparse writes a file of size bytes that takes no disk space.
func sparse(t *testing.T, path string, size int64) {
	t.Helper()
	write(t, path, nil)
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

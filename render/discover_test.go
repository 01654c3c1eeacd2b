package render

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/internal/gittest"
	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/lint/linttest"
	"github.com/dockershim-lint/dockershim-lint/render/helm"
	"github.com/dockershim-lint/dockershim-lint/render/kustomize"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
	"github.com/dockershim-lint/dockershim-lint/render/source"
	"github.com/dockershim-lint/dockershim-lint/rules"
)

const discoverDir = "../testdata/discover"

// inputNames describes inputs by type and name, so a test can tell a chart
// from a kustomization from a file.
func inputNames(inputs []lint.Input) []string {
	var names []string
	for _, in := range inputs {
		kind := "?"
		switch in.(type) {
		case *helm.Chart:
			kind = "chart"
		case *kustomize.Kustomization:
			kind = "kustomization"
		case manifest.File:
			kind = "file"
		}
		names = append(names, kind+" "+in.Name())
	}
	return names
}

func TestDiscoverWalk(t *testing.T) {
	var skipped []Skipped
	inputs, errs := Discover([]string{discoverDir}, Options{OnSkip: func(s Skipped) { skipped = append(skipped, s) }})
	if len(errs) > 0 {
		t.Fatalf("unexpected errors: %v", errs)
	}
	want := []string{
		"chart ../testdata/discover/chart",
		"kustomization ../testdata/discover/kust/base/kustomization.yaml",
		"kustomization ../testdata/discover/kust/overlay/kustomization.yaml",
		"file ../testdata/discover/manifests/socket-pod.yaml",
		"file ../testdata/discover/manifests/values.yaml",
	}
	if got := inputNames(inputs); !slices.Equal(got, want) {
		t.Errorf("inputs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	const conventional = "hidden directories and node_modules are not walked"
	wantSkipped := []Skipped{
		{Path: "../testdata/discover/.hidden", Reason: conventional, Expected: true},
		{Path: "../testdata/discover/node_modules", Reason: conventional, Expected: true},
		{Path: "../testdata/discover/notachart/templates/pod.yaml", Reason: "a Helm template outside any chart (no Chart.yaml above it) is not YAML and is not linted"},
	}
	if !slices.Equal(skipped, wantSkipped) {
		t.Errorf("skipped = %v, want %v", skipped, wantSkipped)
	}

	e := lint.Engine{Rules: rules.All()}
	res := e.Run(inputs)
	if len(res.Errors) > 0 {
		t.Fatalf("unexpected input errors: %v", res.Errors)
	}
	wants := linttest.ParseWantFiles(t, discoverDir, ".yaml")
	linttest.Match(t, wants, res.Findings)
}

func TestDiscoverExplicitFiles(t *testing.T) {
	tests := []struct {
		name        string
		paths       []string
		want        []string
		wantSkipped []string
	}{
		{
			name:  "chart files name their chart once",
			paths: []string{"chart/templates/daemonset.yaml", "chart/values.yaml", "chart/Chart.yaml", "chart/templates/_helpers.tpl"},
			want:  []string{"chart ../testdata/discover/chart"},
		},
		{
			name:  "subchart file names the parent chart",
			paths: []string{"chart/charts/sub/templates/configmap.yaml"},
			want:  []string{"chart ../testdata/discover/chart"},
		},
		{
			name:  "directory inside a chart names the chart",
			paths: []string{"chart/templates"},
			want:  []string{"chart ../testdata/discover/chart"},
		},
		{
			name:  "base file names the base and every overlay on it",
			paths: []string{"kust/base/deployment.yaml"},
			want: []string{
				"kustomization ../testdata/discover/kust/base/kustomization.yaml",
				"kustomization ../testdata/discover/kust/overlay/kustomization.yaml",
			},
		},
		{
			name:  "patch names its overlay",
			paths: []string{"kust/overlay/socket.yaml", "kust/overlay/kustomization.yaml"},
			want:  []string{"kustomization ../testdata/discover/kust/overlay/kustomization.yaml"},
		},
		{
			name:  "any other file is a manifest whatever its extension",
			paths: []string{"manifests/README.txt", "manifests/README.txt"},
			want:  []string{"file ../testdata/discover/manifests/README.txt"},
		},
		{
			name:        "template outside a chart is skipped",
			paths:       []string{"notachart/templates/pod.yaml"},
			wantSkipped: []string{"../testdata/discover/notachart/templates/pod.yaml"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var paths []string
			for _, p := range tt.paths {
				paths = append(paths, filepath.Join(discoverDir, p))
			}
			var skipped []string
			inputs, errs := Discover(paths, Options{OnSkip: func(s Skipped) { skipped = append(skipped, s.Path) }})
			if len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			if got := inputNames(inputs); !slices.Equal(got, tt.want) {
				t.Errorf("inputs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if !slices.Equal(skipped, tt.wantSkipped) {
				t.Errorf("skipped = %v, want %v", skipped, tt.wantSkipped)
			}
		})
	}
}

func TestDiscoverTgzIsChart(t *testing.T) {
	dir := t.TempDir()
	tgz := filepath.Join(dir, "agent-1.0.0.tgz")
	if err := os.WriteFile(tgz, []byte("not really gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	inputs, errs := Discover([]string{tgz}, Options{})
	if len(errs) > 0 {
		t.Fatalf("unexpected errors: %v", errs)
	}
	if got, want := inputNames(inputs), []string{"chart " + filepath.ToSlash(tgz)}; !slices.Equal(got, want) {
		t.Errorf("inputs = %v, want %v", got, want)
	}
}

func TestDiscoverSymlinks(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	outside := filepath.Join(dir, "outside.yaml")
	doc := []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")
	for _, f := range []string{filepath.Join(root, "a.yaml"), outside} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, doc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"inside.yaml":  filepath.Join(root, "a.yaml"),
		"outside.yaml": outside,
		"loop":         root,
		"escape":       dir,
		"dangling.yml": filepath.Join(dir, "missing.yaml"),
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Skipf("symlinks not supported: %v", err)
		}
	}
	var skipped []string
	inputs, errs := Discover([]string{root}, Options{OnSkip: func(s Skipped) { skipped = append(skipped, filepath.Base(s.Path)+": "+s.Reason) }})
	if len(errs) > 0 {
		t.Fatalf("unexpected errors: %v", errs)
	}
	r := filepath.ToSlash(root)
	if got, want := inputNames(inputs), []string{"file " + r + "/a.yaml", "file " + r + "/inside.yaml"}; !slices.Equal(got, want) {
		t.Errorf("inputs = %v, want %v", got, want)
	}
	wantSkipped := []string{
		"dangling.yml: broken symlink",
		"escape: symlink to " + filepath.ToSlash(dir) + ", outside the walked directory, not followed",
		"outside.yaml: symlink to " + filepath.ToSlash(outside) + ", outside the walked directory, not followed",
	}
	if !slices.Equal(skipped, wantSkipped) {
		t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(skipped, "\n"), strings.Join(wantSkipped, "\n"))
	}
}

func TestDiscoverMissingPathKeepsOthers(t *testing.T) {
	inputs, errs := Discover([]string{filepath.Join(discoverDir, "nope.yaml"), filepath.Join(discoverDir, "manifests", "socket-pod.yaml")}, Options{})
	if len(errs) != 1 || errs[0].File != "../testdata/discover/nope.yaml" || errs[0].Message != "no such file or directory" {
		t.Errorf("errors = %v, want one for nope.yaml", errs)
	}
	if got, want := inputNames(inputs), []string{"file ../testdata/discover/manifests/socket-pod.yaml"}; !slices.Equal(got, want) {
		t.Errorf("inputs = %v, want %v", got, want)
	}
}

// TestDiscoverOutsideRepository covers paths named outside any git
// repository: each path is its own boundary, so nothing above it (an
// ancestor's kustomization or Chart.yaml) is consulted, and a directory
// named is discovered as usual.
func TestDiscoverOutsideRepository(t *testing.T) {
	dir := t.TempDir()
	if source.RepositoryRoot(dir) != "" {
		t.Skip("the temporary directory is inside a git repository")
	}
	files := map[string]string{
		"app/kustomization.yaml":      "resources:\n  - base\n",
		"app/base/kustomization.yaml": "resources:\n  - cm.yaml\n",
		"app/base/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
		"app/base/unused.yaml":        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n",
		"chart/Chart.yaml":            "apiVersion: v2\nname: outer\nversion: 0.1.0\n",
		"chart/manifests/pod.yaml":    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d := filepath.ToSlash(dir)
	tests := []struct {
		name  string
		paths []string
		want  []string
	}{
		{
			name:  "files below a kustomization are linted as files",
			paths: []string{"app/base/cm.yaml", "app/base/unused.yaml"},
			want:  []string{"file " + d + "/app/base/cm.yaml", "file " + d + "/app/base/unused.yaml"},
		},
		{
			name:  "the directory holding the kustomizations builds them",
			paths: []string{"app"},
			want: []string{
				"kustomization " + d + "/app/kustomization.yaml",
				"kustomization " + d + "/app/base/kustomization.yaml",
				"file " + d + "/app/base/unused.yaml",
			},
		},
		{
			name:  "a Chart.yaml above the named directory does not take it over",
			paths: []string{"chart/manifests"},
			want:  []string{"file " + d + "/chart/manifests/pod.yaml"},
		},
		{
			name:  "a Chart.yaml above the named file does not take it over",
			paths: []string{"chart/manifests/pod.yaml"},
			want:  []string{"file " + d + "/chart/manifests/pod.yaml"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var paths []string
			for _, p := range tt.paths {
				paths = append(paths, filepath.Join(dir, filepath.FromSlash(p)))
			}
			inputs, errs := Discover(paths, Options{})
			if len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			if got := inputNames(inputs); !slices.Equal(got, tt.want) {
				t.Errorf("inputs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestDiscoverFileInRepository covers what a file named in a git work tree
// leads to. The kustomizations that may use it are the ones the git index
// lists, plus those in the file's own directories, which the index misses
// until they are added; without a readable index the tree is walked. Both
// are looked for only when a kustomization in the file's own directories
// uses it, as kustomize reads no file outside a kustomization's directory.
// Either way hidden directories are left out, and a kustomization still in
// the index but deleted from disk is no error.
func TestDiscoverFileInRepository(t *testing.T) {
	const (
		cm   = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
		kust = "resources:\n  - "
	)
	tracked := map[string]string{
		"base/kustomization.yaml":    kust + "cm.yaml\n",
		"base/cm.yaml":               cm,
		"overlay/kustomization.yaml": kust + "../base\n",
		".hidden/kustomization.yaml": kust + "../base/cm.yaml\n",
		"gone/kustomization.yaml":    kust + "../base/cm.yaml\n",
		"apps/web/deploy.yaml":       cm,
		"plain.yaml":                 cm,
	}
	untracked := map[string]string{
		"apps/kustomization.yaml":    kust + "web/deploy.yaml\n",
		"sibling/kustomization.yaml": kust + "../plain.yaml\n",
	}
	// makeRepo writes a repository whose index lists the tracked files,
	// then the untracked ones, and returns the work tree to lint in.
	makeRepo := func(t *testing.T, variant string) string {
		top := t.TempDir()
		repo := filepath.Join(top, "repo")
		writeFiles(t, repo, tracked)
		gittest.Init(t, repo)
		switch variant {
		case "linked worktree":
			gittest.Run(t, repo, "commit", "-qm", "tracked")
			worktree := filepath.Join(top, "worktree")
			gittest.Run(t, repo, "worktree", "add", "-q", worktree)
			repo = worktree
		case "unreadable index":
			if err := os.WriteFile(filepath.Join(repo, ".git", "index"), []byte("DIRC garbage"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Remove(filepath.Join(repo, "gone", "kustomization.yaml")); err != nil {
			t.Fatal(err)
		}
		writeFiles(t, repo, untracked)
		return repo
	}
	tests := []struct {
		variant string
		file    string
		want    []string
		// wantOpened, when set, is every file the run opens (overlays
		// read their bases again).
		wantOpened []string
	}{
		{
			variant:    "index",
			file:       "base/cm.yaml",
			want:       []string{"kustomization base/kustomization.yaml", "kustomization overlay/kustomization.yaml"},
			wantOpened: []string{".git/index", "base/kustomization.yaml", "overlay/kustomization.yaml"},
		},
		{
			variant: "index",
			file:    "apps/web/deploy.yaml",
			want:    []string{"kustomization apps/kustomization.yaml"},
		},
		{
			// No kustomization in plain.yaml's own directories uses it,
			// so neither the index nor any kustomization is read.
			variant:    "index",
			file:       "plain.yaml",
			want:       []string{"file plain.yaml"},
			wantOpened: []string{},
		},
		{
			variant: "linked worktree",
			file:    "base/cm.yaml",
			want:    []string{"kustomization base/kustomization.yaml", "kustomization overlay/kustomization.yaml"},
		},
		{
			variant: "linked worktree",
			file:    "apps/web/deploy.yaml",
			want:    []string{"kustomization apps/kustomization.yaml"},
		},
		{
			variant: "unreadable index",
			file:    "base/cm.yaml",
			want:    []string{"kustomization base/kustomization.yaml", "kustomization overlay/kustomization.yaml"},
		},
		{
			// sibling names ../plain.yaml, outside its own directory,
			// which kustomize refuses to read: the file is linted alone
			// instead of through a build that cannot succeed.
			variant:    "unreadable index",
			file:       "plain.yaml",
			want:       []string{"file plain.yaml"},
			wantOpened: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.variant+"/"+tt.file, func(t *testing.T) {
			repo := makeRepo(t, tt.variant)
			var opened []string
			var mu sync.Mutex
			stop := source.Trace(func(path string) {
				mu.Lock()
				defer mu.Unlock()
				opened = append(opened, path)
			})
			inputs, errs := Discover([]string{filepath.Join(repo, filepath.FromSlash(tt.file))}, Options{})
			stop()
			if len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			var got []string
			for _, name := range inputNames(inputs) {
				got = append(got, strings.Replace(name, filepath.ToSlash(repo)+"/", "", 1))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("inputs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if tt.wantOpened == nil {
				return
			}
			var rel []string
			for _, p := range opened {
				r, err := filepath.Rel(repo, p)
				if err != nil {
					t.Fatal(err)
				}
				rel = append(rel, filepath.ToSlash(r))
			}
			slices.Sort(rel)
			if rel = slices.Compact(rel); !slices.Equal(rel, tt.wantOpened) {
				t.Errorf("opened:\n%s\nwant:\n%s", strings.Join(rel, "\n"), strings.Join(tt.wantOpened, "\n"))
			}
		})
	}
}

// writeFiles writes files, slash-separated paths and their content, below
// dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

package render

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The Helm benchmark, BenchmarkRenderDatadog, is in helm_test.go next to
// the helpers it shares. docs/performance.md has the figures and commands.

// preCommitRepo writes a git repository of files manifests, 50 to a
// directory, in which every hundredth directory is a kustomization using
// its own first manifest: the shape of a monorepo a pre-commit hook runs in.
func preCommitRepo(b *testing.B, files int) (repo, unused, used string) {
	b.Helper()
	repo = b.TempDir()
	if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil {
		b.Fatal(err)
	}
	const perDir = 50
	for i := range files {
		dir := filepath.Join(repo, fmt.Sprintf("apps/group-%02d/app-%04d", i/perDir/100, i/perDir))
		if i%perDir == 0 {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				b.Fatal(err)
			}
		}
		name := filepath.Join(dir, fmt.Sprintf("m-%02d.yaml", i%perDir))
		manifest := fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m-%d\ndata:\n  k: v\n", i)
		if err := os.WriteFile(name, []byte(manifest), 0o644); err != nil {
			b.Fatal(err)
		}
		if i%(perDir*100) == 0 {
			kust := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - m-00.yaml\n"
			if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(kust), 0o644); err != nil {
				b.Fatal(err)
			}
			used = name
		} else {
			unused = name
		}
	}
	return repo, unused, used
}

// BenchmarkDiscoverFile is what a pre-commit hook pays to find out what
// one named file means: Discover walks the whole repository for the
// kustomizations that use it, so its cost follows the repository's size,
// not the number of files named.
func BenchmarkDiscoverFile(b *testing.B) {
	for _, files := range []int{2000, 20000} {
		_, unused, used := preCommitRepo(b, files)
		for _, tc := range []struct {
			name, file string
			want       string
		}{
			{name: "plain", file: unused, want: "render.File"},
			{name: "kustomized", file: used, want: "*render.Kustomization"},
		} {
			b.Run(fmt.Sprintf("files=%d/%s", files, tc.name), func(b *testing.B) {
				for b.Loop() {
					inputs, errs := Discover([]string{tc.file}, Options{})
					if len(errs) > 0 || len(inputs) != 1 {
						b.Fatalf("Discover(%s) = %d inputs, errors %v; want one input", tc.file, len(inputs), errs)
					}
					if got := fmt.Sprintf("%T", inputs[0]); got != tc.want {
						b.Fatalf("Discover(%s) gave a %s, want a %s", tc.file, got, tc.want)
					}
				}
			})
		}
	}
}

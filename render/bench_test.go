package render

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/internal/benchcpu"
	"github.com/dockershim-lint/dockershim-lint/internal/gittest"
)

// The Helm benchmark, BenchmarkRenderDatadog, is in helm_test.go next to
// the helpers it shares. docs/performance.md has the figures and commands.

// preCommitRepo writes a repository of files manifests, 50 to a directory,
// in which every hundredth directory is a kustomization using its own
// first manifest: the shape of a monorepo a pre-commit hook runs in. With
// index it is a git repository with every file added, as a checkout is;
// without, it only has a .git directory, as a repository git has never
// been asked to add anything to.
func preCommitRepo(b *testing.B, files int, index bool) (repo, unused, used string) {
	b.Helper()
	repo = b.TempDir()
	const perDir = 50
	for i := range files {
		dir := filepath.Join(repo, fmt.Sprintf("apps/group-%02d/app-%04d", i/perDir/100, i/perDir))
		if i%perDir == 0 {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				b.Fatal(err)
			}
		}
		name := filepath.Join(dir, fmt.Sprintf("m-%02d.yaml", i%perDir))
		if err := os.WriteFile(name, []byte(configMap(i)), 0o644); err != nil {
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
	if index {
		gittest.Init(b, repo)
	} else if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil {
		b.Fatal(err)
	}
	return repo, unused, used
}

func configMap(i int) string {
	return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m-%d\ndata:\n  k: v\n", i)
}

// BenchmarkDiscoverFile is what a pre-commit hook pays to find out what
// one named file means. A "plain" file is used by no kustomization in its
// own directories, so by none at all, and costs a few stats; a
// "kustomized" one is, so the overlays that may build on it are looked
// for among the kustomization files the git index lists, or without an
// index by walking the repository. "outside" is the same file alone,
// outside any repository: what the search is compared with.
func BenchmarkDiscoverFile(b *testing.B) {
	outside := filepath.Join(b.TempDir(), "m.yaml")
	if err := os.WriteFile(outside, []byte(configMap(1)), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("outside", func(b *testing.B) { benchDiscover(b, outside, "manifest.File") })
	for _, files := range []int{2000, 20000} {
		for _, index := range []bool{true, false} {
			repoKind := "no-index"
			if index {
				repoKind = "index"
			}
			_, unused, used := preCommitRepo(b, files, index)
			b.Run(fmt.Sprintf("files=%d/%s/plain", files, repoKind), func(b *testing.B) {
				benchDiscover(b, unused, "manifest.File")
			})
			b.Run(fmt.Sprintf("files=%d/%s/kustomized", files, repoKind), func(b *testing.B) {
				benchDiscover(b, used, "*kustomize.Kustomization")
			})
		}
	}
}

func benchDiscover(b *testing.B, file, want string) {
	b.ReportAllocs()
	defer benchcpu.Start(b)()
	for b.Loop() {
		inputs, errs := Discover([]string{file}, Options{})
		if len(errs) > 0 || len(inputs) != 1 {
			b.Fatalf("Discover(%s) = %d inputs, errors %v; want one input", file, len(inputs), errs)
		}
		if got := fmt.Sprintf("%T", inputs[0]); got != want {
			b.Fatalf("Discover(%s) gave a %s, want a %s", file, got, want)
		}
	}
}

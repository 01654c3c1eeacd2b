package gitindex

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/internal/gittest"
)

// BenchmarkRead reads the index of a repository of 20,000 files, 50 to a
// directory with a kustomization in every hundredth, looking for the
// kustomization files as discovery does. The index is written by git from
// a list of entries, so no file needs to exist.
func BenchmarkRead(b *testing.B) {
	dir := b.TempDir()
	gittest.Run(b, dir, "init", "-q")
	blob := strings.TrimSpace(gittest.Pipe(b, dir, "apiVersion: v1\n", "hash-object", "-w", "--stdin"))
	var entries strings.Builder
	for i := range 20000 {
		app := fmt.Sprintf("apps/group-%02d/app-%04d/", i/5000, i/50)
		fmt.Fprintf(&entries, "100644 %s\t%sm-%02d.yaml\n", blob, app, i%50)
		if i%5000 == 0 {
			fmt.Fprintf(&entries, "100644 %s\t%skustomization.yaml\n", blob, app)
		}
	}
	gittest.Pipe(b, dir, entries.String(), "update-index", "--add", "--index-info")
	for _, version := range []string{"2", "4"} {
		gittest.Run(b, dir, "update-index", "--index-version", version)
		data, err := Load(dir)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("version="+version, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				paths, err := Read(data, func(name []byte) bool { return string(name) == "kustomization.yaml" })
				if err != nil || len(paths) != 4 {
					b.Fatalf("Read = %q, %v; want the 4 kustomizations", paths, err)
				}
			}
		})
	}
}

package gitindex

import (
	"bytes"
	"encoding/binary"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/internal/gittest"
)

// FuzzRead checks that no input makes Read panic or hang, and that every
// path it returns is one discovery may join to a work tree: relative,
// with no "." or ".." element. The seeds are indexes git writes, in each
// version, and testdata/fuzz/FuzzRead holds some for machines without git.
func FuzzRead(f *testing.F) {
	if _, err := exec.LookPath("git"); err == nil {
		for _, version := range []string{"2", "3", "4"} {
			dir := f.TempDir()
			writeFiles(f, dir, "Kustomization", "apps/a/kustomization.yaml", "apps/a-b/deploy.yaml", "top.yaml")
			gittest.Init(f, dir)
			gittest.Run(f, dir, "update-index", "--skip-worktree", "top.yaml")
			gittest.Run(f, dir, "update-index", "--index-version", version)
			data, err := Load(dir)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		paths, err := Read(data, keepAll)
		if err != nil && paths != nil {
			t.Errorf("Read returned paths %q with error %v", paths, err)
		}
		produced := 0
		for _, p := range paths {
			produced += len(p)
			if !relative(p) {
				t.Errorf("Read returned %q, not a relative path", p)
			}
			// Only version 4 builds paths from pieces; the others store
			// each whole.
			if binary.BigEndian.Uint32(data[4:]) < 4 && !bytes.Contains(data, []byte(p)) {
				t.Errorf("Read returned %q, which is not in the file", p)
			}
		}
		if produced > maxExpansion*len(data) {
			t.Errorf("Read returned %d bytes of paths from %d bytes", produced, len(data))
		}
	})
}

// relative reports whether p names a file below a directory: not empty,
// not absolute, with no empty, "." or ".." element and no NUL. Any other
// byte is allowed: git stores names as the file system gave them, UTF-8
// or not.
func relative(p string) bool {
	return p != "" && !strings.ContainsRune(p, 0) &&
		!slices.ContainsFunc(strings.Split(p, "/"), func(e string) bool { return e == "" || e == "." || e == ".." })
}

package gitindex

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/internal/gittest"
)

// writeFiles writes each file, given by its slash-separated path, into dir
// with its path as content.
func writeFiles(t testing.TB, dir string, files ...string) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readPaths is every path of the index in data.
func readPaths(data []byte) ([]string, error) {
	return Read(data, keepAll)
}

func keepAll([]byte) bool { return true }

// longPath is longer than the 12 bits of an entry's flags can count.
var longPath = strings.Repeat("d/", 2100) + "deep.yaml"

// files is what most cases add, in the index's order: directories that
// share prefixes, so that version 4 compresses them, and names that sort
// on their bytes ("-" before "/", capitals first).
var files = []string{
	"Kustomization",
	"apps/a-b/kustomization.yml",
	"apps/a/deploy.yaml",
	"apps/a/kustomization.yaml",
	"apps/b/deploy.yaml",
	"top.yaml",
}

// TestRead reads indexes the real git writes, one per format and feature,
// and lists the paths git itself holds.
func TestRead(t *testing.T) {
	tests := []struct {
		name        string
		setup       func(t *testing.T, dir string)
		wantVersion uint32
		want        []string
		wantErr     error
	}{
		{
			name:        "version 2",
			setup:       func(t *testing.T, dir string) { addFiles(t, dir) },
			wantVersion: 2,
			want:        files,
		},
		{
			name: "version 2 with a path longer than 4095 bytes",
			setup: func(t *testing.T, dir string) {
				addFiles(t, dir)
				// The path need not exist: git records what it is given.
				blob := strings.TrimSpace(gittest.Run(t, dir, "hash-object", "-w", "top.yaml"))
				gittest.Run(t, dir, "update-index", "--add", "--cacheinfo", "100644,"+blob+","+longPath)
			},
			wantVersion: 2,
			want:        sorted(files, longPath),
		},
		{
			name: "version 3 with skip-worktree and intent-to-add entries",
			setup: func(t *testing.T, dir string) {
				addFiles(t, dir)
				writeFiles(t, dir, "apps/new.yaml")
				gittest.Run(t, dir, "add", "--intent-to-add", "apps/new.yaml")
				gittest.Run(t, dir, "update-index", "--skip-worktree", "top.yaml")
				gittest.Run(t, dir, "update-index", "--index-version", "3")
			},
			wantVersion: 3,
			want:        sorted(files, "apps/new.yaml"),
		},
		{
			name: "version 4",
			setup: func(t *testing.T, dir string) {
				addFiles(t, dir)
				gittest.Run(t, dir, "update-index", "--index-version", "4")
			},
			wantVersion: 4,
			want:        files,
		},
		{
			name: "version 4 with extended flags and a long path",
			setup: func(t *testing.T, dir string) {
				addFiles(t, dir)
				blob := strings.TrimSpace(gittest.Run(t, dir, "hash-object", "-w", "top.yaml"))
				gittest.Run(t, dir, "update-index", "--add", "--cacheinfo", "100644,"+blob+","+longPath)
				gittest.Run(t, dir, "update-index", "--skip-worktree", "apps/b/deploy.yaml")
				gittest.Run(t, dir, "update-index", "--index-version", "4")
			},
			wantVersion: 4,
			want:        sorted(files, longPath),
		},
		{
			name: "extensions: cached tree and untracked cache",
			setup: func(t *testing.T, dir string) {
				addFiles(t, dir)
				gittest.Run(t, dir, "commit", "-qm", "files")
				writeFiles(t, dir, "untracked.yaml")
				gittest.Run(t, dir, "update-index", "--untracked-cache")
				gittest.Run(t, dir, "status", "--porcelain")
			},
			wantVersion: 2,
			want:        files,
		},
		{
			name: "a merge conflict lists its path once per stage",
			setup: func(t *testing.T, dir string) {
				addFiles(t, dir)
				gittest.Run(t, dir, "commit", "-qm", "files")
				gittest.Run(t, dir, "checkout", "-qb", "other")
				writeFiles(t, dir, "top.yaml")
				appendFile(t, filepath.Join(dir, "top.yaml"), "other\n")
				gittest.Run(t, dir, "commit", "-qam", "other")
				gittest.Run(t, dir, "checkout", "-q", "-")
				appendFile(t, filepath.Join(dir, "top.yaml"), "this\n")
				gittest.Run(t, dir, "commit", "-qam", "this")
				mergeConflict(t, dir, "other")
			},
			wantVersion: 2,
			want:        sorted(files, "top.yaml", "top.yaml"),
		},
		{
			name: "SHA-256 object names",
			setup: func(t *testing.T, dir string) {
				gittest.Run(t, dir, "init", "-q", "--object-format=sha256")
				writeFiles(t, dir, files...)
				gittest.Run(t, dir, "add", "-A")
			},
			wantVersion: 2,
			want:        files,
		},
		{
			name: "a sparse index passes over the directories left out",
			setup: func(t *testing.T, dir string) {
				addFiles(t, dir)
				gittest.Run(t, dir, "commit", "-qm", "files")
				gittest.Run(t, dir, "sparse-checkout", "set", "--cone", "--sparse-index", "apps/a")
			},
			wantVersion: 3,
			// apps/a-b and apps/b are one sparse directory entry each;
			// files at the top are always in a cone.
			want: []string{"Kustomization", "apps/a/deploy.yaml", "apps/a/kustomization.yaml", "top.yaml"},
		},
		{
			name: "a split index is refused",
			setup: func(t *testing.T, dir string) {
				addFiles(t, dir)
				gittest.Run(t, dir, "update-index", "--split-index")
				writeFiles(t, dir, "late.yaml")
				gittest.Run(t, dir, "add", "late.yaml")
			},
			wantVersion: 2,
			wantErr:     ErrSplitIndex,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			data, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if v := binary.BigEndian.Uint32(data[4:]); v != tt.wantVersion {
				t.Fatalf("git wrote a version %d index, the case needs %d", v, tt.wantVersion)
			}
			got, err := readPaths(data)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Read error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("paths:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func addFiles(t *testing.T, dir string) {
	t.Helper()
	writeFiles(t, dir, files...)
	gittest.Init(t, dir)
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// mergeConflict merges branch, which must conflict, leaving the index
// with the conflicting stages. git merge then exits 1, which gittest.Run
// would take for a failure.
func mergeConflict(t *testing.T, dir, branch string) {
	t.Helper()
	base := strings.TrimSpace(gittest.Run(t, dir, "merge-base", "HEAD", branch))
	gittest.Run(t, dir, "read-tree", "-m", "-i", base, "HEAD", branch)
	if stages := gittest.Run(t, dir, "ls-files", "--unmerged"); stages == "" {
		t.Fatal("the merge did not conflict")
	}
}

func sorted(paths []string, more ...string) []string {
	return slices.Sorted(slices.Values(append(slices.Clone(paths), more...)))
}

// TestReadBroken feeds Read indexes that git did not write, or that were
// damaged after: each must be an error, never a partial listing taken
// for the whole.
func TestReadBroken(t *testing.T) {
	dir := t.TempDir()
	addFiles(t, dir)
	valid, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The first entry's flags hold the length of its path; its path
	// begins right after them.
	const flags = headerSize + statSize + 20
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{name: "empty", data: nil, wantErr: "no DIRC signature"},
		{name: "not an index", data: []byte("DIRT\x00\x00\x00\x02\x00\x00\x00\x01"), wantErr: "no DIRC signature"},
		{name: "version 5", data: with(valid, 4, 0, 0, 0, 5), wantErr: "version 5 is not supported"},
		{name: "header only", data: valid[:headerSize], wantErr: "truncated"},
		{name: "more entries than the file holds", data: with(valid, 8, 0, 0, 1, 0), wantErr: "truncated"},
		{name: "fewer entries than the file holds", data: with(valid, 8, 0, 0, 0, 1), wantErr: "extension"},
		{name: "path length disagrees with flags", data: with(valid, flags+1, byte(len(files[0])+1)), wantErr: "flags say"},
		{name: "extended flag in version 2", data: with(valid, flags, 0x40), wantErr: "extended flags in a version 2 index"},
		{name: "padding not NUL", data: with(valid, flags+2+len(files[0])+1, 'x'), wantErr: "padding"},
		{name: "absolute path", data: with(valid, flags+2, '/'), wantErr: "invalid path"},
		{name: "dot-dot element", data: withPath(t, valid, files[0], "../tomization"), wantErr: "invalid path"},
		{name: "out of order", data: withPath(t, valid, files[0], "zzzzzzzzzzzzz"), wantErr: "out of order"},
		{name: "mode of a device", data: with(valid, headerSize+modeOffset+2, 0x20), wantErr: "mode"},
		{name: "checksum cut short", data: valid[:len(valid)-1], wantErr: "entry"},
		{name: "bytes after the checksum", data: append(slices.Clone(valid), 0), wantErr: "extension"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			paths, err := readPaths(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Read = %q, %v; want an error containing %q", paths, err, tt.wantErr)
			}
		})
	}
}

// with is data with bytes set from offset on.
func with(data []byte, offset int, b ...byte) []byte {
	out := slices.Clone(data)
	copy(out[offset:], b)
	return out
}

// withPath is data with the first occurrence of old, an entry's path,
// overwritten by replacement of the same length.
func withPath(t *testing.T, data []byte, old, replacement string) []byte {
	t.Helper()
	if len(old) != len(replacement) {
		t.Fatalf("%q and %q differ in length", old, replacement)
	}
	i := bytes.Index(data, []byte(old))
	if i < 0 {
		t.Fatalf("%q is not in the index", old)
	}
	return with(data, i, []byte(replacement)...)
}

// TestReadEveryPrefix cuts a version 4 index, whose paths depend on the
// ones before, at every byte: no prefix is a valid index.
func TestReadEveryPrefix(t *testing.T) {
	dir := t.TempDir()
	addFiles(t, dir)
	gittest.Run(t, dir, "update-index", "--index-version", "4")
	data, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(data) {
		if paths, err := readPaths(data[:n]); err == nil {
			t.Fatalf("the first %d of %d bytes read as an index of %q", n, len(data), paths)
		}
	}
}

// TestLoad finds the index of work trees whose .git is a directory, a
// linked worktree's .git file, or a .git file with a relative path as
// submodules have, and refuses what is not a repository.
func TestLoad(t *testing.T) {
	top := t.TempDir()
	main := filepath.Join(top, "main")
	writeFiles(t, main, "a.yaml")
	gittest.Init(t, main)
	gittest.Run(t, main, "commit", "-qm", "a")
	worktree := filepath.Join(top, "linked")
	gittest.Run(t, main, "worktree", "add", "-q", worktree)
	writeFiles(t, worktree, "b.yaml")
	gittest.Run(t, worktree, "add", "b.yaml")

	relative := filepath.Join(top, "relative")
	writeFiles(t, relative, "c.yaml")
	if err := os.WriteFile(filepath.Join(relative, ".git"), []byte("gitdir: ../main/.git\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	garbled := filepath.Join(top, "garbled")
	writeFiles(t, garbled, "c.yaml")
	if err := os.WriteFile(filepath.Join(garbled, ".git"), []byte("ref: refs/heads/main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(top, "fresh")
	if err := os.Mkdir(fresh, 0o755); err != nil {
		t.Fatal(err)
	}
	gittest.Run(t, fresh, "init", "-q")

	tests := []struct {
		name    string
		root    string
		want    []string
		wantErr string
	}{
		{name: ".git directory", root: main, want: []string{"a.yaml"}},
		{name: "linked worktree", root: worktree, want: []string{"a.yaml", "b.yaml"}},
		{name: "relative gitdir", root: relative, want: []string{"a.yaml"}},
		{name: ".git file without gitdir", root: garbled, wantErr: "not a gitdir: file"},
		{name: "repository with nothing added", root: fresh, wantErr: "no such file"},
		{name: "not a repository", root: top, wantErr: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := Load(tt.root)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := readPaths(data)
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("paths %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

//go:build unix

package source

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

// TestBoundaryReadFile reads every kind of path an input can name through
// the reader: only regular files inside the boundary and within the limit
// are read, and nothing blocks.
func TestBoundaryReadFile(t *testing.T) {
	root := t.TempDir()
	inside := filepath.Join(root, "repo")
	mustWrite(t, filepath.Join(inside, "a.yaml"), "a: 1\n")
	mustWrite(t, filepath.Join(root, "secret.yaml"), "secret: 1\n")
	mustSymlink(t, "a.yaml", filepath.Join(inside, "to-a.yaml"))
	mustSymlink(t, filepath.Join(root, "secret.yaml"), filepath.Join(inside, "to-secret.yaml"))
	mustSymlink(t, "/dev/zero", filepath.Join(inside, "zero.yaml"))
	if err := syscall.Mkfifo(filepath.Join(inside, "pipe.yaml"), 0o644); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	big := filepath.Join(inside, "big.yaml")
	mustWrite(t, big, "")
	if err := os.Truncate(big, MaxFileSize+1); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(inside, "full.yaml"), strings.Repeat("x", 100))

	b := NewBoundary([]string{inside})
	tests := []struct {
		name    string
		path    string
		limit   int64
		want    string
		wantErr string
	}{
		{name: "regular file", path: "a.yaml", want: "a: 1\n"},
		{name: "link inside", path: "to-a.yaml", want: "a: 1\n"},
		{name: "link outside", path: "to-secret.yaml", wantErr: "resolves to " + filepath.ToSlash(filepath.Join(root, "secret.yaml")) + ", outside"},
		{name: "relative path outside", path: "../secret.yaml", wantErr: "is outside"},
		{name: "link to a device", path: "zero.yaml", wantErr: "resolves to /dev/zero, outside"},
		{name: "FIFO", path: "pipe.yaml", wantErr: "not a regular file"},
		{name: "directory", path: ".", wantErr: "not a regular file"},
		{name: "over the limit", path: "big.yaml", wantErr: "larger than the 32 MiB limit"},
		{name: "at a raised limit", path: "full.yaml", limit: 100, want: strings.Repeat("x", 100)},
		{name: "one byte over a raised limit", path: "full.yaml", limit: 99, wantErr: "larger than the 99-byte limit"},
		{name: "missing", path: "nope.yaml", wantErr: "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.limit > 0 {
				SetLimit(tt.limit)
				defer SetLimit(MaxFileSize)
			}
			data, err := readWithin(t, b, tt.path, filepath.Join(inside, tt.path))
			if tt.wantErr != "" {
				var ie *lint.InputError
				if !errors.As(err, &ie) || !strings.Contains(ie.Message, tt.wantErr) || ie.File != tt.path {
					t.Fatalf("error %v, want an input error on %s saying %q", err, tt.path, tt.wantErr)
				}
				return
			}
			if err != nil || string(data) != tt.want {
				t.Fatalf("got %q, %v; want %q", data, err, tt.want)
			}
		})
	}
}

// readWithin reads path through b, naming it name, and fails the test if
// the read blocks.
func readWithin(t *testing.T, b *Boundary, name, path string) ([]byte, error) {
	t.Helper()
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := b.ReadFile(name, path)
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-time.After(time.Minute):
		t.Fatalf("reading %s blocked", path)
		return nil, nil
	}
}

// TestNewBoundary pins what a run may read for the paths it was given.
func TestNewBoundary(t *testing.T) {
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	mustWrite(t, filepath.Join(repo, ".git", "HEAD"), "")
	mustWrite(t, filepath.Join(repo, "deploy", "a.yaml"), "")
	mustWrite(t, filepath.Join(root, "loose", "b.yaml"), "")
	mustWrite(t, filepath.Join(root, "loose", "c.yaml"), "")
	tests := []struct {
		name    string
		paths   []string
		inside  []string
		outside []string
	}{
		{
			name:    "a file in a repository: the repository",
			paths:   []string{"repo/deploy/a.yaml"},
			inside:  []string{"repo/deploy/a.yaml", "repo/other/x.yaml"},
			outside: []string{"loose/b.yaml", "x.yaml"},
		},
		{
			name:    "a directory outside any repository: that directory",
			paths:   []string{"loose"},
			inside:  []string{"loose/b.yaml"},
			outside: []string{"x.yaml", "repo/deploy/a.yaml"},
		},
		{
			name:    "a file outside any repository: that file alone",
			paths:   []string{"loose/b.yaml"},
			inside:  []string{"loose/b.yaml"},
			outside: []string{"loose/c.yaml"},
		},
		{
			name:    "several paths: each one's root",
			paths:   []string{"loose/b.yaml", "repo/deploy"},
			inside:  []string{"loose/b.yaml", "repo/x.yaml"},
			outside: []string{"loose/c.yaml"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var paths []string
			for _, p := range tt.paths {
				paths = append(paths, filepath.Join(root, p))
			}
			b := NewBoundary(paths)
			for _, p := range tt.inside {
				if !b.Contains(filepath.Join(root, p)) {
					t.Errorf("%s is outside, want inside", p)
				}
			}
			for _, p := range tt.outside {
				if b.Contains(filepath.Join(root, p)) {
					t.Errorf("%s is inside, want outside", p)
				}
			}
		})
	}
}

func mustWrite(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustSymlink(t *testing.T, target, path string) {
	t.Helper()
	if err := os.Symlink(target, path); err != nil {
		t.Skipf("cannot make a symbolic link here: %v", err)
	}
}

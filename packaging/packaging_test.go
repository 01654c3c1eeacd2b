package main

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var testDate = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// readArchive returns the entries of a tar.gz or zip by name, with modes.
func readArchive(t *testing.T, path string) (files map[string][]byte, modes map[string]fs.FileMode) {
	t.Helper()
	files, modes = map[string][]byte{}, map[string]fs.FileMode{}
	if strings.HasSuffix(path, ".zip") {
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			files[f.Name], modes[f.Name] = data, f.Mode().Perm()
		}
		return files, modes
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, modes
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[hdr.Name], modes[hdr.Name] = data, fs.FileMode(hdr.Mode).Perm()
	}
}

func TestArchives(t *testing.T) {
	for _, tt := range []struct {
		target   target
		wantName string
		wantBin  string
	}{
		{target: target{"linux", "amd64"}, wantName: "dockershim-lint_1.2.3_linux_amd64.tar.gz", wantBin: "dockershim-lint"},
		{target: target{"darwin", "arm64"}, wantName: "dockershim-lint_1.2.3_darwin_arm64.tar.gz", wantBin: "dockershim-lint"},
		{target: target{"windows", "amd64"}, wantName: "dockershim-lint_1.2.3_windows_amd64.zip", wantBin: "dockershim-lint.exe"},
	} {
		t.Run(tt.target.String(), func(t *testing.T) {
			files := []archiveFile{
				{name: tt.target.binaryName(), data: []byte("binary"), mode: 0o755},
				{name: "README.md", data: []byte("# readme\n"), mode: 0o644},
			}
			var sums []string
			for _, dir := range []string{t.TempDir(), t.TempDir()} {
				a, err := writeArchive(dir, tt.target, "v1.2.3", testDate, files)
				if err != nil {
					t.Fatal(err)
				}
				if a.name != tt.wantName {
					t.Fatalf("archive named %s, want %s", a.name, tt.wantName)
				}
				sum, err := fileSHA256(filepath.Join(dir, a.name))
				if err != nil {
					t.Fatal(err)
				}
				if sum != a.sha256 {
					t.Errorf("archive's sha256 %s, file's %s", a.sha256, sum)
				}
				sums = append(sums, sum)
				got, modes := readArchive(t, filepath.Join(dir, a.name))
				if string(got[tt.wantBin]) != "binary" || modes[tt.wantBin] != 0o755 {
					t.Errorf("%s: %q mode %v, want the binary with mode 0755", tt.wantBin, got[tt.wantBin], modes[tt.wantBin])
				}
				if string(got["README.md"]) != "# readme\n" {
					t.Errorf("README.md: %q", got["README.md"])
				}
			}
			if sums[0] != sums[1] {
				t.Error("two archives of the same files differ: the archive is not reproducible")
			}
		})
	}
}

// readChecksums parses checksums.txt into file name -> sha256.
func readChecksums(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 || name == "" {
			t.Fatalf("%s: line %q is not sha256sum's HASH  NAME", path, sc.Text())
		}
		sums[name] = sum
	}
	return sums
}

func TestChecksums(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"b.tar.gz": "bee", "a.zip": "ay"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeChecksums(dir, []string{"b.tar.gz", "a.zip"}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// sha256sum's output for the two files, sorted by name.
	want := "69d61997a241e97931db9dd1cfcef218041a752485f5f7956b09766287682da3  a.zip\n" +
		"62cb81b5904a262ffaeed02abef36bfc540b09f964b8b0b636662f77ffce6714  b.tar.gz\n"
	if string(data) != want {
		t.Errorf("checksums.txt:\n%s\nwant:\n%s", data, want)
	}
}

func mustSHA256(t *testing.T, dir, name string) string {
	t.Helper()
	sum, err := fileSHA256(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

package main

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// archive is one published archive of a target's binary.
type archive struct {
	name   string
	target target
	sha256 string
}

// archiveFile is an entry of an archive: the file at path, or data.
type archiveFile struct {
	name string
	path string
	data []byte
	mode fs.FileMode
}

func (f archiveFile) content() ([]byte, error) {
	if f.path == "" {
		return f.data, nil
	}
	return os.ReadFile(f.path)
}

// archiveName is what install.sh and the Homebrew formula download; the
// version goes in without its v, as GoReleaser names archives.
func archiveName(version string, t target) string {
	ext := ".tar.gz"
	if t.goos == "windows" {
		ext = ".zip"
	}
	return fmt.Sprintf("%s_%s_%s_%s%s", projectName, strings.TrimPrefix(version, "v"), t.goos, t.goarch, ext)
}

// writeArchive writes a zip for Windows, where it opens without extra
// tools, and a tar.gz elsewhere, which keeps the executable bit. Entries
// carry date and no owner, so the archive depends on its content alone.
func writeArchive(dir string, t target, version string, date time.Time, files []archiveFile) (archive, error) {
	a := archive{name: archiveName(version, t), target: t}
	f, err := os.Create(filepath.Join(dir, a.name))
	if err != nil {
		return a, err
	}
	defer f.Close()
	sum := sha256.New()
	w := io.MultiWriter(f, sum)
	if t.goos == "windows" {
		err = writeZip(w, date, files)
	} else {
		err = writeTarGz(w, date, files)
	}
	if err != nil {
		return a, fmt.Errorf("%s: %w", a.name, err)
	}
	a.sha256 = hex.EncodeToString(sum.Sum(nil))
	return a, f.Close()
}

func writeTarGz(w io.Writer, date time.Time, files []archiveFile) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	for _, file := range files {
		data, err := file.content()
		if err != nil {
			return err
		}
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     file.name,
			Size:     int64(len(data)),
			Mode:     int64(file.mode),
			ModTime:  date,
			Format:   tar.FormatPAX,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, date time.Time, files []archiveFile) error {
	zw := zip.NewWriter(w)
	for _, file := range files {
		data, err := file.content()
		if err != nil {
			return err
		}
		hdr := &zip.FileHeader{Name: file.name, Method: zip.Deflate, Modified: date}
		hdr.SetMode(file.mode)
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := fw.Write(data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// writeChecksums writes checksums.txt in the format of sha256sum, which
// `sha256sum -c` and `shasum -a 256 -c` read back.
func writeChecksums(dir string, names []string) error {
	names = slices.Sorted(slices.Values(names))
	f, err := os.Create(filepath.Join(dir, "checksums.txt"))
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	for _, name := range names {
		sum, err := fileSHA256(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s  %s\n", sum, name)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Package source is the one way the linter reads its input: every manifest,
// chart file, values file, kustomize file, config file and baseline comes
// through it, so the limits and containment below hold for all of them.
package source

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

// MaxFileSize is the largest manifest, values file or kustomize input read,
// in bytes. The largest real manifests (CRD bundles of operators) are a few
// megabytes; a decoded node tree costs about ten times its text, so this
// keeps one file well under a gigabyte of memory.
const MaxFileSize = 32 << 20

// StdinName is how standard input is named in findings and errors.
const StdinName = "<stdin>"

// ReadAll reads r up to MaxFileSize, failing rather than reading on. file
// names the input in errors.
func ReadAll(file string, r io.Reader) ([]byte, error) {
	return ReadAtMost(file, r, MaxFileSize)
}

// ReadAtMost is ReadAll with another limit, for the manifests a user may
// allow to be larger (--max-file-size): a cluster dump is one file.
func ReadAtMost(file string, r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, &lint.InputError{File: file, Message: "cannot read: " + err.Error()}
	}
	if int64(len(data)) > limit {
		return nil, TooLarge(file, limit)
	}
	return data, nil
}

// TooLarge is the error for an input over limit bytes.
func TooLarge(file string, limit int64) error {
	size := fmt.Sprintf("%d-byte", limit)
	switch {
	case limit%(1<<20) == 0:
		size = fmt.Sprintf("%d MiB", limit>>20)
	case limit%(1<<10) == 0:
		size = fmt.Sprintf("%d KiB", limit>>10)
	}
	return &lint.InputError{File: file, Message: "file is larger than the " + size + " limit; not linted (--max-file-size raises it)"}
}

// ReadFile reads the file at name (an OS path), named file in errors, up
// to MaxFileSize.
func ReadFile(file, name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, &lint.InputError{File: file, Message: DescribeError(err)}
	}
	defer f.Close()
	return ReadAll(file, f)
}

// DescribeError words an error from opening or stating a path for a person:
// without the path, which the InputError around it names already.
func DescribeError(err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "no such file or directory"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return "cannot open: " + err.Error()
}

// Within reports whether path is dir or lies below it. Both are cleaned
// absolute paths.
func Within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Abs is path made absolute, or only cleaned when the working directory is
// unknown.
func Abs(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}

// RepositoryRoot is the nearest directory at or above dir holding .git, or
// "" outside any repository.
func RepositoryRoot(dir string) string {
	for {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Package source is the one way the linter reads its input: every manifest,
// chart file and archive, values file, kustomize file, config file and
// baseline comes through it, so that the same three promises hold for all
// of them. It reads regular files only, so a FIFO, device or socket is an
// error rather than a hang or an endless stream; it never reads more than
// the size limit plus one byte; and a path found inside the input (a chart
// file, a kustomize resource, a committed config file) is read only when it
// resolves, symbolic links followed, inside the boundary.
package source

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

// MaxFileSize is the default largest file read, in bytes. The largest real
// manifests (CRD bundles of operators) are a few megabytes; a decoded node
// tree costs about ten times its text, so this keeps one file well under a
// gigabyte of memory.
const MaxFileSize = 32 << 20

// limit is the largest file read; SetLimit raises it for one run.
var limit atomic.Int64

func init() { limit.Store(MaxFileSize) }

// Limit is the largest file the reader accepts, in bytes.
func Limit() int64 { return limit.Load() }

// SetLimit makes n bytes the largest file read, for inputs such as a
// cluster dump that are known to be large. n must be positive.
func SetLimit(n int64) { limit.Store(n) }

// ReadAll reads r up to the limit, failing rather than reading on. file
// names the input in errors.
func ReadAll(file string, r io.Reader) ([]byte, error) {
	return readAll(file, r, 0)
}

// readAll is ReadAll into a buffer made for size bytes, the size a file
// had when opened, so that reading it allocates once, and reading one over
// the limit allocates no more than the limit. The size is only a hint: a
// file that grew is still read to the limit.
func readAll(file string, r io.Reader, size int64) ([]byte, error) {
	maxSize := Limit()
	// One byte more than expected, so that the read which finds the end
	// (or the byte over the limit) has room without growing the buffer.
	data := make([]byte, 0, min(max(size, 511), maxSize)+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := r.Read(data[len(data):min(int64(cap(data)), maxSize+1)])
		data = data[:len(data)+n]
		if int64(len(data)) > maxSize {
			return nil, TooLarge(file)
		}
		if errors.Is(err, io.EOF) {
			return data, nil
		}
		if err != nil {
			return nil, &lint.InputError{File: file, Message: "cannot read: " + err.Error()}
		}
	}
}

// TooLarge is the error for an input over the limit.
func TooLarge(file string) error {
	limit := Limit()
	size := fmt.Sprintf("%d-byte", limit)
	switch {
	case limit%(1<<20) == 0:
		size = fmt.Sprintf("%d MiB", limit>>20)
	case limit%(1<<10) == 0:
		size = fmt.Sprintf("%d KiB", limit>>10)
	}
	return &lint.InputError{File: file, Message: "file is larger than the " + size + " limit; not linted (--max-file-size raises it)"}
}

// ReadFile reads the file at name (an OS path) that the user named on the
// command line, such as --values or --config: no boundary applies, but it
// must be a regular file within the limit. file names it in errors.
func ReadFile(file, name string) ([]byte, error) {
	f, size, err := openRegular(name)
	if err != nil {
		return nil, &lint.InputError{File: file, Message: DescribeError(err)}
	}
	defer f.Close()
	// A file already over the limit is refused unread; the read below
	// still stops at the limit for one that grows.
	if size > Limit() {
		return nil, TooLarge(file)
	}
	return readAll(file, f, size)
}

// ErrNotRegular is returned for a FIFO, device, socket or directory, which
// could block the read forever or never end.
var ErrNotRegular = errors.New("not a regular file")

// openRegular opens name without blocking and refuses anything but a
// regular file, whose size it returns. Opening a FIFO for reading blocks
// until a writer comes, so the open itself must not wait: see nonBlocking.
func openRegular(name string) (*os.File, int64, error) {
	trace(name)
	f, err := os.OpenFile(name, os.O_RDONLY|nonBlocking, 0)
	if err != nil {
		return nil, 0, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, 0, ErrNotRegular
	}
	return f, info.Size(), nil
}

// DescribeError words an error from opening, stating or reading a path for
// a person, without the path, which the InputError around it names.
func DescribeError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or directory"
	case errors.Is(err, ErrNotRegular):
		return "not a regular file (a FIFO, device, socket or directory); not read"
	case errors.Is(err, errOutside):
		return err.Error()
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return "cannot open: " + err.Error()
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

package render

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

// StdinName is how standard input is named in findings and errors.
const StdinName = "<stdin>"

// manifestExtensions are the files a directory walk lints as plain manifests.
var manifestExtensions = map[string]bool{".yaml": true, ".yml": true, ".json": true}

// File is a manifest file, or standard input, linted as plain YAML or JSON.
type File struct {
	// Path is the file as findings name it: the path the user gave, joined
	// with the walked sub-path, with forward slashes.
	Path string
	open func() (io.ReadCloser, error)
}

// NewFile returns the input for the file at path (an OS path).
func NewFile(path string) File {
	return File{
		Path: filepath.ToSlash(path),
		open: func() (io.ReadCloser, error) { return os.Open(path) },
	}
}

// NewReader returns an input read from r, such as standard input.
func NewReader(name string, r io.Reader) File {
	return File{Path: name, open: func() (io.ReadCloser, error) { return io.NopCloser(r), nil }}
}

func (f File) Name() string { return f.Path }

func (f File) Load() ([]*lint.Object, error) {
	rc, err := f.open()
	if err != nil {
		return nil, &lint.InputError{File: f.Path, Message: describeOpenError(err)}
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, &lint.InputError{File: f.Path, Message: "cannot read: " + err.Error()}
	}
	return Decode(f.Path, data)
}

func describeOpenError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return "cannot open: " + err.Error()
}

// Options configure how paths are turned into inputs.
type Options struct {
	// Stdin is read when a path is "-".
	Stdin io.Reader
}

// Discover turns the paths a user named into inputs. A file is linted
// whatever its extension (the user, or pre-commit, chose it); a directory is
// walked for manifests, skipping hidden directories and node_modules. Paths
// that cannot be read are returned as errors and the rest still linted.
func Discover(paths []string, opts Options) ([]lint.Input, []lint.InputError) {
	var inputs []lint.Input
	var errs []lint.InputError
	for _, p := range paths {
		if p == "-" {
			inputs = append(inputs, NewReader(StdinName, opts.Stdin))
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			errs = append(errs, lint.InputError{File: filepath.ToSlash(p), Message: describeStatError(err)})
			continue
		}
		if !info.IsDir() {
			inputs = append(inputs, NewFile(p))
			continue
		}
		found, walkErrs := walk(p)
		inputs = append(inputs, found...)
		errs = append(errs, walkErrs...)
	}
	return inputs, errs
}

func describeStatError(err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "no such file or directory"
	}
	return describeOpenError(err)
}

func walk(root string) ([]lint.Input, []lint.InputError) {
	var inputs []lint.Input
	var errs []lint.InputError
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, lint.InputError{File: filepath.ToSlash(path), Message: describeOpenError(err)})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if path != root && skipDir(d.Name()) {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && manifestExtensions[strings.ToLower(filepath.Ext(path))] {
			inputs = append(inputs, NewFile(path))
		}
		return nil
	})
	if err != nil {
		errs = append(errs, lint.InputError{File: filepath.ToSlash(root), Message: err.Error()})
	}
	return inputs, errs
}

func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules"
}

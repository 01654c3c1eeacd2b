package manifest

import (
	"io"
	"os"
	"path/filepath"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/source"
)

// File is a manifest file, or standard input, linted as plain YAML or JSON.
type File struct {
	// Path is the file as findings name it: the path the user gave, joined
	// with the walked sub-path, with forward slashes.
	Path string
	open func() (io.ReadCloser, error)
	// directives receives the ignore comments Load finds. Inputs are
	// passed around as File values, so copies share it.
	directives *[]lint.Directive
}

// NewFile returns the input for the file at path (an OS path).
func NewFile(path string) File {
	return File{
		Path:       filepath.ToSlash(path),
		open:       func() (io.ReadCloser, error) { return os.Open(path) },
		directives: new([]lint.Directive),
	}
}

// NewReader returns an input read from r, such as standard input.
func NewReader(name string, r io.Reader) File {
	return File{
		Path:       name,
		open:       func() (io.ReadCloser, error) { return io.NopCloser(r), nil },
		directives: new([]lint.Directive),
	}
}

func (f File) Name() string { return f.Path }

func (f File) Load() ([]*lint.Object, error) {
	rc, err := f.open()
	if err != nil {
		return nil, &lint.InputError{File: f.Path, Message: source.DescribeError(err)}
	}
	defer rc.Close()
	data, err := source.ReadAll(f.Path, rc)
	if err != nil {
		return nil, err
	}
	*f.directives = lint.ParseDirectives(f.Path, data)
	objects, err := Decode(f.Path, data)
	return dropControlled(objects), err
}

// Directives returns the ignore comments of the file, once Load has read it.
func (f File) Directives() []lint.Directive { return *f.directives }

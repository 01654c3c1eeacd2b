package manifest

import (
	"io"
	"path/filepath"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/source"
)

// File is a manifest file, or standard input, linted as plain YAML or JSON.
type File struct {
	// Path is the file as findings name it: the path the user gave, joined
	// with the walked sub-path, with forward slashes.
	Path     string
	readFile func() ([]byte, error)
	// directives receives the ignore comments Load finds. Inputs are
	// passed around as File values, so copies share it.
	directives *[]lint.Directive
}

// NewFile returns the input for the file at path (an OS path): one the user
// named, or one a walk found inside a directory the user named.
func NewFile(path string) File {
	return File{
		Path:       filepath.ToSlash(path),
		readFile:   func() ([]byte, error) { return source.ReadFile(filepath.ToSlash(path), path) },
		directives: new([]lint.Directive),
	}
}

// NewReader returns an input read from r, such as standard input.
func NewReader(name string, r io.Reader) File {
	return File{
		Path:       name,
		readFile:   func() ([]byte, error) { return source.ReadAll(name, r) },
		directives: new([]lint.Directive),
	}
}

func (f File) Name() string { return f.Path }

func (f File) Load() ([]*lint.Object, error) {
	data, err := f.read()
	if err != nil {
		return nil, err
	}
	return Decode(f.Path, data)
}

// wholeFileBatch is the largest file whose objects are checked together,
// as one batch; a larger one is checked a document at a time. Node trees
// take ten to twenty-five times the text they are decoded from, so a
// generated file of 200,000 small documents held a gigabyte of trees at
// once.
const wholeFileBatch = 4 << 20

// LoadBatches checks the file's objects all together, or for a file over
// wholeFileBatch, a document at a time as they are decoded.
func (f File) LoadBatches(check func([]*lint.Object)) error {
	data, err := f.read()
	if err != nil {
		return err
	}
	if len(data) > wholeFileBatch {
		return decodeDocuments(f.Path, data, check)
	}
	objects, err := Decode(f.Path, data)
	check(objects)
	return err
}

// read reads the file through the reader and records its ignore comments.
func (f File) read() ([]byte, error) {
	data, err := f.readFile()
	if err != nil {
		return nil, err
	}
	*f.directives = lint.ParseDirectives(f.Path, data)
	return data, nil
}

// Directives returns the ignore comments of the file, once Load has read it.
func (f File) Directives() []lint.Directive { return *f.directives }

package manifest

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"unicode/utf8"

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
	return f.objects(data)
}

// objects decodes data whole. A file that does not parse and is no
// manifest is a NotManifestError; a Pod whose controller is in the same
// file is dropped, so a cluster dump reports through the controller.
func (f File) objects(data []byte) ([]*lint.Object, error) {
	objects, err := Decode(f.Path, data)
	if err != nil && utf8.Valid(data) && !slices.ContainsFunc(objects, isKubernetes) && !manifestKeys.Match(data) {
		// Nothing in it is linted, so no ignore comment in it is unused.
		*f.directives = nil
		return nil, &NotManifestError{File: f.Path, Err: err}
	}
	return dropControlled(objects), err
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
		// A document at a time: a List (what kubectl get -o yaml prints)
		// is one document, so its pods still meet their controllers.
		return decodeDocuments(f.Path, data, func(objs []*lint.Object) { check(dropControlled(objs)) })
	}
	objects, err := f.objects(data)
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

// manifestKeys finds an apiVersion or kind key, in YAML or JSON.
var manifestKeys = regexp.MustCompile(`(?m)(?:^|[{,\s])["']?(?:apiVersion|kind)["']?\s*:`)

func isKubernetes(obj *lint.Object) bool { return obj.Kind != "" }

// NotManifestError is a text file that does not parse and holds no
// apiVersion or kind: not a Kubernetes manifest, such as a tsconfig.json
// with comments that a pre-commit hook matching *.json passes along. It is
// skipped with a notice rather than failing the run. A broken file that
// does name a kind stays an error, and so does one that is not UTF-8: a
// manifest saved as UTF-16 shows no "kind" to a byte search.
type NotManifestError struct {
	File string
	// Err is why it does not parse.
	Err error
}

func (e *NotManifestError) Error() string { return e.File + ": " + e.Reason() }

// Reason says why the file is skipped, for a notice that names the file.
func (e *NotManifestError) Reason() string {
	why := e.Err.Error()
	var ie *lint.InputError
	if errors.As(e.Err, &ie) {
		why = ie.Message
		if ie.Line > 0 {
			why = fmt.Sprintf("line %d: %s", ie.Line, ie.Message)
		}
	}
	return "not a Kubernetes manifest: no apiVersion or kind, and not valid YAML or JSON (" + why + ")"
}

// Directives returns the ignore comments of the file, once Load has read it.
func (f File) Directives() []lint.Directive { return *f.directives }

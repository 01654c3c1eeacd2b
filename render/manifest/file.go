package manifest

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
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
	Path string
	// MaxSize is the largest input read, in bytes; zero means
	// source.MaxFileSize.
	MaxSize int64
	open    func() (io.ReadCloser, error)
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
	limit := cmp.Or(f.MaxSize, source.MaxFileSize)
	data, err := source.ReadAtMost(f.Path, rc, limit)
	if err != nil {
		return nil, err
	}
	*f.directives = lint.ParseDirectives(f.Path, data)
	objects, err := decode(f.Path, data, limit)
	if err != nil && utf8.Valid(data) && !slices.ContainsFunc(objects, isKubernetes) && !manifestKeys.Match(data) {
		// Nothing in it is linted, so no ignore comment in it is unused.
		*f.directives = nil
		return nil, &NotManifestError{File: f.Path, Err: err}
	}
	return dropControlled(objects), err
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

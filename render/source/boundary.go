package source

import (
	"errors"
	"os"
	"path/filepath"
	"slices"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

// errOutside marks a read refused because the path resolves outside the
// boundary.
var errOutside = errors.New("outside the boundary")

// outsideError names the path, where its links led, and the boundary it
// left, for DescribeError.
type outsideError struct{ path, resolved, root string }

func (e *outsideError) Error() string {
	what := filepath.ToSlash(e.path) + " is"
	if e.resolved != Abs(e.path) {
		what = filepath.ToSlash(e.path) + " resolves to " + filepath.ToSlash(e.resolved) + ","
	}
	if e.root == "" {
		return what + " outside the paths being linted; not read"
	}
	return what + " outside " + filepath.ToSlash(e.root) + "; not read"
}

func (e *outsideError) Unwrap() error { return errOutside }

// Boundary is where a run may read what its inputs refer to: for each path
// named on the command line, the repository holding it (the nearest
// directory with .git), or outside any repository the named path itself.
// A chart, overlay, values file, patch, generator or committed config file
// is read only when it resolves, symbolic links followed, inside a root;
// nothing above a root (an ancestor's Chart.yaml or kustomization) counts.
type Boundary struct {
	// roots are absolute, with symbolic links resolved, so that a link
	// inside a root cannot lead out of it unnoticed.
	roots []string
}

// NewBoundary returns the boundary of a run over paths ("-" is standard
// input and adds nothing). With no path it is the working directory.
func NewBoundary(paths []string) *Boundary {
	b := &Boundary{}
	for _, p := range paths {
		if p == "-" {
			continue
		}
		abs := Abs(p)
		dir := abs
		if info, err := os.Stat(abs); err != nil || !info.IsDir() {
			dir = filepath.Dir(abs)
		}
		root := RepositoryRoot(dir)
		if root == "" {
			root = abs
		}
		b.add(resolve(root))
	}
	if len(b.roots) == 0 {
		b.add(resolve(Abs(".")))
	}
	return b
}

func (b *Boundary) add(root string) {
	for _, r := range b.roots {
		if lint.Within(r, root) {
			return
		}
	}
	b.roots = slices.DeleteFunc(b.roots, func(r string) bool { return lint.Within(root, r) })
	b.roots = append(b.roots, root)
}

// resolve is abs with every symbolic link resolved. A path that does not
// exist (yet) keeps its unresolved tail under its nearest existing parent.
func resolve(abs string) string {
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		return resolved
	}
	parent := filepath.Dir(abs)
	if parent == abs {
		return abs
	}
	return filepath.Join(resolve(parent), filepath.Base(abs))
}

// Resolve is path, made absolute, with every symbolic link resolved; the
// tail of a path that does not exist (yet) is kept under its nearest
// existing parent, resolved.
func Resolve(path string) string { return resolve(Abs(path)) }

// Root is the root holding path, or "" when path lies outside the boundary.
// path is resolved first, so a link leading out of a root is outside.
func (b *Boundary) Root(path string) string { return b.rootOf(resolve(Abs(path))) }

// rootOf is the root holding a resolved path, or "".
func (b *Boundary) rootOf(resolved string) string {
	for _, r := range b.roots {
		if lint.Within(r, resolved) {
			return r
		}
	}
	return ""
}

// Contains reports whether path resolves inside the boundary.
func (b *Boundary) Contains(path string) bool { return b.Root(path) != "" }

// Check returns an error naming path when it resolves outside the boundary.
func (b *Boundary) Check(path string) error { return b.check(path, resolve(Abs(path))) }

// check is Check of path, which resolves to resolved.
func (b *Boundary) check(path, resolved string) error {
	if b.rootOf(resolved) != "" {
		return nil
	}
	root := ""
	if len(b.roots) == 1 {
		root = b.roots[0]
	}
	return &outsideError{path: path, resolved: resolved, root: root}
}

// ReadFile reads the file at name (an OS path) that an input refers to,
// named file in errors: it must resolve inside the boundary, be a regular
// file and be within the limit.
func (b *Boundary) ReadFile(file, name string) ([]byte, error) {
	// The resolved path is the one checked, so it is the one opened. It
	// is resolved once: following links costs a system call per path
	// element, and resolving every file twice was a tenth of the
	// Datadog chart's first render.
	resolved := resolve(Abs(name))
	if err := b.check(name, resolved); err != nil {
		return nil, &lint.InputError{File: file, Message: DescribeError(err)}
	}
	return ReadFile(file, resolved)
}

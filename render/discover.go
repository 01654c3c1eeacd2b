package render

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/gitindex"
	"github.com/dockershim-lint/dockershim-lint/render/helm"
	"github.com/dockershim-lint/dockershim-lint/render/kustomize"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
	"github.com/dockershim-lint/dockershim-lint/render/source"
)

// manifestExtensions are the files a directory walk lints as plain manifests.
var manifestExtensions = map[string]bool{".yaml": true, ".yml": true, ".json": true}

// Options configure how paths are turned into inputs.
type Options struct {
	// Stdin is read when a path is "-".
	Stdin io.Reader
	// Helm configures the rendering of every chart found.
	Helm helm.Options
	// ChartHelm, when set, replaces Helm for each chart found: it is given
	// the chart's absolute path (a directory or a .tgz), so a config file
	// can give each chart its own values.
	ChartHelm func(chart string) helm.Options
	// OnSkip, when set, is told about each path deliberately not linted:
	// a symlink leading out of the walked directory, a template outside
	// any chart, a hidden directory. These are notices, not input errors.
	OnSkip func(Skipped)
}

// Skipped is a path discovery chose not to lint, and why.
type Skipped struct {
	Path   string
	Reason string
	// Expected marks a skip the user asked for by convention (a hidden
	// directory, node_modules): worth telling only when asked (-v).
	Expected bool
}

// Discover turns the paths a user named into inputs, each file linted once:
//
//   - A directory is walked, skipping hidden directories and node_modules. A
//     directory with Chart.yaml is rendered as a chart (subcharts only
//     through their parent) and none of its files is read as YAML; a
//     kustomization directory is built, and the files it uses are not linted
//     again on their own; every other .yaml, .yml and .json file is a
//     manifest.
//   - A file inside a chart (a template, values.yaml, a helper .tpl,
//     Chart.yaml) means that chart, however many of its files are named, as
//     pre-commit names changed files; a .tgz is a packaged chart.
//   - A file a kustomization uses means every kustomization of the
//     repository that builds on it, as listed by the repository's git
//     index (see kustomizationsUsing).
//   - Any other file is a manifest, whatever its extension.
//
// Paths that cannot be read are returned as errors and the rest still
// linted. Inputs come in a deterministic order.
func Discover(paths []string, opts Options) ([]lint.Input, []lint.InputError) {
	d := &discovery{
		opts:     opts,
		boundary: source.NewBoundary(paths),
		seen:     map[string]bool{},
		repos:    map[string]repoKustomizations{},
		uses:     map[string]map[string]bool{},
	}
	for _, p := range paths {
		if p == "-" {
			// Read once: a second - would see only the end of the input.
			if !d.seen[p] {
				d.seen[p] = true
				d.inputs = append(d.inputs, manifest.NewReader(lint.StdinName, opts.Stdin))
			}
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			d.errs = append(d.errs, lint.InputError{File: filepath.ToSlash(p), Message: source.DescribeError(err)})
			continue
		}
		if info.IsDir() {
			d.walk(p)
		} else {
			d.explicit(p)
		}
	}
	return d.inputs, d.errs
}

type discovery struct {
	opts Options
	// boundary is where the inputs may read what they refer to; nothing
	// above it, such as an ancestor's Chart.yaml, is consulted.
	boundary *source.Boundary
	inputs   []lint.Input
	errs     []lint.InputError
	// seen holds the absolute paths of charts, kustomizations and files
	// already added, and "-" once standard input is, so each is linted
	// once.
	seen map[string]bool
	// repos caches, per boundary root, the directories that may be
	// kustomizations.
	repos map[string]repoKustomizations
	// uses caches, per kustomization directory, every file it uses,
	// through its bases and components too.
	uses map[string]map[string]bool
}

func (d *discovery) skip(path, reason string) {
	if d.opts.OnSkip != nil {
		d.opts.OnSkip(Skipped{Path: filepath.ToSlash(path), Reason: reason})
	}
}

func (d *discovery) skipExpected(path, reason string) {
	if d.opts.OnSkip != nil {
		d.opts.OnSkip(Skipped{Path: filepath.ToSlash(path), Reason: reason, Expected: true})
	}
}

// add appends the input made for key (an absolute path and its role) unless
// an earlier path already led to it.
func (d *discovery) add(key string, in func() lint.Input) {
	if d.seen[key] {
		return
	}
	d.seen[key] = true
	d.inputs = append(d.inputs, in())
}

func (d *discovery) addChart(path string) {
	abs := source.Abs(path)
	d.add("chart:"+abs, func() lint.Input {
		opts := d.opts.Helm
		if d.opts.ChartHelm != nil {
			opts = d.opts.ChartHelm(abs)
		}
		opts.Boundary = d.boundary
		return helm.NewChart(path, opts)
	})
}

func (d *discovery) addKustomization(dir string) {
	d.add("kustomization:"+source.Abs(dir), func() lint.Input { return kustomize.New(dir, d.boundary) })
}

func (d *discovery) addFile(path string) {
	d.add("file:"+source.Abs(path), func() lint.Input { return manifest.NewFile(path) })
}

// walkEntry is a file or directory found by a walk.
type walkEntry struct {
	path  string
	isDir bool
}

func (d *discovery) walk(root string) {
	// A directory inside a chart, such as its templates, stands for the
	// chart: its files are templates, never plain YAML.
	inside := filepath.Join(source.Abs(root), "Chart.yaml")
	if chart := d.enclosingChart(d.boundary.Root(inside), inside); chart != "" {
		d.addChart(userPath(root, chart))
		return
	}
	entries := d.collect(root)
	files := map[string]bool{}
	for _, e := range entries {
		if !e.isDir {
			files[e.path] = true
		}
	}
	// Charts: a Chart.yaml makes its directory a chart, and everything
	// below it, subcharts included, belongs to the outermost one.
	var charts []string
	inChart := func(path string) bool {
		return slices.ContainsFunc(charts, func(c string) bool { return lint.Within(c, path) })
	}
	var kustomizations []string
	for _, e := range entries {
		if !e.isDir || inChart(e.path) {
			continue
		}
		if files[filepath.Join(e.path, "Chart.yaml")] {
			charts = append(charts, e.path)
			d.addChart(e.path)
			continue
		}
		if kustomize.FileIn(e.path) != "" {
			kustomizations = append(kustomizations, e.path)
			d.addKustomization(e.path)
		}
	}
	used := map[string]bool{}
	for _, dir := range kustomizations {
		for f := range kustomize.FilesUsed(source.Abs(dir), d.boundary) {
			used[f] = true
		}
	}
	for _, e := range entries {
		if e.isDir || inChart(e.path) || used[source.Abs(e.path)] || slices.Contains(kustomize.FileNames, filepath.Base(e.path)) {
			continue
		}
		if !manifestExtensions[strings.ToLower(filepath.Ext(e.path))] {
			continue
		}
		if underTemplates(e.path) && isTemplate(e.path) {
			d.skip(e.path, "a Helm template outside any chart (no Chart.yaml above it) is not YAML and is not linted")
			continue
		}
		d.addFile(e.path)
	}
}

// isTemplate reports whether the file at path holds template actions. It
// is asked only of files in a templates directory, where "{{" means Helm;
// elsewhere manifests carry "{{" in strings (alerting rules, log formats).
func isTemplate(path string) bool {
	data, err := source.ReadFile(filepath.ToSlash(path), path)
	return err == nil && strings.Contains(string(data), "{{")
}

// collect lists root's files and directories in lexical order. Symlinked
// directories are never followed, which rules out loops; a symlinked file
// is read only when it resolves inside root.
func (d *discovery) collect(root string) []walkEntry {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		realRoot = root
	}
	realRoot = source.Abs(realRoot)
	var entries []walkEntry
	err = filepath.WalkDir(root, func(path string, de fs.DirEntry, err error) error {
		if err != nil {
			d.errs = append(d.errs, lint.InputError{File: filepath.ToSlash(path), Message: source.DescribeError(err)})
			if de != nil && de.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case de.IsDir():
			if path != root && skipDir(de.Name()) {
				d.skipExpected(path, "hidden directories and node_modules are not walked")
				return fs.SkipDir
			}
			entries = append(entries, walkEntry{path: path, isDir: true})
		case de.Type()&fs.ModeSymlink != 0:
			d.collectSymlink(path, realRoot, &entries)
		case de.Type().IsRegular():
			entries = append(entries, walkEntry{path: path})
		}
		return nil
	})
	if err != nil {
		d.errs = append(d.errs, lint.InputError{File: filepath.ToSlash(root), Message: err.Error()})
	}
	return entries
}

func (d *discovery) collectSymlink(path, realRoot string, entries *[]walkEntry) {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		d.skip(path, "broken symlink")
		return
	}
	target = source.Abs(target)
	if !lint.Within(realRoot, target) {
		d.skip(path, "symlink to "+filepath.ToSlash(target)+", outside the walked directory, not followed")
		return
	}
	if info, err := os.Stat(target); err == nil && info.Mode().IsRegular() {
		*entries = append(*entries, walkEntry{path: path})
	}
}

func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules"
}

// explicit adds what a file named on the command line stands for.
func (d *discovery) explicit(path string) {
	abs := source.Abs(path)
	if strings.EqualFold(filepath.Ext(path), ".tgz") {
		d.addChart(path)
		return
	}
	// Resolving the file's links costs a system call per path element,
	// which in a deep repository is a good part of a one-file lint: it is
	// done once for both questions below.
	root := d.boundary.Root(abs)
	if chart := d.enclosingChart(root, abs); chart != "" {
		d.addChart(userPath(path, chart))
		return
	}
	if dirs := d.kustomizationsUsing(root, abs); len(dirs) > 0 {
		for _, dir := range dirs {
			d.addKustomization(userPath(path, dir))
		}
		return
	}
	// As in a walk: a templates directory outside any chart may hold
	// plain manifests, and only a file with template actions is skipped.
	if strings.EqualFold(filepath.Ext(path), ".tpl") || underTemplates(abs) && isTemplate(path) {
		d.skip(path, "a Helm template outside any chart (no Chart.yaml above it) is not YAML and is not linted")
		return
	}
	d.addFile(path)
}

// userPath expresses abs the way the user wrote path: relative to the
// working directory when path was relative.
func userPath(path, abs string) string {
	if filepath.IsAbs(path) {
		return abs
	}
	wd, err := os.Getwd()
	if err != nil {
		return abs
	}
	if rel, err := filepath.Rel(wd, abs); err == nil {
		return rel
	}
	return abs
}

// enclosingChart is the outermost chart directory holding file inside the
// boundary root that holds it (Boundary.Root), or "". The outermost, because a subchart is rendered through its
// parent; inside the boundary, because a Chart.yaml above the paths being
// linted belongs to someone else.
func (d *discovery) enclosingChart(root, file string) string {
	if root == "" {
		return ""
	}
	chart := ""
	for dir := filepath.Dir(file); lint.Within(root, dir); {
		if _, err := os.Stat(filepath.Join(dir, "Chart.yaml")); err == nil {
			chart = dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return chart
}

// underTemplates reports whether file lies in a templates directory, where
// a chart keeps files that are Go templates, not YAML.
func underTemplates(file string) bool {
	return slices.Contains(strings.Split(filepath.ToSlash(filepath.Dir(file)), "/"), "templates")
}

// kustomizationsUsing lists the kustomizations that use file, directly or
// through a base or component, in lexical order. A file named outside any
// repository is its own root, with no kustomization around it.
//
// kustomize builds with load restrictions root-only: a kustomization reads
// files only in or below its own directory, though its bases may be
// anywhere. So a file is used at all only when a kustomization in one of
// its own directories uses it, and most named files, used by none, cost a
// few stats: the git index is read, and every kustomization of the
// repository that may build on those parsed (see rootKustomizations), only
// for a file that is used. A kustomization naming a file outside its own
// directory cannot build, so it does not claim the file.
func (d *discovery) kustomizationsUsing(root, file string) []string {
	if root == "" || !isDir(root) {
		return nil
	}
	ancestors := ancestorDirs(root, file)
	if !slices.ContainsFunc(ancestors, func(dir string) bool { return d.filesUsed(dir)[file] }) {
		return nil
	}
	var out []string
	for _, dir := range d.rootKustomizations(root, ancestors) {
		if d.filesUsed(dir)[file] {
			out = append(out, dir)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ancestorDirs are the directories from file's own up to root, leaving
// out those a walk of root skips.
func ancestorDirs(root, file string) []string {
	var dirs []string
	for dir := filepath.Dir(file); lint.Within(root, dir); dir = filepath.Dir(dir) {
		if !hiddenBelow(root, dir) {
			dirs = append(dirs, dir)
		}
		if dir == root {
			break
		}
	}
	return dirs
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

// rootKustomizations lists the directories in root that may be
// kustomizations using a file whose own directories are ancestors. In a
// git work tree they come from its index, which already lists every
// tracked file, so a one-file lint in a large repository reads one file
// instead of walking thousands of directories. The index knows nothing of
// kustomizations not yet added, so the ancestors are added: that is where
// a new overlay of the file most often is. Without a readable index, root
// is walked. Either way hidden directories and node_modules are left out,
// as in a walk of a named directory.
func (d *discovery) rootKustomizations(root string, ancestors []string) []string {
	repo, ok := d.repos[root]
	if !ok {
		repo.dirs, repo.indexed = indexedKustomizations(root)
		if !repo.indexed {
			repo.dirs = walkKustomizations(root)
		}
		d.repos[root] = repo
	}
	if !repo.indexed {
		return repo.dirs
	}
	return append(slices.Clone(repo.dirs), ancestors...)
}

// repoKustomizations are the kustomization directories of a repository,
// and whether they came from its git index.
type repoKustomizations struct {
	dirs    []string
	indexed bool
}

// indexedKustomizations lists the directories holding a kustomization
// file that the git index of the work tree at root lists, and reports
// whether root has an index it could read.
func indexedKustomizations(root string) ([]string, bool) {
	data, err := gitindex.Load(root)
	if err != nil {
		return nil, false
	}
	files, err := gitindex.Read(data, func(name []byte) bool {
		return slices.ContainsFunc(kustomize.FileNames, func(n string) bool { return string(name) == n })
	})
	if err != nil {
		return nil, false
	}
	var dirs []string
	for _, f := range files {
		if dir := filepath.Dir(filepath.Join(root, filepath.FromSlash(f))); !hiddenBelow(root, dir) {
			dirs = append(dirs, dir)
		}
	}
	slices.Sort(dirs)
	return slices.Compact(dirs), true
}

// walkKustomizations lists the kustomization directories below root.
func walkKustomizations(root string) []string {
	var dirs []string
	// The search only widens what a named file leads to; a directory it
	// cannot read is one the user did not name, so it is passed over.
	_ = filepath.WalkDir(root, func(path string, de fs.DirEntry, err error) error {
		if err != nil || !de.IsDir() {
			return nil
		}
		if path != root && skipDir(de.Name()) {
			return fs.SkipDir
		}
		if kustomize.FileIn(path) != "" {
			dirs = append(dirs, path)
		}
		return nil
	})
	return dirs
}

// hiddenBelow reports whether dir, at or below root, lies in a directory
// a walk of root skips.
func hiddenBelow(root, dir string) bool {
	rel, err := filepath.Rel(root, dir)
	return err != nil || rel != "." && slices.ContainsFunc(strings.Split(rel, string(filepath.Separator)), skipDir)
}

// filesUsed is every file the kustomization in dir uses, or nothing when
// dir holds none, read once however many named files ask.
func (d *discovery) filesUsed(dir string) map[string]bool {
	uses, ok := d.uses[dir]
	if !ok {
		uses = kustomize.FilesUsed(dir, d.boundary)
		d.uses[dir] = uses
	}
	return uses
}

package kustomize

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/helm"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
	"github.com/dockershim-lint/dockershim-lint/render/source"
	"go.yaml.in/yaml/v3"
)

// FileNames are the file names that make a directory a
// kustomization, in the order kustomize itself looks for them.
var FileNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// FileIn returns the kustomization file of dir, or "" when dir is
// not a kustomization.
func FileIn(dir string) string {
	for _, name := range FileNames {
		p := filepath.Join(dir, name)
		if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// kustSpec is what dockershim-lint reads from one kustomization file itself,
// before kustomize sees it: the files and directories it uses, and what it
// would need to fetch. Paths are absolute.
type kustSpec struct {
	file string
	dir  string
	// data is the file as read, before kustomize is served a rewritten copy.
	data []byte
	root *yaml.Node
	// boundary is where the files the kustomization names may lie.
	boundary *source.Boundary
	// files are the local files the kustomization consumes: resources,
	// patches, generator inputs, replacement sources, plugin configs.
	files []string
	// dirs are local bases and components, kustomizations themselves.
	dirs []string
	// resources maps each local resource, file or directory, to its
	// entry in the kustomization, so a built object whose source cannot
	// be told apart is reported there.
	resources map[string]*yaml.Node
	// components are the local components, in the order they apply.
	components []string
	// charts are the helmCharts entries.
	charts []helmChartRef
	// errs are problems found without building: remote references, charts
	// that would need pulling, YAML errors.
	errs []error
}

// helmChartRef is one helmCharts entry of a kustomization.
type helmChartRef struct {
	// dir is where kustomize would look for the chart on disk.
	dir string
	// valuesFiles are the entry's valuesFile and additionalValuesFiles.
	valuesFiles []string
	// values are the layers of values the chart renders with, valuesInline
	// among them (see valuesLayers).
	values    []helm.ValuesSource
	name      string
	release   string
	namespace string
}

// readKustomization parses the kustomization file of dir. It returns nil and
// no error when dir has none. A base outside the boundary is refused before
// its file is read.
func readKustomization(dir string, boundary *source.Boundary) (*kustSpec, error) {
	file := FileIn(dir)
	if file == "" {
		return nil, nil
	}
	data, err := boundary.ReadFile(filepath.ToSlash(file), file)
	if err != nil {
		return nil, err
	}
	return parseKustomization(file, data, boundary)
}

// parseKustomization reads what the kustomization file holding data uses.
func parseKustomization(file string, data []byte, boundary *source.Boundary) (*kustSpec, error) {
	dir := filepath.Dir(file)
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, manifest.SyntaxError(filepath.ToSlash(file), data, err)
	}
	lint.IndexLines(data).RenumberNodes(&doc)
	k := &kustSpec{file: file, dir: dir, data: data, boundary: boundary}
	if len(doc.Content) == 0 {
		return k, nil
	}
	k.root = doc.Content[0]
	if k.root.Kind != yaml.MappingNode {
		return nil, &lint.InputError{File: filepath.ToSlash(file), Line: k.root.Line, Message: "a kustomization must be a YAML mapping"}
	}
	for _, field := range []string{"resources", "bases", "components"} {
		for _, item := range lint.Items(lint.Get(k.root, field)) {
			k.addResource(item, field != "components")
		}
	}
	for _, field := range []string{"crds", "configurations", "patchesStrategicMerge", "generators", "transformers", "validators"} {
		for _, item := range lint.Items(lint.Get(k.root, field)) {
			// Inline entries (a patch or plugin config written in place)
			// span lines; only one-line entries name files.
			if !strings.Contains(lint.Scalar(item), "\n") {
				k.addFile(item)
			}
		}
	}
	for _, field := range []string{"patches", "patchesJson6902", "replacements"} {
		for _, item := range lint.Items(lint.Get(k.root, field)) {
			k.addFile(lint.Get(item, "path"))
		}
	}
	k.addFile(lint.Path(k.root, "openapi", "path"))
	for _, field := range []string{"configMapGenerator", "secretGenerator"} {
		for _, gen := range lint.Items(lint.Get(k.root, field)) {
			for _, f := range lint.Items(lint.Get(gen, "files")) {
				k.addGeneratorFile(f)
			}
			for _, f := range lint.Items(lint.Get(gen, "envs")) {
				k.addFile(f)
			}
			k.addFile(lint.Get(gen, "env"))
		}
	}
	k.readHelmCharts()
	return k, nil
}

func (k *kustSpec) errorf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	k.errs = append(k.errs, &lint.InputError{File: filepath.ToSlash(k.file), Line: line, Message: fmt.Sprintf(format, args...)})
}

func (k *kustSpec) addResource(n *yaml.Node, resource bool) {
	p, ok := k.localPath(n)
	if !ok {
		return
	}
	if !resource {
		k.components = append(k.components, filepath.Clean(p))
	} else {
		if k.resources == nil {
			k.resources = map[string]*yaml.Node{}
		}
		k.resources[filepath.Clean(p)] = n
	}
	if info, err := os.Stat(p); err == nil && info.IsDir() {
		k.dirs = append(k.dirs, p)
		return
	}
	if k.inRoot(n, p) {
		k.files = append(k.files, p)
	}
}

// addFile adds the file an entry names. Generators and transformers may
// name a directory, a kustomization of their own, which may lie anywhere.
func (k *kustSpec) addFile(n *yaml.Node) {
	p, ok := k.localPath(n)
	if !ok {
		return
	}
	if info, err := os.Stat(p); (err == nil && info.IsDir()) || k.inRoot(n, p) {
		k.files = append(k.files, p)
	}
}

// inRoot reports whether the file at path lies in or below the
// kustomization's directory, as kustomize's root-only load restriction
// requires of every file it reads (bases and components, directories, may
// lie anywhere in the repository), and records an error at the entry when
// it does not: kustomize's own error names no line. Only the directories
// are resolved, as kustomize resolves them, so a file this refuses is never
// one kustomize would accept.
func (k *kustSpec) inRoot(n *yaml.Node, path string) bool {
	if lint.Within(source.Resolve(k.dir), filepath.Join(source.Resolve(filepath.Dir(path)), filepath.Base(path))) {
		return true
	}
	k.errorf(n, "%s is not in or below the kustomization's directory: kustomize reads the files a kustomization names only from there", lint.Scalar(n))
	return false
}

// localPath is the file a kustomization entry names, relative to the
// kustomization; a remote one is an error, since nothing is fetched.
func (k *kustSpec) localPath(n *yaml.Node) (string, bool) {
	return k.localRef(n, lint.Scalar(n))
}

// localRef is localPath for ref, the part of n's value that names a file.
func (k *kustSpec) localRef(n *yaml.Node, ref string) (string, bool) {
	if ref == "" {
		return "", false
	}
	if isRemote(k.dir, ref) {
		k.errorf(n, "remote resources are not fetched: %s", ref)
		return "", false
	}
	path := k.join(ref)
	if err := k.boundary.Check(path); err != nil {
		k.errorf(n, "%s", source.DescribeError(err))
		return "", false
	}
	return path, true
}

// join is the OS path of ref, a path the kustomization names: kustomize
// reads an absolute one as it is, not below the directory.
func (k *kustSpec) join(ref string) string {
	path := filepath.FromSlash(ref)
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(k.dir, path)
}

// addGeneratorFile reads a configMapGenerator files entry, "path" or
// "key=path".
func (k *kustSpec) addGeneratorFile(n *yaml.Node) {
	ref := lint.Scalar(n)
	if _, path, ok := strings.Cut(ref, "="); ok {
		ref = path
	}
	if p, ok := k.localRef(n, ref); ok && k.inRoot(n, p) {
		k.files = append(k.files, p)
	}
}

func (k *kustSpec) readHelmCharts() {
	charts := lint.Get(k.root, "helmCharts")
	if charts == nil {
		return
	}
	home := lint.Scalar(lint.Path(k.root, "helmGlobals", "chartHome"))
	if home == "" {
		home = "charts"
	}
	for _, entry := range lint.Items(charts) {
		name := lint.Scalar(lint.Get(entry, "name"))
		ref := helmChartRef{
			dir:       filepath.Join(k.join(home), filepath.FromSlash(name)),
			name:      name,
			release:   lint.Scalar(lint.Get(entry, "releaseName")),
			namespace: lint.Scalar(lint.Get(entry, "namespace")),
		}
		if err := k.boundary.Check(ref.dir); err != nil {
			k.errorf(entry, "helm chart %q: %s", name, source.DescribeError(err))
			continue
		}
		refused := false
		valuesFiles := []*yaml.Node{lint.Get(entry, "valuesFile")}
		for _, v := range lint.Items(lint.Get(entry, "additionalValuesFiles")) {
			valuesFiles = append(valuesFiles, v)
		}
		valuesFile := ""
		for i, v := range valuesFiles {
			if lint.Scalar(v) == "" {
				continue
			}
			if strings.Contains(lint.Scalar(v), "://") {
				k.errorf(v, "values file of helm chart %q: remote values files are not fetched: %s", name, lint.Scalar(v))
				refused = true
				continue
			}
			path := k.join(lint.Scalar(v))
			if err := k.boundary.Check(path); err != nil {
				k.errorf(v, "values file of helm chart %q: %s", name, source.DescribeError(err))
				refused = true
			}
			if i == 0 {
				valuesFile = path
			}
			ref.valuesFiles = append(ref.valuesFiles, path)
		}
		if refused {
			continue
		}
		values, err := valuesLayers(entry, ref.dir, k.file, valuesFile, ref.valuesFiles)
		if err != nil {
			k.errorf(lint.Get(entry, "valuesMerge"), "helm chart %q: %v", name, err)
			continue
		}
		ref.values = values
		if _, err := os.Stat(filepath.Join(ref.dir, "Chart.yaml")); err != nil {
			k.errorf(entry, "helm chart %q is not in %s and would need pulling: charts are not fetched", name, filepath.ToSlash(filepath.Join(home, name)))
			continue
		}
		k.files = append(k.files, ref.valuesFiles...)
		k.charts = append(k.charts, ref)
	}
}

var remoteRef = regexp.MustCompile(`^(?:[a-z][a-z0-9+.-]*://|git::|git@|(?:github\.com|gitlab\.com|bitbucket\.org)/)`)

// isRemote reports whether a resource reference names something kustomize
// would download: a URL, a git reference, or a host-qualified repository
// path that is not a local directory.
func isRemote(dir, ref string) bool {
	if remoteRef.MatchString(ref) || strings.Contains(ref, "?ref=") || strings.Contains(ref, "?version=") {
		return true
	}
	first, _, hasSlash := strings.Cut(ref, "/")
	if !hasSlash || !strings.Contains(first, ".") || strings.HasPrefix(first, ".") {
		return false
	}
	_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(first)))
	return errors.Is(err, os.ErrNotExist)
}

// kustTree is a kustomization with every local base and component below it,
// read without building.
type kustTree struct {
	specs []*kustSpec
	// consumed holds every file and kustomization file the tree uses.
	consumed map[string]bool
	errs     []error
}

// scanKustomization reads the kustomization in dir and, recursively, its
// local bases and components. A base seen twice (a cycle, or a diamond) is
// read once; kustomize reports cycles itself when it builds.
func scanKustomization(dir string, boundary *source.Boundary) *kustTree {
	t := &kustTree{consumed: map[string]bool{}}
	seen := map[string]bool{}
	var visit func(dir string)
	visit = func(dir string) {
		if seen[dir] {
			return
		}
		seen[dir] = true
		k, err := readKustomization(dir, boundary)
		if err != nil {
			t.errs = append(t.errs, err)
			return
		}
		if k == nil {
			return
		}
		t.specs = append(t.specs, k)
		t.errs = append(t.errs, k.errs...)
		t.consumed[k.file] = true
		for _, f := range k.files {
			t.consumed[f] = true
		}
		for _, d := range k.dirs {
			visit(d)
		}
	}
	visit(filepath.Clean(dir))
	return t
}

// FilesUsed is every local file the kustomization in dir uses, through its
// bases and components too, as absolute paths. Discovery asks it so that a
// file an overlay builds is not linted again on its own.
func FilesUsed(dir string, boundary *source.Boundary) map[string]bool {
	return scanKustomization(dir, boundary).consumed
}

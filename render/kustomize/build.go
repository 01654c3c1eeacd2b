package kustomize

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
	"github.com/dockershim-lint/dockershim-lint/render/source"
	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

const (
	originAnnotation         = "config.kubernetes.io/origin"
	transformationAnnotation = "alpha.config.kubernetes.io/transformations"
)

// Kustomization is a kustomization directory, built in-process the way
// `kustomize build` would, but without plugins, downloads or reads outside
// the repository. Findings point at the base file or the patch that
// introduced each field.
type Kustomization struct {
	// Dir is the directory as the user named it (an OS path).
	Dir string
	// boundary is where the files of the build may lie, beyond kustomize's
	// own root-only load restrictions.
	boundary *source.Boundary

	// directives are the ignore comments of the files the build read.
	directives []lint.Directive
}

// New returns the input that builds the kustomization in dir. Its build
// reads nothing outside boundary; nil means the boundary of a run over dir
// alone.
func New(dir string, boundary *source.Boundary) *Kustomization {
	if boundary == nil {
		boundary = source.NewBoundary([]string{dir})
	}
	return &Kustomization{Dir: dir, boundary: boundary}
}

// Name is the kustomization file, which build errors are about.
func (k *Kustomization) Name() string {
	if f := FileIn(k.Dir); f != "" {
		return filepath.ToSlash(f)
	}
	return filepath.ToSlash(filepath.Join(k.Dir, FileNames[0]))
}

// Directives returns the ignore comments of every file the last Load read:
// kustomization files, resources, patches and the files of helmCharts.
func (k *Kustomization) Directives() []lint.Directive { return k.directives }

func (k *Kustomization) Load() ([]*lint.Object, error) {
	absDir, err := filepath.Abs(k.Dir)
	if err != nil {
		return nil, &lint.InputError{File: k.Name(), Message: err.Error()}
	}
	absDir = filepath.Clean(absDir)
	// Remote references are refused before kustomize sees them, so the
	// answer is ours and immediate rather than a clone that times out.
	tree := scanKustomization(absDir, k.boundary)
	if len(tree.errs) > 0 {
		return nil, k.relativeErrors(absDir, tree.errs)
	}
	if len(tree.specs) == 0 {
		return nil, &lint.InputError{File: k.Name(), Message: "not a kustomization: no kustomization.yaml, kustomization.yml or Kustomization"}
	}
	root := tree.specs[0]
	for _, spec := range tree.specs[1:] {
		if spec.root != nil && lint.Get(spec.root, "helmCharts") != nil {
			return nil, &lint.InputError{File: k.display(absDir, spec.file), Line: lint.Get(spec.root, "helmCharts").Line, Message: "helmCharts in a base or component are not supported; lint the base on its own"}
		}
	}
	served, err := buildKustomizationFile(root)
	if err != nil {
		return nil, &lint.InputError{File: k.Name(), Message: err.Error()}
	}
	// kustomize is served a rewritten root file whose lines differ from
	// the user's: the user's bytes are the ones to locate and parse.
	k.directives = lint.ParseDirectives(k.display(absDir, root.file), root.data)
	read := map[string][]byte{root.file: root.data}
	fsys := &boundedFS{
		FileSystem: filesys.MakeFsOnDisk(),
		boundary:   k.boundary,
		served:     map[string][]byte{root.file: served},
		onRead: func(path string, data []byte) {
			abs := source.Abs(path)
			read[abs] = data
			k.directives = append(k.directives, lint.ParseDirectives(k.display(absDir, abs), data)...)
		},
	}
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsRootOnly
	opts.PluginConfig = types.DisabledPluginConfig()
	m, err := krusty.MakeKustomizer(opts).Run(fsys, absDir)
	if err != nil {
		return nil, &lint.InputError{File: k.Name(), Message: "kustomize build failed: " + strings.ReplaceAll(err.Error(), absDir, filepath.ToSlash(k.Dir))}
	}

	b := &kustBuild{rootFile: root.file, absDir: absDir, dir: k.Dir, boundary: k.boundary, read: read, sources: map[string]*sourceFile{}, specs: map[string]*kustSpec{}}
	// The scan parsed every kustomization of the tree: the locator takes
	// those the build read rather than parsing them again.
	for _, spec := range tree.specs {
		if b.wasRead(spec.file) {
			b.specs[spec.file] = spec
		}
	}
	origin := "kustomization " + filepath.ToSlash(k.Dir)
	var objects []*lint.Object
	var errs []error
	for _, r := range m.Resources() {
		data, err := r.AsYAML()
		if err != nil {
			errs = append(errs, &lint.InputError{File: k.Name(), Message: "cannot read built resource: " + err.Error()})
			continue
		}
		built, err := manifest.Decode(k.Name(), data)
		if err != nil {
			errs = append(errs, err)
		}
		for _, obj := range built {
			loc := b.newLocator(obj)
			obj.Locator = loc
			obj.File = loc.objectFile()
			obj.Source = origin
			objects = append(objects, obj)
		}
	}
	b.objects = objects
	for _, chart := range root.charts {
		chartObjects, err := k.renderChart(absDir, chart)
		objects = append(objects, chartObjects...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return objects, errors.Join(errs...)
}

// relativeErrors names the files of scan errors the way the user named the
// kustomization.
func (k *Kustomization) relativeErrors(absDir string, errs []error) error {
	out := make([]error, 0, len(errs))
	for _, err := range errs {
		var ie *lint.InputError
		if errors.As(err, &ie) {
			copied := *ie
			copied.File = k.display(absDir, filepath.FromSlash(ie.File))
			err = &copied
		}
		out = append(out, err)
	}
	return errors.Join(out...)
}

// display turns an absolute path of the build into the path findings carry:
// relative to the kustomization directory as the user named it.
func (k *Kustomization) display(absDir, abs string) string {
	rel, err := filepath.Rel(absDir, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(filepath.Join(k.Dir, rel))
}

// buildKustomizationFile is the root kustomization as kustomize is given
// it: with origin and transformer annotations switched on, so every built
// object says which file and which patches it came from, and without
// helmCharts, which dockershim-lint renders itself rather than through the
// helm binary. The user's file is never written.
func buildKustomizationFile(k *kustSpec) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(k.data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	root := doc.Content[0]
	var kept []*yaml.Node
	metadata := []string{types.OriginAnnotations, types.TransformerAnnotations}
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch root.Content[i].Value {
		case "helmCharts", "helmGlobals":
			continue
		case "buildMetadata":
			for _, item := range lint.Items(root.Content[i+1]) {
				if v := lint.Scalar(item); !slices.Contains(metadata, v) {
					metadata = append(metadata, v)
				}
			}
			continue
		}
		kept = append(kept, root.Content[i], root.Content[i+1])
	}
	list := &yaml.Node{Kind: yaml.SequenceNode}
	for _, v := range metadata {
		list.Content = append(list.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: v})
	}
	kept = append(kept, &yaml.Node{Kind: yaml.ScalarNode, Value: "buildMetadata"}, list)
	root.Content = kept
	return yaml.Marshal(&doc)
}

// boundedFS is the file system a build sees: the disk, read-only, refusing
// any path outside the boundary, with some files served from memory.
type boundedFS struct {
	filesys.FileSystem
	boundary *source.Boundary
	served   map[string][]byte
	// onRead, when set, sees every file read from disk, so ignore
	// comments are found in the bytes kustomize reads anyway.
	onRead func(path string, data []byte)
}

var errReadOnly = errors.New("dockershim-lint never writes during a kustomize build")

func (f *boundedFS) check(path string) error {
	return f.boundary.Check(path)
}

// ReadFile reads through the one reader, so a FIFO or device named as a
// resource, patch or generator file is an error, not a hang, and nothing
// over the size limit is read.
func (f *boundedFS) ReadFile(path string) ([]byte, error) {
	if data, ok := f.served[filepath.Clean(path)]; ok {
		return data, nil
	}
	data, err := f.boundary.ReadFile(filepath.ToSlash(path), path)
	if err != nil {
		return nil, err
	}
	// kustomize expands aliases as it reads, so a bomb must be stopped
	// before it gets the bytes.
	if err := manifest.CheckYAMLLimits(path, data); err != nil {
		return nil, err
	}
	if f.onRead != nil {
		f.onRead(path, data)
	}
	return data, nil
}

// Open is ReadFile's bytes behind kustomize's file interface.
func (f *boundedFS) Open(path string) (filesys.File, error) {
	data, err := f.ReadFile(path)
	if err != nil {
		return nil, err
	}
	mem := filesys.MakeFsInMemory()
	if err := mem.WriteFile(path, data); err != nil {
		return nil, err
	}
	return mem.Open(path)
}

func (f *boundedFS) Exists(path string) bool {
	return f.check(path) == nil && f.FileSystem.Exists(path)
}

func (f *boundedFS) IsDir(path string) bool {
	return f.check(path) == nil && f.FileSystem.IsDir(path)
}

func (f *boundedFS) ReadDir(path string) ([]string, error) {
	if err := f.check(path); err != nil {
		return nil, err
	}
	return f.FileSystem.ReadDir(path)
}

func (f *boundedFS) CleanedAbs(path string) (filesys.ConfirmedDir, string, error) {
	if err := f.check(path); err != nil {
		return "", "", err
	}
	return f.FileSystem.CleanedAbs(path)
}

func (f *boundedFS) Glob(pattern string) ([]string, error) {
	if err := f.check(pattern); err != nil {
		return nil, err
	}
	return f.FileSystem.Glob(pattern)
}

func (f *boundedFS) Walk(path string, fn filepath.WalkFunc) error {
	if err := f.check(path); err != nil {
		return err
	}
	return f.FileSystem.Walk(path, fn)
}

func (f *boundedFS) Create(string) (filesys.File, error) { return nil, errReadOnly }
func (f *boundedFS) Mkdir(string) error                  { return errReadOnly }
func (f *boundedFS) MkdirAll(string) error               { return errReadOnly }
func (f *boundedFS) RemoveAll(string) error              { return errReadOnly }
func (f *boundedFS) WriteFile(string, []byte) error      { return errReadOnly }

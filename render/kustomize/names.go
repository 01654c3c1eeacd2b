package kustomize

import (
	"maps"
	"path/filepath"
	"slices"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// nameChain is one way a resource file reaches the build: the
// kustomizations from the root down to the one listing the file, and that
// listing entry. Each kustomization renames what it builds with its
// namePrefix and nameSuffix (and those of its components) after applying
// its own patches, so the name an object has when a kustomization's patches
// see it is its source name renamed by the kustomizations below only.
type nameChain struct {
	// specs run from the root kustomization to the one listing the file.
	specs []*kustSpec
	entry *yaml.Node
}

// nameAt is name as the patches of specs[level] see it: renamed by every
// kustomization below that level. nameAt(0) renamed by the root too is the
// built name, which built returns.
func (b *kustBuild) nameAt(c nameChain, level int, name string) string {
	for i := len(c.specs) - 1; i > level; i-- {
		// A component's renames are its user's: rename applies them there.
		if !slices.Contains(c.specs[i-1].components, filepath.Dir(c.specs[i].file)) {
			name = b.rename(c.specs[i], name)
		}
	}
	return name
}

func (b *kustBuild) built(c nameChain, name string) string {
	return b.rename(c.specs[0], b.nameAt(c, 0, name))
}

// level is the index of the kustomization file abs in the chain, or -1.
func (c nameChain) level(abs string) int {
	return slices.IndexFunc(c.specs, func(s *kustSpec) bool { return s.file == abs })
}

// rename applies the kustomization's namePrefix and nameSuffix, its
// components' first, as kustomize runs a component's transformers before
// those of the kustomization that uses it.
func (b *kustBuild) rename(k *kustSpec, name string) string {
	for _, dir := range k.components {
		if c := b.specIn(dir); c != nil {
			name = b.rename(c, name)
		}
	}
	return lint.Scalar(lint.Get(k.root, "namePrefix")) + name + lint.Scalar(lint.Get(k.root, "nameSuffix"))
}

// specIn is the kustomization the build read in dir. It looks in what the
// build read, not on disk: rename runs for every finding located, and a
// kustomization the build did not read has no spec anyway.
func (b *kustBuild) specIn(dir string) *kustSpec {
	for _, name := range FileNames {
		if file := filepath.Join(dir, name); b.wasRead(file) {
			return b.spec(file)
		}
	}
	return nil
}

// chains lists every way the resource file or kustomization file abs
// reaches the build. They are found once per build.
func (b *kustBuild) chains(abs string) []nameChain {
	b.chainsOnce.Do(func() {
		b.resourceChains = map[string][]nameChain{}
		if root := b.spec(b.rootFile); root != nil {
			b.walkChains([]*kustSpec{root}, b.resourceChains)
		}
	})
	return b.resourceChains[filepath.Clean(abs)]
}

// walkChains records the chains through path, whose last kustomization
// lists resources; a kustomization already on path (a cycle, which
// kustomize refuses anyway) is not entered again.
func (b *kustBuild) walkChains(path []*kustSpec, all map[string][]nameChain) {
	spec := path[len(path)-1]
	// A kustomization's own chain names its generators' output.
	all[spec.file] = append(all[spec.file], nameChain{specs: slices.Clone(path)})
	for _, dir := range spec.components {
		if child := b.specIn(dir); child != nil && !slices.ContainsFunc(path, func(s *kustSpec) bool { return s.file == child.file }) {
			b.walkChains(append(slices.Clip(path), child), all)
		}
	}
	for _, abs := range slices.Sorted(maps.Keys(spec.resources)) {
		file := FileIn(abs)
		if file == "" {
			all[abs] = append(all[abs], nameChain{specs: slices.Clone(path), entry: spec.resources[abs]})
			continue
		}
		child := b.spec(filepath.Clean(file))
		if child == nil || slices.ContainsFunc(path, func(s *kustSpec) bool { return s.file == child.file }) {
			continue
		}
		b.walkChains(append(slices.Clip(path), child), all)
	}
}

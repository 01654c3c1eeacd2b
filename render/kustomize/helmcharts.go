package kustomize

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/helm"
	"go.yaml.in/yaml/v3"
)

// renderChart renders one helmCharts entry of a kustomization with the
// in-process Helm renderer, as kustomize would with the helm binary. Its
// objects are linted as the chart produces them: the kustomization's own
// transformers and patches are not applied on top.
func (k *Kustomization) renderChart(absDir string, chart helmChartRef) ([]*lint.Object, error) {
	opts := helm.Options{ReleaseName: chart.release, Namespace: chart.namespace}
	// Values files and inline values are named as the user named the
	// kustomization, as every other file of the build is.
	for _, v := range chart.values {
		if v.Path != "" {
			v.Path = filepath.FromSlash(k.display(absDir, v.Path))
		}
		if v.File != "" {
			v.File = k.display(absDir, filepath.FromSlash(v.File))
		}
		opts.Values = append(opts.Values, v)
	}
	in := helm.NewChart(filepath.FromSlash(k.display(absDir, chart.dir)), opts)
	objects, err := in.Load()
	if ds, ok := in.(lint.DirectiveSource); ok {
		k.directives = append(k.directives, ds.Directives()...)
	}
	for _, obj := range objects {
		if obj.Source == "" {
			obj.Source = "kustomization " + filepath.ToSlash(k.Dir)
		} else {
			obj.Source = "kustomization " + filepath.ToSlash(k.Dir) + ", " + obj.Source
		}
	}
	return objects, err
}

// valuesMergeModes are the values of a helmCharts entry's valuesMerge.
var valuesMergeModes = []string{"override", "merge", "replace"}

// valuesLayers orders a helmCharts entry's values as kustomize hands them
// to helm. Without valuesInline they are the files (valuesFile, then
// additionalValuesFiles). With it, kustomize writes one values file from
// valuesFile (by default the chart's values.yaml) and valuesInline
// according to valuesMerge: override (the default) merges valuesInline
// over the file, merge merges it under the file (it only adds what the
// file lacks), replace uses valuesInline alone. additionalValuesFiles
// still apply after that file. Layered values merge maps key by key as
// kustomize's merge does, so the layers give the same values.
func valuesLayers(entry *yaml.Node, chartDir, kustFile, valuesFile string, files []string) ([]helm.ValuesSource, error) {
	inline := lint.Get(entry, "valuesInline")
	mode := lint.Scalar(lint.Get(entry, "valuesMerge"))
	if mode == "" {
		mode = "override"
	}
	if !slices.Contains(valuesMergeModes, mode) {
		return nil, fmt.Errorf("valuesMerge %q is not one of %v", mode, valuesMergeModes)
	}
	var layers []helm.ValuesSource
	if inline == nil || inline.Kind != yaml.MappingNode || len(inline.Content) == 0 {
		for _, f := range files {
			layers = append(layers, helm.ValuesSource{Path: f})
		}
		return layers, nil
	}
	additional := files
	if valuesFile != "" {
		additional = files[1:]
	}
	inlineLayer := helm.ValuesSource{Inline: inline, File: filepath.ToSlash(kustFile)}
	switch mode {
	case "override":
		if valuesFile != "" {
			layers = append(layers, helm.ValuesSource{Path: valuesFile})
		}
		layers = append(layers, inlineLayer)
	case "merge":
		layers = append(layers, inlineLayer)
		if valuesFile == "" {
			// The chart's own values.yaml, which Helm applies under
			// everything, here goes over valuesInline too.
			if p := filepath.Join(chartDir, "values.yaml"); fileExists(p) {
				valuesFile = p
			}
		}
		if valuesFile != "" {
			layers = append(layers, helm.ValuesSource{Path: valuesFile})
		}
	case "replace":
		layers = append(layers, inlineLayer)
	}
	for _, f := range additional {
		layers = append(layers, helm.ValuesSource{Path: f})
	}
	return layers, nil
}

func fileExists(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

package kustomize

import (
	"path/filepath"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/helm"
)

// renderChart renders one helmCharts entry of a kustomization with the
// in-process Helm renderer, as kustomize would with the helm binary. Its
// objects are linted as the chart produces them: the kustomization's own
// transformers and patches are not applied on top.
func (k *Kustomization) renderChart(absDir string, chart helmChartRef) ([]*lint.Object, error) {
	opts := helm.Options{ReleaseName: chart.release, Namespace: chart.namespace}
	opts.ValuesFiles = append(opts.ValuesFiles, chart.valuesFiles...)
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

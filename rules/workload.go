package rules

import (
	"strconv"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// Workload is an object that runs pods: the object and its pod spec.
type Workload struct {
	Object *lint.Object
	Spec   *yaml.Node
	// SpecPath is the pod spec's field path, such as "spec.template.spec".
	SpecPath string
}

// podSpecPaths are where pod specs live, tried in order. The first two cover
// Pod and PodTemplate; the others every controller under every apiVersion it
// was published with (extensions/v1beta1, apps/v1beta2, batch/v1beta1 ...)
// and any custom resource shaped like one (Argo Rollouts, OpenKruise).
var podSpecPaths = [][]string{
	{"spec", "template", "spec"},
	{"spec", "jobTemplate", "spec", "template", "spec"},
}

// workloadOf returns the workload view of obj, or nil when obj runs no pods.
func workloadOf(obj *lint.Object) *Workload {
	switch obj.Kind {
	case "":
		// Not a Kubernetes object (see render.Decode): nothing runs it.
		return nil
	case "Pod":
		return newWorkload(obj, []string{"spec"})
	case "PodTemplate":
		return newWorkload(obj, []string{"template", "spec"})
	}
	for _, path := range podSpecPaths {
		if w := newWorkload(obj, path); w != nil {
			return w
		}
	}
	return nil
}

func newWorkload(obj *lint.Object, path []string) *Workload {
	spec := lint.Path(obj.Node, path...)
	if lint.Get(spec, "containers") == nil {
		return nil
	}
	return &Workload{Object: obj, Spec: spec, SpecPath: strings.Join(path, ".")}
}

// Container is one container, init container or ephemeral container.
type Container struct {
	Node *yaml.Node
	// Path is the container's field path, such as
	// "spec.template.spec.initContainers[0]".
	Path  string
	Name  string
	Image *yaml.Node
}

var containerLists = []string{"containers", "initContainers", "ephemeralContainers"}

// Containers lists every container of the pod spec, init and ephemeral ones
// included.
func (w *Workload) Containers() []Container {
	var out []Container
	for _, list := range containerLists {
		for i, c := range lint.Items(lint.Get(w.Spec, list)) {
			out = append(out, Container{
				Node:  c,
				Path:  index(w.SpecPath+"."+list, i),
				Name:  lint.Scalar(lint.Get(c, "name")),
				Image: lint.Get(c, "image"),
			})
		}
	}
	return out
}

// index appends a sequence index to a field path.
func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

package rules

import (
	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// Workload is an object that runs pods: the object and its pod spec.
type Workload struct {
	Object *lint.Object
	Spec   *yaml.Node
	// SpecPath is the pod spec's field path, such as spec.template.spec.
	SpecPath lint.FieldPath
}

// podSpecPaths are where pod specs live, tried in order. The first two cover
// Pod and PodTemplate; the others every controller under every apiVersion it
// was published with (extensions/v1beta1, apps/v1beta2, batch/v1beta1 ...)
// and any custom resource shaped like one (Argo Rollouts, OpenKruise).
var podSpecPaths = []podSpecPath{
	{keys: []string{"spec", "template", "spec"}, field: lint.KeyPath("spec", "template", "spec")},
	{keys: []string{"spec", "jobTemplate", "spec", "template", "spec"}, field: lint.KeyPath("spec", "jobTemplate", "spec", "template", "spec")},
}

// podSpecPath is where a pod spec lives, as keys to follow and as the
// field path findings name.
type podSpecPath struct {
	keys  []string
	field lint.FieldPath
}

var (
	podSpec         = podSpecPath{keys: []string{"spec"}, field: lint.KeyPath("spec")}
	podTemplateSpec = podSpecPath{keys: []string{"template", "spec"}, field: lint.KeyPath("template", "spec")}
)

// workloadOf returns the workload view of obj, or nil when obj runs no pods.
func workloadOf(obj *lint.Object) *Workload {
	switch obj.Kind {
	case "":
		// Not a Kubernetes object (see render.Decode): nothing runs it.
		return nil
	case "Pod":
		return newWorkload(obj, podSpec)
	case "PodTemplate":
		return newWorkload(obj, podTemplateSpec)
	}
	for _, path := range podSpecPaths {
		if w := newWorkload(obj, path); w != nil {
			return w
		}
	}
	return nil
}

func newWorkload(obj *lint.Object, path podSpecPath) *Workload {
	spec := lint.Path(obj.Node, path.keys...)
	if lint.Get(spec, "containers") == nil {
		return nil
	}
	return &Workload{Object: obj, Spec: spec, SpecPath: path.field}
}

// Container is one container, init container or ephemeral container.
type Container struct {
	Node *yaml.Node
	// Path is the container's field path, such as
	// spec.template.spec.initContainers[0].
	Path  lint.FieldPath
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
				Path:  w.SpecPath.Append(lint.Key(list), lint.Index(i)),
				Name:  lint.Scalar(lint.Get(c, "name")),
				Image: lint.Get(c, "image"),
			})
		}
	}
	return out
}

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

	containers []Container
	// byName indexes volumes, mounts and environment variables by name,
	// built on first use: rules that looked each one up in the lists were
	// quadratic in the size of the pod (see podIndex).
	byName *podIndex
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

// workloadKey memoises the object's Workload, and with it the indexes every
// rule shares (see lint.Memo).
type workloadKey struct{}

// workloadOf returns the workload view of the object being checked, or nil
// when it runs no pods. It is built once per object for all rules.
func workloadOf(p *lint.Pass) *Workload {
	return lint.Memo(p, workloadKey{}, func() *Workload { return findWorkload(p.Object) })
}

func findWorkload(obj *lint.Object) *Workload {
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
// included. The slice is shared: callers must not modify it.
func (w *Workload) Containers() []Container {
	if w.containers != nil {
		return w.containers
	}
	out := []Container{}
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
	w.containers = out
	return out
}

// podIndex is what rules look up by name in a pod spec. Each list is read
// once, so a pod of thousands of volumes, mounts or variables costs rules
// time in proportion to its size.
type podIndex struct {
	// volumes holds the first volume of each name and its position in
	// the list: the one a search of the list finds.
	volumes map[string]indexedVolume
	// mounts holds the mounts of each volume, across containers, in the
	// order the containers and their mounts are written.
	mounts map[string][]volumeMount
	// containers indexes each container's own lists, on first use.
	containers map[*yaml.Node]*containerIndex
}

type indexedVolume struct {
	node *yaml.Node
	at   int
}

// containerIndex holds, for one container, the first environment variable
// of each name and the first mount at each cleaned mountPath.
type containerIndex struct {
	env     map[string]*yaml.Node
	mountAt map[string]*volumeMount
}

func (w *Workload) index() *podIndex {
	if w.byName != nil {
		return w.byName
	}
	x := &podIndex{
		volumes:    map[string]indexedVolume{},
		mounts:     map[string][]volumeMount{},
		containers: map[*yaml.Node]*containerIndex{},
	}
	for i, v := range lint.Items(lint.Get(w.Spec, "volumes")) {
		name := lint.Scalar(lint.Get(v, "name"))
		if _, ok := x.volumes[name]; !ok {
			x.volumes[name] = indexedVolume{node: v, at: i}
		}
	}
	for _, c := range w.Containers() {
		for j, m := range lint.Items(lint.Get(c.Node, "volumeMounts")) {
			name := lint.Scalar(lint.Get(m, "name"))
			x.mounts[name] = append(x.mounts[name], newVolumeMount(c, m, j))
		}
	}
	w.byName = x
	return x
}

func (w *Workload) containerIndex(c Container) *containerIndex {
	x := w.index()
	if ci := x.containers[c.Node]; ci != nil {
		return ci
	}
	ci := &containerIndex{env: map[string]*yaml.Node{}, mountAt: map[string]*volumeMount{}}
	for _, env := range lint.Items(lint.Get(c.Node, "env")) {
		name := lint.Scalar(lint.Get(env, "name"))
		if _, ok := ci.env[name]; !ok {
			ci.env[name] = env
		}
	}
	for j, m := range lint.Items(lint.Get(c.Node, "volumeMounts")) {
		mp := cleanHostPath(lint.Scalar(lint.Get(m, "mountPath")))
		if _, ok := ci.mountAt[mp]; mp == "" || ok {
			continue
		}
		vm := newVolumeMount(c, m, j)
		vm.mountPath = mp
		ci.mountAt[mp] = &vm
	}
	x.containers[c.Node] = ci
	return ci
}

func newVolumeMount(c Container, m *yaml.Node, j int) volumeMount {
	return volumeMount{
		container: c,
		node:      m,
		field:     c.Path.Append(lint.Key("volumeMounts"), lint.Index(j)),
		mountPath: lint.Scalar(lint.Get(m, "mountPath")),
		subPath:   lint.Scalar(lint.Get(m, "subPath")),
	}
}

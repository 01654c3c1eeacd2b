package rules

import (
	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// Workload is one pod an object runs: the object and the pod's spec. An
// object may run several (the templates of an Argo Workflow, the replica
// types of a TFJob).
type Workload struct {
	Object *lint.Object
	Spec   *yaml.Node
	// SpecPath is the pod spec's field path, such as spec.template.spec.
	SpecPath lint.FieldPath
	// shape says where the pod keeps its containers and volumes.
	shape *podShape

	containers []Container
	volumes    []shapeMatch
	// byName indexes volumes, mounts and environment variables by name,
	// built on first use: rules that looked each one up in the lists were
	// quadratic in the size of the pod (see podIndex).
	byName *podIndex
	// daemon is whether the pod runs its own Docker daemon, worked out
	// on first use: the environment and CLI rules both ask.
	daemon daemonState
}

type daemonState uint8

const (
	daemonUnknown daemonState = iota
	daemonAbsent
	daemonRuns
)

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

// workloadKey memoises the object's workloads, and with them the indexes
// every rule shares (see lint.Memo).
type workloadKey struct{}

// workloadsOf returns the pods the object being checked runs, or nil when
// it runs none. They are found once per object for all rules.
func workloadsOf(p *lint.Pass) []*Workload {
	return lint.Memo(p, workloadKey{}, func() []*Workload { return findWorkloads(p.Object) })
}

// workloadOf returns the object's first pod, which the vendor-agent rules
// match: an agent runs one pod template.
func workloadOf(p *lint.Pass) *Workload {
	if ws := workloadsOf(p); len(ws) > 0 {
		return ws[0]
	}
	return nil
}

// findWorkloads finds the object's pods: those of the built-in kinds and
// of anything with their layout, then those of the custom resources in
// podshapes.yaml, then any mapping under spec that looks like a pod spec.
func findWorkloads(obj *lint.Object) []*Workload {
	switch obj.Kind {
	case "":
		// Not a Kubernetes object (see render.Decode): nothing runs it.
		return nil
	case "Pod":
		return oneWorkload(newWorkload(obj, podSpec))
	case "PodTemplate":
		return oneWorkload(newWorkload(obj, podTemplateSpec))
	}
	for _, path := range podSpecPaths {
		if w := newWorkload(obj, path); w != nil {
			return []*Workload{w}
		}
	}
	if shape := shapeFor(obj); shape != nil {
		var out []*Workload
		for _, m := range findAll(shape.pods, obj.Node, lint.FieldPath{}) {
			w := &Workload{Object: obj, Spec: m.node, SpecPath: m.field, shape: shape}
			if len(w.Containers()) > 0 {
				out = append(out, w)
			}
		}
		return out
	}
	var out []*Workload
	for _, m := range genericPodSpecs(obj) {
		out = append(out, &Workload{Object: obj, Spec: m.node, SpecPath: m.field, shape: corePodShape})
	}
	return out
}

func oneWorkload(w *Workload) []*Workload {
	if w == nil {
		return nil
	}
	return []*Workload{w}
}

func newWorkload(obj *lint.Object, path podSpecPath) *Workload {
	spec := lint.Path(obj.Node, path.keys...)
	if lint.Get(spec, "containers") == nil {
		return nil
	}
	return &Workload{Object: obj, Spec: spec, SpecPath: path.field, shape: corePodShape}
}

// Container is one container, init container or ephemeral container.
type Container struct {
	Node *yaml.Node
	// Path is the container's field path, such as
	// spec.template.spec.initContainers[0].
	Path  lint.FieldPath
	Name  string
	Image *yaml.Node
	// scripts are the container's shell scripts written beside its
	// command (Argo's script source, Tekton's step script).
	scripts []argWord
}

// Containers lists every container of the pod spec, init and ephemeral ones
// included. The slice is shared: callers must not modify it.
func (w *Workload) Containers() []Container {
	if w.containers != nil {
		return w.containers
	}
	out := []Container{}
	for _, m := range findAll(w.shape.containers, w.Spec, w.SpecPath) {
		if m.node.Kind != yaml.MappingNode {
			continue
		}
		c := Container{
			Node:  m.node,
			Path:  m.field,
			Name:  lint.Scalar(lint.Get(m.node, "name")),
			Image: lint.Get(m.node, "image"),
		}
		if c.Name == "" {
			// An Argo template's container is named after the template;
			// a Spark driver or a Tekton stepTemplate by its field.
			c.Name = lint.Scalar(lint.Get(w.Spec, "name"))
		}
		if n := m.field.Len(); c.Name == "" && n > 0 {
			c.Name, _ = m.field.At(n - 1).Key()
		}
		for _, key := range w.shape.Scripts {
			if n := lint.Get(m.node, key); n != nil && n.Kind == yaml.ScalarNode && isShellScript(m.node, n.Value) {
				c.scripts = append(c.scripts, argWord{value: n.Value, node: n, field: m.field.Key(key)})
			}
		}
		out = append(out, c)
	}
	w.containers = out
	return out
}

// volumeLists are the pod's lists of volumes: its own, and those the
// object's pods share (an Argo Workflow's spec.volumes). The slice is
// shared: callers must not modify it.
func (w *Workload) volumeLists() []shapeMatch {
	if w.volumes == nil {
		w.volumes = append(findAll(w.shape.volumes, w.Spec, w.SpecPath), findAll(w.shape.sharedVolumes, w.Object.Node, lint.FieldPath{})...)
	}
	return w.volumes
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
	node  *yaml.Node
	field lint.FieldPath
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
	for _, list := range w.volumeLists() {
		for i, v := range lint.Items(list.node) {
			name := lint.Scalar(lint.Get(v, "name"))
			if _, ok := x.volumes[name]; !ok {
				x.volumes[name] = indexedVolume{node: v, field: list.field.Index(i)}
			}
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

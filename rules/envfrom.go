package rules

import (
	"slices"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// A container may take DOCKER_HOST, or a variable naming the Docker
// socket, from a ConfigMap: one key through valueFrom.configMapKeyRef, or
// every key through envFrom. When the ConfigMap is in the same input the
// value is known, and the finding goes where a person changes it: the
// ConfigMap's value, with the containers that read it related.

// configMapNamed returns the ConfigMap called name among objects that a
// pod of from can read: one in its namespace, or one whose namespace, like
// that of most rendered charts and plain manifests, is left to kubectl.
func configMapNamed(objects []*lint.Object, from *lint.Object, name string) *lint.Object {
	for _, o := range objects {
		if o.Kind == "ConfigMap" && o.Name == name && name != "" &&
			(o.Namespace == from.Namespace || o.Namespace == "" || from.Namespace == "") {
			return o
		}
	}
	return nil
}

// configMapKeyRef returns the ConfigMap value that env reads through
// valueFrom.configMapKeyRef, when that ConfigMap is among objects.
func configMapKeyRef(objects []*lint.Object, from *lint.Object, env *yaml.Node) *yaml.Node {
	ref := lint.Path(env, "valueFrom", "configMapKeyRef")
	if ref == nil {
		return nil
	}
	cm := configMapNamed(objects, from, lint.Scalar(lint.Get(ref, "name")))
	if cm == nil {
		return nil
	}
	return lint.Get(lint.Get(cm.Node, "data"), lint.Scalar(lint.Get(ref, "key")))
}

// configMapReader is a container that reads a ConfigMap key as the
// variable name; node is where it says so.
type configMapReader struct {
	w     *Workload
	c     Container
	name  string
	node  *yaml.Node
	field lint.FieldPath
	// envFrom is true for a reader of every key, through envFrom.
	envFrom bool
}

// configMapReaders lists the containers of objects that read key of cm.
func configMapReaders(objects []*lint.Object, cm *lint.Object, key string) []configMapReader {
	var out []configMapReader
	for _, o := range objects {
		if o == cm || o.Kind == "ConfigMap" {
			continue
		}
		for _, w := range findWorkloads(o) {
			for _, c := range w.Containers() {
				for j, env := range lint.Items(lint.Get(c.Node, "env")) {
					ref := lint.Path(env, "valueFrom", "configMapKeyRef")
					if ref == nil || lint.Scalar(lint.Get(ref, "key")) != key || configMapNamed([]*lint.Object{cm}, o, lint.Scalar(lint.Get(ref, "name"))) == nil {
						continue
					}
					out = append(out, configMapReader{
						w: w, c: c, name: lint.Scalar(lint.Get(env, "name")),
						node: lint.Get(env, "name"), field: c.Path.Key("env").Index(j).Key("name"),
					})
				}
				for j, from := range lint.Items(lint.Get(c.Node, "envFrom")) {
					ref := lint.Get(from, "configMapRef")
					if ref == nil || configMapNamed([]*lint.Object{cm}, o, lint.Scalar(lint.Get(ref, "name"))) == nil {
						continue
					}
					out = append(out, configMapReader{
						w: w, c: c, name: lint.Scalar(lint.Get(from, "prefix")) + key,
						node: lint.Get(ref, "name"), field: c.Path.Key("envFrom").Index(j).Key("configMapRef").Key("name"), envFrom: true,
					})
				}
			}
		}
	}
	return out
}

// configMapDockerHostEnv reports the values of the ConfigMap being checked
// that containers of the same input read as DOCKER_HOST or as a variable
// naming a Docker endpoint, judged for the first container that reads it.
func configMapDockerHostEnv(p *lint.Pass) []evidence {
	cm := p.Object
	var out []evidence
	for k, v := range lint.Entries(lint.Get(cm.Node, "data")) {
		value := lint.Scalar(v)
		ep, found := configuredEndpoint(value)
		// Most values name no endpoint: only those that do, and a
		// DOCKER_HOST key, are worth finding readers for.
		if !found && k.Value != "DOCKER_HOST" {
			continue
		}
		readers := configMapReaders(p.Objects, cm, k.Value)
		if !found {
			// A DOCKER_HOST read through configMapKeyRef is reported at
			// the container (podDockerHostEnv); through envFrom, the
			// container does not name it.
			readers = slices.DeleteFunc(readers, func(r configMapReader) bool { return !r.envFrom || r.name != "DOCKER_HOST" })
		}
		if len(readers) == 0 {
			continue
		}
		r := readers[0]
		who := "ConfigMap " + quote(cm.Name) + " sets " + r.name + " of container " + quote(r.c.Name) + " (" + r.w.Object.Kind + " " + r.w.Object.Name + ")"
		field := lint.KeyPath("data", k.Value)
		var e evidence
		switch {
		case found:
			e = endpointEvidence(r.w, r.c, r.w.runsDockerDaemon(), v, field, r.name, who, ep)
		default:
			e = unknownHostEvidence(v, field, who, value)
		}
		e.node, e.within = matchingLine(cm, v, namesEndpoint)
		// The mount endpointEvidence relates is in the reader's object.
		for i := range e.related {
			e.related[i].Object = r.w.Object
		}
		for _, r := range readers {
			e.related = append(e.related, lint.RelatedNode{
				Node: r.node, Field: r.field, Object: r.w.Object,
				Message: "read as " + r.name + " by container " + quote(r.c.Name) + " (" + r.w.Object.Kind + " " + r.w.Object.Name + ")",
			})
		}
		out = append(out, e)
	}
	return out
}

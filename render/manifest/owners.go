package manifest

import (
	"slices"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

// dropControlled leaves out the objects whose controller is among objects:
// `kubectl get pods,ds -o yaml` lists a DaemonSet's pods beside it, and
// each pod repeats its controller's findings. The controller is the object
// to change, so findings are reported on it alone. A pod whose controller
// is not in the input (its ReplicaSet was not listed) is kept.
func dropControlled(objects []*lint.Object) []*lint.Object {
	// Manifests in a repository carry no ownerReferences (the cluster
	// sets them): they are kept as they are, without a lookup table or a
	// copy per file.
	if !slices.ContainsFunc(objects, hasOwners) {
		return objects
	}
	type key struct{ kind, namespace, name string }
	present := map[key]string{}
	for _, obj := range objects {
		if obj.Kind != "" {
			present[key{obj.Kind, obj.Namespace, obj.Name}] = lint.Scalar(lint.Path(obj.Node, "metadata", "uid"))
		}
	}
	kept := objects[:0:0]
	for _, obj := range objects {
		controlled := false
		for _, ref := range lint.Items(lint.Path(obj.Node, "metadata", "ownerReferences")) {
			if lint.Scalar(lint.Get(ref, "controller")) != "true" {
				continue
			}
			kind, name, uid := lint.Scalar(lint.Get(ref, "kind")), lint.Scalar(lint.Get(ref, "name")), lint.Scalar(lint.Get(ref, "uid"))
			// An owner is in the object's namespace, or cluster-scoped.
			for _, ns := range []string{obj.Namespace, ""} {
				ownerUID, ok := present[key{kind, ns, name}]
				if ok && (uid == "" || ownerUID == "" || uid == ownerUID) {
					controlled = true
				}
			}
		}
		if !controlled {
			kept = append(kept, obj)
		}
	}
	return kept
}

func hasOwners(obj *lint.Object) bool {
	return lint.Path(obj.Node, "metadata", "ownerReferences") != nil
}

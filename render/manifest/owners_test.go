package manifest

import (
	"slices"
	"testing"
)

func TestDropControlled(t *testing.T) {
	const owner = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: mon, uid: u1}
`
	pod := func(meta string) string {
		return "---\napiVersion: v1\nkind: Pod\nmetadata: " + meta + "\n"
	}
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{
			name: "controller in the input",
			doc:  owner + pod(`{name: p, namespace: mon, ownerReferences: [{kind: DaemonSet, name: agent, uid: u1, controller: true}]}`),
			want: []string{"DaemonSet mon/agent"},
		},
		{
			name: "an owner that is not the controller",
			doc:  owner + pod(`{name: p, namespace: mon, ownerReferences: [{kind: DaemonSet, name: agent, uid: u1}]}`),
			want: []string{"DaemonSet mon/agent", "Pod mon/p"},
		},
		{
			name: "same name in another namespace",
			doc:  owner + pod(`{name: p, namespace: other, ownerReferences: [{kind: DaemonSet, name: agent, uid: u1, controller: true}]}`),
			want: []string{"DaemonSet mon/agent", "Pod other/p"},
		},
		{
			name: "same name, another object",
			doc:  owner + pod(`{name: p, namespace: mon, ownerReferences: [{kind: DaemonSet, name: agent, uid: u2, controller: true}]}`),
			want: []string{"DaemonSet mon/agent", "Pod mon/p"},
		},
		{
			name: "no owner references",
			doc:  owner + pod(`{name: p, namespace: mon}`),
			want: []string{"DaemonSet mon/agent", "Pod mon/p"},
		},
		{
			name: "controller not listed",
			doc:  pod(`{name: p, namespace: mon, ownerReferences: [{kind: ReplicaSet, name: rs, uid: u3, controller: true}]}`),
			want: []string{"Pod mon/p"},
		},
		{
			name: "a chain of controllers",
			doc: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: ns}\n" +
				"---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: d-1, namespace: ns, ownerReferences: [{kind: Deployment, name: d, controller: true}]}\n" +
				pod(`{name: d-1-x, namespace: ns, ownerReferences: [{kind: ReplicaSet, name: d-1, controller: true}]}`),
			want: []string{"Deployment ns/d"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objects, err := Decode("dump.yaml", []byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, obj := range dropControlled(objects) {
				got = append(got, obj.ObjectRef.String())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("kept %q, want %q", got, tt.want)
			}
		})
	}
}

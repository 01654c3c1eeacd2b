package rules

import (
	"slices"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
)

// TestPodShapesTable checks the embedded table: it parses, and no kind of
// a group is claimed by two shapes, which would make the second dead.
func TestPodShapesTable(t *testing.T) {
	shapes, err := parsePodShapes(podShapesYAML)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range shapes {
		for _, k := range s.Kinds {
			if seen[s.Group+"/"+k] {
				t.Errorf("%s %s is in two shapes", s.Group, k)
			}
			seen[s.Group+"/"+k] = true
		}
	}
	for _, bad := range []string{"spec..x", "spec.x[", "spec.[]", "spec.x*"} {
		if _, err := parseShapePath(bad); err == nil {
			t.Errorf("parseShapePath(%q) accepted a malformed path", bad)
		}
	}
}

// TestPodShapeFields pins the field paths and related mounts of findings
// in custom resources' pods, which fixtures cannot show.
func TestPodShapeFields(t *testing.T) {
	const src = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: wf
spec:
  volumes:
  - name: sock
    hostPath: {path: /var/run/docker.sock}
  templates:
  - name: a
    container:
      image: alpine
      volumeMounts: [{name: sock, mountPath: /var/run/docker.sock}]
  - name: b
    script:
      image: alpine
      volumeMounts: [{name: sock, mountPath: /sock/docker.sock}]
      source: docker ps
`
	tests := []struct {
		rule, field string
		related     int
	}{
		{rule: "docker-socket", field: "spec.volumes[0].hostPath.path", related: 2},
		{rule: "docker-cli", field: "spec.templates[1].script.source"},
	}
	objects, err := manifest.Decode("wf.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	findings := (&lint.Engine{Rules: Core()}).Check(objects)
	if len(findings) != len(tests) {
		t.Fatalf("got %d findings, want %d: %+v", len(findings), len(tests), findings)
	}
	lint.SortFindings(findings)
	for i, tt := range tests {
		f := findings[i]
		if f.Rule != tt.rule || f.Field.String() != tt.field || len(f.Related) != tt.related {
			t.Errorf("finding %d = %s at %s with %d related, want %s at %s with %d", i, f.Rule, f.Field, len(f.Related), tt.rule, tt.field, tt.related)
		}
	}
}

// TestGenericPodSpecSearch pins the generic search: a pod spec is found
// at any depth up to the limit, with its field path; deeper ones, and
// mappings whose containers lack a name or an image, are not; an alias
// inside its own anchor ends the walk.
func TestGenericPodSpecSearch(t *testing.T) {
	nest := func(depth int) string {
		src := "apiVersion: example.com/v1\nkind: Deep\nmetadata: {name: d}\nspec:\n"
		indent := "  "
		for range depth {
			src += indent + "x:\n"
			indent += "  "
		}
		return src + indent + "containers: [{name: c, image: i}]\n"
	}
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{name: "at spec", src: "apiVersion: example.com/v1\nkind: A\nmetadata: {name: a}\nspec:\n  containers: [{name: c, image: i}]\n", want: []string{"spec"}},
		{name: "two in a list", src: "apiVersion: example.com/v1\nkind: A\nmetadata: {name: a}\nspec:\n  pods:\n  - containers: [{name: c, image: i}]\n  - containers: [{name: d, image: j}]\n", want: []string{"spec.pods[0]", "spec.pods[1]"}},
		{name: "at the depth limit", src: nest(maxPodSearchDepth - 1), want: []string{"spec" + strings.Repeat(".x", maxPodSearchDepth-1)}},
		{name: "beyond the depth limit", src: nest(maxPodSearchDepth)},
		{name: "containers without image", src: "apiVersion: example.com/v1\nkind: A\nmetadata: {name: a}\nspec:\n  containers: [{name: c}]\n"},
		{name: "alias inside its anchor", src: "apiVersion: example.com/v1\nkind: A\nmetadata: {name: a}\nspec: &s\n  x: *s\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objects, err := manifest.Decode("a.yaml", []byte(tt.src))
			// An alias inside its anchor is an input error (Kubernetes
			// refuses it), and the object is still searched.
			if (err != nil && !strings.Contains(err.Error(), "contains itself")) || len(objects) != 1 {
				t.Fatalf("Decode: %d objects, %v", len(objects), err)
			}
			var got []string
			for _, w := range findWorkloads(objects[0]) {
				got = append(got, w.SpecPath.String())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("pod specs at %v, want %v", got, tt.want)
			}
		})
	}
}

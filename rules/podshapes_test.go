package rules

import (
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

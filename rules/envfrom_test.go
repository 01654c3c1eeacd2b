package rules

import (
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
)

// TestConfigMapEnvRelated checks that a ConfigMap finding relates the
// containers that read the value, at their own file and line, even when
// the workload is in another file of the same input.
func TestConfigMapEnvRelated(t *testing.T) {
	cm, err := manifest.Decode("cm.yaml", []byte(`apiVersion: v1
kind: ConfigMap
metadata: {name: env}
data:
  DOCKER_HOST: unix:///var/run/docker.sock
`))
	if err != nil {
		t.Fatal(err)
	}
	deploy, err := manifest.Decode("deploy.yaml", []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  template:
    spec:
      containers:
      - name: a
        image: example.com/a:1
        envFrom:
        - configMapRef: {name: env}
      - name: b
        image: example.com/b:1
        env:
        - name: DOCKER_HOST
          valueFrom:
            configMapKeyRef: {name: env, key: DOCKER_HOST}
`))
	if err != nil {
		t.Fatal(err)
	}
	findings := (&lint.Engine{Rules: []*lint.Rule{dockerHostEnvRule}}).Check(append(cm, deploy...))
	if len(findings) != 1 {
		t.Fatalf("got %d findings, want 1: %+v", len(findings), findings)
	}
	f := findings[0]
	if f.File != "cm.yaml" || f.Line != 5 || f.Column != 16 || f.Field.String() != "data.DOCKER_HOST" {
		t.Errorf("finding at %s:%d:%d %s, want cm.yaml:5:16 data.DOCKER_HOST", f.File, f.Line, f.Column, f.Field)
	}
	want := []lint.Position{{File: "deploy.yaml", Line: 11, Column: 32}, {File: "deploy.yaml", Line: 15, Column: 17}}
	if len(f.Related) != len(want) {
		t.Fatalf("related = %+v, want %v", f.Related, want)
	}
	for i, w := range want {
		if got := f.Related[i].Position; got.File != w.File || got.Line != w.Line || got.Column != w.Column {
			t.Errorf("related %d at %s, want %s", i, got, w)
		}
	}
}

package lint_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

var (
	podTemplate = lint.KeyPath("spec", "template", "spec")
	kubeletKey  = lint.KeyPath("data", "kubelet")
)

func TestFieldPathString(t *testing.T) {
	tests := []struct {
		name string
		path lint.FieldPath
		want string
	}{
		{name: "empty", path: lint.FieldPath{}, want: ""},
		{name: "one key", path: lint.KeyPath("kind"), want: "kind"},
		{name: "keys and indexes", path: podTemplate.Append(lint.Key("volumes"), lint.Index(0), lint.Key("hostPath"), lint.Key("path")), want: "spec.template.spec.volumes[0].hostPath.path"},
		{name: "nested indexes", path: lint.NewFieldPath(lint.Key("a"), lint.Index(0), lint.Index(12)), want: "a[0][12]"},
		{name: "index first", path: lint.NewFieldPath(lint.Index(3), lint.Key("name")), want: "[3].name"},
		{name: "key with dots and a slash", path: lint.KeyPath("metadata", "annotations", "dockershim-lint.io/ignore"), want: `metadata.annotations["dockershim-lint.io/ignore"]`},
		{name: "bracketed key first", path: lint.KeyPath("agent.yaml", "x"), want: `["agent.yaml"].x`},
		{name: "key with a quote", path: lint.KeyPath("data", `say "hi"`), want: `data["say \"hi\""]`},
		{name: "empty key", path: lint.KeyPath("data", ""), want: `data[""]`},
		{name: "key starting with a digit", path: lint.KeyPath("labels", "0day"), want: `labels["0day"]`},
		{name: "plain key with dash and digits", path: lint.KeyPath("app_1-x"), want: "app_1-x"},
		{name: "first embedded document", path: kubeletKey.Append(lint.Document(0), lint.Key("containerRuntimeEndpoint")), want: "data.kubelet>containerRuntimeEndpoint"},
		{name: "later embedded document", path: kubeletKey.Append(lint.Document(2), lint.Key("nodeRegistration"), lint.Key("criSocket")), want: "data.kubelet>#2.nodeRegistration.criSocket"},
		{name: "embedded document of a bracketed key", path: lint.KeyPath("data", "agent.yaml").Append(lint.Document(0), lint.Key("monitors"), lint.Index(1), lint.Key("type")), want: `data["agent.yaml"]>monitors[1].type`},
		{name: "embedded sequence", path: kubeletKey.Append(lint.Document(0), lint.Index(0)), want: "data.kubelet>[0]"},
		{name: "embedded document itself", path: kubeletKey.Append(lint.Document(1)), want: "data.kubelet>#1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.path.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			got, err := json.Marshal(struct {
				Field lint.FieldPath `json:"field"`
			}{tt.path})
			if want, _ := json.Marshal(map[string]string{"field": tt.want}); err != nil || !bytes.Equal(got, want) {
				t.Errorf("JSON %s (%v), want %s", got, err, want)
			}
		})
	}
}

// TestFieldPathIsAValue extends one path twice: neither extension may see
// the other's steps, whatever capacity the first left behind.
func TestFieldPathIsAValue(t *testing.T) {
	env := podTemplate.Append(lint.Key("containers"), lint.Index(0), lint.Key("env"), lint.Index(1))
	name, value := env.Key("name"), env.Key("value")
	if name.String() != "spec.template.spec.containers[0].env[1].name" || value.String() != "spec.template.spec.containers[0].env[1].value" {
		t.Errorf("extensions of one path interfere: %s, %s", name, value)
	}
	prefix := env.Slice(0, 3)
	volumes := prefix.Key("volumes")
	if env.String() != "spec.template.spec.containers[0].env[1]" || volumes.String() != "spec.template.spec.volumes" {
		t.Errorf("extending a slice changed the path it came from: %s, %s", env, volumes)
	}
	if !name.Equal(env.Concat(lint.KeyPath("name"))) || name.Equal(value) {
		t.Error("Equal does not compare steps")
	}
}

func TestFieldPathEmbedded(t *testing.T) {
	inner := lint.KeyPath("nodeRegistration", "criSocket")
	tests := []struct {
		name      string
		path      lint.FieldPath
		wantOuter string
		wantDoc   int
		wantInner string
		wantOK    bool
	}{
		{name: "in the object", path: podTemplate, wantOuter: "spec.template.spec"},
		{name: "first document", path: kubeletKey.Append(lint.Document(0)).Concat(inner), wantOuter: "data.kubelet", wantInner: "nodeRegistration.criSocket", wantOK: true},
		{name: "third document", path: kubeletKey.Append(lint.Document(2)).Concat(inner), wantOuter: "data.kubelet", wantDoc: 2, wantInner: "nodeRegistration.criSocket", wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outer, doc, in, ok := tt.path.Embedded()
			if outer.String() != tt.wantOuter || doc != tt.wantDoc || in.String() != tt.wantInner || ok != tt.wantOK {
				t.Errorf("Embedded() = %q, %d, %q, %v; want %q, %d, %q, %v", outer, doc, in, ok, tt.wantOuter, tt.wantDoc, tt.wantInner, tt.wantOK)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	var doc yaml.Node
	src := "metadata:\n  annotations:\n    dockershim-lint.io/ignore: docker-socket -- reason\nlist: &l\n  - a\n  - b\nalias: *l\ndata:\n  kubelet: |\n    x: 1\n"
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path lint.FieldPath
		want string // the scalar found, or "" for none
	}{
		{name: "key with dots and a slash", path: lint.KeyPath("metadata", "annotations", "dockershim-lint.io/ignore"), want: "docker-socket -- reason"},
		{name: "index", path: lint.KeyPath("list").Index(1), want: "b"},
		{name: "through an alias", path: lint.KeyPath("alias").Index(0), want: "a"},
		{name: "index out of range", path: lint.KeyPath("list").Index(2)},
		{name: "negative index", path: lint.KeyPath("list").Index(-1)},
		{name: "index into a mapping", path: lint.KeyPath("metadata").Index(0)},
		{name: "key into a sequence", path: lint.KeyPath("list", "a")},
		{name: "missing key", path: lint.KeyPath("spec")},
		{name: "embedded document", path: kubeletKey.Append(lint.Document(0), lint.Key("x"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := lint.Lookup(doc.Content[0], tt.path)
			got := ""
			if n != nil {
				got = n.Value
			}
			if got != tt.want || (tt.want == "") != (n == nil) {
				t.Errorf("Lookup(%s) = %v, want %q", tt.path, n, tt.want)
			}
		})
	}
}

// TestLegacyFingerprint pins the fingerprint of earlier versions, so that
// the baselines they wrote keep matching.
func TestLegacyFingerprint(t *testing.T) {
	f := lint.Finding{
		Rule:     "docker-socket",
		Position: lint.Position{File: "deploy/agent.yaml", Line: 31},
		Object:   lint.ObjectRef{APIVersion: "apps/v1", Kind: "DaemonSet", Namespace: "monitoring", Name: "agent"},
		Field:    lint.KeyPath("metadata", "annotations", "dockershim-lint.io/ignore"),
	}
	h := sha256.New()
	for _, part := range []string{"docker-socket", "deploy/agent.yaml", "apps/v1", "DaemonSet", "monitoring", "agent", `metadata.annotations["dockershim-lint.io/ignore"]`} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	if want := hex.EncodeToString(h.Sum(nil)[:16]); f.LegacyFingerprint() != want {
		t.Errorf("LegacyFingerprint() = %s, want %s", f.LegacyFingerprint(), want)
	}
}

// TestLocateThroughAlias reports a node reached through an alias at the
// alias, with the anchored node related, and a node reached directly at
// itself.
func TestLocateThroughAlias(t *testing.T) {
	src := "spec:\n  a: &v {path: /var/run/docker.sock}\n  b: *v\n"
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	obj := &lint.Object{File: "f.yaml", Node: doc.Content[0], Lines: lint.IndexLines([]byte(src))}
	path := lint.Path(obj.Node, "spec", "b", "path")
	viaAlias := obj.Locate(path, lint.KeyPath("spec", "b", "path"))
	anchored := lint.Position{File: "f.yaml", Line: 2, Column: 16, EndLine: 2, EndColumn: 36}
	if want := (lint.Position{File: "f.yaml", Line: 3, Column: 6, EndLine: 3, EndColumn: 8}); viaAlias.Primary != want {
		t.Errorf("through the alias: primary %+v, want %+v", viaAlias.Primary, want)
	}
	if len(viaAlias.Related) != 1 || viaAlias.Related[0].Position != anchored || viaAlias.Related[0].Message != "through the anchor &v" {
		t.Errorf("through the alias: related %+v, want the anchored value %+v", viaAlias.Related, anchored)
	}
	direct := obj.Locate(path, lint.KeyPath("spec", "a", "path"))
	if direct.Primary != anchored || len(direct.Related) != 0 {
		t.Errorf("directly: %+v, want %+v alone", direct, anchored)
	}
}

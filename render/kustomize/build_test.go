package kustomize

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/lint/linttest"
	"github.com/dockershim-lint/dockershim-lint/render/source"
	"github.com/dockershim-lint/dockershim-lint/rules"
	"go.yaml.in/yaml/v3"
)

// socketProbe reports hostPath volumes of /var/run/docker.sock at the path
// value, under the id of the real rule, so these tests pin what this package
// owns (where a field of a built object is reported) whatever state the
// rules package is in.
var socketProbe = &lint.Rule{
	ID:       "docker-socket",
	Severity: lint.SeverityError,
	Check: func(p *lint.Pass) {
		spec := lint.Path(p.Object.Node, "spec", "template", "spec")
		for i, v := range lint.Items(lint.Get(spec, "volumes")) {
			if path := lint.Path(v, "hostPath", "path"); lint.Scalar(path) == "/var/run/docker.sock" {
				p.Reportf(path, lint.KeyPath("spec", "template", "spec", "volumes").Append(lint.Index(i), lint.Key("hostPath"), lint.Key("path")), "mounts the Docker socket")
			}
		}
	},
}

func runKustomization(t *testing.T, rs []*lint.Rule, dir string) lint.Result {
	t.Helper()
	e := lint.Engine{Rules: rs}
	return e.Run([]lint.Input{New(dir, nil)})
}

func TestKustomizationPositions(t *testing.T) {
	tests := []struct {
		name string
		// dir is built; wants are read from every YAML file under fixture.
		dir, fixture string
		objectName   string
	}{
		{name: "strategic merge patch adds the socket", dir: "smp/overlay", fixture: "smp", objectName: "log-shipper"},
		{name: "JSON 6902 patch file", dir: "json6902/overlay", fixture: "json6902", objectName: "log-shipper"},
		{name: "inline JSON 6902 patch", dir: "inline-patch", fixture: "inline-patch", objectName: "log-shipper"},
		{name: "namePrefix and nameSuffix keep the base position", dir: "prefix/overlay", fixture: "prefix", objectName: "prod-agent-v2"},
		{name: "base alone", dir: "prefix/base", fixture: "prefix", objectName: "agent"},
		{name: "component patch", dir: "components/overlay", fixture: "components", objectName: "log-shipper"},
		{name: "local chart in helmCharts", dir: "helm-local", fixture: "helm-local", objectName: "edge-agent"},
		{name: "JSON 6902 append of another item keeps the base position", dir: "append/overlay", fixture: "append", objectName: "log-shipper"},
		{name: "replacement points at its source", dir: "replacement", fixture: "replacement", objectName: "agent"},
		{name: "object renamed by a patch", dir: "renamed", fixture: "renamed", objectName: "node-agent"},
		{name: "replacement copying a field onto itself", dir: "replacement-cycle", fixture: "replacement-cycle", objectName: "agent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join("..", "..", "testdata", "kustomize")
			res := runKustomization(t, rules.All(), filepath.Join(root, tt.dir))
			if len(res.Errors) > 0 {
				t.Fatalf("unexpected errors: %v", res.Errors)
			}
			linttest.Match(t, linttest.ParseWantFiles(t, filepath.Join(root, tt.fixture), ".yaml"), res.Findings)
			for _, f := range res.Findings {
				if f.Object.Name != tt.objectName {
					t.Errorf("finding names object %q, want the built name %q", f.Object.Name, tt.objectName)
				}
				if !strings.HasPrefix(f.Source, "kustomization ") {
					t.Errorf("source %q does not say which build it came from", f.Source)
				}
				if f.Column == 0 || f.EndColumn <= f.Column {
					t.Errorf("finding %v has no column span", f.Position)
				}
			}
		})
	}
}

// TestKustomizationSourceObject pins which object each finding is about:
// the source object of a built one is found by computing the overlays'
// renames, never by a name that merely contains another, and a built
// object two source objects could have made is reported at the
// kustomization entry that brought them in.
func TestKustomizationSourceObject(t *testing.T) {
	tests := []struct {
		name         string
		dir, fixture string
		// objects are the built objects reported at each file:line.
		objects map[string][]string
	}{
		{
			name: "nameSuffix turns agent into agent-canary", dir: "canary/overlay", fixture: "canary",
			objects: map[string][]string{
				"canary/base/agents.yaml:21":           {"agent-canary"},
				"canary/base/agents.yaml:41":           {"agent-canary-canary"},
				"canary/overlay/agent-socket.yaml:12":  {"agent-canary"},
				"canary/overlay/canary-socket.yaml:13": {"agent-canary-canary"},
			},
		},
		{
			name: "a base built twice cannot tell its agent-canary apart", dir: "diamond/overlay", fixture: "diamond",
			objects: map[string][]string{
				"diamond/base/agents.yaml:21":       {"agent"},
				"diamond/base/agents.yaml:41":       {"canary/agent-canary-canary"},
				"diamond/base/kustomization.yaml:4": {"agent-canary", "canary/agent-canary"},
			},
		},
		{
			name: "a resource a component adds, renamed by the component and its user", dir: "component-resource/overlay", fixture: "component-resource",
			objects: map[string][]string{
				"component-resource/base/agent.yaml:19":        {"prod-agent-x"},
				"component-resource/sidecar/collector.yaml:22": {"prod-collector-x"},
			},
		},
		{
			name: "embedded documents in blocks with indentation indicators and wide indents", dir: "embedded-indent", fixture: "embedded-indent",
			objects: map[string][]string{
				"embedded-indent/agent-config.yaml:10":  {"signalfx-agent"},
				"embedded-indent/kustomization.yaml:12": {"kubelet-config"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join("..", "..", "testdata", "kustomize")
			res := runKustomization(t, rules.All(), filepath.Join(root, tt.dir))
			if len(res.Errors) > 0 {
				t.Fatalf("unexpected errors: %v", res.Errors)
			}
			linttest.Match(t, linttest.ParseWantFiles(t, filepath.Join(root, tt.fixture), ".yaml"), res.Findings)
			got := map[string][]string{}
			for _, f := range res.Findings {
				at := fmt.Sprintf("%s:%d", strings.TrimPrefix(f.File, "../../testdata/kustomize/"), f.Line)
				object := f.Object.Name
				if f.Object.Namespace != "" {
					object = f.Object.Namespace + "/" + object
				}
				got[at] = append(got[at], object)
			}
			for at := range got {
				slices.Sort(got[at])
			}
			if !maps.EqualFunc(got, tt.objects, slices.Equal) {
				t.Errorf("objects by position = %v, want %v", got, tt.objects)
			}
		})
	}
}

// TestKustomizationGenerator places the fields of a generated ConfigMap
// where they were written: inside the file a files entry reads, on the
// literal in the kustomization, on the line of an env file (which cannot
// carry a want comment).
func TestKustomizationGenerator(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "kustomize", "generator")
	res := runKustomization(t, rules.All(), root)
	if len(res.Errors) > 0 {
		t.Fatalf("unexpected errors: %v", res.Errors)
	}
	envFinding := lint.Position{File: "../../testdata/kustomize/generator/node.env", Line: 3, Column: 18, EndLine: 3, EndColumn: 49}
	var rest []lint.Finding
	found := false
	for _, f := range res.Findings {
		if f.File == envFinding.File {
			found = f.Position == envFinding
			if !found {
				t.Errorf("env file finding at %+v, want %+v", f.Position, envFinding)
			}
			continue
		}
		rest = append(rest, f)
	}
	if !found {
		t.Errorf("no finding in the env file: %v", res.Findings)
	}
	linttest.Match(t, linttest.ParseWantFiles(t, root, ".yaml"), rest)
}

// TestKustomizationValueText places findings a rule puts inside a value's
// text (a Fluent Bit setting, a script's line) on that line of the source:
// of a block with an indentation indicator, of a file a generator reads.
// Fluent Bit lines cannot carry a want comment, so positions are listed.
func TestKustomizationValueText(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "kustomize", "value-text")
	res := runKustomization(t, rules.All(), filepath.Join(root, "overlay"))
	if len(res.Errors) > 0 {
		t.Fatalf("unexpected errors: %v", res.Errors)
	}
	want := []string{
		"../../testdata/kustomize/value-text/base/input.conf:4:5 log-format-docker-json",
		"../../testdata/kustomize/value-text/base/shipper.yaml:12:11 log-format-docker-json",
		"../../testdata/kustomize/value-text/base/shipper.yaml:34:15 docker-cli",
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, fmt.Sprintf("%s %s", f.Position, f.Rule))
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestKustomizationPatchColumn pins the column, not just the line, inside a
// patch written inline in kustomization.yaml.
func TestKustomizationPatchColumn(t *testing.T) {
	res := runKustomization(t, []*lint.Rule{socketProbe}, filepath.Join("..", "..", "testdata", "kustomize", "inline-patch"))
	if len(res.Findings) != 1 {
		t.Fatalf("got %d findings, want 1: %v", len(res.Findings), res.Findings)
	}
	got := res.Findings[0].Position
	want := lint.Position{File: "../../testdata/kustomize/inline-patch/kustomization.yaml", Line: 13, Column: 19, EndLine: 13, EndColumn: 39}
	if got != want {
		t.Errorf("position = %+v, want %+v", got, want)
	}
}

// TestKustomizationEmbeddedPositions places findings inside YAML documents
// embedded in ConfigMap values, in a base and in a patch. The field leads
// to the value and on inside the document; the locator finds the value in
// the file or patch that wrote it, then the field inside its block.
func TestKustomizationEmbeddedPositions(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "kustomize", "embedded")
	res := runKustomization(t, rules.All(), filepath.Join(root, "overlay"))
	if len(res.Errors) > 0 {
		t.Fatalf("unexpected errors: %v", res.Errors)
	}
	linttest.Match(t, linttest.ParseWantFiles(t, root, ".yaml"), res.Findings)
	want := []string{
		`../../testdata/kustomize/embedded/base/agent-config.yaml:12:15-12:37 signalfx-docker-container-stats data["agent.yaml"]>monitors[1].type`,
		`../../testdata/kustomize/embedded/base/kubelet-config.yaml:13:31-13:62 dockershim-socket data.kubelet>containerRuntimeEndpoint`,
		`../../testdata/kustomize/embedded/overlay/init-configuration.yaml:18:18-18:42 dockershim-socket data.InitConfiguration>#1.nodeRegistration.criSocket`,
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, fmt.Sprintf("%s-%d:%d %s %s", f.Position, f.EndLine, f.EndColumn, f.Rule, f.Field))
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestKustomizationStripsBuildAnnotations(t *testing.T) {
	objects, err := New(filepath.Join("..", "..", "testdata", "kustomize", "smp", "overlay"), nil).Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(objects) != 1 {
		t.Fatalf("got %d objects, want 1", len(objects))
	}
	out, err := yaml.Marshal(objects[0].Node)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "config.kubernetes.io") || lint.Path(objects[0].Node, "metadata", "annotations") != nil {
		t.Errorf("build annotations left in the object:\n%s", out)
	}
	if got, want := objects[0].File, "../../testdata/kustomize/smp/base/daemonset.yaml"; got != want {
		t.Errorf("File = %q, want %q", got, want)
	}
}

func TestKustomizationInputErrors(t *testing.T) {
	tests := []struct {
		name string
		dir  string
		file string
		line int
		msg  string
	}{
		{name: "remote resource", dir: "remote", file: "remote/kustomization.yaml", line: 3, msg: "remote resources are not fetched"},
		{name: "includes itself", dir: "self", file: "self/kustomization.yaml", msg: "cycle detected"},
		{name: "file outside its root", dir: "outside/app", file: "outside/app/kustomization.yaml", line: 2, msg: "../secret-elsewhere.yaml is not in or below"},
		{name: "generator file outside its root", dir: "outside/generator", file: "outside/generator/kustomization.yaml", line: 6, msg: "conf=../secret-elsewhere.yaml is not in or below"},
		{name: "helm chart values file at an absolute path", dir: "outside/helm-absolute", file: "outside/helm-absolute/kustomization.yaml", line: 3, msg: "/etc/hostname is outside"},
		{name: "generator env file at an absolute path", dir: "outside/absolute", file: "outside/absolute/kustomization.yaml", line: 4, msg: "/etc/hostname is outside"},
		// Only the kustomization's directory is linked: the missing file
		// is kustomize's error, not one outside the directory.
		{name: "missing file, through a linked directory", dir: "link/missing-resource", file: "link/missing-resource/kustomization.yaml", msg: "no such file or directory"},
		{name: "exec plugin", dir: "plugin-exec", file: "plugin-exec/kustomization.yaml", msg: "external plugins disabled"},
		{name: "container plugin", dir: "plugin-container", file: "plugin-container/kustomization.yaml", msg: "external plugins disabled"},
		{name: "chart that would need pulling", dir: "helm-pull", file: "helm-pull/kustomization.yaml", line: 2, msg: "charts are not fetched"},
		{name: "not a kustomization", dir: "smp", file: "smp/kustomization.yaml", msg: "not a kustomization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join("..", "..", "testdata", "kustomize")
			start := time.Now()
			objects, err := New(filepath.Join(root, tt.dir), nil).Load()
			if elapsed := time.Since(start); elapsed > 10*time.Second {
				t.Errorf("took %v: an input error must be immediate", elapsed)
			}
			if len(objects) != 0 {
				t.Errorf("got %d objects from a failed build", len(objects))
			}
			var ie *lint.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an InputError", err)
			}
			if want := "../../testdata/kustomize/" + tt.file; ie.File != want || ie.Line != tt.line || !strings.Contains(ie.Message, tt.msg) {
				t.Errorf("error = %s:%d: %s, want %s:%d: ...%s...", ie.File, ie.Line, ie.Message, want, tt.line, tt.msg)
			}
		})
	}
}

func TestBoundedFSRefusesOutside(t *testing.T) {
	dir := t.TempDir()
	inside := filepath.Join(dir, "repo")
	if err := os.MkdirAll(inside, 0o755); err != nil {
		t.Fatal(err)
	}
	fsys := &boundedFS{boundary: source.NewBoundary([]string{inside}), served: map[string][]byte{}}
	for _, path := range []string{dir, filepath.Join(dir, "other", "x.yaml"), filepath.Join(inside, "..", "x.yaml")} {
		if err := fsys.check(path); err == nil {
			t.Errorf("check(%s) accepted a path outside %s", path, inside)
		}
	}
	if err := fsys.check(filepath.Join(inside, "a", "..", "b.yaml")); err != nil {
		t.Errorf("check refused a path inside: %v", err)
	}
	if err := fsys.WriteFile(filepath.Join(inside, "x"), nil); err == nil {
		t.Error("WriteFile succeeded on a read-only build file system")
	}
}

// TestKustomizeCorpus builds the upstream kustomize examples: each must
// build, or fail with an input error, and none uses Docker.
func TestKustomizeCorpus(t *testing.T) {
	root := filepath.Join("..", "..", "..", "shared", "corpus", "kustomize-examples", "examples")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && FileIn(path) != "" {
			dirs = append(dirs, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no kustomization found in the corpus")
	}
	e := lint.Engine{Rules: rules.All()}
	for _, dir := range dirs {
		t.Run(filepath.ToSlash(dir[len(root):]), func(t *testing.T) {
			res := e.Run([]lint.Input{New(dir, nil)})
			for _, f := range res.Findings {
				t.Errorf("unexpected finding: %s %s %s", f.Position, f.Rule, f.Message)
			}
			for _, ie := range res.Errors {
				if ie.File == "" || ie.Message == "" {
					t.Errorf("input error without a file or message: %+v", ie)
				}
				t.Logf("input error: %s", ie.Error())
			}
		})
	}
}

// TestHelmChartsValuesInline renders one chart three times from
// helmCharts entries with valuesInline: merged over valuesFile (override,
// the default), under the chart's values (merge), and alone (replace).
// Only the override release mounts the socket, and only the merge release
// the log directory; the socket's related location is the inline value.
func TestHelmChartsValuesInline(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "kustomize", "helm-inline")
	res := runKustomization(t, rules.All(), root)
	if len(res.Errors) > 0 {
		t.Fatalf("unexpected errors: %v", res.Errors)
	}
	linttest.Match(t, linttest.ParseWantFiles(t, root, ".yaml"), res.Findings)
	want := map[string]string{
		"docker-socket":   "override-agent",
		"docker-data-dir": "merge-agent",
	}
	for _, f := range res.Findings {
		if want[f.Rule] != f.Object.Name {
			t.Errorf("%s finding in %s, want it only in %s", f.Rule, f.Object.Name, want[f.Rule])
		}
		if f.Rule != "docker-socket" {
			continue
		}
		inline := lint.Position{File: "../../testdata/kustomize/helm-inline/kustomization.yaml", Line: 7, Column: 22, EndLine: 7, EndColumn: 42}
		if len(f.Related) != 1 || f.Related[0].Position != inline {
			t.Errorf("related = %+v, want the inline value at %+v", f.Related, inline)
		}
	}
}

func TestHelmChartsValuesMergeInvalid(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"kustomization.yaml":                "helmCharts:\n- name: agent\n  valuesMerge: deep\n  valuesInline: {a: 1}\n",
		"charts/agent/Chart.yaml":           "apiVersion: v2\nname: agent\nversion: 1.0.0\n",
		"charts/agent/templates/empty.yaml": "",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := runKustomization(t, rules.All(), dir)
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), `valuesMerge "deep"`) || !strings.Contains(res.Errors[0].Error(), ":3:") {
		t.Errorf("errors = %v, want one naming valuesMerge \"deep\" at line 3", res.Errors)
	}
}

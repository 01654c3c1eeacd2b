package helm

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/internal/benchcpu"
	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/lint/linttest"
	"github.com/dockershim-lint/dockershim-lint/rules"
	"go.yaml.in/yaml/v3"
	"helm.sh/helm/v3/pkg/engine"
)

const chartsDir = "../../testdata/charts"

func runCharts(inputs ...lint.Input) lint.Result {
	e := lint.Engine{Rules: rules.All()}
	return e.Run(inputs)
}

// TestHelmFixtures lints each fixture chart with the real rules and matches
// the findings against the want comments in its templates and values files.
func TestHelmFixtures(t *testing.T) {
	tests := []struct {
		name  string
		chart string
		opts  Options
		// clean means the render must report nothing, whatever the
		// want comments say (they describe another render).
		clean bool
	}{
		{name: "values-driven socket path", chart: "socketpath"},
		{name: "if-guarded volume off by default", chart: "guarded", clean: true},
		{name: "if-guarded volume switched on by --set", chart: "guarded", opts: Options{Set: []string{"docker.enabled=true"}}},
		{name: "toYaml blocks", chart: "toyaml"},
		{name: "included helper", chart: "include"},
		{name: "helpers, nested, in a library chart and a subchart", chart: "helpers"},
		{name: "values read every way", chart: "valuerefs"},
		{name: "toYaml items after literal items", chart: "toyamlitems"},
		{name: "subcharts with conditions", chart: "parent"},
		{name: "chart defaults only, CI values unused", chart: "civalues"},
		{name: "CR, NEL, LS and PS line endings", chart: "lineendings"},
		{name: "ignore annotation pasted by toYaml", chart: "annotations"},
		{name: "values text pasted into a block by indent, nindent and tpl", chart: "valuetext"},
		{name: "chart file pasted into a block by .Files.Get", chart: "filetext"},
		{name: "ignore comments in pasted values text and chart files", chart: "pastedignore", clean: true},
		{name: "default capabilities", chart: "capabilities", clean: true},
		{
			name: "--kube-version and --api-versions", chart: "capabilities",
			opts: Options{KubeVersion: "v1.19.3", APIVersions: []string{"example.com/v1"}, ReleaseName: "r", Namespace: "ns"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := chartsDir + "/" + tt.chart
			res := runCharts(NewChart(dir, tt.opts))
			if len(res.Errors) > 0 {
				t.Fatalf("unexpected input errors: %v", res.Errors)
			}
			var wants []linttest.Want
			if !tt.clean {
				wants = linttest.ParseWantFiles(t, dir, ".yaml", ".tpl")
			}
			if tt.chart == "civalues" {
				// Without --all-ci-values the CI file is not used.
				wants = slices.DeleteFunc(wants, func(w linttest.Want) bool { return w.Rule == "docker-socket" })
			}
			linttest.Match(t, wants, res.Findings)
		})
	}
}

// TestHelmArchive lints a packaged chart built from a fixture: findings name
// the archive, the chart's directory inside it and the template.
func TestHelmArchive(t *testing.T) {
	archive := filepath.Join(t.TempDir(), "socketpath-0.1.0.tgz")
	writeChartArchive(t, chartsDir+"/socketpath", "socketpath", archive)
	res := runCharts(NewChart(archive, Options{}))
	if len(res.Errors) > 0 {
		t.Fatalf("unexpected input errors: %v", res.Errors)
	}
	var wants []linttest.Want
	for _, w := range linttest.ParseWantFiles(t, chartsDir+"/socketpath", ".yaml") {
		w.File = filepath.ToSlash(archive) + "/socketpath/" + strings.TrimPrefix(w.File, chartsDir+"/socketpath/")
		wants = append(wants, w)
	}
	if len(wants) == 0 {
		t.Fatal("fixture has no want comments")
	}
	linttest.Match(t, wants, res.Findings)
}

// writeChartArchive packages dir the way `helm package` does: a gzipped
// tar whose entries sit under one directory named after the chart.
func writeChartArchive(t testing.TB, dir, top, archive string) {
	t.Helper()
	f, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		hdr := &tar.Header{Name: top + "/" + filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	for _, c := range []interface{ Close() error }{tw, zw, f} {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestHelmAllCIValues renders a chart with each CI values file, not with
// its defaults alone, as chart-testing does: a finding every render has is
// reported once, naming the first file; one only a CI file enables is
// reported once, naming that file.
func TestHelmAllCIValues(t *testing.T) {
	dir := chartsDir + "/civalues"
	res := runCharts(NewChart(dir, Options{AllCIValues: true}))
	if len(res.Errors) > 0 {
		t.Fatalf("unexpected input errors: %v", res.Errors)
	}
	linttest.Match(t, linttest.ParseWantFiles(t, dir, ".yaml"), res.Findings)
	tests := []struct {
		rule       string
		wantSource string
	}{
		{rule: "docker-data-dir", wantSource: "values ci/default-values.yaml"},
		{rule: "docker-socket", wantSource: "values ci/docker-values.yaml"},
	}
	for _, tt := range tests {
		var got []string
		for _, f := range res.Findings {
			if f.Rule == tt.rule {
				got = append(got, f.Source)
			}
		}
		if len(got) != 1 {
			t.Errorf("%s: got %d findings, want 1: %q", tt.rule, len(got), got)
			continue
		}
		if got[0] != tt.wantSource {
			t.Errorf("%s: source %q, want %q (the first values file that renders it)", tt.rule, got[0], tt.wantSource)
		}
	}
}

// volumePath and envValuePath are the paths of a pod template's hostPath
// volume and of a container's environment value.
func volumePath(volume int) lint.FieldPath {
	return lint.KeyPath("spec", "template", "spec", "volumes").Append(lint.Index(volume), lint.Key("hostPath"), lint.Key("path"))
}

func envValuePath(container, env int) lint.FieldPath {
	return lint.KeyPath("spec", "template", "spec", "containers").Append(lint.Index(container), lint.Key("env"), lint.Index(env), lint.Key("value"))
}

// TestHelmPositions pins the primary and related positions the locator
// gives rendered nodes, for each way a template can produce them.
func TestHelmPositions(t *testing.T) {
	override := chartsDir + "/overrides/socket-values.yaml"
	tests := []struct {
		name        string
		chart       string
		opts        Options
		object      string // kind/name
		field       lint.FieldPath
		wantPrimary string
		wantRelated []string
	}{
		{
			name: "action reading a values literal", chart: "socketpath", object: "DaemonSet/socketpath-agent",
			field:       volumePath(0),
			wantPrimary: "../../testdata/charts/socketpath/templates/daemonset.yaml:26:19",
			wantRelated: []string{"../../testdata/charts/socketpath/values.yaml:3:15"},
		},
		{
			name: "literal text followed by an action", chart: "socketpath", object: "DaemonSet/socketpath-agent",
			field:       envValuePath(0, 0),
			wantPrimary: "../../testdata/charts/socketpath/templates/daemonset.yaml:19:22",
			wantRelated: []string{"../../testdata/charts/socketpath/values.yaml:3:15"},
		},
		{
			name: "-f file overrides values.yaml", chart: "socketpath", object: "DaemonSet/socketpath-agent",
			opts:        Options{ValuesFiles: []string{override}},
			field:       volumePath(0),
			wantPrimary: "../../testdata/charts/socketpath/templates/daemonset.yaml:26:19",
			wantRelated: []string{"../../testdata/charts/overrides/socket-values.yaml:2:15"},
		},
		{
			name: "--set has no file", chart: "socketpath", object: "DaemonSet/socketpath-agent",
			opts:        Options{ValuesFiles: []string{override}, Set: []string{"dockerSocket=/var/run/docker.sock"}},
			field:       volumePath(0),
			wantPrimary: "../../testdata/charts/socketpath/templates/daemonset.yaml:26:19",
			// The action itself, saying the value has no line.
			wantRelated: []string{"../../testdata/charts/socketpath/templates/daemonset.yaml:26:19"},
		},
		{
			name: "literal text with its span", chart: "socketpath", object: "DaemonSet/socketpath-agent",
			field:       volumePath(1),
			wantPrimary: "../../testdata/charts/socketpath/templates/daemonset.yaml:29:19-29:45",
		},
		{
			name: "toYaml of a values list", chart: "toyaml", object: "Deployment/toyaml",
			field:       volumePath(0),
			wantPrimary: "../../testdata/charts/toyaml/values.yaml:5:13-5:33",
			wantRelated: []string{"../../testdata/charts/toyaml/templates/deployment.yaml:27:9"},
		},
		{
			name: "toYaml of dot inside with", chart: "toyaml", object: "Deployment/toyaml",
			field:       envValuePath(1, 0),
			wantPrimary: "../../testdata/charts/toyaml/values.yaml:12:14-12:41",
			wantRelated: []string{"../../testdata/charts/toyaml/templates/deployment.yaml:24:13"},
		},
		{
			name: "included helper maps to its own line", chart: "include", object: "DaemonSet/include",
			field:       volumePath(0),
			wantPrimary: "../../testdata/charts/include/templates/_helpers.tpl:5:11-5:31",
			wantRelated: []string{"../../testdata/charts/include/templates/daemonset.yaml:18:16"},
		},
		{
			name: "nested include in a library chart", chart: "helpers", object: "DaemonSet/helpers",
			field:       volumePath(2),
			wantPrimary: "../../testdata/charts/helpers/charts/common/templates/_volumes.tpl:4:11-4:26",
			wantRelated: []string{
				"../../testdata/charts/helpers/templates/_pod.tpl:9:3",
				"../../testdata/charts/helpers/templates/daemonset.yaml:14:7",
			},
		},
		{
			name: "library helper included by a subchart helper", chart: "helpers", object: "Pod/agent",
			field:       lint.KeyPath("spec", "containers").Append(lint.Index(0), lint.Key("env"), lint.Index(1), lint.Key("value")),
			wantPrimary: "../../testdata/charts/helpers/charts/common/templates/_volumes.tpl:9:10-9:37",
			wantRelated: []string{
				"../../testdata/charts/helpers/charts/agent/templates/_env.tpl:4:1",
				"../../testdata/charts/helpers/charts/agent/templates/pod.yaml:10:9",
			},
		},
		{
			// Its output is also hashed, so it carries no markers:
			// its definition is related.
			name: "helper read by a function stays on the include", chart: "helpers", object: "Deployment/builder",
			field:       volumePath(0),
			wantPrimary: "../../testdata/charts/helpers/templates/deployment.yaml:22:19",
			wantRelated: []string{"../../testdata/charts/helpers/templates/_pod.tpl:23:1"},
		},
		{
			name: "line after an if guard", chart: "guarded", object: "DaemonSet/guarded",
			opts:        Options{Set: []string{"docker.enabled=true"}},
			field:       volumePath(1),
			wantPrimary: "../../testdata/charts/guarded/templates/daemonset.yaml:30:19-30:39",
		},
		{
			// A key holding dots and a slash is one step of the path,
			// found in the values the annotations were pasted from.
			name: "toYaml of annotations", chart: "annotations", object: "Pod/annotated",
			field:       lint.KeyPath("metadata", "annotations", "dockershim-lint.io/ignore"),
			wantPrimary: "../../testdata/charts/annotations/values.yaml:5:30-5:43",
			wantRelated: []string{"../../testdata/charts/annotations/templates/pod.yaml:6:5"},
		},
		{
			name: "template with CR line endings", chart: "lineendings", object: "DaemonSet/lineendings-cr",
			field:       volumePath(0),
			wantPrimary: "../../testdata/charts/lineendings/templates/daemonset.yaml:22:19",
			wantRelated: []string{"../../testdata/charts/lineendings/values.yaml:2:15"},
		},
		{
			name: "literal text in a template with CR line endings", chart: "lineendings", object: "DaemonSet/lineendings-cr",
			field:       volumePath(1),
			wantPrimary: "../../testdata/charts/lineendings/templates/daemonset.yaml:25:19-25:45",
		},
		{
			name: "action after a PS", chart: "lineendings", object: "Deployment/lineendings-nel",
			field:       volumePath(0),
			wantPrimary: "../../testdata/charts/lineendings/templates/deployment.yaml:17:39",
			wantRelated: []string{"../../testdata/charts/lineendings/values.yaml:2:15"},
		},
		{
			name: "literal text after a NEL", chart: "lineendings", object: "Deployment/lineendings-nel",
			field:       volumePath(1),
			wantPrimary: "../../testdata/charts/lineendings/templates/deployment.yaml:19:19-19:45",
		},
		{
			name: "toYaml item after literal items, by content", chart: "toyamlitems", object: "DaemonSet/toyamlitems",
			field:       volumePath(3),
			wantPrimary: "../../testdata/charts/toyamlitems/values.yaml:9:13-9:33",
			wantRelated: []string{"../../testdata/charts/toyamlitems/templates/daemonset.yaml:22:9"},
		},
		{
			name: "toYaml item with the same path as another", chart: "toyamlitems", object: "DaemonSet/toyamlitems",
			field:       volumePath(4),
			wantPrimary: "../../testdata/charts/toyamlitems/values.yaml:13:13-13:33",
			wantRelated: []string{"../../testdata/charts/toyamlitems/templates/daemonset.yaml:22:9"},
		},
		{
			name: "variable holding a values map", chart: "valuerefs", object: "DaemonSet/valuerefs",
			field:       volumePath(0),
			wantPrimary: "../../testdata/charts/valuerefs/templates/daemonset.yaml:26:19",
			wantRelated: []string{"../../testdata/charts/valuerefs/values.yaml:2:11"},
		},
		{
			name: "index of .Values", chart: "valuerefs", object: "DaemonSet/valuerefs",
			field:       volumePath(1),
			wantPrimary: "../../testdata/charts/valuerefs/templates/daemonset.yaml:29:19",
			wantRelated: []string{"../../testdata/charts/valuerefs/values.yaml:4:14"},
		},
		{
			name: "default taken, no values line", chart: "valuerefs", object: "DaemonSet/valuerefs",
			field:       volumePath(2),
			wantPrimary: "../../testdata/charts/valuerefs/templates/daemonset.yaml:32:19",
		},
		{
			name: "default not taken", chart: "valuerefs", object: "DaemonSet/valuerefs",
			opts:        Options{ValuesFiles: []string{chartsDir + "/overrides/valuerefs-values.yaml"}},
			field:       volumePath(2),
			wantPrimary: "../../testdata/charts/valuerefs/templates/daemonset.yaml:32:19",
			wantRelated: []string{"../../testdata/charts/overrides/valuerefs-values.yaml:2:11"},
		},
		{
			name: "field of dot inside with", chart: "valuerefs", object: "DaemonSet/valuerefs",
			field:       envValuePath(0, 0),
			wantPrimary: "../../testdata/charts/valuerefs/templates/daemonset.yaml:21:22",
			wantRelated: []string{"../../testdata/charts/valuerefs/values.yaml:6:9"},
		},
		{
			name: "field of a range element", chart: "valuerefs", object: "DaemonSet/valuerefs",
			field:       volumePath(4),
			wantPrimary: "../../testdata/charts/valuerefs/templates/daemonset.yaml:36:19",
			wantRelated: []string{"../../testdata/charts/valuerefs/values.yaml:11:11"},
		},
		{
			// Same path as the item before: its own line, counted
			// by the passes through the range.
			name: "field of the next range element, equal to the one before", chart: "valuerefs", object: "DaemonSet/valuerefs",
			field:       volumePath(5),
			wantPrimary: "../../testdata/charts/valuerefs/templates/daemonset.yaml:36:19",
			wantRelated: []string{"../../testdata/charts/valuerefs/values.yaml:14:11"},
		},
		{
			name: "global value set in the parent, read by a subchart", chart: "valuerefs", object: "Pod/sub",
			field:       lint.KeyPath("spec", "volumes").Append(lint.Index(0), lint.Key("hostPath"), lint.Key("path")),
			wantPrimary: "../../testdata/charts/valuerefs/charts/sub/templates/pod.yaml:12:15",
			wantRelated: []string{"../../testdata/charts/valuerefs/values.yaml:17:17"},
		},
		{
			name: "subchart value set by the parent", chart: "parent", object: "DaemonSet/agent",
			field:       volumePath(0),
			wantPrimary: "../../testdata/charts/parent/charts/agent/templates/daemonset.yaml:23:19",
			wantRelated: []string{"../../testdata/charts/parent/values.yaml:4:15"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objects, err := NewChart(chartsDir+"/"+tt.chart, tt.opts).Load()
			if err != nil {
				t.Fatal(err)
			}
			obj := findObject(objects, tt.object)
			if obj == nil {
				t.Fatalf("no object %s among %d", tt.object, len(objects))
			}
			n := lint.Lookup(obj.Node, tt.field)
			if n == nil {
				t.Fatalf("%s has no field %s", tt.object, tt.field)
			}
			loc := obj.Locate(n, tt.field)
			if got := spanString(loc.Primary); got != tt.wantPrimary {
				t.Errorf("primary = %s, want %s", got, tt.wantPrimary)
			}
			var related []string
			for _, r := range loc.Related {
				related = append(related, r.Position.String())
			}
			if !slices.Equal(related, tt.wantRelated) {
				t.Errorf("related = %q, want %q", related, tt.wantRelated)
			}
		})
	}
}

// TestHelmSetValueHasNoLine: a value from --set has no line to relate, and
// the related place says so.
func TestHelmSetValueHasNoLine(t *testing.T) {
	objects, err := NewChart(chartsDir+"/socketpath", Options{Set: []string{"dockerSocket=/var/run/docker.sock"}}).Load()
	if err != nil {
		t.Fatal(err)
	}
	obj := findObject(objects, "DaemonSet/socketpath-agent")
	if obj == nil {
		t.Fatal("no DaemonSet/socketpath-agent")
	}
	loc := obj.Locate(lint.Lookup(obj.Node, volumePath(0)), volumePath(0))
	if len(loc.Related) != 1 || !strings.Contains(loc.Related[0].Message, "--set") || !strings.Contains(loc.Related[0].Message, "no line") {
		t.Errorf("related = %+v, want one saying the value came from --set and has no line", loc.Related)
	}
}

// TestHelmRenderAgain renders a chart a second time, from the markers the
// first render planned, and once more after a template changed: every
// node must be placed as a first render places it.
func TestHelmRenderAgain(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "helpers")
	copyTree(t, chartsDir+"/helpers", dir)
	placements := func(c lint.Input) []string {
		t.Helper()
		objects, err := c.Load()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range objects {
			walkFields(o.Node, lint.FieldPath{}, 0, func(n *yaml.Node, field lint.FieldPath) {
				loc := o.Locate(n, field)
				s := field.String() + " " + spanString(loc.Primary)
				for _, r := range loc.Related {
					s += " " + r.Position.String()
				}
				out = append(out, s)
			})
		}
		return out
	}
	c := NewChart(dir, Options{})
	first := placements(c)
	if again := placements(c); !slices.Equal(again, first) {
		t.Errorf("second render placed nodes elsewhere:\n%q\nwant\n%q", again, first)
	}
	// One more line before the helpers moves every helper position.
	pod := filepath.Join(dir, "templates", "_pod.tpl")
	data, err := os.ReadFile(pod)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, pod, "{{/* moved */}}\n"+string(data))
	if got, want := placements(c), placements(NewChart(dir, Options{})); !slices.Equal(got, want) {
		t.Errorf("render after a change placed nodes as before it:\n%q\nwant\n%q", got, want)
	}
}

// TestTemplateName renders .Template.Name and .Template.BasePath, in a
// template that another one includes by name (so it renders as a marked
// copy) and in a helper it calls, as Helm does.
func TestTemplateName(t *testing.T) {
	objects, err := NewChart(chartsDir+"/templatename", Options{}).Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		object string
		field  lint.FieldPath
		want   string
	}{
		{object: "ConfigMap/templatename", field: lint.KeyPath("data", "name"), want: "templatename/templates/configmap.yaml"},
		{object: "ConfigMap/templatename", field: lint.KeyPath("data", "basePath"), want: "templatename/templates"},
		{object: "ConfigMap/templatename", field: lint.KeyPath("data", "fromHelper"), want: "templatename/templates/configmap.yaml in templatename/templates"},
		{object: "Pod/templatename", field: lint.KeyPath("metadata", "annotations", "name"), want: "templatename/templates/pod.yaml"},
		{object: "Pod/templatename", field: lint.KeyPath("metadata", "annotations", "fromHelper"), want: "templatename/templates/pod.yaml in templatename/templates"},
	}
	for _, tt := range tests {
		obj := findObject(objects, tt.object)
		if obj == nil {
			t.Fatalf("no object %s", tt.object)
		}
		if got := lint.Scalar(lint.Lookup(obj.Node, tt.field)); got != tt.want {
			t.Errorf("%s %s = %q, want %q", tt.object, tt.field, got, tt.want)
		}
	}
}

func findObject(objects []*lint.Object, kindName string) *lint.Object {
	for _, o := range objects {
		if o.Kind+"/"+o.Name == kindName {
			return o
		}
	}
	return nil
}

// spanString is file:line:col, followed by -endLine:endCol when the
// position spans a value.
func spanString(p lint.Position) string {
	s := p.String()
	if p.EndLine > 0 {
		s += "-" + lint.Position{File: "", Line: p.EndLine, Column: p.EndColumn}.String()[1:]
	}
	return s
}

// TestHelmInputErrors checks that a chart that cannot be rendered is an
// input error naming the file and line to fix, with Helm's message.
func TestHelmInputErrors(t *testing.T) {
	tests := []struct {
		name     string
		chart    string
		opts     Options
		wantFile string
		wantLine int
		wantMsg  []string
	}{
		{
			name: "missing dependency", chart: "missingdep",
			wantFile: "../../testdata/charts/missingdep/Chart.yaml", wantLine: 5,
			wantMsg: []string{`dependency "redis"`, "helm dependency build"},
		},
		{
			name: "failing required", chart: "required",
			wantFile: "../../testdata/charts/required/templates/secret.yaml", wantLine: 6,
			wantMsg: []string{"chart required", "required/templates/secret.yaml:6:13", "apiKey is required"},
		},
		{
			name: "invalid rendered YAML", chart: "badyaml",
			wantFile: "../../testdata/charts/badyaml/templates/configmap.yaml", wantLine: 9,
			wantMsg: []string{"chart badyaml renders invalid YAML"},
		},
		{
			name: "failing CI values file", chart: "civalues-broken",
			opts:     Options{AllCIValues: true},
			wantFile: "../../testdata/charts/civalues-broken/templates/configmap.yaml", wantLine: 4,
			wantMsg: []string{"name is required", "[values ci/empty-values.yaml]"},
		},
		{
			name: "broken values file", chart: "socketpath",
			opts:     Options{ValuesFiles: []string{chartsDir + "/overrides/broken-values.yaml"}},
			wantFile: "../../testdata/charts/overrides/broken-values.yaml", wantLine: 1,
			wantMsg: []string{"invalid YAML"},
		},
		{
			name: "values file that is no mapping", chart: "socketpath",
			opts:     Options{ValuesFiles: []string{chartsDir + "/overrides/list-values.yaml"}},
			wantFile: "../../testdata/charts/overrides/list-values.yaml", wantLine: 2,
			wantMsg: []string{"holds a list, not a YAML mapping"},
		},
		{
			name: "missing values file", chart: "socketpath",
			opts:     Options{ValuesFiles: []string{chartsDir + "/overrides/nope.yaml"}},
			wantFile: "../../testdata/charts/overrides/nope.yaml",
			wantMsg:  []string{"no such file"},
		},
		{
			name: "remote values file", chart: "socketpath",
			opts:     Options{ValuesFiles: []string{"https://example.com/values.yaml"}},
			wantFile: "https://example.com/values.yaml",
			wantMsg:  []string{"not fetched"},
		},
		{
			name: "bad --set", chart: "socketpath",
			opts:     Options{Set: []string{"a[=b"}},
			wantFile: "../../testdata/charts/socketpath",
			wantMsg:  []string{"--set a[=b"},
		},
		{
			name: "bad --kube-version", chart: "socketpath",
			opts:     Options{KubeVersion: "one"},
			wantFile: "../../testdata/charts/socketpath",
			wantMsg:  []string{"invalid --kube-version"},
		},
		{
			name: "not a chart", chart: "overrides",
			wantFile: "../../testdata/charts/overrides",
			wantMsg:  []string{"cannot load chart", "Chart.yaml"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCharts(NewChart(chartsDir+"/"+tt.chart, tt.opts))
			if len(res.Errors) != 1 {
				t.Fatalf("got errors %v, want one", res.Errors)
			}
			got := res.Errors[0]
			if got.File != tt.wantFile || got.Line != tt.wantLine {
				t.Errorf("error at %s:%d, want %s:%d (%s)", got.File, got.Line, tt.wantFile, tt.wantLine, got.Message)
			}
			for _, want := range tt.wantMsg {
				if !strings.Contains(got.Message, want) {
					t.Errorf("message %q does not contain %q", got.Message, want)
				}
			}
		})
	}
}

// TestHelmIgnoreSyntaxError: Helm's message for a .helmignore pattern it
// cannot parse names no line; the error points at the pattern's.
func TestHelmIgnoreSyntaxError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ignored")
	for name, text := range map[string]string{
		"Chart.yaml":        "apiVersion: v2\nname: ignored\nversion: 0.1.0\n",
		".helmignore":       "# patterns\r\n*.tmp\r\nci/[\r\n",
		"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := runCharts(NewChart(dir, Options{}))
	if len(res.Errors) != 1 {
		t.Fatalf("got errors %v, want one", res.Errors)
	}
	if got := res.Errors[0]; !strings.HasSuffix(got.File, "ignored/.helmignore") || got.Line != 3 || !strings.Contains(got.Message, "syntax error in pattern") {
		t.Errorf("error = %s:%d: %s, want .helmignore:3 and Helm's message", got.File, got.Line, got.Message)
	}
}

// TestHelmMetadataErrors: Helm's checks of Chart.yaml name neither the
// file nor a line; the errors point at Chart.yaml and the key's line.
func TestHelmMetadataErrors(t *testing.T) {
	tests := []struct {
		name, chartYAML string
		wantLine        int
		wantMsg         string
	}{
		{name: "empty", chartYAML: "", wantMsg: "chart.metadata.name is required"},
		{name: "bad version", chartYAML: "apiVersion: v2\nname: meta\nversion: one\n", wantLine: 3, wantMsg: `chart.metadata.version "one" is invalid`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "meta")
			if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "Chart.yaml"), []byte(tt.chartYAML), 0o644); err != nil {
				t.Fatal(err)
			}
			res := runCharts(NewChart(dir, Options{}))
			if len(res.Errors) != 1 {
				t.Fatalf("got errors %v, want one", res.Errors)
			}
			got := res.Errors[0]
			if !strings.HasSuffix(got.File, "meta/Chart.yaml") || got.Line != tt.wantLine || !strings.Contains(got.Message, tt.wantMsg) {
				t.Errorf("error = %s:%d: %s, want meta/Chart.yaml:%d and %q", got.File, got.Line, got.Message, tt.wantLine, tt.wantMsg)
			}
		})
	}
}

// TestHelmOtherInputsStillLinted: a chart that fails to render does not
// stop the others.
func TestHelmOtherInputsStillLinted(t *testing.T) {
	res := runCharts(NewChart(chartsDir+"/required", Options{}), NewChart(chartsDir+"/socketpath", Options{}))
	if len(res.Errors) != 1 || len(res.Findings) == 0 {
		t.Fatalf("got %d errors and %d findings, want 1 error and the socketpath findings", len(res.Errors), len(res.Findings))
	}
}

// TestMarkersDoNotChangeOutput renders each chart with and without position
// markers: once stripped, the outputs must be identical, or the markers
// changed what a template computes.
func TestMarkersDoNotChangeOutput(t *testing.T) {
	var cases []corpusChart
	entries, err := os.ReadDir(chartsDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(chartsDir, e.Name(), "Chart.yaml")); err == nil && !slices.Contains([]string{"missingdep", "required", "cirequired"}, e.Name()) {
			cases = append(cases, corpusChart{name: e.Name(), dir: filepath.Join(chartsDir, e.Name())})
		}
	}
	cases = append(cases, corpusCharts(t)...)
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			r, chrt, vals, err := NewChart(tt.dir, tt.opts).(*Chart).prepare("")
			if err != nil {
				t.Fatal(err)
			}
			plain, err := engine.Render(chrt, vals)
			if err != nil {
				t.Fatal(err)
			}
			r.addMarkers(chrt)
			if len(r.original)+len(r.copies) == 0 {
				t.Fatal("no template was marked")
			}
			marked, err := engine.Render(chrt, vals)
			if err != nil {
				t.Fatal(err)
			}
			for key, want := range plain {
				markedKey := key
				if r.shadowed[key] {
					markedKey += markedSuffix
				}
				got, placed := stripMarkers(marked[markedKey], &r.marks)
				if string(got) != want {
					t.Errorf("%s: output differs once markers are stripped", key)
				}
				if strings.TrimSpace(want) != "" && !strings.HasSuffix(key, "NOTES.txt") && len(placed) == 0 && !isPartial(key) {
					t.Errorf("%s: rendered output carries no markers", key)
				}
			}
		})
	}
}

func isPartial(key string) bool {
	return strings.HasPrefix(filepath.Base(key), "_")
}

type corpusChart struct {
	name string
	dir  string
	opts Options
}

// corpusCharts are the vendor charts of ../shared/corpus with the values
// they need to render (see its README). The 2021 Falco chart is assembled
// in a temporary directory with its falcosidekick dependency, as `helm
// dependency build` would.
func corpusCharts(t testing.TB) []corpusChart {
	t.Helper()
	const corpus = "../../../shared/corpus"
	if _, err := os.Stat(corpus); err != nil {
		t.Log("corpus absent, corpus charts skipped")
		return nil
	}
	falco := filepath.Join(t.TempDir(), "falco")
	copyTree(t, corpus+"/falco-charts-2021/falco", falco)
	copyTree(t, corpus+"/falco-charts-2021/falcosidekick", filepath.Join(falco, "charts", "falcosidekick"))
	return []corpusChart{
		{name: "datadog", dir: corpus + "/assembled/datadog", opts: Options{Set: []string{
			"datadog.apiKey=0123456789abcdef0123456789abcdef",
			// Otherwise the chart makes up a random token, and
			// no two renders agree.
			"clusterAgent.token=abcdefghijklmnopqrstuvwxyz012345",
		}}},
		{name: "falco", dir: falco},
		{name: "signalfx", dir: corpus + "/signalfx-agent/deployments/k8s/helm/signalfx-agent", opts: Options{Set: []string{"clusterName=x", "signalFxAccessToken=x"}}},
		{name: "aqua-enforcer", dir: corpus + "/aqua-helm/enforcer", opts: Options{Set: []string{"enforcerToken=x"}}},
		// Bitnami's charts keep nearly everything in helpers of
		// their common library chart, many read by functions.
		{name: "nginx", dir: corpus + "/assembled/nginx"},
		// A password is set: otherwise the chart makes one up.
		{name: "redis", dir: corpus + "/assembled/redis", opts: Options{Set: []string{"auth.password=x"}}},
		{name: "aqua-kube-enforcer", dir: corpus + "/aqua-helm/kube-enforcer", opts: Options{Set: []string{
			"webhooks.caBundle=x", "aquaSecret.kubeEnforcerToken=x", "certsSecret.serverCertificate=x", "certsSecret.serverKey=x",
			"imageCredentials.registry=x", "imageCredentials.username=x", "imageCredentials.password=x",
		}}},
	}
}

func copyTree(t testing.TB, from, to string) {
	t.Helper()
	err := os.CopyFS(to, os.DirFS(from))
	if err != nil {
		t.Fatal(err)
	}
}

// TestHelmCorpus lints the vendor charts of the corpus and checks each
// Docker finding at the template line a person would edit, verified by
// reading the templates.
func TestHelmCorpus(t *testing.T) {
	charts := corpusCharts(t)
	if len(charts) == 0 {
		t.Skip("../shared/corpus is absent")
	}
	byName := map[string]corpusChart{}
	for _, c := range charts {
		byName[c.name] = c
	}
	tests := []struct {
		name  string
		chart string
		opts  func(Options) Options
		// want lists "rule file:line:col field" for the Docker
		// findings; files are relative to the chart.
		want []string
	}{
		{
			// daemonset.yaml:134 is `path: {{ dir (include
			// "datadog.dockerOrCriSocketPath" .) }}`, which gives
			// /var/run with neither socket path set.
			name: "datadog", chart: "datadog",
			want: []string{"docker-socket templates/daemonset.yaml:134:17 spec.template.spec.volumes[2].hostPath.path"},
		},
		{
			// _containers-common-env.yaml:102 is `value:
			// unix://{{ print "/host/" .Values.datadog.dockerSocketPath
			// | clean }}` in the helper every container includes; the
			// volume's path goes through `dir (include ...)`, which
			// reads the helper's output, so it stays on the include.
			name: "datadog with dockerSocketPath", chart: "datadog",
			opts: func(o Options) Options {
				o.Set = append(slices.Clone(o.Set), "datadog.dockerSocketPath=/var/run/docker.sock")
				return o
			},
			want: []string{
				"docker-host-env templates/_containers-common-env.yaml:102:11 spec.template.spec.containers[0].env[4].value",
				"docker-host-env templates/_containers-common-env.yaml:102:11 spec.template.spec.containers[1].env[4].value",
				"docker-host-env templates/_containers-common-env.yaml:102:11 spec.template.spec.initContainers[1].env[4].value",
				"docker-socket templates/daemonset.yaml:134:17 spec.template.spec.volumes[2].hostPath.path",
			},
		},
		{
			// daemonset.yaml:186 is `path: {{ .Values.docker.socket }}`
			// inside `if .Values.docker.enabled`.
			name: "falco", chart: "falco",
			want: []string{"docker-socket templates/daemonset.yaml:186:19 spec.template.spec.volumes[0].hostPath.path"},
		},
		{
			name: "falco without docker", chart: "falco",
			opts: func(o Options) Options { o.Set = []string{"docker.enabled=false"}; return o },
		},
		{
			// daemonset.yaml:177 is the ternary between the Windows
			// pipe and /var/run/docker.sock, under gatherDockerMetrics.
			name: "signalfx", chart: "signalfx",
			want: []string{"docker-socket templates/daemonset.yaml:177:17 spec.template.spec.volumes[2].hostPath.path"},
		},
		{
			name: "signalfx without docker metrics", chart: "signalfx",
			opts: func(o Options) Options {
				o.Set = append(slices.Clone(o.Set), "gatherDockerMetrics=false")
				return o
			},
		},
		{
			// enforcer-daemonset.yaml:129 is the literal `path: /var/run`
			// of the else branch taken when hostRunPath is unset.
			name: "aqua enforcer", chart: "aqua-enforcer",
			want: []string{"docker-socket templates/enforcer-daemonset.yaml:129:17-129:25 spec.template.spec.volumes[0].hostPath.path"},
		},
	}
	for _, tt := range tests {
		c := byName[tt.chart]
		opts := c.opts
		if tt.opts != nil {
			opts = tt.opts(opts)
		}
		t.Run(tt.name, func(t *testing.T) {
			res := runCharts(NewChart(c.dir, opts))
			if len(res.Errors) > 0 {
				t.Fatalf("unexpected input errors: %v", res.Errors)
			}
			var got []string
			for _, f := range res.Findings {
				if strings.HasPrefix(f.Rule, "docker-") || f.Rule == "dockershim-socket" {
					file := strings.TrimPrefix(f.File, filepath.ToSlash(c.dir)+"/")
					got = append(got, f.Rule+" "+spanString(lint.Position{File: file, Line: f.Line, Column: f.Column, EndLine: f.EndLine, EndColumn: f.EndColumn})+" "+f.Field.String())
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("docker findings:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestHelmCorpusHelperLines pins findings made inside the helpers of the
// corpus charts at the helper line, with the include chain related, as
// read from the vendors' files.
func TestHelmCorpusHelperLines(t *testing.T) {
	charts := corpusCharts(t)
	if len(charts) == 0 {
		t.Skip("../shared/corpus is absent")
	}
	byName := map[string]corpusChart{}
	for _, c := range charts {
		byName[c.name] = c
	}
	tests := []struct {
		name, chart, rule string
		// want is file:line:col of the finding and of each include
		// that led to it, relative to the chart.
		want []string
	}{
		{
			// _container-agent.yaml:3 is `image: "{{ include
			// "image-path" ... }}"`, in the container-agent helper
			// that daemonset.yaml:103 includes.
			name: "datadog agent image", chart: "datadog", rule: "agent-datadog",
			want: []string{"templates/_container-agent.yaml:3:10", "templates/daemonset.yaml:103:9"},
		},
		{
			// _helpers.tpl:64 is the printf of falco.image taken
			// without global values; daemonset.yaml:58 is `image: {{
			// template "falco.image" . }}`.
			name: "falco image", chart: "falco", rule: "agent-falco",
			want: []string{"templates/_helpers.tpl:64:5", "templates/daemonset.yaml:58:18"},
		},
		{
			// daemonset.yaml:134 is `path: {{ dir (include
			// "datadog.dockerOrCriSocketPath" .) }}`: dir reads the
			// helper, so the finding stays on the action and relates
			// the helper's definition, _helpers.tpl:162.
			name: "datadog socket directory", chart: "datadog", rule: "docker-socket",
			want: []string{"templates/daemonset.yaml:134:17", "templates/_helpers.tpl:162:1"},
		},
	}
	for _, tt := range tests {
		c := byName[tt.chart]
		t.Run(tt.name, func(t *testing.T) {
			res := runCharts(NewChart(c.dir, c.opts))
			if len(res.Errors) > 0 {
				t.Fatalf("unexpected input errors: %v", res.Errors)
			}
			var got []string
			rel := func(p lint.Position) string {
				p.File = strings.TrimPrefix(p.File, filepath.ToSlash(c.dir)+"/")
				return p.String()
			}
			for _, f := range res.Findings {
				if f.Rule != tt.rule {
					continue
				}
				got = append(got, rel(f.Position))
				for _, r := range f.Related {
					if strings.HasPrefix(r.Message, "included from") || strings.HasPrefix(r.Message, "computed by helper") {
						got = append(got, rel(r.Position))
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s: got %q, want %q", tt.rule, got, tt.want)
			}
		})
	}
}

// TestHelmCorpusMissingDependency: the assembled Falco chart declares
// falcosidekick without vendoring it, so it is an input error, not a
// download.
func TestHelmCorpusMissingDependency(t *testing.T) {
	dir := "../../../shared/corpus/assembled/falco2021"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("../shared/corpus is absent")
	}
	if _, err := os.Stat(dir + "/charts/falcosidekick"); err == nil {
		t.Skip("the corpus now vendors falcosidekick")
	}
	_, err := NewChart(dir, Options{}).Load()
	var ie *lint.InputError
	if !errors.As(err, &ie) || ie.File != dir+"/Chart.yaml" || ie.Line != 21 || !strings.Contains(ie.Message, `"falcosidekick"`) {
		t.Fatalf("got %v, want the missing falcosidekick at %s/Chart.yaml:21", err, dir)
	}
}

// BenchmarkRenderDatadog renders the corpus Datadog chart and locates every
// node of every object, which is what linting it costs beyond the rules.
// The chart is rendered again and again, as --all-ci-values renders it once
// per CI file: the markers of the first render are reused.
func BenchmarkRenderDatadog(b *testing.B) {
	benchmarkRenderDatadog(b, false)
}

// BenchmarkRenderDatadogFirst is the first render of the chart, which plans
// the markers: the cost of a plain run over the chart.
func BenchmarkRenderDatadogFirst(b *testing.B) {
	benchmarkRenderDatadog(b, true)
}

func benchmarkRenderDatadog(b *testing.B, first bool) {
	dir := "../../../shared/corpus/assembled/datadog"
	if _, err := os.Stat(dir); err != nil {
		b.Skip("../shared/corpus is absent")
	}
	opts := Options{Set: []string{"datadog.apiKey=0123456789abcdef0123456789abcdef"}}
	chart := NewChart(dir, opts)
	defer benchcpu.Start(b)()
	defer stopSpares()
	for b.Loop() {
		if first {
			chart = NewChart(dir, opts)
		}
		objects, err := chart.Load()
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range objects {
			locateAll(o, o.Node)
		}
	}
}

// stopSpares ends the idle render processes and waits for them: the CPU
// time of a child process is counted once it has been waited for, and a
// render process serves render after render.
func stopSpares() {
	for len(spares) > 0 {
		c := <-spares
		if c.err == nil {
			_ = c.stdin.Close()
			<-c.errs.done
			_ = c.cmd.Wait()
		}
	}
}

func locateAll(o *lint.Object, n *yaml.Node) {
	o.Locate(n, lint.FieldPath{})
	for _, c := range n.Content {
		locateAll(o, c)
	}
}

// TestChartYAMLErrors: Helm's loader names neither the path nor a line a
// person can trust when a chart's own YAML files do not parse; the error
// names the file within the chart and the line to fix.
func TestChartYAMLErrors(t *testing.T) {
	const goodChart = "apiVersion: v2\nname: c\nversion: 1.0.0\n"
	tests := []struct {
		name     string
		files    map[string]string
		wantFile string
		wantLine int
	}{
		{
			name:     "Chart.yaml",
			files:    map[string]string{"Chart.yaml": "apiVersion: v2\nname: [c\nversion: 1.0.0\n"},
			wantFile: "Chart.yaml", wantLine: 2,
		},
		{
			name:     "values.yaml",
			files:    map[string]string{"Chart.yaml": goodChart, "values.yaml": "a: 1\nb:\n\tc: 2\n"},
			wantFile: "values.yaml", wantLine: 3,
		},
		{
			name: "subchart Chart.yaml",
			files: map[string]string{
				"Chart.yaml":            goodChart,
				"charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: {1.0.0\n",
			},
			wantFile: "charts/sub/Chart.yaml", wantLine: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tt.files {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			res := runCharts(NewChart(dir, Options{}))
			if len(res.Errors) != 1 {
				t.Fatalf("got errors %v, want one", res.Errors)
			}
			got := res.Errors[0]
			if got.File != dir+"/"+tt.wantFile || got.Line != tt.wantLine || !strings.Contains(got.Message, "invalid YAML") {
				t.Errorf("error %s:%d: %s, want %s/%s:%d: invalid YAML ...", got.File, got.Line, got.Message, dir, tt.wantFile, tt.wantLine)
			}
		})
	}
}

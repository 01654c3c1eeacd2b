package render

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// guardNetwork makes every connection and DNS lookup through Go's standard
// paths fail and count, for the rest of the test. Helm fetches through
// net/http's default transport and kustomize's remote loaders resolve hosts
// first, so either attempt is seen here.
func guardNetwork(t *testing.T) *atomic.Int32 {
	var dials atomic.Int32
	refuse := func(_ context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return nil, errors.New("test forbids network access: " + network + " " + addr)
	}
	transport, resolver := http.DefaultTransport, net.DefaultResolver
	http.DefaultTransport = &http.Transport{DialContext: refuse}
	net.DefaultResolver = &net.Resolver{PreferGo: true, Dial: refuse}
	t.Cleanup(func() { http.DefaultTransport, net.DefaultResolver = transport, resolver })
	return &dials
}

// TestRemoteReferencesFailWithoutConnecting: charts and kustomizations that
// name things on the network fail with our error, and nothing dials.
func TestRemoteReferencesFailWithoutConnecting(t *testing.T) {
	dials := guardNetwork(t)
	tests := []struct {
		name  string
		files map[string]string
		// errFile is the suffix of the error's file and errMsg part of its
		// message.
		errFile, errMsg string
		errLine         int
	}{
		{
			name: "chart dependency from a repository, missing from charts/",
			files: map[string]string{
				"chart/Chart.yaml":        "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: redis\n    version: 18.0.0\n    repository: https://charts.example.com/stable\n",
				"chart/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
			},
			errFile: "chart/Chart.yaml", errMsg: `dependency "redis" is missing from charts/`, errLine: 5,
		},
		{
			name: "chart dependency from an OCI registry",
			files: map[string]string{
				"oci/Chart.yaml":        "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: common\n    version: 2.0.0\n    repository: oci://registry.example.com/charts\n",
				"oci/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
			},
			errFile: "oci/Chart.yaml", errMsg: `dependency "common" is missing from charts/`, errLine: 5,
		},
		{
			name: "kustomization with a remote base",
			files: map[string]string{
				"overlay/kustomization.yaml": "resources:\n  - github.com/example/app//deploy/base?ref=v1.2.3\n",
			},
			errFile: "overlay/kustomization.yaml", errMsg: "remote resources are not fetched", errLine: 2,
		},
		{
			name: "kustomization with a URL resource",
			files: map[string]string{
				"url/kustomization.yaml": "resources:\n  - https://raw.example.com/app/deploy.yaml\n",
			},
			errFile: "url/kustomization.yaml", errMsg: "remote resources are not fetched", errLine: 2,
		},
		{
			name: "kustomization with a chart's values file by URL",
			files: map[string]string{
				"values/kustomization.yaml":             "helmCharts:\n  - name: agent\n    valuesFile: https://example.com/values.yaml\n",
				"values/charts/agent/Chart.yaml":        "apiVersion: v2\nname: agent\nversion: 0.1.0\n",
				"values/charts/agent/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
			},
			errFile: "values/kustomization.yaml", errMsg: "remote values files are not fetched: https://example.com/values.yaml", errLine: 3,
		},
		{
			name: "kustomization with a chart to pull",
			files: map[string]string{
				"pull/kustomization.yaml": "helmCharts:\n  - name: redis\n    repo: https://charts.example.com/stable\n    version: 18.0.0\n",
			},
			errFile: "pull/kustomization.yaml", errMsg: "charts are not fetched", errLine: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tt.files {
				write(t, filepath.Join(dir, name), []byte(text))
			}
			run := lintHostile(t, []string{dir})
			if !hasError(run.Errors, tt.errFile, tt.errMsg, tt.errLine) {
				t.Errorf("want an error on %s line %d saying %q; got %v", tt.errFile, tt.errLine, tt.errMsg, run.Errors)
			}
		})
	}
	if n := dials.Load(); n > 0 {
		t.Errorf("%d connection or lookup attempts", n)
	}
}

// TestTemplatesCannotReachTheNetwork renders a chart whose template asks
// for a DNS lookup and whose schema refers to a URL: the render succeeds
// without either reaching the network.
func TestTemplatesCannotReachTheNetwork(t *testing.T) {
	dials := guardNetwork(t)
	dir := t.TempDir()
	chartFiles(t, filepath.Join(dir, "dns"), map[string]string{
		"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  ip: {{ getHostByName \"charts.example.com\" | quote }}\n",
	})
	write(t, filepath.Join(dir, "dns", "values.schema.json"), []byte(`{"$ref": "https://schemas.example.com/values.json"}`))
	// The same, written in ways a search for `"$ref": "http` misses.
	for name, schema := range map[string]string{
		"spaced":     `{"properties": {"a": {"$ref" :  "https://schemas.example.com/a.json"}}}`,
		"escaped":    `{"\u0024ref": "https://schemas.example.com/values.json"}`,
		"metaschema": `{"$schema": "https://schemas.example.com/meta.json", "type": "object"}`,
		"base":       `{"$id": "https://schemas.example.com/values.json", "properties": {"a": {"$ref": "a.json"}}}`,
	} {
		chartFiles(t, filepath.Join(dir, name), map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"})
		write(t, filepath.Join(dir, name, "values.schema.json"), []byte(schema))
	}
	run := lintHostile(t, []string{dir})
	if len(run.Errors) > 0 {
		t.Errorf("unexpected errors: %v", run.Errors)
	}
	if n := dials.Load(); n > 0 {
		t.Errorf("%d connection or lookup attempts", n)
	}
}

// TestNothingOutsideTheNamedPathsIsOpened lints a repository whose chart,
// overlay and manifests all point at a named pipe outside it. Opening a
// pipe for reading blocks until a writer comes, so any open of it hangs the
// run past its deadline instead of passing unnoticed; stat and readlink,
// which the checks use, do not open it.
func TestNothingOutsideTheNamedPathsIsOpened(t *testing.T) {
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	pipe := filepath.Join(root, "outside.yaml")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Skipf("cannot make a named pipe here: %v", err)
	}
	// Should a bug open the pipe, this writer releases the stuck reader
	// once the test has failed.
	t.Cleanup(func() {
		if f, err := os.OpenFile(pipe, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(repo, "good.yaml"), []byte(goodManifest))
	// A chart with a template linked outside, and one reading outside
	// through .Files.
	chartFiles(t, filepath.Join(repo, "charts", "linked"), nil)
	symlink(t, pipe, filepath.Join(repo, "charts", "linked", "templates", "pod.yaml"))
	chartFiles(t, filepath.Join(repo, "charts", "files"), map[string]string{
		"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  k: {{ .Files.Get \"../../../outside.yaml\" | quote }}\n",
	})
	// Charts whose values schema refers to the pipe: Helm's validator loads
	// a $ref that is no fragment from the file system, a relative one
	// from /, since it names the schema file:///values.schema.json.
	chartFiles(t, filepath.Join(repo, "charts", "schema-file"), nil)
	write(t, filepath.Join(repo, "charts", "schema-file", "values.schema.json"), []byte(`{"$ref": "file://`+filepath.ToSlash(pipe)+`"}`))
	chartFiles(t, filepath.Join(repo, "charts", "schema-relative"), nil)
	write(t, filepath.Join(repo, "charts", "schema-relative", "values.schema.json"),
		[]byte(`{"properties": {"a": {"$ref" : "`+strings.TrimPrefix(filepath.ToSlash(pipe), "/")+`#/x"}}}`))
	// Overlays naming the pipe by a relative path and through a link.
	write(t, filepath.Join(repo, "overlays", "up", "kustomization.yaml"), []byte("resources:\n  - ../../../outside.yaml\n"))
	write(t, filepath.Join(repo, "overlays", "link", "kustomization.yaml"), []byte("resources:\n  - outside.yaml\n"))
	symlink(t, pipe, filepath.Join(repo, "overlays", "link", "outside.yaml"))
	// A plain manifest linked outside.
	symlink(t, pipe, filepath.Join(repo, "manifests", "leak.yaml"))

	run := lintHostile(t, []string{repo})
	if !hasFinding(run, "good.yaml", "docker-socket") {
		t.Errorf("good.yaml was not linted: %v %v", run.Findings, run.Errors)
	}
	for _, want := range []struct{ file, msg string }{
		{"charts/linked/templates/pod.yaml", "outside the chart"},
		{"overlays/up/kustomization.yaml", "outside.yaml is outside"},
		{"overlays/link/kustomization.yaml", "resolves to " + filepath.ToSlash(pipe) + ", outside"},
	} {
		if !hasError(run.Errors, want.file, want.msg, 0) {
			t.Errorf("want an error on %s saying %q; got %v", want.file, want.msg, run.Errors)
		}
	}
	if !hasSkip(run.skipped, "outside the walked directory") {
		t.Errorf("want manifests/leak.yaml skipped; got %v", run.skipped)
	}
	for _, e := range run.Errors {
		if strings.Contains(e.File, "charts/files") || strings.Contains(e.File, "charts/schema-") {
			t.Errorf("the chart reading .Files outside itself should render: %v", e)
		}
	}
}

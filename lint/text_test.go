package lint_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

// Several test files of this binary want an -update flag and Go refuses one
// defined twice, so whichever initialises first defines it and all read it by
// name.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

// golden compares got with testdata/golden/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./lint -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test ./lint -update and review the diff):\n%s", path, got)
	}
}

// sampleReport has what the writers must get right: several files and
// severities, a finding without a namespace, one from standard input, related
// positions, non-ASCII text, control characters quoted from a manifest, and
// errors with and without a line. Findings come sorted, as from the engine.
func sampleReport() *lint.Report {
	const guide = "https://kubernetes.io/docs/tasks/administer-cluster/migrating-from-dockershim/migrating-telemetry-and-security-agents/"
	templateSpec := lint.KeyPath("spec", "template", "spec")
	r := &lint.Report{
		Version: "v1.2.3",
		Findings: []lint.Finding{
			{
				Rule:     "docker-socket",
				Severity: lint.SeverityError,
				Message:  `hostPath volume "dockersock" mounts the Docker Engine socket /var/run/docker.sock`,
				Position: lint.Position{File: "deploy/agent.yaml", Line: 31, Column: 19, EndLine: 31, EndColumn: 39},
				Object:   lint.ObjectRef{APIVersion: "apps/v1", Kind: "DaemonSet", Namespace: "monitoring", Name: "node-agent"},
				Field:    templateSpec.Append(lint.Key("volumes"), lint.Index(0), lint.Key("hostPath"), lint.Key("path")),
				Help:     guide,
				Related: []lint.Related{{
					Position: lint.Position{File: "deploy/agent.yaml", Line: 25, Column: 21},
					Message:  "mounted here",
				}},
			},
			{
				Rule:     "docker-host-env",
				Severity: lint.SeverityWarning,
				Message:  "DOCKER_HOST points at tcp://dind:2375 — a Docker daemon the pod must run itself",
				Position: lint.Position{File: "deploy/agent.yaml", Line: 40, Column: 22},
				Object:   lint.ObjectRef{APIVersion: "apps/v1", Kind: "DaemonSet", Namespace: "monitoring", Name: "node-agent"},
				Field:    templateSpec.Append(lint.Key("containers"), lint.Index(0), lint.Key("env"), lint.Index(1), lint.Key("value")),
				Help:     guide,
			},
			{
				Rule:     "docker-cli",
				Severity: lint.SeverityNote,
				Message:  "the command runs `docker ps\n\x1b[2Jdocker rm`",
				Position: lint.Position{File: "jobs/ménage.yaml", Line: 7, Column: 13},
				Object:   lint.ObjectRef{APIVersion: "v1", Kind: "Pod", Name: "nettoyage"},
				Field:    lint.KeyPath("spec", "containers").Append(lint.Index(0), lint.Key("args"), lint.Index(0)),
				Help:     guide,
			},
			{
				Rule:     "docker-socket",
				Severity: lint.SeverityError,
				Message:  `hostPath volume "sock" mounts the Docker Engine socket /run/docker.sock`,
				Position: lint.Position{File: "<stdin>", Line: 12, Column: 15},
				Object:   lint.ObjectRef{APIVersion: "v1", Kind: "Pod", Namespace: "ci", Name: "builder"},
				Field:    lint.KeyPath("spec", "volumes").Append(lint.Index(0), lint.Key("hostPath"), lint.Key("path")),
				Help:     guide,
			},
		},
		Errors: []lint.InputError{
			{File: "deploy/broken.yaml", Line: 19, Message: "invalid YAML: did not find expected ',' or '}'"},
			{File: "missing", Message: "no such file or directory"},
		},
	}
	lint.SortFindings(r.Findings)
	return r
}

func TestTextWriter(t *testing.T) {
	inventory := lint.Inventory{Files: 40, Charts: 3, Overlays: 2, Unread: 2}
	withInventory := sampleReport()
	withInventory.Inventory = inventory
	tests := []struct {
		name   string
		color  bool
		quiet  bool
		report *lint.Report
	}{
		{name: "plain", report: withInventory},
		{name: "color", color: true, report: withInventory},
		{name: "quiet", quiet: true, report: withInventory},
		{name: "empty", report: &lint.Report{Version: "v1.2.3"}},
		{name: "clean", report: &lint.Report{Version: "v1.2.3", Inventory: lint.Inventory{Files: 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout bytes.Buffer
			w := &lint.TextWriter{Color: tt.color, Quiet: tt.quiet}
			if err := w.Write(&stdout, tt.report); err != nil {
				t.Fatal(err)
			}
			golden(t, "text-"+tt.name+".golden", stdout.Bytes())
		})
	}
}

func TestWriteInputErrors(t *testing.T) {
	errs := sampleReport().Errors
	errs = append(errs, lint.InputError{File: "bad\nname\x1b[2J.yaml", Line: 1, Message: "invalid YAML"})
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		if err := lint.WriteInputErrors(&buf, errs, color); err != nil {
			t.Fatal(err)
		}
		name := "errors-plain.golden"
		if color {
			name = "errors-color.golden"
		}
		golden(t, name, buf.Bytes())
	}
}

// A file name is text from the file system: a newline or an escape
// sequence in it must not break the one-line format or reach the terminal.
func TestTextWriterEscapesFileNames(t *testing.T) {
	r := &lint.Report{Findings: []lint.Finding{{
		Rule: "docker-socket", Severity: lint.SeverityError, Message: "m",
		Position: lint.Position{File: "evil\n\x1b]0;title\x07\u202e.yaml", Line: 3, Column: 5},
	}}}
	var buf bytes.Buffer
	if err := (&lint.TextWriter{}).Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	want := `evil\n\x1b]0;title\a\u202e.yaml:3:5: error docker-socket: m` + "\n"
	if got, _, _ := strings.Cut(buf.String(), "1 finding"); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestSummary(t *testing.T) {
	finding := func(file string, s lint.Severity) lint.Finding {
		return lint.Finding{Severity: s, Position: lint.Position{File: file}}
	}
	mixed := []lint.Finding{
		finding("a", lint.SeverityNote), finding("a", lint.SeverityError),
		finding("b", lint.SeverityWarning), finding("b", lint.SeverityError),
	}
	tests := []struct {
		name      string
		findings  []lint.Finding
		inventory lint.Inventory
		want      string
	}{
		{name: "nothing found", want: "nothing linted: no manifest, chart or overlay found"},
		{name: "nothing readable", inventory: lint.Inventory{Unread: 1}, want: "nothing linted; 1 input had errors"},
		{name: "clean", inventory: lint.Inventory{Files: 2, Charts: 1}, want: "no findings; linted 2 files, 1 chart"},
		{
			name: "one", findings: []lint.Finding{finding("a", lint.SeverityError)}, inventory: lint.Inventory{Files: 1},
			want: "1 finding: 1 error in 1 file; linted 1 file",
		},
		{
			name: "mixed", findings: mixed, inventory: lint.Inventory{Files: 40, Charts: 3, Overlays: 2, Unread: 2},
			want: "4 findings: 2 errors, 1 warning, 1 note in 2 files; linted 40 files, 3 charts, 2 overlays; 2 inputs had errors",
		},
		{
			name: "findings from an input that failed part-way", findings: mixed[:1], inventory: lint.Inventory{Unread: 1},
			want: "1 finding: 1 note in 1 file; 1 input had errors",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &lint.Report{Findings: tt.findings, Inventory: tt.inventory}
			if got := lint.Summary(r); got != tt.want {
				t.Errorf("Summary = %q, want %q", got, tt.want)
			}
		})
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/lint/linttest"
	"github.com/dockershim-lint/dockershim-lint/render/helm"
)

var update = flag.Bool("update", false, "rewrite the generated sections of README.md")

func TestMain(m *testing.M) {
	// This binary is also the child process that renders each chart.
	helm.RunSandbox()
	// Reports carry the version; pin it so outputs compare byte for byte.
	version = "test"
	// The command's collector pace (internal/gcpace) is for one short
	// process; tests and benchmarks run at the default, the pace
	// BenchmarkDecodeFloor and the figures in docs/performance.md use.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(100)
	}
	os.Exit(m.Run())
}

type cliResult struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, stdin string, args ...string) cliResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(stdin), &stdout, &stderr)
	return cliResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// want is what a table-driven CLI test expects of one run: the exit code,
// text that must and must not appear on stdout, and text stderr must hold.
type want struct {
	code      int
	stdout    []string
	notStdout []string
	stderr    []string
	// anyStderr accepts output on stderr beyond what stderr lists; without
	// it, a run expected to print nothing there must print nothing.
	anyStderr bool
}

// check fails t for every way r differs from w.
func (r cliResult) check(t *testing.T, w want) {
	t.Helper()
	if r.code != w.code {
		t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, w.code, r.stdout, r.stderr)
	}
	for _, s := range w.stdout {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
		}
	}
	for _, s := range w.notStdout {
		if strings.Contains(r.stdout, s) {
			t.Errorf("stdout has %q:\n%s", s, r.stdout)
		}
	}
	for _, s := range w.stderr {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
	if w.stderr == nil && !w.anyStderr && r.stderr != "" {
		t.Errorf("unexpected stderr:\n%s", r.stderr)
	}
}

const (
	socketFile  = "testdata/cli/socket.yaml"
	warningFile = "testdata/cli/warning.yaml"
	cleanFile   = "testdata/cli/clean.yaml"
	brokenFile  = "testdata/cli/broken.yaml"
	// socketFinding is socket.yaml's one finding as the text format prints it.
	socketFinding = "testdata/cli/socket.yaml:17:15: error docker-socket: "
)

func TestRun(t *testing.T) {
	socketYAML, err := os.ReadFile(socketFile)
	if err != nil {
		t.Fatal(err)
	}
	listYAML, err := os.ReadFile("testdata/cli/list.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		stdin string
		// dir is the working directory, relative to the package.
		dir        string
		wantCode   int
		wantStdout []string
		wantStderr []string
		// notStdout must not appear on standard output.
		notStdout []string
	}{
		{
			name:       "version command",
			args:       []string{"version"},
			wantCode:   0,
			wantStdout: []string{"dockershim-lint version test\n"},
		},
		{
			name:       "version flag",
			args:       []string{"--version"},
			wantCode:   0,
			wantStdout: []string{"dockershim-lint version test\n"},
		},
		{
			name:       "help",
			args:       []string{"help"},
			wantCode:   0,
			wantStdout: []string{"lint", "rules", "version", "--fail-on"},
		},
		{
			name:       "error finding fails",
			args:       []string{"lint", socketFile},
			wantCode:   1,
			wantStdout: []string{socketFinding, "(Pod ci/builder)\n", "1 finding: 1 error in 1 file; linted 1 file\n"},
		},
		{
			name:       "bare form lints",
			args:       []string{socketFile},
			wantCode:   1,
			wantStdout: []string{socketFinding},
		},
		{
			name:       "bare form takes lint flags",
			args:       []string{"--format", "json", socketFile},
			wantCode:   1,
			wantStdout: []string{`"rule": "docker-socket"`, `"line": 17`},
		},
		{
			name:       "flag before the lint command is honoured",
			args:       []string{"--format", "json", "lint", socketFile},
			wantCode:   1,
			wantStdout: []string{`"rule": "docker-socket"`},
		},
		{
			name:       "flags after the paths",
			args:       []string{"lint", socketFile, "--format", "json", cleanFile, "--fail-on=error"},
			wantCode:   1,
			wantStdout: []string{`"rule": "docker-socket"`, `"file": "testdata/cli/socket.yaml"`},
		},
		{
			name:       "flags after the paths of the bare form",
			args:       []string{socketFile, "--format", "json"},
			wantCode:   1,
			wantStdout: []string{`"rule": "docker-socket"`},
		},
		{
			name:       "a path after -- is a path even if it looks like a flag",
			args:       []string{"lint", "--", "--no-such-file"},
			wantCode:   2,
			wantStderr: []string{"--no-such-file: error: no such file or directory"},
		},
		{
			name:       "clean file passes",
			args:       []string{"lint", cleanFile},
			wantCode:   0,
			wantStdout: []string{"no findings; linted 1 file\n"},
		},
		{
			name:       "non-Kubernetes YAML is not linted",
			args:       []string{"lint", "testdata/cli/not-kubernetes.yaml"},
			wantCode:   0,
			wantStdout: []string{"no findings; linted 1 file\n"},
		},
		{
			name:       "warning fails by default",
			args:       []string{"lint", warningFile},
			wantCode:   1,
			wantStdout: []string{"warning docker-data-dir: ", "1 finding: 1 warning in 1 file; linted 1 file\n"},
		},
		{
			name:       "warning passes --fail-on error but is reported",
			args:       []string{"lint", "--fail-on", "error", warningFile},
			wantCode:   0,
			wantStdout: []string{"warning docker-data-dir: "},
		},
		{
			name:       "--fail-on note",
			args:       []string{"lint", "--fail-on", "note", warningFile},
			wantCode:   1,
			wantStdout: []string{"warning docker-data-dir: "},
		},
		{
			name:       "--fail-on never",
			args:       []string{"lint", "--fail-on", "never", socketFile},
			wantCode:   0,
			wantStdout: []string{socketFinding},
		},
		{
			name:       "invalid --fail-on",
			args:       []string{"lint", "--fail-on", "fatal", socketFile},
			wantCode:   2,
			wantStderr: []string{`invalid --fail-on "fatal"`},
		},
		{
			name:       "unknown format",
			args:       []string{"lint", "--format", "xml", socketFile},
			wantCode:   2,
			wantStderr: []string{`unknown format "xml"`},
		},
		{
			name:       "unknown flag",
			args:       []string{"lint", "--colour", socketFile},
			wantCode:   2,
			wantStderr: []string{"unknown flag: --colour"},
		},
		{
			name:       "--disable",
			args:       []string{"lint", "--disable", "docker-socket", socketFile},
			wantCode:   0,
			wantStdout: []string{"no findings; linted 1 file\n"},
		},
		{
			name:       "--disable unknown rule",
			args:       []string{"lint", "--disable", "docker-sock", socketFile},
			wantCode:   2,
			wantStderr: []string{`unknown rule "docker-sock" in --disable`},
		},
		{
			name:       "--enable-only other rules",
			args:       []string{"lint", "--enable-only", "docker-cli,docker-data-dir", socketFile},
			wantCode:   0,
			wantStdout: []string{"no findings; linted 1 file\n"},
		},
		{
			name:       "--enable-only the rule",
			args:       []string{"lint", "--enable-only", "docker-cli", "--enable-only", "docker-socket", socketFile},
			wantCode:   1,
			wantStdout: []string{socketFinding},
		},
		{
			name:       "--enable-only unknown rule",
			args:       []string{"lint", "--enable-only", "docker-socket,nope", socketFile},
			wantCode:   2,
			wantStderr: []string{`unknown rule "nope" in --enable-only`},
		},
		{
			name:       "missing path",
			args:       []string{"lint", "testdata/cli/missing.yaml"},
			wantCode:   2,
			wantStderr: []string{"testdata/cli/missing.yaml: error: no such file or directory\n"},
		},
		{
			name:       "missing path among good ones",
			args:       []string{"lint", "testdata/cli/missing.yaml", socketFile},
			wantCode:   2,
			wantStdout: []string{socketFinding},
			wantStderr: []string{"testdata/cli/missing.yaml: error: no such file or directory\n"},
		},
		{
			name:     "broken YAML among good files",
			args:     []string{"lint", brokenFile, cleanFile, socketFile},
			wantCode: 2,
			wantStdout: []string{
				socketFinding,
				// The document before the broken one is still linted.
				"testdata/cli/broken.yaml:13:15: error docker-socket: ",
				"2 findings: 2 errors in 2 files; linted 3 files; 1 input had errors\n",
			},
			wantStderr: []string{"testdata/cli/broken.yaml:19: error: invalid YAML: "},
		},
		{
			name:       "broken YAML in JSON",
			args:       []string{"lint", "--format", "json", brokenFile},
			wantCode:   2,
			wantStdout: []string{`"file": "testdata/cli/broken.yaml",` + "\n" + `      "line": 19,`},
			wantStderr: []string{"testdata/cli/broken.yaml:19: error: invalid YAML: "},
		},
		{
			name:       "standard input",
			args:       []string{"lint", "-"},
			stdin:      string(socketYAML),
			wantCode:   1,
			wantStdout: []string{"<stdin>:17:15: error docker-socket: "},
		},
		{
			name:       "kubectl output on standard input",
			args:       []string{"-"},
			stdin:      string(listYAML),
			wantCode:   1,
			wantStdout: []string{"<stdin>:37:23: error docker-socket: ", "(Deployment ci/ci-runner)\n", "1 finding: 1 error in 1 file; linted 1 file\n"},
		},
		{
			name:       "broken standard input",
			args:       []string{"-"},
			stdin:      "kind: [",
			wantCode:   2,
			wantStderr: []string{"<stdin>:1: error: invalid YAML"},
		},
		{
			name:       "directory walk skips hidden directories and node_modules",
			args:       []string{"lint", "testdata/cli/tree"},
			wantCode:   1,
			wantStdout: []string{"testdata/cli/tree/apps/agent.yml:15:19: error docker-socket: ", "testdata/cli/tree/apps/job.json:10:"},
			notStdout:  []string{"skipped", "README"},
		},
		{
			name:       "no path lints the current directory",
			args:       []string{"lint"},
			dir:        "testdata/examples",
			wantCode:   1,
			wantStdout: []string{"node-monitor.yaml:31:19: error docker-socket: ", "prune-cronjob.yaml:"},
		},
		{
			name:       "no colour on a buffer",
			args:       []string{socketFile},
			wantCode:   1,
			notStdout:  []string{"\x1b["},
			wantStdout: []string{socketFinding},
		},
		{
			name:       "rules",
			args:       []string{"rules"},
			wantCode:   0,
			wantStdout: []string{"RULE", "SEVERITY", "HELP\ndocker-socket ", " error ", " https://kubernetes.io/"},
		},
		{
			name:       "rules as JSON",
			args:       []string{"rules", "--format", "json"},
			wantCode:   0,
			wantStdout: []string{`"id": "docker-socket"`, `"severity": "error"`},
		},
		{
			name:       "rules in an unknown format",
			args:       []string{"rules", "--format", "sarif-ish"},
			wantCode:   2,
			wantStderr: []string{`unknown format "sarif-ish"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.dir != "" {
				t.Chdir(tt.dir)
			}
			got := runCLI(t, tt.stdin, tt.args...)
			got.check(t, want{code: tt.wantCode, stdout: tt.wantStdout, notStdout: tt.notStdout, stderr: tt.wantStderr})
		})
	}
}

// jsonReport mirrors the JSON format for tests that read it back.
type jsonReport struct {
	Version  string            `json:"version"`
	Findings []jsonFinding     `json:"findings"`
	Errors   []lint.InputError `json:"errors"`
}

// jsonFinding is a finding read back from a report. A field path is
// printed, never parsed back, so the field stays the printed string.
type jsonFinding struct {
	lint.Finding
	Field string `json:"field"`
}

// findings are the report's findings as the engine's type, without fields.
func (r jsonReport) findings() []lint.Finding {
	out := make([]lint.Finding, len(r.Findings))
	for i, f := range r.Findings {
		out[i] = f.Finding
	}
	return out
}

func lintJSON(t *testing.T, stdin string, args ...string) (int, jsonReport) {
	t.Helper()
	got := runCLI(t, stdin, append([]string{"lint", "--format", "json"}, args...)...)
	var report jsonReport
	if err := json.Unmarshal([]byte(got.stdout), &report); err != nil {
		t.Fatalf("output is not a JSON report: %v\n%s", err, got.stdout)
	}
	return got.code, report
}

// TestFixtures lints every CLI fixture and the README example in one run and
// matches the findings to their want comments: the broken file must not cost
// the others their findings.
func TestFixtures(t *testing.T) {
	code, report := lintJSON(t, "", "testdata/cli", "testdata/examples")
	if code != exitError {
		t.Errorf("exit code %d, want %d for a run with a broken file", code, exitError)
	}
	wants := linttest.ParseWantFiles(t, "testdata/cli", ".yaml", ".yml")
	wants = append(wants, linttest.ParseWantFiles(t, "testdata/examples", ".yaml", ".yml")...)
	// JSON has no comments; its expectation is spelled out here.
	wants = append(wants, linttest.Want{File: "testdata/cli/tree/apps/job.json", Line: 10, Column: 59, Rule: "docker-socket"})
	linttest.Match(t, wants, report.findings())

	wantErrors := []lint.InputError{{
		File:    brokenFile,
		Line:    19,
		Message: "invalid YAML: did not find expected ',' or '}'",
	}}
	if len(report.Errors) != len(wantErrors) {
		t.Fatalf("errors = %+v, want %+v", report.Errors, wantErrors)
	}
	for i := range wantErrors {
		if report.Errors[i] != wantErrors[i] {
			t.Errorf("error %d = %+v, want %+v", i, report.Errors[i], wantErrors[i])
		}
	}
}

// TestPositions pins columns as well as lines where encoding tricks could
// shift them.
func TestPositions(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		wantLine   int
		wantColumn int
		wantObject string
	}{
		{name: "LF", file: socketFile, wantLine: 17, wantColumn: 15, wantObject: "Pod ci/builder"},
		{name: "CRLF", file: "testdata/cli/crlf.yaml", wantLine: 17, wantColumn: 15, wantObject: "Pod ci/builder-crlf"},
		{name: "byte order mark", file: "testdata/cli/bom.yaml", wantLine: 17, wantColumn: 15, wantObject: "Pod ci/builder-bom"},
		// One finding: the file's ignore comment suppresses the other.
		{name: "CR", file: "testdata/cli/cr.yaml", wantLine: 18, wantColumn: 15, wantObject: "Pod ci/builder-cr"},
		{name: "NEL, LS and PS inside lines", file: "testdata/cli/nel.yaml", wantLine: 13, wantColumn: 31, wantObject: "Pod ci/builder-nel"},
		{name: "JSON", file: "testdata/cli/tree/apps/job.json", wantLine: 10, wantColumn: 59, wantObject: "Job ops/inspect"},
		{name: "List item", file: "testdata/cli/list.yaml", wantLine: 37, wantColumn: 23, wantObject: "Deployment ci/ci-runner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, report := lintJSON(t, "", tt.file)
			if code != exitFindings {
				t.Errorf("exit code %d, want %d", code, exitFindings)
			}
			if len(report.Findings) != 1 {
				t.Fatalf("got %d findings, want 1: %+v", len(report.Findings), report.Findings)
			}
			f := report.Findings[0]
			if f.Rule != "docker-socket" || f.Line != tt.wantLine || f.Column != tt.wantColumn || f.Object.String() != tt.wantObject {
				t.Errorf("got %s at %d:%d on %s, want docker-socket at %d:%d on %s",
					f.Rule, f.Line, f.Column, f.Object, tt.wantLine, tt.wantColumn, tt.wantObject)
			}
		})
	}
}

// TestJSONFieldNames pins the names other tools parse, independently of the
// Go types that produce them.
func TestJSONFieldNames(t *testing.T) {
	got := runCLI(t, "", "lint", "--format", "json", brokenFile)
	var report map[string]any
	if err := json.Unmarshal([]byte(got.stdout), &report); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, got.stdout)
	}
	if report["version"] != "test" {
		t.Errorf("version = %v, want test", report["version"])
	}
	findings, _ := report["findings"].([]any)
	errs, _ := report["errors"].([]any)
	if len(findings) != 1 || len(errs) != 1 {
		t.Fatalf("want one finding and one error, got:\n%s", got.stdout)
	}
	tests := []struct {
		name string
		obj  any
		keys []string
	}{
		{name: "finding", obj: findings[0], keys: []string{"rule", "severity", "message", "file", "line", "column", "object", "field", "help"}},
		{name: "object", obj: findings[0].(map[string]any)["object"], keys: []string{"apiVersion", "kind", "name"}},
		{name: "error", obj: errs[0], keys: []string{"file", "line", "message"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := tt.obj.(map[string]any)
			if !ok {
				t.Fatalf("%s is %T, want an object", tt.name, tt.obj)
			}
			for _, k := range tt.keys {
				if _, ok := m[k]; !ok {
					t.Errorf("%s lacks %q: %v", tt.name, k, m)
				}
			}
		})
	}
}

// TestDeterministic runs the same lint with one and with several workers.
func TestDeterministic(t *testing.T) {
	args := []string{"lint", "--format", "json", "testdata/cli", "testdata/examples"}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	one := runCLI(t, "", args...)
	runtime.GOMAXPROCS(4)
	four := runCLI(t, "", args...)
	if one.stdout != four.stdout || one.stderr != four.stderr {
		t.Errorf("output depends on GOMAXPROCS:\n--- 1:\n%s\n--- 4:\n%s", one.stdout, four.stdout)
	}
}

func TestOutputFile(t *testing.T) {
	tests := []struct {
		name     string
		format   string
		wantCode int
		wantFile string
	}{
		{name: "text", format: "text", wantCode: 1, wantFile: socketFinding},
		{name: "json", format: "json", wantCode: 1, wantFile: `"rule": "docker-socket"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "report")
			got := runCLI(t, "", "lint", "--format", tt.format, "--output", out, socketFile)
			if got.code != tt.wantCode {
				t.Errorf("exit code %d, want %d; stderr:\n%s", got.code, tt.wantCode, got.stderr)
			}
			if got.stdout != "" {
				t.Errorf("stdout should be empty with --output, got:\n%s", got.stdout)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), tt.wantFile) {
				t.Errorf("report file lacks %q:\n%s", tt.wantFile, data)
			}
		})
	}

	t.Run("usage error leaves the file alone", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "report")
		if err := os.WriteFile(out, []byte("previous report\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		got := runCLI(t, "", "lint", "--format", "xml", "--output", out, socketFile)
		if got.code != exitError {
			t.Errorf("exit code %d, want %d", got.code, exitError)
		}
		if data, err := os.ReadFile(out); err != nil || string(data) != "previous report\n" {
			t.Errorf("report file = %q, %v; want it untouched", data, err)
		}
	})

	t.Run("unwritable", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "no-such-dir", "report")
		got := runCLI(t, "", "lint", "--output", out, socketFile)
		if got.code != exitError || !strings.Contains(got.stderr, "no-such-dir") {
			t.Errorf("got exit %d, stderr %q; want exit 2 naming the path", got.code, got.stderr)
		}
	})
}

func TestSelectRules(t *testing.T) {
	all := []*lint.Rule{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	tests := []struct {
		name       string
		disable    []string
		enableOnly []string
		want       string
		wantErr    string
	}{
		{name: "default", want: "a,b,c"},
		{name: "disable", disable: []string{"b"}, want: "a,c"},
		{name: "disable with spaces", disable: []string{" a", "c "}, want: "b"},
		{name: "enable only", enableOnly: []string{"c", "a"}, want: "a,c"},
		{name: "both", enableOnly: []string{"a", "b"}, disable: []string{"a"}, want: "b"},
		{name: "disable all", disable: []string{"a", "b", "c"}, want: ""},
		{name: "unknown disable", disable: []string{"d"}, wantErr: `unknown rule "d" in --disable`},
		{name: "unknown enable-only", enableOnly: []string{"a", "e"}, wantErr: `unknown rule "e" in --enable-only`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := selectRules(all, tt.disable, tt.enableOnly)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]string, len(got))
			for i, r := range got {
				ids[i] = r.ID
			}
			if s := strings.Join(ids, ","); s != tt.want {
				t.Errorf("rules = %q, want %q", s, tt.want)
			}
		})
	}
}

func TestUseColor(t *testing.T) {
	regular, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer regular.Close()
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	terminal := openPseudoTerminal(t)

	tests := []struct {
		name string
		w    io.Writer
		mode colorMode
		env  string
		want bool
	}{
		{name: "terminal", w: terminal, want: true},
		{name: "terminal with --color never", w: terminal, mode: colorNever, want: false},
		{name: "terminal with NO_COLOR", w: terminal, env: "1", want: false},
		{name: "terminal with empty NO_COLOR", w: terminal, env: "", want: true},
		{name: "regular file", w: regular, want: false},
		// A character device, but no terminal: `lint > /dev/null` must not
		// colour the errors it prints on a redirected stderr either.
		{name: "/dev/null", w: devNull, want: false},
		{name: "buffer", w: &bytes.Buffer{}, want: false},
		{name: "buffer with --color always", w: &bytes.Buffer{}, mode: colorAlways, want: true},
		{name: "--color always wins over NO_COLOR", w: regular, mode: colorAlways, env: "1", want: true},
		{name: "--color never on a terminal", w: terminal, mode: colorNever, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := useColor(tt.w, tt.mode, tt.env); got != tt.want {
				t.Errorf("useColor = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestVersionFromBuildInfo(t *testing.T) {
	const rev = "6ae14dc0123456789abcdef0123456789abcdef0"
	tests := []struct {
		name     string
		version  string
		settings []debug.BuildSetting
		want     string
	}{
		{name: "release", version: "v1.2.3", want: "v1.2.3"},
		{name: "empty", version: "", want: "(devel)"},
		{name: "devel with revision", version: "(devel)", settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}}, want: "(devel) (6ae14dc01234)"},
		{
			name:     "devel with modified checkout",
			version:  "(devel)",
			settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "true"}},
			want:     "(devel) (6ae14dc01234-dirty)",
		},
		{
			name:     "pseudo-version already names the revision",
			version:  "v0.0.0-20261124222000-6ae14dc01234+dirty",
			settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "true"}},
			want:     "v0.0.0-20261124222000-6ae14dc01234+dirty",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := &debug.BuildInfo{Main: debug.Module{Version: tt.version}, Settings: tt.settings}
			if got := versionFromBuildInfo(info); got != tt.want {
				t.Errorf("version = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRenderFlags drives charts and overlays through run(): the Helm flags
// change what is rendered, and findings land on template lines.
func TestRenderFlags(t *testing.T) {
	guardedFinding := "testdata/charts/guarded/templates/daemonset.yaml:30:19: error docker-socket: "
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		notStdout  []string
		wantStderr []string
	}{
		{
			name:       "chart defaults are clean",
			args:       []string{"testdata/charts/guarded"},
			wantCode:   0,
			wantStdout: []string{"no findings"},
		},
		{
			name:       "--set switches the volume on",
			args:       []string{"--set", "docker.enabled=true", "testdata/charts/guarded"},
			wantCode:   1,
			wantStdout: []string{guardedFinding},
		},
		{
			name:       "--set keeps Helm's commas",
			args:       []string{"--set", "other=1,docker.enabled=true", "testdata/charts/guarded"},
			wantCode:   1,
			wantStdout: []string{guardedFinding},
		},
		{
			name:       "-f values file",
			args:       []string{"-f", "testdata/config/project/values/docker.yaml", "testdata/charts/guarded"},
			wantCode:   1,
			wantStdout: []string{guardedFinding},
		},
		{
			name:       "later --set wins over --values",
			args:       []string{"--values", "testdata/config/project/values/docker.yaml", "--set", "docker.enabled=false", "testdata/charts/guarded"},
			wantCode:   0,
			wantStdout: []string{"no findings"},
		},
		{
			name:       "--set-string is a string, and a non-empty string is true",
			args:       []string{"--set-string", "docker.enabled=false", "testdata/charts/guarded"},
			wantCode:   1,
			wantStdout: []string{guardedFinding},
		},
		{
			name:       "--release-name names the objects",
			args:       []string{"--format", "json", "--release-name", "monitoring", "testdata/charts/socketpath"},
			wantCode:   1,
			wantStdout: []string{`"name": "monitoring-agent"`},
		},
		{
			name:       "release name defaults to the chart's",
			args:       []string{"--format", "json", "testdata/charts/socketpath"},
			wantCode:   1,
			wantStdout: []string{`"name": "socketpath-agent"`},
		},
		{
			name:       "--all-ci-values renders ci/*values.yaml too",
			args:       []string{"--all-ci-values", "testdata/charts/civalues"},
			wantCode:   1,
			wantStdout: []string{"testdata/charts/civalues/templates/daemonset.yaml:24:19: error docker-socket: ", "[values ci/docker-values.yaml]"},
		},
		{
			name:       "without --all-ci-values only the defaults",
			args:       []string{"testdata/charts/civalues"},
			wantCode:   1,
			wantStdout: []string{"warning docker-data-dir: "},
			notStdout:  []string{"docker-socket"},
		},
		{
			name:       "kustomize overlay",
			args:       []string{"testdata/kustomize/smp/overlay"},
			wantCode:   1,
			wantStdout: []string{"testdata/kustomize/smp/overlay/mount-socket.yaml:17:19: error docker-socket: "},
		},
		{
			name:       "skipped paths are notices",
			args:       []string{"testdata/discover/notachart"},
			wantCode:   0,
			wantStdout: []string{"nothing linted: no manifest, chart or overlay found\n"},
			wantStderr: []string{"testdata/discover/notachart/templates/pod.yaml: notice: skipped: a Helm template outside any chart"},
		},
		{
			name:       "missing values file",
			args:       []string{"-f", "json", socketFile},
			wantCode:   2,
			wantStderr: []string{"--values json: no such file or directory"},
		},
		{
			name:       "invalid --kube-version",
			args:       []string{"--kube-version", "one.two", socketFile},
			wantCode:   2,
			wantStderr: []string{`invalid --kube-version "one.two"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runCLI(t, "", append([]string{"lint"}, tt.args...)...)
			got.check(t, want{code: tt.wantCode, stdout: tt.wantStdout, notStdout: tt.notStdout, stderr: tt.wantStderr})
		})
	}
}

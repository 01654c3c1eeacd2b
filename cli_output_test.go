package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInputErrorsOnStderr: whatever the format and wherever the report
// goes, input errors reach the terminal, so a CI log is never silent.
func TestInputErrorsOnStderr(t *testing.T) {
	const plain = "testdata/cli/broken.yaml:19: error: invalid YAML: did not find expected ',' or '}'\n"
	const annotation = "::error file=testdata/cli/broken.yaml,line=19,title=dockershim-lint input error::invalid YAML: did not find expected ',' or '}'\n"
	tests := []struct {
		format    string
		toFile    bool
		wantErr   string
		notStdout []string
	}{
		{format: "text", wantErr: plain},
		{format: "json", wantErr: plain},
		{format: "sarif", wantErr: plain},
		{format: "checkstyle", wantErr: plain},
		{format: "junit", wantErr: plain},
		{format: "gitlab", wantErr: plain},
		// Annotations on stderr, once: the runner reads both streams.
		{format: "github", wantErr: annotation, notStdout: []string{"::error file=testdata/cli/broken.yaml,line=19,title=dockershim-lint input error"}},
		{format: "json", toFile: true, wantErr: plain},
		{format: "github", toFile: true, wantErr: annotation},
	}
	for _, tt := range tests {
		name := tt.format
		if tt.toFile {
			name += " to a file"
		}
		t.Run(name, func(t *testing.T) {
			args := []string{"lint", "--format", tt.format, brokenFile}
			if tt.toFile {
				args = append(args, "--output", filepath.Join(t.TempDir(), "report"))
			}
			got := runCLI(t, "", args...)
			got.check(t, want{code: exitError, stderr: []string{tt.wantErr}, notStdout: tt.notStdout})
			if n := strings.Count(got.stderr, "broken.yaml"); n != 1 {
				t.Errorf("the error is printed %d times on stderr:\n%s", n, got.stderr)
			}
		})
	}
}

// TestSummary: the last line counts what was linted and what was not; a
// run that read nothing never says "no findings".
func TestSummaryLine(t *testing.T) {
	big := "apiVersion: v1\nkind: List\nitems:\n" + strings.Repeat("- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c\n", 100)
	tests := []struct {
		name  string
		files map[string]string
		args  []string
		stdin string
		code  int
		last  string
	}{
		{
			name:  "an empty directory",
			files: map[string]string{"empty/README.md": "no YAML here\n"},
			args:  []string{"lint", "empty"},
			code:  exitOK,
			last:  "nothing linted: no manifest, chart or overlay found",
		},
		{
			name:  "a dump refused by the size limit",
			args:  []string{"lint", "--max-file-size", "1KiB", "-"},
			stdin: big,
			code:  exitError,
			last:  "nothing linted; 1 input had errors",
		},
		{
			name: "files, a chart and an overlay",
			args: []string{
				"lint", "--fail-on", "never", "--set", "docker.enabled=true", "--no-color",
				abs(t, "testdata/charts/guarded"), abs(t, "testdata/kustomize/smp/overlay"), abs(t, socketFile), abs(t, cleanFile), abs(t, "testdata/cli/missing.yaml"),
			},
			code: exitError,
			last: "3 findings: 3 errors in 3 files; linted 2 files, 1 chart, 1 overlay; 1 input had errors",
		},
		{
			name: "clean files",
			args: []string{"lint", abs(t, cleanFile), abs(t, "testdata/cli/not-kubernetes.yaml")},
			code: exitOK,
			last: "no findings; linted 2 files",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			workspace(t, tt.files)
			got := runCLI(t, tt.stdin, tt.args...)
			got.check(t, want{code: tt.code, anyStderr: true})
			lines := strings.Split(strings.TrimSuffix(got.stdout, "\n"), "\n")
			if last := lines[len(lines)-1]; last != tt.last {
				t.Errorf("last line %q, want %q\nstdout:\n%s", last, tt.last, got.stdout)
			}
		})
	}
}

func abs(t *testing.T, path string) string {
	t.Helper()
	p, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestVerbosity covers -q, -v and --color.
func TestVerbosity(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  string
		want want
	}{
		{
			name: "-q prints findings only",
			args: []string{"lint", "-q", socketFile},
			want: want{code: exitFindings, stdout: []string{socketFinding}, notStdout: []string{"1 finding", "linted"}},
		},
		{
			name: "-q drops notices",
			args: []string{"lint", "-q", "testdata/discover/notachart"},
			want: want{code: exitOK, notStdout: []string{"nothing linted"}},
		},
		{
			name: "-q keeps input errors",
			args: []string{"lint", "-q", brokenFile},
			want: want{code: exitError, stderr: []string{"testdata/cli/broken.yaml:19: error: invalid YAML"}},
		},
		{
			name: "-v names each input with its kind and time",
			args: []string{"lint", "-v", "--set", "docker.enabled=true", socketFile, "testdata/charts/guarded"},
			want: want{code: exitFindings, stderr: []string{
				"testdata/cli/socket.yaml: info: file linted: 1 object in ",
				"testdata/charts/guarded: info: chart linted: ",
			}},
		},
		{
			name: "-v says what was skipped and why",
			args: []string{"lint", "-v", "testdata/cli/tree"},
			want: want{code: exitFindings, stderr: []string{
				"testdata/cli/tree/node_modules: info: skipped: hidden directories and node_modules are not walked",
				"testdata/cli/tree/.hidden: info: skipped: hidden directories and node_modules are not walked",
			}},
		},
		{
			name: "-v with -q",
			args: []string{"lint", "-v", "-q", socketFile},
			want: want{code: exitError, stderr: []string{"--quiet and --verbose contradict each other"}},
		},
		{
			name: "--color always colours a pipe",
			args: []string{"lint", "--color", "always", socketFile},
			want: want{code: exitFindings, stdout: []string{"\x1b[1mtestdata/cli/socket.yaml:17:15\x1b[0m: \x1b[31merror\x1b[0m docker-socket"}},
		},
		{
			name: "--color always wins over NO_COLOR",
			args: []string{"lint", "--color=always", socketFile},
			env:  "1",
			want: want{code: exitFindings, stdout: []string{"\x1b[31merror\x1b[0m"}},
		},
		{
			name: "--color never",
			args: []string{"lint", "--color", "never", socketFile},
			want: want{code: exitFindings, stdout: []string{socketFinding}, notStdout: []string{"\x1b["}},
		},
		{
			name: "--color with a bad value",
			args: []string{"lint", "--color", "sometimes", socketFile},
			want: want{code: exitError, stderr: []string{`invalid --color "sometimes" (want auto, always or never)`}},
		},
		{
			name: "--no-color contradicts --color always",
			args: []string{"lint", "--no-color", "--color", "always", socketFile},
			want: want{code: exitError, stderr: []string{"--no-color contradicts --color always"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", tt.env)
			got := runCLI(t, "", tt.args...)
			got.check(t, tt.want)
			if strings.Contains(tt.name, "-q") && tt.want.stderr == nil && got.stderr != "" {
				t.Errorf("-q printed on stderr:\n%s", got.stderr)
			}
		})
	}
}

// TestFileNamesEscaped: a file name with a newline or an escape sequence
// cannot break a line of the report or reach the terminal.
func TestFileNamesEscaped(t *testing.T) {
	socket := readFixture(t, socketFile)
	tests := []struct {
		format string
		want   []string
	}{
		{format: "text", want: []string{"dir/evil\\n\\x1b[2J.yaml:17:15: error docker-socket: "}},
		{format: "github", want: []string{"::error file=dir/evil\\n\\x1b[2J.yaml,line=17,col=15,"}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			workspace(t, map[string]string{"dir/evil\n\x1b[2J.yaml": socket, "dir/broken\n.yaml": "kind: [\n"})
			got := runCLI(t, "", "lint", "--format", tt.format, "dir")
			got.check(t, want{code: exitError, stdout: tt.want, anyStderr: true})
			for _, out := range []string{got.stdout, got.stderr} {
				if strings.ContainsAny(out, "\x1b") {
					t.Errorf("an escape character reached the output:\n%q", out)
				}
				for _, line := range strings.Split(out, "\n") {
					if line == "[2J.yaml:17:15: error docker-socket: " || strings.HasPrefix(line, ".yaml") {
						t.Errorf("a file name broke a line:\n%q", out)
					}
				}
			}
			if !strings.Contains(got.stderr, `dir/broken\n.yaml`) {
				t.Errorf("the input error's file name is not escaped:\n%q", got.stderr)
			}
		})
	}
}

// TestOutputs: several reports in one run, and the formats CI systems
// read.
func TestOutputs(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		code  int
		out   []string
		files map[string][]string // report file -> text it must hold
	}{
		{
			name:  "text on stdout and SARIF in a file",
			args:  []string{"--format", "text", "--format", "sarif:results.sarif", socketFile},
			code:  exitFindings,
			out:   []string{socketFinding},
			files: map[string][]string{"results.sarif": {`"version": "2.1.0"`, `"ruleId": "docker-socket"`}},
		},
		{
			name:  "--output takes the format without a file",
			args:  []string{"--format", "json", "--format", "junit:junit.xml", "-o", "report.json", socketFile},
			code:  exitFindings,
			files: map[string][]string{"report.json": {`"rule": "docker-socket"`}, "junit.xml": {`<testsuites name="dockershim-lint"`, `<failure message=`}},
		},
		{
			name: "checkstyle",
			args: []string{"--format", "checkstyle", socketFile},
			code: exitFindings,
			out:  []string{`<checkstyle version="4.3">`, `<file name="testdata/cli/socket.yaml">`, `<error line="17" column="15" severity="error"`, `source="dockershim-lint.docker-socket"`},
		},
		{
			name: "junit",
			args: []string{"--format", "junit", socketFile},
			code: exitFindings,
			out:  []string{`<testsuite name="docker-socket" tests="1" failures="1" errors="0">`, `<testcase name="testdata/cli/socket.yaml:17:15" classname="docker-socket"`},
		},
		{
			name: "gitlab",
			args: []string{"--format", "gitlab", socketFile},
			code: exitFindings,
			out:  []string{`"check_name": "docker-socket"`, `"severity": "critical"`, `"path": "testdata/cli/socket.yaml"`, `"begin": 17`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"lint"}
			for _, a := range tt.args {
				// Report files go to the temporary directory.
				for file := range tt.files {
					if a == file || strings.HasSuffix(a, ":"+file) {
						a = strings.TrimSuffix(a, file) + filepath.Join(dir, file)
					}
				}
				args = append(args, a)
			}
			got := runCLI(t, "", args...)
			got.check(t, want{code: tt.code, stdout: tt.out})
			for file, wants := range tt.files {
				data, err := os.ReadFile(filepath.Join(dir, file))
				if err != nil {
					t.Fatal(err)
				}
				for _, w := range wants {
					if !strings.Contains(string(data), w) {
						t.Errorf("%s lacks %q:\n%s", file, w, data)
					}
				}
				if strings.HasSuffix(file, ".json") || strings.HasSuffix(file, ".sarif") {
					if !json.Valid(data) {
						t.Errorf("%s is not JSON", file)
					}
				}
			}
			if len(tt.out) == 0 && got.stdout != "" {
				t.Errorf("every report went to a file, but stdout has:\n%s", got.stdout)
			}
		})
	}
}

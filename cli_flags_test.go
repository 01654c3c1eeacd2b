package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// workspace writes files (name -> content, "->target" for a symlink) into a
// fresh directory and makes it the working directory, as a user's checkout.
func workspace(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	return dir
}

func readFixture(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestFlagSlips: a flag written without its value, or a report path that is
// an input, is a usage error that changes no file and prints no report.
func TestFlagSlips(t *testing.T) {
	socket := readFixture(t, socketFile)
	chart := map[string]string{
		"chart/Chart.yaml":          "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
		"chart/templates/pod.yaml":  "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: []\n",
		"chart/templates/notes.txt": "hello\n",
	}
	tests := []struct {
		name   string
		files  map[string]string
		args   []string
		stderr string
	}{
		{name: "-o last takes the path as its value", args: []string{"lint", "victim.yaml", "-o"}, stderr: "flag needs an argument: 'o' in -o"},
		{name: "--output last", args: []string{"lint", "victim.yaml", "--output"}, stderr: "flag needs an argument: --output"},
		{name: "--write-baseline last", args: []string{"lint", "victim.yaml", "--write-baseline"}, stderr: "flag needs an argument: --write-baseline"},
		{name: "-f last takes the directory as a values file", args: []string{"lint", "dir", "-f"}, stderr: "flag needs an argument: 'f' in -f"},
		{name: "bare form, -o last", args: []string{"victim.yaml", "-o"}, stderr: "flag needs an argument: 'o' in -o"},
		{name: "-o followed by a flag", args: []string{"lint", "-o", "--format", "json", "victim.yaml"}, stderr: `"--format" looks like a flag, not a file name`},
		{name: "misspelled flag names the flag meant", args: []string{"lint", "--fromat", "json", "victim.yaml"}, stderr: "unknown flag: --fromat: did you mean --format?"},
		{name: "misspelled flag with its value", args: []string{"lint", "--dissable=docker-cli", "victim.yaml"}, stderr: "unknown flag: --dissable: did you mean --disable?"},
		{name: "single-dash long flag", args: []string{"lint", "-output", "victim.yaml", "dir"}, stderr: "-output: long flags take two dashes: --output"},
		{name: "report over the file linted", args: []string{"lint", "-o", "victim.yaml", "victim.yaml"}, stderr: "--output victim.yaml is also a path to lint"},
		{name: "report over the file linted, written differently", args: []string{"lint", "-o", "./dir/../victim.yaml", "victim.yaml"}, stderr: "--output ./dir/../victim.yaml is also a path to lint"},
		{name: "report over a file inside a linted directory", args: []string{"lint", "--output", "dir/deploy.yaml", "dir"}, stderr: "--output dir/deploy.yaml is also an input of this run (dir/deploy.yaml)"},
		{name: "report through a symlink to an input", args: []string{"lint", "-o", "link.yaml", "dir"}, stderr: "--output link.yaml is also an input of this run (dir/deploy.yaml)"},
		{name: "format:file over an input", args: []string{"lint", "--format", "sarif:dir/deploy.yaml", "dir"}, stderr: "--format sarif:dir/deploy.yaml is also an input"},
		{name: "baseline over an input", args: []string{"lint", "--write-baseline", "dir/deploy.yaml", "dir"}, stderr: "--write-baseline dir/deploy.yaml is also an input"},
		{name: "report inside a linted chart", files: chart, args: []string{"lint", "-o", "chart/templates/notes.txt", "chart"}, stderr: "is also an input of this run (chart)"},
		{
			// A JSON manifest may carry any other keys: "version" and
			// "findings" beside apiVersion and kind make no report of it.
			name:  "report over a JSON manifest with a report's keys",
			files: map[string]string{"dir/pod.json": `{"version": "1", "findings": [], "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}`},
			args:  []string{"lint", "--format", "json", "-o", "dir/pod.json", "dir"}, stderr: "--output dir/pod.json is also an input of this run (dir/pod.json)",
		},
		// Files the run reads besides its inputs are no report's either.
		{name: "report over a --values file", files: map[string]string{"prod.yaml": "a: 1\n"}, args: []string{"lint", "-f", "prod.yaml", "-o", "prod.yaml", "victim.yaml"}, stderr: "--output prod.yaml is a file this run reads (prod.yaml): refusing to overwrite it"},
		{name: "report over a --set-file file", files: map[string]string{"note.txt": "x\n"}, args: []string{"lint", "--set-file", "a=note.txt", "-o", "note.txt", "victim.yaml"}, stderr: "--output note.txt is a file this run reads (note.txt)"},
		{name: "baseline over the config file", files: map[string]string{configName: "fail-on: error\n"}, args: []string{"lint", "--write-baseline", configName, "victim.yaml"}, stderr: "--write-baseline " + configName + " is a file this run reads (" + configName + ")"},
		{name: "report over --config", files: map[string]string{"cfg.yaml": "fail-on: error\n"}, args: []string{"lint", "--config", "cfg.yaml", "--format", "sarif:cfg.yaml", "victim.yaml"}, stderr: "--format sarif:cfg.yaml is a file this run reads (cfg.yaml)"},
		{
			name:  "report over a values file the config file names",
			files: map[string]string{configName: "charts:\n  chart:\n    values: [prod.yaml]\n", "prod.yaml": "a: 1\n", "chart/Chart.yaml": chart["chart/Chart.yaml"]},
			args:  []string{"lint", "--format", "json", "-o", "prod.yaml", "victim.yaml"}, stderr: "--output prod.yaml is a file this run reads",
		},
		{name: "report over the baseline read", files: map[string]string{"base.json": `{"version": "1", "findings": []}`}, args: []string{"lint", "--baseline", "base.json", "-o", "base.json", "victim.yaml"}, stderr: "--output base.json is the baseline this run reads (base.json)"},
		{name: "report over a hard link to a --values file", files: map[string]string{"prod.yaml": "a: 1\n", "hard.yaml": "=>prod.yaml"}, args: []string{"lint", "-f", "prod.yaml", "-o", "hard.yaml", "victim.yaml"}, stderr: "--output hard.yaml is a file this run reads (prod.yaml)"},
		{name: "two reports to one file", args: []string{"lint", "--format", "json:r.json", "--write-baseline", "r.json", "victim.yaml"}, stderr: "--format json:r.json and --write-baseline r.json name one file"},
		{name: "two reports to standard output", args: []string{"lint", "--format", "json", "--format", "sarif", "victim.yaml"}, stderr: "2 reports would go to standard output"},
		{name: "report into a missing directory", args: []string{"lint", "-o", "no/such/dir/r.txt", "victim.yaml"}, stderr: "--output no/such/dir/r.txt: directory no/such/dir does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{
				"victim.yaml":     socket,
				"dir/deploy.yaml": socket,
				"link.yaml":       "->dir/deploy.yaml",
			}
			for k, v := range tt.files {
				files[k] = v
			}
			hardLinks := map[string]string{}
			for name, content := range files {
				if target, ok := strings.CutPrefix(content, "=>"); ok {
					hardLinks[name] = target
					delete(files, name)
				}
			}
			dir := workspace(t, files)
			for name, target := range hardLinks {
				if err := os.Link(filepath.Join(dir, target), filepath.Join(dir, name)); err != nil {
					t.Fatal(err)
				}
			}
			got := runCLI(t, "", tt.args...)
			got.check(t, want{code: exitError, stderr: []string{tt.stderr}})
			if got.stdout != "" {
				t.Errorf("a refused run printed a report:\n%s", got.stdout)
			}
			for name, content := range files {
				if strings.HasPrefix(content, "->") {
					continue
				}
				data, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil || string(data) != content {
					t.Errorf("%s changed (err %v):\n%s", name, err, data)
				}
			}
			for _, made := range []string{"r.json", "json", "sarif"} {
				if _, err := os.Stat(filepath.Join(dir, made)); err == nil {
					t.Errorf("a refused run created %s", made)
				}
			}
		})
	}
}

// watchingReader is standard input that records, when it is first read,
// whether the report file exists yet.
type watchingReader struct {
	r       *strings.Reader
	report  string
	read    bool
	existed bool
}

func (w *watchingReader) Read(p []byte) (int, error) {
	if !w.read {
		w.read = true
		_, err := os.Stat(w.report)
		w.existed = err == nil
	}
	return w.r.Read(p)
}

// TestReportWrittenAfterInputs: the report file is created only once every
// input was read, so no input can see it half-written or truncated.
func TestReportWrittenAfterInputs(t *testing.T) {
	for _, flag := range []string{"--output", "--write-baseline"} {
		t.Run(flag, func(t *testing.T) {
			dir := workspace(t, nil)
			report := filepath.Join(dir, "report.txt")
			stdin := &watchingReader{r: strings.NewReader("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"), report: report}
			var stdout, stderr strings.Builder
			code := run([]string{"lint", flag, report, "-"}, stdin, &stdout, &stderr)
			if code != exitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
			}
			if !stdin.read {
				t.Fatal("standard input was not read")
			}
			if stdin.existed {
				t.Errorf("%s %s existed before the input was read", flag, report)
			}
			if _, err := os.Stat(report); err != nil {
				t.Errorf("no report written: %v", err)
			}
		})
	}
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want want
	}{
		{
			name: "explain is rules --explain",
			args: []string{"explain", "docker-socket"},
			want: want{code: exitError, stderr: []string{`unknown command "explain": did you mean "dockershim-lint rules --explain docker-socket"?`}},
		},
		{
			name: "a typo of lint",
			args: []string{"lnit", socketFile},
			want: want{code: exitError, stderr: []string{`unknown command "lnit": did you mean "dockershim-lint lint ` + socketFile + `"?`}},
		},
		{
			name: "a typo of rules",
			args: []string{"rule", "docker-socket"},
			want: want{code: exitError, stderr: []string{`did you mean "dockershim-lint rules docker-socket"?`}},
		},
		{
			name: "a word far from any command is a path",
			args: []string{"ls"},
			want: want{code: exitError, stderr: []string{"ls: error: no such file or directory"}},
		},
		{
			name: "flags before another command",
			args: []string{"--format", "json", "rules"},
			want: want{code: exitError, stderr: []string{"flags go after the command: dockershim-lint rules [flags]"}},
		},
		{
			name: "flags before lint still apply",
			args: []string{"--format", "json", "lint", socketFile},
			want: want{code: exitFindings, stdout: []string{`"rule": "docker-socket"`}},
		},
		{
			name: "rules RULE prints that rule alone",
			args: []string{"rules", "docker-socket"},
			want: want{code: exitOK, stdout: []string{"RULE ", "\ndocker-socket "}, notStdout: []string{"docker-cli", "docker-host-env"}},
		},
		{
			name: "rules RULE... as JSON",
			args: []string{"rules", "--format", "json", "docker-cli", "docker-socket"},
			want: want{code: exitOK, stdout: []string{`"id": "docker-cli"`, `"id": "docker-socket"`}, notStdout: []string{`"id": "docker-host-env"`}},
		},
		{
			name: "rules with a mistyped rule",
			args: []string{"rules", "docker-sockt"},
			want: want{code: exitError, stderr: []string{`unknown rule "docker-sockt" for rules: did you mean "docker-socket"?`}},
		},
		{
			name: "completion is a command",
			args: []string{"completion", "bash"},
			want: want{code: exitOK, stdout: []string{"complete -o filenames -F _dockershim_lint dockershim-lint"}},
		},
		{
			name: "completion for an unknown shell",
			args: []string{"completion", "tcsh"},
			want: want{code: exitError, stderr: []string{`no completion for shell "tcsh" (want bash, fish, zsh)`}},
		},
		{
			name: "help for a command lists its flags",
			args: []string{"help", "lint"},
			want: want{code: exitOK, stdout: []string{"dockershim-lint lint [flags] [PATH...]", "--max-file-size SIZE", "-o, --output FILE", "-q, --quiet"}},
		},
		{
			name: "--help after a command",
			args: []string{"rules", "--help"},
			want: want{code: exitOK, stdout: []string{"dockershim-lint rules [--format text|json] [--explain RULE] [RULE...]", "--explain RULE"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runCLI(t, "", tt.args...).check(t, tt.want)
		})
	}
}

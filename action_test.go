package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// readAction decodes action.yml strictly.
func readAction(t *testing.T) ghAction {
	t.Helper()
	data, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action ghAction
	if err := decodeStrict(data, &action); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return action
}

var (
	// pinnedUses is an action pinned by the full commit SHA, which a tag
	// moved by its owner (or by an attacker) cannot change.
	pinnedUses = regexp.MustCompile(`^[a-z0-9-]+/[a-z0-9-]+(/[a-z0-9-]+)*@[0-9a-f]{40}$`)
	// versionComment is the release the SHA is, for readers and Dependabot.
	versionComment = regexp.MustCompile(`^# v\d+\.\d+\.\d+$`)
)

// TestActionPins checks every nested action: pinned by commit SHA, with
// its version in a comment on the same line.
func TestActionPins(t *testing.T) {
	data, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var uses int
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				key, value := n.Content[i], n.Content[i+1]
				if key.Value == "uses" {
					uses++
					if !pinnedUses.MatchString(value.Value) {
						t.Errorf("action.yml:%d: uses %s, want OWNER/REPO@<40-hex commit SHA>", value.Line, value.Value)
					}
					if !versionComment.MatchString(value.LineComment) {
						t.Errorf("action.yml:%d: uses %s with comment %q, want the version it is, as # vX.Y.Z", value.Line, value.Value, value.LineComment)
					}
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	if uses == 0 {
		t.Error("action.yml uses no action: the walk found nothing to check")
	}
}

var (
	sourceOnly  = "steps.resolve.outputs.from == 'source'"
	releaseOnly = "steps.resolve.outputs.from == 'release'"
	goCommand   = regexp.MustCompile(`(^|[\s;&|(])go (build|install|run|get|mod)\b`)
)

// TestActionReleasePath checks that an action pinned at a release gets
// the release binary through install.sh, and that whatever installs Go or
// compiles runs only when the commit has no release.
func TestActionReleasePath(t *testing.T) {
	action := readAction(t)
	var installs, builds int
	for _, s := range action.Runs.Steps {
		where := "action.yml step " + s.Name
		if strings.HasPrefix(s.Uses, "actions/setup-go@") || goCommand.MatchString(s.Run) {
			builds++
			if s.If != sourceOnly {
				t.Errorf("%s installs Go or compiles, so it needs if: %s (has %q)", where, sourceOnly, s.If)
			}
		}
		if strings.Contains(s.Run, "install.sh") {
			installs++
			if s.If != releaseOnly {
				t.Errorf("%s runs install.sh, so it needs if: %s (has %q)", where, releaseOnly, s.If)
			}
		}
	}
	if installs != 1 || builds == 0 {
		t.Errorf("action.yml has %d install.sh steps and %d build steps, want one and some", installs, builds)
	}
}

// TestActionInputsWired checks that every input reaches a step, and that
// scripts read the workflow's values from env only.
func TestActionInputsWired(t *testing.T) {
	action := readAction(t)
	for name := range action.Inputs {
		ref := "inputs." + name
		used := slices.ContainsFunc(action.Runs.Steps, func(s ghStep) bool {
			text, err := yaml.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			return regexp.MustCompile(regexp.QuoteMeta(ref) + `\b`).Match(text)
		})
		if !used {
			t.Errorf("input %s is declared but no step uses %s", name, ref)
		}
	}
	for _, s := range action.Runs.Steps {
		if strings.Contains(s.Run, "${{") {
			t.Errorf("action.yml step %s pastes an expression into its script: pass it through env", s.Name)
		}
	}
}

// actionRun runs action.yml's steps with bash, as a runner would, with a
// stub linter that records how it is called.
type actionRun struct {
	t       *testing.T
	action  ghAction
	inputs  map[string]string
	outputs map[string]map[string]string // by step id
	temp    string                       // RUNNER_TEMP
	path    string                       // GITHUB_ACTION_PATH
	workdir string                       // the workspace the steps start in
}

// stubLinter records its working directory and arguments, creates the
// --output file it is given, prints STUB_STDERR and exits STUB_EXIT.
const stubLinter = `#!/usr/bin/env bash
{ pwd; printf '%s\n' "$@"; } >"$STUB_LOG"
prev=
for a in "$@"; do
	if [[ $prev == --output ]]; then : >"$a"; fi
	prev=$a
done
printf '%s' "$STUB_STDERR" >&2
exit "${STUB_EXIT:-0}"
`

func newActionRun(t *testing.T, inputs map[string]string) *actionRun {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed: the action's scripts cannot run")
	}
	r := &actionRun{
		t:       t,
		action:  readAction(t),
		inputs:  inputs,
		outputs: map[string]map[string]string{},
		temp:    t.TempDir(),
		path:    t.TempDir(),
		workdir: t.TempDir(),
	}
	// The linter the resolve step's bin-dir would hold.
	bin := filepath.Join(r.temp, "dockershim-lint-bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "dockershim-lint"), []byte(stubLinter), 0o755); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *actionRun) step(id string) ghStep {
	r.t.Helper()
	for _, s := range r.action.Runs.Steps {
		if s.ID == id || s.Name == id {
			return s
		}
	}
	r.t.Fatalf("action.yml has no step %q", id)
	return ghStep{}
}

var (
	inputExpr  = regexp.MustCompile(`^\$\{\{ inputs\.([a-z-]+) \}\}$`)
	outputExpr = regexp.MustCompile(`^\$\{\{ steps\.([a-z-]+)\.outputs\.([a-z-]+) \}\}$`)
)

// run runs the step named, returning what it printed and its exit status,
// and keeps the outputs it set for later steps.
func (r *actionRun) run(name string, env ...string) (string, int) {
	r.t.Helper()
	s := r.step(name)
	cmdEnv := []string{
		"PATH=" + os.Getenv("PATH"),
		"RUNNER_TEMP=" + r.temp,
		"RUNNER_OS=Linux",
		"GITHUB_ACTION_PATH=" + r.path,
	}
	for k, v := range s.Env {
		if m := inputExpr.FindStringSubmatch(v); m != nil {
			value, ok := r.inputs[m[1]]
			if !ok {
				value = r.action.Inputs[m[1]].Default
			}
			cmdEnv = append(cmdEnv, k+"="+value)
		} else if m := outputExpr.FindStringSubmatch(v); m != nil {
			cmdEnv = append(cmdEnv, k+"="+r.outputs[m[1]][m[2]])
		} else {
			r.t.Fatalf("step %s: env %s is %q, which this test cannot evaluate", name, k, v)
		}
	}
	outFile := filepath.Join(r.t.TempDir(), "github-output")
	if err := os.WriteFile(outFile, nil, 0o644); err != nil {
		r.t.Fatal(err)
	}
	cmdEnv = append(cmdEnv, "GITHUB_OUTPUT="+outFile)
	cmdEnv = append(cmdEnv, env...)
	// The runner's command line for shell: bash.
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", s.Run)
	cmd.Dir = r.workdir
	cmd.Env = cmdEnv
	out, err := cmd.CombinedOutput()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		r.t.Fatal(err)
	}
	outputs := map[string]string{}
	f, err := os.Open(outFile)
	if err != nil {
		r.t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		outputs[k] = v
	}
	if s.ID != "" {
		r.outputs[s.ID] = outputs
	}
	return string(out), code
}

func TestActionResolve(t *testing.T) {
	for _, tt := range []struct {
		version  string
		wantFrom string
	}{
		{version: "v0.3.1\n", wantFrom: "release"},
		{version: "v0.4.0-dev\n", wantFrom: "source"},
		{version: "v1.0.0-rc.1", wantFrom: "source"},
	} {
		r := newActionRun(t, nil)
		if err := os.MkdirAll(filepath.Join(r.path, "packaging"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(r.path, "packaging", "VERSION"), []byte(tt.version), 0o644); err != nil {
			t.Fatal(err)
		}
		out, code := r.run("resolve")
		got := r.outputs["resolve"]
		if code != 0 || got["from"] != tt.wantFrom || got["version"] != strings.TrimSpace(tt.version) {
			t.Errorf("VERSION %q: exit %d, outputs %v; want from=%s (output %s)", tt.version, code, got, tt.wantFrom, out)
		}
	}
}

func TestActionLint(t *testing.T) {
	for _, tt := range []struct {
		name      string
		inputs    map[string]string
		subdir    string
		stubExit  string
		wantArgs  []string // after the working directory
		wantExit  string
		wantSARIF string // relative to the workspace
		wantError string // in the errors file
	}{
		{
			name:      "defaults: no --fail-on, so a config file's applies",
			inputs:    map[string]string{},
			wantArgs:  []string{"lint", "--format", "sarif", "--output", "dockershim-lint.sarif", "--sarif-category", "dockershim-lint", "--", "."},
			wantExit:  "0",
			wantSARIF: "dockershim-lint.sarif",
		},
		{
			name: "every input",
			inputs: map[string]string{
				"format":         "github",
				"fail-on":        "error",
				"config":         "ci/dockershim-lint.yaml",
				"baseline":       "baseline.json",
				"values":         "values/prod.yaml\nvalues/eu.yaml\n",
				"set":            "docker.enabled=false\nimage.tag=1.2, with a space\n",
				"args":           "--disable docker-cli\n--kube-version 1.31",
				"paths":          "deploy charts\nkustomize",
				"sarif-category": "ignored for github",
			},
			wantArgs: []string{
				"lint", "--format", "github", "--fail-on", "error", "--config", "ci/dockershim-lint.yaml",
				"--baseline", "baseline.json", "--values", "values/prod.yaml", "--values", "values/eu.yaml",
				"--set", "docker.enabled=false", "--set", "image.tag=1.2, with a space",
				"--disable", "docker-cli", "--kube-version", "1.31", "--", "deploy", "charts", "kustomize",
			},
			wantExit: "0",
		},
		{
			name:      "working directory, sarif file and category",
			inputs:    map[string]string{"working-directory": "repo", "sarif-file": "out/report.sarif", "sarif-category": "prod", "fail-on": "never"},
			subdir:    "repo/out",
			wantArgs:  []string{"lint", "--format", "sarif", "--fail-on", "never", "--output", "out/report.sarif", "--sarif-category", "prod", "--", "."},
			wantExit:  "0",
			wantSARIF: "repo/out/report.sarif",
		},
		{
			name:      "findings",
			inputs:    map[string]string{},
			stubExit:  "1",
			wantArgs:  []string{"lint", "--format", "sarif", "--output", "dockershim-lint.sarif", "--sarif-category", "dockershim-lint", "--", "."},
			wantExit:  "1",
			wantSARIF: "dockershim-lint.sarif",
		},
		{
			name:      "bad format",
			inputs:    map[string]string{"format": "json"},
			wantExit:  "2",
			wantError: "format: must be sarif or github, not 'json'",
		},
		{
			name:      "missing working directory",
			inputs:    map[string]string{"working-directory": "nowhere"},
			wantExit:  "2",
			wantError: "working-directory: no directory nowhere",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newActionRun(t, tt.inputs)
			if tt.subdir != "" {
				if err := os.MkdirAll(filepath.Join(r.workdir, tt.subdir), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			r.outputs["resolve"] = map[string]string{"bin-dir": filepath.Join(r.temp, "dockershim-lint-bin")}
			log := filepath.Join(t.TempDir(), "stub.log")
			out, code := r.run("lint", "STUB_LOG="+log, "STUB_EXIT="+tt.stubExit)
			got := r.outputs["lint"]
			if code != 0 || got["exit-code"] != tt.wantExit {
				t.Fatalf("exit %d, exit-code output %q; want 0 and %q:\n%s", code, got["exit-code"], tt.wantExit, out)
			}
			if tt.wantSARIF != "" && got["sarif-file"] != filepath.Join(r.workdir, tt.wantSARIF) {
				t.Errorf("sarif-file output %q, want %q", got["sarif-file"], filepath.Join(r.workdir, tt.wantSARIF))
			}
			if tt.wantSARIF == "" && got["sarif-file"] != "" {
				t.Errorf("sarif-file output %q, want none", got["sarif-file"])
			}
			if tt.wantError != "" {
				data, err := os.ReadFile(got["errors-file"])
				if err != nil || !strings.Contains(string(data), tt.wantError) {
					t.Errorf("errors file %q: %q, %v; want %q", got["errors-file"], data, err, tt.wantError)
				}
				if _, err := os.Stat(log); !os.IsNotExist(err) {
					t.Error("the linter ran despite the input error")
				}
				return
			}
			data, err := os.ReadFile(log)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			wantDir := r.workdir
			if wd := tt.inputs["working-directory"]; wd != "" {
				wantDir = filepath.Join(r.workdir, wd)
			}
			if lines[0] != wantDir || got["checkout-path"] != wantDir {
				t.Errorf("ran in %s, checkout-path %q; want %s", lines[0], got["checkout-path"], wantDir)
			}
			if !slices.Equal(lines[1:], tt.wantArgs) {
				t.Errorf("linter arguments:\n got %q\nwant %q", lines[1:], tt.wantArgs)
			}
		})
	}
}

func TestActionFail(t *testing.T) {
	for _, tt := range []struct {
		name     string
		status   string
		errors   string
		wantExit int
		want     []string
	}{
		{
			name:     "findings",
			status:   "1",
			wantExit: 1,
			want:     []string{"::error::dockershim-lint found workloads that depend on Docker Engine"},
		},
		{
			name:   "inputs that could not be linted",
			status: "2",
			errors: "deploy/a.yaml: notice: skipped: a Helm template outside any chart\n" +
				"deploy/broken.yaml:19: error: invalid YAML: did not find expected ',' or '}'\n" +
				"kustomize/app/kustomization.yaml: error: kustomize build failed: 100% broken\n",
			wantExit: 2,
			want: []string{
				"::error file=deploy/broken.yaml,line=19::invalid YAML: did not find expected ',' or '}'",
				"::error file=kustomize/app/kustomization.yaml::kustomize build failed: 100%25 broken",
				"::error::dockershim-lint could not lint its inputs (exit status 2): deploy/broken.yaml:19; kustomize/app/kustomization.yaml",
			},
		},
		{
			name:     "usage error",
			status:   "2",
			errors:   "dockershim-lint: invalid --fail-on \"bogus\" (want error, warning, note or never)\nRun 'dockershim-lint help' for usage.\n",
			wantExit: 2,
			want:     []string{"::error::dockershim-lint could not lint its inputs (exit status 2): invalid --fail-on \"bogus\" (want error, warning, note or never)\n"},
		},
		{
			name:     "input error of the action",
			status:   "2",
			errors:   "format: must be sarif or github, not 'json'\n",
			wantExit: 2,
			want:     []string{"::error::dockershim-lint could not lint its inputs (exit status 2): format: must be sarif or github, not 'json'\n"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newActionRun(t, nil)
			errorsFile := filepath.Join(r.temp, "errors.txt")
			if err := os.WriteFile(errorsFile, []byte(tt.errors), 0o644); err != nil {
				t.Fatal(err)
			}
			r.outputs["lint"] = map[string]string{"exit-code": tt.status, "errors-file": errorsFile}
			out, code := r.run("Fail on findings or errors")
			if code != tt.wantExit {
				t.Errorf("exit %d, want %d", code, tt.wantExit)
			}
			for _, want := range tt.want {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "notice") {
				t.Errorf("a skip notice was reported as an error:\n%s", out)
			}
		})
	}
}

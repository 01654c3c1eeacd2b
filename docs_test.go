package main

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/dockershim-lint/dockershim-lint/rules"
)

const ruleDocsDir = "docs/rules"

// TestRuleDocs keeps docs/rules in step with the rules: one file per rule,
// holding exactly what `rules --explain` prints for it.
func TestRuleDocs(t *testing.T) {
	documented := map[string]bool{}
	for _, r := range rules.All() {
		name := r.ID + ".md"
		documented[name] = true
		t.Run(r.ID, func(t *testing.T) {
			want := ruleDocumentation(r)
			explained := runCLI(t, "", "rules", "--explain", r.ID)
			if explained.code != exitOK || explained.stdout != want {
				t.Errorf("rules --explain %s: exit %d, stderr %q; stdout differs from the rule's documentation:\n%s",
					r.ID, explained.code, explained.stderr, explained.stdout)
			}
			file := filepath.Join(ruleDocsDir, name)
			got, err := os.ReadFile(file)
			if *update && string(got) != want {
				if err := os.WriteFile(file, []byte(want), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v (run go test -run TestRuleDocs -update)", err)
			}
			if string(got) != want {
				t.Errorf("%s differs from the rule in code (run go test -run TestRuleDocs -update):\n got:\n%s\nwant:\n%s", file, got, want)
			}
		})
	}
	entries, err := os.ReadDir(ruleDocsDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !documented[e.Name()] {
			t.Errorf("%s/%s documents no rule: delete it, or restore its rule", ruleDocsDir, e.Name())
		}
	}
}

func TestRulesExplain(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{
			name:       "known rule",
			args:       []string{"rules", "--explain", "docker-cli"},
			wantCode:   exitOK,
			wantStdout: "# docker-cli: Docker CLI in container commands\n",
		},
		{
			name:       "text format is the default",
			args:       []string{"rules", "--format", "text", "--explain", "docker-host-env"},
			wantCode:   exitOK,
			wantStdout: "# dockershim-lint:ignore docker-host-env -- ",
		},
		{
			name:       "unknown rule",
			args:       []string{"rules", "--explain", "docker-sock"},
			wantCode:   exitError,
			wantStderr: `unknown rule "docker-sock" for --explain`,
		},
		{
			name:       "json format",
			args:       []string{"rules", "--format", "json", "--explain", "docker-cli"},
			wantCode:   exitError,
			wantStderr: "--explain prints Markdown text; it takes no --format json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runCLI(t, "", tt.args...)
			if got.code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", got.code, tt.wantCode, got.stderr)
			}
			if !strings.Contains(got.stdout, tt.wantStdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantStdout, got.stdout)
			}
			if !strings.Contains(got.stderr, tt.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantStderr, got.stderr)
			}
			if tt.wantCode != exitOK && got.stdout != "" {
				t.Errorf("a failed --explain printed to stdout:\n%s", got.stdout)
			}
		})
	}
}

// ghStep is a step of a workflow job or of a composite action.
type ghStep struct {
	Name  string            `yaml:"name"`
	ID    string            `yaml:"id"`
	If    string            `yaml:"if"`
	Uses  string            `yaml:"uses"`
	Run   string            `yaml:"run"`
	Shell string            `yaml:"shell"`
	With  map[string]string `yaml:"with"`
	Env   map[string]string `yaml:"env"`
}

type ghWorkflow struct {
	Name        string            `yaml:"name"`
	On          yaml.Node         `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Jobs        map[string]struct {
		Name        string            `yaml:"name"`
		RunsOn      string            `yaml:"runs-on"`
		Permissions map[string]string `yaml:"permissions"`
		Steps       []ghStep          `yaml:"steps"`
	} `yaml:"jobs"`
}

// decodeStrict decodes YAML rejecting unknown keys, so that a misspelt
// key fails the test instead of being dropped.
func decodeStrict(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// yamlBlocks returns the ```yaml fenced blocks of a Markdown document.
func yamlBlocks(markdown string) []string {
	var blocks []string
	var cur *strings.Builder
	for line := range strings.Lines(markdown) {
		switch {
		case cur == nil && strings.TrimSpace(line) == "```yaml":
			cur = &strings.Builder{}
		case cur != nil && strings.TrimSpace(line) == "```":
			blocks = append(blocks, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line)
		}
	}
	return blocks
}

// workflows returns the GitHub workflows among a document's YAML blocks:
// the blocks with a top-level jobs key.
func workflows(t *testing.T, file string) map[string]ghWorkflow {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]ghWorkflow{}
	for _, block := range yamlBlocks(string(data)) {
		var top map[string]any
		if err := yaml.Unmarshal([]byte(block), &top); err != nil {
			t.Errorf("%s: a yaml block does not parse: %v\n%s", file, err, block)
			continue
		}
		if _, ok := top["jobs"]; !ok {
			continue
		}
		var wf ghWorkflow
		if err := decodeStrict([]byte(block), &wf); err != nil {
			t.Errorf("%s: workflow %q: %v", file, top["name"], err)
			continue
		}
		out[block] = wf
	}
	return out
}

var longFlag = regexp.MustCompile(`(?:^|\s|\()(--[a-z][a-z-]*)`)

// checkLintFlags fails for a --flag in a script that the lint command does
// not have, so that examples cannot drift from the CLI.
func checkLintFlags(t *testing.T, where, script string) {
	t.Helper()
	var known []string
	for _, name := range flagNames(findCommand("lint")) {
		known = append(known, "--"+name)
	}
	for _, m := range longFlag.FindAllStringSubmatch(script, -1) {
		if !slices.Contains(known, m[1]) {
			t.Errorf("%s uses %s, which dockershim-lint lint does not have", where, m[1])
		}
	}
}

func TestWorkflowExamples(t *testing.T) {
	const guide = "docs/github-code-scanning.md"
	documented := workflows(t, guide)
	kinds := map[string]int{}
	for _, wf := range documented {
		for jobName, job := range wf.Jobs {
			where := guide + ": workflow " + wf.Name + ", job " + jobName
			perms := job.Permissions
			if perms == nil {
				perms = wf.Permissions
			}
			if perms["contents"] != "read" {
				t.Errorf("%s: permissions lack contents: read (have %v)", where, perms)
			}
			if len(job.Steps) == 0 || !strings.HasPrefix(job.Steps[0].Uses, "actions/checkout@") {
				t.Errorf("%s: the first step must check out the repository", where)
			}
			var lintRun string
			for _, s := range job.Steps {
				if strings.Contains(s.Run, "dockershim-lint lint") {
					lintRun = s.Run
					checkLintFlags(t, where, s.Run)
				}
				switch {
				case strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@"):
					kinds["sarif"]++
					checkUpload(t, where, s, lintRun, perms)
				case strings.HasPrefix(s.Uses, "dockershim-lint/dockershim-lint@"):
					if s.With["format"] == "github" {
						kinds["action annotations"]++
						break
					}
					kinds["action sarif"]++
					if perms["security-events"] != "write" {
						t.Errorf("%s: the action uploads SARIF, which needs security-events: write", where)
					}
				case strings.Contains(s.Run, "--format github"):
					kinds["annotations"]++
				}
			}
		}
	}
	for _, kind := range []string{"sarif", "action sarif", "action annotations", "annotations"} {
		if kinds[kind] == 0 {
			t.Errorf("%s has no %q workflow example (found %v)", guide, kind, kinds)
		}
	}

	readme := workflows(t, "README.md")
	if len(readme) == 0 {
		t.Error("README.md has no workflow example")
	}
	for block, wf := range readme {
		if _, ok := documented[block]; !ok {
			t.Errorf("README.md's workflow %q is not in %s word for word: keep the two copies the same", wf.Name, guide)
		}
	}
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, link := range []string{"(docs/rules/)", "(" + guide + ")"} {
		if !strings.Contains(string(data), link) {
			t.Errorf("README.md does not link %s", link)
		}
	}
}

// checkUpload checks a SARIF upload step against the lint run before it.
func checkUpload(t *testing.T, where string, upload ghStep, lintRun string, perms map[string]string) {
	t.Helper()
	file := upload.With["sarif_file"]
	if file == "" || upload.With["category"] == "" {
		t.Errorf("%s: upload-sarif needs sarif_file and category (have %v)", where, upload.With)
	}
	if !strings.HasSuffix(upload.Uses, "@v4") {
		t.Errorf("%s: uses %s, want upload-sarif@v4", where, upload.Uses)
	}
	if perms["security-events"] != "write" {
		t.Errorf("%s: uploading SARIF needs security-events: write", where)
	}
	if !strings.Contains(lintRun, "--format sarif") || !strings.Contains(lintRun, "--output "+file) {
		t.Errorf("%s: no step before the upload writes SARIF to %s:\n%s", where, file, lintRun)
	}
	// Findings exit 1; without either of these the upload step is skipped
	// exactly when there is something to show.
	if !strings.Contains(lintRun, "--fail-on never") && !strings.Contains(upload.If, "always()") {
		t.Errorf("%s: the upload must run when the linter exits 1 (--fail-on never, or if: always())", where)
	}
}

type ghAction struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Author      string `yaml:"author"`
	Branding    struct {
		Icon  string `yaml:"icon"`
		Color string `yaml:"color"`
	} `yaml:"branding"`
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Default     string `yaml:"default"`
		Required    bool   `yaml:"required"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string   `yaml:"using"`
		Steps []ghStep `yaml:"steps"`
	} `yaml:"runs"`
}

var (
	inputRef = regexp.MustCompile(`inputs\.([A-Za-z0-9_-]+)`)
	stepRef  = regexp.MustCompile(`steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)`)
	// setOutput matches `echo "NAME=..." >>"$GITHUB_OUTPUT"`.
	setOutput = regexp.MustCompile(`echo "([A-Za-z0-9_-]+)=[^"]*" >>"\$GITHUB_OUTPUT"`)
)

func TestAction(t *testing.T) {
	data, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action ghAction
	if err := decodeStrict(data, &action); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if action.Runs.Using != "composite" {
		t.Errorf("runs.using is %q, want composite", action.Runs.Using)
	}
	outputs := map[string]map[string]bool{}
	for _, s := range action.Runs.Steps {
		if s.ID != "" {
			outputs[s.ID] = map[string]bool{}
			for _, m := range setOutput.FindAllStringSubmatch(s.Run, -1) {
				outputs[s.ID][m[1]] = true
			}
		}
	}
	var uploads int
	for i, s := range action.Runs.Steps {
		where := "action.yml step " + s.Name
		if (s.Run == "") == (s.Uses == "") {
			t.Errorf("%s: a step has either run or uses", where)
		}
		if s.Run != "" && s.Shell == "" {
			t.Errorf("%s: a composite action's run step needs a shell", where)
		}
		if strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@") {
			uploads++
		}
		checkLintFlags(t, where, s.Run)
		text, err := yaml.Marshal(action.Runs.Steps[i])
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range inputRef.FindAllStringSubmatch(string(text), -1) {
			if _, ok := action.Inputs[m[1]]; !ok {
				t.Errorf("%s: refers to undeclared input %q", where, m[1])
			}
		}
		for _, m := range stepRef.FindAllStringSubmatch(string(text), -1) {
			if !outputs[m[1]][m[2]] {
				t.Errorf("%s: refers to steps.%s.outputs.%s, which no step sets", where, m[1], m[2])
			}
		}
	}
	for name, o := range action.Outputs {
		for _, m := range stepRef.FindAllStringSubmatch(o.Value, -1) {
			if !outputs[m[1]][m[2]] {
				t.Errorf("output %s: refers to steps.%s.outputs.%s, which no step sets", name, m[1], m[2])
			}
		}
	}
	if uploads != 1 {
		t.Errorf("action.yml has %d upload-sarif steps, want 1", uploads)
	}
	if got := action.Inputs["format"].Default; got != "sarif" {
		t.Errorf("input format defaults to %q, want sarif", got)
	}
}

type preCommitHook struct {
	ID            string `yaml:"id"`
	Name          string `yaml:"name"`
	Description   string `yaml:"description"`
	Language      string `yaml:"language"`
	Entry         string `yaml:"entry"`
	Files         string `yaml:"files"`
	RequireSerial bool   `yaml:"require_serial"`
}

func TestPreCommitHook(t *testing.T) {
	data, err := os.ReadFile(".pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []preCommitHook
	if err := decodeStrict(data, &hooks); err != nil {
		t.Fatalf(".pre-commit-hooks.yaml: %v", err)
	}
	// `go install ./...` names the binary after the module path's last
	// element, which the golang hook's entry must run; the system hook
	// runs the same name from PATH, where install.sh and Homebrew put it.
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	modulePath, _, _ := strings.Cut(strings.TrimPrefix(string(mod), "module "), "\n")
	binary := path.Base(modulePath)
	want := []struct {
		id, language string
		entry        *regexp.Regexp
	}{
		{id: "dockershim-lint", language: "golang", entry: regexp.MustCompile(`^` + binary + ` lint$`)},
		{id: "dockershim-lint-system", language: "system", entry: regexp.MustCompile(`^` + binary + ` lint$`)},
		// The published image at a release tag; the release build checks
		// that the tag is the version released.
		{id: "dockershim-lint-docker", language: "docker_image", entry: regexp.MustCompile(`^ghcr\.io/dockershim-lint/dockershim-lint:v[0-9]+\.[0-9]+\.[0-9]+ lint$`)},
	}
	if len(hooks) != len(want) {
		t.Fatalf("have %d hooks, want %d", len(hooks), len(want))
	}
	for i, h := range hooks {
		w := want[i]
		if h.ID != w.id || h.Language != w.language || !w.entry.MatchString(h.Entry) {
			t.Errorf("hook %d is id %q, language %q, entry %q; want %s, %s, entry matching %s", i, h.ID, h.Language, h.Entry, w.id, w.language, w.entry)
		}
		if !h.RequireSerial {
			t.Errorf("hook %s: require_serial is off: pre-commit would split one chart's files across processes and lint it more than once", h.ID)
		}
		if h.Files != hooks[0].Files {
			t.Errorf("hook %s: files %q, want the same files as hook %s, %q", h.ID, h.Files, hooks[0].ID, hooks[0].Files)
		}
	}
	h := hooks[0]
	// pre-commit applies files with Python's re.search; this pattern means
	// the same in RE2.
	files, err := regexp.Compile(h.Files)
	if err != nil {
		t.Fatalf("files: %v", err)
	}
	for _, tt := range []struct {
		path string
		want bool
	}{
		{path: "deploy/daemonset.yaml", want: true},
		{path: "deploy/daemonset.yml", want: true},
		{path: "k8s/list.json", want: true},
		{path: "charts/agent/Chart.yaml", want: true},
		{path: "charts/agent/values.yaml", want: true},
		{path: "charts/agent/templates/daemonset.yaml", want: true},
		{path: "charts/agent/templates/_helpers.tpl", want: true},
		{path: "dist/agent-1.2.3.tgz", want: true},
		{path: "overlays/prod/kustomization.yaml", want: true},
		{path: "charts/agent/templates/NOTES.txt", want: false},
		{path: "main.go", want: false},
		{path: "README.md", want: false},
		{path: "yaml.txt", want: false},
	} {
		if got := files.MatchString(tt.path); got != tt.want {
			t.Errorf("files %q matches %s: %v, want %v", h.Files, tt.path, got, tt.want)
		}
	}
}

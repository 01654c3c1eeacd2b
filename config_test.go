package main

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/lint/linttest"
	"github.com/dockershim-lint/dockershim-lint/render/helm"
	"github.com/dockershim-lint/dockershim-lint/rules"
)

// configErrorsOf flattens what parseConfig returned, failing the test on
// any error that is not a *configError.
func configErrorsOf(t testing.TB, err error) []*configError {
	t.Helper()
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*configError
		for _, e := range joined.Unwrap() {
			out = append(out, configErrorsOf(t, e)...)
		}
		return out
	}
	var ce *configError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *configError", err, err)
	}
	return []*configError{ce}
}

const acmeAgent = `
  - id: agent-acme
    name: ACME Node Monitor
    status: migrate
    names: [acme-monitor]
    link: https://acme.example/docs/containerd
    change: Set ACME_RUNTIME=containerd.
`

func TestParseConfig(t *testing.T) {
	// Chart and values paths are resolved against the config directory,
	// which is the package directory here.
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		yaml string
		// wantErrs are the errors' texts, each "cfg.yaml:LINE: message".
		wantErrs []string
		check    func(t *testing.T, c *config)
	}{
		{
			name: "empty file",
			yaml: "# nothing set\n",
			check: func(t *testing.T, c *config) {
				if c.failOnSet || len(c.disable) > 0 || len(c.ignore) > 0 || len(c.charts) > 0 || len(c.agents) > 0 {
					t.Errorf("config = %+v, want nothing set", c)
				}
			},
		},
		{
			name: "every key",
			yaml: `disable: [docker-cli, agent-acme]
severity: {docker-data-dir: note}
fail-on: never
ignore: [vendor/**, "**/*.generated.yaml"]
charts:
  testdata/charts/guarded:
    values: [testdata/config/project/values/docker.yaml]
    set: ["a=1,b={x,y}"]
    set-string: [c=002]
    release-name: r
    namespace: ns
    all-ci-values: true
agents:` + acmeAgent,
			check: func(t *testing.T, c *config) {
				if !slices.Equal(c.disable, []string{"docker-cli", "agent-acme"}) {
					t.Errorf("disable = %q", c.disable)
				}
				if c.severity["docker-data-dir"] != lint.SeverityNote {
					t.Errorf("severity = %v", c.severity)
				}
				if !c.failOnSet || c.failOn != 0 {
					t.Errorf("fail-on never: failOnSet %v, failOn %v", c.failOnSet, c.failOn)
				}
				if len(c.ignore) != 2 {
					t.Errorf("ignore = %q", c.ignore)
				}
				chart := filepath.Join(dir, "testdata", "charts", "guarded")
				if len(c.charts) != 1 || !c.charts[0].matches(c.dir, chart) {
					t.Fatalf("charts = %+v, want an entry for %s", c.charts, chart)
				}
				got := c.helmFor(chart, helm.Options{})
				wantValues := filepath.Join(dir, "testdata", "config", "project", "values", "docker.yaml")
				if !slices.Equal(got.ValuesFiles, []string{wantValues}) || !slices.Equal(got.Set, []string{"a=1,b={x,y}"}) ||
					!slices.Equal(got.SetString, []string{"c=002"}) || got.ReleaseName != "r" || got.Namespace != "ns" || !got.AllCIValues {
					t.Errorf("chart options = %+v", got)
				}
				if len(c.agents) != 1 || c.agents[0].ID != "agent-acme" || c.agents[0].Check == nil {
					t.Errorf("agents = %+v, want the agent-acme rule", c.agents)
				}
			},
		},
		{
			name:     "unknown top-level key",
			yaml:     "fail-on: error\nfailon: note\n",
			wantErrs: []string{`cfg.yaml:2: unknown key "failon"`},
		},
		{
			name:     "unknown chart key",
			yaml:     "charts:\n  testdata/charts/guarded:\n    value: [x.yaml]\n",
			wantErrs: []string{`cfg.yaml:3: unknown key "value"`},
		},
		{
			name:     "unknown agent field",
			yaml:     "agents:" + acmeAgent + "    image: acme/monitor\n",
			wantErrs: []string{`cfg.yaml:8: unknown key "image"`},
		},
		{
			name:     "unknown rule in disable",
			yaml:     "disable:\n  - docker-cli\n  - docker-sokcet\n",
			wantErrs: []string{`cfg.yaml:3: disable: unknown rule "docker-sokcet"`},
		},
		{
			name:     "unknown rule and bad level in severity",
			yaml:     "severity:\n  docker-cli: fatal\n  nope: note\n",
			wantErrs: []string{`cfg.yaml:2: severity of docker-cli: unknown severity "fatal"`, `cfg.yaml:3: severity: unknown rule "nope"`},
		},
		{
			name:     "bad fail-on",
			yaml:     "\nfail-on: sometimes\n",
			wantErrs: []string{`cfg.yaml:2: fail-on "sometimes": want error, warning, note or never`},
		},
		{
			name:     "render budget out of bounds",
			yaml:     "render-timeout: 2h\nrender-memory: 10\n",
			wantErrs: []string{`cfg.yaml:1: render-timeout "2h": want 1s to 1h0m0s`, `cfg.yaml:2: render-memory "10": want 128MiB to 64GiB`},
		},
		{
			name:     "bad globs",
			yaml:     "ignore:\n  - ok/**\n  - \"bad[\"\n  - /abs/**\n  - \"\"\n",
			wantErrs: []string{`cfg.yaml:3: ignore: "bad[": syntax error in pattern`, `cfg.yaml:4: ignore: "/abs/**": patterns are relative`, `cfg.yaml:5: ignore: empty pattern`},
		},
		{
			name:     "missing chart",
			yaml:     "charts:\n  charts/nope:\n    release-name: x\n",
			wantErrs: []string{`cfg.yaml:2: charts: charts/nope: no such file or directory`},
		},
		{
			name:     "missing values file",
			yaml:     "charts:\n  testdata/charts/guarded:\n    values:\n      - prod.yaml\n",
			wantErrs: []string{`cfg.yaml:4: charts: testdata/charts/guarded: values file prod.yaml: no such file or directory`},
		},
		{
			name:     "bad set",
			yaml:     "charts:\n  testdata/charts/guarded:\n    set: [\"a=1\", \"b[=2\"]\n",
			wantErrs: []string{`cfg.yaml:3: charts: testdata/charts/guarded: set b[=2: `},
		},
		{
			name:     "agent id taken by a built-in rule",
			yaml:     "agents:\n  - id: docker-socket\n    name: X\n    status: migrate\n    names: [x]\n    link: https://x.example\n    change: Y.\n",
			wantErrs: []string{`cfg.yaml:2: agents: id "docker-socket" is already a rule`},
		},
		{
			name:     "invalid agent",
			yaml:     "agents:\n  - id: agent-x\n    name: X\n    status: gone\n    names: [x]\n    link: ftp://x\n    change: Y.\n",
			wantErrs: []string{`cfg.yaml:2: agents: agent "agent-x": status "gone"`},
		},
		{
			name:     "wrong type",
			yaml:     "disable: docker-cli\n",
			wantErrs: []string{"cfg.yaml:1: cannot unmarshal !!str `docker-cli`: want a list"},
		},
		{
			// The message names what the key takes, not the Go type
			// the loader decodes it into (map[main.at[string]]string).
			name: "wrong types name what the key takes",
			yaml: "severity: [docker-cli]\nfail-on: [note]\ncharts:\n  x:\n    all-ci-values: maybe\n  y: [a]\nagents: {id: x}\n---\n",
			wantErrs: []string{
				"cfg.yaml:1: cannot unmarshal !!seq: want a mapping", "cfg.yaml:2: cannot unmarshal !!seq: want a string",
				"cfg.yaml:5: cannot unmarshal !!str `maybe`: want true or false", "cfg.yaml:6: cannot unmarshal !!seq: want a mapping",
				"cfg.yaml:7: cannot unmarshal !!map: want a list",
			},
		},
		{
			name:     "wrong type in an agent",
			yaml:     "agents:\n  - id: agent-x\n    status: [migrate]\n    images: [acme/x]\n",
			wantErrs: []string{"cfg.yaml:3: cannot unmarshal !!seq: want a string", "cfg.yaml:4: cannot unmarshal !!str `acme/x`: want a mapping"},
		},
		{
			name:     "duplicate key",
			yaml:     "fail-on: error\nfail-on: note\n",
			wantErrs: []string{`cfg.yaml:2: mapping key "fail-on" already defined at line 1`},
		},
		{
			name:     "syntax error",
			yaml:     "disable: [docker-cli\nfail-on: error\n",
			wantErrs: []string{`cfg.yaml:1: did not find expected ',' or ']'`},
		},
		{
			name:     "two documents",
			yaml:     "fail-on: error\n---\nfail-on: note\n",
			wantErrs: []string{`cfg.yaml:2: a config file holds one YAML document`},
		},
		{
			name:     "not UTF-8",
			yaml:     "fail-on: error\ndisable: [\xff]\n",
			wantErrs: []string{`cfg.yaml:2: not UTF-8 text`},
		},
		{
			name:     "control character",
			yaml:     "fail-on: error\n\n# \x01\n",
			wantErrs: []string{`cfg.yaml:3: control character U+0001`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig("cfg.yaml", dir, []byte(tt.yaml), nil, rules.All())
			if tt.wantErrs == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				tt.check(t, c)
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.wantErrs)
			}
			got := configErrorsOf(t, err)
			if len(got) != len(tt.wantErrs) {
				t.Fatalf("errors:\n%v\nwant %d: %q", err, len(tt.wantErrs), tt.wantErrs)
			}
			for i, want := range tt.wantErrs {
				if !strings.HasPrefix(got[i].Error(), want) {
					t.Errorf("error %d = %q, want it to start with %q", i, got[i].Error(), want)
				}
			}
		})
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern string
		match   []string
		noMatch []string
	}{
		{pattern: "vendor", match: []string{"vendor", "vendor/a.yaml", "vendor/x/y.yaml"}, noMatch: []string{"vendors/a.yaml", "a/vendor/b.yaml"}},
		{pattern: "vendor/**", match: []string{"vendor/a.yaml", "vendor/x/y/z.yaml"}, noMatch: []string{"src/vendor/a.yaml"}},
		{pattern: "**/testdata/**", match: []string{"testdata/a.yaml", "x/y/testdata/z/a.yaml"}, noMatch: []string{"x/testdata.yaml"}},
		{pattern: "**/*.gen.yaml", match: []string{"a.gen.yaml", "x/y/a.gen.yaml"}, noMatch: []string{"a.yaml", "x/gen.yaml"}},
		{pattern: "charts/*/templates/*.yaml", match: []string{"charts/a/templates/ds.yaml"}, noMatch: []string{"charts/a/b/templates/ds.yaml"}},
		{pattern: "./deploy/**/kind-*.yaml", match: []string{"deploy/kind-a.yaml", "deploy/x/kind-b.yaml"}, noMatch: []string{"deploy/x/prod.yaml"}},
		{pattern: "a/**/**/b", match: []string{"a/b", "a/x/y/b"}, noMatch: []string{"a/x/c"}},
		{pattern: "{deploy,ops}/**/*.{yaml,yml}", match: []string{"deploy/a.yaml", "ops/x/b.yml"}, noMatch: []string{"src/a.yaml", "deploy/a.json"}},
		{pattern: "env-{dev,stag{e,ing}}/**", match: []string{"env-dev/a.yaml", "env-stage/a.yaml", "env-staging/x/a.yaml"}, noMatch: []string{"env-prod/a.yaml", "env-stag/a.yaml"}},
		{pattern: `[{]x[}]/\{y,z\}`, match: []string{"{x}/{y,z}"}, noMatch: []string{"x/y", "{x}/y"}},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			g, err := compileGlob(tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			c := &config{dir: dir, ignore: []glob{g}}
			for _, p := range tt.match {
				if !c.ignored(filepath.ToSlash(filepath.Join(dir, p))) {
					t.Errorf("%q does not ignore %q", tt.pattern, p)
				}
			}
			for _, p := range tt.noMatch {
				if c.ignored(filepath.ToSlash(filepath.Join(dir, p))) {
					t.Errorf("%q ignores %q", tt.pattern, p)
				}
			}
		})
	}
	if (&config{dir: dir, ignore: []glob{{"**"}}}).ignored("<stdin>") {
		t.Error("standard input was ignored")
	}
}

// TestGlobIsLinear matches hostile ignore patterns under a deadline: each
// ** used to try every way of splitting the path among them, and each
// {a,b} group doubles doublestar's backtracking, so both must be bounded.
func TestGlobIsLinear(t *testing.T) {
	deep := strings.Repeat("d/", 25) + "x.yaml"
	tests := []struct {
		name    string
		pattern string
		path    string
		match   bool
		err     string
	}{
		{name: "ten ** against a 25-deep path", pattern: strings.Repeat("**/", 10) + "y.yaml", path: deep},
		{name: "ten ** that match", pattern: strings.Repeat("**/", 10) + "x.yaml", path: deep, match: true},
		{name: "eight {a,b} groups", pattern: strings.Repeat("{d,e}/", 8) + "**/y.yaml", path: deep},
		{name: "thirty {a,b} groups", pattern: strings.Repeat("{d,e}/", 30) + "y.yaml", err: "more than 256 alternatives"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			var matched bool
			go func() {
				g, err := compileGlob(tt.pattern)
				if err == nil {
					matched = (&config{dir: dir, ignore: []glob{g}}).ignored(filepath.ToSlash(filepath.Join(dir, tt.path)))
				}
				done <- err
			}()
			select {
			case err := <-done:
				switch {
				case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
					t.Errorf("error %v, want one saying %q", err, tt.err)
				case tt.err == "" && err != nil:
					t.Errorf("error %v", err)
				case matched != tt.match:
					t.Errorf("matched %v, want %v", matched, tt.match)
				}
			case <-time.After(linttest.Deadline(10 * time.Second)):
				t.Fatal("matching did not end in time")
			}
		})
	}
}

func TestFindConfig(t *testing.T) {
	tests := []struct {
		name string
		// files are created under a temporary root; wd is the working
		// directory below it and want the config found, both relative
		// to the root ("" for none).
		files []string
		wd    string
		want  string
	}{
		{name: "in the working directory", files: []string{"a/" + configName}, wd: "a", want: "a/" + configName},
		{name: "at the repository root", files: []string{"repo/.git/HEAD", "repo/" + configName, "repo/x/y/z"}, wd: "repo/x/y", want: "repo/" + configName},
		{name: "nearest wins", files: []string{"repo/.git", "repo/" + configName, "repo/x/" + configName, "repo/x/y/z"}, wd: "repo/x/y", want: "repo/x/" + configName},
		{name: "not above the repository root", files: []string{configName, "repo/.git/HEAD", "repo/x/y"}, wd: "repo/x", want: ""},
		{name: "outside a repository only the working directory", files: []string{configName, "x/y"}, wd: "x", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for _, f := range tt.files {
				p := filepath.Join(root, filepath.FromSlash(f))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := findConfig(filepath.Join(root, filepath.FromSlash(tt.wd)))
			if err != nil {
				t.Fatal(err)
			}
			want := ""
			if tt.want != "" {
				want = filepath.Join(root, filepath.FromSlash(tt.want))
			}
			if got != want {
				t.Errorf("findConfig = %q, want %q", got, want)
			}
		})
	}
}

const projectConfig = "testdata/config/project/.dockershim-lint.yaml"

// TestConfigProject lints testdata/config/project from inside it, where the
// config file is found on its own, and matches the findings to the want
// comments: the disabled rule, the ignored broken file and the user's agent
// all show.
func TestConfigProject(t *testing.T) {
	t.Chdir("testdata/config/project")
	code, report := lintJSON(t, "", ".", "../../charts/guarded")
	if code != exitFindings {
		t.Errorf("exit code %d, want %d; errors %+v", code, exitFindings, report.Errors)
	}
	wants := linttest.ParseWantFiles(t, ".", ".yaml")
	wants = append(wants, linttest.ParseWantFiles(t, "../../charts/guarded", ".yaml")...)
	linttest.Match(t, wants, report.findings())
	for _, f := range report.Findings {
		if f.Rule == "docker-data-dir" && f.Severity != lint.SeverityNote {
			t.Errorf("docker-data-dir severity = %v, want the config's note", f.Severity)
		}
	}
}

func TestConfigRun(t *testing.T) {
	manifests := "testdata/config/project/manifests"
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		notStdout  []string
		wantStderr []string
	}{
		{
			name:       "config's fail-on error fails on the agent",
			args:       []string{"--config", projectConfig, manifests},
			wantCode:   1,
			wantStdout: []string{"error agent-acme: ", "note docker-data-dir: "},
			notStdout:  []string{"docker-cli"},
		},
		{
			name:       "--disable replaces the config's list; a warning passes its fail-on error",
			args:       []string{"--config", projectConfig, "--disable", "agent-acme", manifests},
			wantCode:   0,
			wantStdout: []string{"docker-cli: ", "note docker-data-dir: "},
			notStdout:  []string{"agent-acme"},
		},
		{
			name:       "--fail-on replaces the config's",
			args:       []string{"--config", projectConfig, "--disable", "agent-acme,docker-cli", "--fail-on", "note", manifests},
			wantCode:   1,
			wantStdout: []string{"note docker-data-dir: "},
		},
		{
			name:       "per-chart release name",
			args:       []string{"--config", projectConfig, "--format", "json", "testdata/charts/socketpath"},
			wantCode:   1,
			wantStdout: []string{`"name": "from-config-agent"`},
		},
		{
			name:       "--release-name over the config's",
			args:       []string{"--config", projectConfig, "--format", "json", "--release-name", "from-flag", "testdata/charts/socketpath"},
			wantCode:   1,
			wantStdout: []string{`"name": "from-flag-agent"`},
			notStdout:  []string{"from-config"},
		},
		{
			name:       "per-chart values file",
			args:       []string{"--config", projectConfig, "testdata/charts/guarded"},
			wantCode:   1,
			wantStdout: []string{"testdata/charts/guarded/templates/daemonset.yaml:30:19: error docker-socket: "},
		},
		{
			name:       "--set on top of the config's values",
			args:       []string{"--config", projectConfig, "--set", "docker.enabled=false", "testdata/charts/guarded"},
			wantCode:   0,
			wantStdout: []string{"no findings"},
		},
		{
			name:       "ignored path named on the command line",
			args:       []string{"--config", projectConfig, "testdata/config/project/vendor/broken.yaml"},
			wantCode:   0,
			wantStdout: []string{"nothing linted: no manifest, chart or overlay found"},
		},
		{
			name:       "missing --config",
			args:       []string{"--config", "testdata/config/nope.yaml", manifests},
			wantCode:   2,
			wantStderr: []string{"config file testdata/config/nope.yaml: no such file or directory"},
		},
		{
			name:       "invalid config",
			args:       []string{"--config", "testdata/config/invalid.yaml", manifests},
			wantCode:   2,
			wantStderr: []string{`testdata/config/invalid.yaml:4: unknown key "fail_on"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runCLI(t, "", append([]string{"lint"}, tt.args...)...)
			got.check(t, want{code: tt.wantCode, stdout: tt.wantStdout, notStdout: tt.notStdout, stderr: tt.wantStderr, anyStderr: true})
		})
	}
}

// FuzzLoadConfig feeds arbitrary bytes to the config parser: it must not
// panic, and every error must name the file and a line of the input.
func FuzzLoadConfig(f *testing.F) {
	seed, err := os.ReadFile(projectConfig)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	dir, err := filepath.Abs(".")
	if err != nil {
		f.Fatal(err)
	}
	all := rules.All()
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := parseConfig("cfg.yaml", dir, data, nil, all)
		if err == nil {
			return
		}
		lines := lint.IndexLines(data).Count()
		for _, ce := range configErrorsOf(t, err) {
			if ce.file != "cfg.yaml" || ce.line < 1 || ce.line > lines {
				t.Errorf("error %q: want cfg.yaml and a line in 1..%d", ce.Error(), lines)
			}
		}
	})
}

// TestREADMEConfigExample parses the example in README.md's Configuration
// section, so that the documentation cannot show a key the loader rejects.
func TestREADMEConfigExample(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "### Configuration\n")
	if !ok {
		t.Fatal("README.md has no Configuration section")
	}
	_, example, ok := strings.Cut(section, "```yaml\n")
	example, _, closed := strings.Cut(example, "```")
	if !ok || !closed {
		t.Fatal("README.md's Configuration section has no yaml example")
	}
	// The example names a chart and a values file of an imagined
	// repository; they must exist for the loader to accept it.
	dir := t.TempDir()
	for _, p := range []string{"deploy/charts/node-agent/Chart.yaml", "deploy/values/production.yaml"} {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := parseConfig("README.md", dir, []byte(example), nil, rules.All())
	if err != nil {
		t.Fatalf("README.md's example config: %v", err)
	}
	if len(c.agents) != 1 || len(c.charts) != 2 || len(c.ignore) != 3 || !c.failOnSet || c.maxFileSize != 64<<20 {
		t.Errorf("README.md's example loaded as %+v, want every key set", c)
	}
}

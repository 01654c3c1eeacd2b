package main

import (
	"encoding/json"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// moduleVersion reads a dependency's version from go.mod.
func moduleVersion(t *testing.T, module string) string {
	t.Helper()
	data, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(module) + `\s+(v\S+)`).FindStringSubmatch(string(data))
	if m == nil {
		t.Fatalf("go.mod does not require %s", module)
	}
	return m[1]
}

func TestVersionCommand(t *testing.T) {
	helmVersion, kustomizeVersion := moduleVersion(t, helmModule), moduleVersion(t, kustomizeModule)
	t.Run("text", func(t *testing.T) {
		got := runCLI(t, "", "version")
		got.check(t, want{code: exitOK, stdout: []string{
			"dockershim-lint version test\n",
			"revision:  ", "time:      ",
			"go:        " + runtime.Version() + "\n",
			"helm:      " + helmVersion + "\n",
			"kustomize: " + kustomizeVersion + "\n",
		}})
	})
	t.Run("json", func(t *testing.T) {
		got := runCLI(t, "", "version", "--format", "json")
		got.check(t, want{code: exitOK})
		var v map[string]any
		if err := json.Unmarshal([]byte(got.stdout), &v); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, got.stdout)
		}
		for key, wantValue := range map[string]any{
			"version": "test", "go": runtime.Version(), "helm": helmVersion, "kustomize": kustomizeVersion,
		} {
			if v[key] != wantValue {
				t.Errorf("%s = %v, want %v", key, v[key], wantValue)
			}
		}
		for _, key := range []string{"revision", "time", "modified"} {
			if _, ok := v[key]; !ok {
				t.Errorf("no %q in %s", key, got.stdout)
			}
		}
	})
	t.Run("unknown format", func(t *testing.T) {
		runCLI(t, "", "version", "--format", "xml").check(t, want{code: exitError, stderr: []string{`unknown format "xml" for version`}})
	})
}

func TestNewVersionInfo(t *testing.T) {
	info := &debug.BuildInfo{
		GoVersion: "go1.26.0",
		Main:      debug.Module{Path: "github.com/dockershim-lint/dockershim-lint", Version: "v1.2.3"},
		Deps: []*debug.Module{
			{Path: helmModule, Version: "v3.22.0"},
			{Path: kustomizeModule, Version: "v0.21.0", Replace: &debug.Module{Path: kustomizeModule, Version: "v0.21.2"}},
			{Path: "go.yaml.in/yaml/v3", Version: "v3.0.6"},
		},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "6ae14dc0123456789abcdef0123456789abcdef0"},
			{Key: "vcs.time", Value: "2026-11-24T22:20:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	got := newVersionInfo("v1.2.3", info)
	want := versionInfo{
		Version: "v1.2.3", Revision: "6ae14dc0123456789abcdef0123456789abcdef0", Time: "2026-11-24T22:20:00Z",
		Modified: true, Go: "go1.26.0", Helm: "v3.22.0", Kustomize: "v0.21.2",
	}
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// TestLicense: the project is Apache-2.0, as the Kubernetes ecosystem is,
// and the file holds the license's full text.
func TestLicense(t *testing.T) {
	data, err := os.ReadFile("LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{
		"Apache License\n", "Version 2.0, January 2004\n", "http://www.apache.org/licenses/",
		"TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION",
		"1. Definitions.", "2. Grant of Copyright License.", "3. Grant of Patent License.",
		"4. Redistribution.", "5. Submission of Contributions.", "6. Trademarks.",
		"7. Disclaimer of Warranty.", "8. Limitation of Liability.", "9. Accepting Warranty or Additional Liability.",
		"END OF TERMS AND CONDITIONS", "APPENDIX: How to apply the Apache License to your work.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("LICENSE lacks %q", want)
		}
	}
}

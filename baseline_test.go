package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBaseline is one story in steps that share a directory: a baseline is
// written, a new finding is the only one reported, moved lines keep the old
// ones hidden, and a SARIF report serves as a baseline too.
func TestBaseline(t *testing.T) {
	socket, err := os.ReadFile(socketFile)
	if err != nil {
		t.Fatal(err)
	}
	warning, err := os.ReadFile(warningFile)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	app := filepath.Join(dir, "app.yaml")
	added := filepath.Join(dir, "added.yaml")
	baseJSON := filepath.Join(dir, "baseline.json")
	baseSARIF := filepath.Join(dir, "baseline.sarif")
	appFinding := filepath.ToSlash(app) + ":17:15: error docker-socket: "

	steps := []struct {
		name string
		// files are written before the run (nil content removes the file).
		files      map[string][]byte
		args       []string
		wantCode   int
		wantStdout []string
		notStdout  []string
		wantStderr []string
		// check inspects the directory after the run.
		check func(t *testing.T)
	}{
		{
			name:       "write a baseline, still printing the text report",
			files:      map[string][]byte{app: socket},
			args:       []string{"--write-baseline", baseJSON, dir},
			wantCode:   1,
			wantStdout: []string{appFinding},
			check: func(t *testing.T) {
				var report jsonReport
				data, err := os.ReadFile(baseJSON)
				if err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(data, &report); err != nil {
					t.Fatalf("baseline is not a JSON report: %v\n%s", err, data)
				}
				if len(report.Findings) != 1 || report.Findings[0].Rule != "docker-socket" || !strings.Contains(string(data), `"fingerprint": "`) {
					t.Errorf("baseline = %s, want the docker-socket finding with its fingerprint", data)
				}
			},
		},
		{
			name:       "only the new finding is reported",
			files:      map[string][]byte{added: warning},
			args:       []string{"--baseline", baseJSON, dir},
			wantCode:   1,
			wantStdout: []string{filepath.ToSlash(added) + ":", "warning docker-data-dir: ", "1 finding: 1 warning"},
			notStdout:  []string{"docker-socket"},
			wantStderr: []string{filepath.ToSlash(baseJSON) + ": notice: 1 finding in the baseline, not reported\n"},
		},
		{
			name: "moved lines stay baselined",
			files: map[string][]byte{
				app:   append([]byte("# moved\n# down\n# by\n# comments\n\n"), socket...),
				added: nil,
			},
			args:       []string{"--baseline", baseJSON, dir},
			wantCode:   0,
			wantStdout: []string{"no findings"},
			wantStderr: []string{"notice: 1 finding in the baseline"},
		},
		{
			name:       "write a SARIF report",
			args:       []string{"--format", "sarif", "--output", baseSARIF, dir},
			wantCode:   1,
			wantStdout: nil,
		},
		{
			name:       "a SARIF report as the baseline",
			files:      map[string][]byte{added: warning},
			args:       []string{"--format", "json", "--baseline", baseSARIF, dir},
			wantCode:   1,
			wantStdout: []string{`"rule": "docker-data-dir"`},
			notStdout:  []string{`"rule": "docker-socket"`},
			wantStderr: []string{"notice: 1 finding in the baseline"},
		},
		{
			name:       "rewriting a baseline in place keeps what it accepted",
			args:       []string{"--baseline", baseJSON, "--write-baseline", baseJSON, dir},
			wantCode:   1,
			wantStdout: []string{"warning docker-data-dir: "},
			wantStderr: []string{"notice: 1 finding in the baseline"},
			check: func(t *testing.T) {
				data, err := os.ReadFile(baseJSON)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(data), `"rule": "docker-socket"`) || !strings.Contains(string(data), `"rule": "docker-data-dir"`) {
					t.Errorf("rewritten baseline lacks a finding:\n%s", data)
				}
			},
		},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			for name, data := range st.files {
				if data == nil {
					if err := os.Remove(name); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err := os.WriteFile(name, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			// The reports written into dir must not be linted themselves:
			// they are JSON but not Kubernetes objects.
			got := runCLI(t, "", append([]string{"lint"}, st.args...)...)
			got.check(t, want{code: st.wantCode, stdout: st.wantStdout, notStdout: st.notStdout, stderr: st.wantStderr})
			if st.check != nil {
				st.check(t)
			}
		})
	}
}

func TestBadBaseline(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{file: "testdata/baseline/missing.json", want: "baseline testdata/baseline/missing.json: no such file or directory"},
		{file: "testdata/baseline/broken.json", want: "baseline testdata/baseline/broken.json:4: not a JSON report: "},
		{file: "testdata/baseline/not-a-report.json", want: "baseline testdata/baseline/not-a-report.json: not a dockershim-lint JSON or SARIF report"},
		{file: "testdata/baseline/no-fingerprint.json", want: "baseline testdata/baseline/no-fingerprint.json: finding 1 has no fingerprint"},
		{file: "testdata/baseline/foreign.sarif", want: "baseline testdata/baseline/foreign.sarif: SARIF result 1 has no dockershimLint/v2 fingerprint"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			got := runCLI(t, "", "lint", "--baseline", tt.file, socketFile)
			if got.code != exitError {
				t.Errorf("exit code %d, want %d", got.code, exitError)
			}
			if !strings.Contains(got.stderr, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, got.stderr)
			}
			if got.stdout != "" {
				t.Errorf("stdout should be empty on a bad baseline, got:\n%s", got.stdout)
			}
		})
	}
}

// TestLegacyBaseline reads baselines the previous version wrote (fingerprints
// over the file as given, the apiVersion and list indexes): their findings
// must stay hidden.
func TestLegacyBaseline(t *testing.T) {
	for _, baseline := range []string{"testdata/baseline/legacy.json", "testdata/baseline/legacy.sarif"} {
		t.Run(filepath.Base(baseline), func(t *testing.T) {
			runCLI(t, "", "lint", "--baseline", baseline, socketFile).check(t, want{
				code:   0,
				stdout: []string{"no findings"},
				stderr: []string{baseline + ": notice: 1 finding in the baseline, not reported"},
			})
		})
	}
}

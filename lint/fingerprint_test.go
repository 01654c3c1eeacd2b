package lint_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

// volumeRule reports every hostPath volume at its typed path.
var volumeRule = &lint.Rule{
	ID:       "volume",
	Severity: lint.SeverityError,
	Check: func(p *lint.Pass) {
		for i, v := range lint.Items(lint.Path(p.Object.Node, "spec", "volumes")) {
			if path := lint.Path(v, "hostPath", "path"); path != nil {
				p.Reportf(path, lint.KeyPath("spec", "volumes").Index(i).Key("hostPath").Key("path"), "mounts %s", path.Value)
			}
		}
	},
}

func podWithVolumes(apiVersion string, volumes ...string) string {
	src := "apiVersion: " + apiVersion + "\nkind: Pod\nmetadata:\n  name: agent\nspec:\n  volumes:\n"
	for _, v := range volumes {
		src += "    - name: " + v + "\n      hostPath:\n        path: /var/run/" + v + "\n"
	}
	return src
}

// fingerprints lints src as the file name, from the working directory wd,
// with the engine's root at root, and returns the fingerprint of each
// finding by its message.
func fingerprints(t *testing.T, wd, root, name, src string, rules ...*lint.Rule) map[string]string {
	t.Helper()
	t.Chdir(wd)
	e := lint.Engine{Rules: append(rules, lint.SuppressionRules()...), Root: root}
	res := e.Run([]lint.Input{commentedInput{fakeInput{name: name, src: src}}})
	out := map[string]string{}
	for _, f := range res.Findings {
		if _, dup := out[f.Message]; dup {
			t.Fatalf("two findings say %q", f.Message)
		}
		out[f.Message] = f.Fingerprint()
	}
	return out
}

// TestFingerprintIdentity changes what must not change a finding's identity
// (a volume inserted above, the apiVersion, the working directory) and
// checks the fingerprint stays; and gives each ignore finding its own.
func TestFingerprintIdentity(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "deploy")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	base := fingerprints(t, root, root, "deploy/pod.yaml", podWithVolumes("v1", "docker.sock"), volumeRule)
	want := base["mounts /var/run/docker.sock"]
	if want == "" {
		t.Fatalf("no finding: %v", base)
	}
	tests := []struct {
		name string
		wd   string
		file string
		src  string
	}{
		{name: "a volume inserted above", wd: root, file: "deploy/pod.yaml", src: podWithVolumes("v1", "containerd.sock", "docker.sock")},
		{name: "another apiVersion", wd: root, file: "deploy/pod.yaml", src: podWithVolumes("v1beta1", "docker.sock")},
		{name: "run from a subdirectory", wd: sub, file: "pod.yaml", src: podWithVolumes("v1", "docker.sock")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fingerprints(t, tt.wd, root, tt.file, tt.src, volumeRule)
			if got["mounts /var/run/docker.sock"] != want {
				t.Errorf("fingerprint %s, want %s as before the change", got["mounts /var/run/docker.sock"], want)
			}
		})
	}

	t.Run("each unused ignore comment has its own fingerprint", func(t *testing.T) {
		src := "# dockershim-lint:ignore volume -- kept for the audit\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# dockershim-lint:ignore volume -- kept for the audit\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n"
		e := lint.Engine{Rules: append([]*lint.Rule{volumeRule}, lint.SuppressionRules()...)}
		res := e.Run([]lint.Input{commentedInput{fakeInput{name: "cm.yaml", src: src}}})
		seen := map[string]bool{}
		for _, f := range res.Findings {
			if f.Rule != lint.UnusedIgnoreID {
				continue
			}
			if seen[f.Fingerprint()] {
				t.Errorf("two unused-ignore findings share fingerprint %s", f.Fingerprint())
			}
			seen[f.Fingerprint()] = true
		}
		if len(seen) != 2 {
			t.Errorf("want two unused-ignore findings, got %v", res.Findings)
		}
	})
}

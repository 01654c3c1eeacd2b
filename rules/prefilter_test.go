package rules

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// The quick tests in front of the rules' expensive checks must pass every
// input the full check finds something in: a quick test that fails a
// trigger loses a finding. Each is checked against triggers written out
// here and against every scalar of the rules' fixtures, each whole and
// line by line (an embedded configuration is checked a line or a value at
// a time).

// fixtureScalars is every scalar value and key in the rules' fixtures.
func fixtureScalars(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir("testdata", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		for {
			var doc yaml.Node
			if dec.Decode(&doc) != nil {
				// A fixture of broken YAML still gave its first
				// documents.
				return nil
			}
			var walk func(n *yaml.Node)
			walk = func(n *yaml.Node) {
				if n.Kind == yaml.ScalarNode {
					out = append(out, n.Value)
					out = append(out, strings.Split(n.Value, "\n")...)
				}
				for _, c := range n.Content {
					walk(c)
				}
			}
			walk(&doc)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 1000 {
		t.Fatalf("only %d scalars in the fixtures: the walk is broken", len(out))
	}
	return out
}

func TestMayNameEndpoint(t *testing.T) {
	triggers := []string{
		"unix:///var/run/docker.sock",
		"/var/run/docker.sock",
		"unix:///run//docker.sock/",
		"-H unix:///var/run/docker.sock",
		"tcp://10.0.0.1:2375",
		"TCP://$(HOST_IP):2376/",
		"https://localhost:2376?x=1",
		`\\.\pipe\docker_engine`,
		"npipe:////./pipe/docker_engine",
		"NPIPE:////./PIPE/DOCKER_ENGINE",
		// The Kelvin sign lower-cases to k.
		"npipe:////./pipe/doc\u212aer_engine",
	}
	for _, v := range triggers {
		if _, ok := findEndpoint(v); !ok {
			t.Errorf("findEndpoint(%q) finds nothing: not a trigger", v)
		}
		if !mayNameEndpoint(v) {
			t.Errorf("mayNameEndpoint(%q) = false for a value that names an endpoint", v)
		}
	}
	found := 0
	for _, v := range fixtureScalars(t) {
		if _, ok := findEndpoint(v); ok {
			found++
			if !mayNameEndpoint(v) {
				t.Errorf("mayNameEndpoint(%q) = false for a fixture value that names an endpoint", v)
			}
		}
	}
	if found == 0 {
		t.Error("no fixture value names an endpoint: the fixture check proves nothing")
	}
	// What the quick test is for: ordinary values fail it.
	for _, v := range []string{"info", "http://api.team-1.svc:8080", "/var/cache/web", "containerd"} {
		if mayNameEndpoint(v) {
			t.Errorf("mayNameEndpoint(%q) = true", v)
		}
	}
}

func TestContainsLower(t *testing.T) {
	for _, tc := range []struct{ v, word string }{
		{"dockershim", "dockershim"},
		{"/var/run/DockerShim.sock", "dockershim"},
		{"docker", "dockershim"},
		{"", "docker"},
		{"doc\u212aer", "docker"},
		{"DOCKER_HOST", "docker"},
		{"dOcKeR", "docker"},
		{"dockeR-in-docker", "docker-in-docker"},
		{"_x_", "_x"},
		{"@X", "@x"},
		{"ümlaut docker", "docker"},
		{"ümlaut", "docker"},
		{"DOCKER then ümlaut", "docker"},
		{"docKer then DOCKER", "docker"},
		{"ſhim", "shim"},
		{"DOCKERSHI", "dockershim"},
		{"xDindx", "dind"},
	} {
		want := strings.Contains(strings.ToLower(tc.v), tc.word)
		if got := containsLower(tc.v, tc.word); got != want {
			t.Errorf("containsLower(%q, %q) = %v, want %v", tc.v, tc.word, got, want)
		}
	}
}

func TestMayHoldKubeletFlag(t *testing.T) {
	triggers := []string{
		"--container-runtime=docker",
		"---container-runtime=docker",
		"--container-runtime",
		"--docker-endpoint=unix:///var/run/docker.sock",
		"--docker-endpoint",
		"/usr/bin/kubelet --v=2 --container-runtime docker",
		"exec kubelet \\\n  --docker-endpoint=tcp://localhost:2375",
	}
	// reported is what checkKubeletFlags reports of a command-line
	// value: any word, split as it splits them, that kubeletFlagMessage
	// has a message for with the value that makes it report.
	reported := func(v string) bool {
		for _, f := range strings.Fields(v) {
			name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
			if strings.HasPrefix(f, "--") && kubeletFlagMessage(name, "docker") != "" {
				return true
			}
		}
		return false
	}
	for _, v := range triggers {
		if !reported(v) {
			t.Errorf("%q holds no reported flag: not a trigger", v)
		}
		if !mayHoldKubeletFlag(v) {
			t.Errorf("mayHoldKubeletFlag(%q) = false for a reported flag", v)
		}
	}
	found := 0
	for _, v := range fixtureScalars(t) {
		if reported(v) {
			found++
			if !mayHoldKubeletFlag(v) {
				t.Errorf("mayHoldKubeletFlag(%q) = false for a fixture value with a reported flag", v)
			}
		}
	}
	if found == 0 {
		t.Error("no fixture value holds a reported flag: the fixture check proves nothing")
	}
	for _, v := range []string{"--port=8080", "--v=2", "kubelet"} {
		if mayHoldKubeletFlag(v) {
			t.Errorf("mayHoldKubeletFlag(%q) = true", v)
		}
	}
}

func TestMayBeDindImage(t *testing.T) {
	triggers := []string{
		"docker:24-dind",
		"docker:dind-rootless",
		"DOCKER:DIND",
		"example.com/ci/dind:1",
		"library/docker-in-docker",
		"Docker-In-Docker:latest",
		"cruizba/ubuntu-dind",
		"x/dind",
		// The Kelvin sign folds to k, in the regexp as in containsLower.
		"docker-in-doc\u212aer",
	}
	for _, image := range triggers {
		if !dindImage.MatchString(image) {
			t.Errorf("dindImage does not match %q: not a trigger", image)
		}
		if !mayBeDindImage(image) {
			t.Errorf("mayBeDindImage(%q) = false for an image dindImage matches", image)
		}
	}
	found := 0
	for _, v := range fixtureScalars(t) {
		if image := imageRepoTag(v); dindImage.MatchString(image) {
			found++
			if !mayBeDindImage(image) {
				t.Errorf("mayBeDindImage(%q) = false for a fixture image dindImage matches", image)
			}
		}
	}
	if found == 0 {
		t.Error("no fixture image is a dind image: the fixture check proves nothing")
	}
	// The regexp folds case as unicode.SimpleFold does, containsLower as
	// strings.ToLower does: every letter of the words must fold the same
	// way in both, or a non-ASCII image could match the regexp and fail
	// the quick test.
	for _, r := range "dindocker-" {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if got := strings.ToLower(string(f)); got != string(r) {
				t.Errorf("%q folds to %q but lower-cases to %q", f, r, got)
			}
		}
	}
	for _, image := range []string{"registry.example.com/web:1", "docker:24", "nginx"} {
		if mayBeDindImage(image) {
			t.Errorf("mayBeDindImage(%q) = true", image)
		}
	}
}

// TestAppendTokens: splitting bytes finds the tokens strings.FieldsFunc
// finds splitting runes, for every fixture value and for names with
// separators at the ends, doubled, and next to characters that are not
// ASCII.
func TestAppendTokens(t *testing.T) {
	want := func(s string) []string {
		return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return r == '-' || r == '_' || r == '.' || r == '/'
		})
	}
	values := append(fixtureScalars(t), "", "-", "--a--b--", "Datadog-Agent", "a.b_c/d-e", "/x/", "é-ü_ß", "İstanbul-\u212a8s", "a\u00ad-b")
	for _, v := range values {
		got := appendTokens([]string{"kept"}, v)
		if got[0] != "kept" || !slices.Equal(got[1:], want(v)) {
			t.Errorf("appendTokens(%q) = %q, want %q after what was there", v, got, want(v))
		}
		if n := len(got) - 1; n != countTokens(v) {
			t.Errorf("%q has %d tokens, countTokens says %d", v, n, countTokens(v))
		}
	}
}

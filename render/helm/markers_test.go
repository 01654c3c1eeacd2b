package helm

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/rules"
)

// forgeryTemplate places a value beside a socket mount, so a forged marker
// in the value would move the mount's finding or lose it.
const forgeryTemplate = `apiVersion: v1
kind: Pod
metadata:
  name: forged
  annotations:
    note: {{ .Values.note }}
spec:
  containers:
    - name: c
      image: busybox
  volumes:
    - name: sock
      hostPath:
        path: {{ .Values.socket }}
`

// TestValuesCannotForgeMarkers renders values holding every byte sequence
// of the old marker scheme ("\x00<index>\x01", in range or not). Each must
// leave the findings where they belong, or fail with an input error naming
// the template when the value makes the YAML invalid: never an internal
// error, a finding moved to another line, or a finding lost in silence.
func TestValuesCannotForgeMarkers(t *testing.T) {
	tests := []struct {
		name   string
		note   string
		socket string
		// wantLine is the socket finding's line, or 0 when the NUL the
		// value carries must instead make the template an input error.
		wantLine int
	}{
		{name: "no forgery", note: `"plain"`, socket: "/var/run/docker.sock", wantLine: 14},
		{name: "index out of range in a note", note: `"\x0099999\x01"`, socket: "/var/run/docker.sock"},
		{name: "index in range in a note", note: `"\x000\x01"`, socket: "/var/run/docker.sock"},
		{name: "index in range before the socket path", note: `"plain"`, socket: `"\x002\x01/var/run/docker.sock"`},
		{name: "escaped forgery stays text", note: `'\x0099999\x01'`, socket: "/var/run/docker.sock", wantLine: 14},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "forged")
			writeFile(t, filepath.Join(dir, "Chart.yaml"), "apiVersion: v2\nname: forged\nversion: 0.1.0\n")
			writeFile(t, filepath.Join(dir, "values.yaml"), "note: "+tt.note+"\nsocket: "+tt.socket+"\n")
			writeFile(t, filepath.Join(dir, "templates", "pod.yaml"), forgeryTemplate)

			res := (&lint.Engine{Rules: rules.Core()}).Run([]lint.Input{NewChart(dir, Options{})})
			template := filepath.ToSlash(filepath.Join(dir, "templates", "pod.yaml"))
			if tt.wantLine == 0 {
				if len(res.Errors) != 1 || res.Errors[0].File != template || !strings.Contains(res.Errors[0].Message, "control characters") {
					t.Errorf("want one input error on %s about the control character, got %v", template, res.Errors)
				}
				if len(res.Findings) != 0 {
					t.Errorf("findings from a template that is not YAML: %v", res.Findings)
				}
				return
			}
			if len(res.Errors) != 0 {
				t.Fatalf("input errors: %v", res.Errors)
			}
			if len(res.Findings) != 1 || res.Findings[0].File != template || res.Findings[0].Line != tt.wantLine {
				t.Errorf("want the docker-socket finding at %s:%d, got %v", template, tt.wantLine, res.Findings)
			}
		})
	}
}

// TestReadMarker pins which byte sequences count as markers.
func TestReadMarker(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		wantIdx  int
		wantSize int
		wantOK   bool
	}{
		{name: "ours", text: "\x00" + markToken + "3\x01rest", wantIdx: 3, wantSize: 1 + len(markToken) + 2, wantOK: true},
		{name: "old scheme", text: "\x003\x01rest"},
		{name: "out of range", text: "\x00" + markToken + "4\x01"},
		{name: "negative", text: "\x00" + markToken + "-1\x01"},
		{name: "leading zero", text: "\x00" + markToken + "03\x01"},
		{name: "unterminated", text: "\x00" + markToken + "3"},
		{name: "empty index", text: "\x00" + markToken + "\x01"},
		{name: "another token", text: "\x00" + strings.Repeat("0", len(markToken)) + "3\x01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx, size, ok := readMarker(tt.text, 4)
			if idx != tt.wantIdx || size != tt.wantSize || ok != tt.wantOK {
				t.Errorf("readMarker = %d, %d, %v; want %d, %d, %v", idx, size, ok, tt.wantIdx, tt.wantSize, tt.wantOK)
			}
		})
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil && !errors.Is(err, os.ErrExist) {
		t.Fatal(err)
	}
}

// TestWriteListMatchesString checks that writeList writes every template
// of the fixture and corpus charts as parse's String does, before and
// after markers are inserted: Helm parses what it writes.
func TestWriteListMatchesString(t *testing.T) {
	dirs := []string{chartsDir}
	for _, c := range corpusCharts(t) {
		dirs = append(dirs, c.dir)
	}
	files := 0
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.Contains(filepath.ToSlash(p), "/templates/") {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			pt, err := parseTemplate(p, p, data)
			if err != nil {
				return nil // Helm reports it; nothing is rewritten.
			}
			files++
			m := &marker{table: &markTable{}, file: p, src: pt.src, lines: pt.lineIndex()}
			for name, tree := range pt.trees {
				var parsed, marked strings.Builder
				writeList(&parsed, tree.Root)
				if want := tree.Root.String(); parsed.String() != want {
					t.Errorf("%s, %s: writeList differs from String:\n%q\nwant\n%q", p, name, parsed.String(), want)
				}
				m.list(tree.Root, values{})
				writeList(&marked, tree.Root)
				if want := tree.Root.String(); marked.String() != want {
					t.Errorf("%s, %s, marked: writeList differs from String:\n%q\nwant\n%q", p, name, marked.String(), want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files == 0 {
		t.Fatal("no template found")
	}
}

package lint

import (
	"bytes"
	"path/filepath"
	"testing"
)

func TestGitHubGolden(t *testing.T) {
	tests := []struct {
		name   string
		report *Report
	}{
		{name: "report", report: sampleReport()},
		{name: "clean", report: &Report{Version: "v1.2.3", Rules: []*Rule{socketRule}, Inventory: Inventory{Files: 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := (&GitHubWriter{WorkDir: sampleWorkDir}).Write(&buf, tt.report); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", "github", tt.name+".txt"), buf.Bytes())
		})
	}
}

func TestGitHubCommand(t *testing.T) {
	tests := []struct {
		name     string
		severity Severity
		pos      Position
		rule     string
		message  string
		want     string
	}{
		{
			name:     "error with span",
			severity: SeverityError,
			pos:      Position{File: "a.yaml", Line: 3, Column: 5, EndLine: 3, EndColumn: 9},
			rule:     "docker-socket", message: "mounts it",
			want: "::error file=a.yaml,line=3,col=5,endLine=3,endColumn=9,title=docker-socket::mounts it (Pod p)\n",
		},
		{
			name:     "warning",
			severity: SeverityWarning,
			pos:      Position{File: "a.yaml", Line: 3},
			rule:     "docker-host-env", message: "sets it",
			want: "::warning file=a.yaml,line=3,title=docker-host-env::sets it (Pod p)\n",
		},
		{
			name:     "note becomes notice",
			severity: SeverityNote,
			pos:      Position{File: "a.yaml", Line: 3},
			rule:     "agent-x", message: "n",
			want: "::notice file=a.yaml,line=3,title=agent-x::n (Pod p)\n",
		},
		{
			name:     "data escaping",
			severity: SeverityError,
			pos:      Position{File: "a.yaml", Line: 1},
			rule:     "r", message: "100% sure: a,b",
			want: "::error file=a.yaml,line=1,title=r::100%25 sure: a,b (Pod p)\n",
		},
		{
			// A message quotes the linted files (a volume's name): their
			// control characters are escaped as in the text report, so
			// none reaches the job log or a terminal as an escape sequence.
			name:     "control characters in the message",
			severity: SeverityError,
			pos:      Position{File: "a.yaml", Line: 1},
			rule:     "r", message: "volume \"s\x1b]8;;http://x\a\" line\r\nbreak",
			want: "::error file=a.yaml,line=1,title=r::volume \"s\\x1b]8;;http://x\\a\" line\\r\\nbreak (Pod p)\n",
		},
		{
			name:     "property escaping",
			severity: SeverityError,
			pos:      Position{File: "dir,1/c:d%.yaml", Line: 1},
			rule:     "acme:rule,x", message: "m",
			want: "::error file=dir%2C1/c%3Ad%25.yaml,line=1,title=acme%3Arule%2Cx::m (Pod p)\n",
		},
		{
			name:     "absolute path inside the work dir",
			severity: SeverityError,
			pos:      Position{File: sampleWorkDir + "/deploy/a.yaml", Line: 2},
			rule:     "r", message: "m",
			want: "::error file=deploy/a.yaml,line=2,title=r::m (Pod p)\n",
		},
		{
			name:     "control characters in the file name",
			severity: SeverityError,
			pos:      Position{File: "evil\n::error::x\x1b[2J.yaml", Line: 1},
			rule:     "r", message: "m",
			want: "::error file=evil\\n%3A%3Aerror%3A%3Ax\\x1b[2J.yaml,line=1,title=r::m (Pod p)\n",
		},
		{
			name:     "stdin has no file",
			severity: SeverityError,
			pos:      Position{File: "<stdin>", Line: 2, Column: 7},
			rule:     "r", message: "m",
			want: "::error line=2,col=7,title=r::<stdin>:2:7: m (Pod p)\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{Findings: []Finding{{
				Rule: tt.rule, Severity: tt.severity, Message: tt.message,
				Position: tt.pos, Object: ObjectRef{Kind: "Pod", Name: "p"},
			}}}
			var buf bytes.Buffer
			if err := (&GitHubWriter{WorkDir: sampleWorkDir}).Write(&buf, r); err != nil {
				t.Fatal(err)
			}
			got, _, _ := bytes.Cut(buf.Bytes(), []byte("1 finding"))
			if string(got) != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// Input errors are annotations on standard error, not part of the report:
// the report may go to a file, and the runner reads commands on both
// streams.
func TestGitHubInputErrors(t *testing.T) {
	errs := []InputError{
		{File: "deploy/broken.yaml", Line: 19, Message: "invalid YAML: did not find expected ',' or '}'"},
		{File: "missing", Message: "no such file or directory"},
		{File: "odd\nname.yaml", Line: 2, Message: "100% broken"},
		{File: "esc.yaml", Line: 3, Message: "key \"\x1b[2J\" already defined"},
	}
	var buf bytes.Buffer
	if err := (&GitHubWriter{WorkDir: sampleWorkDir}).WriteInputErrors(&buf, errs); err != nil {
		t.Fatal(err)
	}
	want := "::error file=deploy/broken.yaml,line=19,title=dockershim-lint input error::invalid YAML: did not find expected ',' or '}'\n" +
		"::error file=missing,title=dockershim-lint input error::no such file or directory\n" +
		"::error file=odd\\nname.yaml,line=2,title=dockershim-lint input error::100%25 broken\n" +
		"::error file=esc.yaml,line=3,title=dockershim-lint input error::key \"\\x1b[2J\" already defined\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
	var report bytes.Buffer
	if err := (&GitHubWriter{}).Write(&report, &Report{Errors: errs}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(report.Bytes(), []byte("::error")) {
		t.Errorf("the report repeats the input errors:\n%s", report.String())
	}
}

func TestNewWriterGitHub(t *testing.T) {
	w, err := NewWriter("github", WriterOptions{WorkDir: "/repo"})
	if err != nil {
		t.Fatal(err)
	}
	if g, ok := w.(*GitHubWriter); !ok || g.WorkDir != "/repo" {
		t.Errorf("NewWriter(github) = %#v, want a GitHubWriter with the options' work dir", w)
	}
}

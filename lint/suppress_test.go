package lint_test

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

func TestParseDirectives(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []lint.Directive
	}{
		{
			name: "no keyword",
			src:  "apiVersion: v1\n# an ordinary comment\n",
		},
		{
			name: "own line, several rules",
			src:  "a: 1\n  # dockershim-lint:ignore docker-socket,docker-cli -- still on Docker\nb: 2\n",
			want: []lint.Directive{{
				Position: lint.Position{File: "f.yaml", Line: 2, Column: 3},
				Rules:    []string{"docker-socket", "docker-cli"}, Reason: "still on Docker",
			}},
		},
		{
			name: "trailing, spaces between rules, CRLF",
			src:  "path: /var/run/docker.sock #dockershim-lint:ignore docker-socket  docker-cli --  why \r\n",
			want: []lint.Directive{{
				Position: lint.Position{File: "f.yaml", Line: 1, Column: 28},
				Rules:    []string{"docker-socket", "docker-cli"}, Reason: "why", Trailing: true,
			}},
		},
		{
			name: "columns count code points",
			src:  "name: \"cœur\" # dockershim-lint:ignore docker-cli -- r\n",
			want: []lint.Directive{{
				Position: lint.Position{File: "f.yaml", Line: 1, Column: 14},
				Rules:    []string{"docker-cli"}, Reason: "r", Trailing: true,
			}},
		},
		{
			name: "no reason",
			src:  "# dockershim-lint:ignore docker-socket\n# dockershim-lint:ignore docker-socket --\n",
			want: []lint.Directive{
				{Position: lint.Position{File: "f.yaml", Line: 1, Column: 1}, Rules: []string{"docker-socket"}, Problem: "gives no reason after --, so it suppresses nothing"},
				{Position: lint.Position{File: "f.yaml", Line: 2, Column: 1}, Rules: []string{"docker-socket"}, Problem: "gives no reason after --, so it suppresses nothing"},
			},
		},
		{
			name: "no rule",
			src:  "# dockershim-lint:ignore -- because\n",
			want: []lint.Directive{{Position: lint.Position{File: "f.yaml", Line: 1, Column: 1}, Reason: "because", Problem: "names no rule"}},
		},
		{
			name: "the keyword inside a value is not a comment",
			src:  "note: \"write dockershim-lint:ignore RULE -- why\"\nurl: a#dockershim-lint:ignore x -- y\n",
		},
		{
			name: "a shell comment inside a quoted string is not a comment",
			src: "command: [\"sh\", \"-c\", \"docker ps # dockershim-lint:ignore docker-cli -- r\"]\n" +
				"- 'docker ps # dockershim-lint:ignore docker-cli -- it''s quoted'\n" +
				"{\"a\":\"b \\\" # dockershim-lint:ignore docker-cli -- escaped quote\"}\n",
		},
		{
			name: "quotes that open no string, or are closed",
			src: "args: it's # dockershim-lint:ignore docker-cli -- r\n" +
				"path: \"/var/run/docker.sock\" # dockershim-lint:ignore docker-socket -- r\n" +
				"a: 'x' # see 'y' # dockershim-lint:ignore docker-cli -- r\n",
			want: []lint.Directive{
				{Position: lint.Position{File: "f.yaml", Line: 1, Column: 12}, Rules: []string{"docker-cli"}, Reason: "r", Trailing: true},
				{Position: lint.Position{File: "f.yaml", Line: 2, Column: 30}, Rules: []string{"docker-socket"}, Reason: "r", Trailing: true},
				{Position: lint.Position{File: "f.yaml", Line: 3, Column: 18}, Rules: []string{"docker-cli"}, Reason: "r", Trailing: true},
			},
		},
		{
			// Read by lines broken at LF only, this file was one line
			// and the comment sat at 1:7, trailing YAML.
			name: "CR line endings",
			src:  "a: 1\r  # dockershim-lint:ignore docker-socket -- still on Docker\rb: 2\r",
			want: []lint.Directive{{
				Position: lint.Position{File: "f.yaml", Line: 2, Column: 3},
				Rules:    []string{"docker-socket"}, Reason: "still on Docker",
			}},
		},
		{
			name: "a byte order mark is no column",
			src:  "\ufeff# dockershim-lint:ignore docker-cli -- r\n",
			want: []lint.Directive{{
				Position: lint.Position{File: "f.yaml", Line: 1, Column: 1},
				Rules:    []string{"docker-cli"}, Reason: "r",
			}},
		},
		{
			// yaml.v3 reads UTF-16 with a byte order mark, so the file's
			// findings are reported; its comments must count too.
			name: "UTF-16 little-endian with a byte order mark",
			src:  utf16Text(binary.LittleEndian, "a: 1\r\n  # dockershim-lint:ignore docker-cli -- r\r\nb: \U0001F600 # dockershim-lint:ignore docker-socket -- s\n"),
			want: []lint.Directive{
				{Position: lint.Position{File: "f.yaml", Line: 2, Column: 3}, Rules: []string{"docker-cli"}, Reason: "r"},
				{Position: lint.Position{File: "f.yaml", Line: 3, Column: 6}, Rules: []string{"docker-socket"}, Reason: "s", Trailing: true},
			},
		},
		{
			name: "UTF-16 big-endian with a byte order mark",
			src:  utf16Text(binary.BigEndian, "# dockershim-lint:ignore docker-cli -- r\n"),
			want: []lint.Directive{{Position: lint.Position{File: "f.yaml", Line: 1, Column: 1}, Rules: []string{"docker-cli"}, Reason: "r"}},
		},
		{
			name: "the reason may hold dashes and hashes",
			src:  "# dockershim-lint:ignore docker-cli -- see #123 -- and PR 7\n",
			want: []lint.Directive{{
				Position: lint.Position{File: "f.yaml", Line: 1, Column: 1},
				Rules:    []string{"docker-cli"}, Reason: "see #123 -- and PR 7",
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lint.ParseDirectives("f.yaml", []byte(tt.src))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// commentedInput is a file whose ignore comments come from its source, as
// render's inputs report them.
type commentedInput struct{ fakeInput }

func (in commentedInput) Directives() []lint.Directive {
	return lint.ParseDirectives(in.name, []byte(in.src))
}

// commentsOnly is an input that reads a file with ignore comments but no
// objects, such as a values file read by a chart.
type commentsOnly struct{ name, src string }

func (in commentsOnly) Name() string                  { return in.name }
func (in commentsOnly) Load() ([]*lint.Object, error) { return nil, nil }
func (in commentsOnly) Directives() []lint.Directive {
	return lint.ParseDirectives(in.name, []byte(in.src))
}

// pod is a Pod named name whose metadata.name is on line 5, after the
// given metadata lines (starting at line 4).
func pod(name string, metadata ...string) string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Pod\nmetadata:\n")
	for _, m := range metadata {
		b.WriteString("  " + m + "\n")
	}
	b.WriteString("  name: " + name + "\n")
	return b.String()
}

// briefIgnores is brief plus one "suppressed file:line rule (reason)" line
// per suppressed finding.
func briefIgnores(r lint.Result) []string {
	out := brief(r)
	for _, f := range r.Suppressed {
		var reasons []string
		for _, s := range f.Suppressions {
			reasons = append(reasons, fmt.Sprintf("%s@%d %s", s.Kind, s.Position.Line, s.Justification))
		}
		out = append(out, fmt.Sprintf("suppressed %s:%d %s (%s)", f.File, f.Line, f.Rule, strings.Join(reasons, "; ")))
	}
	return out
}

func TestEngineIgnores(t *testing.T) {
	withIgnores := append([]*lint.Rule{nameRule, countRule}, lint.SuppressionRules()...)
	tests := []struct {
		name   string
		rules  []*lint.Rule
		known  []*lint.Rule
		inputs []lint.Input
		want   []string
	}{
		{
			name:   "a comment on the line above suppresses",
			rules:  withIgnores,
			inputs: []lint.Input{commentedInput{fakeInput{name: "a.yaml", src: pod("a", "# dockershim-lint:ignore name -- generated")}}},
			want: []string{
				"a.yaml:2:7 note count 1 objects",
				"suppressed a.yaml:5 name (inSource@4 generated)",
			},
		},
		{
			name:   "a comment in a file with CR line endings suppresses",
			rules:  withIgnores,
			inputs: []lint.Input{commentedInput{fakeInput{name: "a.yaml", src: strings.ReplaceAll(pod("a", "# dockershim-lint:ignore name -- generated"), "\n", "\r")}}},
			want: []string{
				"a.yaml:2:7 note count 1 objects",
				"suppressed a.yaml:5 name (inSource@4 generated)",
			},
		},
		{
			name:   "a trailing comment suppresses its own line",
			rules:  withIgnores,
			inputs: []lint.Input{commentedInput{fakeInput{name: "a.yaml", src: "apiVersion: v1\nkind: Pod # dockershim-lint:ignore count -- one is enough\nmetadata:\n  name: a\n"}}},
			want: []string{
				"a.yaml:4:9 warning name object a",
				"suppressed a.yaml:2 count (inSource@2 one is enough)",
			},
		},
		{
			name:   "a trailing comment does not reach the next line",
			rules:  withIgnores,
			inputs: []lint.Input{commentedInput{fakeInput{name: "a.yaml", src: "apiVersion: v1\nkind: Pod\nmetadata: # dockershim-lint:ignore name -- r\n  name: a\n"}}},
			want: []string{
				"a.yaml:2:7 note count 1 objects",
				"a.yaml:3:11 note unused-ignore ignore comment for name suppresses nothing: no name finding on this line; remove it",
				"a.yaml:4:9 warning name object a",
			},
		},
		{
			name:  "an annotation covers its object only, and an unused one is reported at its line",
			rules: withIgnores,
			inputs: []lint.Input{commentedInput{fakeInput{name: "a.yaml", src: pod("a", "annotations:", `  dockershim-lint.io/ignore: "name, count -- fixture"`) +
				"---\n" + pod("b", "annotations:", `  dockershim-lint.io/ignore: "name -- b is generated, count -- too"`)}}},
			want: []string{
				"a.yaml:9:7 note count 2 objects",
				"suppressed a.yaml:2 count (inSource@5 fixture)",
				"suppressed a.yaml:6 name (inSource@5 fixture)",
				"suppressed a.yaml:13 name (inSource@12 b is generated, count -- too)",
			},
		},
		{
			name:  "usage is global: a comment read by one input covers another's finding",
			rules: withIgnores,
			inputs: []lint.Input{
				commentsOnly{name: "values.yaml", src: "a: 1\nb: 2\nc: 3\n# dockershim-lint:ignore name -- set by the chart\n"},
				fakeInput{name: "values.yaml", src: pod("v", "labels: {}")},
			},
			want: []string{
				"values.yaml:2:7 note count 1 objects",
				"suppressed values.yaml:5 name (inSource@4 set by the chart)",
			},
		},
		{
			name:   "malformed and unknown directives suppress nothing",
			rules:  withIgnores,
			inputs: []lint.Input{commentedInput{fakeInput{name: "a.yaml", src: pod("a", "# dockershim-lint:ignore name") + "---\n" + pod("b", "# dockershim-lint:ignore names, name -- typo")}}},
			want: []string{
				"a.yaml:2:7 note count 2 objects",
				"a.yaml:4:3 warning invalid-ignore ignore comment gives no reason after --, so it suppresses nothing; write # dockershim-lint:ignore RULE[,RULE] -- reason",
				"a.yaml:5:9 warning name object a",
				"a.yaml:8:7 note count 2 objects",
				`a.yaml:10:3 warning invalid-ignore ignore comment names unknown rule "names" (see 'dockershim-lint rules')`,
				"suppressed a.yaml:11 name (inSource@10 typo)",
			},
		},
		{
			name:   "a rule disabled in this run is neither unused nor unknown",
			rules:  []*lint.Rule{countRule, lint.SuppressionRules()[0], lint.SuppressionRules()[1]},
			known:  withIgnores,
			inputs: []lint.Input{commentedInput{fakeInput{name: "a.yaml", src: pod("a", "# dockershim-lint:ignore name -- generated")}}},
			want:   []string{"a.yaml:2:7 note count 1 objects"},
		},
		{
			name:   "unused-ignore and invalid-ignore can be disabled",
			rules:  []*lint.Rule{nameRule},
			inputs: []lint.Input{commentedInput{fakeInput{name: "a.yaml", src: pod("a", "# dockershim-lint:ignore count -- r", "# dockershim-lint:ignore name")}}},
			want:   []string{"a.yaml:6:9 warning name object a"},
		},
		{
			name:  "an input that failed proves no comment unused",
			rules: withIgnores,
			inputs: []lint.Input{commentedInput{fakeInput{
				name: "a.yaml", src: "# dockershim-lint:ignore name -- r\n",
				err: &lint.InputError{File: "a.yaml", Line: 2, Message: "invalid YAML"},
			}}},
			want: []string{"a.yaml:2: invalid YAML"},
		},
		{
			name:  "the same comment seen by two inputs is reported once",
			rules: withIgnores,
			inputs: []lint.Input{
				commentsOnly{name: "base.yaml", src: "# dockershim-lint:ignore count -- r\n"},
				commentsOnly{name: "base.yaml", src: "# dockershim-lint:ignore count -- r\n"},
			},
			want: []string{"base.yaml:1:1 note unused-ignore ignore comment for count suppresses nothing: no count finding on the next line; remove it or move it above the finding"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, workers := range []int{1, 4} {
				e := lint.Engine{Rules: tt.rules, Known: tt.known, Workers: workers}
				got := briefIgnores(e.Run(tt.inputs))
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("workers=%d:\n got %q\nwant %q", workers, got, tt.want)
				}
			}
		})
	}
}

func TestEngineCheckSkipsRulesWithoutCheck(t *testing.T) {
	objects, err := fakeInput{name: "a.yaml", src: pods("a1")}.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := lint.Engine{Rules: append([]*lint.Rule{countRule}, lint.SuppressionRules()...)}
	if got := e.Check(objects); len(got) != 1 || got[0].Rule != "count" {
		t.Errorf("got %+v, want the one count finding", got)
	}
}

// The golden tests of package lint share one -update flag; the first test
// file initialised defines it.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

// documented is r with the documentation GitHub requires of every rule in a
// SARIF log.
func documented(r *lint.Rule, name, summary string) *lint.Rule {
	d := *r
	d.Name, d.Summary, d.Help = name, summary, "Nothing to change: a test rule."
	d.HelpURL = "https://example.com/rules/" + r.ID
	return &d
}

// TestSARIFSuppressedGolden pins how suppressed findings reach SARIF: kept,
// in file order, with an inSource suppression carrying the reason and the
// directive's location, and still valid SARIF 2.1.0.
func TestSARIFSuppressedGolden(t *testing.T) {
	src := pod("a", "annotations:", `  dockershim-lint.io/ignore: "count -- one object per file is expected"`) +
		"---\n" + pod("b", "# dockershim-lint:ignore name -- b is generated by the operator") +
		"---\n" + pod("c", "# dockershim-lint:ignore name")
	e := lint.Engine{Rules: append([]*lint.Rule{
		documented(nameRule, "Object name", "Reports every object's name."),
		documented(countRule, "Object count", "Reports how many objects a file has."),
	}, lint.SuppressionRules()...)}
	res := e.Run([]lint.Input{commentedInput{fakeInput{name: "deploy/pods.yaml", src: src}}})
	w := &lint.SARIFWriter{WorkDir: "/work/repo"}
	var buf bytes.Buffer
	err := w.Write(&buf, &lint.Report{
		Version: "v1.2.3", Findings: res.Findings, Suppressed: res.Suppressed, Errors: res.Errors, Rules: e.Rules,
	})
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "sarif", "suppressed.sarif")
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./lint -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("output differs from %s (run go test ./lint -update and review the diff):\n%s", golden, buf.Bytes())
	}

	const schemaPath = "../../shared/sarif/sarif-schema-2.1.0.json"
	if _, err := os.Stat(schemaPath); err != nil {
		t.Skipf("SARIF schema not available: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	schema, err := c.Compile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(doc); err != nil {
		t.Errorf("not valid SARIF 2.1.0: %v", err)
	}
}

// utf16Text is text encoded as UTF-16 in order, after a byte order mark.
func utf16Text(order binary.AppendByteOrder, text string) string {
	var out []byte
	for _, u := range utf16.Encode([]rune("\ufeff" + text)) {
		out = order.AppendUint16(out, u)
	}
	return string(out)
}

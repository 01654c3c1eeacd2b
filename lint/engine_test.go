package lint_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

// fakeInput yields objects parsed from src, then err; a non-nil panicWith
// makes Load panic instead.
type fakeInput struct {
	name      string
	src       string
	err       error
	panicWith any
}

func (in fakeInput) Name() string { return in.name }

func (in fakeInput) Load() ([]*lint.Object, error) {
	if in.panicWith != nil {
		panic(in.panicWith)
	}
	var objects []*lint.Object
	dec := yaml.NewDecoder(strings.NewReader(in.src))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			break
		}
		n := doc.Content[0]
		objects = append(objects, &lint.Object{
			ObjectRef: lint.ObjectRef{
				APIVersion: lint.Scalar(lint.Get(n, "apiVersion")),
				Kind:       lint.Scalar(lint.Get(n, "kind")),
				Name:       lint.Scalar(lint.Path(n, "metadata", "name")),
			},
			File: in.name,
			Node: n,
		})
	}
	return objects, in.err
}

// nameRule reports every object's name; it panics on an object named
// "panic", standing in for a rule bug.
var nameRule = &lint.Rule{
	ID:       "name",
	Severity: lint.SeverityWarning,
	Check: func(p *lint.Pass) {
		name := lint.Path(p.Object.Node, "metadata", "name")
		if name.Value == "panic" {
			panic("rule bug")
		}
		p.Reportf(name, lint.KeyPath("metadata", "name"), "object %s", name.Value)
	},
}

// countRule reports, on each object, how many objects its input has: the
// cross-object view rules get through Pass.Objects.
var countRule = &lint.Rule{
	ID:       "count",
	Severity: lint.SeverityNote,
	Check: func(p *lint.Pass) {
		p.Reportf(lint.Get(p.Object.Node, "kind"), lint.KeyPath("kind"), "%d objects", len(p.Objects))
	},
}

func pods(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n", n)
	}
	return b.String()
}

// brief renders a result compactly: "file:line rule message" per finding and
// "file:line: message" per error.
func brief(r lint.Result) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s:%d:%d %s %s %s", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message))
	}
	for _, e := range r.Errors {
		out = append(out, e.Error())
	}
	return out
}

func TestEngineRun(t *testing.T) {
	tests := []struct {
		name   string
		rules  []*lint.Rule
		inputs []lint.Input
		want   []string
	}{
		{
			name:  "no inputs",
			rules: []*lint.Rule{nameRule},
			want:  nil,
		},
		{
			name:  "sorted by file and line whatever the input order",
			rules: []*lint.Rule{nameRule},
			inputs: []lint.Input{
				fakeInput{name: "b.yaml", src: pods("b1", "b2")},
				fakeInput{name: "a.yaml", src: pods("a1")},
			},
			want: []string{
				"a.yaml:5:9 warning name object a1",
				"b.yaml:5:9 warning name object b1",
				"b.yaml:10:9 warning name object b2",
			},
		},
		{
			name:  "several rules on one object, ordered by column then rule",
			rules: []*lint.Rule{nameRule, countRule},
			inputs: []lint.Input{
				fakeInput{name: "a.yaml", src: pods("a1", "a2")},
			},
			want: []string{
				"a.yaml:3:7 note count 2 objects",
				"a.yaml:5:9 warning name object a1",
				"a.yaml:8:7 note count 2 objects",
				"a.yaml:10:9 warning name object a2",
			},
		},
		{
			name:  "the same file given twice is reported once",
			rules: []*lint.Rule{nameRule},
			inputs: []lint.Input{
				fakeInput{name: "a.yaml", src: pods("a1")},
				fakeInput{name: "a.yaml", src: pods("a1")},
			},
			want: []string{"a.yaml:5:9 warning name object a1"},
		},
		{
			name:  "the same broken file given twice is reported once",
			rules: []*lint.Rule{nameRule},
			inputs: []lint.Input{
				fakeInput{name: "a.yaml", err: &lint.InputError{File: "a.yaml", Line: 2, Message: "invalid YAML"}},
				fakeInput{name: "a.yaml", err: &lint.InputError{File: "a.yaml", Line: 2, Message: "invalid YAML"}},
			},
			want: []string{"a.yaml:2: invalid YAML"},
		},
		{
			name:  "objects loaded before an error are still checked",
			rules: []*lint.Rule{nameRule},
			inputs: []lint.Input{
				fakeInput{name: "a.yaml", src: pods("a1"), err: &lint.InputError{File: "a.yaml", Line: 7, Message: "invalid YAML"}},
			},
			want: []string{
				"a.yaml:5:9 warning name object a1",
				"a.yaml:7: invalid YAML",
			},
		},
		{
			name:  "joined errors are each reported, plain errors name the input",
			rules: []*lint.Rule{nameRule},
			inputs: []lint.Input{
				fakeInput{name: "chart", err: errors.Join(
					&lint.InputError{File: "chart/templates/ds.yaml", Line: 3, Message: "parse error"},
					errors.New("values.yaml: cannot read"),
				)},
			},
			want: []string{
				"chart: values.yaml: cannot read",
				"chart/templates/ds.yaml:3: parse error",
			},
		},
		{
			name:  "a panicking rule costs only its input",
			rules: []*lint.Rule{nameRule},
			inputs: []lint.Input{
				fakeInput{name: "a.yaml", src: pods("a1")},
				fakeInput{name: "b.yaml", src: pods("panic")},
			},
			want: []string{
				"a.yaml:5:9 warning name object a1",
				"b.yaml: internal error, please report it: rule bug",
			},
		},
		{
			name:  "a panicking loader costs only its input",
			rules: []*lint.Rule{nameRule},
			inputs: []lint.Input{
				fakeInput{name: "a.yaml", panicWith: "loader bug"},
				fakeInput{name: "b.yaml", src: pods("b1")},
			},
			want: []string{
				"b.yaml:5:9 warning name object b1",
				"a.yaml: internal error, please report it: loader bug",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The result must not depend on how many inputs run at once.
			for _, workers := range []int{1, 2, 8} {
				e := lint.Engine{Rules: tt.rules, Workers: workers}
				got := brief(e.Run(tt.inputs))
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("workers=%d:\n got %q\nwant %q", workers, got, tt.want)
				}
			}
		})
	}
}

func TestEngineCheckPassesObjects(t *testing.T) {
	objects, err := fakeInput{name: "a.yaml", src: pods("a1", "a2", "a3")}.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := lint.Engine{Rules: []*lint.Rule{countRule}}
	findings := e.Check(objects)
	if len(findings) != 3 {
		t.Fatalf("got %d findings, want one per object: %+v", len(findings), findings)
	}
	for _, f := range findings {
		if f.Message != "3 objects" || f.Object.Kind != "Pod" || f.Field.String() != "kind" {
			t.Errorf("finding %+v, want %q on a Pod's kind", f, "3 objects")
		}
	}
}

// TestFindingsCappedPerFile: a file of more findings than
// MaxFindingsPerFile keeps the first, notes how many more there were, and
// does not call an ignore comment unused for a finding it dropped.
func TestFindingsCappedPerFile(t *testing.T) {
	names := make([]string, lint.MaxFindingsPerFile+5)
	for i := range names {
		names[i] = fmt.Sprintf("p%d", i)
	}
	src := pods(names...) + "# dockershim-lint:ignore name -- the last is dropped before the comment is read\n" + pods("last")
	e := lint.Engine{Rules: append([]*lint.Rule{nameRule}, lint.SuppressionRules()...)}
	result := e.Run([]lint.Input{commentedInput{fakeInput{name: "many.yaml", src: src}}})
	if len(result.Findings) != lint.MaxFindingsPerFile {
		t.Fatalf("got %d findings, want %d", len(result.Findings), lint.MaxFindingsPerFile)
	}
	for _, f := range result.Findings {
		if f.Rule != nameRule.ID {
			t.Errorf("unexpected finding %+v", f)
		}
		if n, _ := strconv.Atoi(strings.TrimPrefix(f.Object.Name, "p")); n >= lint.MaxFindingsPerFile || f.Object.Name == "last" {
			t.Errorf("finding on %s, past the first %d", f.Object.Name, lint.MaxFindingsPerFile)
		}
	}
	want := []lint.Capped{{File: "many.yaml", Dropped: 6}}
	if !reflect.DeepEqual(result.Capped, want) {
		t.Errorf("Capped = %+v, want %+v", result.Capped, want)
	}
	if got := want[0].Notice(); got != "10000 findings in many.yaml; the rest (6) are not reported" {
		t.Errorf("notice %q", got)
	}
}

// batches is a BatchInput that yields each of its sources as a batch.
type batches struct {
	name    string
	sources []string
}

func (in batches) Name() string { return in.name }

func (in batches) Load() ([]*lint.Object, error) {
	panic("the engine loads a BatchInput in batches")
}

func (in batches) LoadBatches(check func([]*lint.Object)) error {
	for _, src := range in.sources {
		objects, err := fakeInput{name: in.name, src: src}.Load()
		if err != nil {
			return err
		}
		check(objects)
	}
	return nil
}

// TestEngineRunsBatches: rules see each batch of a BatchInput as the
// objects of their input.
func TestEngineRunsBatches(t *testing.T) {
	e := lint.Engine{Rules: []*lint.Rule{countRule}}
	got := brief(e.Run([]lint.Input{batches{name: "a.yaml", sources: []string{pods("a1", "a2"), pods("a3")}}}))
	want := []string{"a.yaml:3:7 note count 2 objects", "a.yaml:3:7 note count 1 objects", "a.yaml:8:7 note count 2 objects"}
	slices.Sort(want)
	slices.Sort(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

type (
	outerKey struct{}
	innerKey struct{}
)

// TestMemoPerObject: a memo is computed once per object whichever rule
// asks first, never carried to the next object, and may itself ask for
// another memo.
func TestMemoPerObject(t *testing.T) {
	objects, err := fakeInput{name: "a.yaml", src: pods("a1", "a2")}.Load()
	if err != nil {
		t.Fatal(err)
	}
	computed := map[string]int{}
	outer := func(p *lint.Pass) string {
		return lint.Memo(p, outerKey{}, func() string {
			computed["outer "+p.Object.Name]++
			return "outer of " + lint.Memo(p, innerKey{}, func() string {
				computed["inner "+p.Object.Name]++
				return p.Object.Name
			})
		})
	}
	var rules []*lint.Rule
	for _, id := range []string{"r1", "r2", "r3"} {
		rules = append(rules, &lint.Rule{ID: id, Severity: lint.SeverityError, Check: func(p *lint.Pass) {
			p.Reportf(p.Object.Node, lint.KeyPath("kind"), "%s, %s", outer(p), lint.Memo(p, innerKey{}, func() string { return "recomputed" }))
		}})
	}
	e := lint.Engine{Rules: rules}
	findings := e.Check(objects)
	if len(findings) != 6 {
		t.Fatalf("got %d findings, want 6: %+v", len(findings), findings)
	}
	for _, f := range findings {
		if want := "outer of " + f.Object.Name + ", " + f.Object.Name; f.Message != want {
			t.Errorf("%s on %s: message %q, want %q", f.Rule, f.Object.Name, f.Message, want)
		}
	}
	want := map[string]int{"outer a1": 1, "inner a1": 1, "outer a2": 1, "inner a2": 1}
	if !reflect.DeepEqual(computed, want) {
		t.Errorf("computed %v, want each memo once per object: %v", computed, want)
	}
}

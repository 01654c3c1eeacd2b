package lint

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Input is one unit of linting: a file, a chart release, a kustomization
// build. Its objects are checked together, so a rule can look across them,
// and dropped once checked, so memory follows the findings rather than the
// size of the repository.
type Input interface {
	// Name is the path errors about this input carry when the loader has
	// nothing more precise.
	Name() string
	// Load returns the input's objects. It may return objects and an error
	// together: a file whose third document is broken still has two.
	Load() ([]*Object, error)
}

// BatchInput is an input whose objects are read and checked in batches,
// each dropped before the next is read, so that a large input never holds
// every object's tree at once. Rules see the batch as their Pass's
// Objects: a plain file is one batch unless it is large, when each
// document is one.
type BatchInput interface {
	Input
	// LoadBatches calls check with each batch of objects, in order, and
	// returns what Load would have returned as its error.
	LoadBatches(check func([]*Object)) error
}

// MaxFindingsPerFile is how many findings one input records in one file.
// A generated file can hold hundreds of thousands of findings; past this
// many the rest are counted, not kept, and the run notes it (Capped).
const MaxFindingsPerFile = 10_000

// Capped is a file whose findings went past MaxFindingsPerFile: the first
// are reported, Dropped more are not.
type Capped struct {
	File    string
	Dropped int
}

// Notice is what a person is told about a capped file.
func (c Capped) Notice() string {
	return fmt.Sprintf("%d findings in %s; the rest (%d) are not reported", MaxFindingsPerFile, c.File, c.Dropped)
}

// Engine runs rules over inputs.
type Engine struct {
	Rules []*Rule
	// Workers bounds how many inputs are loaded and checked at once; zero
	// means GOMAXPROCS.
	Workers int
	// Known is every rule an ignore directive may name, enabled or not, so
	// that a directive naming a rule disabled in this run is neither unused
	// nor unknown; nil means Rules.
	Known []*Rule
	// Root is the directory fingerprints name files relative to, an
	// absolute path: the repository root, so that a run from a
	// subdirectory fingerprints findings as a run from the top does. Empty
	// leaves files as given.
	Root string
}

// Result is everything an engine run found, in a deterministic order.
type Result struct {
	Findings []Finding
	Errors   []InputError
	// Suppressed are the findings an ignore comment or annotation covers,
	// each with its Suppressions. Text, JSON and the exit code leave them
	// out; SARIF reports them as dismissed.
	Suppressed []Finding
	// Capped are the files whose findings went past MaxFindingsPerFile.
	Capped []Capped
}

type inputResult struct {
	findings    []Finding
	errors      []InputError
	directives  []Directive
	annotations []annotationIgnore
	capped      []Capped
}

// Run loads and checks every input. Inputs are processed in parallel, but the
// result does not depend on scheduling: findings and errors are sorted and
// duplicates (the same base seen alone and through an overlay, a file named
// twice) are dropped.
func (e *Engine) Run(inputs []Input) Result {
	results := make([]inputResult, len(inputs))
	workers := e.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(inputs))

	// Workers take the next input from a shared counter. Handing each
	// input over an unbuffered channel woke the sending goroutine and
	// an idle processor for every file: a few percent of a one-worker
	// lint's CPU went to the scheduler.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(inputs) {
					return
				}
				results[i] = e.runInput(inputs[i])
			}
		}()
	}
	wg.Wait()

	var out Result
	out.Findings, out.Suppressed = e.applyIgnores(results)
	for _, r := range results {
		out.Errors = append(out.Errors, r.errors...)
		out.Capped = append(out.Capped, r.capped...)
	}
	// A file reached through several inputs (a base linted alone and
	// through an overlay) is noted once, with the most dropped.
	slices.SortFunc(out.Capped, func(a, b Capped) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(b.Dropped, a.Dropped))
	})
	out.Capped = slices.CompactFunc(out.Capped, func(a, b Capped) bool { return a.File == b.File })
	out.Findings = sortAndCompact(out.Findings)
	out.Suppressed = sortAndCompact(out.Suppressed)
	for _, fs := range [][]Finding{out.Findings, out.Suppressed} {
		for i := range fs {
			fs[i].repoFile = e.relativeToRoot(fs[i].File)
		}
	}
	slices.SortStableFunc(out.Errors, func(a, b InputError) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Message, b.Message))
	})
	out.Errors = slices.Compact(out.Errors)
	return out
}

// runInput turns a panic in a loader or a rule into an input error: one
// hostile file must not take the whole run down with it.
func (e *Engine) runInput(in Input) (res inputResult) {
	defer func() {
		if r := recover(); r != nil {
			res.errors = append(res.errors, InputError{
				File:    in.Name(),
				Message: fmt.Sprintf("internal error, please report it: %v", r),
			})
		}
	}()
	var pass Pass
	// The counts are made for the first finding: most inputs have none.
	var perFile, dropped map[string]int
	check := func(objects []*Object) {
		for _, obj := range objects {
			start := len(res.findings)
			res.findings = e.checkObject(&pass, obj, objects, res.findings)
			if len(res.findings) > start && perFile == nil {
				perFile, dropped = map[string]int{}, map[string]int{}
			}
			res.findings = capFindings(res.findings, start, perFile, dropped)
			// An annotation is about its own object, so it is applied
			// here, where the object's findings are known.
			if ann, ok := objectIgnore(obj); ok {
				suppressByAnnotation(&ann, res.findings[start:])
				res.annotations = append(res.annotations, ann)
			}
		}
	}
	var err error
	if b, ok := in.(BatchInput); ok {
		err = b.LoadBatches(check)
	} else {
		var objects []*Object
		objects, err = in.Load()
		check(objects)
	}
	if err != nil {
		res.errors = flattenErrors(in.Name(), err)
	}
	if ds, ok := in.(DirectiveSource); ok {
		res.directives = ds.Directives()
	}
	for _, file := range slices.Sorted(maps.Keys(dropped)) {
		res.capped = append(res.capped, Capped{File: file, Dropped: dropped[file]})
	}
	return res
}

// capFindings keeps, of the findings from start on, those within
// MaxFindingsPerFile of their file, counting the others in dropped.
func capFindings(findings []Finding, start int, perFile, dropped map[string]int) []Finding {
	kept := findings[:start]
	for _, f := range findings[start:] {
		if perFile[f.File] >= MaxFindingsPerFile {
			dropped[f.File]++
			continue
		}
		perFile[f.File]++
		kept = append(kept, f)
	}
	return kept
}

// Check runs every rule over every object of one input. It applies no
// ignore directives: those need every input, which only Run has.
func (e *Engine) Check(objects []*Object) []Finding {
	var findings []Finding
	// One Pass serves every rule and object: rules get a pointer to it, so a
	// Pass per call escaped to the heap and was most of the engine's own
	// allocations. Findings are copied out before the next rule runs.
	var pass Pass
	for _, obj := range objects {
		findings = e.checkObject(&pass, obj, objects, findings)
	}
	return findings
}

func (e *Engine) checkObject(pass *Pass, obj *Object, objects []*Object, findings []Finding) []Finding {
	// Memos belong to one object: every rule sees its values, the next
	// object starts afresh.
	clear(pass.memo)
	pass.memo = pass.memo[:0]
	pass.Object, pass.Objects = obj, objects
	for _, rule := range e.Rules {
		// Rules without a Check, such as unused-ignore, are reported by
		// the engine itself once every input is checked.
		if rule.Check == nil {
			continue
		}
		// Only what changes from rule to rule is written: the whole
		// Pass, rewritten for every rule of every object, cost a
		// write barrier per pointer while the collector ran.
		pass.Rule, pass.findings = rule, pass.findings[:0]
		rule.Check(pass)
		findings = append(findings, pass.findings...)
	}
	return findings
}

func flattenErrors(name string, err error) []InputError {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var out []InputError
		for _, e := range joined.Unwrap() {
			out = append(out, flattenErrors(name, e)...)
		}
		return out
	}
	var ie *InputError
	if errors.As(err, &ie) {
		return []InputError{*ie}
	}
	return []InputError{{File: name, Message: err.Error()}}
}

// sortAndCompact sorts findings and drops repeats. A chart rendered under
// several values files (--all-ci-values) reports a finding its renders share
// once per render, differing only in Source; the first is kept, the one
// without a source when the chart's defaults have it.
func sortAndCompact(findings []Finding) []Finding {
	SortFindings(findings)
	return slices.CompactFunc(findings, func(a, b Finding) bool {
		return compareIgnoringSource(a, b) == 0
	})
}

// SortFindings orders findings the way every report shows them: by file,
// then position, then rule.
func SortFindings(findings []Finding) {
	slices.SortStableFunc(findings, compareFindings)
}

func compareFindings(a, b Finding) int {
	return cmp.Or(compareIgnoringSource(a, b), cmp.Compare(a.Source, b.Source))
}

func compareIgnoringSource(a, b Finding) int {
	if c := cmp.Or(
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Column, b.Column),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Object.Kind, b.Object.Kind),
		cmp.Compare(a.Object.Namespace, b.Object.Namespace),
		cmp.Compare(a.Object.Name, b.Object.Name),
	); c != 0 {
		return c
	}
	// Fields are compared as printed, the order reports have always had;
	// printing only on a tie keeps sorting free of allocations.
	return cmp.Or(
		cmp.Compare(a.Field.String(), b.Field.String()),
		cmp.Compare(a.Message, b.Message),
	)
}

// relativeToRoot is file relative to Root, or file itself when there is no
// Root or file lies outside it.
func (e *Engine) relativeToRoot(file string) string {
	if e.Root == "" || file == StdinName {
		return file
	}
	abs, err := filepath.Abs(filepath.FromSlash(file))
	if err != nil {
		return file
	}
	rel, ok := RelativeTo(e.Root, abs)
	if !ok {
		return file
	}
	return filepath.ToSlash(rel)
}

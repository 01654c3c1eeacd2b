package lint

import (
	"cmp"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
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

// Engine runs rules over inputs.
type Engine struct {
	Rules []*Rule
	// Workers bounds how many inputs are loaded and checked at once; zero
	// means GOMAXPROCS.
	Workers int
}

// Result is everything an engine run found, in a deterministic order.
type Result struct {
	Findings []Finding
	Errors   []InputError
}

type inputResult struct {
	findings []Finding
	errors   []InputError
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

	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = e.runInput(inputs[i])
			}
		}()
	}
	for i := range inputs {
		next <- i
	}
	close(next)
	wg.Wait()

	var out Result
	for _, r := range results {
		out.Findings = append(out.Findings, r.findings...)
		out.Errors = append(out.Errors, r.errors...)
	}
	SortFindings(out.Findings)
	// A chart rendered under several values files (--all-ci-values)
	// reports a finding its renders share once per render, differing only
	// in Source; the first is kept, the one without a source when the
	// chart's defaults have it.
	out.Findings = slices.CompactFunc(out.Findings, func(a, b Finding) bool {
		return compareIgnoringSource(a, b) == 0
	})
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
	objects, err := in.Load()
	if err != nil {
		res.errors = flattenErrors(in.Name(), err)
	}
	res.findings = e.Check(objects)
	return res
}

// Check runs every rule over every object of one input.
func (e *Engine) Check(objects []*Object) []Finding {
	var findings []Finding
	// One Pass serves every rule and object: rules get a pointer to it, so a
	// Pass per call escaped to the heap and was most of the engine's own
	// allocations. Findings are copied out before the next rule runs.
	var pass Pass
	for _, obj := range objects {
		for _, rule := range e.Rules {
			pass = Pass{Rule: rule, Object: obj, Objects: objects, findings: pass.findings[:0]}
			rule.Check(&pass)
			findings = append(findings, pass.findings...)
		}
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

// SortFindings orders findings the way every report shows them: by file,
// then position, then rule.
func SortFindings(findings []Finding) {
	slices.SortStableFunc(findings, compareFindings)
}

func compareFindings(a, b Finding) int {
	return cmp.Or(compareIgnoringSource(a, b), cmp.Compare(a.Source, b.Source))
}

func compareIgnoringSource(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Column, b.Column),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Object.Kind, b.Object.Kind),
		cmp.Compare(a.Object.Namespace, b.Object.Namespace),
		cmp.Compare(a.Object.Name, b.Object.Name),
		cmp.Compare(a.Field, b.Field),
		cmp.Compare(a.Message, b.Message),
	)
}

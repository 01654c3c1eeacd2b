package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render"
	"github.com/dockershim-lint/dockershim-lint/render/helm"
	"github.com/dockershim-lint/dockershim-lint/render/kustomize"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
	"github.com/dockershim-lint/dockershim-lint/render/source"
)

// runLint lints and writes the reports, returning the exit code. Only usage
// errors come back as errors; input errors are part of the report. Nothing
// is written before every input was read, so a report can never replace a
// file the run still had to lint.
func runLint(opts options, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	set, err := resolveSettings(opts)
	if err != nil {
		return exitError, err
	}
	noColorEnv := os.Getenv("NO_COLOR")
	con := &console{w: stderr, quiet: opts.quiet, verbose: opts.verbose}
	// SARIF, GitHub and GitLab name files relative to the checkout; without
	// a working directory they fall back to absolute paths.
	workDir, _ := os.Getwd()
	reports, err := newReports(opts, workDir, stdout, noColorEnv)
	if err != nil {
		return exitError, err
	}

	inputs, inputErrs := render.Discover(opts.paths, set.renderOptions(opts, stdin, con))
	inputs = set.keep(inputs, con)
	if err := checkOutputPaths(opts, inputs, set.filesRead(opts)); err != nil {
		return exitError, err
	}
	tracked := track(inputs, con)
	// Fingerprints name files from the repository root, whichever
	// directory the run starts in.
	engine := lint.Engine{Rules: set.selected, Known: set.all, Root: cmp.Or(source.RepositoryRoot(workDir), workDir)}
	result := engine.Run(tracked.inputs())
	for _, c := range result.Capped {
		if !set.cfg.ignored(c.File) {
			con.notice(c.File, c.Notice())
		}
	}
	report := &lint.Report{
		Version:    buildVersion(),
		Findings:   result.Findings,
		Errors:     append(inputErrs, result.Errors...),
		Rules:      set.selected,
		Suppressed: result.Suppressed,
		Inventory:  tracked.inventory(len(inputErrs)),
	}
	tracked.printSkips(con)
	if err := set.finish(report, opts, con); err != nil {
		return exitError, err
	}
	// Input errors go to standard error in every format, before the
	// reports, so that on a terminal the summary is the last line.
	if slices.ContainsFunc(reports, func(r outputWriter) bool { return r.format == "github" }) {
		err = (&lint.GitHubWriter{WorkDir: workDir}).WriteInputErrors(stderr, report.Errors)
	} else {
		err = lint.WriteInputErrors(stderr, report.Errors, useColor(stderr, opts.color, noColorEnv))
	}
	if err != nil {
		return exitError, fmt.Errorf("writing errors: %w", err)
	}
	for _, r := range reports {
		if err := r.write(stdout, report); err != nil {
			return exitError, err
		}
	}
	return exitCode(report, set.failOn), nil
}

// outputWriter is one report of the run with its writer.
type outputWriter struct {
	output
	writer lint.Writer
}

func newReports(opts options, workDir string, stdout io.Writer, noColorEnv string) ([]outputWriter, error) {
	var out []outputWriter
	for _, o := range opts.outputs {
		w, err := lint.NewWriter(o.format, lint.WriterOptions{
			// A report file never gets colour: it is read later, elsewhere.
			Color:         o.file == "" && useColor(stdout, opts.color, noColorEnv),
			Quiet:         opts.quiet,
			WorkDir:       workDir,
			SARIFCategory: opts.sarifCategory,
		})
		if err != nil {
			return nil, usageError{err}
		}
		out = append(out, outputWriter{output: o, writer: w})
	}
	return out, nil
}

func (o outputWriter) write(stdout io.Writer, r *lint.Report) error {
	if o.file == "" {
		if err := o.writer.Write(stdout, r); err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
		return nil
	}
	// Write-only, as the shell's > opens it: os.Create's read-write open
	// of a named pipe never waits for a reader, and the report would go
	// into the pipe's buffer, to be lost when the run ends.
	f, err := os.OpenFile(o.file, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666) //nolint:forbidigo // opens the report for writing; no input is read
	if err != nil {
		return fmt.Errorf("cannot create report file: %w", err)
	}
	werr := o.writer.Write(f, r)
	// A report cut short by a full disk must not pass for a clean one.
	if err := errors.Join(werr, f.Close()); err != nil {
		return fmt.Errorf("writing report %s: %w", o.file, err)
	}
	return nil
}

// checkOutputPaths refuses a report or baseline file that is one of the
// run's inputs or another file it reads (read: the config file, values and
// --set-file files; the baseline, but for the new baseline), or that two
// outputs share. A hard link to such a file is that file. Paths are compared resolved, so
// that "./x.yaml", a symlink to it and x.yaml found by walking a directory
// are one file. One input may be replaced: a report this program wrote
// before, found by walking a directory, as a baseline kept in the
// repository is (`--write-baseline .dockershim-lint-baseline.json .`).
// The directory a report goes to must exist, so that a typo fails before
// a long run rather than after it.
func checkOutputPaths(opts options, inputs []lint.Input, read []string) error {
	type target struct{ flag, path string }
	var targets []target
	for _, o := range opts.outputs {
		if o.file != "" {
			targets = append(targets, target{o.flag, o.file})
		}
	}
	if opts.writeBaseline != "" {
		targets = append(targets, target{"--write-baseline " + opts.writeBaseline, opts.writeBaseline})
	}
	seen := map[string]string{}
	for _, t := range targets {
		resolved := source.Resolve(t.path)
		if prev, ok := seen[resolved]; ok {
			return usagef("%s and %s name one file: each report needs a file of its own", prev, t.flag)
		}
		seen[resolved] = t.flag
		if info, err := os.Stat(filepath.Dir(resolved)); err != nil || !info.IsDir() {
			return usagef("%s: directory %s does not exist", t.flag, filepath.Dir(t.path))
		}
		if slices.ContainsFunc(opts.paths, func(p string) bool { return p != "-" && source.Resolve(p) == resolved }) {
			return usagef("%s is also a path to lint: refusing to overwrite what is being linted", t.flag)
		}
		for _, f := range read {
			if sameFile(f, t.path, resolved) {
				return usagef("%s is a file this run reads (%s): refusing to overwrite it", t.flag, filepath.ToSlash(f))
			}
		}
		// Writing the new baseline over the one read is how a baseline
		// is refreshed; any other report over it would replace it.
		if opts.baseline != "" && t.path != opts.writeBaseline && sameFile(opts.baseline, t.path, resolved) {
			return usagef("%s is the baseline this run reads (%s): refusing to overwrite it", t.flag, filepath.ToSlash(opts.baseline))
		}
		if isOwnReport(resolved) {
			continue
		}
		for _, in := range inputs {
			if reads(in, t.path, resolved) {
				return usagef("%s is also an input of this run (%s): refusing to overwrite what is being linted; "+
					"write it outside the linted paths, or list it under ignore: in %s", t.flag, in.Name(), configName)
			}
		}
	}
	return nil
}

// isOwnReport reports whether the file at path is a JSON, SARIF or GitLab
// report written by this program, which holds nothing to lint.
func isOwnReport(path string) bool {
	data, err := source.ReadFile(path, path)
	if err != nil {
		return false
	}
	var report struct {
		Version  *string          `json:"version"`
		Findings *json.RawMessage `json:"findings"`
		// A JSON manifest may hold any other keys; no report holds these.
		APIVersion *json.RawMessage `json:"apiVersion"`
		Kind       *json.RawMessage `json:"kind"`
		Runs       []struct {
			Tool struct {
				Driver struct {
					Name string `json:"name"`
				} `json:"driver"`
			} `json:"tool"`
		} `json:"runs"`
	}
	if json.Unmarshal(data, &report) == nil {
		if report.APIVersion != nil || report.Kind != nil {
			return false
		}
		return report.Version != nil && report.Findings != nil ||
			len(report.Runs) > 0 && report.Runs[0].Tool.Driver.Name == "dockershim-lint"
	}
	var issues []codeQualityIssue
	return json.Unmarshal(data, &issues) == nil &&
		!slices.ContainsFunc(issues, func(i codeQualityIssue) bool { return i.CheckName == "" || i.Fingerprint == "" })
}

// codeQualityIssue is what tells a GitLab Code Quality issue apart.
type codeQualityIssue struct {
	CheckName   string `json:"check_name"`
	Fingerprint string `json:"fingerprint"`
}

// reads reports whether linting in reads the file at path (resolved: its
// resolved form).
// sameFile reports whether file is the file at path, which resolves to
// resolved: by its resolved path, or for a hard link by its identity.
func sameFile(file, path, resolved string) bool {
	if source.Resolve(file) == resolved {
		return true
	}
	a, errA := os.Stat(file)
	b, errB := os.Stat(path)
	return errA == nil && errB == nil && os.SameFile(a, b)
}

func reads(in lint.Input, path, resolved string) bool {
	switch in := in.(type) {
	case manifest.File:
		if in.Path == lint.StdinName {
			return false
		}
		return sameFile(filepath.FromSlash(in.Path), path, resolved)
	case *helm.Chart:
		return lint.Within(source.Resolve(filepath.FromSlash(in.Path)), resolved)
	case *kustomize.Kustomization:
		used := kustomize.FilesUsed(source.Abs(in.Dir), source.NewBoundary([]string{in.Dir}))
		if used[source.Abs(path)] || used[resolved] {
			return true
		}
		file := kustomize.FileIn(in.Dir)
		return file != "" && source.Resolve(file) == resolved
	}
	return false
}

// console prints what a run says beside its report, on standard error:
// notices unless -q, and with -v each input and each expected skip.
type console struct {
	mu      sync.Mutex
	w       io.Writer
	quiet   bool
	verbose bool
}

func (c *console) notice(path, msg string) {
	if !c.quiet {
		c.print(path, "notice", msg)
	}
}

func (c *console) info(path, msg string) {
	if c.verbose {
		c.print(path, "info", msg)
	}
}

// print writes one line. Inputs are loaded in parallel, so lines are
// written whole under a lock; names and messages come from the inputs and
// have their control characters escaped.
func (c *console) print(path, kind, msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.w, "%s: %s: %s\n", lint.OneLine(path), kind, lint.OneLine(msg))
}

// trackedInput is an input with what became of it, for -v and the
// summary.
type trackedInput struct {
	lint.Input
	con  *console
	kind string
	// objects is how many objects Load returned; failed says it returned
	// an error, or panicked, which the engine reports as an error.
	objects int
	failed  bool
	// skipped is why a file that is no Kubernetes manifest was not linted.
	skipped string
}

type trackedInputs []*trackedInput

func track(inputs []lint.Input, con *console) trackedInputs {
	out := make(trackedInputs, len(inputs))
	for i, in := range inputs {
		kind := "file"
		switch in.(type) {
		case *helm.Chart:
			kind = "chart"
		case *kustomize.Kustomization:
			kind = "overlay"
		}
		out[i] = &trackedInput{Input: in, con: con, kind: kind}
	}
	return out
}

func (ts trackedInputs) inputs() []lint.Input {
	out := make([]lint.Input, len(ts))
	for i, t := range ts {
		out[i] = t
	}
	return out
}

func (t *trackedInput) Load() ([]*lint.Object, error) {
	var objects []*lint.Object
	err := t.LoadBatches(func(batch []*lint.Object) { objects = append(objects, batch...) })
	return objects, err
}

// LoadBatches keeps a large file checked a document at a time, as the
// engine does with inputs that can be (lint.BatchInput), and loads any
// other input whole, as one batch.
func (t *trackedInput) LoadBatches(check func([]*lint.Object)) error {
	start := time.Now()
	finished := false
	defer func() {
		if !finished {
			t.failed = true
		}
	}()
	objects := 0
	counted := func(batch []*lint.Object) {
		objects += len(batch)
		check(batch)
	}
	var err error
	if b, ok := t.Input.(lint.BatchInput); ok {
		err = b.LoadBatches(counted)
	} else {
		var all []*lint.Object
		all, err = t.Input.Load()
		var nm *manifest.NotManifestError
		if !errors.As(err, &nm) {
			counted(all)
		}
	}
	finished = true
	elapsed := fmt.Sprintf("%.1fms", float64(time.Since(start))/float64(time.Millisecond))
	var nm *manifest.NotManifestError
	if errors.As(err, &nm) {
		t.skipped = nm.Reason()
		t.con.info(t.Name(), "not linted, not a Kubernetes manifest, read in "+elapsed)
		return nil
	}
	t.objects, t.failed = objects, err != nil
	status := "linted"
	if t.failed {
		status = "had errors"
	}
	t.con.info(t.Name(), fmt.Sprintf("%s %s: %s in %s", t.kind, status, lint.Plural(objects, "object"), elapsed))
	return err
}

// Directives passes on the ignore comments of inputs that have them.
func (t *trackedInput) Directives() []lint.Directive {
	if ds, ok := t.Input.(lint.DirectiveSource); ok {
		return ds.Directives()
	}
	return nil
}

// inventory counts the inputs linted by kind, and those with errors with
// the paths that could not be read at all.
func (ts trackedInputs) inventory(unreadPaths int) lint.Inventory {
	inv := lint.Inventory{Unread: unreadPaths}
	for _, t := range ts {
		if t.skipped != "" {
			continue
		}
		if t.failed {
			inv.Unread++
			// An input that failed part-way, such as a file whose third
			// document is broken, was linted as far as it could be read.
			if t.objects == 0 {
				continue
			}
		}
		switch t.kind {
		case "chart":
			inv.Charts++
		case "overlay":
			inv.Overlays++
		default:
			inv.Files++
		}
	}
	return inv
}

// printSkips prints a notice per file skipped as no Kubernetes manifest,
// in input order so that output does not depend on scheduling.
func (ts trackedInputs) printSkips(con *console) {
	for _, t := range ts {
		if t.skipped != "" {
			con.notice(t.Name(), "skipped: "+t.skipped)
		}
	}
}

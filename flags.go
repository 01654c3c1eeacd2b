package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/strvals"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/helm"
	"github.com/dockershim-lint/dockershim-lint/render/source"
)

// lintFlags are the lint command's flags as parsed, before they are
// checked and resolved into options.
type lintFlags struct {
	formats       formatList
	output        pathValue
	failOn        string
	disable       commaList
	enableOnly    commaList
	noColor       bool
	color         string
	quiet         bool
	verbose       bool
	sarifCategory string
	config        pathValue
	baseline      pathValue
	writeBaseline pathValue
	maxFileSize   string
	renderTimeout string
	renderMemory  string
	values        commaList
	set           []string
	setString     []string
	setFile       []string
	releaseName   string
	namespace     string
	kubeVersion   string
	apiVersions   commaList
	allCIValues   bool
}

// newLintFlagSet defines the lint flags on a fresh set bound to f. The
// set is built anew for each parse: pflag keeps parsing state in it.
func newLintFlagSet(f *lintFlags) *pflag.FlagSet {
	fs := newFlagSet("lint")
	fs.Var(&f.formats, "format", "report `FORMAT`: "+strings.Join(lint.Formats(), ", ")+
		"; FORMAT:FILE writes that report to FILE (repeatable, one report per format)")
	fs.VarP(&f.output, "output", "o", "write the report of the --format given without a file to `FILE` instead of standard output")
	fs.StringVar(&f.failOn, "fail-on", "warning", "exit 1 when a finding has this `SEVERITY` or higher: error, warning, note or never")
	fs.Var(&f.disable, "disable", "do not run the rules `RULE[,RULE]` (repeatable)")
	fs.Var(&f.enableOnly, "enable-only", "run only the rules `RULE[,RULE]` (repeatable)")
	fs.StringVar(&f.color, "color", "auto", "colour the text report: `WHEN` is auto (on a terminal, unless NO_COLOR is set), always or never")
	fs.BoolVar(&f.noColor, "no-color", false, "same as --color never")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "print findings and errors only: no notices and no summary")
	fs.BoolVarP(&f.verbose, "verbose", "v", false, "also print each input as it is linted, with its kind and time, and each path skipped and why")
	fs.StringVar(&f.sarifCategory, "sarif-category", "", "SARIF automationDetails.id `NAME`, to tell apart several uploads for one commit")
	fs.Var(&f.config, "config", "read settings from `FILE` instead of the nearest "+configName)
	fs.Var(&f.baseline, "baseline", "report only findings not in `FILE`, an earlier JSON or SARIF report")
	fs.Var(&f.writeBaseline, "write-baseline", "also write the findings to `FILE` as a JSON report, for --baseline")
	fs.StringVar(&f.maxFileSize, "max-file-size", "", "largest manifest file or standard input read, as `SIZE` in bytes or with KiB, MiB or GiB (default 32MiB)")
	fs.StringVar(&f.renderTimeout, "render-timeout", "", "longest one render of one Helm chart may take, as a Go `DURATION` such as 30s (default 10s)")
	fs.StringVar(&f.renderMemory, "render-memory", "", "most memory one render of one Helm chart may use, as `SIZE` in bytes or with KiB, MiB or GiB (default 512MiB)")
	// The Helm flags are helm template's, with its names and syntax.
	fs.VarP(&f.values, "values", "f", "render charts with the values `FILE` (repeatable, later files win)")
	fs.StringArrayVar(&f.set, "set", nil, "set a chart value, `KEY=VALUE[,KEY=VALUE]` (repeatable)")
	fs.StringArrayVar(&f.setString, "set-string", nil, "set a chart value as a string, `KEY=VALUE` (repeatable)")
	fs.StringArrayVar(&f.setFile, "set-file", nil, "set a chart value to a file's content, `KEY=PATH` (repeatable)")
	fs.StringVar(&f.releaseName, "release-name", "", "Helm release `NAME` (default: the chart's name)")
	fs.StringVar(&f.namespace, "namespace", "", "Helm release `NAMESPACE` (default: default)")
	fs.StringVar(&f.kubeVersion, "kube-version", "", "Kubernetes `VERSION` charts see as .Capabilities.KubeVersion")
	fs.Var(&f.apiVersions, "api-versions", "add `API[,API]` to the charts' .Capabilities.APIVersions (repeatable)")
	fs.BoolVar(&f.allCIValues, "all-ci-values", false, "render each chart once per ci/*-values.yaml, as chart-testing does, instead of with its defaults")
	return fs
}

// newFlagSet is a set that reports errors to its caller only and accepts
// flags after arguments, as golangci-lint and kubectl users expect.
func newFlagSet(name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetInterspersed(true)
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses args with fs. A mistake is a usage error that changes
// nothing: pflag refuses a valued flag without its value ("-o" last), and
// a single-dash long name is refused before pflag would read it as a short
// flag with an attached value ("-output x" as "-o utput").
func parseFlags(fs *pflag.FlagSet, args []string) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		if len(a) <= 2 || a[0] != '-' || a[1] == '-' {
			continue
		}
		name, _, _ := strings.Cut(a[1:], "=")
		if fs.Lookup(name) != nil {
			return usagef("%s: long flags take two dashes: --%s", a, a[1:])
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		if name, ok := strings.CutPrefix(err.Error(), "unknown flag: --"); ok {
			if meant := closestFlag(fs, name); meant != "" {
				return usagef("%v: did you mean --%s?", err, meant)
			}
		}
		return usageError{err}
	}
	return nil
}

// closestFlag is the flag of fs that name is a typo of, or "": close means
// what it means for commands (suggestCommand), at most two edits and fewer
// than half the name.
func closestFlag(fs *pflag.FlagSet, name string) string {
	best, meant := 3, ""
	fs.VisitAll(func(f *pflag.Flag) {
		if d := editDistance(name, f.Name); d < best && 2*d <= len(name) {
			best, meant = d, f.Name
		}
	})
	return meant
}

// commaList is a repeatable flag whose values are also split at commas.
type commaList []string

func (l *commaList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func (l *commaList) String() string { return strings.Join(*l, ",") }
func (*commaList) Type() string     { return "list" }

// pathValue is a flag naming a file. A value that starts with a dash is
// refused: `-o --format json` means a forgotten file name far more often
// than a file named "--format", and taking it would write a report over
// whatever that name is. Such a file can still be named as ./-x.
type pathValue string

func (p *pathValue) Set(v string) error {
	if strings.HasPrefix(v, "-") {
		return fmt.Errorf("%q looks like a flag, not a file name (write ./%s for a file named so)", v, v)
	}
	if v == "" {
		return errors.New("empty file name")
	}
	*p = pathValue(v)
	return nil
}

func (p *pathValue) String() string { return string(*p) }
func (*pathValue) Type() string     { return "FILE" }

// formatList is the repeatable --format flag.
type formatList []string

func (l *formatList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

func (l *formatList) String() string { return strings.Join(*l, ",") }
func (*formatList) Type() string     { return "FORMAT" }

// colorMode is --color.
type colorMode int

const (
	colorAuto colorMode = iota
	colorAlways
	colorNever
)

// options is everything the lint command was asked to do.
type options struct {
	paths   []string
	outputs []output
	failOn  lint.Severity // zero: never fail on findings
	// failOnSet and rulesSet say whether --fail-on and --disable or
	// --enable-only were given, which then override the config file.
	failOnSet  bool
	rulesSet   bool
	disable    []string
	enableOnly []string
	color      colorMode
	quiet      bool
	verbose    bool
	// sarifCategory distinguishes this run among the SARIF uploads of one
	// commit in GitHub code scanning.
	sarifCategory string
	config        string
	baseline      string
	writeBaseline string
	// maxFileSize is --max-file-size in bytes; zero leaves it to the
	// config file or the built-in limit.
	maxFileSize int64
	// renderBudget is --render-timeout and --render-memory; a zero field
	// leaves it to the config file or the default.
	renderBudget helm.RenderBudget
	helm         helm.Options
}

// output is one report: a format and where it goes ("" for standard
// output), with the flag that said so ("--output r.txt") for messages.
type output struct {
	format string
	file   string
	flag   string
}

// resolve checks the parsed flags and turns them into options. Everything
// that can be checked before an input is read is checked here, so that a
// mistake fails before any report file is created.
func (f *lintFlags) resolve(fs *pflag.FlagSet, paths []string) (options, error) {
	opts := options{
		paths:         paths,
		disable:       f.disable,
		enableOnly:    f.enableOnly,
		quiet:         f.quiet,
		verbose:       f.verbose,
		sarifCategory: f.sarifCategory,
		config:        string(f.config),
		baseline:      string(f.baseline),
		writeBaseline: string(f.writeBaseline),
		failOnSet:     fs.Changed("fail-on"),
		rulesSet:      fs.Changed("disable") || fs.Changed("enable-only"),
		helm: helm.Options{
			ValuesFiles: f.values,
			Set:         f.set,
			SetString:   f.setString,
			SetFile:     f.setFile,
			ReleaseName: f.releaseName,
			Namespace:   f.namespace,
			KubeVersion: f.kubeVersion,
			APIVersions: f.apiVersions,
			AllCIValues: f.allCIValues,
		},
	}
	if len(opts.paths) == 0 {
		opts.paths = []string{"."}
	}
	if f.quiet && f.verbose {
		return opts, usagef("--quiet and --verbose contradict each other")
	}
	var err error
	if opts.outputs, err = parseOutputs(f.formats, string(f.output)); err != nil {
		return opts, err
	}
	switch {
	case f.noColor && fs.Changed("color") && f.color != "never":
		return opts, usagef("--no-color contradicts --color %s", f.color)
	case f.noColor:
		opts.color = colorNever
	default:
		modes := map[string]colorMode{"auto": colorAuto, "always": colorAlways, "never": colorNever}
		mode, ok := modes[f.color]
		if !ok {
			return opts, usagef("invalid --color %q (want auto, always or never)", f.color)
		}
		opts.color = mode
	}
	if f.failOn != "never" {
		s, err := lint.ParseSeverity(f.failOn)
		if err != nil {
			return opts, usagef("invalid --fail-on %q (want error, warning, note or never)", f.failOn)
		}
		opts.failOn = s
	}
	if fs.Changed("max-file-size") {
		if opts.maxFileSize, err = parseSize(f.maxFileSize); err != nil {
			return opts, usagef("invalid --max-file-size %q: %v", f.maxFileSize, err)
		}
	}
	if fs.Changed("render-timeout") {
		if opts.renderBudget.Timeout, err = parseRenderTimeout(f.renderTimeout); err != nil {
			return opts, usagef("invalid --render-timeout %q: %v", f.renderTimeout, err)
		}
	}
	if fs.Changed("render-memory") {
		if opts.renderBudget.Memory, err = parseRenderMemory(f.renderMemory); err != nil {
			return opts, usagef("invalid --render-memory %q: %v", f.renderMemory, err)
		}
	}
	// Values files and --set-file files are checked now, not when a chart
	// is found, so that a typo fails even where no chart is linted.
	for _, file := range opts.helm.ValuesFiles {
		if _, err := os.Stat(file); err != nil {
			return opts, usagef("--values %s: %s", file, source.DescribeError(err))
		}
	}
	for _, s := range opts.helm.SetFile {
		if err := checkSetFile(s); err != nil {
			return opts, usagef("--set-file %s: %v", helm.ShortValue(s), err)
		}
	}
	// Checked now, before a chart's render hands them to Helm's parser.
	var budget helm.SetBudget
	for _, flag := range []struct {
		name   string
		values []string
	}{{"set", opts.helm.Set}, {"set-string", opts.helm.SetString}, {"set-file", opts.helm.SetFile}} {
		for _, v := range flag.values {
			if err := budget.Add(v); err != nil {
				return opts, usagef("--%s %s: %v", flag.name, helm.ShortValue(v), err)
			}
		}
	}
	if v := opts.helm.KubeVersion; v != "" {
		if _, err := chartutil.ParseKubeVersion(v); err != nil {
			return opts, usagef("invalid --kube-version %q: %v", v, err)
		}
	}
	return opts, nil
}

// checkSetFile parses a --set-file argument as Helm will and checks that
// each file it names can be read.
func checkSetFile(arg string) error {
	names, err := setFileNames(arg)
	if err != nil {
		return err
	}
	for _, name := range names {
		info, err := os.Stat(name)
		switch {
		case err != nil:
			return fmt.Errorf("%s: %s", name, source.DescribeError(err))
		case !info.Mode().IsRegular():
			return fmt.Errorf("%s: %s", name, source.DescribeError(source.ErrNotRegular))
		}
	}
	return nil
}

// setFileNames are the files a --set-file argument names, parsed as Helm
// parses it.
func setFileNames(arg string) ([]string, error) {
	var names []string
	err := strvals.ParseIntoFile(arg, map[string]any{}, func(rs []rune) (any, error) {
		names = append(names, string(rs))
		return "", nil
	})
	return names, err
}

// parseOutputs turns --format and --output into the reports to write.
// Without --format the report is text. A format without a file goes to
// --output, or standard output; only one report can go there.
func parseOutputs(formats []string, outputFlag string) ([]output, error) {
	if len(formats) == 0 {
		formats = []string{"text"}
	}
	var outs []output
	toDefault := 0
	for _, f := range formats {
		name, file, hasFile := strings.Cut(f, ":")
		if !slices.Contains(lint.Formats(), name) {
			return nil, usagef("unknown format %q (want %s)", name, strings.Join(lint.Formats(), ", "))
		}
		flag := "--format " + f
		if hasFile {
			var p pathValue
			if err := p.Set(file); err != nil {
				return nil, usagef("--format %s: %v", f, err)
			}
		} else {
			toDefault++
			file, flag = outputFlag, "--output "+outputFlag
		}
		outs = append(outs, output{format: name, file: file, flag: flag})
	}
	if toDefault > 1 {
		where := "standard output"
		if outputFlag != "" {
			where = outputFlag
		}
		return nil, usagef("%d reports would go to %s: give every --format but one a file, as --format sarif:results.sarif", toDefault, where)
	}
	if outputFlag != "" && toDefault == 0 {
		return nil, usagef("--output %s: every --format names its own file", outputFlag)
	}
	return outs, nil
}

// parseSize reads a byte count with an optional binary unit: "64MiB".
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		shift  uint
	}{{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"B", 0}, {"", 0}}
	for _, u := range units {
		digits, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(digits), 10, 64)
		if err != nil || n <= 0 {
			return 0, errors.New("want a positive number of bytes, optionally with KiB, MiB or GiB")
		}
		if n > (1<<62)>>u.shift {
			return 0, errors.New("too large")
		}
		return n << u.shift, nil
	}
	return 0, errors.New("want a positive number of bytes, optionally with KiB, MiB or GiB")
}

// parseRenderTimeout reads a render time budget, --render-timeout's or the
// config file's.
func parseRenderTimeout(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New("want a duration such as 30s or 2m")
	}
	if d < helm.MinRenderTimeout || d > helm.MaxRenderTimeout {
		return 0, fmt.Errorf("want %s to %s", helm.MinRenderTimeout, helm.MaxRenderTimeout)
	}
	return d, nil
}

// parseRenderMemory reads a render memory budget, --render-memory's or the
// config file's.
func parseRenderMemory(s string) (int64, error) {
	n, err := parseSize(s)
	if err != nil {
		return 0, err
	}
	if n < helm.MinRenderMemory || n > helm.MaxRenderMemory {
		return 0, fmt.Errorf("want %dMiB to %dGiB", helm.MinRenderMemory>>20, helm.MaxRenderMemory>>30)
	}
	return n, nil
}

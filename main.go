// Command dockershim-lint finds Kubernetes workloads that depend on Docker
// Engine and reports each at the file, line and column to edit.
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render"
	"github.com/dockershim-lint/dockershim-lint/render/helm"
	"github.com/dockershim-lint/dockershim-lint/render/source"
)

// version overrides the version read from build information, for release
// builds made outside the module system:
//
//	go build -ldflags "-X main.version=v1.2.3"
var version string

// Exit codes are part of the CLI contract: CI jobs branch on them.
const (
	exitOK       = 0
	exitFindings = 1
	exitError    = 2
)

func main() {
	// The process lives for one lint and holds little at once (a file's
	// tree per worker, and the findings), so the collector's default pace
	// spends CPU to keep a small heap smaller. Collecting a quarter as often
	// costs 10 to 20 MB more memory at peak and saves a fifth to a quarter
	// of the CPU (docs/performance.md). A GOGC from the environment wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	// kustomize prints its deprecation warnings straight to os.Stderr and
	// offers no way to stop it. Everything dockershim-lint has to say goes
	// to the stderr run is given, so libraries' chatter is sent nowhere
	// rather than mixed into it. A crash still reaches the terminal: the
	// runtime writes panics to file descriptor 2, not through os.Stderr.
	stderr := os.Stderr
	//nolint:forbidigo // opens /dev/null for writing, to silence kustomize; no input is read
	if devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		os.Stderr = devNull
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, stderr))
}

// usageError is a mistake on the command line: it exits 2 and is printed to
// standard error, never mixed into the report.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// run is the whole program but for the process exit, so tests can drive it.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	code := exitOK
	lintAction := func(c *cli.Context) error {
		opts, err := parseOptions(c)
		if err != nil {
			return err
		}
		code, err = runLint(opts, stdin, stdout, stderr)
		return err
	}
	onUsageError := func(_ *cli.Context, err error, _ bool) error { return usageError{err} }

	app := &cli.App{
		Name:      "dockershim-lint",
		Usage:     "find Kubernetes workloads that depend on Docker Engine",
		UsageText: "dockershim-lint [lint] [flags] [PATH...]\ndockershim-lint rules [--format text|json] [--explain RULE]\ndockershim-lint version",
		ArgsUsage: "[PATH...]",
		Version:   buildVersion(),
		Reader:    stdin,
		Writer:    stdout,
		ErrWriter: stderr,
		// Without a command the app lints, so `dockershim-lint .` works like
		// `dockershim-lint lint .`; it needs the lint flags for that.
		Flags:        lintFlags(),
		Action:       lintAction,
		OnUsageError: onUsageError,
		// The default handler calls os.Exit; run reports codes instead.
		ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{
			{
				Name:         "lint",
				Usage:        "lint manifest files, directories, or - for standard input",
				ArgsUsage:    "[PATH...]",
				Description:  lintDescription,
				Flags:        lintFlags(),
				Action:       lintAction,
				OnUsageError: onUsageError,
			},
			{
				Name:         "rules",
				Usage:        "list every rule with its default severity and help link, or explain one",
				Flags:        rulesFlags(),
				Action:       func(c *cli.Context) error { return listRules(c, stdout) },
				OnUsageError: onUsageError,
			},
			{
				Name:  "version",
				Usage: "print the version",
				Action: func(c *cli.Context) error {
					_, err := fmt.Fprintf(stdout, "%s version %s\n", c.App.Name, c.App.Version)
					return err
				},
				OnUsageError: onUsageError,
			},
		},
	}

	err := app.RunContext(context.Background(), append([]string{"dockershim-lint"}, flagsFirst(args, lintFlags())...))
	if err == nil {
		return code
	}
	fmt.Fprintf(stderr, "dockershim-lint: %v\n", err)
	if errors.As(err, new(usageError)) {
		fmt.Fprintln(stderr, "Run 'dockershim-lint help' for usage.")
	}
	return exitError
}

const lintDescription = `Directories are walked for *.yaml, *.yml and *.json files, skipping .git,
node_modules and hidden directories; a file named on the command line is
linted whatever its extension. Without PATH the current directory is linted.

Exit status: 0 when no finding is at or above --fail-on, 1 when one is, 2 on a
usage error, an unreadable path or input that could not be parsed (findings
in the inputs that did parse are still reported).`

// formatFlag is shared by lint and rules so both accept the same names.
func formatFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  "format",
		Value: "text",
		Usage: "report `FORMAT`: " + strings.Join(lint.Formats(), ", "),
	}
}

// lintFlags builds the lint flags afresh for each command that takes them:
// urfave/cli records parsing state in the flag values.
func lintFlags() []cli.Flag {
	return []cli.Flag{
		formatFlag(),
		&cli.StringFlag{
			Name:    "output",
			Aliases: []string{"o"},
			Usage:   "write the report to `FILE` instead of standard output",
		},
		&cli.StringFlag{
			Name:  "fail-on",
			Value: "warning",
			Usage: "exit 1 when a finding has this `SEVERITY` or higher: error, warning, note or never",
		},
		&cli.StringSliceFlag{
			Name:  "disable",
			Usage: "do not run the rules `RULE[,RULE]` (repeatable)",
		},
		&cli.StringSliceFlag{
			Name:  "enable-only",
			Usage: "run only the rules `RULE[,RULE]` (repeatable)",
		},
		&cli.BoolFlag{
			Name:  "no-color",
			Usage: "never colour the text output (also when NO_COLOR is set)",
		},
		&cli.StringFlag{
			Name:  "sarif-category",
			Usage: "SARIF automationDetails.id `NAME`, to tell apart several uploads for one commit",
		},
		&cli.StringFlag{
			Name:  "config",
			Usage: "read settings from `FILE` instead of the nearest " + configName,
		},
		&cli.StringFlag{
			Name:  "baseline",
			Usage: "report only findings not in `FILE`, an earlier JSON or SARIF report",
		},
		&cli.StringFlag{
			Name:  "write-baseline",
			Usage: "also write the findings to `FILE` as a JSON report, for --baseline",
		},
		// The Helm flags are helm template's, with its names and syntax.
		&cli.StringSliceFlag{
			Name:    "values",
			Aliases: []string{"f"},
			Usage:   "render charts with the values `FILE` (repeatable, later files win)",
		},
		&cli.GenericFlag{Name: "set", Value: &repeated{}, Usage: "set a chart value, `KEY=VALUE[,KEY=VALUE]` (repeatable)"},
		&cli.GenericFlag{Name: "set-string", Value: &repeated{}, Usage: "set a chart value as a string, `KEY=VALUE` (repeatable)"},
		&cli.GenericFlag{Name: "set-file", Value: &repeated{}, Usage: "set a chart value to a file's content, `KEY=PATH` (repeatable)"},
		&cli.StringFlag{
			Name:  "release-name",
			Usage: "Helm release `NAME` (default: the chart's name)",
		},
		&cli.StringFlag{
			Name:  "namespace",
			Usage: "Helm release `NAMESPACE` (default: default)",
		},
		&cli.StringFlag{
			Name:  "kube-version",
			Usage: "Kubernetes `VERSION` charts see as .Capabilities.KubeVersion",
		},
		&cli.StringSliceFlag{
			Name:  "api-versions",
			Usage: "add `API[,API]` to the charts' .Capabilities.APIVersions (repeatable)",
		},
		&cli.BoolFlag{
			Name:  "all-ci-values",
			Usage: "render each chart with its defaults and once per ci/*values.yaml",
		},
	}
}

// repeated is a repeatable flag whose values are not split at commas:
// Helm's --set syntax has commas of its own.
type repeated []string

func (r *repeated) Set(v string) error {
	*r = append(*r, v)
	return nil
}

func (r *repeated) String() string { return strings.Join(*r, " ") }

// options is everything the lint command was asked to do.
type options struct {
	paths      []string
	format     string
	output     string
	failOn     lint.Severity // zero: never fail on findings
	disable    []string
	enableOnly []string
	noColor    bool
	// sarifCategory distinguishes this run among the SARIF uploads of one
	// commit in GitHub code scanning.
	sarifCategory string
	// failOnSet and rulesSet say whether --fail-on and --disable or
	// --enable-only were given, which then override the config file.
	failOnSet     bool
	rulesSet      bool
	config        string
	baseline      string
	writeBaseline string
	helm          helm.Options
}

func parseOptions(c *cli.Context) (options, error) {
	opts := options{
		paths:      c.Args().Slice(),
		format:     flagContext(c, "format").String("format"),
		output:     flagContext(c, "output").String("output"),
		disable:    flagContext(c, "disable").StringSlice("disable"),
		enableOnly: flagContext(c, "enable-only").StringSlice("enable-only"),
		noColor:    flagContext(c, "no-color").Bool("no-color"),

		sarifCategory: flagContext(c, "sarif-category").String("sarif-category"),
		failOnSet:     flagContext(c, "fail-on").IsSet("fail-on"),
		rulesSet:      flagContext(c, "disable").IsSet("disable") || flagContext(c, "enable-only").IsSet("enable-only"),
		config:        flagContext(c, "config").String("config"),
		baseline:      flagContext(c, "baseline").String("baseline"),
		writeBaseline: flagContext(c, "write-baseline").String("write-baseline"),
		helm: helm.Options{
			ValuesFiles: flagContext(c, "values").StringSlice("values"),
			Set:         *flagContext(c, "set").Generic("set").(*repeated),
			SetString:   *flagContext(c, "set-string").Generic("set-string").(*repeated),
			SetFile:     *flagContext(c, "set-file").Generic("set-file").(*repeated),
			ReleaseName: flagContext(c, "release-name").String("release-name"),
			Namespace:   flagContext(c, "namespace").String("namespace"),
			KubeVersion: flagContext(c, "kube-version").String("kube-version"),
			APIVersions: flagContext(c, "api-versions").StringSlice("api-versions"),
			AllCIValues: flagContext(c, "all-ci-values").Bool("all-ci-values"),
		},
	}
	if len(opts.paths) == 0 {
		opts.paths = []string{"."}
	}
	// Checked here, before --output creates or truncates the report file.
	if !slices.Contains(lint.Formats(), opts.format) {
		return opts, usagef("unknown format %q (want %s)", opts.format, strings.Join(lint.Formats(), ", "))
	}
	if failOn := flagContext(c, "fail-on").String("fail-on"); failOn != "never" {
		s, err := lint.ParseSeverity(failOn)
		if err != nil {
			return opts, usagef("invalid --fail-on %q (want error, warning, note or never)", failOn)
		}
		opts.failOn = s
	}
	// A values file is checked now, not when a chart is found, so that a
	// typo fails even where no chart is linted.
	for _, f := range opts.helm.ValuesFiles {
		if _, err := os.Stat(f); err != nil {
			return opts, usagef("--values %s: %s", f, source.DescribeError(err))
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

// flagContext returns the context of the nearest command that set name, so
// that `dockershim-lint --format json lint .` honours a flag given before
// the command: urfave/cli would otherwise read the lint command's default.
func flagContext(c *cli.Context, name string) *cli.Context {
	for _, ctx := range c.Lineage() {
		if ctx.IsSet(name) {
			return ctx
		}
	}
	return c
}

// runLint lints and writes the report, returning the exit code. Only usage
// errors come back as errors; input errors are part of the report.
func runLint(opts options, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	set, err := resolveSettings(opts)
	if err != nil {
		return exitError, err
	}
	selected := set.selected
	out := stdout
	if opts.output != "" {
		f, err := os.Create(opts.output)
		if err != nil {
			return exitError, fmt.Errorf("cannot create report file: %w", err)
		}
		defer f.Close()
		out = f
	}
	// SARIF and GitHub annotations name files relative to the checkout;
	// without a working directory they fall back to absolute URIs.
	workDir, _ := os.Getwd()
	writer, err := lint.NewWriter(opts.format, lint.WriterOptions{
		Color:         useColor(out, opts.noColor, os.Getenv("NO_COLOR")),
		StderrColor:   useColor(stderr, opts.noColor, os.Getenv("NO_COLOR")),
		Stderr:        stderr,
		WorkDir:       workDir,
		SARIFCategory: opts.sarifCategory,
	})
	if err != nil {
		return exitError, usageError{err}
	}

	inputs, inputErrs := render.Discover(opts.paths, set.renderOptions(opts, stdin, stderr))
	inputs = set.keep(inputs)
	// Fingerprints name files from the repository root, whichever
	// directory the run starts in.
	engine := lint.Engine{Rules: selected, Known: set.all, Root: cmp.Or(source.RepositoryRoot(workDir), workDir)}
	result := engine.Run(inputs)
	for _, c := range result.Capped {
		if !set.cfg.ignored(c.File) {
			fmt.Fprintf(stderr, "%s: notice: %s\n", c.File, c.Notice())
		}
	}
	report := &lint.Report{
		Version:  buildVersion(),
		Findings: result.Findings,
		Errors:   append(inputErrs, result.Errors...),
		Rules:    selected,

		Suppressed: result.Suppressed,
	}
	if err := set.finish(report, opts, stderr); err != nil {
		return exitError, err
	}
	if err := writer.Write(out, report); err != nil {
		return exitError, fmt.Errorf("writing report: %w", err)
	}
	if f, ok := out.(*os.File); ok && out != stdout {
		// A report cut short by a full disk must not pass for a clean one.
		if err := f.Close(); err != nil {
			return exitError, fmt.Errorf("writing report: %w", err)
		}
	}
	return exitCode(report, set.failOn), nil
}

func exitCode(r *lint.Report, failOn lint.Severity) int {
	if len(r.Errors) > 0 {
		return exitError
	}
	if failOn != 0 {
		for i := range r.Findings {
			if r.Findings[i].Severity >= failOn {
				return exitFindings
			}
		}
	}
	return exitOK
}

// selectRules applies --enable-only, then --disable. An unknown id is an
// error rather than a no-op: a typo would otherwise silently lint with the
// rule still on, or with none at all.
func selectRules(all []*lint.Rule, disable, enableOnly []string) ([]*lint.Rule, error) {
	known := make(map[string]bool, len(all))
	for _, r := range all {
		known[r.ID] = true
	}
	check := func(flag string, ids []string) (map[string]bool, error) {
		set := make(map[string]bool, len(ids))
		for _, id := range ids {
			id = strings.TrimSpace(id)
			if id == "" {
				continue
			}
			if !known[id] {
				return nil, usagef("unknown rule %q in --%s (see 'dockershim-lint rules')", id, flag)
			}
			set[id] = true
		}
		return set, nil
	}
	off, err := check("disable", disable)
	if err != nil {
		return nil, err
	}
	only, err := check("enable-only", enableOnly)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(slices.Clone(all), func(r *lint.Rule) bool {
		return off[r.ID] || (len(only) > 0 && !only[r.ID])
	}), nil
}

// useColor colours only a terminal: a file, a pipe or a CI log would keep
// the escape codes as noise. NO_COLOR follows https://no-color.org: any
// non-empty value turns colour off.
func useColor(w io.Writer, noColorFlag bool, noColorEnv string) bool {
	if noColorFlag || noColorEnv != "" {
		return false
	}
	f, ok := w.(*os.File)
	// A character device is not enough: /dev/null is one, and output sent
	// there alongside a redirected stream must not be coloured.
	return ok && term.IsTerminal(int(f.Fd()))
}

// buildVersion is the -X override, else the module version from build
// information with the VCS revision when the version does not already carry
// it (a build from a checkout reports "(devel)").
func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	return versionFromBuildInfo(info)
}

func versionFromBuildInfo(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var revision string
	var modified bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if len(revision) > 12 {
		revision = revision[:12]
	}
	if revision == "" || strings.Contains(v, revision) {
		return v
	}
	if modified {
		revision += "-dirty"
	}
	return v + " (" + revision + ")"
}

// flagsFirst moves the lint flags that follow a path in front of the paths.
// urfave/cli stops parsing flags at the first argument that is not one, but
// people write `dockershim-lint lint . --format json` as they would with
// golangci-lint or kubectl. Everything after "--" stays a path, so a file
// named like a flag can still be linted.
func flagsFirst(args []string, flags []cli.Flag) []string {
	start := 0
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "lint":
			start = 1
		case "rules", "version", "help", "h":
			return args
		}
	}
	takesValue := map[string]bool{}
	for _, f := range flags {
		valued := false
		if d, ok := f.(cli.DocGenerationFlag); ok {
			valued = d.TakesValue()
		}
		for _, name := range f.Names() {
			takesValue[name] = valued
		}
	}
	out := slices.Clone(args[:start])
	var paths []string
	for i := start; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			paths = append(paths, args[i:]...)
			i = len(args)
		case len(a) > 1 && strings.HasPrefix(a, "-"):
			out = append(out, a)
			name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
			if !hasValue && takesValue[name] && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
		default:
			paths = append(paths, a)
		}
	}
	return append(out, paths...)
}

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/pflag"
)

// command is one subcommand of the CLI.
type command struct {
	name     string
	synopsis string
	summary  string
	// flags defines the command's flags on a fresh set, bound to nothing
	// when called for help and completion.
	flags func() *pflag.FlagSet
	run   func(c *cli, args []string) (int, error)
}

// cli is one run of the program: its streams and what it was asked.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// commands lists the subcommands in the order help shows them.
func commands() []*command {
	return []*command{
		{
			name:     "lint",
			synopsis: "lint [flags] [PATH...]",
			summary:  "lint manifest files, directories, charts, overlays, or - for standard input",
			flags:    func() *pflag.FlagSet { return newLintFlagSet(&lintFlags{}) },
			run:      func(c *cli, args []string) (int, error) { return c.lint(args) },
		},
		{
			name:     "rules",
			synopsis: "rules [--format text|json] [--explain RULE] [RULE...]",
			summary:  "list the rules with their default severity and help link, or explain one",
			flags:    func() *pflag.FlagSet { return newRulesFlagSet(&rulesFlags{}) },
			run:      func(c *cli, args []string) (int, error) { return exitOK, c.rules(args) },
		},
		{
			name:     "version",
			synopsis: "version [--format text|json]",
			summary:  "print the version, the VCS revision and the Go, Helm and kustomize versions",
			flags:    func() *pflag.FlagSet { return newVersionFlagSet(new(string)) },
			run:      func(c *cli, args []string) (int, error) { return exitOK, c.version(args) },
		},
		{
			name:     "completion",
			synopsis: "completion bash|zsh|fish",
			summary:  "print a shell completion script",
			flags:    func() *pflag.FlagSet { return newFlagSet("completion") },
			run:      func(c *cli, args []string) (int, error) { return exitOK, c.completion(args) },
		},
		{
			name:     "help",
			synopsis: "help [COMMAND]",
			summary:  "print help for the program or a command",
			flags:    func() *pflag.FlagSet { return newFlagSet("help") },
			run:      func(c *cli, args []string) (int, error) { return exitOK, c.help(args) },
		},
	}
}

func findCommand(name string) *command {
	for _, cmd := range commands() {
		if cmd.name == name {
			return cmd
		}
	}
	return nil
}

// run is the whole program but for the process exit, so tests can drive it.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
	code, err := c.dispatch(args)
	if err == nil {
		return code
	}
	fmt.Fprintf(stderr, "dockershim-lint: %v\n", err)
	if errors.As(err, new(usageError)) {
		fmt.Fprintln(stderr, "Run 'dockershim-lint help' for usage.")
	}
	return exitError
}

// dispatch runs the command args name. Without one the program lints, so
// `dockershim-lint .` works like `dockershim-lint lint .`.
func (c *cli) dispatch(args []string) (int, error) {
	if len(args) > 0 {
		switch args[0] {
		case "--version":
			return exitOK, c.version(args[1:])
		case "-h", "--help":
			return exitOK, c.help(args[1:])
		}
		if cmd := findCommand(args[0]); cmd != nil {
			return cmd.run(c, args[1:])
		}
	}
	return c.bareLint(args)
}

// bareLint is the form without a command. A first argument that is no
// path but close to a command is a mistyped command, and linting it as a
// path would only say it does not exist.
func (c *cli) bareLint(args []string) (int, error) {
	var f lintFlags
	fs := newLintFlagSet(&f)
	if err := parseFlags(fs, args); err != nil {
		return c.flagError("lint", err)
	}
	paths := fs.Args()
	beforeDash := len(paths)
	if n := fs.ArgsLenAtDash(); n >= 0 {
		beforeDash = n
	}
	if beforeDash > 0 {
		first := paths[0]
		switch cmd := findCommand(first); {
		case first == "lint":
			// `dockershim-lint --format json lint .`: flags given before
			// the command still apply to it.
			paths = paths[1:]
		case cmd != nil:
			return exitError, usagef("flags go after the command: dockershim-lint %s [flags]", first)
		default:
			if suggestion := suggestCommand(first, paths[1:]); suggestion != "" {
				return exitError, usagef("unknown command %q: did you mean %q?", first, suggestion)
			}
		}
	}
	return c.runLintFlags(&f, fs, paths)
}

func (c *cli) lint(args []string) (int, error) {
	var f lintFlags
	fs := newLintFlagSet(&f)
	if err := parseFlags(fs, args); err != nil {
		return c.flagError("lint", err)
	}
	return c.runLintFlags(&f, fs, fs.Args())
}

func (c *cli) runLintFlags(f *lintFlags, fs *pflag.FlagSet, paths []string) (int, error) {
	opts, err := f.resolve(fs, paths)
	if err != nil {
		return exitError, err
	}
	return runLint(opts, c.stdin, c.stdout, c.stderr)
}

// flagError turns -h and --help into the command's help.
func (c *cli) flagError(name string, err error) (int, error) {
	if errors.Is(err, pflag.ErrHelp) {
		return exitOK, c.help([]string{name})
	}
	return exitError, err
}

// commandWord is what a mistyped command looks like, as opposed to a path.
var commandWord = regexp.MustCompile(`^[a-z][a-z-]*$`)

// commandAliases are words people try from other linters.
var commandAliases = map[string]string{
	"explain":     "rules --explain",
	"list":        "rules",
	"check":       "lint",
	"run":         "lint",
	"completions": "completion",
}

// suggestCommand returns the command line meant by a first argument that
// is not a path, or "" when it is not close to any command.
func suggestCommand(word string, rest []string) string {
	if !commandWord.MatchString(word) {
		return ""
	}
	if _, err := os.Lstat(word); err == nil {
		return ""
	}
	meant := commandAliases[word]
	if meant == "" {
		// Close means at most two edits, and fewer than half the word:
		// "ls" is no typo of "lint".
		best := 3
		for _, cmd := range commands() {
			if d := editDistance(word, cmd.name); d < best && 2*d <= len(word) {
				best, meant = d, cmd.name
			}
		}
	}
	if meant == "" {
		return ""
	}
	return strings.Join(append([]string{"dockershim-lint", meant}, rest...), " ")
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

const lintDescription = `Directories are walked for *.yaml, *.yml and *.json files, skipping .git,
node_modules and hidden directories; a directory with Chart.yaml is rendered as
a Helm chart and one with kustomization.yaml is built. A file named on the
command line is linted whatever its extension. Without PATH the current
directory is linted. Flags may come before or after the paths; everything after
-- is a path.

Exit status: 0 when no finding is at or above --fail-on, 1 when one is, 2 on a
usage error, an unreadable path or input that could not be parsed (findings
in the inputs that did parse are still reported).`

// help prints the program's help, or a command's.
func (c *cli) help(args []string) error {
	if len(args) > 1 {
		return usagef("help takes one command, got %s", strings.Join(args, " "))
	}
	if len(args) == 1 {
		cmd := findCommand(args[0])
		if cmd == nil {
			return usagef("unknown command %q", args[0])
		}
		fmt.Fprintf(c.stdout, "%s\n\nUsage:\n  dockershim-lint %s\n", cmd.summary, cmd.synopsis)
		if cmd.name == "lint" {
			fmt.Fprintf(c.stdout, "\n%s\n", lintDescription)
		}
		if usage := cmd.flags().FlagUsages(); usage != "" {
			fmt.Fprintf(c.stdout, "\nFlags:\n%s", usage)
		}
		return nil
	}
	var b strings.Builder
	b.WriteString("dockershim-lint finds Kubernetes workloads that depend on Docker Engine.\n\nUsage:\n")
	b.WriteString("  dockershim-lint [flags] [PATH...]   same as lint\n")
	for _, cmd := range commands() {
		fmt.Fprintf(&b, "  dockershim-lint %s\n", cmd.synopsis)
	}
	b.WriteString("\nCommands:\n")
	for _, cmd := range commands() {
		fmt.Fprintf(&b, "  %-11s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintf(&b, "\nLint flags:\n%s\nRun 'dockershim-lint help COMMAND' for a command's flags.\n", findCommand("lint").flags().FlagUsages())
	_, err := io.WriteString(c.stdout, b.String())
	return err
}

// flagNames lists the long names of a command's flags, for completion,
// help and the README tests.
func flagNames(cmd *command) []string {
	var names []string
	cmd.flags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	return names
}

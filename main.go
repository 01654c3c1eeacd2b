// Command dockershim-lint finds Kubernetes workloads that depend on Docker
// Engine and reports each at the file, line and column to edit.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"golang.org/x/term"

	// The collector's pace is set before Helm's dependencies initialise.
	_ "github.com/dockershim-lint/dockershim-lint/internal/gcpace"
	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/helm"
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
	// This executable is also the child process that renders each Helm
	// chart within its budget; when it is one, it renders and exits here.
	helm.RunSandbox()
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

// useColor decides colour for one stream. By default (auto) only a
// terminal gets it: a file, a pipe or a CI log would keep the escape codes
// as noise. NO_COLOR follows https://no-color.org: any non-empty value
// turns the default off, and --color always still wins over it.
func useColor(w io.Writer, mode colorMode, noColorEnv string) bool {
	switch {
	case mode == colorAlways:
		return true
	case mode == colorNever || noColorEnv != "":
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

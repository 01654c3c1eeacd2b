// Package gittest makes real git repositories for tests and benchmarks, so
// that what reads git's files is checked against what git itself writes.
package gittest

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// Run runs git with args in dir and returns its standard output. It skips
// the test when there is no git binary, and keeps the user's and the
// system's git configuration and the caller's GIT_ variables out, so a setting such as index.version or
// feature.manyFiles on the machine cannot change what the test reads.
func Run(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	return Pipe(tb, dir, "", args...)
}

// Pipe is Run with stdin as git's standard input.
func Pipe(tb testing.TB, dir, stdin string, args ...string) string {
	tb.Helper()
	bin, err := exec.LookPath("git")
	if err != nil {
		tb.Skip("no git binary: ", err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	// A hook that runs the tests (pre-commit runs inside git) sets
	// GIT_DIR and GIT_INDEX_FILE, which would point git at the wrong
	// repository.
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GIT_") })
	cmd.Env = append(cmd.Env,
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@example.com",
	)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("git %s in %s: %v\n%s", strings.Join(args, " "), dir, err, stderr.String())
	}
	return string(out)
}

// Init makes dir a git repository holding every file below it in its
// index, as `git add -A` leaves it.
func Init(tb testing.TB, dir string) {
	tb.Helper()
	Run(tb, dir, "init", "-q")
	Run(tb, dir, "add", "-A")
}

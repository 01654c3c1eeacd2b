package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// completionScriptFile writes `completion shell` to a file, as users do.
func completionScriptFile(t *testing.T, shell string) string {
	t.Helper()
	got := runCLI(t, "", "completion", shell)
	got.check(t, want{code: exitOK})
	path := filepath.Join(t.TempDir(), "completion."+shell)
	if err := os.WriteFile(path, []byte(got.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func needShell(t *testing.T, shell string) string {
	t.Helper()
	path, err := exec.LookPath(shell)
	if err != nil {
		t.Skipf("%s is not installed", shell)
	}
	return path
}

// shellOutput runs a shell script with a generous deadline against hangs.
func shellOutput(t *testing.T, shell string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, needShell(t, shell), args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", shell, args, err, out)
	}
	return string(out)
}

// The command lines completed, and a completion each must offer.
var completionCases = []struct {
	line string
	want string
}{
	{line: "dockershim-lint li", want: "lint"},
	{line: "dockershim-lint lint --fo", want: "--format"},
	{line: "dockershim-lint lint --format sa", want: "sarif"},
	{line: "dockershim-lint --fail-on ne", want: "never"},
	{line: "dockershim-lint lint --color al", want: "always"},
	{line: "dockershim-lint lint --disable docker-c", want: "docker-cli"},
	{line: "dockershim-lint rules docker-so", want: "docker-socket"},
	{line: "dockershim-lint rules --explain unused-", want: "unused-ignore"},
	{line: "dockershim-lint completion fi", want: "fish"},
	{line: "dockershim-lint help ver", want: "version"},
}

func TestBashCompletion(t *testing.T) {
	script := completionScriptFile(t, "bash")
	for _, tt := range completionCases {
		t.Run(tt.line, func(t *testing.T) {
			out := shellOutput(t, "bash", "-c", `source "$1"; read -ra COMP_WORDS <<< "$2"; COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _dockershim_lint; printf '%s\n' "${COMPREPLY[@]}"`, "bash", script, tt.line)
			if !strings.Contains("\n"+out, "\n"+tt.want+"\n") {
				t.Errorf("completing %q offers:\n%s\nwant %q", tt.line, out, tt.want)
			}
		})
	}
}

func TestFishCompletion(t *testing.T) {
	script := completionScriptFile(t, "fish")
	for _, tt := range completionCases {
		t.Run(tt.line, func(t *testing.T) {
			out := shellOutput(t, "fish", "--no-config", "-c", `source $argv[1]; complete -C $argv[2]`, script, tt.line)
			var offered []string
			for _, l := range strings.Split(out, "\n") {
				word, _, _ := strings.Cut(l, "\t")
				offered = append(offered, word)
			}
			if !strings.Contains("\n"+strings.Join(offered, "\n")+"\n", "\n"+tt.want+"\n") {
				t.Errorf("completing %q offers:\n%s\nwant %q", tt.line, out, tt.want)
			}
		})
	}
}

// TestZshCompletion types each line into an interactive zsh, presses Tab,
// and waits for the completion to appear.
func TestZshCompletion(t *testing.T) {
	script := completionScriptFile(t, "zsh")
	needShell(t, "zsh")
	shellOutput(t, "zsh", "-n", script)
	var driver strings.Builder
	driver.WriteString("zmodload zsh/zpty\nzpty -b z 'zsh -f -i'\n")
	driver.WriteString(`zpty -w z 'PS1="> "; autoload -Uz compinit; compinit -u -d "$ZDUMP"; source "$SCRIPT"'` + "\n")
	for _, tt := range completionCases {
		// The line, Tab, then erase it. A blocking read waits for the line
		// with its last word completed, which the typed text alone is not.
		completed := tt.line[:strings.LastIndex(tt.line, " ")+1] + tt.want
		driver.WriteString("zpty -n -w z $'" + tt.line + "\\t'\n")
		driver.WriteString("zpty -r z out '*" + completed + "*' && print -r -- 'completed " + tt.line + "'\n")
		driver.WriteString("zpty -w z $'\\C-u'\n")
	}
	driver.WriteString("zpty -d z\n")
	dir := t.TempDir()
	cmd := []string{"-f", "-c", "export SCRIPT=$1 ZDUMP=$2; eval $3", "zsh", script, filepath.Join(dir, "zcompdump"), driver.String()}
	out := shellOutput(t, "zsh", cmd...)
	for _, tt := range completionCases {
		if !strings.Contains(out, "completed "+tt.line+"\n") {
			t.Errorf("zsh did not complete %q to %q:\n%s", tt.line, tt.want, out)
		}
	}
}

package lint

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// GitHubWriter prints GitHub Actions workflow commands, one per finding, so a
// plain Actions job annotates the pull request without code scanning.
type GitHubWriter struct {
	// WorkDir is the absolute working directory: annotations only attach to
	// a file named relative to the checkout, which is where Actions runs.
	WorkDir string
	// Quiet leaves out the summary line.
	Quiet bool
}

var githubCommands = map[Severity]string{
	SeverityError:   "error",
	SeverityWarning: "warning",
	SeverityNote:    "notice",
}

func (g *GitHubWriter) Write(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	for i := range r.Findings {
		f := &r.Findings[i]
		command, ok := githubCommands[f.Severity]
		if !ok {
			command = "warning"
		}
		var msg strings.Builder
		if pos := f.Position; pos.File == StdinName {
			// An annotation without a file has no place to show its line.
			msg.WriteString(pos.String() + ": ")
		}
		// Messages quote the linted files: each part is escaped as in the
		// text report, and only the breaks between parts are lines.
		msg.WriteString(OneLine(f.TextWithObject()))
		for _, rel := range f.Related {
			p := rel.Position
			p.File = g.path(p.File)
			msg.WriteString("\n" + OneLine(p.String()))
			if rel.Message != "" {
				msg.WriteString(": " + OneLine(rel.Message))
			}
		}
		if f.Help != "" {
			msg.WriteString("\nMigration guide: " + f.Help)
		}
		if _, err := bw.WriteString(g.command(command, f.Position, f.Rule, msg.String())); err != nil {
			return err
		}
	}
	if !g.Quiet {
		// A plain line, not a command: it shows in the job log.
		if _, err := bw.WriteString(Summary(r) + "\n"); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteInputErrors prints input errors as error annotations, for standard
// error: the runner reads workflow commands there too, so they annotate
// the files and show in the log wherever the report itself goes.
func (g *GitHubWriter) WriteInputErrors(w io.Writer, errs []InputError) error {
	bw := bufio.NewWriter(w)
	for i := range errs {
		e := &errs[i]
		fmt.Fprint(bw, g.command("error", Position{File: e.File, Line: e.Line}, "dockershim-lint input error", OneLine(e.Message)))
	}
	return bw.Flush()
}

// command is one workflow command line.
func (g *GitHubWriter) command(command string, p Position, title, message string) string {
	var props []string
	add := func(key, value string) {
		props = append(props, key+"="+escapeGitHubProperty(value))
	}
	if p.File != "" && p.File != StdinName {
		add("file", g.path(p.File))
	}
	for _, kv := range []struct {
		key   string
		value int
	}{{"line", p.Line}, {"col", p.Column}, {"endLine", p.EndLine}, {"endColumn", p.EndColumn}} {
		if kv.value > 0 {
			add(kv.key, strconv.Itoa(kv.value))
		}
	}
	add("title", title)
	return "::" + command + " " + strings.Join(props, ",") + "::" + escapeGitHubData(message) + "\n"
}

// path names file for an annotation, with control characters escaped: a
// file name cannot be allowed to end the command or reach the terminal.
func (g *GitHubWriter) path(file string) string {
	p, _ := repoPath(g.WorkDir, file)
	return OneLine(p)
}

// The escaping of the Actions runner's command parser: data ends at the end
// of the line, properties also at a comma and are split at a colon.
var (
	githubDataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	githubPropertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func escapeGitHubData(s string) string     { return githubDataEscaper.Replace(s) }
func escapeGitHubProperty(s string) string { return githubPropertyEscaper.Replace(s) }

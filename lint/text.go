package lint

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// TextWriter prints one line per finding, in the FILE:LINE:COL form editors
// and terminals turn into links, then a one-line summary.
type TextWriter struct {
	Color       bool
	StderrColor bool
	Stderr      io.Writer
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

var severityColors = map[Severity]string{
	SeverityError:   ansiRed,
	SeverityWarning: ansiYellow,
	SeverityNote:    ansiCyan,
}

func paint(on bool, color, s string) string {
	if !on {
		return s
	}
	return color + s + ansiReset
}

func (t *TextWriter) Write(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	for i := range r.Findings {
		f := &r.Findings[i]
		fmt.Fprintf(bw, "%s: %s %s: %s\n",
			paint(t.Color, ansiBold, f.Position.String()),
			paint(t.Color, severityColors[f.Severity], f.Severity.String()),
			f.Rule, oneLine(f.TextWithObject()))
	}
	fmt.Fprintln(bw, Summary(r.Findings))
	if err := bw.Flush(); err != nil {
		return err
	}
	if t.Stderr != nil {
		ew := bufio.NewWriter(t.Stderr)
		for i := range r.Errors {
			e := &r.Errors[i]
			pos := Position{File: e.File, Line: e.Line}
			fmt.Fprintf(ew, "%s: %s: %s\n", pos, paint(t.StderrColor, ansiRed, "error"), oneLine(e.Message))
		}
		return ew.Flush()
	}
	return nil
}

// oneLine escapes control characters in text taken from the linted files
// (a message may quote a multi-line shell script): a newline would break the
// one-line-per-finding format that editors and grep rely on, and an escape
// sequence in a manifest must not reach the user's terminal.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Summary counts findings by severity and file: "7 findings: 5 errors,
// 2 warnings in 1 file".
func Summary(findings []Finding) string {
	if len(findings) == 0 {
		return "no findings"
	}
	counts := map[Severity]int{}
	files := map[string]bool{}
	for i := range findings {
		counts[findings[i].Severity]++
		files[findings[i].File] = true
	}
	var parts []string
	for _, s := range []Severity{SeverityError, SeverityWarning, SeverityNote} {
		if counts[s] > 0 {
			parts = append(parts, Plural(counts[s], s.String()))
		}
	}
	return fmt.Sprintf("%s: %s in %s", Plural(len(findings), "finding"), strings.Join(parts, ", "), Plural(len(files), "file"))
}

// Plural counts n of noun in English: "1 finding", "2 findings".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

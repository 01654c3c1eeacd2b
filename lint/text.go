package lint

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// TextWriter prints one line per finding, in the FILE:LINE:COL form editors
// and terminals turn into links, each followed by its related places
// indented below it, then a one-line summary. Input errors are
// not part of it: WriteInputErrors prints them on standard error, in every
// format.
type TextWriter struct {
	Color bool
	// Quiet leaves out the summary.
	Quiet bool
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
			paint(t.Color, ansiBold, OneLine(f.Position.String())),
			paint(t.Color, severityColors[f.Severity], f.Severity.String()),
			f.Rule, OneLine(f.TextWithObject()))
		// Related places go under their finding, indented, in the same
		// FILE:LINE:COL form, so terminals link them too.
		for _, r := range f.Related {
			fmt.Fprintf(bw, "  %s: %s\n", OneLine(r.Position.String()), OneLine(cmp.Or(r.Message, "related")))
		}
	}
	if !t.Quiet {
		fmt.Fprintln(bw, Summary(r))
	}
	return bw.Flush()
}

// WriteInputErrors prints input errors as FILE:LINE: error: MESSAGE, one
// per line, for standard error: they belong on the terminal whatever the
// report's format and wherever it goes.
func WriteInputErrors(w io.Writer, errs []InputError, color bool) error {
	bw := bufio.NewWriter(w)
	for i := range errs {
		e := &errs[i]
		pos := Position{File: e.File, Line: e.Line}
		fmt.Fprintf(bw, "%s: %s: %s\n", OneLine(pos.String()), paint(color, ansiRed, "error"), OneLine(e.Message))
	}
	return bw.Flush()
}

// OneLine escapes control characters in text taken from the linted files or
// their names (a message may quote a multi-line shell script, a file name may
// hold a newline): a newline would break the one-line-per-finding format that
// editors and grep rely on, and an escape sequence must not reach the
// terminal. Bidirectional controls (U+202E) are escaped too: they reorder
// what follows them on the line, so a name could make the rest of a
// finding's line read as something else.
func OneLine(s string) string {
	if !strings.ContainsFunc(s, hidden) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if hidden(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hidden reports whether r acts on the terminal rather than showing.
func hidden(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}

// Summary is the report's last line: the findings by severity and file,
// what was linted, and how many inputs had errors, as in "7 findings:
// 4 errors, 1 warning, 2 notes in 5 files; linted 40 files, 3 charts,
// 2 overlays; 2 inputs had errors". A run that read nothing says so rather
// than "no findings".
func Summary(r *Report) string {
	inv := r.Inventory
	var linted []string
	for _, k := range []struct {
		n    int
		noun string
	}{{inv.Files, "file"}, {inv.Charts, "chart"}, {inv.Overlays, "overlay"}} {
		if k.n > 0 {
			linted = append(linted, Plural(k.n, k.noun))
		}
	}
	var parts []string
	switch {
	case len(r.Findings) > 0:
		parts = append(parts, findingCounts(r.Findings))
	case len(linted) == 0 && inv.Unread == 0:
		parts = append(parts, "nothing linted: no manifest, chart or overlay found")
	case len(linted) == 0:
		parts = append(parts, "nothing linted")
	default:
		parts = append(parts, "no findings")
	}
	if len(linted) > 0 {
		parts = append(parts, "linted "+strings.Join(linted, ", "))
	}
	if inv.Unread > 0 {
		parts = append(parts, Plural(inv.Unread, "input")+" had errors")
	}
	return strings.Join(parts, "; ")
}

// findingCounts counts findings by severity and file: "7 findings:
// 5 errors, 2 warnings in 1 file".
func findingCounts(findings []Finding) string {
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

package lint

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Report is everything a writer needs: the findings, the inputs that failed,
// and the rules that ran (SARIF lists every rule, not only those that fired).
type Report struct {
	Version  string
	Findings []Finding
	Errors   []InputError
	Rules    []*Rule
	// Suppressed are findings an ignore directive covers. Only SARIF
	// writes them, marked as suppressed with the directive's reason.
	Suppressed []Finding
	// Inventory counts what the run read, for the summary: a run that
	// linted nothing must not pass for a clean one.
	Inventory Inventory
}

// Inventory counts the inputs of a run by kind.
type Inventory struct {
	// Files, Charts and Overlays are the inputs linted without an error:
	// manifest files (standard input among them), Helm charts and
	// kustomizations.
	Files, Charts, Overlays int
	// Unread are the paths and inputs that could not be read, parsed or
	// rendered, or only in part.
	Unread int
}

// Writer renders a report in one output format.
type Writer interface {
	Write(w io.Writer, r *Report) error
}

// WriterOptions are the settings a writer may need beyond the report.
type WriterOptions struct {
	// Color turns on ANSI colour in the text format's report.
	Color bool
	// Quiet leaves the summary out of the text and github formats.
	Quiet bool
	// WorkDir is the absolute working directory. SARIF and GitHub
	// annotations name files relative to it, because GitHub resolves them
	// against the checkout; it is passed in rather than read by the writers
	// so their output does not depend on where tests run.
	WorkDir string
	// SARIFCategory is --sarif-category, SARIF's automationDetails.id.
	SARIFCategory string
}

// formats maps each --format name to its writer; new formats register here.
var formats = map[string]func(WriterOptions) Writer{
	"text": func(o WriterOptions) Writer { return &TextWriter{Color: o.Color, Quiet: o.Quiet} },
	"json": func(WriterOptions) Writer { return JSONWriter{} },
	"sarif": func(o WriterOptions) Writer {
		return &SARIFWriter{WorkDir: o.WorkDir, Category: o.SARIFCategory}
	},
	"github":     func(o WriterOptions) Writer { return &GitHubWriter{WorkDir: o.WorkDir, Quiet: o.Quiet} },
	"checkstyle": func(WriterOptions) Writer { return CheckstyleWriter{} },
	"junit":      func(WriterOptions) Writer { return JUnitWriter{} },
	"gitlab":     func(o WriterOptions) Writer { return &GitLabWriter{WorkDir: o.WorkDir} },
}

// Formats lists the names NewWriter accepts, sorted.
func Formats() []string {
	names := make([]string, 0, len(formats))
	for name := range formats {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// NewWriter returns the writer for a --format name.
func NewWriter(format string, opts WriterOptions) (Writer, error) {
	newWriter, ok := formats[format]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats(), ", "))
	}
	return newWriter(opts), nil
}

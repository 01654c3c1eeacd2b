package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/rules"
)

// ruleInfo is a rule as `rules --format json` lists it. Like the findings
// report, its field names are an interface: add fields, never rename them.
// "help" is the link, as in findings; "remediation" says what to change.
type ruleInfo struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Severity    lint.Severity `json:"severity"`
	Summary     string        `json:"summary"`
	Remediation string        `json:"remediation"`
	Help        string        `json:"help"`
}

// rulesFlags are the rules command's flags.
type rulesFlags struct {
	format  string
	explain string
}

func newRulesFlagSet(f *rulesFlags) *pflag.FlagSet {
	fs := newFlagSet("rules")
	fs.StringVar(&f.format, "format", "text", "list the rules as `FORMAT`: text or json")
	fs.StringVar(&f.explain, "explain", "", "print the documentation of `RULE` (the text of docs/rules/RULE.md)")
	return fs
}

// rules lists the rules, those named in args alone, or explains one.
func (c *cli) rules(args []string) error {
	var f rulesFlags
	fs := newRulesFlagSet(&f)
	if err := parseFlags(fs, args); err != nil {
		_, err = c.flagError("rules", err)
		return err
	}
	all := rules.All()
	if id := f.explain; id != "" {
		// The documentation is Markdown whatever the format; a format
		// asked for explicitly would be silently ignored otherwise.
		if f.format != "text" {
			return usagef("--explain prints Markdown text; it takes no --format %s", f.format)
		}
		if len(fs.Args()) > 0 {
			return usagef("--explain takes one rule; got also %s", strings.Join(fs.Args(), " "))
		}
		r, err := findRule(all, id, "--explain")
		if err != nil {
			return err
		}
		_, err = io.WriteString(c.stdout, ruleDocumentation(r))
		return err
	}
	if ids := fs.Args(); len(ids) > 0 {
		var chosen []*lint.Rule
		for _, id := range ids {
			r, err := findRule(all, id, "rules")
			if err != nil {
				return err
			}
			chosen = append(chosen, r)
		}
		all = chosen
	}
	switch f.format {
	case "text":
		return writeRulesText(c.stdout, all)
	case "json":
		infos := make([]ruleInfo, len(all))
		for i, r := range all {
			infos[i] = ruleInfo{
				ID:          r.ID,
				Name:        r.Name,
				Severity:    r.Severity,
				Summary:     r.Summary,
				Remediation: r.Help,
				Help:        r.HelpURL,
			}
		}
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(infos)
	}
	return usagef("unknown format %q for rules (want text or json)", f.format)
}

// findRule looks a rule up by id; an unknown one is a usage error that
// names the closest id.
func findRule(all []*lint.Rule, id, where string) (*lint.Rule, error) {
	best, closest := 4, ""
	for _, r := range all {
		if r.ID == id {
			return r, nil
		}
		if d := editDistance(id, r.ID); d < best {
			best, closest = d, r.ID
		}
	}
	if closest != "" {
		return nil, usagef("unknown rule %q for %s: did you mean %q?", id, where, closest)
	}
	return nil, usagef("unknown rule %q for %s (see 'dockershim-lint rules')", id, where)
}

func writeRulesText(w io.Writer, all []*lint.Rule) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSEVERITY\tSUMMARY\tHELP")
	for _, r := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Summary, r.HelpURL)
	}
	return tw.Flush()
}

// ruleDocumentation is a rule's long documentation in Markdown, built only
// from the rule's fields: `rules --explain` prints it and docs/rules/ID.md
// holds it, so a rule's documentation changes with its code or not at all.
func ruleDocumentation(r *lint.Rule) string {
	// A rule without a Check is reported by the engine about ignore
	// directives once it has applied them: it is not about Docker, and no
	// directive can reach its findings.
	aboutDirectives := r.Check == nil
	why := "Why it breaks after the dockershim removal"
	if aboutDirectives {
		why = "Why it matters"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: %s\n\n", r.ID, r.Name)
	fmt.Fprintf(&b, "Default severity: **%s**\n\n", r.Severity)
	fmt.Fprintf(&b, "## What it finds\n\n%s\n\n", r.Summary)
	fmt.Fprintf(&b, "## %s\n\n%s\n\n", why, strings.TrimSpace(r.Doc.Rationale))
	fmt.Fprintf(&b, "## How to fix it\n\n%s\n\nMore: <%s>\n\n", strings.TrimSpace(r.Help), r.HelpURL)
	fmt.Fprintf(&b, "## Example\n\nBefore:\n\n%s\nAfter:\n\n%s\n", codeBlock(r.Doc.Before), codeBlock(r.Doc.After))
	b.WriteString("## How to suppress it\n\n")
	if aboutDirectives {
		fmt.Fprintf(&b, "Its findings are about ignore directives themselves, so no directive suppresses them: "+
			"fix the directive, or turn the rule off with `--disable %s`.\n", r.ID)
		return b.String()
	}
	fmt.Fprintf(&b, "When the finding is expected, say why in a comment on the line of the finding or the line above it:\n\n"+
		"```yaml\n# %[1]s %[2]s -- the reason it is fine here\n```\n\n"+
		"To accept every finding of the rule on one object, annotate it:\n\n"+
		"```yaml\nmetadata:\n  annotations:\n    %[3]s: \"%[2]s -- the reason it is fine here\"\n```\n\n"+
		"A directive without a reason suppresses nothing. To skip the rule on a whole run, use `--disable %[2]s`.\n",
		lint.IgnoreDirective, r.ID, lint.IgnoreAnnotation)
	return b.String()
}

// codeBlock fences an example without a language: most are YAML, but agent
// configuration examples are in the agent's own format.
func codeBlock(text string) string {
	return "```\n" + strings.TrimRight(text, "\n") + "\n```\n"
}

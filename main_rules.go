package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

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

func listRules(c *cli.Context, stdout io.Writer) error {
	format := flagContext(c, "format").String("format")
	all := rules.All()
	switch format {
	case "text":
		return writeRulesText(stdout, all)
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
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(infos)
	}
	return usagef("unknown format %q for rules (want text or json)", format)
}

func writeRulesText(w io.Writer, all []*lint.Rule) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSEVERITY\tSUMMARY\tHELP")
	for _, r := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Summary, r.HelpURL)
	}
	return tw.Flush()
}

package lint

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strconv"
)

// GitLabWriter writes a GitLab Code Quality report: a JSON array of issues
// in the Code Climate format, which merge requests show as a widget and as
// annotations on the changed lines. Input errors are issues too
// (check_name "input-error"), so a broken run does not look clean there.
type GitLabWriter struct {
	// WorkDir is the absolute working directory. GitLab matches paths
	// against the repository, so they are made relative to it as SARIF
	// and GitHub annotations are.
	WorkDir string
}

type gitlabIssue struct {
	Type        string         `json:"type"`
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
	End   int `json:"end,omitempty"`
}

// gitlabSeverities maps ours onto Code Quality's info, minor, major,
// critical and blocker; blocker is kept for input errors.
var gitlabSeverities = map[Severity]string{
	SeverityError:   "critical",
	SeverityWarning: "major",
	SeverityNote:    "info",
}

func (g *GitLabWriter) Write(w io.Writer, r *Report) error {
	issues := make([]gitlabIssue, 0, len(r.Findings)+len(r.Errors))
	for i := range r.Findings {
		f := &r.Findings[i]
		issues = append(issues, gitlabIssue{
			Type:        "issue",
			Description: f.TextWithObject(),
			CheckName:   f.Rule,
			Fingerprint: f.Fingerprint(),
			Severity:    cmp.Or(gitlabSeverities[f.Severity], "major"),
			Location:    g.location(f.File, f.Line, f.EndLine),
		})
	}
	for _, e := range r.Errors {
		// An error has no object or field to identify it by; its place
		// and message do.
		h := sha256.Sum256([]byte(e.File + "\x00" + strconv.Itoa(e.Line) + "\x00" + e.Message))
		issues = append(issues, gitlabIssue{
			Type:        "issue",
			Description: e.Message,
			CheckName:   "input-error",
			Fingerprint: hex.EncodeToString(h[:16]),
			Severity:    "blocker",
			Location:    g.location(e.File, e.Line, 0),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(issues)
}

// location is a Code Quality location. Lines are 1-based and required: an
// error without a line points at the first.
func (g *GitLabWriter) location(file string, line, endLine int) gitlabLocation {
	p, _ := repoPath(g.WorkDir, file)
	loc := gitlabLocation{Path: p, Lines: gitlabLines{Begin: max(line, 1)}}
	if endLine > loc.Lines.Begin {
		loc.Lines.End = endLine
	}
	return loc
}

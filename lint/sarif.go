package lint

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// The SARIF log is written from hand-made structs rather than with
// owenrumney/go-sarif: that library has no run.columnKind, reaches rule
// properties and partialFingerprints only through generic bags, and orders
// and omits fields its own way. Plain structs keep the output a reviewer
// reads in the golden file the same as the code that produces it, and make
// a new field (suppressions) one struct field and one assignment.

const (
	sarifSchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	toolName       = "dockershim-lint"
	toolInfoURI    = "https://github.com/dockershim-lint/dockershim-lint"
	// srcRoot is the conventional base for paths relative to the checkout,
	// which GitHub resolves against the repository root.
	srcRoot = "%SRCROOT%"

	// GitHub code scanning rejects a run with more results, and an upload
	// larger than this once gzipped.
	githubMaxResults         = 25000
	githubMaxCompressedBytes = 10 << 20
)

// SARIFWriter writes a SARIF 2.1.0 log that GitHub code scanning accepts.
type SARIFWriter struct {
	// WorkDir is the absolute directory the user ran in. Result URIs are
	// relative to it, so it must be the checkout root for GitHub to open the
	// right files; absolute paths outside it become file:// URIs.
	WorkDir string
	// Category is --sarif-category: GitHub keeps the alerts of each
	// category apart, so several analyses of one repository do not close
	// each other's alerts.
	Category string

	// maxResults and maxCompressed override GitHub's limits in tests, which
	// cannot afford a 10 MB log; zero means GitHub's value.
	maxResults    int
	maxCompressed int
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	AutomationDetails  *sarifAutomationDetails     `json:"automationDetails,omitempty"`
	Invocations        []sarifInvocation           `json:"invocations"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
	ColumnKind         string                      `json:"columnKind"`
	Results            []sarifResult               `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string            `json:"name"`
	Version         string            `json:"version,omitempty"`
	SemanticVersion string            `json:"semanticVersion,omitempty"`
	InformationURI  string            `json:"informationUri"`
	Rules           []sarifDescriptor `json:"rules"`
}

type sarifDescriptor struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name,omitempty"`
	ShortDescription     *sarifMessage      `json:"shortDescription,omitempty"`
	FullDescription      *sarifMessage      `json:"fullDescription,omitempty"`
	Help                 *sarifMessage      `json:"help,omitempty"`
	HelpURI              string             `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           sarifRuleProps     `json:"properties"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags             []string `json:"tags"`
	Precision        string   `json:"precision,omitempty"`
	SecuritySeverity string   `json:"security-severity,omitempty"`
}

type sarifMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifAutomationDetails struct {
	ID string `json:"id"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	WorkingDirectory    *sarifArtifactLoc   `json:"workingDirectory,omitempty"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifMessage       `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	RelatedLocations    []sarifLocation    `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifSuppression struct {
	Kind          string         `json:"kind"`
	Justification string         `json:"justification,omitempty"`
	Location      *sarifLocation `json:"location,omitempty"`
}

type sarifLocation struct {
	ID               *int                   `json:"id,omitempty"`
	PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogicalLocation `json:"logicalLocations,omitempty"`
	Message          *sarifMessage          `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
}

type sarifArtifactLoc struct {
	URI         string        `json:"uri"`
	URIBaseID   string        `json:"uriBaseId,omitempty"`
	Description *sarifMessage `json:"description,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

type sarifLogicalLocation struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

func (s *SARIFWriter) Write(w io.Writer, r *Report) error {
	rules := newRuleTable(r.Rules)
	// Suppressed findings stay in the log, in file order among the others,
	// so that code scanning shows them as dismissed with their reason
	// rather than as fixed.
	findings := r.Findings
	if len(r.Suppressed) > 0 {
		findings = slices.Concat(r.Findings, r.Suppressed)
		SortFindings(findings)
	}
	results := make([]sarifResult, len(findings))
	for i := range findings {
		results[i] = s.result(&findings[i], rules)
	}

	inv := sarifInvocation{ExecutionSuccessful: len(r.Errors) == 0}
	for _, e := range r.Errors {
		n := sarifNotification{Level: "error", Message: sarifMessage{Text: e.Message}}
		if e.File != "" {
			n.Locations = []sarifLocation{{PhysicalLocation: s.physical(Position{File: e.File, Line: e.Line})}}
		}
		inv.Notifications = append(inv.Notifications, n)
	}

	semver := semanticVersion(r.Version)
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: toolName,
			// SARIF consumers compare versions that start with a digit.
			Version:         cmp.Or(semver, r.Version),
			SemanticVersion: semver,
			InformationURI:  toolInfoURI,
			Rules:           rules.descriptors,
		}},
		ColumnKind: "unicodeCodePoints",
	}
	if s.Category != "" {
		// GitHub takes everything up to the last slash of the id as the
		// category; without a trailing slash "a/b" would be category "a/".
		id := s.Category
		if !strings.HasSuffix(id, "/") {
			id += "/"
		}
		run.AutomationDetails = &sarifAutomationDetails{ID: id}
	}
	if s.WorkDir != "" {
		root := sarifArtifactLoc{URI: fileURI(s.WorkDir, true)}
		// GitHub needs the checkout path to place file:// URIs, and other
		// SARIF viewers need %SRCROOT% to open relative ones.
		inv.WorkingDirectory = &root
		run.OriginalURIBaseIDs = map[string]sarifArtifactLoc{srcRoot: root}
	}

	maxResults := cmp.Or(s.maxResults, githubMaxResults)
	maxCompressed := cmp.Or(s.maxCompressed, githubMaxCompressedBytes)
	order := severityOrder(findings)
	keep := min(len(results), maxResults)
	for {
		run.Results = keptResults(results, order, keep)
		run.Invocations = []sarifInvocation{withDropNotice(inv, len(results), keep, maxResults, maxCompressed)}
		out, err := encodeSARIF(&sarifLog{Schema: sarifSchemaURI, Version: "2.1.0", Runs: []sarifRun{run}})
		if err != nil {
			return err
		}
		// Compressed only when the plain text is past the limit: gzip
		// never makes JSON larger, and most runs should not pay for it.
		size := len(out)
		if size > maxCompressed {
			if size, err = gzipSize(out); err != nil {
				return err
			}
		}
		if size <= maxCompressed || keep == 0 {
			_, err = w.Write(out)
			return err
		}
		// Results dominate the size, so shrinking them in proportion with
		// a margin converges in a few rounds.
		keep = min(keep-1, int(float64(keep)*float64(maxCompressed)/float64(size)*0.9))
		keep = max(keep, 0)
	}
}

func (s *SARIFWriter) result(f *Finding, rules *ruleTable) sarifResult {
	loc := sarifLocation{PhysicalLocation: s.resultPhysical(f.Position)}
	// An ignore comment, unlike an annotation, belongs to no object.
	if f.Object.Kind != "" {
		loc.LogicalLocations = []sarifLogicalLocation{logicalLocation(f.Object)}
	}
	res := sarifResult{
		RuleID:              f.Rule,
		RuleIndex:           rules.index(f),
		Level:               sarifLevel(f.Severity),
		Message:             sarifMessage{Text: f.Text()},
		Locations:           []sarifLocation{loc},
		PartialFingerprints: map[string]string{SARIFFingerprintKey: f.Fingerprint()},
	}
	if len(f.Related) > 0 {
		res.Message.Text = linkRelated(f)
	}
	for i, rel := range f.Related {
		// Ids start at 1 so that a message can link one as [text](1).
		id := i + 1
		rl := sarifLocation{ID: &id, PhysicalLocation: s.resultPhysical(rel.Position)}
		if rel.Message != "" {
			rl.Message = &sarifMessage{Text: rel.Message}
		}
		res.RelatedLocations = append(res.RelatedLocations, rl)
	}
	for _, sup := range f.Suppressions {
		res.Suppressions = append(res.Suppressions, sarifSuppression{
			Kind:          sup.Kind,
			Justification: sup.Justification,
			Location:      &sarifLocation{PhysicalLocation: s.physical(sup.Position)},
		})
	}
	return res
}

// linkRelated is the message of a finding with related locations: code
// scanning shows a related location only when the message links it by id
// ("[values.yaml:7](1)"), so each is linked after the text. Brackets and
// backslashes of the text itself are escaped, as SARIF's embedded links
// require, so they never read as links.
func linkRelated(f *Finding) string {
	escape := strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`)
	var b strings.Builder
	b.WriteString(escape.Replace(f.Text()))
	for i, rel := range f.Related {
		if i == 0 {
			b.WriteString(" Related: ")
		} else {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "[%s](%d)", escape.Replace(rel.Position.String()), i+1)
		if rel.Message != "" {
			b.WriteString(" (" + escape.Replace(rel.Message) + ")")
		}
	}
	return b.String()
}

// resultPhysical is physical for results, which GitHub rejects without a
// region: a finding with no known line points at the top of its file.
func (s *SARIFWriter) resultPhysical(p Position) *sarifPhysicalLocation {
	pl := s.physical(p)
	if pl.Region == nil {
		pl.Region = &sarifRegion{StartLine: 1}
	}
	return pl
}

func (s *SARIFWriter) physical(p Position) *sarifPhysicalLocation {
	pl := &sarifPhysicalLocation{ArtifactLocation: s.artifact(p.File)}
	if p.Line > 0 {
		reg := &sarifRegion{StartLine: p.Line, StartColumn: p.Column}
		if p.EndLine > 0 {
			reg.EndLine = p.EndLine
			// A missing end column means the end of the line in SARIF,
			// which only makes sense with a known end line.
			reg.EndColumn = p.EndColumn
		}
		pl.Region = reg
	}
	return pl
}

// artifact turns a file as the user named it into the URI GitHub resolves
// against the checkout.
func (s *SARIFWriter) artifact(file string) sarifArtifactLoc {
	if file == StdinName {
		// There is no file to open, but GitHub rejects a result without
		// a URI; leaving out %SRCROOT% says this one is not a repository
		// path.
		return sarifArtifactLoc{URI: "stdin", Description: &sarifMessage{Text: "standard input"}}
	}
	p, inside := repoPath(s.WorkDir, file)
	if !inside {
		return sarifArtifactLoc{URI: fileURI(p, false)}
	}
	return sarifArtifactLoc{URI: escapePath(p), URIBaseID: srcRoot}
}

// repoPath returns file relative to workDir, with forward slashes, and true
// when it lies inside workDir; otherwise its absolute path and false. A
// relative file is relative to workDir already; with no workDir it is kept
// as given, since nothing can resolve it.
func repoPath(workDir, file string) (string, bool) {
	native := filepath.FromSlash(file)
	if !filepath.IsAbs(native) {
		if workDir == "" {
			return path.Clean(filepath.ToSlash(native)), true
		}
		native = filepath.Join(workDir, native)
	}
	if workDir != "" {
		if rel, ok := RelativeTo(workDir, native); ok {
			return filepath.ToSlash(rel), true
		}
	}
	return native, false
}

// fileURI is the file:// URI of an absolute path; directories end in a slash
// because SARIF resolves relative references against them.
func fileURI(abs string, dir bool) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		// A Windows drive path: file:///C:/x. The colon must stay literal.
		p = "/" + p
	}
	u := "file://" + escapePath(p)
	if dir && !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// escapePath percent-encodes a slash-separated path as RFC 3986 path
// segments. A colon is kept only as a Windows drive letter: in a relative
// reference it would read as a scheme.
func escapePath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("-._~!$&'()*+,;=@/", c) >= 0:
			b.WriteByte(c)
		case c == ':' && i == 2 && p[0] == '/' && isLetter(p[1]):
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func isLetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func logicalLocation(o ObjectRef) sarifLogicalLocation {
	fqn := o.Kind + "/" + o.Name
	if o.Namespace != "" {
		fqn = o.Namespace + "/" + fqn
	}
	return sarifLogicalLocation{Name: o.Name, FullyQualifiedName: fqn, Kind: "resource"}
}

func sarifLevel(s Severity) string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityNote:
		return "note"
	default:
		return "warning"
	}
}

var semverRE = regexp.MustCompile(`^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$`)

// semanticVersion is the SemVer form of a build version, or "" for builds
// without one, such as "(devel)".
func semanticVersion(v string) string {
	if m := semverRE.FindStringSubmatch(v); m != nil {
		return m[1]
	}
	return ""
}

// ruleTable is tool.driver.rules: every rule that ran, in order, then any
// rule a finding names that was not in the report (a user-defined rule),
// so every ruleIndex resolves.
type ruleTable struct {
	descriptors []sarifDescriptor
	byID        map[string]int
}

func newRuleTable(rules []*Rule) *ruleTable {
	t := &ruleTable{descriptors: []sarifDescriptor{}, byID: map[string]int{}}
	for _, r := range rules {
		if _, dup := t.byID[r.ID]; dup {
			continue
		}
		t.byID[r.ID] = len(t.descriptors)
		t.descriptors = append(t.descriptors, ruleDescriptor(r))
	}
	return t
}

func (t *ruleTable) index(f *Finding) int {
	if i, ok := t.byID[f.Rule]; ok {
		return i
	}
	i := len(t.descriptors)
	t.byID[f.Rule] = i
	t.descriptors = append(t.descriptors, ruleDescriptor(&Rule{
		ID:       f.Rule,
		Severity: f.Severity,
		Summary:  "Rule " + f.Rule + ", which is not one of dockershim-lint's built-in rules.",
		HelpURL:  f.Help,
	}))
	return i
}

func ruleDescriptor(r *Rule) sarifDescriptor {
	d := sarifDescriptor{
		ID:                   r.ID,
		Name:                 r.Name,
		HelpURI:              r.HelpURL,
		DefaultConfiguration: sarifConfiguration{Level: sarifLevel(r.Severity)},
		Properties: sarifRuleProps{
			Tags:             ruleTags(r),
			Precision:        r.Precision,
			SecuritySeverity: r.SecuritySeverity,
		},
	}
	if r.Summary != "" {
		d.ShortDescription = &sarifMessage{Text: r.Summary}
	}
	if full := cmp.Or(r.Doc.Rationale, r.Summary); full != "" {
		d.FullDescription = &sarifMessage{Text: full}
	}
	if text, md := ruleHelp(r); text != "" {
		d.Help = &sarifMessage{Text: text, Markdown: md}
	}
	return d
}

// ruleTags always marks the runtime migration, and security where a finding
// hands out node-level access, which is what GitHub's security tab lists.
func ruleTags(r *Rule) []string {
	tags := []string{"dockershim", "container-runtime"}
	if r.SecuritySeverity != "" {
		tags = append(tags, "security")
	}
	for _, t := range r.Tags {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	return tags
}

// ruleHelp is the rule's help as plain text and as the markdown GitHub shows
// beside an alert: what to change, the migration guide, and the example.
func ruleHelp(r *Rule) (text, md string) {
	var t, m strings.Builder
	section := func(s string) {
		if t.Len() > 0 {
			t.WriteString("\n\n")
			m.WriteString("\n\n")
		}
		t.WriteString(s)
	}
	// GitHub rejects a rule without help, so a rule that has none says at
	// least what it finds.
	if help := cmp.Or(r.Help, r.Summary, r.ID); help != "" {
		section(help)
		m.WriteString(help)
	}
	if r.Doc.Rationale != "" {
		section(r.Doc.Rationale)
		m.WriteString(r.Doc.Rationale)
	}
	if r.HelpURL != "" {
		section("Migration guide: " + r.HelpURL)
		fmt.Fprintf(&m, "Migration guide: [%s](%s)", r.HelpURL, r.HelpURL)
	}
	for _, ex := range []struct{ title, yaml string }{{"Before", r.Doc.Before}, {"After", r.Doc.After}} {
		if ex.yaml == "" {
			continue
		}
		body := strings.TrimRight(ex.yaml, "\n")
		section(ex.title + ":\n" + body)
		fmt.Fprintf(&m, "%s:\n\n```yaml\n%s\n```", ex.title, body)
	}
	return t.String(), m.String()
}

// severityOrder lists finding indexes most severe first, in report order
// within a severity, suppressed findings after all others: the results kept
// when GitHub's limits bite.
func severityOrder(findings []Finding) []int {
	order := make([]int, len(findings))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		fa, fb := &findings[a], &findings[b]
		return cmp.Or(
			cmp.Compare(min(len(fa.Suppressions), 1), min(len(fb.Suppressions), 1)),
			cmp.Compare(fb.Severity, fa.Severity),
		)
	})
	return order
}

// keptResults returns the first n results of order, back in report order so
// the log still reads file by file.
func keptResults(results []sarifResult, order []int, n int) []sarifResult {
	if n >= len(results) {
		return results
	}
	idx := slices.Clone(order[:n])
	slices.Sort(idx)
	kept := make([]sarifResult, len(idx))
	for i, j := range idx {
		kept[i] = results[j]
	}
	return kept
}

func withDropNotice(inv sarifInvocation, total, kept, maxResults, maxCompressed int) sarifInvocation {
	if kept >= total {
		return inv
	}
	inv.Notifications = append(slices.Clone(inv.Notifications), sarifNotification{
		Level: "warning",
		Message: sarifMessage{Text: fmt.Sprintf(
			"%d of %d results were dropped to stay within GitHub code scanning's limits "+
				"(%d results per run, %d bytes compressed); the %d most severe were kept. "+
				"Run with --format json to see every finding.",
			total-kept, total, maxResults, maxCompressed, kept)},
	})
	return inv
}

func encodeSARIF(log *sarifLog) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Messages quote YAML and paths such as <stdin>; \u003c would only
	// make them harder to read.
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(log); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func gzipSize(data []byte) (int, error) {
	var c countingWriter
	zw := gzip.NewWriter(&c)
	if _, err := zw.Write(data); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return int(c), nil
}

type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

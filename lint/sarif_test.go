package lint

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"go.yaml.in/yaml/v3"
)

// The golden tests of package lint share one -update flag, and Go refuses a
// flag defined twice: whichever test file gets here first defines it.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updateGoldens() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// checkGolden compares got with the golden file, or rewrites it under -update.
func checkGolden(t *testing.T, golden string, got []byte) {
	t.Helper()
	if updateGoldens() {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./lint -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test ./lint -update and review the diff):\n%s", golden, got)
	}
}

const sampleWorkDir = "/home/runner/work/shop/shop"

var (
	socketRule = &Rule{
		ID:        "docker-socket",
		Name:      "DockerSocket",
		Severity:  SeverityError,
		Summary:   "Mounts the Docker Engine socket from the node.",
		Help:      "Talk to the CRI socket (containerd or CRI-O) instead, or drop the mount.",
		HelpURL:   "https://kubernetes.io/docs/tasks/administer-cluster/migrating-from-dockershim/check-if-dockershim-removal-affects-you/",
		Doc:       RuleDoc{Rationale: "Nodes without Docker Engine have no /var/run/docker.sock.", Before: "hostPath:\n  path: /var/run/docker.sock\n", After: "hostPath:\n  path: /run/containerd/containerd.sock\n"},
		Tags:      []string{"hostPath", "security"},
		Precision: "very-high",
		// Access to the Docker socket is root on the node.
		SecuritySeverity: "9.0",
	}
	hostEnvRule = &Rule{
		ID:        "docker-host-env",
		Name:      "DockerHostEnv",
		Severity:  SeverityWarning,
		Summary:   "Sets DOCKER_HOST for a container.",
		Help:      "Remove DOCKER_HOST; the Docker API is not served by the node.",
		HelpURL:   "https://kubernetes.io/docs/tasks/administer-cluster/migrating-from-dockershim/",
		Precision: "high",
	}
	// A rule that ran but found nothing still belongs in the driver.
	shimRule = &Rule{
		ID:        "dockershim-socket",
		Name:      "DockershimSocket",
		Severity:  SeverityError,
		Summary:   "Mounts dockershim.sock, removed in Kubernetes 1.24.",
		Precision: "very-high",
	}
)

// sampleReport has every shape the writers must handle: several rules, one
// without results and one not in Rules, related locations, Helm sources,
// stdin, paths with spaces and non-ASCII, an absolute path inside the working
// directory, an unknown line and input errors.
func sampleReport() *Report {
	templateSpec := KeyPath("spec", "template", "spec")
	deployment := ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "prod", Name: "shop"}
	agent := ObjectRef{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "agent"}
	findings := []Finding{
		{
			Rule: "docker-socket", Severity: SeverityError,
			Message:  "mounts /var/run/docker.sock (volume docker-sock)",
			Position: Position{File: "deploy/shop.yaml", Line: 31, Column: 17, EndLine: 31, EndColumn: 37},
			Object:   deployment, Field: templateSpec.Append(Key("volumes"), Index(0), Key("hostPath"), Key("path")),
			Help:    socketRule.HelpURL,
			Related: []Related{{Position: Position{File: "deploy/shop.yaml", Line: 24, Column: 13}, Message: "mounted here by container shop"}},
		},
		{
			Rule: "docker-socket", Severity: SeverityError,
			Message:  "mounts /var/run/docker.sock (volume dockersocket) [chart agent with values.yaml]",
			Position: Position{File: "charts/agent/templates/daemonset.yaml", Line: 40, Column: 11},
			Object:   agent, Field: templateSpec.Append(Key("volumes"), Index(1), Key("hostPath"), Key("path")),
			Help: socketRule.HelpURL,
			Related: []Related{
				{Position: Position{File: "charts/agent/values.yaml", Line: 8, Column: 15, EndLine: 8, EndColumn: 35}, Message: "value of .Values.dockerSocket"},
				{Position: Position{File: "charts/agent/templates/_helpers.tpl", Line: 3, Column: 1}},
			},
		},
		{
			Rule: "docker-host-env", Severity: SeverityWarning,
			Message:  "sets DOCKER_HOST, a comma, and a colon: tcp://localhost:2375",
			Position: Position{File: "deploy/my app/job #1 100%.yaml", Line: 9, Column: 20, EndLine: 9, EndColumn: 42},
			Object:   ObjectRef{APIVersion: "batch/v1", Kind: "Job", Namespace: "ci", Name: "build"},
			Field:    templateSpec.Append(Key("containers"), Index(0), Key("env"), Index(0), Key("value")),
			Help:     hostEnvRule.HelpURL,
		},
		{
			Rule: "docker-host-env", Severity: SeverityWarning,
			Message:  "sets DOCKER_HOST\nin two lines",
			Position: Position{File: "déploiement/cœur.yaml", Line: 5, Column: 3},
			Object:   ObjectRef{APIVersion: "v1", Kind: "Pod", Name: "cœur"},
			Field:    KeyPath("spec", "containers").Append(Index(0), Key("env"), Index(0), Key("value")),
			Help:     hostEnvRule.HelpURL,
		},
		{
			Rule: "docker-socket", Severity: SeverityError,
			Message:  "mounts /var/run/docker.sock (volume sock)",
			Position: Position{File: "<stdin>", Line: 12, Column: 15, EndLine: 12, EndColumn: 35},
			Object:   ObjectRef{APIVersion: "v1", Kind: "Pod", Name: "piped"},
			Field:    KeyPath("spec", "volumes").Append(Index(0), Key("hostPath"), Key("path")),
			Help:     socketRule.HelpURL,
		},
		{
			Rule: "docker-socket", Severity: SeverityError,
			Message:  "mounts /var/run/docker.sock (volume sock)",
			Position: Position{File: sampleWorkDir + "/abs/inside.yaml", Line: 7, Column: 15},
			Object:   ObjectRef{APIVersion: "v1", Kind: "Pod", Namespace: "default", Name: "inside"},
			Field:    KeyPath("spec", "volumes").Append(Index(0), Key("hostPath"), Key("path")),
			Help:     socketRule.HelpURL,
		},
		{
			// A user-defined rule, absent from Report.Rules, on an object
			// whose position is only known to the file.
			Rule: "acme-no-docker-images", Severity: SeverityNote,
			Message:  "uses image docker:24-dind",
			Position: Position{File: "deploy/shop.yaml"},
			Object:   deployment,
			Field:    templateSpec.Append(Key("containers"), Index(1), Key("image")),
		},
	}
	SortFindings(findings)
	return &Report{
		Version:  "v1.2.3",
		Findings: findings,
		Errors: []InputError{
			{File: "broken.yaml", Line: 3, Message: "yaml: line 3: did not find expected key"},
			{File: "charts/bad", Message: "Chart.yaml: apiVersion is required"},
		},
		Rules: []*Rule{socketRule, hostEnvRule, shimRule},
	}
}

func writeSARIF(t *testing.T, s *SARIFWriter, r *Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := s.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decodeSARIF reads back the parts of a log the assertions look at.
func decodeSARIF(t *testing.T, data []byte) sarifLog {
	t.Helper()
	var log sarifLog
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("got %d runs, want 1", len(log.Runs))
	}
	return log
}

// sarifSchema is the OASIS schema beside the validate script; tests that need
// it skip when the shared directory is not there.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	const path = "../../shared/sarif/sarif-schema-2.1.0.json"
	if _, err := os.Stat(path); err != nil {
		t.Skipf("SARIF schema not available: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	schema, err := c.Compile(path)
	if err != nil {
		t.Fatal(err)
	}
	return schema
}

func TestSARIFGolden(t *testing.T) {
	tests := []struct {
		name   string
		writer SARIFWriter
		report *Report
	}{
		{
			name:   "report",
			writer: SARIFWriter{WorkDir: sampleWorkDir, Category: "dockershim-lint"},
			report: sampleReport(),
		},
		{
			// GitHub rejects file URIs outside the checkout; other SARIF
			// consumers can still open them.
			name:   "outside-workdir",
			writer: SARIFWriter{WorkDir: sampleWorkDir},
			report: &Report{
				Version: "v1.2.3",
				Rules:   []*Rule{socketRule},
				Findings: []Finding{{
					Rule: "docker-socket", Severity: SeverityError,
					Message:  "mounts /var/run/docker.sock (volume sock)",
					Position: Position{File: "/etc/kubernetes/manifests/outside pod.yaml", Line: 7, Column: 15},
					Object:   ObjectRef{APIVersion: "v1", Kind: "Pod", Namespace: "kube-system", Name: "outside"},
					Field:    KeyPath("spec", "volumes").Append(Index(0), Key("hostPath"), Key("path")),
					Help:     socketRule.HelpURL,
				}},
			},
		},
		{
			name:   "clean",
			writer: SARIFWriter{WorkDir: sampleWorkDir},
			report: &Report{Version: "(devel)", Rules: []*Rule{socketRule, hostEnvRule}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := writeSARIF(t, &tt.writer, tt.report)
			checkGolden(t, filepath.Join("testdata", "sarif", tt.name+".sarif"), got)
		})
	}
}

func TestSARIFSchema(t *testing.T) {
	schema := sarifSchema(t)
	tests := []struct {
		name   string
		writer SARIFWriter
		report *Report
	}{
		{name: "sample", writer: SARIFWriter{WorkDir: sampleWorkDir, Category: "ci/lint"}, report: sampleReport()},
		{name: "no work dir", writer: SARIFWriter{}, report: sampleReport()},
		{name: "empty", writer: SARIFWriter{}, report: &Report{}},
		{name: "truncated", writer: SARIFWriter{WorkDir: sampleWorkDir, maxResults: 2}, report: sampleReport()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(writeSARIF(t, &tt.writer, tt.report)))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(doc); err != nil {
				t.Errorf("not valid SARIF 2.1.0: %v", err)
			}
		})
	}
}

func TestSARIFRun(t *testing.T) {
	r := sampleReport()
	log := decodeSARIF(t, writeSARIF(t, &SARIFWriter{WorkDir: sampleWorkDir, Category: "a/b"}, r))
	run := log.Runs[0]

	var ids []string
	for _, d := range run.Tool.Driver.Rules {
		ids = append(ids, d.ID)
	}
	wantIDs := []string{"docker-socket", "docker-host-env", "dockershim-socket", "acme-no-docker-images"}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("driver rules = %v, want %v", ids, wantIDs)
	}
	if len(run.Results) != len(r.Findings) {
		t.Fatalf("got %d results, want %d", len(run.Results), len(r.Findings))
	}
	for i, res := range run.Results {
		if got := run.Tool.Driver.Rules[res.RuleIndex].ID; got != res.RuleID {
			t.Errorf("result %d: ruleIndex %d names %s, ruleId is %s", i, res.RuleIndex, got, res.RuleID)
		}
		if got, want := res.PartialFingerprints[SARIFFingerprintKey], r.Findings[i].Fingerprint(); got != want {
			t.Errorf("result %d: fingerprint %q, want %q", i, got, want)
		}
	}
	if got := run.AutomationDetails; got == nil || got.ID != "a/b/" {
		t.Errorf("automationDetails = %+v, want id a/b/", got)
	}
	if got := run.Tool.Driver.SemanticVersion; got != "1.2.3" {
		t.Errorf("semanticVersion = %q, want 1.2.3", got)
	}
	inv := run.Invocations[0]
	if inv.ExecutionSuccessful {
		t.Error("executionSuccessful is true despite input errors")
	}
	if len(inv.Notifications) != len(r.Errors) {
		t.Errorf("got %d notifications, want one per input error (%d)", len(inv.Notifications), len(r.Errors))
	}
	socket := run.Tool.Driver.Rules[0]
	if socket.Properties.SecuritySeverity != "9.0" || !slices.Contains(socket.Properties.Tags, "security") {
		t.Errorf("docker-socket properties = %+v, want security-severity 9.0 and a security tag", socket.Properties)
	}
	if n := strings.Count(strings.Join(socket.Properties.Tags, ","), "security"); n != 1 {
		t.Errorf("tags %v repeat security", socket.Properties.Tags)
	}
	if md := socket.Help.Markdown; !strings.Contains(md, socketRule.HelpURL) || !strings.Contains(md, "```yaml\nhostPath:") {
		t.Errorf("help.markdown lacks the migration link or the YAML example:\n%s", md)
	}
}

func TestSARIFFingerprintIgnoresLines(t *testing.T) {
	base := sampleReport().Findings[0]
	tests := []struct {
		name string
		edit func(*Finding)
		same bool
	}{
		{name: "lines move", edit: func(f *Finding) { f.Line += 10; f.EndLine += 10; f.Column = 1 }, same: true},
		{name: "message changes", edit: func(f *Finding) { f.Message = "reworded" }, same: true},
		{name: "another field", edit: func(f *Finding) { f.Field = f.Field.Slice(0, 4).Append(Index(1), Key("hostPath"), Key("path")) }, same: false},
		{name: "another object", edit: func(f *Finding) { f.Object.Name = "cart" }, same: false},
		{name: "another rule", edit: func(f *Finding) { f.Rule = "docker-host-env" }, same: false},
	}
	fingerprint := func(f Finding) string {
		log := decodeSARIF(t, writeSARIF(t, &SARIFWriter{}, &Report{Findings: []Finding{f}}))
		return log.Runs[0].Results[0].PartialFingerprints[SARIFFingerprintKey]
	}
	before := fingerprint(base)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base
			tt.edit(&f)
			if after := fingerprint(f); (after == before) != tt.same {
				t.Errorf("fingerprint %s -> %s; want unchanged: %v", before, after, tt.same)
			}
		})
	}
}

func TestSARIFArtifactLocation(t *testing.T) {
	tests := []struct {
		name    string
		workDir string
		file    string
		uri     string
		base    string
	}{
		{name: "relative", workDir: "/repo", file: "deploy/app.yaml", uri: "deploy/app.yaml", base: srcRoot},
		{name: "dot segments", workDir: "/repo", file: "./deploy/../app.yaml", uri: "app.yaml", base: srcRoot},
		{name: "space hash percent", workDir: "/repo", file: "my dir/#1 50%.yaml", uri: "my%20dir/%231%2050%25.yaml", base: srcRoot},
		{name: "non-ASCII", workDir: "/repo", file: "é/ü.yaml", uri: "%C3%A9/%C3%BC.yaml", base: srcRoot},
		{name: "colon would read as a scheme", workDir: "/repo", file: "c:x.yaml", uri: "c%3Ax.yaml", base: srcRoot},
		{name: "absolute inside", workDir: "/repo", file: "/repo/a/b.yaml", uri: "a/b.yaml", base: srcRoot},
		{name: "absolute outside", workDir: "/repo", file: "/other/b c.yaml", uri: "file:///other/b%20c.yaml"},
		{name: "sibling with common prefix", workDir: "/repo", file: "/repository/b.yaml", uri: "file:///repository/b.yaml"},
		{name: "relative outside", workDir: "/repo/sub", file: "../x/y.yaml", uri: "file:///repo/x/y.yaml"},
		{name: "relative above", workDir: "/repo", file: "../x/y.yaml", uri: "file:///x/y.yaml"},
		{name: "no work dir, relative", file: "a/b.yaml", uri: "a/b.yaml", base: srcRoot},
		{name: "no work dir, absolute", file: "/a/b.yaml", uri: "file:///a/b.yaml"},
		{name: "stdin", workDir: "/repo", file: "<stdin>", uri: "stdin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &SARIFWriter{WorkDir: filepath.FromSlash(tt.workDir)}
			got := w.artifact(tt.file)
			if got.URI != tt.uri || got.URIBaseID != tt.base {
				t.Errorf("artifact(%q) = %q base %q, want %q base %q", tt.file, got.URI, got.URIBaseID, tt.uri, tt.base)
			}
		})
	}
}

func TestSARIFRegion(t *testing.T) {
	tests := []struct {
		name string
		pos  Position
		want *sarifRegion
	}{
		{name: "span", pos: Position{Line: 3, Column: 5, EndLine: 3, EndColumn: 9}, want: &sarifRegion{StartLine: 3, StartColumn: 5, EndLine: 3, EndColumn: 9}},
		{name: "no end", pos: Position{Line: 3, Column: 5}, want: &sarifRegion{StartLine: 3, StartColumn: 5}},
		{name: "line only", pos: Position{Line: 3}, want: &sarifRegion{StartLine: 3}},
		{name: "unknown line", pos: Position{}, want: &sarifRegion{StartLine: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.pos.File = "a.yaml"
			got := (&SARIFWriter{}).resultPhysical(tt.pos).Region
			if got == nil || *got != *tt.want {
				t.Errorf("region = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSemanticVersion(t *testing.T) {
	tests := []struct{ version, want string }{
		{"v1.2.3", "1.2.3"},
		{"1.2.3", "1.2.3"},
		{"v0.4.0-rc.1+build.5", "0.4.0-rc.1+build.5"},
		{"v0.0.0-20260101000000-abcdef123456", "0.0.0-20260101000000-abcdef123456"},
		{"(devel)", ""},
		{"", ""},
		{"v1.2", ""},
	}
	for _, tt := range tests {
		if got := semanticVersion(tt.version); got != tt.want {
			t.Errorf("semanticVersion(%q) = %q, want %q", tt.version, got, tt.want)
		}
	}
}

// severityFindings makes findings of the given severities, one file each,
// in report order.
func severityFindings(severities ...Severity) []Finding {
	out := make([]Finding, len(severities))
	for i, s := range severities {
		out[i] = Finding{
			Rule: "docker-socket", Severity: s, Message: s.String(),
			Position: Position{File: fmt.Sprintf("f%06d.yaml", i), Line: 1, Column: 1},
			Object:   ObjectRef{Kind: "Pod", Name: fmt.Sprintf("p%d", i)},
		}
	}
	return out
}

func TestSARIFResultCap(t *testing.T) {
	const (
		N = SeverityNote
		W = SeverityWarning
		E = SeverityError
	)
	tests := []struct {
		name       string
		severities []Severity
		max        int
		// want lists the kept findings by index, in output order.
		want []int
	}{
		{name: "under the cap", severities: []Severity{N, E, W}, max: 3, want: []int{0, 1, 2}},
		{name: "errors first", severities: []Severity{N, E, W, E, N}, max: 2, want: []int{1, 3}},
		{name: "then warnings, in report order", severities: []Severity{W, N, E, W, W}, max: 3, want: []int{0, 2, 3}},
		{name: "notes last", severities: []Severity{N, N, W, N}, max: 2, want: []int{0, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			findings := severityFindings(tt.severities...)
			log := decodeSARIF(t, writeSARIF(t, &SARIFWriter{maxResults: tt.max}, &Report{Findings: findings}))
			run := log.Runs[0]
			var got []int
			for _, res := range run.Results {
				i := slices.IndexFunc(findings, func(f Finding) bool {
					return f.Message == res.Message.Text && f.File == res.Locations[0].PhysicalLocation.ArtifactLocation.URI
				})
				got = append(got, i)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("kept findings %v, want %v", got, tt.want)
			}
			dropped := len(findings) - len(tt.want)
			notes := run.Invocations[0].Notifications
			if dropped == 0 && len(notes) != 0 {
				t.Errorf("unexpected notifications %+v", notes)
			}
			if dropped > 0 && (len(notes) != 1 || !strings.HasPrefix(notes[0].Message.Text, fmt.Sprintf("%d of %d results were dropped", dropped, len(findings)))) {
				t.Errorf("notifications %+v, want one saying %d were dropped", notes, dropped)
			}
			if !run.Invocations[0].ExecutionSuccessful {
				t.Error("dropping results is not a failed execution")
			}
		})
	}
}

// TestSARIFGitHubResultLimit runs GitHub's real limit: the notes past 25,000
// go, every error and warning stays.
func TestSARIFGitHubResultLimit(t *testing.T) {
	severities := slices.Repeat([]Severity{SeverityNote}, githubMaxResults)
	severities = append(severities, SeverityError, SeverityWarning, SeverityError)
	// The severe findings come last in report order, so keeping the first
	// 25,000 would lose them.
	log := decodeSARIF(t, writeSARIF(t, &SARIFWriter{}, &Report{Findings: severityFindings(severities...)}))
	run := log.Runs[0]
	if len(run.Results) != githubMaxResults {
		t.Fatalf("got %d results, want %d", len(run.Results), githubMaxResults)
	}
	levels := map[string]int{}
	for _, res := range run.Results {
		levels[res.Level]++
	}
	if levels["error"] != 2 || levels["warning"] != 1 || levels["note"] != githubMaxResults-3 {
		t.Errorf("kept levels %v, want 2 errors, 1 warning and the rest notes", levels)
	}
	if notes := run.Invocations[0].Notifications; len(notes) != 1 || !strings.HasPrefix(notes[0].Message.Text, "3 of 25003 results were dropped") {
		t.Errorf("notifications %+v, want one saying 3 of 25003 were dropped", notes)
	}
}

func TestSARIFCompressedLimit(t *testing.T) {
	severities := make([]Severity, 3000)
	for i := range severities {
		severities[i] = Severity(i%3 + 1)
	}
	findings := severityFindings(severities...)
	// Messages that do not compress away make the limit bite.
	for i := range findings {
		findings[i].Message = fmt.Sprintf("%s %x", findings[i].Severity, i*2654435761)
	}
	const limit = 32 << 10
	out := writeSARIF(t, &SARIFWriter{maxCompressed: limit}, &Report{Findings: findings})
	size, err := gzipSize(out)
	if err != nil {
		t.Fatal(err)
	}
	if size > limit {
		t.Errorf("compressed size %d exceeds the limit %d", size, limit)
	}
	run := decodeSARIF(t, out).Runs[0]
	if len(run.Results) == 0 || len(run.Results) >= len(findings) {
		t.Fatalf("kept %d of %d results, want some but not all", len(run.Results), len(findings))
	}
	// Every error must be kept before any warning, every warning before
	// any note.
	kept := map[string]int{}
	for _, res := range run.Results {
		kept[res.Level]++
	}
	total := len(findings) / 3
	switch {
	case kept["warning"] > 0 && kept["error"] != total, kept["note"] > 0 && kept["warning"] != total:
		t.Errorf("kept %v of %d per level: a less severe result displaced a more severe one", kept, total)
	}
	if notes := run.Invocations[0].Notifications; len(notes) != 1 || notes[0].Level != "warning" {
		t.Errorf("notifications %+v, want one warning about dropped results", notes)
	}
}

func TestGzipSize(t *testing.T) {
	data := bytes.Repeat([]byte(`{"ruleId": "docker-socket"}`), 1000)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if got, err := gzipSize(data); err != nil || got != buf.Len() {
		t.Errorf("gzipSize = %d, %v; gzip wrote %d bytes", got, err, buf.Len())
	}
}

func TestNewWriterSARIF(t *testing.T) {
	w, err := NewWriter("sarif", WriterOptions{WorkDir: "/repo", SARIFCategory: "lint"})
	if err != nil {
		t.Fatal(err)
	}
	s, ok := w.(*SARIFWriter)
	if !ok || s.WorkDir != "/repo" || s.Category != "lint" {
		t.Errorf("NewWriter(sarif) = %#v, want a SARIFWriter with the options' work dir and category", w)
	}
}

// TestSARIFRegionFromSource reports scalars written with escapes, a doubled
// quote, folding over lines and an anchor and tag, through an object that
// keeps its text: the SARIF region spans the scalar as written.
func TestSARIFRegionFromSource(t *testing.T) {
	src := "a: \"\\t/var/run/docker.sock\"\nb: 'it''s'\nc: unix:///var/run/\n  docker.sock\nd: &s !!str /var/run/docker.sock\n"
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	obj := &Object{ObjectRef: ObjectRef{Kind: "ConfigMap", Name: "c"}, File: "c.yaml", Node: doc.Content[0], Lines: IndexLines([]byte(src))}
	rule := &Rule{ID: "probe", Severity: SeverityError, Check: func(p *Pass) {
		for k, v := range Entries(p.Object.Node) {
			p.Reportf(v, KeyPath(k.Value), "value")
		}
	}}
	e := Engine{Rules: []*Rule{rule}}
	findings := e.Check([]*Object{obj})
	data := writeSARIF(t, &SARIFWriter{}, &Report{Version: "v1", Findings: findings, Rules: []*Rule{rule}})
	log := decodeSARIF(t, data)
	want := []sarifRegion{
		{StartLine: 1, StartColumn: 4, EndLine: 1, EndColumn: 28},
		{StartLine: 2, StartColumn: 4, EndLine: 2, EndColumn: 11},
		{StartLine: 3, StartColumn: 4, EndLine: 4, EndColumn: 14},
		{StartLine: 5, StartColumn: 13, EndLine: 5, EndColumn: 33},
	}
	results := log.Runs[0].Results
	if len(results) != len(want) {
		t.Fatalf("got %d results, want %d", len(results), len(want))
	}
	for i, r := range results {
		if got := *r.Locations[0].PhysicalLocation.Region; got != want[i] {
			t.Errorf("result %d region = %+v, want %+v", i, got, want[i])
		}
	}
}

package rules

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/lint/linttest"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
)

// agentWantComment matches the fixtures' expectations. Fluent Bit has no
// end-of-line comments, so a want comment inside one of its files would
// become part of a value: fixtures are linted with the comments blanked
// out, which moves no line or column before them.
var agentWantComment = regexp.MustCompile(`[ \t]*#\s*want:.*`)

// lintAgentFixture decodes one fixture and runs rules over it.
func lintAgentFixture(t *testing.T, path string, rules []*lint.Rule) ([]linttest.Want, []lint.Finding) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.ToSlash(path)
	objects, err := manifest.Decode(name, agentWantComment.ReplaceAll(src, nil))
	if err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
	engine := lint.Engine{Rules: rules}
	return linttest.ParseWants(t, name, src), engine.Check(objects)
}

func TestVendorFixtures(t *testing.T) {
	for _, dir := range []string{"testdata/agents", "testdata/agentconfig"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no fixtures in %s: %v", dir, err)
		}
		for _, path := range files {
			t.Run(filepath.Base(path), func(t *testing.T) {
				wants, findings := lintAgentFixture(t, path, vendorRules())
				linttest.Match(t, wants, findings)
			})
		}
	}
}

// agentFindingAt returns the finding of rule on line of file.
func agentFindingAt(t *testing.T, findings []lint.Finding, rule string, line int) lint.Finding {
	t.Helper()
	for _, f := range findings {
		if f.Rule == rule && f.Line == line {
			return f
		}
	}
	t.Fatalf("no %s finding on line %d; got %v", rule, line, findings)
	return lint.Finding{}
}

func TestAgentFindings(t *testing.T) {
	tests := []struct {
		file     string
		rule     string
		line     int
		column   int
		severity lint.Severity
		field    string
		contains []string
	}{
		{
			file: "datadog.yaml", rule: "agent-datadog", line: 19, column: 18, severity: lint.SeverityError,
			field: "spec.template.spec.containers[0].image",
			contains: []string{
				"DaemonSet runs Datadog (image gcr.io/datadoghq/agent:7.29.0)",
				"mounts /var/run (volume runtime-socket)",
				"sets DOCKER_HOST",
				"datadog.criSocketPath",
			},
		},
		{
			file: "datadog.yaml", rule: "agent-datadog", line: 43, column: 18, severity: lint.SeverityError,
			contains: []string{"Datadog Agent v5 (docker-dd-agent) only supports Docker Engine", "Upgrade to Agent v7"},
		},
		{
			file: "datadog.yaml", rule: "agent-datadog", line: 56, severity: lint.SeverityNote,
			contains: []string{"without a Docker Engine dependency", "https://docs.datadoghq.com/agent/guide/docker-deprecation/"},
		},
		{
			file: "datadog.yaml", rule: "agent-datadog", line: 69, column: 9, severity: lint.SeverityError,
			field:    "metadata.name",
			contains: []string{`looks like Datadog (metadata.name "datadog-agent-mirrored"`, "mounts /var/run/docker.sock"},
		},
		{
			file: "datadog.yaml", rule: "agent-datadog", line: 115, severity: lint.SeverityNote,
			field:    "metadata.name",
			contains: []string{"operator create the agent DaemonSet", "https://docs.datadoghq.com/agent/guide/docker-deprecation/"},
		},
		{
			file: "falco.yaml", rule: "agent-falco", line: 11, severity: lint.SeverityError,
			contains: []string{"falcosecurity/falco-no-driver:0.30.0", "mounts /var/run/docker.sock", "containerd.enabled=true"},
		},
		{
			file: "falco.yaml", rule: "agent-falco", line: 48, severity: lint.SeverityNote,
			field:    "metadata.name",
			contains: []string{`metadata.labels["app.kubernetes.io/name"] "falco"`},
		},
		{
			file: "falco.yaml", rule: "agent-falco", line: 66, severity: lint.SeverityNote,
			field: "spec.containers[0].image",
		},
		{
			file: "prisma-cloud.yaml", rule: "agent-prisma-cloud", line: 11, severity: lint.SeverityError,
			contains: []string{"--cri flag"},
		},
		{
			file: "signalfx.yaml", rule: "agent-signalfx", line: 23, severity: lint.SeverityNote,
			contains: []string{`spec.template.spec.containers[0].name "signalfx-agent"`},
		},
		{
			file: "kubectl-flame.yaml", rule: "agent-kubectl-flame", line: 12, severity: lint.SeverityError,
			contains: []string{"does not support runtimes other than Docker"},
		},
		{
			file: "kubectl-flame.yaml", rule: "agent-kubectl-flame", line: 17, severity: lint.SeverityError,
			field: "metadata.name",
		},
		{
			file: "aqua.yaml", rule: "agent-aqua", line: 11, severity: lint.SeverityNote,
			contains: []string{"mounts /var/run (volume var-run)", "no change is needed"},
		},
		{
			file: "dynatrace.yaml", rule: "agent-dynatrace", line: 34, severity: lint.SeverityNote,
			contains: []string{`OneAgent "oneagent" makes the Dynatrace OneAgent operator create the agent DaemonSet`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file+":"+tt.rule, func(t *testing.T) {
			_, findings := lintAgentFixture(t, filepath.Join("testdata", "agents", tt.file), vendorRules())
			f := agentFindingAt(t, findings, tt.rule, tt.line)
			if f.Severity != tt.severity {
				t.Errorf("severity = %s, want %s (%s)", f.Severity, tt.severity, f.Message)
			}
			if tt.column != 0 && f.Column != tt.column {
				t.Errorf("column = %d, want %d", f.Column, tt.column)
			}
			if tt.field != "" && f.Field.String() != tt.field {
				t.Errorf("field = %q, want %q", f.Field, tt.field)
			}
			for _, s := range tt.contains {
				if !strings.Contains(f.Message, s) {
					t.Errorf("message %q does not contain %q", f.Message, s)
				}
			}
		})
	}
}

func TestImagePatterns(t *testing.T) {
	tests := []struct {
		pattern, image string
		want           bool
	}{
		{pattern: "datadog/agent", image: "datadog/agent", want: true},
		{pattern: "datadog/agent", image: "datadog/agent:7.29.0", want: true},
		{pattern: "datadog/agent", image: "docker.io/datadog/agent:7", want: true},
		{pattern: "datadog/agent", image: "datadog/agent@sha256:abcd", want: true},
		{pattern: "datadog/agent", image: "mirror.corp:5000/dockerhub/datadog/agent:7", want: true},
		{pattern: "datadog/agent", image: "localhost/datadog/agent", want: true},
		{pattern: "datadog/agent", image: "datadog/cluster-agent:1", want: false},
		{pattern: "datadog/agent", image: "notdatadog/agent", want: false},
		{pattern: "datadog/agent", image: "agent", want: false},
		{pattern: "datadog/agent", image: "", want: false},
		{pattern: "datadoghq/agent", image: "gcr.io/datadoghq/agent:7", want: true},
		{pattern: "datadoghq/agent", image: "eu.gcr.io/datadoghq/agent:7", want: true},
		{pattern: "twistlock/defender", image: "registry-auth.twistlock.com/tw_x/twistlock/defender:defender_21_04", want: true},
		{pattern: "registry.aquasec.com/enforcer", image: "registry.aquasec.com/enforcer:6.2", want: true},
		{pattern: "registry.aquasec.com/enforcer", image: "quay.io/enforcer:6.2", want: false},
		{pattern: "registry.aquasec.com/enforcer", image: "enforcer", want: false},
		{pattern: "falcosecurity/falco", image: "falcosecurity/falco-no-driver:0.30", want: false},
		{pattern: "falcosecurity/falco", image: "FalcoSecurity/Falco:0.30", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+" "+tt.image, func(t *testing.T) {
			if got := parseImagePattern(tt.pattern).matches(parseImagePattern(tt.image)); got != tt.want {
				t.Errorf("matches = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTokenRuns(t *testing.T) {
	tests := []struct {
		name, agentName string
		want            bool
	}{
		{name: "falco", agentName: "falco", want: true},
		{name: "falco-exporter", agentName: "falco", want: true},
		{name: "falcon-api", agentName: "falco", want: false},
		{name: "my_datadog.agent", agentName: "datadog-agent", want: true},
		{name: "datadog-cluster-agent", agentName: "datadog-agent", want: false},
		{name: "Twistlock-Defender-DS", agentName: "twistlock-defender-ds", want: true},
		{name: "defender-ds", agentName: "twistlock-defender-ds", want: false},
		{name: "", agentName: "falco", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name+"~"+tt.agentName, func(t *testing.T) {
			if got := hasTokenRun(tokens(tt.name), tokens(tt.agentName)); got != tt.want {
				t.Errorf("hasTokenRun = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBuiltinAgents(t *testing.T) {
	agents := BuiltinAgents()
	wantIDs := []string{
		"agent-datadog", "agent-dynatrace", "agent-falco", "agent-prisma-cloud",
		"agent-signalfx", "agent-kubectl-flame", "agent-aqua", "agent-sysdig", "agent-lacework",
		"agent-weave-scope", "agent-elastic-beats", "agent-splunk-connect",
	}
	var ids []string
	for _, a := range agents {
		ids = append(ids, a.ID)
	}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("agent ids = %v, want %v", ids, wantIDs)
	}
	// The copy must not alias the parsed list, or a config loader
	// appending user entries would change every later caller's view.
	agents[0].ID = "changed"
	if BuiltinAgents()[0].ID != "agent-datadog" {
		t.Error("BuiltinAgents returns a shared slice")
	}
}

func TestVendorRuleDocs(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range vendorRules() {
		t.Run(r.ID, func(t *testing.T) {
			if seen[r.ID] {
				t.Errorf("duplicate id")
			}
			seen[r.ID] = true
			if !kebabCase.MatchString(r.ID) {
				t.Errorf("id is not kebab-case")
			}
			for field, v := range map[string]string{
				"Name": r.Name, "Summary": r.Summary, "Help": r.Help, "HelpURL": r.HelpURL,
				"Rationale": r.Doc.Rationale, "Before": r.Doc.Before, "After": r.Doc.After, "Precision": r.Precision,
			} {
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s is empty", field)
				}
			}
			if !strings.HasPrefix(r.HelpURL, "https://") {
				t.Errorf("HelpURL %q is not https", r.HelpURL)
			}
			if _, ok := map[lint.Severity]bool{lint.SeverityError: true, lint.SeverityWarning: true, lint.SeverityNote: true}[r.Severity]; !ok {
				t.Errorf("severity %v is invalid", r.Severity)
			}
			if len(r.Tags) == 0 || r.Check == nil {
				t.Errorf("tags %v, check set %v", r.Tags, r.Check != nil)
			}
		})
	}
}

func TestParseAgentsErrors(t *testing.T) {
	valid := "- id: agent-x\n  name: X\n  status: migrate\n  names: [x-agent]\n  link: https://example.com/x\n  change: Do y.\n"
	tests := []struct {
		name, yaml, want string
	}{
		{name: "valid", yaml: valid},
		{name: "empty file", yaml: ""},
		{name: "unknown field", yaml: valid + "  imagez: [x]\n", want: "field imagez not found"},
		{name: "bad status", yaml: strings.Replace(valid, "migrate", "maybe", 1), want: `status "maybe"`},
		{name: "not kebab-case", yaml: strings.Replace(valid, "agent-x", "Agent_X", 1), want: "not kebab-case"},
		{name: "no link", yaml: strings.Replace(valid, "https://example.com/x", "", 1), want: "link"},
		{name: "duplicate id", yaml: valid + valid, want: `"agent-x" is defined twice`},
		{name: "nothing to match", yaml: strings.Replace(valid, "  names: [x-agent]\n", "", 1), want: "no names, images or operators"},
		{name: "operator without kind", yaml: valid + "  operators: [{group: x.io}]\n", want: "needs both group and kind"},
		{name: "reserved tag", yaml: valid + "  tags: [security]\n", want: `tag "security"`},
		{name: "bad precision", yaml: valid + "  precision: total\n", want: "precision"},
		{name: "not a list", yaml: "id: agent-x\n", want: "cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAgents([]byte(tt.yaml))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestUserAgent shows the path a config file's entry takes: parsed with
// the built-in schema, turned into a rule, and matched with no Go code.
func TestUserAgent(t *testing.T) {
	user, err := ParseAgents([]byte(`
- id: agent-acme
  name: ACME Node Monitor
  status: migrate
  names: [acme-monitor]
  images:
    - repository: acme/node-monitor
  link: https://acme.example/docs/containerd
  change: Set ACME_RUNTIME=containerd.
`))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := AgentRules(append(BuiltinAgents(), user...))
	if err != nil {
		t.Fatal(err)
	}
	objects, err := manifest.Decode("acme.yaml", []byte(`apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: monitor
spec:
  template:
    spec:
      containers:
        - name: m
          image: quay.io/acme/node-monitor:3
`))
	if err != nil {
		t.Fatal(err)
	}
	findings := (&lint.Engine{Rules: rules}).Check(objects)
	if len(findings) != 1 || findings[0].Rule != "agent-acme" || findings[0].Line != 10 || findings[0].Help != "https://acme.example/docs/containerd" {
		t.Fatalf("findings = %+v, want one agent-acme finding on line 10", findings)
	}
	if _, err := AgentRules(append(BuiltinAgents(), BuiltinAgents()[0])); err == nil {
		t.Error("AgentRules accepted a duplicate id")
	}
}

package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/lint/linttest"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
	"go.yaml.in/yaml/v3"
)

func TestEmbeddedPosition(t *testing.T) {
	tests := []struct {
		name         string
		src          string
		key          string
		line, column int // inside the embedded text
		wantLine     int
		wantColumn   int
	}{
		{
			name: "literal block",
			src:  "data:\n  agent.yaml: |\n    monitors:\n    - type: x\n",
			key:  "agent.yaml", line: 2, column: 9, wantLine: 4, wantColumn: 13,
		},
		{
			name: "literal block with leading blank line and strip chomping",
			src:  "data:\n  a: |-\n\n    monitors: []\n",
			key:  "a", line: 2, column: 1, wantLine: 4, wantColumn: 5,
		},
		{
			name: "four-space indentation",
			src:  "data:\n    a: |\n        x: 1\n",
			key:  "a", line: 1, column: 4, wantLine: 3, wantColumn: 12,
		},
		{
			name: "indentation indicator: six spaces under a two-space key",
			src:  "data:\n  a: |4\n      x: 1\n      y: 2\n",
			key:  "a", line: 2, column: 3, wantLine: 4, wantColumn: 9,
		},
		{
			name: "indentation indicator below a more-indented first line",
			src:  "data:\n  a: |2-\n      x: 1\n    y: 2\n",
			key:  "a", line: 2, column: 1, wantLine: 4, wantColumn: 5,
		},
		{
			name: "six-space indentation under a two-space key",
			src:  "data:\n  a: |\n      x: 1\n",
			key:  "a", line: 1, column: 4, wantLine: 3, wantColumn: 10,
		},
		{
			name: "literal block with a comment after the indicator",
			src:  "data:\n  a: | # config\n    x: 1\n",
			key:  "a", line: 1, column: 1, wantLine: 3, wantColumn: 5,
		},
		{
			name: "double-quoted: the scalar itself",
			src:  "data:\n  a: \"x: 1\\ny: 2\\n\"\n",
			key:  "a", line: 2, column: 1, wantLine: 2, wantColumn: 6,
		},
		{
			name: "folded: the scalar itself",
			src:  "data:\n  a: >\n    x: 1\n\n    y: 2\n",
			key:  "a", line: 3, column: 1, wantLine: 2, wantColumn: 6,
		},
		{
			name: "plain: the scalar itself",
			src:  "data:\n  a: x\n",
			key:  "a", line: 1, column: 1, wantLine: 2, wantColumn: 6,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tt.src), &doc); err != nil {
				t.Fatal(err)
			}
			value := lint.Path(doc.Content[0], "data", tt.key)
			d := configDoc{obj: &lint.Object{Node: doc.Content[0], Lines: lint.IndexLines([]byte(tt.src))}, value: value}
			n := d.at(tt.line, tt.column, nil)
			if line, column := n.Line, n.Column; line != tt.wantLine || column != tt.wantColumn {
				t.Errorf("position = %d:%d, want %d:%d", line, column, tt.wantLine, tt.wantColumn)
			}
		})
	}
}

func TestParseFluentBit(t *testing.T) {
	src := "[SERVICE]\n    Flush 1\n@INCLUDE inputs.conf\n# [INPUT]\n[input]\n    Name\ttail\n    # Parser docker\n    Path  /var/log/containers/*.log\n    Parser docker\r\n"
	sections := parseFluentBit(src)
	var got []string
	for _, s := range sections {
		for _, e := range s.entries {
			got = append(got, s.name+" "+e.key+"="+e.value+" @"+position(e.line, e.column))
		}
	}
	want := []string{
		"SERVICE Flush=1 @2:5",
		"INPUT Name=tail @6:5",
		"INPUT Path=/var/log/containers/*.log @8:5",
		"INPUT Parser=docker @9:5",
	}
	if !slices.Equal(got, want) {
		t.Errorf("entries:\n got %q\nwant %q", got, want)
	}
	if parseFluentBit("plain text\nwithout sections\n") != nil {
		t.Error("text without sections parsed as Fluent Bit")
	}
}

func TestParseFluentd(t *testing.T) {
	src := "<source>\n  @type tail\n  path /var/log/containers/*.log # the containers\n  <parse>\n    # @type cri\n    @type json\n  </parse>\n</source>\n<label @x>\n  <source>\n    format json#not-a-comment\n  </source>\n</label>\n"
	var got []string
	var walk func(prefix string, ds []*confSection)
	walk = func(prefix string, ds []*confSection) {
		for _, d := range ds {
			for _, e := range d.entries {
				got = append(got, prefix+d.name+" "+e.key+"="+e.value+" @"+position(e.line, e.column))
			}
			walk(prefix+d.name+"/", d.children)
		}
	}
	walk("", parseFluentd(src))
	want := []string{
		"source @type=tail @2:3",
		"source path=/var/log/containers/*.log @3:3",
		"source/parse @type=json @6:5",
		"label/source format=json#not-a-comment @11:5",
	}
	if !slices.Equal(got, want) {
		t.Errorf("entries:\n got %q\nwant %q", got, want)
	}
}

func position(line, column int) string {
	return fmt.Sprintf("%d:%d", line, column)
}

// TestStandaloneAgentConfig lints Smart Agent config files that are not
// Kubernetes objects, decoded as the CLI decodes any file.
func TestStandaloneAgentConfig(t *testing.T) {
	files, err := filepath.Glob("testdata/agentconfig/standalone/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.ToSlash(path)
			objects, err := manifest.Decode(name, src)
			if err != nil {
				t.Fatal(err)
			}
			findings := (&lint.Engine{Rules: All()}).Check(objects)
			linttest.Match(t, linttest.ParseWants(t, name, src), findings)
		})
	}
}

func TestConfigFindingPositions(t *testing.T) {
	tests := []struct {
		file   string
		rule   string
		line   int
		column int
		field  string
	}{
		{file: "signalfx.yaml", rule: "signalfx-docker-container-stats", line: 16, column: 13, field: `data["agent.yaml"]>monitors[2].type`},
		{file: "signalfx.yaml", rule: "signalfx-kubelet-stats", line: 12, column: 13, field: `data["agent.yaml"]>monitors[1].type`},
		{file: "signalfx.yaml", rule: "signalfx-docker-container-stats", line: 44, column: 15, field: `data["agent.yaml"]>monitors[0].type`},
		{file: "signalfx.yaml", rule: "signalfx-docker-container-stats", line: 55, column: 20, field: `data["agent.yaml"]>monitors[0].type`},
		{file: "otel.yaml", rule: "otel-docker-stats", line: 15, column: 7, field: `data.relay>receivers.docker_stats`},
		{file: "otel.yaml", rule: "signalfx-docker-container-stats", line: 11, column: 15, field: `data.relay>receivers["smartagent/docker-container-stats"].type`},
		{file: "otel.yaml", rule: "otel-docker-stats", line: 68, column: 7, field: `spec.config.receivers.docker_stats`},
		{file: "fluent-bit.yaml", rule: "log-format-docker-json", line: 16, column: 9, field: `data["input-kubernetes.conf"]`},
		{file: "fluent-bit.yaml", rule: "log-format-docker-json", line: 82, column: 11, field: `data["fluent-bit.yaml"]`},
		{file: "fluentd.yaml", rule: "log-format-docker-json", line: 13, column: 9, field: `data["containers.input.conf"]`},
		{file: "shippers.yaml", rule: "agent-config-docker", line: 15, column: 19, field: `data["promtail.yaml"]>scrape_configs[0].pipeline_stages[1].match.stages[0].docker`},
		{file: "shippers.yaml", rule: "agent-config-docker", line: 79, column: 12, field: `data["vector.toml"]>sources.containers.type`},
		{file: "shippers.yaml", rule: "agent-config-docker", line: 102, column: 14, field: `data["telegraf.conf"]>inputs.docker[1]`},
		{file: "shippers.yaml", rule: "agent-config-docker", line: 129, column: 13, field: `stringData["promtail.yaml"]>scrape_configs[0].pipeline_stages[0].docker`},
		{file: "shippers.yaml", rule: "agent-config-docker", line: 132, column: 17, field: `data["encoded.yaml"]>pipelineStages[0].docker`},
		{file: "standalone/collectors-values.yaml", rule: "agent-config-docker", line: 18, column: 17, field: `daemonset.filebeatConfig["filebeat.yml"]>["filebeat.inputs"][0].type`},
	}
	for _, tt := range tests {
		t.Run(tt.file+":"+tt.rule, func(t *testing.T) {
			_, findings := lintAgentFixture(t, filepath.Join("testdata", "agentconfig", tt.file), configRules())
			f := agentFindingAt(t, findings, tt.rule, tt.line)
			if f.Column != tt.column || f.Field.String() != tt.field {
				t.Errorf("got column %d field %q, want column %d field %q", f.Column, f.Field, tt.column, tt.field)
			}
		})
	}
}

package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
	"go.yaml.in/yaml/v3"
	"helm.sh/helm/v3/pkg/strvals"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render"
	"github.com/dockershim-lint/dockershim-lint/render/helm"
	"github.com/dockershim-lint/dockershim-lint/render/source"
	"github.com/dockershim-lint/dockershim-lint/rules"
)

// configName is the file looked for in the working directory and the
// directories above it, up to the repository root.
const configName = ".dockershim-lint.yaml"

// config is a loaded configuration file. Paths in it are resolved against
// dir, so a file checked into a repository means the same from any working
// directory.
type config struct {
	// dir is the absolute directory of the file.
	dir string
	// within is where a committed file's values files may lie; nil for a
	// file --config names.
	within   *source.Boundary
	disable  []string
	severity map[string]lint.Severity
	// failOn is meaningful only when failOnSet; zero means never.
	failOn    lint.Severity
	failOnSet bool
	ignore    []glob
	// charts are the Helm options per chart, in file order.
	charts []chartEntry
	// agents are the rules made from the file's vendor agents.
	agents []*lint.Rule
	// maxFileSize is max-file-size in bytes; zero when not set.
	maxFileSize int64
	// renderBudget is render-timeout and render-memory; zero fields are
	// not set.
	renderBudget helm.RenderBudget
}

// configFile is the file's schema. Values whose errors are found only after
// decoding (rule ids, globs, paths) keep their line.
type configFile struct {
	Disable  []at[string]             `yaml:"disable"`
	Severity map[at[string]]string    `yaml:"severity"`
	FailOn   *at[string]              `yaml:"fail-on"`
	Ignore   []at[string]             `yaml:"ignore"`
	Charts   map[at[string]]chartFile `yaml:"charts"`
	// MaxFileSize raises or lowers the size limit on manifests, as
	// --max-file-size does.
	MaxFileSize *at[string] `yaml:"max-file-size"`
	// RenderTimeout and RenderMemory raise or lower the budget of one
	// chart render, as --render-timeout and --render-memory do.
	RenderTimeout *at[string] `yaml:"render-timeout"`
	RenderMemory  *at[string] `yaml:"render-memory"`
	// Agents are decoded by the strict decoder itself, so an unknown agent
	// field is an error too; their lines come from the node tree.
	Agents []rules.Agent `yaml:"agents"`
}

type chartFile struct {
	Values      []at[string] `yaml:"values"`
	Set         []at[string] `yaml:"set"`
	SetString   []at[string] `yaml:"set-string"`
	ReleaseName string       `yaml:"release-name"`
	Namespace   string       `yaml:"namespace"`
	AllCIValues bool         `yaml:"all-ci-values"`
}

// at is a scalar with the line it was written on.
type at[T any] struct {
	value T
	line  int
}

func (a *at[T]) UnmarshalYAML(n *yaml.Node) error {
	a.line = n.Line
	return n.Decode(&a.value)
}

// configError is a mistake in the config file, at a line when one is known.
type configError struct {
	file string
	line int
	msg  string
}

func (e *configError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.msg)
	}
	return e.file + ": " + e.msg
}

// findConfig looks for configName in wd and, inside a repository, in each
// directory above it up to the repository root. Outside a repository only
// wd is searched: a file in a home or temporary directory above an
// unrelated checkout must not change how it is linted.
func findConfig(wd string) (string, error) {
	top := cmp.Or(source.RepositoryRoot(wd), wd)
	for dir := wd; ; dir = filepath.Dir(dir) {
		candidate := filepath.Join(dir, configName)
		info, err := os.Stat(candidate)
		switch {
		case err == nil && !info.IsDir():
			return candidate, nil
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return "", usagef("config file %s: %v", candidate, err)
		}
		if dir == top || filepath.Dir(dir) == dir {
			return "", nil
		}
	}
}

// loadConfig reads the config file at name, as --config named it or
// findConfig found it. all is every built-in rule, against which the
// file's rule ids are checked. A file findConfig found was committed to
// the repository, so it is read only when it resolves inside found, the
// boundary it was found in: a committed symbolic link to /dev/zero or to a
// file elsewhere is refused. A file --config names is the user's choice
// (found is nil), and is still read only when it is a regular file within
// the size limit.
func loadConfig(name string, found *source.Boundary, all []*lint.Rule) (*config, error) {
	file := filepath.ToSlash(name)
	var data []byte
	var err error
	if found != nil {
		data, err = found.ReadFile(file, name)
	} else {
		data, err = source.ReadFile(file, name)
	}
	if err != nil {
		return nil, usagef("config file %v", err)
	}
	dir, err := filepath.Abs(filepath.Dir(name))
	if err != nil {
		return nil, usagef("config file %s: %v", filepath.ToSlash(name), err)
	}
	cfg, err := parseConfig(filepath.ToSlash(name), dir, data, found, all)
	if err != nil {
		return nil, usageError{err}
	}
	return cfg, nil
}

// parseConfig decodes and checks a config file. Every error is a
// *configError naming file and a line within data; several are joined, so
// that one run shows every mistake. within is the boundary of a committed
// file (nil for one --config names): the values files it names must resolve
// inside it, as the repository's own files, or a repository could feed a
// file of the user's (~/.docker/config.json) into the values a finding's
// message quotes.
func parseConfig(file, dir string, data []byte, within *source.Boundary, all []*lint.Rule) (*config, error) {
	if err := checkText(file, data); err != nil {
		return nil, err
	}
	var raw configFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlErrors(file, data, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := clampLine(data, extra.Line)
		if err != nil {
			return nil, yamlErrors(file, data, err)
		}
		return nil, &configError{file: file, line: line, msg: "a config file holds one YAML document"}
	}

	cfg := &config{dir: dir, within: within, severity: map[string]lint.Severity{}}
	var errs []error
	fail := func(line int, format string, args ...any) {
		errs = append(errs, &configError{file: file, line: clampLine(data, line), msg: fmt.Sprintf(format, args...)})
	}

	cfg.agents = agentRules(raw.Agents, all, agentLines(data), fail)
	known := map[string]bool{}
	for _, r := range slices.Concat(all, cfg.agents) {
		known[r.ID] = true
	}

	for _, id := range raw.Disable {
		if !known[id.value] {
			fail(id.line, "disable: unknown rule %q (see 'dockershim-lint rules')", id.value)
			continue
		}
		cfg.disable = append(cfg.disable, id.value)
	}
	for _, id := range sortedKeys(raw.Severity) {
		s, err := lint.ParseSeverity(raw.Severity[id])
		switch {
		case !known[id.value]:
			fail(id.line, "severity: unknown rule %q (see 'dockershim-lint rules')", id.value)
		case err != nil:
			fail(id.line, "severity of %s: %v", id.value, err)
		default:
			cfg.severity[id.value] = s
		}
	}
	if raw.FailOn != nil {
		cfg.failOnSet = true
		if raw.FailOn.value != "never" {
			s, err := lint.ParseSeverity(raw.FailOn.value)
			if err != nil {
				fail(raw.FailOn.line, "fail-on %q: want error, warning, note or never", raw.FailOn.value)
			}
			cfg.failOn = s
		}
	}
	if raw.MaxFileSize != nil {
		size, err := parseSize(raw.MaxFileSize.value)
		if err != nil {
			fail(raw.MaxFileSize.line, "max-file-size %q: %v", raw.MaxFileSize.value, err)
		}
		cfg.maxFileSize = size
	}
	if raw.RenderTimeout != nil {
		d, err := parseRenderTimeout(raw.RenderTimeout.value)
		if err != nil {
			fail(raw.RenderTimeout.line, "render-timeout %q: %v", raw.RenderTimeout.value, err)
		}
		cfg.renderBudget.Timeout = d
	}
	if raw.RenderMemory != nil {
		n, err := parseRenderMemory(raw.RenderMemory.value)
		if err != nil {
			fail(raw.RenderMemory.line, "render-memory %q: %v", raw.RenderMemory.value, err)
		}
		cfg.renderBudget.Memory = n
	}
	for _, p := range raw.Ignore {
		g, err := compileGlob(p.value)
		if err != nil {
			fail(p.line, "ignore: %v", err)
			continue
		}
		cfg.ignore = append(cfg.ignore, g)
	}
	for _, key := range sortedKeys(raw.Charts) {
		opts, err := cfg.chartOptions(key.value, raw.Charts[key])
		if err != nil {
			var ce *configError
			if errors.As(err, &ce) {
				fail(ce.line, "%s", ce.msg)
			} else {
				fail(key.line, "charts: %s: %v", key.value, err)
			}
			continue
		}
		entry := chartEntry{opts: opts}
		if strings.ContainsAny(key.value, "*?[") {
			// chartOptions compiled it once already, to check it.
			entry.pattern, _ = compileGlob(key.value)
		} else {
			entry.path = filepath.Join(dir, filepath.FromSlash(key.value))
		}
		cfg.charts = append(cfg.charts, entry)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return cfg, nil
}

// agentRules turns the file's agents into rules. An id may not be taken by
// a built-in rule, agent or not: findings would become ambiguous.
func agentRules(agents []rules.Agent, all []*lint.Rule, lines []int, fail func(int, string, ...any)) []*lint.Rule {
	if len(agents) == 0 {
		return nil
	}
	taken := map[string]bool{}
	for _, r := range all {
		taken[r.ID] = true
	}
	lineOf := func(i int) int {
		if i < len(lines) {
			return lines[i]
		}
		return 0
	}
	ok := true
	for i := range agents {
		line := lineOf(i)
		if err := agents[i].Validate(); err != nil {
			fail(line, "agents: %v", err)
			ok = false
		}
		if taken[agents[i].ID] {
			fail(line, "agents: id %q is already a rule", agents[i].ID)
			ok = false
		}
		taken[agents[i].ID] = true
	}
	if !ok {
		return nil
	}
	builtin := rules.BuiltinAgents()
	made, err := rules.AgentRules(append(builtin, agents...))
	if err != nil {
		// Validated above; an error here is one the checks missed, and
		// belongs to the list as a whole.
		fail(lineOf(0), "agents: %v", err)
		return nil
	}
	return made[len(builtin):]
}

// chartEntry is one entry of charts: a chart's path, or a glob matching
// the paths of several, relative to the config file's directory.
type chartEntry struct {
	// path is the absolute path of a plain key; pattern is set for a glob.
	path    string
	pattern glob
	opts    helm.Options
}

// matches reports whether the entry is for the chart at the absolute path
// chart.
func (e chartEntry) matches(dir, chart string) bool {
	if e.pattern == nil {
		return e.path == chart
	}
	rel, err := filepath.Rel(dir, chart)
	return err == nil && e.pattern.match(filepath.ToSlash(rel))
}

// chartOptions resolves one chart's entry against the config directory. A
// plain path must exist; a glob ("deploy/charts/*") is checked as a
// pattern, since the charts it means may come and go.
func (c *config) chartOptions(chart string, cf chartFile) (helm.Options, error) {
	var opts helm.Options
	if strings.ContainsAny(chart, "*?[") {
		if _, err := compileGlob(chart); err != nil {
			return opts, err
		}
	} else if _, err := os.Stat(filepath.Join(c.dir, filepath.FromSlash(chart))); err != nil {
		return opts, errors.New(source.DescribeError(err))
	}
	for _, v := range cf.Values {
		file := filepath.Join(c.dir, filepath.FromSlash(v.value))
		// The boundary first: whether a file outside it exists is none
		// of a committed config's business, nor of the log it reaches.
		if c.within != nil {
			if err := c.within.Check(file); err != nil {
				return opts, &configError{line: v.line, msg: fmt.Sprintf("charts: %s: values file %s: %s", chart, v.value, source.DescribeError(err))}
			}
		}
		if _, err := os.Stat(file); err != nil {
			return opts, &configError{line: v.line, msg: fmt.Sprintf("charts: %s: values file %s: %s", chart, v.value, source.DescribeError(err))}
		}
		opts.ValuesFiles = append(opts.ValuesFiles, file)
	}
	// Parsed now so that a mistake points at its line, not at the chart,
	// and within the budget Helm's parser is given at render time.
	var budget helm.SetBudget
	for _, s := range cf.Set {
		if err := budget.Add(s.value); err != nil {
			return opts, &configError{line: s.line, msg: fmt.Sprintf("charts: %s: set %s: %v", chart, helm.ShortValue(s.value), err)}
		}
		if err := strvals.ParseInto(s.value, map[string]any{}); err != nil {
			return opts, &configError{line: s.line, msg: fmt.Sprintf("charts: %s: set %s: %v", chart, s.value, err)}
		}
		opts.Set = append(opts.Set, s.value)
	}
	for _, s := range cf.SetString {
		if err := budget.Add(s.value); err != nil {
			return opts, &configError{line: s.line, msg: fmt.Sprintf("charts: %s: set-string %s: %v", chart, helm.ShortValue(s.value), err)}
		}
		if err := strvals.ParseIntoString(s.value, map[string]any{}); err != nil {
			return opts, &configError{line: s.line, msg: fmt.Sprintf("charts: %s: set-string %s: %v", chart, s.value, err)}
		}
		opts.SetString = append(opts.SetString, s.value)
	}
	opts.ReleaseName = cf.ReleaseName
	opts.Namespace = cf.Namespace
	opts.AllCIValues = cf.AllCIValues
	return opts, nil
}

func sortedKeys[V any](m map[at[string]]V) []at[string] {
	keys := make([]at[string], 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b at[string]) int { return a.line - b.line })
	return keys
}

// agentLines are the lines of the entries of the top-level agents list,
// which the strict decoder does not report.
func agentLines(data []byte) []int {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "agents" || root.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		var lines []int
		for _, item := range root.Content[i+1].Content {
			lines = append(lines, item.Line)
		}
		return lines
	}
	return nil
}

// checkText rejects what the YAML reader would reject without a line:
// text that is not UTF-8, and control characters.
func checkText(file string, data []byte) error {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return &configError{file: file, line: lint.IndexLines(data).Line(i), msg: "not UTF-8 text"}
		case !yamlPrintable(r):
			return &configError{file: file, line: lint.IndexLines(data).Line(i), msg: fmt.Sprintf("control character %U is not allowed in YAML", r)}
		}
		i += size
	}
	return nil
}

// yamlPrintable is YAML 1.2's c-printable, the characters a stream may hold.
func yamlPrintable(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0x7e) || r == 0x85 ||
		(r >= 0xa0 && r <= 0xd7ff) || (r >= 0xe000 && r <= 0xfffd) || (r >= 0x10000 && r <= 0x10ffff)
}

var (
	yamlLine    = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	yamlUnknown = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
	// yamlType is yaml.v3's "cannot unmarshal !!seq into map[main.at[string]]string":
	// the Go type means nothing to the file's author.
	yamlType = regexp.MustCompile("^(cannot unmarshal !!\\w+(?: `.*`)?) into (\\S+)$")
)

// wantOf says what a value decoded into the Go type named goType must be,
// or "" when the type is not one of the schema's.
func wantOf(goType string) string {
	if inner, ok := strings.CutPrefix(goType, "main.at["); ok {
		return wantOf(strings.TrimSuffix(inner, "]"))
	}
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map["):
		return "a mapping"
	}
	for _, v := range []any{"", false, chartFile{}, rules.Agent{}, rules.AgentImage{}, rules.AgentOperator{}, rules.AgentStatus("")} {
		if t := reflect.TypeOf(v); t.String() == goType {
			switch t.Kind() {
			case reflect.String:
				return "a string"
			case reflect.Bool:
				return "true or false"
			case reflect.Struct:
				return "a mapping"
			}
		}
	}
	return ""
}

// yamlErrors turns the decoder's errors, which carry lines only in their
// text, into configErrors.
func yamlErrors(file string, data []byte, err error) error {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	var errs []error
	for _, msg := range msgs {
		ce := &configError{file: file, msg: strings.TrimPrefix(msg, "yaml: ")}
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			ce.line = clampLine(data, n)
			ce.msg = m[2]
			if u := yamlUnknown.FindStringSubmatch(m[2]); u != nil {
				ce.msg = fmt.Sprintf("unknown key %q", u[1])
			}
			if u := yamlType.FindStringSubmatch(m[2]); len(u) == 3 {
				if want := wantOf(u[2]); want != "" {
					ce.msg = u[1] + ": want " + want
				}
			}
		} else {
			ce.line = 1
		}
		errs = append(errs, ce)
	}
	return errors.Join(errs...)
}

// clampLine turns a line yaml.v3 reported in data into the line a person
// sees there (see lint.Lines), kept within data: the parser reports an
// unexpected end of input on the line after the last.
func clampLine(data []byte, line int) int {
	lines := lint.IndexLines(data)
	line, _ = lines.FromYAML(line, 0)
	return lines.Clamp(line)
}

// glob is an ignore pattern in doublestar's syntax (path.Match's per
// segment, ** for any number of segments, {a,b} for either), held as the
// brace-free patterns its alternatives expand to. doublestar matches a
// brace-free pattern in time linear in the pattern and the path, but tries
// alternatives by backtracking, which is exponential in the number of
// brace groups: expanding them first, up to maxGlobAlternatives, keeps
// every match linear.
type glob []string

// maxGlobAlternatives is how many patterns one ignore entry may expand to.
const maxGlobAlternatives = 256

func compileGlob(pattern string) (glob, error) {
	if pattern == "" {
		return nil, errors.New("empty pattern")
	}
	if strings.HasPrefix(pattern, "/") {
		return nil, fmt.Errorf("%q: patterns are relative to the config file's directory, not absolute", pattern)
	}
	if !doublestar.ValidatePattern(pattern) {
		return nil, fmt.Errorf("%q: %w", pattern, doublestar.ErrBadPattern)
	}
	alternatives, err := expandBraces(pattern, maxGlobAlternatives)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", pattern, err)
	}
	g := make(glob, len(alternatives))
	for i, a := range alternatives {
		g[i] = path.Clean(a)
	}
	return g, nil
}

// expandBraces returns the patterns without {a,b} groups that a valid
// pattern stands for, or an error when there are more than limit.
func expandBraces(pattern string, limit int) ([]string, error) {
	open, commas, end := firstBraceGroup(pattern)
	if open < 0 {
		return []string{pattern}, nil
	}
	var out []string
	from := open + 1
	for _, to := range append(commas, end) {
		more, err := expandBraces(pattern[:open]+pattern[from:to]+pattern[end+1:], limit-len(out))
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
		if len(out) > limit {
			return nil, fmt.Errorf("more than %d alternatives", maxGlobAlternatives)
		}
		from = to + 1
	}
	return out, nil
}

// firstBraceGroup finds the first {...} group of a valid pattern: its
// opening brace, the commas separating its alternatives and its closing
// brace, skipping escaped characters and character classes as doublestar
// reads them. open is -1 when there is none.
func firstBraceGroup(pattern string) (open int, commas []int, end int) {
	open, depth := -1, 0
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '\\':
			i++
		case '[':
			i++
			if pattern[i] == '^' || pattern[i] == '!' {
				i++
			}
			for i++; pattern[i] != ']'; i++ {
				if pattern[i] == '\\' {
					i++
				}
			}
		case '{':
			if depth == 0 {
				open = i
			}
			depth++
		case ',':
			if depth == 1 {
				commas = append(commas, i)
			}
		case '}':
			depth--
			if depth == 0 {
				return open, commas, i
			}
		}
	}
	return -1, nil, 0
}

func (g glob) match(name string) bool {
	for _, alternative := range g {
		if doublestar.MatchUnvalidated(alternative, name) {
			return true
		}
	}
	return false
}

// ignored reports whether file, a path as findings name it, matches an
// ignore pattern, itself or through one of its directories, so that
// "vendor" ignores everything below vendor as "vendor/**" does.
func (c *config) ignored(file string) bool {
	if c == nil || len(c.ignore) == 0 || file == lint.StdinName {
		return false
	}
	abs, err := filepath.Abs(filepath.FromSlash(file))
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(c.dir, abs)
	if err != nil {
		return false
	}
	rel = filepath.ToSlash(rel)
	for i := 0; i <= len(rel); i++ {
		if i < len(rel) && rel[i] != '/' {
			continue
		}
		for _, g := range c.ignore {
			if g.match(rel[:i]) {
				return true
			}
		}
	}
	return false
}

// helmFor is the Helm options for the chart at the absolute path chart:
// every config entry whose key matches it, in file order, with the command
// line's on top.
func (c *config) helmFor(chart string, flags helm.Options) helm.Options {
	if c == nil {
		return flags
	}
	var base helm.Options
	for _, e := range c.charts {
		if !e.matches(c.dir, chart) {
			continue
		}
		base.ValuesFiles = append(base.ValuesFiles, e.opts.ValuesFiles...)
		base.Set = append(base.Set, e.opts.Set...)
		base.SetString = append(base.SetString, e.opts.SetString...)
		base.ReleaseName = cmp.Or(e.opts.ReleaseName, base.ReleaseName)
		base.Namespace = cmp.Or(e.opts.Namespace, base.Namespace)
		base.AllCIValues = base.AllCIValues || e.opts.AllCIValues
	}
	merged := flags
	merged.ValuesFiles = slices.Concat(base.ValuesFiles, flags.ValuesFiles)
	merged.Set = slices.Concat(base.Set, flags.Set)
	merged.SetString = slices.Concat(base.SetString, flags.SetString)
	merged.ReleaseName = cmp.Or(flags.ReleaseName, base.ReleaseName)
	merged.Namespace = cmp.Or(flags.Namespace, base.Namespace)
	merged.AllCIValues = flags.AllCIValues || base.AllCIValues
	return merged
}

// settings are the command line and the config file resolved into what a
// lint run uses.
type settings struct {
	cfg *config
	// configFile is the config file read, as named or found; "" for none.
	configFile string
	// all is every rule, the config file's agents included; selected are
	// those that run, with the config file's severities.
	all      []*lint.Rule
	selected []*lint.Rule
	failOn   lint.Severity
	baseline *baseline
	// maxFileSize is the limit on manifest files, from --max-file-size or
	// the config file; zero means the built-in one.
	maxFileSize int64
	// renderBudget is the budget of one chart render, from the flags or
	// the config file; zero fields mean the defaults.
	renderBudget helm.RenderBudget
}

// filesRead are the files the run reads besides its inputs and its
// baseline: the config file and the values and --set-file files of charts.
// A report may not replace any of them (see checkOutputPaths).
func (s *settings) filesRead(opts options) []string {
	files := slices.Clone(opts.helm.ValuesFiles)
	if s.configFile != "" {
		files = append(files, s.configFile)
	}
	if s.cfg != nil {
		for _, e := range s.cfg.charts {
			files = append(files, e.opts.ValuesFiles...)
		}
	}
	for _, arg := range opts.helm.SetFile {
		names, _ := setFileNames(arg)
		files = append(files, names...)
	}
	return files
}

// resolveSettings loads the config file and the baseline, and applies the
// flags over the file: --fail-on replaces fail-on, and --disable or
// --enable-only replace the file's disable list.
func resolveSettings(opts options) (*settings, error) {
	s := &settings{all: rules.All(), failOn: opts.failOn, maxFileSize: opts.maxFileSize, renderBudget: opts.renderBudget}
	name := opts.config
	var foundIn *source.Boundary
	if name == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("finding %s: %w", configName, err)
		}
		found, err := findConfig(wd)
		if err != nil {
			return nil, err
		}
		if found != "" {
			name = found
			if rel, err := filepath.Rel(wd, found); err == nil {
				name = rel
			}
			foundIn = source.NewBoundary([]string{wd})
		}
	}
	disable := opts.disable
	if name != "" {
		cfg, err := loadConfig(name, foundIn, s.all)
		if err != nil {
			return nil, err
		}
		s.cfg, s.configFile = cfg, name
		s.all = append(s.all, cfg.agents...)
		if !opts.rulesSet {
			disable = cfg.disable
		}
		if cfg.failOnSet && !opts.failOnSet {
			s.failOn = cfg.failOn
		}
		if s.maxFileSize == 0 {
			s.maxFileSize = cfg.maxFileSize
		}
		s.renderBudget.Timeout = cmp.Or(s.renderBudget.Timeout, cfg.renderBudget.Timeout)
		s.renderBudget.Memory = cmp.Or(s.renderBudget.Memory, cfg.renderBudget.Memory)
	}
	// Every run sets the reader's limit, so that one run's
	// --max-file-size never outlives it.
	source.SetLimit(cmp.Or(s.maxFileSize, source.MaxFileSize))
	helm.SetRenderBudget(s.renderBudget)
	selected, err := selectRules(s.all, disable, opts.enableOnly)
	if err != nil {
		return nil, err
	}
	for i, r := range selected {
		if sev, ok := s.cfg.severityOf(r.ID); ok {
			changed := *r
			changed.Severity = sev
			selected[i] = &changed
		}
	}
	s.selected = selected
	if opts.baseline != "" {
		if s.baseline, err = loadBaseline(opts.baseline); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (c *config) severityOf(rule string) (lint.Severity, bool) {
	if c == nil {
		return 0, false
	}
	s, ok := c.severity[rule]
	return s, ok
}

// renderOptions are the discovery options: the Helm flags, each chart's
// config entry under them, the file size limit, and skipped paths as
// notices (expected ones only with -v).
func (s *settings) renderOptions(opts options, stdin io.Reader, con *console) render.Options {
	ro := render.Options{
		Stdin: stdin,
		Helm:  opts.helm,
		OnSkip: func(sk render.Skipped) {
			switch {
			case s.cfg.ignored(sk.Path):
			case sk.Expected:
				con.info(sk.Path, "skipped: "+sk.Reason)
			default:
				con.notice(sk.Path, "skipped: "+sk.Reason)
			}
		},
	}
	if s.cfg != nil && len(s.cfg.charts) > 0 {
		ro.ChartHelm = func(chart string) helm.Options { return s.cfg.helmFor(chart, opts.helm) }
	}
	return ro
}

// keep drops the inputs the config file ignores before they are loaded,
// so that an ignored file that does not parse is no error.
func (s *settings) keep(inputs []lint.Input, con *console) []lint.Input {
	return slices.DeleteFunc(inputs, func(in lint.Input) bool {
		if s.cfg.ignored(in.Name()) {
			con.info(in.Name(), "skipped: ignored by "+configName)
			return true
		}
		return false
	})
}

// finish applies the config file to a finished report (ignored paths
// inside charts and overlays, severities), writes --write-baseline, and
// leaves out the baselined findings. The baseline written holds every
// current finding, the baselined ones too, so that rewriting a baseline
// in place keeps what it accepted and drops only what was fixed.
func (s *settings) finish(report *lint.Report, opts options, con *console) error {
	// Many findings share a file: each is matched once.
	verdicts := map[string]bool{}
	ignored := func(file string) bool {
		v, ok := verdicts[file]
		if !ok {
			v = s.cfg.ignored(file)
			verdicts[file] = v
		}
		return v
	}
	report.Findings = slices.DeleteFunc(report.Findings, func(f lint.Finding) bool { return ignored(f.File) })
	report.Errors = slices.DeleteFunc(report.Errors, func(e lint.InputError) bool { return ignored(e.File) })
	report.Suppressed = slices.DeleteFunc(report.Suppressed, func(f lint.Finding) bool { return ignored(f.File) })
	for i := range report.Findings {
		if sev, ok := s.cfg.severityOf(report.Findings[i].Rule); ok {
			report.Findings[i].Severity = sev
		}
	}
	if opts.writeBaseline != "" {
		if err := writeBaseline(opts.writeBaseline, report); err != nil {
			return err
		}
	}
	if s.baseline != nil {
		var n int
		report.Findings, n = s.baseline.filter(report.Findings)
		con.notice(s.baseline.file, lint.Plural(n, "finding")+" in the baseline, not reported")
	}
	return nil
}

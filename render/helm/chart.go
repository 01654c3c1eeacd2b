package helm

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
	"github.com/dockershim-lint/dockershim-lint/render/source"
	"go.yaml.in/yaml/v3"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/strvals"
	sigsyaml "sigs.k8s.io/yaml"
)

// Options are the `helm template` settings a chart is rendered with.
type Options struct {
	// ValuesFiles are -f/--values files (OS paths), merged in order over
	// the chart's values.yaml.
	ValuesFiles []string
	// Values are more layers of values, merged in order after
	// ValuesFiles: files, or values written inside another file.
	Values []ValuesSource
	// Set, SetString and SetFile are --set, --set-string and --set-file
	// arguments, in Helm's syntax.
	Set, SetString, SetFile []string
	// ReleaseName defaults to the chart's name.
	ReleaseName string
	// Namespace defaults to "default".
	Namespace string
	// KubeVersion is --kube-version ("1.29.0"); empty means Helm's default.
	KubeVersion string
	// APIVersions are added to the capabilities (--api-versions).
	APIVersions []string
	// AllCIValues renders the chart once with its defaults and once more
	// per ci/*values.yaml file (the chart-testing convention).
	AllCIValues bool
	// Boundary is where the chart's files may be read from; nil means the
	// boundary of a run over the chart alone.
	Boundary *source.Boundary
}

// ValuesSource is one layer of user values: the values file Path, or
// when Inline is set, the mapping Inline written inside File (a
// kustomization's valuesInline), whose nodes keep their positions there
// so that findings can point at them.
type ValuesSource struct {
	Path   string
	Inline *yaml.Node
	File   string
}

// Chart is a Helm chart, a directory or a packaged .tgz, linted as the
// manifests `helm template` would produce, in-process and offline.
type Chart struct {
	// Path is the chart as the user gave it, with forward slashes.
	Path    string
	osPath  string
	options Options
	// directives are the ignore comments of the templates and values
	// files the renders read.
	directives []lint.Directive
	// archivesChecked is set once the chart's archives are found within
	// their budget: every render loads the chart afresh.
	archivesChecked bool
	// marks are the markers of the last render.
	marks markCache
}

// NewChart returns the input for the chart directory or .tgz at path.
func NewChart(name string, opts Options) lint.Input {
	if opts.Boundary == nil {
		opts.Boundary = source.NewBoundary([]string{name})
	}
	prewarmSandbox()
	return &Chart{Path: strings.TrimSuffix(filepath.ToSlash(name), "/"), osPath: name, options: opts}
}

func (c *Chart) Name() string { return c.Path }

// Directives returns the ignore comments of every template and values file
// Load rendered with, subcharts included.
func (c *Chart) Directives() []lint.Directive { return c.directives }

// Load renders the chart and decodes every rendered template but NOTES.txt,
// hooks and tests included. With AllCIValues, a chart with ci/*-values.yaml
// files is rendered once per file and not with its defaults alone, as
// chart-testing does: each is a complete configuration, so a chart whose
// defaults fail a `required` is linted through its CI files. An object a
// CI file renders exactly as an earlier one did is dropped, so that
// identical objects are not checked twice.
func (c *Chart) Load() ([]*lint.Object, error) {
	variants := []string{""}
	if c.options.AllCIValues {
		chrt, err := c.load()
		if err != nil {
			return nil, err
		}
		if ci := ciValuesFiles(chrt); len(ci) > 0 {
			variants = ci
		}
	}
	var objects []*lint.Object
	var errs []error
	// Objects are compared by content only when they share a file and a
	// reference: serialising every object of a chart to compare it cost
	// a twentieth of its first render.
	seen := map[string][]*keptObject{}
	for _, ci := range variants {
		objs, err := c.render(ci)
		if err != nil && ci != "" {
			err = withSource(err, "values "+ci)
		}
		if err != nil {
			errs = append(errs, err)
		}
		for _, obj := range objs {
			ref := obj.File + "\x00" + obj.ObjectRef.String()
			kept := &keptObject{obj: obj}
			if kept.repeats(seen[ref]) {
				continue
			}
			seen[ref] = append(seen[ref], kept)
			objects = append(objects, obj)
		}
	}
	return objects, errors.Join(errs...)
}

// keptObject is an object Load returns, serialised once it must be
// compared with another.
type keptObject struct {
	obj     *lint.Object
	content []byte
	err     error
	done    bool
}

func (k *keptObject) text() ([]byte, error) {
	if !k.done {
		k.content, k.err = yaml.Marshal(k.obj.Node)
		k.done = true
	}
	return k.content, k.err
}

// repeats says whether an earlier object of the same file and reference
// has k's content; one that cannot be serialised repeats none.
func (k *keptObject) repeats(earlier []*keptObject) bool {
	for _, e := range earlier {
		text, err := k.text()
		if err != nil {
			return false
		}
		if other, err := e.text(); err == nil && bytes.Equal(text, other) {
			return true
		}
	}
	return false
}

// ciValuesPattern is chart-testing's: the files in ci/ it installs the
// chart with, one at a time.
const ciValuesPattern = "ci/*-values.yaml"

// ciValuesFiles lists the chart's CI values files, sorted.
func ciValuesFiles(chrt *chart.Chart) []string {
	var files []string
	for _, f := range chrt.Files {
		if ok, _ := path.Match(ciValuesPattern, f.Name); ok {
			files = append(files, f.Name)
		}
	}
	slices.Sort(files)
	return files
}

// withSource names the values file a failing render used in each of its
// input errors, as findings do.
func withSource(err error, variant string) error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range joined.Unwrap() {
			out = append(out, withSource(e, variant))
		}
		return errors.Join(out...)
	}
	var ie *lint.InputError
	if !errors.As(err, &ie) {
		return err
	}
	tagged := *ie
	tagged.Message += " [" + variant + "]"
	return &tagged
}

// base is the path chart files are named under: the directory as given, or
// for a packaged chart the archive followed by its top directory.
func (c *Chart) base() string {
	if info, err := os.Stat(c.osPath); err == nil && info.IsDir() {
		return c.Path
	}
	data, err := c.options.Boundary.ReadFile(c.Path, c.osPath)
	if err != nil {
		return c.Path
	}
	if top, err := archiveTopDir(data); err == nil && top != "" {
		return c.Path + "/" + top
	}
	return c.Path
}

func (c *Chart) load() (*chart.Chart, error) {
	if !c.archivesChecked {
		if err := checkChartArchives(c.Path, c.osPath); err != nil {
			return nil, err
		}
		c.archivesChecked = true
	}
	return loadChart(c.Path, c.osPath, c.options.Boundary)
}

// release is everything one render needs to name and locate its output.
type release struct {
	base      string
	display   map[*chart.File]string // template and raw files -> paths users open
	marks     markTable
	original  map[*chart.File][]byte
	copies    []markedCopy
	shadowed  map[string]bool        // engine output keys replaced by a marked copy's
	byKey     map[string]*chart.File // engine output key -> template
	values    map[string]*chartValues
	userFiles []valuesSource
	// valuesTrees are the charts' values.yaml files, parsed.
	valuesTrees map[*chart.File]parsedValues
	// cache is the chart's, kept from one render to the next.
	cache *markCache
	set   map[string]any
	// directives are the ignore comments of the sources, read before
	// markers rewrite the templates.
	directives []lint.Directive
}

// render renders the chart once, with the CI values file ci when not empty.
func (c *Chart) render(ci string) ([]*lint.Object, error) {
	r, chrt, renderVals, err := c.prepare(ci)
	if err != nil {
		return nil, err
	}
	c.directives = append(c.directives, r.directives...)
	r.addMarkers(chrt)
	out, err := r.sandboxRender(chrt, renderVals, true)
	if isHelmError(err) {
		// The marked sources have other line numbers: render the
		// original ones for Helm's own message and position.
		r.removeMarkers()
		if _, err = r.sandboxRender(chrt, renderVals, false); err == nil || isHelmError(err) {
			return nil, r.renderError(chrt, err, c.options.AllCIValues)
		}
	}
	if err != nil {
		return nil, err
	}

	variant := ""
	if ci != "" {
		variant = "values " + ci
	}
	var objects []*lint.Object
	var errs []error
	for _, key := range slices.Sorted(maps.Keys(out)) {
		if path.Base(key) == "NOTES.txt" || r.shadowed[key] {
			continue
		}
		f := r.byKey[key]
		text, placed := stripMarkers(out[key], &r.marks)
		if f == nil || len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		loc := &helmLocator{file: r.display[f], marks: &r.marks, placed: placed, values: r.values[key]}
		objs, err := manifest.Decode(loc.file, text)
		if err != nil {
			errs = append(errs, renderedYAMLError(loc, err, chrt.Name(), variant))
		}
		for _, obj := range objs {
			obj.Locator = loc
			obj.Source = variant
			loc.lines = obj.Lines
			loc.roots = append(loc.roots, obj.Node)
		}
		objects = append(objects, objs...)
	}
	return objects, errors.Join(errs...)
}

// prepare loads the chart and computes what `helm template` would render
// it with, without rendering.
func (c *Chart) prepare(ci string) (*release, *chart.Chart, chartutil.Values, error) {
	chrt, err := c.load()
	if err != nil {
		return nil, nil, nil, err
	}
	r := &release{
		base:     c.base(),
		display:  map[*chart.File]string{},
		original: map[*chart.File][]byte{},
		byKey:    map[string]*chart.File{},
		values:   map[string]*chartValues{},
		shadowed: map[string]bool{},

		valuesTrees: map[*chart.File]parsedValues{},
		cache:       &c.marks,
	}
	osDir := ""
	if r.base == c.Path {
		osDir = c.osPath
	}
	r.nameFiles(chrt, r.base, osDir, c.options.Boundary)
	vals, err := r.mergeValues(chrt, ci, c.options)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := checkDependencies(chrt, r.display, vals); err != nil {
		return nil, nil, nil, err
	}
	if err := chartutil.ProcessDependenciesWithMerge(chrt, vals); err != nil {
		return nil, nil, nil, &lint.InputError{File: c.Path, Message: "chart " + chrt.Name() + ": " + err.Error()}
	}
	caps, err := capabilities(c.options)
	if err != nil {
		return nil, nil, nil, &lint.InputError{File: c.Path, Message: err.Error()}
	}
	if kv := chrt.Metadata.KubeVersion; kv != "" && !chartutil.IsCompatibleRange(kv, caps.KubeVersion.String()) {
		file, line := chartYAMLLine(chrt, r.display, "kubeVersion")
		return nil, nil, nil, &lint.InputError{File: cmp.Or(file, c.Path), Line: line, Message: fmt.Sprintf("chart %s requires kubeVersion %s, which is incompatible with Kubernetes %s (set --kube-version)", chrt.Name(), kv, caps.KubeVersion.String())}
	}
	opts := chartutil.ReleaseOptions{
		Name:      cmp.Or(c.options.ReleaseName, chrt.Name()),
		Namespace: cmp.Or(c.options.Namespace, "default"),
		Revision:  1,
		IsInstall: true,
	}
	renderVals, err := chartutil.ToRenderValuesWithSchemaValidation(chrt, vals, opts, caps, schemaLoadsOutside(chrt))
	if err != nil {
		return nil, nil, nil, &lint.InputError{File: c.Path, Message: "chart " + chrt.Name() + ": " + err.Error()}
	}
	r.index(chrt, nil, nil)
	return r, chrt, renderVals, nil
}

// nameFiles records the path a user opens for every template and raw file
// of chrt and its subcharts. It runs before dependencies are processed,
// while subcharts still carry their own names rather than aliases; alias
// copies share the *chart.File values, so the names follow them.
func (r *release) nameFiles(chrt *chart.Chart, dir, osDir string, boundary *source.Boundary) {
	for _, f := range chrt.Templates {
		r.display[f] = dir + "/" + f.Name
	}
	for _, f := range chrt.Raw {
		r.display[f] = dir + "/" + f.Name
	}
	for _, f := range chrt.Files {
		r.display[f] = dir + "/" + f.Name
	}
	for _, sub := range chrt.Dependencies() {
		subDir, subOS := subchartDir(dir, osDir, sub.Name(), boundary)
		r.nameFiles(sub, subDir, subOS, boundary)
	}
}

// subchartDir names a subchart inside its parent: charts/<name> when that
// directory exists (or the parent is itself packaged), else the .tgz in
// charts/ that holds it.
func subchartDir(dir, osDir, name string, boundary *source.Boundary) (string, string) {
	plain := dir + "/charts/" + name
	if osDir == "" {
		return plain, ""
	}
	chartsDir := filepath.Join(osDir, "charts")
	if info, err := os.Stat(filepath.Join(chartsDir, name)); err == nil && info.IsDir() {
		return plain, filepath.Join(chartsDir, name)
	}
	entries, _ := os.ReadDir(chartsDir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), name+"-") && strings.HasSuffix(e.Name(), ".tgz") {
			data, err := boundary.ReadFile(dir+"/charts/"+e.Name(), filepath.Join(chartsDir, e.Name()))
			if err != nil {
				continue
			}
			if top, err := archiveTopDir(data); err == nil && top != "" {
				return dir + "/charts/" + e.Name() + "/" + top, ""
			}
		}
	}
	return plain, ""
}

// checkDependencies reports every dependency declared for chrt, enabled
// by the values, but absent from charts/: fetching it is not ours to do. A
// dependency its condition or tags switch off is not rendered, so it need
// not be there.
func checkDependencies(chrt *chart.Chart, display map[*chart.File]string, userValues map[string]any) error {
	vals, err := chartutil.CoalesceValues(chrt, userValues)
	if err != nil {
		// Processing the dependencies reports what is wrong with the
		// values; here the user's values alone decide.
		vals = userValues
	}
	var errs []error
	for _, dep := range chrt.Metadata.Dependencies {
		if dep == nil || !dependencyEnabled(dep, vals) ||
			slices.ContainsFunc(chrt.Dependencies(), func(c *chart.Chart) bool { return c.Name() == dep.Name }) {
			continue
		}
		file, line := dependencyLine(chrt, display, dep.Name)
		errs = append(errs, &lint.InputError{
			File:    file,
			Line:    line,
			Message: fmt.Sprintf("chart %s: dependency %q is missing from charts/; run \"helm dependency build\" (charts are never downloaded)", chrt.Name(), dep.Name),
		})
	}
	return errors.Join(errs...)
}

// dependencyEnabled decides a dependency as Helm does: the first path of
// its condition that holds a boolean decides; without one, it is switched
// off only when some of its tags are false and none is true.
func dependencyEnabled(dep *chart.Dependency, vals chartutil.Values) bool {
	for _, cond := range strings.Split(dep.Condition, ",") {
		if cond = strings.TrimSpace(cond); cond == "" {
			continue
		}
		if v, err := vals.PathValue(cond); err == nil {
			if b, ok := v.(bool); ok {
				return b
			}
		}
	}
	tags, err := vals.Table("tags")
	if err != nil {
		return true
	}
	anyTrue, anyFalse := false, false
	for _, tag := range dep.Tags {
		if b, ok := tags[tag].(bool); ok {
			anyTrue = anyTrue || b
			anyFalse = anyFalse || !b
		}
	}
	return anyTrue || !anyFalse
}

// dependencyLine finds where a dependency is declared: Chart.yaml, or
// requirements.yaml for apiVersion v1 charts.
func dependencyLine(chrt *chart.Chart, display map[*chart.File]string, name string) (string, int) {
	for _, file := range []string{"Chart.yaml", "requirements.yaml"} {
		f, root := chartFileRoot(chrt, file)
		for _, d := range lint.Items(lint.Get(root, "dependencies")) {
			if n := lint.Get(d, "name"); lint.Scalar(n) == name {
				return display[f], n.Line
			}
		}
	}
	return chartYAMLLine(chrt, display, "")
}

// chartYAMLLine is the chart's Chart.yaml and the line of its key (0 when
// key is "" or absent), for an error about the chart's metadata.
func chartYAMLLine(chrt *chart.Chart, display map[*chart.File]string, key string) (string, int) {
	f, root := chartFileRoot(chrt, "Chart.yaml")
	if f == nil {
		return "", 0
	}
	if n := lint.Get(root, key); key != "" && n != nil {
		return display[f], n.Line
	}
	return display[f], 0
}

// chartFileRoot is the chart's own file name (Chart.yaml,
// requirements.yaml) and its YAML root, numbered as lint.Lines numbers
// lines; the root is nil when the file does not parse or is empty.
func chartFileRoot(chrt *chart.Chart, name string) (*chart.File, *yaml.Node) {
	for _, f := range chrt.Raw {
		if f.Name != name {
			continue
		}
		src, err := parseValues(f.Name, f.Data)
		if err != nil {
			return f, nil
		}
		return f, src.root
	}
	return nil, nil
}

// mergeValues merges the user's values the way `helm template` does: each
// -f file over the previous (maps merge key by key, anything else is
// replaced), then --set, --set-string and --set-file in Helm's syntax. It
// also keeps each file's yaml.v3 tree to locate values later. Files are
// read from disk only: a URL is refused rather than fetched.
func (r *release) mergeValues(chrt *chart.Chart, ci string, opts Options) (map[string]any, error) {
	base := map[string]any{}
	var files []parsedValues
	if ci != "" {
		for _, f := range chrt.Files {
			if f.Name == ci {
				src, err := parseValues(r.base+"/"+ci, f.Data)
				if err != nil {
					return nil, err
				}
				files = append(files, src)
			}
		}
	}
	layers := make([]ValuesSource, 0, len(opts.ValuesFiles)+len(opts.Values))
	for _, name := range opts.ValuesFiles {
		layers = append(layers, ValuesSource{Path: name})
	}
	for _, layer := range append(layers, opts.Values...) {
		if layer.Inline != nil {
			// The values are text of File already read, whose ignore
			// comments are File's own: only their map is new.
			data, err := yaml.Marshal(layer.Inline)
			if err != nil {
				return nil, &lint.InputError{File: layer.File, Line: layer.Inline.Line, Message: "invalid inline values: " + err.Error()}
			}
			files = append(files, parsedValues{file: layer.File, data: data, root: layer.Inline, inline: true})
			continue
		}
		name := layer.Path
		file := filepath.ToSlash(name)
		if strings.Contains(name, "://") {
			return nil, &lint.InputError{File: file, Message: "remote values files are not fetched"}
		}
		data, err := source.ReadFile(file, name)
		if err != nil {
			return nil, err
		}
		src, err := parseValues(file, data)
		if err != nil {
			return nil, err
		}
		files = append(files, src)
	}
	for _, src := range files {
		if !src.inline {
			r.directives = append(r.directives, lint.ParseDirectives(src.file, src.data)...)
		}
		var m map[string]any
		if err := sigsyaml.Unmarshal(src.data, &m); err != nil {
			return nil, &lint.InputError{File: src.file, Message: "invalid values file: " + err.Error()}
		}
		base = mergeMaps(base, m)
		r.userFiles = append(r.userFiles, valuesSource{file: src.file, root: src.root, lines: src.lines})
	}
	slices.Reverse(r.userFiles)

	var budget SetBudget
	for _, flag := range []struct {
		name   string
		values []string
	}{{"--set", opts.Set}, {"--set-string", opts.SetString}, {"--set-file", opts.SetFile}} {
		for _, s := range flag.values {
			if err := budget.Add(s); err != nil {
				return nil, &lint.InputError{File: r.base, Message: fmt.Sprintf("%s %s: %v", flag.name, ShortValue(s), err)}
			}
		}
	}
	// Each --set-file file is read once, for both maps below, within
	// what is left of the budget.
	contents := map[string]any{}
	readSetFile := func(rs []rune) (any, error) {
		name := string(rs)
		if data, ok := contents[name]; ok {
			return data, nil
		}
		data, err := readSetFile(name, &budget)
		contents[name] = data
		return data, err
	}
	set := map[string]any{}
	for _, into := range []map[string]any{base, set} {
		for _, s := range opts.Set {
			if err := strvals.ParseInto(s, into); err != nil {
				return nil, &lint.InputError{File: r.base, Message: fmt.Sprintf("--set %s: %v", ShortValue(s), err)}
			}
		}
		for _, s := range opts.SetString {
			if err := strvals.ParseIntoString(s, into); err != nil {
				return nil, &lint.InputError{File: r.base, Message: fmt.Sprintf("--set-string %s: %v", ShortValue(s), err)}
			}
		}
		for _, s := range opts.SetFile {
			if err := strvals.ParseIntoFile(s, into, readSetFile); err != nil {
				return nil, &lint.InputError{File: r.base, Message: fmt.Sprintf("--set-file %s: %v", ShortValue(s), err)}
			}
		}
	}
	r.set = set
	return base, nil
}

type parsedValues struct {
	file string
	data []byte
	root *yaml.Node
	// lines index data, nil for inline values, whose positions are in a
	// text this package does not hold.
	lines *lint.Lines
	// inline is set for values written inside another file: data is
	// their YAML, not the file's text.
	inline bool
}

// parseValues parses a YAML file of the chart (values, or any other the
// loader reads), its nodes numbered as the file's lines; a syntax error, or a
// document that is not a mapping (as all of these must be), names the
// file and line.
func parseValues(file string, data []byte) (parsedValues, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return parsedValues{}, manifest.SyntaxError(file, data, err)
	}
	lines := lint.IndexLines(data)
	lines.RenumberNodes(&doc)
	src := parsedValues{file: file, data: data, lines: lines}
	if len(doc.Content) > 0 {
		src.root = doc.Content[0]
	}
	// Helm's own message for these is its JSON decoder's, naming Go types
	// and no line.
	if root := src.root; root != nil && root.Kind != yaml.MappingNode && root.ShortTag() != "!!null" {
		what := "a single value"
		if root.Kind == yaml.SequenceNode {
			what = "a list"
		}
		return parsedValues{}, &lint.InputError{File: file, Line: root.Line, Message: "holds " + what + ", not a YAML mapping"}
	}
	return src, nil
}

func mergeMaps(a, b map[string]any) map[string]any {
	out := maps.Clone(a)
	for k, v := range b {
		if vm, ok := v.(map[string]any); ok {
			if am, ok := out[k].(map[string]any); ok {
				out[k] = mergeMaps(am, vm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

func capabilities(opts Options) (*chartutil.Capabilities, error) {
	caps := chartutil.DefaultCapabilities.Copy()
	if opts.KubeVersion != "" {
		kv, err := chartutil.ParseKubeVersion(opts.KubeVersion)
		if err != nil {
			return nil, fmt.Errorf("invalid --kube-version %q: %w", opts.KubeVersion, err)
		}
		caps.KubeVersion = *kv
	}
	caps.APIVersions = append(caps.APIVersions, opts.APIVersions...)
	return caps, nil
}

// schemaLoadsOutside says whether a values.schema.json in the chart tree
// refers to anything outside itself: a $ref (or $dynamicRef, $recursiveRef)
// that is no fragment, or a $schema that is no draft the validator holds.
// Helm's validator would load it by URL from the network or, for a relative
// or file: reference, from the file system (relative ones from its root, as
// it names the schema file:///values.schema.json), where a named pipe or
// /dev/zero would hang the run or fill its memory. We validate only schemas
// that need neither, and otherwise skip validation like
// --skip-schema-validation. The schema is decoded as the validator decodes
// it, so no spacing or escape (\u0024ref) hides a reference; one that is
// not JSON is left to the validator, which reports it.
func schemaLoadsOutside(chrt *chart.Chart) bool {
	if len(chrt.Schema) > 0 {
		var schema any
		if json.Unmarshal(chrt.Schema, &schema) == nil && refersOutside(schema) {
			return true
		}
	}
	return slices.ContainsFunc(chrt.Dependencies(), schemaLoadsOutside)
}

// refersOutside reports whether the decoded schema v holds a reference the
// validator would load. A keyword with a value of another type (a property
// named "$ref") counts too: skipping validation is the safe mistake.
func refersOutside(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for key, value := range v {
			ref, isString := value.(string)
			switch key {
			case "$ref", "$dynamicRef", "$recursiveRef":
				if !isString || !strings.HasPrefix(ref, "#") {
					return true
				}
			case "$schema":
				if !isString || !knownDrafts[strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(ref, "http://"), "https://"), "#")] {
					return true
				}
			}
			if refersOutside(value) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(v, refersOutside)
	}
	return false
}

// knownDrafts are the metaschemas the validator holds, by URL without
// scheme or empty fragment: a $schema naming one loads nothing.
var knownDrafts = map[string]bool{
	"json-schema.org/schema":               true,
	"json-schema.org/draft/2020-12/schema": true,
	"json-schema.org/draft/2019-09/schema": true,
	"json-schema.org/draft-07/schema":      true,
	"json-schema.org/draft-06/schema":      true,
	"json-schema.org/draft-04/schema":      true,
}

// index walks the chart tree as Helm's engine will render it (after
// dependencies are processed) and records, for each engine output key, its
// template and the values that feed it.
func (r *release) index(c *chart.Chart, chain []*chart.Chart, names []string) {
	chain = append(slices.Clone(chain), c)
	cv := &chartValues{set: r.set, setPrefix: names, files: map[string]chartFile{}}
	for _, f := range c.Files {
		cv.files[f.Name] = chartFile{display: r.display[f], data: f.Data}
		// Only a file a template names can take a finding: an ignore
		// comment elsewhere (a README showing one) is no directive.
		if bytes.Contains(f.Data, []byte(lint.IgnoreDirective)) && namedByTemplate(c, f.Name) {
			r.directives = append(r.directives, lint.ParseDirectives(r.display[f], f.Data)...)
		}
	}
	for _, s := range r.userFiles {
		cv.sources = append(cv.sources, valuesSource{file: s.file, root: s.root, lines: s.lines, prefix: names})
	}
	for _, f := range c.Raw {
		if f.Name == "values.yaml" {
			r.directives = append(r.directives, lint.ParseDirectives(r.display[f], f.Data)...)
		}
	}
	for i, ch := range chain {
		for _, f := range ch.Raw {
			if f.Name != "values.yaml" {
				continue
			}
			// Every subchart looks up values in the files of the
			// charts above it: each file is parsed once.
			src, done := r.valuesTrees[f]
			if !done {
				src, _ = parseValues(r.display[f], f.Data)
				r.valuesTrees[f] = src
			}
			if src.root != nil {
				cv.sources = append(cv.sources, valuesSource{file: r.display[f], root: src.root, lines: src.lines, prefix: names[i:]})
			}
		}
	}
	for _, t := range c.Templates {
		r.directives = append(r.directives, lint.ParseDirectives(r.display[t], t.Data)...)
		key := path.Join(c.ChartFullPath(), t.Name)
		r.byKey[key] = t
		r.values[key] = cv
	}
	for _, sub := range c.Dependencies() {
		r.index(sub, chain, append(slices.Clone(names), sub.Name()))
	}
}

// namedByTemplate says whether a template of c names the file name in a
// string literal, as .Files.Get "name" does.
func namedByTemplate(c *chart.Chart, name string) bool {
	return slices.ContainsFunc(c.Templates, func(t *chart.File) bool {
		return bytes.Contains(t.Data, []byte(strconv.Quote(name))) || bytes.Contains(t.Data, []byte("`"+name+"`"))
	})
}

// markedSuffix names the marked copy of a template that other templates
// read by name.
const markedSuffix = "#dockershim-lint"

// fileNames adds to names every word of src that looks like a template's
// file name. It searches for the extensions rather than matching a regular
// expression: that was a fifth of the cost of rendering the Datadog chart.
func fileNames(src string, names map[string]bool) {
	for _, ext := range []string{".yaml", ".yml", ".tpl", ".json", ".txt"} {
		for off := 0; ; {
			i := strings.Index(src[off:], ext)
			if i < 0 {
				break
			}
			end := off + i + len(ext)
			start := off + i
			for start > 0 && isFileNameByte(src[start-1]) {
				start--
			}
			names[src[start:end]] = true
			off = end
		}
	}
}

func isFileNameByte(c byte) bool {
	return c == '.' || c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// addMarkers rewrites the templates of the charts that will render. Every
// top-level template gets markers, and so do the bodies of the helpers that
// helpers.go finds safe, in whatever file (partials, library charts,
// subcharts) defines them. Most templates are rewritten in place. A
// template whose file name appears in template source may be read by
// another one, typically `include (print $.Template.BasePath
// "/configmap.yaml") . | sha256sum` for a checksum annotation; markers there
// would change the checksum, so it keeps its main body and a marked copy
// renders beside it, costing a second render of that template only. The
// copy first sets .Template.Name back to the original's name, which is
// what Helm renders for it. A template that does not parse is left as it
// is, for Helm to report.
func (r *release) addMarkers(root *chart.Chart) {
	var in markInputs
	var collect func(c *chart.Chart)
	collect = func(c *chart.Chart) {
		for _, t := range c.Templates {
			in.templates = append(in.templates, templateRef{chart: c, file: t, key: path.Join(c.ChartFullPath(), t.Name), data: t.Data})
		}
		// Strings a template may hand to tpl: values and chart files.
		walkStrings(c.Values, in.addText)
		for _, f := range c.Files {
			in.addText(string(f.Data))
		}
		for _, sub := range c.Dependencies() {
			collect(sub)
		}
	}
	collect(root)
	walkStrings(r.set, in.addText)
	for _, s := range r.userFiles {
		walkNodeStrings(s.root, in.addText)
	}
	// walkStrings visits maps in Go's random order: sorted, the texts of
	// two renders of the same chart compare equal and the cache is used.
	slices.Sort(in.texts)

	if !r.cache.inputs.same(&in) {
		table, plans := planMarkers(&in, r.display)
		*r.cache = markCache{inputs: in, marks: table, plans: plans}
	}
	r.marks = r.cache.marks
	for i, p := range r.cache.plans {
		ref := in.templates[i]
		t, c := ref.file, ref.chart
		switch {
		case p.copy:
			text := fmt.Sprintf("{{$dockershimLintName := set $.Template %q %q}}", "Name", ref.key) + p.marked
			cp := &chart.File{Name: t.Name + markedSuffix, Data: []byte(text)}
			c.Templates = append(slices.Clip(c.Templates), cp)
			r.copies = append(r.copies, markedCopy{chart: c, file: cp})
			r.byKey[ref.key+markedSuffix] = t
			r.values[ref.key+markedSuffix] = r.values[ref.key]
			r.shadowed[ref.key] = true
			r.replace(t, p.plain)
		case p.marked != "":
			r.replace(t, p.marked)
		}
	}
}

// templateRef is one template of a render, as the chart holds it.
type templateRef struct {
	chart *chart.Chart
	file  *chart.File
	key   string
	data  []byte
}

// markInputs is everything the markers of a render depend on: the
// templates of every chart, and the texts tpl may render.
type markInputs struct {
	templates []templateRef
	texts     []string
}

func (in *markInputs) addText(s string) {
	if strings.Contains(s, "{{") {
		in.texts = append(in.texts, s)
	}
}

func (in *markInputs) same(other *markInputs) bool {
	return slices.Equal(in.texts, other.texts) && slices.EqualFunc(in.templates, other.templates, func(a, b templateRef) bool {
		return a.key == b.key && isLibrary(a.chart) == isLibrary(b.chart) && bytes.Equal(a.data, b.data)
	})
}

// markCache keeps the markers of a chart's last render. Rendering the
// same chart again with the same templates and tpl texts (each CI values
// file of --all-ci-values usually is) reuses them instead of parsing and
// rewriting every template again. Marks are never changed once made, so
// renders share them.
type markCache struct {
	inputs markInputs
	marks  markTable
	plans  []markPlan
}

// markPlan is what becomes of one template: replaced by marked when that
// is set, and with copy, kept as plain while marked renders as a copy.
type markPlan struct {
	copy          bool
	marked, plain string
}

// planMarkers decides the markers of a render: which helpers may carry
// them, and the rewritten source of each template.
func planMarkers(in *markInputs, display map[*chart.File]string) (markTable, []markPlan) {
	a := newHelperAnalysis()
	a.texts = slices.Clip(in.texts)
	named := map[string]bool{}
	parsed := map[*chart.File]*parsedTemplate{}
	use := make([]bool, len(in.templates))
	for i, ref := range in.templates {
		t := ref.file
		pt, done := parsed[t]
		if !done {
			pt, _ = parseTemplate(ref.key, display[t], ref.data)
			parsed[t] = pt
			if pt != nil {
				fileNames(pt.src, named)
			} else {
				fileNames(string(ref.data), named)
			}
		}
		// Helm's engine never reads a library chart's other files.
		use[i] = pt != nil && (!isLibrary(ref.chart) || strings.HasPrefix(path.Base(t.Name), "_"))
	}
	for i, ref := range in.templates {
		if use[i] {
			// A main body is written straight out unless another
			// template may include it by name; a partial's is never
			// rendered unless so included.
			pt := parsed[ref.file]
			a.addFile(pt.name, pt.trees, !named[path.Base(ref.file.Name)])
		}
	}
	safe := a.safeHelpers()

	// A mark per line of text and one or two per action: sized once, the
	// table is not copied as it grows.
	var table markTable
	size := 0
	for i, ref := range in.templates {
		if use[i] {
			size += bytes.Count(ref.data, []byte{'\n'}) + 2*bytes.Count(ref.data, []byte("{{"))
		}
	}
	table.marks = make([]mark, 0, size)
	plans := make([]markPlan, len(in.templates))
	done := map[*chart.File]markPlan{}
	for i, ref := range in.templates {
		if !use[i] {
			continue
		}
		t := ref.file
		base := path.Base(t.Name)
		top := !strings.HasPrefix(base, "_") && base != "NOTES.txt" && !isLibrary(ref.chart)
		p, ok := done[t]
		if !ok {
			marked, plain, changed := table.rewrite(parsed[t], safe, top, top && named[base])
			if changed {
				p = markPlan{copy: top && named[base], marked: marked, plain: plain}
			}
			done[t] = p
		}
		plans[i] = p
	}
	var files []*parsedTemplate
	for i, ref := range in.templates {
		if use[i] {
			files = append(files, parsed[ref.file])
		}
	}
	table.definePositions(files)
	return table, plans
}

func isLibrary(c *chart.Chart) bool {
	return strings.EqualFold(c.Metadata.Type, "library")
}

// replace sets a template's source, keeping the original for Helm's
// error messages.
func (r *release) replace(t *chart.File, text string) {
	if _, saved := r.original[t]; !saved {
		r.original[t] = t.Data
		t.Data = []byte(text)
	}
}

// walkStrings calls fn with every string inside a decoded values tree.
func walkStrings(v any, fn func(string)) {
	switch v := v.(type) {
	case string:
		fn(v)
	case map[string]any:
		for _, x := range v {
			walkStrings(x, fn)
		}
	case chartutil.Values:
		walkStrings(map[string]any(v), fn)
	case []any:
		for _, x := range v {
			walkStrings(x, fn)
		}
	}
}

// walkNodeStrings calls fn with every scalar of a values file.
func walkNodeStrings(n *yaml.Node, fn func(string)) {
	if n == nil {
		return
	}
	if n.Kind == yaml.ScalarNode {
		fn(n.Value)
	}
	for _, c := range n.Content {
		walkNodeStrings(c, fn)
	}
}

// markedCopy is a marked template added beside its original.
type markedCopy struct {
	chart *chart.Chart
	file  *chart.File
}

func (r *release) removeMarkers() {
	for f, data := range r.original {
		f.Data = data
	}
	for _, cp := range r.copies {
		cp.chart.Templates = slices.DeleteFunc(slices.Clone(cp.chart.Templates), func(f *chart.File) bool { return f == cp.file })
	}
	r.original, r.copies = map[*chart.File][]byte{}, nil
}

// helmPosition finds "name:line" or "name:line:col" in Helm's messages.
var helmPosition = regexp.MustCompile(`([^\s():]+):(\d+)(?::\d+)?`)

// renderError turns a failed render into an input error at the template
// position Helm names, keeping Helm's message. A `required` or `fail` says
// how to supply the missing value.
func (r *release) renderError(chrt *chart.Chart, err error, allCIValues bool) error {
	if err == nil {
		// The marked render failed but the plain one did not: a
		// marker changed what a template computes.
		err = errors.New("rendering failed only with position markers; please report this chart")
	}
	ie := &lint.InputError{File: r.base, Message: "chart " + chrt.Name() + ": " + condenseIncludes(err.Error())}
	var failed *chart.File
	failedName := ""
	for _, m := range helmPosition.FindAllStringSubmatch(err.Error(), -1) {
		if f := r.byKey[m[1]]; f != nil {
			failed, failedName = f, m[1]
			ie.File = r.display[f]
			ie.Line, _ = strconv.Atoi(m[2])
			break
		}
	}
	if strings.Contains(err.Error(), "execution error at") {
		ie.Message += valueHint(failed, failedName, ie.Line, r.base, ciValuesFiles(chrt), allCIValues)
	}
	return ie
}

// renderedYAMLError moves a YAML error in rendered output to the template
// line that produced the broken line.
func renderedYAMLError(loc *helmLocator, err error, chartName, variant string) error {
	var ie *lint.InputError
	if !errors.As(err, &ie) {
		return err
	}
	out := *ie
	if ie.Line > 0 {
		out.File, out.Line = loc.renderedLine(ie.Line)
	}
	out.Message = "chart " + chartName + " renders " + ie.Message
	if variant != "" {
		out.Message += " [" + variant + "]"
	}
	return &out
}

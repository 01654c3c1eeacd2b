package helm

import (
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/source"
)

// The limits below bound what one chart can cost to load and render. Each is
// far above what real charts need, and each is enforced with an input error
// naming the chart, so a hostile or broken chart is reported and skipped.
// docs/limits.md documents them for users; keep the two in step.
const (
	// MaxTemplateOutput is the most text one Helm template may render, in
	// bytes, and MaxChartOutput the most a whole chart render may.
	MaxTemplateOutput = 16 << 20
	MaxChartOutput    = 64 << 20

	// MaxChartArchiveSize and MaxChartFileSize bound a chart when Helm's
	// loader reads it: the decompressed size of a packaged chart, and the
	// size of any one file of a chart, packaged or not. They are Helm's
	// own defaults, which the loader enforces; TestHelmLoaderLimits keeps
	// them in step.
	MaxChartArchiveSize = 100 << 20
	MaxChartFileSize    = 5 << 20

	// MaxChartArchives is how many subchart archives a chart may hold,
	// nested ones included; real charts hold a few dozen. Helm's loader
	// gives each archive its own MaxChartArchiveSize, so the chart and all
	// its archives are also held to one MaxChartArchiveSize together (see
	// archiveBudget).
	MaxChartArchives = 1000

	// MaxSetListElements is how many list elements the --set values of
	// one chart may make, summed over every index: room for a list at
	// Helm's largest index (65,537 elements) and more, never for two.
	// MaxSetSize is how many bytes they may add up to, --set-file contents
	// included (see SetBudget).
	MaxSetListElements = 1 << 17
	MaxSetSize         = source.MaxFileSize
)

// markerBytes is how many bytes of out are position markers, which the
// limits leave out: they measure what the chart renders.
func markerBytes(out, token string) int {
	n := 0
	prefix := string(markStart) + token
	for {
		i := strings.Index(out, prefix)
		if i < 0 {
			return n
		}
		end := strings.IndexByte(out[i:], markEnd)
		if end < 0 {
			return n
		}
		n += end + 1
		out = out[i+end+1:]
	}
}

// outputSize names the output limit a render passed: the first template,
// in key order, over MaxTemplateOutput, or else the whole chart over
// MaxChartOutput. The zero value passed none.
type outputSize struct {
	Template string
	Chart    bool
}

// oversize measures out without the markers behind token against the
// output limits. The render process measures its output before sending
// it, so that output the linter would refuse is never copied and encoded
// (nor held twice against the render's memory budget).
func oversize(out map[string]string, token string) outputSize {
	total := 0
	for _, key := range slices.Sorted(maps.Keys(out)) {
		size := len(out[key]) - markerBytes(out[key], token)
		if size > MaxTemplateOutput {
			return outputSize{Template: key}
		}
		total += size
	}
	return outputSize{Chart: total > MaxChartOutput}
}

// sizeError is the input error for a render that passed the limit size.
func (r *release) sizeError(chartName string, size outputSize) error {
	if size.Template == "" {
		return &lint.InputError{File: r.base, Message: fmt.Sprintf("chart %s renders more than the %d MiB limit; not linted", chartName, MaxChartOutput>>20)}
	}
	file := r.base
	if f := r.byKey[size.Template]; f != nil {
		file = r.display[f]
	}
	return &lint.InputError{File: file, Message: fmt.Sprintf("chart %s: template renders more than the %d MiB limit; not linted", chartName, MaxTemplateOutput>>20)}
}

// checkChartLinks refuses a chart directory holding a symbolic link that
// resolves outside the chart, or to a directory containing the link. Helm's
// loader follows symbolic links, so the first would read (and expose through
// .Files) files the user never named, and the second would walk forever.
func checkChartLinks(name, dir string) error {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return &lint.InputError{File: name, Message: "cannot load chart: " + source.DescribeError(err)}
	}
	root = source.Abs(root)
	return filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return &lint.InputError{File: filepath.ToSlash(p), Message: "cannot load chart: " + source.DescribeError(err)}
		}
		if de.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		link := filepath.ToSlash(p)
		target, err := filepath.EvalSymlinks(p)
		if err != nil {
			return &lint.InputError{File: link, Message: "chart holds a broken symbolic link; not linted"}
		}
		target = source.Abs(target)
		if !lint.Within(root, target) {
			return &lint.InputError{File: link, Message: "chart holds a symbolic link to " + filepath.ToSlash(target) + ", outside the chart; not linted"}
		}
		if linkDir, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil && lint.Within(target, source.Abs(linkDir)) {
			return &lint.InputError{File: link, Message: "chart holds a symbolic link to a directory containing it (a loop); not linted"}
		}
		return nil
	})
}

// includeCall is how Helm's engine chains the error of an include inside
// another.
const includeCall = "error calling include: "

// condenseIncludes shortens a Helm error through many nested includes, as
// when a chart's templates recurse until Helm's include limit: one frame per
// level made a message of a hundred kilobytes. The outermost frame, where
// the template a person opens goes wrong, and the innermost cause are kept.
func condenseIncludes(msg string) string {
	const keep = 3
	n := strings.Count(msg, includeCall)
	if n <= keep {
		return msg
	}
	first := strings.Index(msg, includeCall) + len(includeCall)
	last := strings.LastIndex(msg, includeCall) + len(includeCall)
	return msg[:first] + fmt.Sprintf("[%d nested includes] ", n-1) + msg[last:]
}

package helm

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/source"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/ignore"
)

// utf8BOM is trimmed from chart files, as Helm's own loader does.
var utf8BOM = []byte("\xEF\xBB\xBF")

// loadChart reads the chart at osPath, a directory or a packaged .tgz,
// through the reader (regular files only, within the boundary and the size
// limit) and hands the bytes to Helm's loader. Helm's own directory loader
// would open a FIFO or a device it found in a chart and read whatever a
// symbolic link names; here the chart's files are read the way every other
// input is.
func loadChart(name, osPath string, boundary *source.Boundary) (*chart.Chart, error) {
	info, err := os.Stat(osPath)
	if err != nil {
		return nil, &lint.InputError{File: name, Message: "cannot load chart: " + source.DescribeError(err)}
	}
	if !info.IsDir() {
		data, err := boundary.ReadFile(name, osPath)
		if err != nil {
			return nil, err
		}
		chrt, err := loader.LoadArchive(bytes.NewReader(data))
		if err != nil {
			return nil, &lint.InputError{File: name, Message: "cannot load chart: " + err.Error()}
		}
		return chrt, nil
	}
	if err := checkChartLinks(name, osPath); err != nil {
		return nil, err
	}
	files, err := readChartDir(name, osPath, boundary)
	if err != nil {
		return nil, err
	}
	chrt, err := loader.LoadFiles(files)
	if err != nil {
		if yamlErr := invalidChartYAML(name, files, err.Error()); yamlErr != nil {
			return nil, yamlErr
		}
		if m := metadataError.FindStringSubmatch(err.Error()); m != nil {
			return nil, &lint.InputError{File: name + "/Chart.yaml", Line: chartYAMLKeyLine(files, m[1]), Message: "cannot load chart: " + err.Error()}
		}
		return nil, &lint.InputError{File: name, Message: "cannot load chart: " + err.Error()}
	}
	return chrt, nil
}

// metadataError is Helm's check of a chart's Chart.yaml, which names the
// key ("validation: chart.metadata.version \"one\" is invalid") but neither
// the file nor a line.
var metadataError = regexp.MustCompile(`^validation: chart\.metadata\.(\w+)`)

// chartYAMLKeyLine is the line of key in the chart's own Chart.yaml among
// files, or 0 when it is not there (a key that is required and missing).
func chartYAMLKeyLine(files []*loader.BufferedFile, key string) int {
	for _, f := range files {
		if f.Name != "Chart.yaml" {
			continue
		}
		if src, err := parseValues(f.Name, f.Data); err == nil {
			if n := lint.Get(src.root, key); n != nil {
				return n.Line
			}
		}
	}
	return 0
}

// chartYAMLFiles are the files of a chart (and of each subchart directory)
// Helm's loader parses as YAML. Its errors name neither the file's path
// nor a line a person can trust, so a file that is not YAML at all is
// reported through the manifest decoder's error, which names both.
var chartYAMLFiles = []string{"Chart.yaml", "values.yaml", "requirements.yaml", "Chart.lock", "requirements.lock"}

// invalidChartYAML returns the syntax error of the first of chartYAMLFiles
// that the loader's error names and that does not parse, or nil when there
// is none: the loader failed for another reason.
func invalidChartYAML(name string, files []*loader.BufferedFile, loaderErr string) error {
	for _, f := range files {
		base := path.Base(f.Name)
		if !slices.Contains(chartYAMLFiles, base) || !strings.Contains(loaderErr, base) {
			continue
		}
		if _, err := parseValues(name+"/"+f.Name, f.Data); err != nil {
			return err
		}
	}
	return nil
}

// badIgnoreLine is the first line of the .helmignore data whose pattern
// Helm's parser refuses on its own, or 0: the parser's error names none.
func badIgnoreLine(data []byte) int {
	lines := lint.IndexLines(data)
	for line := 1; line <= lines.Count(); line++ {
		if _, err := ignore.Parse(bytes.NewReader(lines.Text(line))); err != nil {
			return line
		}
	}
	return 0
}

// readChartDir reads every file of the chart directory dir that its
// .helmignore keeps. checkChartLinks has refused links that leave the chart
// or loop, so a linked directory is walked like any other.
func readChartDir(name, dir string, boundary *source.Boundary) ([]*loader.BufferedFile, error) {
	rules := ignore.Empty()
	ignoreFile := filepath.Join(dir, ignore.HelmIgnore)
	if _, err := os.Lstat(ignoreFile); err == nil {
		data, err := boundary.ReadFile(name+"/"+ignore.HelmIgnore, ignoreFile)
		if err != nil {
			return nil, err
		}
		if rules, err = ignore.Parse(bytes.NewReader(data)); err != nil {
			return nil, &lint.InputError{File: name + "/" + ignore.HelmIgnore, Line: badIgnoreLine(data), Message: "cannot load chart: " + err.Error()}
		}
	}
	rules.AddDefaults()

	var files []*loader.BufferedFile
	var walk func(osDir, rel string) error
	walk = func(osDir, rel string) error {
		entries, err := os.ReadDir(osDir)
		if err != nil {
			return &lint.InputError{File: name + "/" + rel, Message: "cannot load chart: " + source.DescribeError(err)}
		}
		for _, e := range entries {
			osPath := filepath.Join(osDir, e.Name())
			relPath := strings.TrimPrefix(rel+"/"+e.Name(), "/")
			info, err := os.Stat(osPath)
			if err != nil {
				return &lint.InputError{File: name + "/" + relPath, Message: "cannot load chart: " + source.DescribeError(err)}
			}
			if rules.Ignore(relPath, info) {
				continue
			}
			if info.IsDir() {
				if err := walk(osPath, relPath); err != nil {
					return err
				}
				continue
			}
			file, err := readChartFile(name+"/"+relPath, osPath, info, boundary)
			if err != nil {
				return err
			}
			files = append(files, &loader.BufferedFile{Name: relPath, Data: file})
		}
		return nil
	}
	if err := walk(dir, ""); err != nil {
		return nil, err
	}
	return files, nil
}

func readChartFile(file, osPath string, info fs.FileInfo, boundary *source.Boundary) ([]byte, error) {
	if info.Mode().IsRegular() && info.Size() > MaxChartFileSize {
		return nil, &lint.InputError{File: file, Message: fmt.Sprintf("cannot load chart: file is larger than Helm's %d MiB limit for a chart file", MaxChartFileSize>>20)}
	}
	data, err := boundary.ReadFile(file, osPath)
	if err != nil {
		return nil, err
	}
	return bytes.TrimPrefix(data, utf8BOM), nil
}

// archiveTopDir is the directory a packaged chart's files sit in, which
// Helm strips and which findings must name.
func archiveTopDir(data []byte) (string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return "", err
	}
	hdr, err := tar.NewReader(zr).Next()
	if err != nil {
		return "", err
	}
	top, _, _ := strings.Cut(strings.TrimPrefix(hdr.Name, "./"), "/")
	return top, nil
}

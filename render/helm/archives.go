package helm

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render/source"
)

// Helm's loader gives every subchart archive it unpacks a decompression
// budget of its own, MaxChartArchiveSize, and unpacks archives nested in
// archives as it finds them. A chart of a few kilobytes whose archives each
// hold two copies of the next (gzip stores the second copy as a reference to
// the first) unpacks into a million charts and gigabytes. archiveBudget
// walks a chart's archives, nested ones included, before the loader does,
// and holds them all to one budget: MaxChartArchiveSize bytes decompressed,
// tar headers included, and MaxChartArchives archives.
type archiveBudget struct {
	left     int64
	archives int
}

// errArchiveBudget stops reading once the budget is spent.
var errArchiveBudget = errors.New("archive budget spent")

func (b *archiveBudget) spent() bool {
	return b.left < 0 || b.archives > MaxChartArchives
}

// checkChartArchives enforces the budget on the chart at osPath, a
// directory or a packaged chart, named name in errors. Archives that do not
// unpack are left for Helm's loader to report.
func checkChartArchives(name, osPath string) error {
	b := &archiveBudget{left: MaxChartArchiveSize}
	info, err := os.Stat(osPath)
	if err != nil {
		return nil
	}
	if info.IsDir() {
		b.walkDir(osPath)
	} else {
		b.walkFile(osPath, false)
	}
	switch {
	case b.archives > MaxChartArchives:
		return &lint.InputError{File: name, Message: fmt.Sprintf("chart holds more than %d subchart archives, nested ones included; not linted", MaxChartArchives)}
	case b.left < 0:
		return &lint.InputError{File: name, Message: fmt.Sprintf("chart decompresses to more than the %d MiB limit, nested subchart archives included; not linted", MaxChartArchiveSize>>20)}
	}
	return nil
}

// walkDir walks the charts/ directory of a chart directory, as Helm's
// loader reads it, for subchart archives.
func (b *archiveBudget) walkDir(dir string) {
	entries, err := os.ReadDir(filepath.Join(dir, "charts"))
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.IndexAny(e.Name(), "_.") == 0 || b.spent() {
			continue
		}
		p := filepath.Join(dir, "charts", e.Name())
		// Links were checked to stay inside the chart without loops
		// (checkChartLinks); the loader follows them, and so does this.
		info, err := os.Stat(p)
		switch {
		case err != nil:
		case info.IsDir():
			b.walkDir(p)
		case path.Ext(e.Name()) == ".tgz":
			b.walkFile(p, true)
		}
	}
}

func (b *archiveBudget) walkFile(name string, nested bool) {
	data, err := source.ReadFile(filepath.ToSlash(name), name)
	if err != nil {
		return
	}
	b.walkArchive(bytes.NewReader(data), nested)
}

// walkArchive unpacks one archive, charging the budget for every byte
// gzip produces, and walks the archives Helm's loader would unpack from it.
// It stops at the first error: a broken archive is for the loader to
// report.
func (b *archiveBudget) walkArchive(r io.Reader, nested bool) {
	if nested {
		b.archives++
	}
	if b.spent() {
		return
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return
	}
	tr := tar.NewReader(&charged{r: zr, budget: b})
	for !b.spent() {
		hdr, err := tr.Next()
		if err != nil {
			return
		}
		// The loader drops the top directory and reads subcharts from
		// charts/ at any depth of directory subcharts.
		_, name, _ := strings.Cut(strings.ReplaceAll(hdr.Name, `\`, "/"), "/")
		if isSubchartArchive(path.Clean(name)) {
			b.walkArchive(tr, true)
		} else if _, err := io.Copy(io.Discard, tr); err != nil {
			return
		}
	}
}

// isSubchartArchive says whether Helm's loader unpacks the file at p, a
// path inside a chart: charts/NAME.tgz, in the chart or in one of its
// directory subcharts, with no name starting with "_" or ".".
func isSubchartArchive(p string) bool {
	parts := strings.Split(p, "/")
	for len(parts) >= 2 && parts[0] == "charts" && strings.IndexAny(parts[1], "_.") != 0 {
		if len(parts) == 2 {
			return path.Ext(parts[1]) == ".tgz"
		}
		parts = parts[2:]
	}
	return false
}

// charged is a reader that charges an archiveBudget for what it reads.
type charged struct {
	r      io.Reader
	budget *archiveBudget
}

func (c *charged) Read(p []byte) (int, error) {
	if c.budget.spent() {
		return 0, errArchiveBudget
	}
	n, err := c.r.Read(p)
	c.budget.left -= int64(n)
	return n, err
}

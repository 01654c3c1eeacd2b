package lint

import (
	"path/filepath"
	"strings"
)

// RelativeTo is path relative to dir when path is dir or lies below it; ok
// is false for a path outside dir. Both are absolute, or both relative to
// the same directory. It is the one containment check of the linter: the
// reader's boundary, chart and walk checks, fingerprints and SARIF paths
// all ask it.
func RelativeTo(dir, path string) (rel string, ok bool) {
	rel, err := filepath.Rel(dir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return rel, true
}

// Within reports whether path is dir or lies below it.
func Within(dir, path string) bool {
	_, ok := RelativeTo(dir, path)
	return ok
}

package rules

import (
	"regexp"
	"strconv"
	"strings"
)

// changeFor is the advice for an agent running image: that of the last of
// img's Versions the image's tag reaches, else fallback.
func (img AgentImage) changeFor(image, fallback string) string {
	tag, ok := parseVersion(imageTag(image))
	if !ok {
		return fallback
	}
	change := fallback
	for _, v := range img.Versions {
		if since, ok := parseVersion(v.Since); ok && compareVersions(tag, since) >= 0 {
			change = v.Change
		}
	}
	return change
}

// imageTag is the tag of an image reference, "" without one: a digest
// names no version.
func imageTag(image string) string {
	if strings.Contains(image, "@") {
		return ""
	}
	last := image[strings.LastIndex(image, "/")+1:]
	_, tag, _ := strings.Cut(last, ":")
	return tag
}

// versionPrefix reads the numbers that start a tag: "7.29.0-jmx" is 7.29.0.
var versionPrefix = regexp.MustCompile(`^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:$|[-+_.])`)

// parseVersion reads up to three numbers, missing ones being zero.
func parseVersion(s string) ([3]int, bool) {
	var v [3]int
	m := versionPrefix.FindStringSubmatch(s)
	if m == nil {
		return v, false
	}
	for i, part := range m[1:] {
		if part != "" {
			n, err := strconv.Atoi(part)
			if err != nil {
				return v, false
			}
			v[i] = n
		}
	}
	return v, true
}

func compareVersions(a, b [3]int) int {
	for i := range a {
		if a[i] != b[i] {
			return a[i] - b[i]
		}
	}
	return 0
}

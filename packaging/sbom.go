package main

import (
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
)

// CycloneDX 1.5, as much of it as the Go build information fills in:
// https://cyclonedx.org/docs/1.5/json/
type cdxBOM struct {
	BOMFormat    string          `json:"bomFormat"`
	SpecVersion  string          `json:"specVersion"`
	Version      int             `json:"version"`
	Metadata     cdxMetadata     `json:"metadata"`
	Components   []cdxComponent  `json:"components"`
	Dependencies []cdxDependency `json:"dependencies"`
}

type cdxMetadata struct {
	Timestamp string       `json:"timestamp"`
	Component cdxComponent `json:"component"`
}

type cdxComponent struct {
	Type       string        `json:"type"`
	BOMRef     string        `json:"bom-ref"`
	Name       string        `json:"name"`
	Version    string        `json:"version"`
	PURL       string        `json:"purl"`
	Properties []cdxProperty `json:"properties,omitempty"`
}

type cdxProperty struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type cdxDependency struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn"`
}

func sbomName(a archive) string {
	name := strings.TrimSuffix(strings.TrimSuffix(a.name, ".zip"), ".tar.gz")
	return name + ".cdx.json"
}

// writeSBOM lists what the binary was linked from, read back from the
// build information the Go linker embeds: the modules it holds (after
// replacements) and the Go standard library of the toolchain that built
// it, each with the package URL that vulnerability scanners look up.
func writeSBOM(dir string, a archive, binary, version string, date time.Time) (string, error) {
	info, err := buildinfo.ReadFile(binary)
	if err != nil {
		return "", err
	}
	bom := sbomFromBuildInfo(info, version, date)
	data, err := json.MarshalIndent(bom, "", "  ")
	if err != nil {
		return "", err
	}
	name := sbomName(a)
	return name, os.WriteFile(filepath.Join(dir, name), append(data, '\n'), 0o644)
}

func sbomFromBuildInfo(info *debug.BuildInfo, version string, date time.Time) cdxBOM {
	main := cdxComponent{
		Type:    "application",
		Name:    info.Main.Path,
		Version: version,
		PURL:    goPURL(info.Main.Path, version),
	}
	main.BOMRef = main.PURL
	for _, s := range info.Settings {
		switch s.Key {
		case "GOOS", "GOARCH", "CGO_ENABLED", "vcs.revision":
			main.Properties = append(main.Properties, cdxProperty{Name: "go.build." + s.Key, Value: s.Value})
		}
	}
	stdlib := cdxComponent{
		Type:    "library",
		Name:    "stdlib",
		Version: info.GoVersion,
		PURL:    goPURL("stdlib", info.GoVersion),
	}
	stdlib.BOMRef = stdlib.PURL
	components := []cdxComponent{stdlib}
	for _, m := range info.Deps {
		if m.Replace != nil {
			m = m.Replace
		}
		c := cdxComponent{Type: "library", Name: m.Path, Version: m.Version, PURL: goPURL(m.Path, m.Version)}
		c.BOMRef = c.PURL
		components = append(components, c)
	}
	// The build information lists what was linked, not who imports whom,
	// so the graph is one level: the binary depends on everything in it.
	refs := make([]string, len(components))
	for i, c := range components {
		refs[i] = c.BOMRef
	}
	return cdxBOM{
		BOMFormat:    "CycloneDX",
		SpecVersion:  "1.5",
		Version:      1,
		Metadata:     cdxMetadata{Timestamp: date.Format(time.RFC3339), Component: main},
		Components:   components,
		Dependencies: []cdxDependency{{Ref: main.BOMRef, DependsOn: refs}},
	}
}

// goPURL is the package URL of a Go module
// (https://github.com/package-url/purl-spec, type golang).
func goPURL(path, version string) string {
	return fmt.Sprintf("pkg:golang/%s@%s", path, version)
}

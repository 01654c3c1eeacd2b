package main

import (
	_ "embed"
	"os"
	"path/filepath"
	"strings"
	"text/template"
)

//go:embed dockershim-lint.rb.tmpl
var formulaTemplate string

const formulaFile = projectName + ".rb"

type formulaData struct {
	Module, Version, Number string
	Systems                 []formulaSystem
}

// formulaSystem is an on_macos or on_linux block of the formula.
type formulaSystem struct {
	Name  string
	Archs []formulaArch
}

// formulaArch is an on_intel or on_arm block: the archive to download.
type formulaArch struct {
	Name, URL, SHA256 string
}

// writeFormula writes the Homebrew formula for the macOS and Linux
// archives built; a build without them (a CI snapshot of one target)
// gets a formula for the archives it has.
func writeFormula(dir, version string, archives []archive) error {
	data := formulaData{Module: modulePath, Version: version, Number: strings.TrimPrefix(version, "v")}
	for _, system := range []struct{ goos, name string }{{"darwin", "macos"}, {"linux", "linux"}} {
		s := formulaSystem{Name: system.name}
		for _, arch := range []struct{ goarch, name string }{{"amd64", "intel"}, {"arm64", "arm"}} {
			for _, a := range archives {
				if a.target == (target{goos: system.goos, goarch: arch.goarch}) {
					s.Archs = append(s.Archs, formulaArch{
						Name:   arch.name,
						URL:    downloadURL + "/" + version + "/" + a.name,
						SHA256: a.sha256,
					})
				}
			}
		}
		if len(s.Archs) > 0 {
			data.Systems = append(data.Systems, s)
		}
	}
	tmpl, err := template.New(formulaFile).Parse(formulaTemplate)
	if err != nil {
		return err
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, data); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, formulaFile), []byte(b.String()), 0o644)
}

package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"text/tabwriter"

	"github.com/spf13/pflag"
)

// versionInfo is what `version` prints: enough to reproduce a finding with
// the same binary, since findings depend on the Helm and kustomize that
// render charts and overlays. Its JSON field names are an interface.
type versionInfo struct {
	Version  string `json:"version"`
	Revision string `json:"revision"`
	Time     string `json:"time"`
	Modified bool   `json:"modified"`
	Go       string `json:"go"`
	// Helm and Kustomize are the versions of the modules that render
	// charts and build overlays in-process.
	Helm      string `json:"helm"`
	Kustomize string `json:"kustomize"`
}

// Modules whose versions `version` reports.
const (
	helmModule      = "helm.sh/helm/v3"
	kustomizeModule = "sigs.k8s.io/kustomize/api"
)

// readVersionInfo reads the binary's build information.
func readVersionInfo() versionInfo {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return versionInfo{Version: buildVersion(), Go: runtime.Version()}
	}
	return newVersionInfo(buildVersion(), info)
}

// newVersionInfo reads version information out of info. Fields the build
// did not record (a build with -buildvcs=false has no revision) stay
// empty.
func newVersionInfo(version string, info *debug.BuildInfo) versionInfo {
	v := versionInfo{Version: version, Go: info.GoVersion}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	for _, dep := range info.Deps {
		if dep.Replace != nil {
			dep = dep.Replace
		}
		switch dep.Path {
		case helmModule:
			v.Helm = dep.Version
		case kustomizeModule:
			v.Kustomize = dep.Version
		}
	}
	return v
}

func newVersionFlagSet(format *string) *pflag.FlagSet {
	fs := newFlagSet("version")
	fs.StringVar(format, "format", "text", "print the version as `FORMAT`: text or json")
	return fs
}

func (c *cli) version(args []string) error {
	var format string
	fs := newVersionFlagSet(&format)
	if err := parseFlags(fs, args); err != nil {
		_, err = c.flagError("version", err)
		return err
	}
	if len(fs.Args()) > 0 {
		return usagef("version takes no arguments, got %q", fs.Args()[0])
	}
	v := readVersionInfo()
	switch format {
	case "json":
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case "text":
		unknown := func(s string) string {
			if s == "" {
				return "unknown"
			}
			return s
		}
		revision := unknown(v.Revision)
		if v.Modified {
			revision += " (modified)"
		}
		fmt.Fprintf(c.stdout, "dockershim-lint version %s\n", v.Version)
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 1, ' ', 0)
		fmt.Fprintf(tw, "revision:\t%s\n", revision)
		fmt.Fprintf(tw, "time:\t%s\n", unknown(v.Time))
		fmt.Fprintf(tw, "go:\t%s\n", v.Go)
		fmt.Fprintf(tw, "helm:\t%s\n", unknown(v.Helm))
		fmt.Fprintf(tw, "kustomize:\t%s\n", unknown(v.Kustomize))
		return tw.Flush()
	}
	return usagef("unknown format %q for version (want text or json)", format)
}

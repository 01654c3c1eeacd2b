package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// allTargets are the platforms a release is built for.
const allTargets = "linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64"

type target struct {
	goos, goarch string
}

func (t target) String() string { return t.goos + "_" + t.goarch }

func (t target) binaryName() string {
	if t.goos == "windows" {
		return projectName + ".exe"
	}
	return projectName
}

func parseTargets(list string) ([]target, error) {
	supported := strings.Split(allTargets, ",")
	var targets []target
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		if !slices.Contains(supported, item) {
			return nil, fmt.Errorf("-targets: %q is not one of %s", item, allTargets)
		}
		goos, goarch, _ := strings.Cut(item, "/")
		t := target{goos: goos, goarch: goarch}
		if slices.Contains(targets, t) {
			return nil, fmt.Errorf("-targets: %s named twice", item)
		}
		targets = append(targets, t)
	}
	return targets, nil
}

// build cross-compiles the linter for t into dir. A static binary without
// cgo runs on any libc and in an empty image; -trimpath keeps this
// machine's paths out of it; the version is what `version` prints.
func build(root, dir string, t target, version string) (string, error) {
	bin, err := filepath.Abs(filepath.Join(dir, t.binaryName()))
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-trimpath",
		"-ldflags", "-s -w -X main.version="+version,
		"-o", bin, ".")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+t.goos, "GOARCH="+t.goarch)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build for %s: %w", t, err)
	}
	return bin, nil
}

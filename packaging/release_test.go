package main

import (
	"archive/tar"
	"bytes"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

func TestParseTargets(t *testing.T) {
	for _, tt := range []struct {
		list    string
		want    []target
		wantErr string
	}{
		{list: "linux/amd64", want: []target{{"linux", "amd64"}}},
		{list: "darwin/arm64, windows/amd64", want: []target{{"darwin", "arm64"}, {"windows", "amd64"}}},
		{list: allTargets, want: []target{{"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "amd64"}, {"darwin", "arm64"}, {"windows", "amd64"}, {"windows", "arm64"}}},
		{list: "linux/386", wantErr: `"linux/386" is not one of`},
		{list: "linux/amd64,linux/amd64", wantErr: "linux/amd64 named twice"},
		{list: "", wantErr: `"" is not one of`},
	} {
		got, err := parseTargets(tt.list)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseTargets(%q): error %v, want one containing %q", tt.list, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("parseTargets(%q) = %v, %v; want %v", tt.list, got, err, tt.want)
		}
	}
}

func TestCheckVersion(t *testing.T) {
	const hooks = "- id: dockershim-lint-docker\n  entry: ghcr.io/dockershim-lint/dockershim-lint:v1.2.3 lint\n"
	for _, tt := range []struct {
		name    string
		opts    options
		file    string
		hooks   string
		wantErr string
	}{
		{name: "release", opts: options{version: "v1.2.3"}, file: "v1.2.3\n", hooks: hooks},
		{name: "snapshot of any version", opts: options{version: "v0.0.0-snapshot", snapshot: true}, file: "v1.3.0-dev\n", hooks: hooks},
		{name: "no version", opts: options{}, wantErr: "-version is required"},
		{name: "not a tag", opts: options{version: "1.2.3"}, file: "1.2.3\n", hooks: hooks, wantErr: "not a release tag"},
		{name: "pre-release", opts: options{version: "v1.2.3-rc.1"}, file: "v1.2.3-rc.1\n", hooks: hooks, wantErr: "not a release tag"},
		{name: "version file behind", opts: options{version: "v1.2.3"}, file: "v1.2.3-dev\n", hooks: hooks, wantErr: "packaging/VERSION says v1.2.3-dev, not v1.2.3"},
		{name: "docker hook behind", opts: options{version: "v1.2.3"}, file: "v1.2.3\n", hooks: strings.ReplaceAll(hooks, "v1.2.3", "v1.2.2"), wantErr: "docker_image hook must run ghcr.io/dockershim-lint/dockershim-lint:v1.2.3"},
		{name: "a path in the version", opts: options{version: "v1/../x", snapshot: true}, wantErr: "one path segment"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.MkdirAll(filepath.Join(root, "packaging"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, versionFile), []byte(tt.file), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, ".pre-commit-hooks.yaml"), []byte(tt.hooks), 0o644); err != nil {
				t.Fatal(err)
			}
			tt.opts.root = root
			err := checkVersion(tt.opts)
			if tt.wantErr == "" && err != nil {
				t.Errorf("unexpected error: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// The repository's own files: a commit either is the release its VERSION
// names, with the docker hook on that release's image, or is on the way
// to the next one.
func TestRepositoryVersion(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", versionFile))
	if err != nil {
		t.Fatal(err)
	}
	version := strings.TrimSpace(string(data))
	if strings.HasSuffix(version, "-dev") {
		if !releaseVersion.MatchString(strings.TrimSuffix(version, "-dev")) {
			t.Errorf("%s: %q is neither vX.Y.Z nor vX.Y.Z-dev", versionFile, version)
		}
		return
	}
	if err := checkVersion(options{root: "..", version: version}); err != nil {
		t.Error(err)
	}
}

func TestFormula(t *testing.T) {
	var archives []archive
	for i, t0 := range []target{{"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "amd64"}, {"darwin", "arm64"}, {"windows", "amd64"}} {
		archives = append(archives, archive{name: archiveName("v1.2.3", t0), target: t0, sha256: strings.Repeat(string(rune('a'+i)), 64)})
	}
	dir := t.TempDir()
	if err := writeFormula(dir, "v1.2.3", archives); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, formulaFile))
	if err != nil {
		t.Fatal(err)
	}
	blocks := formulaDownloads(string(data))
	want := map[string]string{
		"macos/intel": "https://github.com/dockershim-lint/dockershim-lint/releases/download/v1.2.3/dockershim-lint_1.2.3_darwin_amd64.tar.gz " + strings.Repeat("c", 64),
		"macos/arm":   "https://github.com/dockershim-lint/dockershim-lint/releases/download/v1.2.3/dockershim-lint_1.2.3_darwin_arm64.tar.gz " + strings.Repeat("d", 64),
		"linux/intel": "https://github.com/dockershim-lint/dockershim-lint/releases/download/v1.2.3/dockershim-lint_1.2.3_linux_amd64.tar.gz " + strings.Repeat("a", 64),
		"linux/arm":   "https://github.com/dockershim-lint/dockershim-lint/releases/download/v1.2.3/dockershim-lint_1.2.3_linux_arm64.tar.gz " + strings.Repeat("b", 64),
	}
	if len(blocks) != len(want) {
		t.Errorf("formula downloads %v, want %v", blocks, want)
	}
	for k, v := range want {
		if blocks[k] != v {
			t.Errorf("formula's on_%s block: %q, want %q", strings.Replace(k, "/", " on_", 1), blocks[k], v)
		}
	}
	for _, line := range []string{`class DockershimLint < Formula`, `  version "1.2.3"`, `    bin.install "dockershim-lint"`} {
		if !strings.Contains(string(data), line+"\n") {
			t.Errorf("formula lacks the line %q:\n%s", line, data)
		}
	}
}

var formulaBlock = regexp.MustCompile(`(?m)^ {2}on_(macos|linux) do$|^ {4}on_(intel|arm) do$|^ {6}url "([^"]+)"$|^ {6}sha256 "([0-9a-f]{64})"$`)

// formulaDownloads reads a formula's url and sha256 per on_SYSTEM and
// on_ARCH block, as "system/arch" -> "URL SHA256".
func formulaDownloads(formula string) map[string]string {
	out := map[string]string{}
	var system, arch, url string
	for _, m := range formulaBlock.FindAllStringSubmatch(formula, -1) {
		switch {
		case m[1] != "":
			system = m[1]
		case m[2] != "":
			arch = m[2]
		case m[3] != "":
			url = m[3]
		default:
			out[system+"/"+arch] = url + " " + m[4]
		}
	}
	return out
}

func TestSBOM(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The test binary is a Go binary too, linked with this module's
	// dependencies.
	info, err := buildinfo.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	bom := sbomFromBuildInfo(info, "v1.2.3", testDate)
	checkSBOM(t, bom, info.Main.Path+"@v1.2.3", info.GoVersion, "github.com/google/go-containerregistry")
}

func checkSBOM(t *testing.T, bom cdxBOM, mainRef, goVersion, dep string) {
	t.Helper()
	if bom.BOMFormat != "CycloneDX" || bom.SpecVersion != "1.5" {
		t.Errorf("bomFormat %q, specVersion %q", bom.BOMFormat, bom.SpecVersion)
	}
	if got := bom.Metadata.Component.PURL; got != "pkg:golang/"+mainRef {
		t.Errorf("metadata.component.purl %q, want pkg:golang/%s", got, mainRef)
	}
	var purls []string
	for _, c := range bom.Components {
		purls = append(purls, c.PURL)
	}
	if !slices.Contains(purls, "pkg:golang/stdlib@"+goVersion) {
		t.Errorf("no stdlib component for %s in %v", goVersion, purls)
	}
	if !slices.ContainsFunc(purls, func(p string) bool { return strings.HasPrefix(p, "pkg:golang/"+dep+"@v") }) {
		t.Errorf("no component for %s in %v", dep, purls)
	}
	if len(bom.Dependencies) != 1 || len(bom.Dependencies[0].DependsOn) != len(bom.Components) {
		t.Errorf("dependencies %v: want the binary to depend on each of the %d components", bom.Dependencies, len(bom.Components))
	}
}

func TestImage(t *testing.T) {
	dir := t.TempDir()
	binaries := map[string][]byte{}
	var platforms []imagePlatform
	for _, tg := range []target{{"linux", "amd64"}, {"linux", "arm64"}} {
		path := filepath.Join(t.TempDir(), projectName)
		binaries[tg.goarch] = []byte("binary for " + tg.String())
		if err := os.WriteFile(path, binaries[tg.goarch], 0o755); err != nil {
			t.Fatal(err)
		}
		platforms = append(platforms, imagePlatform{target: tg, binary: path})
	}
	if err := writeImage(dir, platforms, imageMeta{version: "v1.2.3", commit: "0123abc", created: testDate}); err != nil {
		t.Fatal(err)
	}
	checkImage(t, dir, "v1.2.3", binaries)
}

// checkImage checks the OCI layout in dir: one index tagged version, with
// one image per architecture in binaries whose entrypoint is that binary,
// run as non-root from the mount point.
func checkImage(t *testing.T, dir, version string, binaries map[string][]byte) {
	t.Helper()
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	top, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	topManifest, err := top.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(topManifest.Manifests) != 1 || !topManifest.Manifests[0].MediaType.IsIndex() {
		t.Fatalf("index.json holds %v, want one image index", topManifest.Manifests)
	}
	if got := topManifest.Manifests[0].Annotations["org.opencontainers.image.ref.name"]; got != version {
		t.Errorf("the index is tagged %q, want %q", got, version)
	}
	idx, err := top.ImageIndex(topManifest.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, desc := range manifest.Manifests {
		if desc.Platform == nil || desc.Platform.OS != "linux" {
			t.Errorf("manifest %s has platform %v, want linux", desc.Digest, desc.Platform)
			continue
		}
		arch := desc.Platform.Architecture
		seen[arch] = true
		img, err := idx.Image(desc.Digest)
		if err != nil {
			t.Fatal(err)
		}
		checkPlatformImage(t, img, arch, version, binaries[arch])
	}
	for arch := range binaries {
		if !seen[arch] {
			t.Errorf("no image for linux/%s", arch)
		}
	}
}

func checkPlatformImage(t *testing.T, img v1.Image, arch, version string, binary []byte) {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if cf.OS != "linux" || cf.Architecture != arch {
		t.Errorf("%s: config says %s/%s", arch, cf.OS, cf.Architecture)
	}
	if !slices.Equal(c.Entrypoint, []string{"/usr/local/bin/dockershim-lint"}) || c.WorkingDir != "/src" {
		t.Errorf("%s: entrypoint %q, workdir %q; want /usr/local/bin/dockershim-lint from /src", arch, c.Entrypoint, c.WorkingDir)
	}
	if uid, _, _ := strings.Cut(c.User, ":"); uid == "" || uid == "0" || uid == "root" {
		t.Errorf("%s: runs as user %q, want a non-root uid", arch, c.User)
	}
	if c.Labels["org.opencontainers.image.version"] != version {
		t.Errorf("%s: version label %q, want %q", arch, c.Labels["org.opencontainers.image.version"], version)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 {
		t.Fatalf("%s: %d layers, want one on an empty base", arch, len(layers))
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	entries := map[string]*tar.Header{}
	tr := tar.NewReader(rc)
	var got []byte
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		entries["/"+strings.TrimSuffix(hdr.Name, "/")] = hdr
		if "/"+hdr.Name == c.Entrypoint[0] {
			if got, err = io.ReadAll(tr); err != nil {
				t.Fatal(err)
			}
		}
	}
	if bin := entries[c.Entrypoint[0]]; bin == nil || bin.Mode&0o111 == 0 || !bytes.Equal(got, binary) {
		t.Errorf("%s: the entrypoint %s is not the executable binary (header %v, %d bytes, want %d)", arch, c.Entrypoint[0], bin, len(got), len(binary))
	}
	if wd := entries[c.WorkingDir]; wd == nil || wd.Typeflag != tar.TypeDir {
		t.Errorf("%s: the working directory %s is not a directory of the image", arch, c.WorkingDir)
	}
	if tmp := entries["/tmp"]; tmp == nil || tmp.Mode != 0o1777 {
		t.Errorf("%s: /tmp is %v, want a directory with mode 1777", arch, tmp)
	}
}

// TestDist checks a release directory that `go run .` wrote, named by
// DOCKERSHIM_LINT_DIST (.ci/run's step_release sets it): every published
// file is in checksums.txt with its hash, each archive holds the binary,
// the formula downloads the archives listed, and the image runs the linux
// binaries of the archives.
func TestDist(t *testing.T) {
	dist := os.Getenv("DOCKERSHIM_LINT_DIST")
	if dist == "" {
		t.Skip("DOCKERSHIM_LINT_DIST is not set: no release directory to check")
	}
	version := os.Getenv("DOCKERSHIM_LINT_DIST_VERSION")
	sums := readChecksums(t, filepath.Join(dist, "checksums.txt"))
	for name, sum := range sums {
		if got := mustSHA256(t, dist, name); got != sum {
			t.Errorf("%s: sha256 %s, checksums.txt says %s", name, got, sum)
		}
	}
	linux := map[string][]byte{}
	formula, err := os.ReadFile(filepath.Join(dist, formulaFile))
	if err != nil {
		t.Fatal(err)
	}
	downloads := formulaDownloads(string(formula))
	var archives int
	for _, tg := range []target{{"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "amd64"}, {"darwin", "arm64"}, {"windows", "amd64"}, {"windows", "arm64"}} {
		name := archiveName(version, tg)
		if _, err := os.Stat(filepath.Join(dist, name)); os.IsNotExist(err) {
			continue
		}
		archives++
		if sums[name] == "" {
			t.Errorf("%s is not in checksums.txt", name)
		}
		sbom := sbomName(archive{name: name})
		if sums[sbom] == "" {
			t.Errorf("%s is not in checksums.txt", sbom)
		}
		var bom cdxBOM
		if data, err := os.ReadFile(filepath.Join(dist, sbom)); err != nil {
			t.Error(err)
		} else if err := json.Unmarshal(data, &bom); err != nil {
			t.Errorf("%s: %v", sbom, err)
		} else {
			checkSBOM(t, bom, "github.com/dockershim-lint/dockershim-lint@"+version, bom.Components[0].Version, "helm.sh/helm/v3")
		}
		files, modes := readArchive(t, filepath.Join(dist, name))
		bin := files[tg.binaryName()]
		if len(bin) == 0 || modes[tg.binaryName()]&0o111 == 0 {
			t.Errorf("%s holds no executable %s", name, tg.binaryName())
		}
		if tg.goos == "linux" {
			linux[tg.goarch] = bin
		}
		if tg.goos != "windows" {
			system := map[string]string{"darwin": "macos", "linux": "linux"}[tg.goos]
			arch := map[string]string{"amd64": "intel", "arm64": "arm"}[tg.goarch]
			want := downloadURL + "/" + version + "/" + name + " " + sums[name]
			if got := downloads[system+"/"+arch]; got != want {
				t.Errorf("formula downloads %q for %s/%s, want %q", got, system, arch, want)
			}
		}
	}
	if archives == 0 {
		t.Fatalf("%s holds no archive of version %q", dist, version)
	}
	if len(linux) > 0 {
		checkImage(t, filepath.Join(dist, imageLayoutDir), version, linux)
	}
}

// Command packaging builds everything a dockershim-lint release publishes,
// offline: the binaries for each platform in archives, checksums.txt, an
// SBOM per archive, the Homebrew formula and the container image as an OCI
// layout. It is a module of its own so that the linter's go.mod never
// carries the image library.
//
//	go -C packaging run . -version v1.2.3            # a release, from its tag
//	go -C packaging run . -snapshot -targets linux/amd64
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const (
	projectName = "dockershim-lint"
	// modulePath is also the repository on GitHub, where releases live.
	modulePath  = "github.com/dockershim-lint/dockershim-lint"
	imageName   = "ghcr.io/dockershim-lint/dockershim-lint"
	downloadURL = "https://" + modulePath + "/releases/download"
	// versionFile names the release its commit is, and "-dev" after the
	// last release; the composite action reads it to choose between
	// downloading that release and building from source.
	versionFile = "packaging/VERSION"
)

var releaseVersion = regexp.MustCompile(`^v\d+\.\d+\.\d+$`)

type options struct {
	root     string // the linter's module, which is built
	out      string
	version  string
	snapshot bool
	targets  []target
	date     time.Time
	commit   string
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "packaging:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("packaging", flag.ContinueOnError)
	root := fs.String("root", "..", "the dockershim-lint checkout to build")
	out := fs.String("out", "../dist", "directory to write the release to; it must not exist or be empty")
	version := fs.String("version", "", "the release tag, such as v1.2.3; with -snapshot, any version string")
	snapshot := fs.Bool("snapshot", false, "a build for testing: the version need not match "+versionFile)
	targetList := fs.String("targets", allTargets, "comma-separated GOOS/GOARCH pairs to build")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	targets, err := parseTargets(*targetList)
	if err != nil {
		return err
	}
	opts := options{root: *root, out: *out, version: *version, snapshot: *snapshot, targets: targets}
	if err := checkVersion(opts); err != nil {
		return err
	}
	if opts.commit, err = git(opts.root, "rev-parse", "HEAD"); err != nil {
		return err
	}
	if opts.date, err = sourceDate(opts.root); err != nil {
		return err
	}
	return release(opts)
}

// checkVersion refuses a release whose tag is not what the commit says it
// is, so that the action, the hooks and the binaries agree.
func checkVersion(opts options) error {
	if opts.version == "" {
		return errors.New("-version is required")
	}
	if strings.ContainsAny(opts.version, "/ \t\n") {
		return fmt.Errorf("-version %q: a version is one path segment without spaces", opts.version)
	}
	if opts.snapshot {
		return nil
	}
	if !releaseVersion.MatchString(opts.version) {
		return fmt.Errorf("-version %q is not a release tag vMAJOR.MINOR.PATCH (use -snapshot for a test build)", opts.version)
	}
	data, err := os.ReadFile(filepath.Join(opts.root, versionFile))
	if err != nil {
		return err
	}
	if got := strings.TrimSpace(string(data)); got != opts.version {
		return fmt.Errorf("%s says %s, not %s: commit the version before tagging the release", versionFile, got, opts.version)
	}
	hooks, err := os.ReadFile(filepath.Join(opts.root, ".pre-commit-hooks.yaml"))
	if err != nil {
		return err
	}
	if image := imageName + ":" + opts.version + " "; !strings.Contains(string(hooks), image) {
		return fmt.Errorf(".pre-commit-hooks.yaml: the docker_image hook must run %s", strings.TrimSpace(image))
	}
	return nil
}

// sourceDate is the time stamped on every file, archive entry and image:
// SOURCE_DATE_EPOCH when set, else the commit's time, so that building a
// commit twice gives the same bytes.
func sourceDate(root string) (time.Time, error) {
	epoch := os.Getenv("SOURCE_DATE_EPOCH")
	if epoch == "" {
		var err error
		if epoch, err = git(root, "log", "-1", "--format=%ct"); err != nil {
			return time.Time{}, err
		}
	}
	sec, err := strconv.ParseInt(epoch, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", epoch, err)
	}
	return time.Unix(sec, 0).UTC(), nil
}

func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

func release(opts options) error {
	if entries, err := os.ReadDir(opts.out); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty: remove it, or name another -out", opts.out)
	}
	binDir, err := os.MkdirTemp("", "dockershim-lint-release-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(binDir)
	if err := os.MkdirAll(opts.out, 0o755); err != nil {
		return err
	}
	readme, err := os.ReadFile(filepath.Join(opts.root, "README.md"))
	if err != nil {
		return err
	}
	var published []string // the files checksums.txt covers
	var archives []archive
	binaries := map[target]string{}
	for _, t := range opts.targets {
		start := time.Now()
		bin, err := build(opts.root, filepath.Join(binDir, t.String()), t, opts.version)
		if err != nil {
			return err
		}
		binaries[t] = bin
		a, err := writeArchive(opts.out, t, opts.version, opts.date, []archiveFile{
			{name: t.binaryName(), path: bin, mode: 0o755},
			{name: "README.md", data: readme, mode: 0o644},
		})
		if err != nil {
			return err
		}
		sbom, err := writeSBOM(opts.out, a, bin, opts.version, opts.date)
		if err != nil {
			return err
		}
		archives = append(archives, a)
		published = append(published, a.name, sbom)
		fmt.Printf("built %s and %s in %s\n", a.name, sbom, time.Since(start).Round(time.Second))
	}
	if err := writeChecksums(opts.out, published); err != nil {
		return err
	}
	if err := writeFormula(opts.out, opts.version, archives); err != nil {
		return err
	}
	var linux []imagePlatform
	for _, t := range opts.targets {
		if t.goos == "linux" {
			linux = append(linux, imagePlatform{target: t, binary: binaries[t]})
		}
	}
	if len(linux) == 0 {
		fmt.Println("no linux target: no container image")
		return nil
	}
	dir := filepath.Join(opts.out, imageLayoutDir)
	if err := writeImage(dir, linux, imageMeta{version: opts.version, commit: opts.commit, created: opts.date}); err != nil {
		return err
	}
	fmt.Printf("wrote the image for %d platforms as an OCI layout in %s\n", len(linux), dir)
	return nil
}

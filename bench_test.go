package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dockershim-lint/dockershim-lint/internal/benchcpu"
	"github.com/dockershim-lint/dockershim-lint/internal/gittest"
	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/render"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
	"github.com/dockershim-lint/dockershim-lint/rules"
)

// The benchmarks lint a generated repository: every file holds a
// Deployment, a Service and a ConfigMap, and every tenth also a DaemonSet
// that mounts the Docker socket. BenchmarkDecodeFloor is what the whole lint
// is measured against: reading and decoding the same files once, on one core.
// docs/performance.md has the figures and the commands.

const benchFiles = 2000

// The 20,000-file lint shows that time grows linearly and peak memory
// only with findings; writing the files takes longer than linting them,
// so it runs only when asked for.
var benchLarge = flag.Bool("bench-large", false, "BenchmarkLint also lints 20,000 files")

const benchManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-%[1]d
  namespace: team-%[2]d
  labels:
    app: web-%[1]d
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web-%[1]d
  template:
    metadata:
      labels:
        app: web-%[1]d
    spec:
      containers:
        - name: web
          image: registry.example.com/web:%[1]d
          args: ["--port=8080", "--log-level=info"]
          env:
            - name: CONFIG
              valueFrom:
                configMapKeyRef:
                  name: web-%[1]d
                  key: config.yaml
          ports:
            - containerPort: 8080
          volumeMounts:
            - name: cache
              mountPath: /var/cache/web
      volumes:
        - name: cache
          emptyDir: {}
---
apiVersion: v1
kind: Service
metadata:
  name: web-%[1]d
  namespace: team-%[2]d
spec:
  selector:
    app: web-%[1]d
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-%[1]d
  namespace: team-%[2]d
data:
  config.yaml: |
    listen: :8080
    upstreams:
      - http://api-%[1]d.team-%[2]d.svc:8080
`

const benchDaemonSet = `---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent-%[1]d
  namespace: team-%[2]d
spec:
  selector:
    matchLabels:
      app: agent-%[1]d
  template:
    metadata:
      labels:
        app: agent-%[1]d
    spec:
      containers:
        - name: agent
          image: registry.example.com/agent:%[1]d
          volumeMounts:
            - name: docker-sock
              mountPath: /var/run/docker.sock
      volumes:
        - name: docker-sock
          hostPath:
            path: /var/run/docker.sock
`

// benchRepo writes n manifest files under a temporary directory, in 20
// team directories as a real repository would spread them.
func benchRepo(b *testing.B, n int) (dir string, files []string) {
	b.Helper()
	dir = b.TempDir()
	for i := range n {
		team := i % 20
		sub := filepath.Join(dir, fmt.Sprintf("team-%02d", team))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		fmt.Fprintf(&buf, benchManifest, i, team)
		if i%10 == 0 {
			fmt.Fprintf(&buf, benchDaemonSet, i, team)
		}
		path := filepath.Join(sub, fmt.Sprintf("app-%04d.yaml", i))
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
		files = append(files, path)
	}
	return dir, files
}

// BenchmarkDecodeFloor reads and decodes every file once into yaml.v3
// nodes, sequentially: the least any linter that keeps positions must do.
func BenchmarkDecodeFloor(b *testing.B) {
	_, files := benchRepo(b, benchFiles)
	b.ReportAllocs()
	defer benchcpu.Start(b)()
	for b.Loop() {
		decodeFloor(b, files)
	}
}

func decodeFloor(b *testing.B, files []string) {
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var doc yaml.Node
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkLintOverFloor is goal 1's ratio measured in one loop: each
// operation decodes the repository as BenchmarkDecodeFloor does and lints
// it with one worker, in turns, and the CPU of each is summed. Load that
// comes and goes on a shared machine, which moves the CPU of separate
// benchmark runs by half, then falls on both alike. Each part starts
// after a collection, so that neither pays for the other's garbage; the
// order alternates, so that neither always runs first.
func BenchmarkLintOverFloor(b *testing.B) {
	dir, files := benchRepo(b, benchFiles)
	engine := lint.Engine{Rules: rules.All(), Workers: 1}
	lintOnce := func() {
		inputs, errs := render.Discover([]string{dir}, render.Options{})
		result := engine.Run(inputs)
		if len(errs) > 0 || len(result.Errors) > 0 || len(result.Findings) != benchFiles/10 {
			b.Fatalf("input errors %v %v, %d findings, want %d", errs, result.Errors, len(result.Findings), benchFiles/10)
		}
	}
	parts := [2]func(){func() { decodeFloor(b, files) }, lintOnce}
	var spent [2]int64 // the floor's, the lint's
	n := 0
	for b.Loop() {
		for i := range parts {
			part := (i + n) % 2
			runtime.GC()
			start, ok := benchcpu.Used()
			parts[part]()
			end, ok2 := benchcpu.Used()
			if !ok || !ok2 {
				b.Skip("the process's CPU time cannot be read here")
			}
			spent[part] += end - start
		}
		n++
	}
	b.ReportMetric(float64(spent[0])/float64(n), "floor-cpu-ns/op")
	b.ReportMetric(float64(spent[1])/float64(n), "lint-cpu-ns/op")
	b.ReportMetric(float64(spent[1])/float64(spent[0]), "lint/floor")
}

// BenchmarkLint is the whole lint of a repository: discovery, parallel
// decoding, every rule, sorting. Its peak-heap metric shows that memory
// follows the findings, not the number of files.
func BenchmarkLint(b *testing.B) {
	sizes := []int{benchFiles / 4, benchFiles}
	if *benchLarge {
		sizes = append(sizes, benchFiles*10)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			benchLint(b, n, 0)
		})
	}
	// One worker separates the rules' cost from the parallelism.
	b.Run(fmt.Sprintf("files=%d/workers=1", benchFiles), func(b *testing.B) {
		benchLint(b, benchFiles, 1)
	})
}

func benchLint(b *testing.B, n, workers int) {
	dir, _ := benchRepo(b, n)
	engine := lint.Engine{Rules: rules.All(), Workers: workers}
	var peak uint64
	b.ReportAllocs()
	defer benchcpu.Start(b)()
	for b.Loop() {
		stop := sampleHeap(&peak)
		inputs, errs := render.Discover([]string{dir}, render.Options{})
		result := engine.Run(inputs)
		stop()
		if len(errs) > 0 || len(result.Errors) > 0 {
			b.Fatalf("input errors: %v %v", errs, result.Errors)
		}
		// Every tenth file's DaemonSet mounts the socket; nothing else
		// should be reported, or the benchmark measures the wrong thing.
		if got, want := len(result.Findings), n/10; got != want {
			b.Fatalf("got %d findings, want %d", got, want)
		}
	}
	b.ReportMetric(float64(peak), "peak-heap-B")
}

// BenchmarkRules is the rules' share of BenchmarkLint: every rule over
// ten of its files, decoded once before timing, so that a change to the
// rules is measured without the reading and decoding around it, whose
// spread on a loaded machine hides it.
func BenchmarkRules(b *testing.B) {
	var files [][]*lint.Object
	for i := range 10 {
		var buf bytes.Buffer
		fmt.Fprintf(&buf, benchManifest, i, i)
		if i%10 == 0 {
			fmt.Fprintf(&buf, benchDaemonSet, i, i)
		}
		objects, err := manifest.Decode(fmt.Sprintf("app-%d.yaml", i), buf.Bytes())
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, objects)
	}
	engine := lint.Engine{Rules: rules.All()}
	b.ReportAllocs()
	defer benchcpu.Start(b)()
	for b.Loop() {
		found := 0
		for _, objects := range files {
			found += len(engine.Check(objects))
		}
		if found != 1 {
			b.Fatalf("got %d findings, want the one DaemonSet's socket", found)
		}
	}
}

// sampleHeap records into peak the largest heap (live and not yet collected
// objects) seen until stop is called. runtime/metrics reads it without
// stopping the world, so sampling every 200µs barely disturbs the run.
func sampleHeap(peak *uint64) (stop func()) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !done.Load() {
			metrics.Read(sample)
			*peak = max(*peak, sample[0].Value.Uint64())
			time.Sleep(200 * time.Microsecond)
		}
	}()
	return func() {
		done.Store(true)
		wg.Wait()
	}
}

// BenchmarkPreCommit is what a pre-commit hook pays per commit after
// start-up: one small file linted end to end through the CLI, alone outside
// any repository and then inside a git repository of 20,000 files. The
// second must stay within 1.2 times the first: no kustomization in the
// file's own directories uses it, so discovery reads neither the git index
// nor the tree.
func BenchmarkPreCommit(b *testing.B) {
	socket, err := os.ReadFile(socketFile)
	if err != nil {
		b.Fatal(err)
	}
	outside := filepath.Join(b.TempDir(), "socket.yaml")
	if err := os.WriteFile(outside, socket, 0o644); err != nil {
		b.Fatal(err)
	}
	const repoFiles = 20000
	repo := b.TempDir()
	for i := range repoFiles {
		dir := filepath.Join(repo, fmt.Sprintf("apps/group-%02d/app-%04d", i/5000, i/50))
		if i%50 == 0 {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				b.Fatal(err)
			}
		}
		cm := fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m-%d\n", i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("m-%02d.yaml", i%50)), []byte(cm), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	inside := filepath.Join(repo, "apps", "group-01", "app-0123", "socket.yaml")
	if err := os.WriteFile(inside, socket, 0o644); err != nil {
		b.Fatal(err)
	}
	gittest.Init(b, repo)
	for _, tc := range []struct{ name, file string }{
		{name: "outside", file: outside},
		{name: fmt.Sprintf("repo=%d", repoFiles), file: inside},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			defer benchcpu.Start(b)()
			for b.Loop() {
				if code := run([]string{"lint", tc.file}, nil, io.Discard, io.Discard); code != exitFindings {
					b.Fatalf("exit code %d, want %d", code, exitFindings)
				}
			}
		})
	}
}

// BenchmarkSmallFile is one small file linted end to end through the CLI,
// after start-up: what a pre-commit hook pays per invocation on top of the
// process start measured in docs/performance.md.
func BenchmarkSmallFile(b *testing.B) {
	b.ReportAllocs()
	defer benchcpu.Start(b)()
	for b.Loop() {
		if code := run([]string{"lint", socketFile}, nil, io.Discard, io.Discard); code != exitFindings {
			b.Fatalf("exit code %d, want %d", code, exitFindings)
		}
	}
}

// BenchmarkProcess is what a person waits for: the built binary started,
// run and ended, start-up included, which the in-process benchmarks leave
// out. "version" is start-up and almost nothing else; "lint-small" adds
// one small file. The binary is built once, before timing; cpu-ns/op is
// the child's own user and system time.
func BenchmarkProcess(b *testing.B) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		b.Skip("no go command to build the binary: ", err)
	}
	bin := filepath.Join(b.TempDir(), "dockershim-lint")
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{name: "version", args: []string{"version"}, code: exitOK},
		{name: "lint-small", args: []string{"lint", socketFile}, code: exitFindings},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var cpu time.Duration
			for b.Loop() {
				cmd := exec.Command(bin, tc.args...)
				err := cmd.Run()
				if cmd.ProcessState == nil {
					b.Fatalf("%s: %v", tc.name, err)
				}
				if code := cmd.ProcessState.ExitCode(); code != tc.code {
					b.Fatalf("%s exited %d (%v), want %d", tc.name, code, err, tc.code)
				}
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

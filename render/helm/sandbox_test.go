package helm

import (
	"errors"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/lint/linttest"
)

// TestRenderBudget renders charts whose one template calls an unbounded
// function, each of which took minutes or gigabytes in-process, and checks
// that the render ends in an input error on that template within a
// generous deadline, having spent no more than the budget.
func TestRenderBudget(t *testing.T) {
	memory, memoryMessage := int64(256<<20), "256 MiB"
	if raceEnabled {
		// The race detector's own memory would spend 256 MiB before
		// the first template, and its slower loops may spend the time
		// before the memory: either budget is then the right error.
		memory, memoryMessage = 2<<30, "2048 MiB"
	}
	// The child's resident size counts the executable's pages besides its
	// heap. And one allocation passes the kernel's limit once (see
	// watchMemory): repeat's gigabyte is filled by one copy, which the
	// child's own check cannot interrupt when a collection is waiting to
	// stop the world, so the child then holds a gigabyte before it ends.
	maxChildRSS := memory + 1<<30
	t.Cleanup(func() { SetRenderBudget(RenderBudget{}) })
	spentTime := `took longer than the 3s render budget \(raise it with --render-timeout\)`
	spentMemory := `needed more than the ` + memoryMessage + ` render memory budget \(raise it with --render-memory\)`
	if raceEnabled {
		spentTime = `(` + spentTime + `|` + spentMemory + `)`
		spentMemory = spentTime
	}
	tests := []struct {
		name     string
		template string
		values   string
		// sub puts the template in a subchart, charts/sub.
		sub bool
		// want is the end of the message after "chart c: rendering
		// <template> ".
		want string
	}{
		{name: "range until 1e8", template: `{{ range until 100000000 }}x{{ end }}`, want: spentMemory},
		{name: "until 1e9", template: `{{ len (until 1000000000) }}`, want: spentMemory},
		{name: "untilStep", template: `{{ len (untilStep 0 1000000000 1) }}`, want: spentMemory},
		{name: "seq", template: `{{ len (seq 1 100000000) }}`, want: spentMemory},
		{name: "repeat", template: `{{ len (repeat 1000000000 "x") }}`, want: spentMemory},
		{
			// 2^25 calls that each render one byte, which len drops.
			name: "include fan-out",
			template: `{{- define "f" }}{{ if gt (int .) 0 }}{{ include "f" (sub (int .) 1) }}{{ include "f" (sub (int .) 1) }}{{ end }}{{ end -}}` +
				`{{ len (include "f" 25) }}`,
			want: spentTime,
		},
		{
			// Each level of tpl renders the value twice: 2^n renders
			// for n levels, under Helm's nesting limit.
			name:     "tpl recursion",
			template: `{{ tpl .Values.t (dict "Values" .Values "Template" .Template "n" 0) }}`,
			values:   "t: '{{ if lt (int .n) 40 }}{{ tpl $.Values.t (dict \"Values\" $.Values \"Template\" $.Template \"n\" (add1 .n)) }}{{ tpl $.Values.t (dict \"Values\" $.Values \"Template\" $.Template \"n\" (add1 .n)) }}{{ end }}'\n",
			want:     `(` + spentTime + `|` + spentMemory + `)`,
		},
		{
			name:     "until inside tpl",
			template: `{{ tpl "{{ range until 100000000 }}{{ . }}{{ end }}" . }}`,
			want:     spentMemory,
		},
		{
			name:     "include fan-out in a subchart",
			template: `{{- define "g" }}{{ if gt (int .) 0 }}{{ include "g" (sub (int .) 1) }}{{ include "g" (sub (int .) 1) }}{{ end }}{{ end -}}{{ len (include "g" 25) }}`,
			sub:      true,
			want:     spentTime,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "c")
			writeFile(t, filepath.Join(dir, "Chart.yaml"), "apiVersion: v2\nname: c\nversion: 0.1.0\n")
			writeFile(t, filepath.Join(dir, "values.yaml"), tt.values)
			writeFile(t, filepath.Join(dir, "templates", "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n")
			file := "templates/t.yaml"
			if tt.sub {
				writeFile(t, filepath.Join(dir, "charts", "sub", "Chart.yaml"), "apiVersion: v2\nname: sub\nversion: 0.1.0\n")
				file = "charts/sub/templates/t.yaml"
			}
			writeFile(t, filepath.Join(dir, filepath.FromSlash(file)), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t\ndata:\n  a: \""+tt.template+"\"\n")
			// A case the memory budget must end gets time to spare, so
			// that a loaded machine cannot make the clock end it first.
			timeout := 3 * time.Second
			if tt.want == spentMemory && !raceEnabled {
				timeout = 30 * time.Second
			}
			SetRenderBudget(RenderBudget{Timeout: timeout, Memory: memory})
			peakBefore := childPeak(t)
			done := make(chan error, 1)
			go func() {
				_, err := NewChart(dir, Options{}).Load()
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(linttest.Deadline(time.Minute)):
				t.Fatal("the render did not end within a minute")
			}
			var ie *lint.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an input error", err)
			}
			want := regexp.MustCompile(`^chart c: rendering ` + regexp.QuoteMeta(file) + ` ` + tt.want + `$`)
			if ie.File != filepath.ToSlash(dir)+"/"+file || !want.MatchString(ie.Message) {
				t.Errorf("got %s: %s\nwant %s: %s", ie.File, ie.Message, filepath.ToSlash(dir)+"/"+file, want)
			}
			// The largest child so far; a case whose child grows past the
			// budget raises it.
			if peak := childPeak(t); !raceEnabled && peak > peakBefore && peak > maxChildRSS {
				t.Errorf("its render process reached %d MiB, over the %d MiB budget", peak>>20, maxChildRSS>>20)
			}
		})
	}
}

// TestOutOfMemory checks which crash reports of the render process are
// put down to its memory budget.
func TestOutOfMemory(t *testing.T) {
	tests := []struct {
		name   string
		report string
		want   bool
	}{
		{name: "runtime's report", report: "fatal error: runtime: out of memory\n\ngoroutine 1 [running]:\n", want: true},
		{name: "allocation refused", report: "runtime: out of memory: cannot allocate 1073741824-byte block (268435456 in use)\n", want: true},
		{name: "no room for a thread's stack", report: "runtime/cgo: pthread_create failed: Resource temporarily unavailable\nSIGABRT: abort\n", want: true},
		{name: "race detector's allocator", report: "==10534==ERROR: ThreadSanitizer failed to allocate 0x4000000 (67108864) bytes at address 7f0000000000 (errno: 12)\n", want: true},
		{
			name:   "collector faulting in the runtime",
			report: "SIGSEGV: segmentation violation\nPC=0xc76f3d m=6 sigcode=1 addr=0x0\n\ngoroutine 0 gp=0x6ffa9605a40 m=6 mp=0x6ffa99c4008 [idle]:\nruntime.(*spanQueue).tryDrain(0x400?)\n",
			want:   true,
		},
		{
			name:   "fault in Helm's code",
			report: "SIGSEGV: segmentation violation\nPC=0xc76f3d m=6 sigcode=1 addr=0x0\n\ngoroutine 1 gp=0x6ffa9605a40 m=6 [running]:\nhelm.sh/helm/v3/pkg/engine.Render(0x400?)\n",
		},
		{name: "panic", report: "panic: assignment to entry in nil map\n\ngoroutine 1 [running]:\nruntime.mapassign()\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := outOfMemory(tt.report); got != tt.want {
				t.Errorf("outOfMemory = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestProgressRendersNothing renders templates another one includes by a
// name no source spells out, with a context of its own: the progress call
// on their first line must render nothing and fail nowhere.
func TestProgressRendersNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "c")
	writeFile(t, filepath.Join(dir, "Chart.yaml"), "apiVersion: v2\nname: c\nversion: 0.1.0\n")
	writeFile(t, filepath.Join(dir, "templates", "b.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n")
	writeFile(t, filepath.Join(dir, "templates", "a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n"+
		`  string: {{ include (printf "%s/templates/b.%s" .Chart.Name "yaml") (dict "Capabilities" "x") | quote }}`+"\n"+
		`  none: {{ include (printf "%s/templates/b.%s" .Chart.Name "yaml") (dict) | quote }}`+"\n")
	objects, err := NewChart(dir, Options{}).Load()
	if err != nil {
		t.Fatal(err)
	}
	// b's text as a value keeps the position markers of b's own render;
	// what matters here is that nothing else reached it.
	var data []string
	for _, o := range objects {
		if d := lint.Get(o.Node, "data"); d != nil {
			for i := 1; i < len(d.Content); i += 2 {
				data = append(data, d.Content[i].Value)
			}
		}
	}
	if len(objects) != 2 || len(data) != 2 || !strings.HasSuffix(data[0], "  name: b\n") || !strings.HasSuffix(data[1], "  name: b\n") {
		t.Fatalf("got %d objects with data %q, want a and b, a holding b's text twice", len(objects), data)
	}
}

// TestRenderChildReused: one render process serves the renders of a run,
// every CI values file of one chart and other charts after it, instead of
// a process started per render; a render that spends the budget still
// ends in the budget's error, its process is not kept, and the next chart
// renders.
func TestRenderChildReused(t *testing.T) {
	// Time to spare, so that a loaded machine cannot make the clock end
	// the render that must spend the memory; under the race detector,
	// either budget may be spent first.
	timeout, memory, memoryMessage := 30*time.Second, int64(256<<20), "256 MiB"
	if raceEnabled {
		timeout, memory, memoryMessage = 3*time.Second, 2<<30, "2048 MiB"
	}
	b := RenderBudget{Timeout: timeout, Memory: memory}
	SetRenderBudget(b)
	t.Cleanup(func() { SetRenderBudget(RenderBudget{}) })
	for len(spares) > 0 {
		(<-spares).retire()
	}
	// served lists the spare processes that have served a render with
	// b, and fails on a spare that has exited.
	served := func() []int {
		var pids []int
		for range len(spares) {
			c := <-spares
			if c.cmd.ProcessState != nil {
				t.Errorf("spare render process %d has exited: %v", c.cmd.Process.Pid, c.cmd.ProcessState)
			}
			if c.budget == b {
				pids = append(pids, c.cmd.Process.Pid)
			}
			spares <- c
		}
		return pids
	}
	chartDir := func(name, template string, ci ...string) string {
		dir := filepath.Join(t.TempDir(), name)
		writeFile(t, filepath.Join(dir, "Chart.yaml"), "apiVersion: v2\nname: "+name+"\nversion: 0.1.0\n")
		writeFile(t, filepath.Join(dir, "values.yaml"), "who: default\n")
		writeFile(t, filepath.Join(dir, "templates", "t.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.who }}\ndata:\n  a: \""+template+"\"\n")
		for _, v := range ci {
			writeFile(t, filepath.Join(dir, "ci", v+"-values.yaml"), "who: "+v+"\n")
		}
		return dir
	}
	load := func(dir string, opts Options) ([]string, error) {
		objects, err := NewChart(dir, opts).Load()
		var names []string
		for _, o := range objects {
			names = append(names, lint.Get(lint.Get(o.Node, "metadata"), "name").Value)
		}
		return names, err
	}

	if names, err := load(chartDir("a", "x"), Options{}); err != nil || !slices.Equal(names, []string{"default"}) {
		t.Fatalf("chart a: got %v, %v; want [default]", names, err)
	}
	first := served()
	if len(first) != 1 {
		t.Fatalf("after one render, %d spare processes served it, want 1", len(first))
	}
	// Three more renders, one per CI file: the spares are taken in turn,
	// and a process is started ahead for each chart, so two processes
	// serve all four renders.
	if names, err := load(chartDir("b", "x", "one", "three", "two"), Options{AllCIValues: true}); err != nil || !slices.Equal(names, []string{"one", "three", "two"}) {
		t.Fatalf("chart b: got %v, %v; want [one three two]", names, err)
	}
	if again := served(); len(again) > 2 || !slices.Contains(again, first[0]) {
		t.Fatalf("render processes that served charts a and b: %v, want %d and at most one more", again, first[0])
	}

	spent := chartDir("c", "{{ len (until 1000000000) }}")
	_, err := load(spent, Options{})
	want := regexp.MustCompile(`^chart c: rendering templates/t.yaml needed more than the ` + memoryMessage + ` render memory budget`)
	if raceEnabled {
		want = regexp.MustCompile(`^chart c: rendering templates/t.yaml (needed more than the ` + memoryMessage + ` render memory budget|took longer than the 3s render budget)`)
	}
	var ie *lint.InputError
	if !errors.As(err, &ie) || !want.MatchString(ie.Message) {
		t.Fatalf("chart c: got %v, want an input error matching %s", err, want)
	}
	// served fails on a spare that has exited: the one killed is not
	// kept.
	served()
	if names, err := load(chartDir("d", "x"), Options{}); err != nil || !slices.Equal(names, []string{"default"}) {
		t.Fatalf("chart d, after the spent budget: got %v, %v; want [default]", names, err)
	}
}

package helm

import (
	"bufio"
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"reflect"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
)

// Helm's template functions include unbounded ones (until, untilStep, seq,
// repeat, recursive include and tpl): a chart of a few lines can loop for
// minutes or allocate gigabytes. Go cannot stop a goroutine, and Helm v3's
// engine offers no hook to replace those functions, so each render runs in
// a child process of this same executable, which the parent kills when the
// render budget's time is spent and which the kernel stops from growing
// past its memory. The parent prepares the chart, values and position
// markers as before; the child only runs engine.Render and returns what it
// rendered, or Helm's error.

// RenderBudget is what one render of one chart may spend.
type RenderBudget struct {
	// Timeout is the wall time from the request's sending, the child's
	// start included when it is new.
	Timeout time.Duration
	// Memory is the child's data segment (its heap), in bytes.
	Memory int64
}

// The budget's defaults are far above what real charts need (the corpus's
// largest, Datadog, renders in under a second and 100 MiB), and its bounds
// keep a typo from disabling it or from failing every chart.
const (
	DefaultRenderTimeout = 10 * time.Second
	MinRenderTimeout     = time.Second
	MaxRenderTimeout     = time.Hour
	DefaultRenderMemory  = 512 << 20
	MinRenderMemory      = 128 << 20
	MaxRenderMemory      = 64 << 30
)

// maxSandboxOutput is the most the parent reads back from a render: the
// chart output limit, with as much again for position markers. Within it,
// the child measures the output without its markers (oversize).
const maxSandboxOutput = 2 * MaxChartOutput

var budget atomic.Pointer[RenderBudget]

func init() {
	budget.Store(&RenderBudget{Timeout: DefaultRenderTimeout, Memory: DefaultRenderMemory})
}

// SetRenderBudget makes b the budget of every later render; a zero field
// keeps its default. Every run sets it, so that one run's flags never
// outlive it.
func SetRenderBudget(b RenderBudget) {
	if b.Timeout == 0 {
		b.Timeout = DefaultRenderTimeout
	}
	if b.Memory == 0 {
		b.Memory = DefaultRenderMemory
	}
	budget.Store(&b)
}

// sandboxEnv set to 1 marks the child.
const sandboxEnv = "DOCKERSHIM_LINT_RENDER_SANDBOX"

// progressPrefix starts the lines the child writes to standard error as it
// begins each template, so that the parent can name the one running when
// the budget is spent. Anything else there is the runtime's own report.
const progressPrefix = "\x00dockershim-lint-render "

// sandboxRequest is one render: the chart tree as the parent prepared it
// (dependencies processed, markers added) and its render values.
type sandboxRequest struct {
	// Budget is applied by the child to itself before it decodes the
	// chart: a child started ahead of time does not know it yet.
	Budget RenderBudget
	Chart  sandboxChart
	Values sandboxValue
	// Progress has the child report each template as it starts, which
	// adds a call to the first line of each: only for the marked render,
	// whose error messages are not shown.
	Progress bool
	// MarkToken is the parent's marker token (see markToken), which the
	// child needs to measure the output without its markers.
	MarkToken string
}

type sandboxChart struct {
	// Metadata is JSON, as Chart.yaml reaches Helm: gob would refuse a
	// null maintainer or dependency.
	Metadata  []byte
	Templates []*chart.File
	Files     []*chart.File
	Charts    []sandboxChart
}

// sandboxResponse heads the child's answer: Helm's error, or how many
// rendered templates follow, each a sandboxOutput of its own so that
// neither side holds the whole answer encoded at once.
type sandboxResponse struct {
	// Err is Helm's error, for the parent to report as Helm's.
	Err       string
	Templates int
	// Last is set when the child serves no more renders after this one:
	// the kernel's CPU limit leaves no room for another.
	Last bool
	// Oversize is the output limit the render passed (see oversize),
	// measured in the child so that it never copies, encodes and sends
	// output the parent would refuse; Templates is then 0.
	Oversize outputSize
}

type sandboxOutput struct {
	Key, Text string
}

// helmRenderError is an error Helm's engine returned in the child.
type helmRenderError struct{ msg string }

func (e *helmRenderError) Error() string { return e.msg }

func isHelmError(err error) bool {
	var he *helmRenderError
	return errors.As(err, &he)
}

func encodeChart(c *chart.Chart) (sandboxChart, error) {
	meta, err := json.Marshal(c.Metadata)
	if err != nil {
		return sandboxChart{}, err
	}
	out := sandboxChart{Metadata: meta, Templates: c.Templates, Files: c.Files}
	for _, sub := range c.Dependencies() {
		s, err := encodeChart(sub)
		if err != nil {
			return sandboxChart{}, err
		}
		out.Charts = append(out.Charts, s)
	}
	return out, nil
}

func decodeChart(s sandboxChart) (*chart.Chart, error) {
	c := &chart.Chart{Metadata: &chart.Metadata{}, Templates: s.Templates, Files: s.Files}
	if err := json.Unmarshal(s.Metadata, c.Metadata); err != nil {
		return nil, err
	}
	for _, sub := range s.Charts {
		d, err := decodeChart(sub)
		if err != nil {
			return nil, err
		}
		c.AddDependency(d)
	}
	return c, nil
}

// sandboxValue carries one render value with its Go type. Gob alone would
// turn an empty list into a nil one, which toYaml renders as null rather
// than [], and JSON would turn --set's int64 into float64.
type sandboxValue struct {
	Kind  valueKind
	S     string
	I     int64
	F     float64
	B     bool
	Keys  []string
	Elems []sandboxValue
	Caps  *chartutil.Capabilities
}

type valueKind uint8

const (
	kindNil valueKind = iota
	kindString
	kindBool
	kindInt
	kindInt64
	kindFloat64
	kindMap    // map[string]any
	kindValues // chartutil.Values
	kindList   // []any
	kindNilMap
	kindNilList
	kindCapabilities
	kindMetadata // *chart.Metadata, as JSON
)

func encodeValue(v any) (sandboxValue, error) {
	switch v := v.(type) {
	case nil:
		return sandboxValue{Kind: kindNil}, nil
	case string:
		return sandboxValue{Kind: kindString, S: v}, nil
	case bool:
		return sandboxValue{Kind: kindBool, B: v}, nil
	case int:
		return sandboxValue{Kind: kindInt, I: int64(v)}, nil
	case int64:
		return sandboxValue{Kind: kindInt64, I: v}, nil
	case float64:
		return sandboxValue{Kind: kindFloat64, F: v}, nil
	case *chartutil.Capabilities:
		return sandboxValue{Kind: kindCapabilities, Caps: v}, nil
	case *chart.Metadata:
		meta, err := json.Marshal(v)
		return sandboxValue{Kind: kindMetadata, S: string(meta)}, err
	case chartutil.Values:
		return encodeMap(kindValues, v)
	case map[string]any:
		if v == nil {
			return sandboxValue{Kind: kindNilMap}, nil
		}
		return encodeMap(kindMap, v)
	case []any:
		if v == nil {
			return sandboxValue{Kind: kindNilList}, nil
		}
		out := sandboxValue{Kind: kindList, Elems: make([]sandboxValue, len(v))}
		for i, e := range v {
			var err error
			if out.Elems[i], err = encodeValue(e); err != nil {
				return sandboxValue{}, err
			}
		}
		return out, nil
	}
	return sandboxValue{}, fmt.Errorf("a value of type %s cannot be sent to the render process", reflect.TypeOf(v))
}

func encodeMap(kind valueKind, m map[string]any) (sandboxValue, error) {
	out := sandboxValue{Kind: kind, Keys: make([]string, 0, len(m)), Elems: make([]sandboxValue, 0, len(m))}
	for k, e := range m {
		ev, err := encodeValue(e)
		if err != nil {
			return sandboxValue{}, err
		}
		out.Keys = append(out.Keys, k)
		out.Elems = append(out.Elems, ev)
	}
	return out, nil
}

func decodeValue(v sandboxValue) any {
	switch v.Kind {
	case kindString:
		return v.S
	case kindBool:
		return v.B
	case kindInt:
		return int(v.I)
	case kindInt64:
		return v.I
	case kindFloat64:
		return v.F
	case kindCapabilities:
		return v.Caps
	case kindMetadata:
		var meta chart.Metadata
		if json.Unmarshal([]byte(v.S), &meta) != nil {
			return nil
		}
		return &meta
	case kindMap, kindValues:
		m := make(map[string]any, len(v.Keys))
		for i, k := range v.Keys {
			m[k] = decodeValue(v.Elems[i])
		}
		if v.Kind == kindValues {
			return chartutil.Values(m)
		}
		return m
	case kindList:
		l := make([]any, len(v.Elems))
		for i, e := range v.Elems {
			l[i] = decodeValue(e)
		}
		return l
	case kindNilMap:
		return map[string]any(nil)
	case kindNilList:
		return []any(nil)
	}
	return nil
}

// sandboxRender renders chrt with vals in a child process within the
// render budget. A Helm error is returned as a *helmRenderError; a spent
// budget or a child that failed is an input error naming the chart and the
// template that was rendering, which rendering again would only repeat.
func (r *release) sandboxRender(chrt *chart.Chart, vals chartutil.Values, progress bool) (map[string]string, error) {
	b := *budget.Load()
	fail := func(key, format string, args ...any) error {
		ie := &lint.InputError{File: r.base, Message: "chart " + chrt.Name() + ": rendering "}
		if f := r.byKey[key]; f != nil {
			ie.File = r.display[f]
			ie.Message += strings.TrimPrefix(strings.TrimSuffix(key, markedSuffix), chrt.Name()+"/") + " "
		}
		ie.Message += fmt.Sprintf(format, args...)
		return ie
	}
	req := sandboxRequest{Budget: b, Progress: progress, MarkToken: markToken}
	var err error
	if req.Chart, err = encodeChart(chrt); err != nil {
		return nil, fail("", "failed: %v", err)
	}
	if req.Values, err = encodeValue(vals); err != nil {
		return nil, fail("", "failed: %v", err)
	}
	ch := takeChild(b)
	if ch.err != nil {
		return nil, fail("", "failed to start its render process: %v", ch.err)
	}
	timer := time.AfterFunc(b.Timeout, func() { killChild(ch.cmd) })
	resp, out, serveErr := ch.serve(&req)
	// A timer that fired has killed the child, whatever it answered.
	timedOut := !timer.Stop()
	if serveErr == nil && !timedOut {
		if resp.Last {
			ch.retire()
		} else {
			putChild(ch)
		}
		if resp.Err != "" {
			return nil, &helmRenderError{resp.Err}
		}
		if resp.Oversize != (outputSize{}) {
			return nil, r.sizeError(chrt.Name(), resp.Oversize)
		}
		return out, nil
	}

	// Whatever went wrong, the child has nothing more to say and serves
	// no other render.
	tooMuch := ch.out.N <= 0
	killChild(ch.cmd)
	<-ch.errs.done
	waitErr := ch.cmd.Wait()
	current, report := ch.errs.current, ch.errs.report.String()
	switch {
	case timedOut:
		return nil, fail(current, "took longer than the %s render budget (raise it with --render-timeout)", b.Timeout)
	case tooMuch:
		return nil, &lint.InputError{File: r.base, Message: fmt.Sprintf("chart %s renders more than the %d MiB limit; not linted", chrt.Name(), MaxChartOutput>>20)}
	case outOfMemory(report):
		return nil, fail(current, "needed more than the %d MiB render memory budget (raise it with --render-memory)", b.Memory>>20)
	}
	detail := firstLine(report)
	if detail == "" {
		detail = fmt.Sprint(firstErr(waitErr, serveErr))
	}
	return nil, fail(current, "failed in its render process: %s", detail)
}

// child is a render process. Started ahead of its first render, it serves
// renders one at a time, on one gob stream each way, until a render spends
// the budget or the process fails (it is killed), or it answers that it
// can take no more; a Helm error in a chart leaves it serving. Its process
// start, a third of a render of the Datadog chart, is then paid once per
// run rather than once per render.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	in    *bufio.Writer
	enc   *gob.Encoder
	// out reads the child's answers; its N is set to the output limit
	// before each render.
	out  *io.LimitedReader
	dec  *gob.Decoder
	errs childErrors
	// budget is the one its first render set, which the kernel holds it
	// to from then on; zero before.
	budget RenderBudget
	err    error
}

// childErrors is what a render child has written to standard error since
// its current render began: progress lines, of which current is the last
// template named, and the rest kept in report. done is closed when the
// child's standard error ends, after which the fields are read unlocked.
type childErrors struct {
	mu      sync.Mutex
	current string
	report  tailBuffer
	done    chan struct{}
}

func startChild() *child {
	exe, err := os.Executable()
	if err != nil {
		return &child{err: fmt.Errorf("this program's own path: %w", err)}
	}
	c := &child{cmd: exec.Command(exe)}
	c.cmd.Env = append(os.Environ(), sandboxEnv+"=1")
	if raceEnabled {
		// The race runtime sleeps a second before exiting, to catch
		// races at exit; a render child has none to catch, and the
		// sleep made every render of the tests under -race a second
		// longer. The user's own GORACE options are kept before it.
		c.cmd.Env = append(c.cmd.Env, "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	}
	prepareChild(c.cmd)
	if c.stdin, c.err = c.cmd.StdinPipe(); c.err != nil {
		return c
	}
	stdout, err := c.cmd.StdoutPipe()
	if c.err = err; err != nil {
		return c
	}
	stderr, err := c.cmd.StderrPipe()
	if c.err = err; err != nil {
		return c
	}
	if c.err = c.cmd.Start(); c.err != nil {
		return c
	}
	c.in = bufio.NewWriter(c.stdin)
	c.enc = gob.NewEncoder(c.in)
	c.out = &io.LimitedReader{R: stdout}
	c.dec = gob.NewDecoder(bufio.NewReader(c.out))
	c.errs.done = make(chan struct{})
	go c.errs.read(stderr)
	return c
}

// serve sends one render to the child and reads its answer.
func (c *child) serve(req *sandboxRequest) (sandboxResponse, map[string]string, error) {
	c.errs.mu.Lock()
	c.errs.current, c.errs.report = "", tailBuffer{}
	c.errs.mu.Unlock()
	c.out.N = maxSandboxOutput + 1
	if err := c.enc.Encode(req); err != nil {
		return sandboxResponse{}, nil, err
	}
	if err := c.in.Flush(); err != nil {
		return sandboxResponse{}, nil, err
	}
	return readResponse(c.dec)
}

// retire ends a child that serves no more renders: at the end of its
// input it exits, and is then waited for.
func (c *child) retire() {
	if c.err != nil {
		return
	}
	_ = c.stdin.Close()
	go func() {
		<-c.errs.done
		_ = c.cmd.Wait()
	}()
}

// spares are idle render processes: started ahead of a render, since a
// start (the executable's runtime and package initialisation) takes about
// 30 ms of CPU, which a chart found early then does not wait for; or back
// from one. There are at most as many as renders can run at once. One left
// over when the run ends dies with it: the kernel kills it, or outside
// Linux it reads the end of its input.
var spares = make(chan *child, runtime.GOMAXPROCS(0))

// prewarmSandbox starts a spare render process unless there are enough.
func prewarmSandbox() {
	if len(spares) == cap(spares) {
		return
	}
	putChild(startChild())
}

// putChild keeps c for a later render, unless there are enough spares.
func putChild(c *child) {
	select {
	case spares <- c:
	default:
		// Another chart filled the last place meanwhile.
		c.retire()
	}
}

// takeChild returns a spare render process that may serve a render with
// budget b, or a new one. A child that served a render with another budget
// is held to that one: it is retired.
func takeChild(b RenderBudget) *child {
	for {
		select {
		case c := <-spares:
			if c.err != nil {
				continue
			}
			if c.budget != (RenderBudget{}) && c.budget != b {
				c.retire()
				continue
			}
			c.budget = b
			return c
		default:
			c := startChild()
			c.budget = b
			return c
		}
	}
}

func readResponse(dec *gob.Decoder) (sandboxResponse, map[string]string, error) {
	var resp sandboxResponse
	if err := dec.Decode(&resp); err != nil {
		return resp, nil, err
	}
	out := make(map[string]string, resp.Templates)
	for range resp.Templates {
		var o sandboxOutput
		if err := dec.Decode(&o); err != nil {
			return resp, nil, err
		}
		out[o.Key] = o.Text
	}
	return resp, out, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// read reads a child's standard error until it ends.
func (e *childErrors) read(r io.Reader) {
	defer close(e.done)
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		e.mu.Lock()
		if name, ok := strings.CutPrefix(line, progressPrefix); ok {
			e.current = strings.TrimSuffix(name, "\n")
		} else {
			e.report.add(line)
		}
		e.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// tailBuffer keeps the first and the last few kilobytes of the child's
// report: a runtime crash names its cause first, and goroutine dumps
// follow.
type tailBuffer struct {
	head, tail []byte
}

const tailKeep = 4 << 10

func (t *tailBuffer) add(s string) {
	if room := tailKeep - len(t.head); room > 0 {
		t.head = append(t.head, s[:min(room, len(s))]...)
		s = s[min(room, len(s)):]
	}
	t.tail = append(t.tail, s...)
	if len(t.tail) > tailKeep {
		t.tail = t.tail[len(t.tail)-tailKeep:]
	}
}

func (t *tailBuffer) String() string { return string(t.head) + string(t.tail) }

// outOfMemory recognises the Go runtime's report of an allocation the
// memory limit refused. The runtime's own structures are allocated too: a
// collector that cannot grow them faults inside the runtime instead of
// reporting, which under the limit has no other cause. Under the race
// detector its own allocator reports.
func outOfMemory(report string) bool {
	if strings.Contains(report, "out of memory") || strings.Contains(report, "cannot allocate memory") ||
		strings.Contains(report, "failed to create new OS thread") || strings.Contains(report, "pthread_create failed") ||
		strings.Contains(report, "ThreadSanitizer failed to allocate") {
		return true
	}
	if !strings.HasPrefix(report, "SIGSEGV") && !strings.HasPrefix(report, "unexpected fault address") {
		return false
	}
	// The first frame of the first goroutine listed is where it faulted.
	_, stack, _ := strings.Cut(report, "\ngoroutine ")
	_, frame, _ := strings.Cut(stack, "\n")
	return strings.HasPrefix(frame, "runtime.")
}

func firstLine(s string) string {
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		// The runtime's first line names the cause; the goroutine
		// dump that follows does not help a user.
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return ""
}

// RunSandbox serves renders when this process is a render child, then
// exits; otherwise it returns at once. Call it first thing in main, and in
// the TestMain of every test binary that renders charts, since the child
// is this same executable.
func RunSandbox() {
	if os.Getenv(sandboxEnv) != "1" {
		return
	}
	if err := serveRenders(os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "dockershim-lint: render process: %v\n", err)
		os.Exit(2)
	}
	os.Exit(0)
}

// applyBudget holds this render process to b.
func applyBudget(b RenderBudget) {
	limitChild(b.Memory, b.Timeout)
	// The process lives for renders only, so the collector runs a
	// quarter as often as by default, as in main; it works harder as the
	// heap nears the limit, so that garbage never counts against it.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	debug.SetMemoryLimit(b.Memory / 8 * 7)
}

// watchMemory ends the process once the memory the runtime holds passes
// limit, until stop is called. The kernel's limit refuses growth past it,
// but not the first allocation that crosses it: Linux lets a mapping
// replace address space the runtime reserved earlier without counting it
// against RLIMIT_DATA, so one allocation of a gigabyte (repeat, or until's
// slice doubling) is granted. Filling it usually takes long enough for a
// look every 2 ms to stop it part of the way; a single copy that a waiting
// collection keeps this goroutine from interrupting runs to its end. It
// looks during a render only: a child waiting for its next one allocates
// nothing, and would spend its CPU on the looks.
func watchMemory(limit int64) (stop func()) {
	done := make(chan struct{})
	go func() {
		samples := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(samples)
			if held := samples[0].Value.Uint64() - samples[1].Value.Uint64(); held > uint64(limit) {
				fmt.Fprintf(os.Stderr, "dockershim-lint: render process: out of memory: %d MiB held\n", held>>20)
				os.Exit(2)
			}
		}
	}()
	return func() { close(done) }
}

// serveRenders serves the renders the parent sends until its input ends,
// or until the kernel's CPU limit leaves no room for another (see
// roomForRender). The first
// request's budget holds the process from then on, so every later one must
// carry the same.
func serveRenders(in io.Reader, out, progress io.Writer) error {
	dec := gob.NewDecoder(bufio.NewReader(in))
	w := bufio.NewWriter(out)
	enc := gob.NewEncoder(w)
	var held RenderBudget
	for {
		var req sandboxRequest
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				// The parent needs no more renders.
				return nil
			}
			return fmt.Errorf("reading the render request: %w", err)
		}
		switch {
		case req.Budget.Memory <= 0 || req.Budget.Timeout <= 0:
			return errors.New("the render request has no budget")
		case held == RenderBudget{}:
			held = req.Budget
			applyBudget(held)
		case req.Budget != held:
			return fmt.Errorf("the render request's budget %v is not the %v this process is held to", req.Budget, held)
		}
		stop := watchMemory(held.Memory)
		last, err := serveRender(&req, enc, progress)
		stop()
		if err != nil {
			return err
		}
		if err := w.Flush(); err != nil || last {
			return err
		}
	}
}

// serveRender renders one request and writes the answer to enc; last is
// the answer's Last.
func serveRender(req *sandboxRequest, enc *gob.Encoder, progress io.Writer) (last bool, err error) {
	chrt, err := decodeChart(req.Chart)
	if err != nil {
		return false, fmt.Errorf("reading the chart: %w", err)
	}
	vals, _ := decodeValue(req.Values).(chartutil.Values)
	if vals == nil {
		return false, errors.New("the render request has no values")
	}
	if req.Progress {
		watchProgress(chrt, vals, progress)
	}
	rendered, err := engine.Render(chrt, vals)
	resp := sandboxResponse{Templates: len(rendered), Last: !roomForRender(cpuUsed())}
	if err != nil {
		resp.Err = err.Error()
	}
	if resp.Oversize = oversize(rendered, req.MarkToken); resp.Oversize != (outputSize{}) {
		resp.Templates, rendered = 0, nil
	}
	if req.Progress {
		fmt.Fprintf(progress, "%s\n", progressPrefix)
	}
	if err := enc.Encode(&resp); err != nil {
		return false, err
	}
	for key, text := range rendered {
		if err := enc.Encode(&sandboxOutput{Key: key, Text: text}); err != nil {
			return false, err
		}
		// Dropped once sent, so that the collector may reclaim it.
		delete(rendered, key)
	}
	return resp.Last, nil
}

// progressCapabilities is .Capabilities with one method more, which the
// first line of every template calls to report that it has started. The
// embedded pointer keeps every field, and toYaml's output, as they were.
type progressCapabilities struct {
	*chartutil.Capabilities
	w io.Writer
}

// DockershimLintRendering reports that the template key has started.
func (p *progressCapabilities) DockershimLintRendering(key string) string {
	fmt.Fprintf(p.w, "%s%s\n", progressPrefix, key)
	return ""
}

// watchProgress has every template of chrt report itself as it starts, by
// a call on its first line that renders nothing. A template whose file
// name appears in template source may be included by another, with any
// context: it is left as it is, as markers leave it (see addMarkers), and
// the call checks that .Capabilities is the one it needs.
func watchProgress(chrt *chart.Chart, vals chartutil.Values, w io.Writer) {
	caps, ok := vals["Capabilities"].(*chartutil.Capabilities)
	if !ok {
		return
	}
	vals["Capabilities"] = &progressCapabilities{Capabilities: caps, w: w}
	named := map[string]bool{}
	var collect func(c *chart.Chart)
	collect = func(c *chart.Chart) {
		for _, t := range c.Templates {
			fileNames(string(t.Data), named)
		}
		for _, sub := range c.Dependencies() {
			collect(sub)
		}
	}
	collect(chrt)
	var walk func(c *chart.Chart)
	walk = func(c *chart.Chart) {
		for i, t := range c.Templates {
			if base := path.Base(t.Name); strings.HasPrefix(base, "_") || named[base] {
				continue
			}
			key := path.Join(c.ChartFullPath(), t.Name)
			var b bytes.Buffer
			fmt.Fprintf(&b, `{{ with $.Capabilities }}{{ if typeIs "*helm.progressCapabilities" . }}{{ .DockershimLintRendering %s }}{{ end }}{{ end }}`, strconv.Quote(key))
			b.Write(t.Data)
			c.Templates[i] = &chart.File{Name: t.Name, Data: b.Bytes()}
		}
		for _, sub := range c.Dependencies() {
			walk(sub)
		}
	}
	walk(chrt)
}

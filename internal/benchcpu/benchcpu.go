// Package benchcpu adds the CPU time a benchmark used to its wall time. On
// a machine shared with other work, wall time per operation swings with
// the load while the process's own user and system time barely moves, so
// the speed goals are compared in CPU time as well (docs/performance.md).
package benchcpu

import "testing"

// Start begins counting the process's user and system CPU time, every
// thread included (workers and the garbage collector), and the render
// processes it waited for. The returned stop
// reports it per operation as cpu-ns/op; call it after b.Loop returns,
// when b.N is the number of operations timed.
func Start(b *testing.B) (stop func()) {
	b.Helper()
	start, ok := processCPU()
	return func() {
		end, ok2 := processCPU()
		if ok && ok2 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

// Used is the CPU time, in nanoseconds, the process has used so far, and
// whether it could be read: a benchmark that compares two pieces of work
// in one loop reads it around each.
func Used() (int64, bool) { return processCPU() }

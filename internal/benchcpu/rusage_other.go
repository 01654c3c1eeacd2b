//go:build !unix

package benchcpu

// processCPU is not measured where there is no getrusage; the benchmarks
// then report wall time only.
func processCPU() (int64, bool) { return 0, false }

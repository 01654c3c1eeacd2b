package helm

import (
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// prepareChild puts the child in a process group of its own, so that
// killing the group also ends anything it started, and has the kernel kill
// it should the parent die first.
func prepareChild(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func killChild(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// limitChild caps the child's data segment, which holds the Go heap, so
// that an allocation past memory fails in the child instead of growing
// the machine's swap. A CPU limit of the time budget on every core is a
// backstop should the parent's kill never come.
//
// The race detector maps shadow memory as data, several times the heap
// and growing with it, so under -race the kernel's limit would refuse a
// render of an ordinary chart; a race build is held to the budget by the
// runtime's limit and watchMemory, which count the Go heap alone.
func limitChild(memory int64, timeout time.Duration) {
	if !raceEnabled {
		_ = syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: uint64(memory), Max: uint64(memory)})
	}
	cpu := uint64(timeout/time.Second)*uint64(runtime.NumCPU()) + 10
	_ = syscall.Setrlimit(syscall.RLIMIT_CPU, &syscall.Rlimit{Cur: cpu, Max: cpu})
}

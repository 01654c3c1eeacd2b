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
// the machine's swap. A CPU limit of the time budget on every core, and
// cpuSlack more, is a backstop should the parent's kill never come.
//
// The race detector maps shadow memory as data, several times the heap
// and growing with it, so under -race the kernel's limit would refuse a
// render of an ordinary chart; a race build is held to the budget by the
// runtime's limit and watchMemory, which count the Go heap alone.
func limitChild(memory int64, timeout time.Duration) {
	if !raceEnabled {
		_ = syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: uint64(memory), Max: uint64(memory)})
	}
	cpu := uint64(timeout/time.Second)*uint64(runtime.NumCPU()) + uint64(cpuSlack/time.Second)
	_ = syscall.Setrlimit(syscall.RLIMIT_CPU, &syscall.Rlimit{Cur: cpu, Max: cpu})
}

// cpuSlack is the CPU time the kernel lets a render child use beyond one
// render's budget.
const cpuSlack = 10 * time.Second

// roomForRender says whether a child that has used the CPU time used may
// serve another render. The kernel's limit counts every render the child
// served, and a process cannot raise its own: another render must still
// have its whole budget below the limit, so the child must have used
// cpuSlack at most.
func roomForRender(used time.Duration) bool { return used <= cpuSlack }

// cpuUsed is the user and system time this process has used.
func cpuUsed() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		// Unknown: another render might meet the kernel's limit.
		return cpuSlack + 1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

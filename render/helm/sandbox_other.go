//go:build !linux

package helm

import (
	"os/exec"
	"time"
)

// Outside Linux the child has no process group of its own and no kernel
// memory limit: the parent still kills it when the time is spent, and the
// Go runtime's soft memory limit still makes it collect garbage hard, but
// a render that keeps what it allocates can grow past the budget.
func prepareChild(*exec.Cmd) {}

func killChild(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

func limitChild(int64, time.Duration) {}

// Outside Linux no CPU limit is set, so a child always has room for
// another render.
func roomForRender(time.Duration) bool { return true }

func cpuUsed() time.Duration { return 0 }

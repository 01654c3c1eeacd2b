//go:build unix

package benchcpu

import "syscall"

// processCPU is the user plus system time this process has used, in
// nanoseconds, with that of the child processes it has waited for: a Helm
// chart renders in a child of the linter (render/helm/sandbox.go), whose
// time is part of what a render costs.
func processCPU() (int64, bool) {
	var self, children syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &self) != nil || syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children) != nil {
		return 0, false
	}
	return self.Utime.Nano() + self.Stime.Nano() + children.Utime.Nano() + children.Stime.Nano(), true
}

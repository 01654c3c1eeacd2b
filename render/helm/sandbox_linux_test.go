package helm

import (
	"syscall"
	"testing"
)

// childPeak is the largest resident size any child process of this test
// binary has reached, in bytes (Linux reports KiB).
func childPeak(t *testing.T) int64 {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &usage); err != nil {
		t.Fatal(err)
	}
	return usage.Maxrss << 10
}

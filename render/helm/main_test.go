package helm

import (
	"os"
	"testing"
)

// TestMain lets this test binary serve as the child process that renders
// each chart (see RunSandbox).
func TestMain(m *testing.M) {
	RunSandbox()
	os.Exit(m.Run())
}

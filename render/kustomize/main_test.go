package kustomize

import (
	"os"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/render/helm"
)

// TestMain lets this test binary serve as the child process that renders
// each chart (see helm.RunSandbox).
func TestMain(m *testing.M) {
	helm.RunSandbox()
	os.Exit(m.Run())
}

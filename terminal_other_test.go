//go:build !linux

package main

import (
	"os"
	"testing"
)

// openPseudoTerminal is Linux's: elsewhere the terminal cases are skipped.
func openPseudoTerminal(t *testing.T) *os.File {
	t.Helper()
	t.Skip("pseudo-terminals are opened only on Linux")
	return nil
}

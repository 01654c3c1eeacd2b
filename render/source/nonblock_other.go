//go:build !unix

package source

// nonBlocking is zero where opening a named pipe does not wait for a
// writer; the regular-file check after the open still refuses it.
const nonBlocking = 0

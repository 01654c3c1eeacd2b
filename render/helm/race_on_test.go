//go:build race

package helm

// raceEnabled is set when the tests run under the race detector, whose
// render processes need several times the memory.
const raceEnabled = true

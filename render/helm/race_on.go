//go:build race

package helm

// raceEnabled is set in a build with the race detector (the tests under
// -race), whose render processes need several times the memory.
const raceEnabled = true

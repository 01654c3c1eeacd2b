// Package gcpace sets the garbage collector's pace for the command, from
// the first package initialiser on. The binary links Helm's engine, whose
// dependencies allocate about 3 MB while they initialise (jsonschema's
// metaschemas, client-go's scheme), enough at the default pace to start a
// collection before main runs; set in main, the pace came too late for it.
//
// main imports it for its side effect. Packages initialise in import-path
// order once their own imports have, and this one imports only the
// standard library, so it runs before every github.com/s*, helm.sh, k8s.io
// and sigs.k8s.io initialiser.
package gcpace

import (
	"os"
	"runtime/debug"
)

// percent is the pace the command runs at unless GOGC is set.
//
// The process lives for one lint and holds little at once (a file's tree
// per worker, and the findings), so the collector's default pace spends
// CPU to keep a small heap smaller. Collecting a quarter as often costs 10
// to 20 MB more memory at peak and saves a fifth to a quarter of the CPU
// (docs/performance.md). A GOGC from the environment wins.
const percent = 400

func init() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(percent)
	}
}

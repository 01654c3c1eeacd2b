package main

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestStartupRunsNoCollection checks that the collector's pace is set
// before Helm's dependencies initialise (internal/gcpace): they allocate
// about 3 MB, which at the default pace started a collection before main
// ran. The test binary links the same packages as the command, so it is
// run again, doing nothing, with the runtime tracing package initialisers
// and collections.
func TestStartupRunsNoCollection(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "GOGC=") || strings.HasPrefix(kv, "GODEBUG=")
	}), "GODEBUG=inittrace=1,gctrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var inits []string
	var collection string
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		switch {
		case len(fields) > 1 && fields[0] == "init":
			inits = append(inits, fields[1])
			// A collection is reported when it ends; one followed by
			// another initialiser ran during initialisation. One after
			// the last is the test binary's own, not the command's.
			if collection != "" {
				t.Errorf("a collection ran during package initialisation, before %s: %s", fields[1], collection)
				collection = ""
			}
		case len(fields) > 0 && fields[0] == "gc":
			collection = strings.TrimSpace(line)
		}
	}
	pace := slices.Index(inits, "github.com/dockershim-lint/dockershim-lint/internal/gcpace")
	if pace < 0 {
		t.Fatalf("internal/gcpace did not initialise:\n%s", out)
	}
	for _, heavy := range []string{"github.com/santhosh-tekuri/jsonschema/v6", "k8s.io/client-go/kubernetes/scheme"} {
		if at := slices.Index(inits, heavy); at >= 0 && at < pace {
			t.Errorf("%s initialised before internal/gcpace", heavy)
		}
	}
}

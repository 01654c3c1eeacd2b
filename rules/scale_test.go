package rules_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"github.com/dockershim-lint/dockershim-lint/lint/linttest"
	"github.com/dockershim-lint/dockershim-lint/render/manifest"
	"github.com/dockershim-lint/dockershim-lint/rules"
)

// scaleDeadline is the most a pod of tens of thousands of entries may take
// to check. Rules that looked each volume's mounts up in every container
// took a minute on such pods; linear ones take well under a second, so the
// deadline only catches a return to quadratic work.
const scaleDeadline = 10 * time.Second

// TestLargePodsAreLinear checks pods of tens of thousands of volumes,
// mounts and environment variables under a deadline, and that every
// finding is still the right one, at the right line, with the right mount.
func TestLargePodsAreLinear(t *testing.T) {
	tests := []struct {
		name string
		// pod returns the manifest and every finding expected, as
		// "rule line [related lines]".
		pod func() (string, []string)
	}{
		{name: "20,000 hostPath volumes and 20,000 mounts", pod: func() (string, []string) { return manyVolumes(20000) }},
		{name: "10,000 environment variables and 5,000 mounts", pod: func() (string, []string) { return manyVariables(10000) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod, want := tt.pod()
			done := make(chan []lint.Finding, 1)
			go func() {
				objects, err := manifest.Decode("big.yaml", []byte(pod))
				if err != nil {
					t.Error(err)
				}
				done <- (&lint.Engine{Rules: rules.All()}).Check(objects)
			}()
			var findings []lint.Finding
			select {
			case findings = <-done:
			case <-time.After(linttest.Deadline(scaleDeadline)):
				t.Fatalf("checking a %d KB pod took longer than %s", len(pod)>>10, linttest.Deadline(scaleDeadline))
			}
			lint.SortFindings(findings)
			got := make([]string, len(findings))
			for i, f := range findings {
				var related []string
				for _, r := range f.Related {
					related = append(related, fmt.Sprint(r.Line))
				}
				got[i] = fmt.Sprintf("%s %d [%s]", f.Rule, f.Line, strings.Join(related, " "))
			}
			if len(got) != len(want) {
				t.Fatalf("got %d findings, want %d", len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("finding %d is %q, want %q", i, got[i], want[i])
				}
			}
		})
	}
}

// manyVolumes is a pod with n hostPath volumes, each mounted once. Every
// hundredth volume is the Docker socket.
func manyVolumes(n int) (string, []string) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n  containers:\n    - name: c\n      volumeMounts:\n")
	for i := range n {
		fmt.Fprintf(&b, "        - name: v%d\n          mountPath: /data/%d\n", i, i)
	}
	b.WriteString("  volumes:\n")
	var want []string
	for i := range n {
		hostPath := fmt.Sprintf("/srv/%d", i)
		if i%100 == 0 {
			hostPath = "/var/run/docker.sock"
			// Mount i's mountPath is on line 10+2i; volume i's path
			// on line 12+2n+3i.
			want = append(want, fmt.Sprintf("docker-socket %d [%d]", 12+2*n+3*i, 10+2*i))
		}
		fmt.Fprintf(&b, "    - name: v%d\n      hostPath:\n        path: %s\n", i, hostPath)
	}
	return b.String(), want
}

// manyVariables is a pod of one container whose n environment variables
// all name a Docker endpoint: the even ones the node's API port through
// NODE_IP, declared last, the odd ones a socket on one of n/2 mounts.
func manyVariables(n int) (string, []string) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n  containers:\n    - name: c\n      env:\n")
	var want []string
	for i := range n {
		// Variable i's value is on line 10+2i; the mountPath of mount j
		// on line 15+2n+2j.
		if i%2 == 0 {
			fmt.Fprintf(&b, "        - name: E%d\n          value: tcp://$(NODE_IP):2375\n", i)
			want = append(want, fmt.Sprintf("docker-host-env %d []", 10+2*i))
		} else {
			fmt.Fprintf(&b, "        - name: E%d\n          value: unix:///run/%d/docker.sock\n", i, i/2)
			want = append(want, fmt.Sprintf("docker-host-env %d [%d]", 10+2*i, 15+2*n+2*(i/2)))
		}
	}
	b.WriteString("        - name: NODE_IP\n          valueFrom:\n            fieldRef:\n              fieldPath: status.hostIP\n")
	b.WriteString("      volumeMounts:\n")
	for j := range n / 2 {
		fmt.Fprintf(&b, "        - name: v%d\n          mountPath: /run/%d\n", j, j)
	}
	b.WriteString("  volumes:\n")
	for j := range n / 2 {
		fmt.Fprintf(&b, "    - name: v%d\n      emptyDir: {}\n", j)
	}
	return b.String(), want
}

package linttest

import (
	"fmt"
	"testing"

	"github.com/dockershim-lint/dockershim-lint/lint"
)

// recorder stands in for the test a fixture is parsed or matched in, so that
// what linttest reports can itself be checked.
type recorder struct {
	testing.TB
	errors []string
	fatal  string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// fatalStop unwinds ParseWants after a Fatalf the way testing.T would.
type fatalStop struct{}

func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	panic(fatalStop{})
}

func parse(t *testing.T, src string) (wants []Want, fatal string) {
	t.Helper()
	r := &recorder{TB: t}
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(fatalStop); !ok {
				panic(v)
			}
		}
		fatal = r.fatal
	}()
	return ParseWants(r, "f.yaml", []byte(src)), ""
}

func TestParseWants(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		want  []string
		fatal string
	}{
		{name: "one", src: "path: /var/run/docker.sock # want: docker-socket@7\n", want: []string{"f.yaml:1:7: docker-socket"}},
		{
			name: "several with messages",
			src:  "a: 1\nb: 2 # want: docker-cli@4 \"runs `docker ps`\", docker-socket@9\n",
			want: []string{"f.yaml:2:4: docker-cli \"runs `docker ps`\"", "f.yaml:2:9: docker-socket"},
		},
		{name: "CR line ending", src: "a: 1 # want: docker-socket@4\r", want: []string{"f.yaml:1:4: docker-socket"}},
		{name: "no column", src: "a: 1 # want: docker-socket\n", fatal: `f.yaml:1: want comment "docker-socket": expected rule@column ["message regexp"]`},
		{name: "no rule", src: "a: 1 # want:\n", fatal: "f.yaml:1: want comment names no rule"},
		{name: "bad regexp", src: "a: 1 # want: docker-socket@4 \"(\"\n", fatal: "f.yaml:1: want comment message  \"(\": error parsing regexp: missing closing ): `(`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wants, fatal := parse(t, tt.src)
			if fatal != tt.fatal {
				t.Fatalf("fatal = %q, want %q", fatal, tt.fatal)
			}
			var got []string
			for _, w := range wants {
				got = append(got, w.String())
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("wants = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	finding := lint.Finding{Position: lint.Position{File: "f.yaml", Line: 2, Column: 9}, Rule: "docker-socket", Message: "mounts the Docker socket"}
	tests := []struct {
		name   string
		src    string
		errors []string
	}{
		{name: "exact", src: "a: 1\nb: 2 # want: docker-socket@9 \"Docker socket\"\n"},
		{
			name:   "wrong column",
			src:    "a: 1\nb: 2 # want: docker-socket@3\n",
			errors: []string{"f.yaml:2:3: docker-socket: missing finding (found at column 9)", "f.yaml:2:9: unexpected docker-socket finding: mounts the Docker socket ()"},
		},
		{
			name:   "wrong message",
			src:    "a: 1\nb: 2 # want: docker-socket@9 \"data dir\"\n",
			errors: []string{`f.yaml:2:9: docker-socket "data dir": message "mounts the Docker socket" does not match`},
		},
		{name: "no want", src: "a: 1\nb: 2\n", errors: []string{"f.yaml:2:9: unexpected docker-socket finding: mounts the Docker socket ()"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wants, fatal := parse(t, tt.src)
			if fatal != "" {
				t.Fatal(fatal)
			}
			r := &recorder{TB: t}
			Match(r, wants, []lint.Finding{finding})
			if fmt.Sprint(r.errors) != fmt.Sprint(tt.errors) {
				t.Errorf("errors:\n got %q\nwant %q", r.errors, tt.errors)
			}
		})
	}
}

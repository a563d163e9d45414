package main

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// TestSocketsUsage: bad flags and words are one-line usage errors, exit 2.
func TestSocketsUsage(t *testing.T) {
	bin := sockscopeBinary(t)
	for _, args := range [][]string{{"sockets", "--bogus"}, {"sockets", "extra"}, {"sockets", "--json=maybe"}} {
		cmd := exec.Command(bin, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || len(out) > 0 || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("sockscope %s: %v, stdout %q, stderr %q; want exit 2 and one line on stderr", strings.Join(args, " "), err, out, stderr.String())
		}
	}
	out, err := exec.Command(bin, "sockets", "--help").Output()
	if err != nil || !strings.HasPrefix(string(out), "Usage: sockscope sockets [--json]") {
		t.Errorf("sockets --help: %v\n%s", err, out)
	}
	out, _ = exec.Command(bin, "help").Output()
	if !strings.Contains(string(out), "sockscope sockets [--json]") {
		t.Errorf("sockscope help does not list sockets:\n%s", out)
	}
}

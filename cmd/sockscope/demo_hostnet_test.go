//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoHostNetWithoutPrivilege: someone running a demo with --host-net
// and no CAP_NET_RAW is told, in one line, what the capture on the host
// needs and that the demo without --host-net needs nothing; not "use the
// demos", which is what they are doing. The capture fails before the demo
// opens a socket, so the host's network is not touched.
func TestDemoHostNetWithoutPrivilege(t *testing.T) {
	cmd := asNobody(copyForEveryone(t), "demo", "udp-echo", "--host-net", "--no-ui", "--pace", "0")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err == nil {
		t.Fatalf("the demo ran on the host's loopback as uid %d:\n%s", nobody, out)
	}
	msg := strings.TrimSpace(stderr.String())
	if strings.Count(msg, "\n") != 0 {
		t.Errorf("not one line:\n%s", msg)
	}
	for _, want := range []string{"--host-net", "CAP_NET_RAW", "without --host-net"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "use the demos") {
		t.Errorf("tells someone running a demo to use the demos: %s", msg)
	}
}

// TestDemoWriteErrorNamesTheFile: the lab child writes -w through a
// directory the parent opened (/proc/self/fd/N/NAME); a failure must still
// name the file as the user gave it.
func TestDemoWriteErrorNamesTheFile(t *testing.T) {
	exe := copyForEveryone(t)
	skipWithoutUserNamespaces(t)
	locked := filepath.Join(filepath.Dir(exe), "locked") // root's, mode 755
	if err := os.Mkdir(locked, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(locked, "echo.pcapng")
	cmd := asNobody(exe, "demo", "udp-echo", "--no-ui", "--pace", "0", "-w", out)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil {
		t.Fatalf("-w %s succeeded as uid %d", out, nobody)
	}
	msg := strings.TrimSpace(stderr.String())
	if !strings.Contains(msg, out) || strings.Contains(msg, "/proc/self/fd") {
		t.Errorf("error does not name %s as given: %s", out, msg)
	}
}

//go:build linux && (amd64 || arm64)

package trace_test

import (
	"bytes"
	"path/filepath"
	"testing"
)

// TestFileIODropped: reads and writes on files, pipes and stdout are not
// reported (only counted); the socket's are.
func TestFileIODropped(t *testing.T) {
	py := needPython(t)
	rec, st, out := run(t, []string{py, testdata("fileio.py"), filepath.Join(t.TempDir(), "f")}, nil)
	if !st.Success() || out != "to stdout\n" {
		t.Fatalf("status %v, stdout %q", st, out)
	}
	var sent, got bool
	for _, ev := range rec.ends() {
		c := ev.Call
		for _, bad := range []string{"file bytes", "to stdout", "pipe bytes"} {
			if bytes.Contains(c.Data, []byte(bad)) {
				t.Errorf("%s on fd %d reported: %q", c.Name, c.FD, c.Data)
			}
		}
		switch c.Name {
		case "read", "write", "close", "fcntl", "ioctl":
			if c.Inode == 0 {
				t.Errorf("%s on fd %d, not a socket, reported", c.Name, c.FD)
			}
		}
		sent = sent || c.Op() == "send" && string(c.Data) == "sock bytes"
		got = got || c.Op() == "recv" && string(c.Data) == "sock bytes"
	}
	// Python's own reads (its modules), the file's, the pipe's, stdout's.
	if rec.stats.NotSocket < 6 {
		t.Errorf("%d calls dropped as not on a socket", rec.stats.NotSocket)
	}
	if !sent || !got {
		logCalls(t, rec)
		t.Errorf("socket send %v recv %v", sent, got)
	}
}

//go:build linux && (amd64 || arm64)

package trace_test

import (
	"bytes"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/demos/trace"
)

// buildGo builds testdata/goprog into a temporary directory.
func buildGo(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not in PATH")
	}
	dir := t.TempDir()
	src, err := os.ReadFile(testdata("goprog/main.go.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"main.go": src, "go.mod": []byte("module goprog\n\ngo 1.22\n")} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "goprog")
	cmd := exec.Command(goTool, "build", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

// TestGoNetpoller traces a Go program: every socket is non-blocking and
// waits happen in epoll_pwait (the netpoller).
func TestGoNetpoller(t *testing.T) {
	prog := buildGo(t)
	rec, st, out := run(t, []string{prog}, nil)
	if !st.Success() {
		t.Fatalf("the program failed: %v\n%s", st, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("stdout %q", out)
	}
	listen := netip.MustParseAddrPort(lines[0])
	f := strings.Fields(lines[1])
	if len(f) != 2 || f[0] != "HELLO" {
		t.Fatalf("stdout %q", out)
	}
	clientAddr := netip.MustParseAddrPort(f[1])
	if testing.Verbose() {
		logCalls(t, rec)
	}
	ends := rec.ends()

	// Which descriptor is which, from the calls themselves.
	var lfd, cfd, sfd = -1, -1, -1
	for _, ev := range ends {
		c := ev.Call
		switch {
		case c.Name == "bind" && c.Addr.AddrPort.Addr() == listen.Addr():
			lfd = c.FD
		case c.Name == "connect" && c.Addr.AddrPort == listen:
			cfd = c.FD
		case c.Name == "accept4" && c.Errno == "" && sfd < 0:
			sfd = int(c.Ret)
			if c.Addr.AddrPort != clientAddr || c.State.Local.AddrPort != listen {
				t.Errorf("accept4: peer %v local %v, want %v %v", c.Addr, c.State.Local, clientAddr, listen)
			}
		}
	}
	if lfd < 0 || cfd < 0 || sfd < 0 {
		logCalls(t, rec)
		t.Fatalf("listener %d, client %d, server conn %d", lfd, cfd, sfd)
	}
	var sawSocketNonblock, sawAcceptEAGAIN, sawReadEAGAIN, sawConnectInProgress, sawSoError bool
	var clientWrite, serverRead, serverWrite, clientRead []byte
	for _, ev := range ends {
		c := ev.Call
		switch {
		case c.Name == "socket" && c.Type&0o4000 != 0:
			sawSocketNonblock = true
		case c.Name == "accept4" && c.FD == lfd && c.Errno == "EAGAIN":
			sawAcceptEAGAIN = true
			if !c.Nonblocking || c.MayBlock {
				t.Errorf("accept4 EAGAIN: nonblocking %v mayblock %v", c.Nonblocking, c.MayBlock)
			}
		case c.Name == "connect" && c.FD == cfd:
			sawConnectInProgress = c.Errno == "EINPROGRESS"
		case c.Name == "getsockopt" && c.FD == cfd && c.Describe() == "SOL_SOCKET, SO_ERROR":
			sawSoError = c.HasOptInt && c.OptInt == 0
		case c.Name == "read" && c.FD == sfd && c.Errno == "EAGAIN":
			sawReadEAGAIN = true
		case c.Name == "write" && c.FD == cfd && c.Errno == "":
			clientWrite = append(clientWrite, c.Data...)
		case c.Name == "read" && c.FD == sfd && c.Errno == "":
			serverRead = append(serverRead, c.Data...)
		case c.Name == "write" && c.FD == sfd && c.Errno == "":
			serverWrite = append(serverWrite, c.Data...)
		case c.Name == "read" && c.FD == cfd && c.Errno == "":
			clientRead = append(clientRead, c.Data...)
		}
	}
	if !sawSocketNonblock || !sawAcceptEAGAIN || !sawReadEAGAIN || !sawConnectInProgress || !sawSoError {
		logCalls(t, rec)
		t.Errorf("SOCK_NONBLOCK %v, accept4 EAGAIN %v, read EAGAIN %v, connect EINPROGRESS %v, SO_ERROR 0 %v",
			sawSocketNonblock, sawAcceptEAGAIN, sawReadEAGAIN, sawConnectInProgress, sawSoError)
	}
	for _, x := range []struct {
		what      string
		got, want []byte
	}{{"client wrote", clientWrite, []byte("hello")}, {"server read", serverRead, []byte("hello")},
		{"server wrote", serverWrite, []byte("HELLO")}, {"client read", clientRead, []byte("HELLO")}} {
		if !bytes.Equal(x.got, x.want) {
			t.Errorf("%s %q, want %q", x.what, x.got, x.want)
		}
	}
	// The netpoller: epoll_pwait calls that watch these sockets. The
	// connect returned EINPROGRESS, so Go waited for the client socket to
	// be writable: an epoll_pwait returned it with EPOLLOUT. And one
	// waited with a timeout (the deadlines).
	var epolls int
	var connected, waited bool
	for _, c := range calls(ends, 0, "epoll_pwait") {
		epolls++
		for _, p := range c.PollFDs {
			if p.FD == cfd && p.Revents&4 != 0 {
				connected = true
			}
		}
		if c.Timeout != 0 && c.MayBlock {
			waited = true
		}
	}
	if epolls == 0 || !connected || !waited {
		t.Errorf("epoll_pwait: %d calls, client socket EPOLLOUT %v, a waiting one %v", epolls, connected, waited)
	}
	// Threads: the Go runtime's, all in one process.
	pids := map[int]bool{}
	for _, ev := range ends {
		pids[ev.Proc.Pid] = true
	}
	if len(pids) != 1 {
		t.Errorf("calls from processes %v, want one", pids)
	}
	if n := len(rec.kind(trace.Fork)); n != 0 {
		t.Errorf("%d Fork events for a program that does not fork", n)
	}
}

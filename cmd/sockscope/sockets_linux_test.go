//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockscope/sockscope/internal/escape"
	"github.com/sockscope/sockscope/internal/netns"
	"golang.org/x/sys/unix"
)

// TestSocketsCommand runs "sockscope sockets" and "sockets --json" in a
// fresh namespace holding a listener with a connection in its accept
// queue, an accepted connection, one in TIME-WAIT, a UDP socket, an
// AF_UNIX listener whose path holds an escape sequence, an AF_UNIX
// datagram socket with an abstract name and an AF_UNIX stream socketpair
// with 4 bytes unread. Where ss is installed, the AF_UNIX rows are checked
// against `ss -xanH` too.
func TestSocketsCommand(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	bin := sockscopeBinary(t)
	sock := func(family, typ int) int {
		fd, err := unix.Socket(family, typ|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(fd) })
		return fd
	}
	lo := &unix.SockaddrInet4{Port: 7100, Addr: [4]byte{127, 0, 0, 1}}
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	l := sock(unix.AF_INET, unix.SOCK_STREAM)
	check("bind", unix.Bind(l, lo))
	check("listen", unix.Listen(l, 2))
	a := sock(unix.AF_INET, unix.SOCK_STREAM)
	check("connect", unix.Connect(a, lo))
	s, _, err := unix.Accept4(l, unix.SOCK_CLOEXEC)
	check("accept", err)
	unix.Close(s) // the server closes first …
	var one [1]byte
	_, err = unix.Read(a, one[:])
	check("read EOF", err)
	unix.Close(a) // … then the client: TIME-WAIT on the server's side
	q := sock(unix.AF_INET, unix.SOCK_STREAM)
	check("connect (not accepted)", unix.Connect(q, lo))
	u := sock(unix.AF_INET, unix.SOCK_DGRAM)
	check("bind udp", unix.Bind(u, &unix.SockaddrInet4{Port: 7101, Addr: [4]byte{127, 0, 0, 1}}))
	hostile := filepath.Join(t.TempDir(), "s\x1b[2J.sock")
	x := sock(unix.AF_UNIX, unix.SOCK_STREAM)
	check("bind unix", unix.Bind(x, &unix.SockaddrUnix{Name: hostile}))
	check("listen unix", unix.Listen(x, 3))
	const abstract = "@sockscope-cmd-dgram"
	ud := sock(unix.AF_UNIX, unix.SOCK_DGRAM)
	check("bind abstract", unix.Bind(ud, &unix.SockaddrUnix{Name: abstract}))
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	check("socketpair", err)
	t.Cleanup(func() { unix.Close(pair[0]); unix.Close(pair[1]) })
	_, err = unix.Write(pair[0], []byte("ping"))
	check("write socketpair", err)

	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || stderr.Len() > 0 {
			t.Fatalf("sockscope %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return string(out)
	}

	// Text: wait for TIME-WAIT (the kernel's word, not a sleep's).
	var text string
	for deadline := time.Now().Add(2 * time.Second); ; {
		text = run("sockets")
		if strings.Contains(text, "TIME-WAIT") || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond) // polling the kernel's table
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if h := strings.Fields(lines[0]); strings.Join(h, " ") != "Netid State Recv-Q Send-Q Local Peer Timer Inode" {
		t.Errorf("header %q", lines[0])
	}
	row := func(match func(f []string) bool) []string {
		for _, l := range lines[1:] {
			if f := strings.Fields(l); match(f) {
				return f
			}
		}
		return nil
	}
	if f := row(func(f []string) bool { return f[1] == "LISTEN" && f[4] == "127.0.0.1:7100" }); f == nil || f[2] != "1" || f[3] != "2" {
		t.Errorf("listener: %q, want Recv-Q 1 (one connection waiting) and Send-Q 2 (the backlog)\n%s", f, text)
	}
	if f := row(func(f []string) bool { return f[1] == "TIME-WAIT" }); f == nil || f[4] != "127.0.0.1:7100" || !strings.HasPrefix(f[6], "timer:(timewait,") || f[7] != "0" {
		t.Errorf("TIME-WAIT: %q, want on 127.0.0.1:7100 with its timer and no inode\n%s", f, text)
	}
	if row(func(f []string) bool { return f[1] == "ESTAB" && f[4] == "127.0.0.1:7100" && f[len(f)-1] == "0" }) == nil {
		t.Errorf("no ESTAB connection waiting in the accept queue (inode 0)\n%s", text)
	}
	if row(func(f []string) bool { return f[0] == "udp" && f[1] == "UNCONN" && f[4] == "127.0.0.1:7101" }) == nil {
		t.Errorf("no UDP 127.0.0.1:7101\n%s", text)
	}
	if strings.Contains(text, "\x1b") || !strings.Contains(text, `s\x1b[2J.sock`) {
		t.Errorf("the AF_UNIX path is not escaped:\n%q", text)
	}
	if row(func(f []string) bool { return f[0] == "unix-dgram" && f[1] == "UNCONN" && f[4] == abstract }) == nil {
		t.Errorf("no AF_UNIX datagram socket %s\n%s", abstract, text)
	}
	if row(func(f []string) bool { return f[0] == "unix-stream" && f[1] == "ESTAB" && f[2] == "4" }) == nil {
		t.Errorf("no AF_UNIX stream socket with 4 bytes unread (the socketpair)\n%s", text)
	}
	unixAgreesWithSS(t, lines[1:])

	// JSON: one object per socket, the same sockets.
	js := run("sockets", "--json")
	var objs []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(js, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if m["type"] != "socket" {
			t.Errorf("%q: type %v", l, m["type"])
		}
		objs = append(objs, m)
	}
	if len(objs) != len(lines)-1 {
		t.Errorf("%d JSON objects, %d rows of text", len(objs), len(lines)-1)
	}
	var tw, lis, ux map[string]any
	for _, m := range objs {
		switch {
		case m["socket.state"] == "TIME-WAIT":
			tw = m
		case m["socket.state"] == "LISTEN" && m["socket.proto"] == "tcp":
			lis = m
		case m["socket.proto"] == "unix-stream" && m["socket.state"] == "LISTEN":
			ux = m
		}
	}
	if tw == nil || tw["socket.timer"] != "timewait" || tw["socket.timer_ms"].(float64) <= 0 || tw["socket.inode"] != 0.0 || tw["socket.local"] != "127.0.0.1:7100" {
		t.Errorf("TIME-WAIT object: %v", tw)
	}
	if lis == nil || lis["socket.recvq"] != 1.0 || lis["socket.sendq"] != 2.0 || lis["socket.peer"] != "0.0.0.0:*" || lis["socket.uid"] == nil {
		t.Errorf("listener object: %v", lis)
	}
	if ux == nil || ux["socket.local"] != escape.Text(hostile) || !strings.Contains(js, `s\\x1b[2J.sock`) {
		t.Errorf("unix object: %v, want local %q", ux, escape.Text(hostile))
	}
}

// unixAgreesWithSS checks the AF_UNIX rows of "sockscope sockets" against
// `ss -xanH` on the same namespace, by inode: kind (u_str, u_dgr, u_seq),
// state, Recv-Q, Send-Q and name (ss prints a name's bytes as they are,
// sockscope escapes them). ss shows a peer as "*" and its inode where
// sockscope names it, so the peer is left out. Skipped without ss.
func unixAgreesWithSS(t *testing.T, rows []string) {
	t.Helper()
	ss, err := exec.LookPath("ss")
	if err != nil {
		t.Log("ss (iproute2) is not installed: the AF_UNIX rows are not compared with ss -xan")
		return
	}
	out, err := exec.Command(ss, "-xanH").Output()
	if err != nil {
		t.Fatalf("ss -xanH: %v", err)
	}
	netid := map[string]string{"unix-stream": "u_str", "unix-dgram": "u_dgr", "unix-seqpacket": "u_seq"}
	ours := map[string]string{} // inode → Netid State Recv-Q Send-Q Local
	for _, l := range rows {
		f := strings.Fields(l)
		if id, ok := netid[f[0]]; ok {
			ours[f[len(f)-1]] = strings.Join(append([]string{id}, f[1:5]...), " ")
		}
	}
	theirs := map[string]string{}
	for _, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		f := strings.Fields(l)
		if len(f) != 8 {
			t.Errorf("ss -xanH line with %d fields, want 8: %q", len(f), l)
			continue
		}
		f[4] = escape.Text(f[4])
		theirs[f[5]] = strings.Join(f[:5], " ")
	}
	for ino, want := range theirs {
		if got := ours[ino]; got != want {
			t.Errorf("AF_UNIX inode %s: ss -xanH %q, sockscope sockets %q", ino, want, got)
		}
	}
	for ino, got := range ours {
		if _, ok := theirs[ino]; !ok {
			t.Errorf("AF_UNIX inode %s: sockscope sockets %q, not in ss -xanH", ino, got)
		}
	}
	if len(ours) < 4 {
		t.Errorf("%d AF_UNIX rows, the test made 4:\n%s", len(ours), strings.Join(rows, "\n"))
	}
	t.Logf("%d AF_UNIX sockets agree with %s", len(ours), ss)
}

package demos

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockscope/sockscope/demos/sockcall"
)

// TestMeaningsProvoked provokes every outcome in the catalogue
// (sockcall.Meanings) for real, with the lesson's own recording sockets in
// the lab, and checks that the recorded call is explained, in English and
// Chinese.
func TestMeaningsProvoked(t *testing.T) {
	if !labTest(t) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var calls []sockcall.Call
	env := &Env{Record: func(c sockcall.Call) { calls = append(calls, c) }}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	last := func() *sockcall.Call { return &calls[len(calls)-1] }
	seen := map[string]bool{}
	expect := func(key string) {
		t.Helper()
		c := last()
		m := sockcall.MeaningOf(c)
		if m == nil || m.Key != key {
			t.Errorf("%s(%s) = %d %s: meaning %+v, want %s", c.Op, c.Args, c.Ret, c.Errno, m, key)
			return
		}
		if m.EN == "" || m.ZH == "" || m.EN == m.ZH || m.Python == "" {
			t.Errorf("%s: the catalogue's words are missing: %+v", key, m)
		}
		seen[key] = true
	}
	// A TCP pair on port p: a listener, a client, the accepted connection.
	pair := func(p string, rcvbuf int) (l, c, a *Sock) {
		l = env.NewSock(ctx, "server")
		must(l.Socket(unix.AF_INET, unix.SOCK_STREAM, 0))
		if rcvbuf > 0 {
			must(l.Setsockopt(unix.SOL_SOCKET, unix.SO_RCVBUF, rcvbuf))
		}
		must(l.Bind("127.0.0.1:" + p))
		must(l.Listen(4))
		c = env.NewSock(ctx, "client")
		must(c.Socket(unix.AF_INET, unix.SOCK_STREAM, 0))
		if rcvbuf > 0 {
			must(c.Setsockopt(unix.SOL_SOCKET, unix.SO_SNDBUF, rcvbuf))
		}
		must(c.Connect("127.0.0.1:" + p))
		a, _, err := l.Accept()
		must(err)
		return l, c, a
	}
	// waitErr waits until the kernel has an error or a hang-up to report
	// on s (an RST arrived).
	waitErr := func(s *Sock) {
		fds := []unix.PollFd{{Fd: int32(s.FD), Events: unix.POLLIN}}
		for ctx.Err() == nil {
			if n, _ := unix.Poll(fds, 100); n > 0 && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
				return
			}
		}
	}

	// b'' and EPIPE: the server closes; the client reads b'', sends once
	// (the bytes reach its buffer; the peer answers RST), then EPIPE.
	l, c, a := pair("7091", 0)
	must(a.Close())
	_, err := c.Recv(16)
	must(err)
	expect("b''")
	_, err = c.Send([]byte("late"))
	must(err)
	waitErr(c)
	_, err = c.Send([]byte("later"))
	if err == nil {
		t.Fatal("a send after the peer's RST succeeded")
	}
	expect("EPIPE")
	c.Close()

	// ECONNRESET: the server closes with unread bytes; the client's recv.
	c = env.NewSock(ctx, "client")
	must(c.Socket(unix.AF_INET, unix.SOCK_STREAM, 0))
	must(c.Connect("127.0.0.1:7091"))
	a, _, err = l.Accept()
	must(err)
	_, err = c.Send([]byte("unread"))
	must(err)
	must(a.waitQueued(6))
	must(a.Close())
	if _, err := c.Recv(16); err == nil {
		t.Fatal("recv after an RST succeeded")
	}
	expect("ECONNRESET")
	c.Close()

	// EADDRINUSE: a second socket on the listener's port.
	d := env.NewSock(ctx, "server")
	must(d.Socket(unix.AF_INET, unix.SOCK_STREAM, 0))
	if err := d.Bind("127.0.0.1:7091"); err == nil {
		t.Fatal("a second bind to a listening port succeeded")
	}
	expect("EADDRINUSE")
	d.Close()
	l.Close()

	// ECONNREFUSED: nobody listens on 7092.
	c = env.NewSock(ctx, "client")
	must(c.Socket(unix.AF_INET, unix.SOCK_STREAM, 0))
	if err := c.Connect("127.0.0.1:7092"); err == nil {
		t.Fatal("connect to a closed port succeeded")
	}
	expect("ECONNREFUSED")
	c.Close()

	// EINPROGRESS: a non-blocking connect.
	l = env.NewSock(ctx, "server")
	must(l.Socket(unix.AF_INET, unix.SOCK_STREAM, 0))
	must(l.Bind("127.0.0.1:7093"))
	must(l.Listen(4))
	c = env.NewSock(ctx, "client")
	must(c.Socket(unix.AF_INET, unix.SOCK_STREAM, 0))
	must(c.SetBlocking(false))
	if err := c.Connect("127.0.0.1:7093"); err == nil {
		t.Fatal("a non-blocking connect finished at once")
	}
	expect("EINPROGRESS")

	// EAGAIN: a non-blocking recv with nothing to read.
	fds := []unix.PollFd{{Fd: int32(c.FD), Events: unix.POLLOUT}}
	unix.Poll(fds, 1000) // the handshake is done when it is writable
	if _, err := c.Recv(16); err == nil {
		t.Fatal("a non-blocking recv with nothing to read succeeded")
	}
	expect("EAGAIN")
	c.Close()
	l.Close()

	// short send: a non-blocking send larger than both buffers.
	_, c, a = pair("7094", 4096)
	must(c.SetBlocking(false))
	_, err = c.Send(make([]byte, 1<<20))
	must(err)
	expect("short send")
	c.Close()
	a.Close()

	// EACCES: sendto the broadcast address without SO_BROADCAST.
	u := env.NewSock(ctx, "sender")
	must(u.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0))
	if _, err := u.Sendto([]byte("hi"), "127.255.255.255:7095"); err == nil {
		t.Fatal("a broadcast without SO_BROADCAST was sent")
	}
	expect("EACCES")

	// MSG_TRUNC: a 10-byte datagram read with recvfrom(4, MSG_TRUNC).
	r := env.NewSock(ctx, "receiver")
	must(r.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0))
	must(r.Bind("127.0.0.1:7096"))
	_, err = u.Sendto([]byte("0123456789"), "127.0.0.1:7096")
	must(err)
	_, _, n, err := r.RecvfromFlags(4, unix.MSG_TRUNC)
	must(err)
	if n != 10 {
		t.Errorf("recvfrom(4, MSG_TRUNC) = %d, want 10", n)
	}
	expect("MSG_TRUNC")
	u.Close()
	r.Close()

	// ETIMEDOUT: a SYN nobody answers. The listener's accept queue is
	// full (backlog 0, one connection not accepted), so the next SYN is
	// dropped; with this namespace's tcp_syn_retries at 1 the kernel
	// gives up after about 3 s.
	if err := os.WriteFile("/proc/sys/net/ipv4/tcp_syn_retries", []byte("1"), 0); err != nil {
		t.Fatalf("lab: %v", err)
	}
	l = env.NewSock(ctx, "server")
	must(l.Socket(unix.AF_INET, unix.SOCK_STREAM, 0))
	must(l.Bind("127.0.0.1:7097"))
	must(l.Listen(0))
	first := env.NewSock(ctx, "client")
	must(first.Socket(unix.AF_INET, unix.SOCK_STREAM, 0))
	must(first.Connect("127.0.0.1:7097"))
	c = env.NewSock(ctx, "client")
	must(c.Socket(unix.AF_INET, unix.SOCK_STREAM, 0))
	if err := c.Connect("127.0.0.1:7097"); err == nil {
		t.Fatal("a connect to a full accept queue succeeded")
	}
	expect("ETIMEDOUT")

	for key := range sockcall.Meanings {
		if !seen[key] {
			t.Errorf("the catalogue explains %s, and no test provoked it", key)
		}
	}
	if t.Failed() {
		var b strings.Builder
		for _, c := range calls {
			b.WriteString(c.Endpoint + " " + c.Op + "(" + c.Args + ") " + c.Errno + "\n")
		}
		t.Log(b.String())
	}
}

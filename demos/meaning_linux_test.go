package demos

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
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
	// Calls are recorded from the goroutine that makes them (the EINTR
	// case has one of its own); recorded wakes whoever waits for one.
	var mu sync.Mutex
	var calls []sockcall.Call
	recorded := make(chan struct{}, 1)
	env := &Env{Record: func(c sockcall.Call) {
		mu.Lock()
		calls = append(calls, c)
		mu.Unlock()
		select {
		case recorded <- struct{}{}:
		default:
		}
	}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	last := func() *sockcall.Call {
		mu.Lock()
		defer mu.Unlock()
		c := calls[len(calls)-1]
		return &c
	}
	seen := map[string]bool{}
	expectCall := func(c *sockcall.Call, key string) {
		t.Helper()
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
	expect := func(key string) {
		t.Helper()
		expectCall(last(), key)
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

	// EINTR: a recv waiting inside the kernel under SO_RCVTIMEO, which a
	// signal handler interrupts: the kernel does not restart it, though
	// Go's handlers have SA_RESTART. SIGURG is Go's own preemption
	// signal, harmless to every thread; it goes to each thread of the
	// process (tgkill), since the one waiting in recv is not known here,
	// again until the recorded calls include the interrupted recv (a
	// signal that comes before recv has begun waiting interrupts
	// nothing). Then the peer sends, and RecvTimed's next recv, made
	// again as Python would, returns the bytes.
	_, c, a = pair("7098", 0)
	must(c.SetRecvTimeout(10 * time.Second))
	type result struct {
		data []byte
		err  error
	}
	mu.Lock()
	from := len(calls) // the calls of this case are calls[from:]
	mu.Unlock()
	got := make(chan result, 1)
	go func() {
		data, err := c.RecvTimed(16)
		got <- result{data, err}
	}()
	interrupted := func() *sockcall.Call {
		mu.Lock()
		defer mu.Unlock()
		for i := from; i < len(calls); i++ {
			if calls[i].FD == c.FD && calls[i].Op == "recv" && calls[i].Errno == "EINTR" {
				c := calls[i]
				return &c
			}
		}
		return nil
	}
	giveUp := time.After(10 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	var eintr *sockcall.Call
	rounds := 0
	for eintr == nil {
		signalThreads(t, unix.SIGURG)
		rounds++
		select {
		case <-recorded:
		case <-tick.C:
		case <-giveUp:
			a.Close() // wakes the recv: b''
			select {
			case <-got:
			case <-ctx.Done():
			}
			t.Fatal("SIGURG to every thread for 10 s, and no recv failed with EINTR")
		}
		eintr = interrupted()
	}
	tick.Stop()
	t.Logf("EINTR: recv #%d interrupted after %d round(s) of SIGURG", eintr.Number, rounds)
	expectCall(eintr, "EINTR")
	if eintr.Ret != -1 || len(eintr.Data) != 0 {
		t.Errorf("the interrupted recv: ret %d, %d bytes; want -1 and none", eintr.Ret, len(eintr.Data))
	}
	_, err = a.Send([]byte("after"))
	must(err)
	var res result
	select {
	case res = <-got:
	case <-ctx.Done():
		t.Fatal("RecvTimed did not return after the peer sent")
	}
	must(res.err)
	if string(res.data) != "after" {
		t.Errorf("RecvTimed after EINTR returned %q, want \"after\"", res.data)
	}
	// Every recv on c: one or more EINTR (a signal may also catch a
	// retry), then the one that returned the bytes.
	var recvs []sockcall.Call
	mu.Lock()
	for _, k := range calls[from:] {
		if k.FD == c.FD && k.Op == "recv" {
			recvs = append(recvs, k)
		}
	}
	mu.Unlock()
	for i, k := range recvs {
		if i < len(recvs)-1 && k.Errno != "EINTR" {
			t.Errorf("recv #%d on the interrupted socket: %d %s, want EINTR", k.Number, k.Ret, k.Errno)
		}
	}
	if n := len(recvs); n < 2 || recvs[n-1].Ret != 5 || string(recvs[n-1].Data) != "after" || recvs[n-1].Errno != "" {
		t.Errorf("the recvs on the interrupted socket: %+v; want EINTR, then 5 bytes \"after\"", recvs)
	}
	c.Close()
	a.Close()

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
		mu.Lock()
		defer mu.Unlock()
		for _, c := range calls {
			b.WriteString(c.Endpoint + " " + c.Op + "(" + c.Args + ") " + c.Errno + "\n")
		}
		t.Log(b.String())
	}
}

// signalThreads sends sig to every thread of the process
// (tgkill(getpid(), tid, sig) for each of /proc/self/task).
func signalThreads(t *testing.T, sig unix.Signal) {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	pid := unix.Getpid()
	for _, task := range tasks {
		tid, err := strconv.Atoi(task.Name())
		if err != nil {
			continue
		}
		if err := unix.Tgkill(pid, tid, sig); err != nil && err != unix.ESRCH {
			t.Fatalf("tgkill %d: %v", tid, err)
		}
	}
}

//go:build unix

package demos

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// BlockingAddr is where the blocking server listens for the recv steps;
// BlockingConnectAddr for the non-blocking connect; BlockingClosedAddr is
// a port nobody listens on.
const (
	BlockingAddr        = "127.0.0.1:7031"
	BlockingConnectAddr = "127.0.0.1:7032"
	BlockingClosedAddr  = "127.0.0.1:7034"
)

// blockingDelay is how long the server is busy before it sends: the wait
// the first recv shows. blockingTimeout is the receive timeout of step 3.
const (
	blockingDelay   = 300 * time.Millisecond
	blockingTimeout = 500 * time.Millisecond
)

var blocking = &Demo{
	Name:      "blocking",
	Title:     "Blocking, non-blocking and timeouts: recv that waits, EAGAIN, a timeout, and connect in progress",
	TitleZH:   "阻塞、非阻塞和超时：等待的 recv、EAGAIN、超时，以及进行中的 connect",
	Summary:   "A blocking recv waits until the peer sends; setblocking(False) makes it fail at once with EAGAIN; a 0.5 s timeout makes it give up after 0.5 s; a non-blocking connect returns EINPROGRESS, and poll plus SO_ERROR tell how it ended.",
	SummaryZH: "阻塞的 recv 一直等到对端发送；setblocking(False) 让它立即以 EAGAIN 失败；0.5 秒的超时让它等 0.5 秒后放弃；非阻塞的 connect 返回 EINPROGRESS，poll 加上 SO_ERROR 告诉你结果如何。",
	Steps: []Step{
		{
			Title:   "A blocking recv waits until the peer sends",
			TitleZH: "阻塞的 recv 一直等到对端发送",
			Explain: "The server listens on 127.0.0.1:7031, the client connects and the server accepts. " +
				"The client calls data = s.recv(1024) while nothing has arrived: a new socket is blocking, so the call waits inside the kernel. " +
				"The server is busy for 0.3 s and then sends b'hello'; the client's recv returns those 5 bytes as soon as they arrive. " +
				"The call's start and return times show how long the program was stuck in it.",
			ExplainZH: "服务器在 127.0.0.1:7031 上监听，客户端发起连接，服务器 accept。" +
				"客户端在还没有任何数据到达时调用 data = s.recv(1024)：新建的套接字是阻塞的，所以这次调用在内核里等待。" +
				"服务器忙了 0.3 秒，然后发送 b'hello'；数据一到，客户端的 recv 就返回这 5 个字节。" +
				"调用的开始和返回时间显示程序在这次调用里卡了多久。",
			Outcome: blockingWaited,
		},
		{
			Title:   "setblocking(False): recv fails at once with EAGAIN",
			TitleZH: "setblocking(False)：recv 立即以 EAGAIN 失败",
			Explain: "The client calls s.setblocking(False), which is fcntl(fd, F_SETFL, O_NONBLOCK), and calls recv(1024) again with nothing to read. " +
				"Instead of waiting, recv fails at once with EAGAIN, which Python raises as BlockingIOError: [Errno 11] Resource temporarily unavailable. " +
				"Nothing is sent on the wire: the program is told to try again later, or to wait with select or poll until the socket is readable.",
			ExplainZH: "客户端调用 s.setblocking(False)，也就是 fcntl(fd, F_SETFL, O_NONBLOCK)，然后在没有数据可读时再次调用 recv(1024)。" +
				"recv 不再等待，而是立即以 EAGAIN 失败，Python 把它抛成 BlockingIOError: [Errno 11] Resource temporarily unavailable。" +
				"网络上什么也没有：程序被告知稍后再试，或者用 select 或 poll 等到套接字可读。",
			Outcome: blockingEAGAIN,
		},
		{
			Title:   "A timeout: recv gives up after 0.5 s",
			TitleZH: "超时：recv 等 0.5 秒后放弃",
			Explain: "The client makes the socket blocking again (s.setblocking(True)) and gives it a 0.5 s timeout, then calls recv(1024) with nothing to read. " +
				"Python's s.settimeout(0.5) does this inside the library, with a non-blocking socket and poll, and raises TimeoutError('timed out') (socket.timeout); the lesson uses the kernel's own receive timeout, setsockopt(SOL_SOCKET, SO_RCVTIMEO), which shows the same wait. " +
				"recv waits 0.5 s and fails with EAGAIN; the connection is untouched and nothing is sent. " +
				"The client then closes the socket (FIN), and the server closes its end.",
			ExplainZH: "客户端把套接字改回阻塞（s.setblocking(True)），给它设置 0.5 秒的超时，然后在没有数据可读时调用 recv(1024)。" +
				"Python 的 s.settimeout(0.5) 是在库里实现的：套接字设为非阻塞，再用 poll 等待，超时后抛出 TimeoutError('timed out')（socket.timeout）；本课用的是内核自己的接收超时 setsockopt(SOL_SOCKET, SO_RCVTIMEO)，等待的样子完全一样。" +
				"recv 等了 0.5 秒，以 EAGAIN 失败；连接不受影响，也没有发出任何东西。" +
				"随后客户端关闭套接字（FIN），服务器也关闭它那一端。",
			Outcome: blockingTimedOut,
		},
		{
			Title:   "A non-blocking connect: EINPROGRESS, then poll and SO_ERROR",
			TitleZH: "非阻塞的 connect：EINPROGRESS，然后 poll 和 SO_ERROR",
			Explain: "The server listens on 127.0.0.1:7032. The client creates a new socket, calls s.setblocking(False) and connects: connect sends the SYN and returns at once with EINPROGRESS (Python: BlockingIOError [Errno 115], or 115 from s.connect_ex). " +
				"The handshake goes on in the kernel; the client waits for the socket to become writable with poll (POLLOUT) and then reads s.getsockopt(SOL_SOCKET, SO_ERROR): 0 means connected. " +
				"The server accepts the connection, and both close it.",
			ExplainZH: "服务器在 127.0.0.1:7032 上监听。客户端新建一个套接字，调用 s.setblocking(False) 再 connect：connect 发出 SYN 后立即以 EINPROGRESS 返回（Python：BlockingIOError [Errno 115]，或 s.connect_ex 返回 115）。" +
				"握手在内核里继续进行；客户端用 poll（POLLOUT）等套接字变为可写，再读取 s.getsockopt(SOL_SOCKET, SO_ERROR)：0 表示已连接。" +
				"服务器 accept 这个连接，双方随后关闭它。",
			Outcome: blockingConnected,
		},
		{
			Title:   "A non-blocking connect that fails: SO_ERROR says why",
			TitleZH: "失败的非阻塞 connect：SO_ERROR 说明原因",
			Explain: "The client does the same towards 127.0.0.1:7034, where nobody listens: connect again returns EINPROGRESS, because it never waits for the answer. " +
				"The answer is RST/ACK; poll reports the socket writable with an error (POLLOUT|POLLERR|POLLHUP), and SO_ERROR is 111, ECONNREFUSED — the error a blocking connect would have raised as ConnectionRefusedError. " +
				"Reading SO_ERROR clears it; the client closes the socket.",
			ExplainZH: "客户端对没有人监听的 127.0.0.1:7034 做同样的事：connect 仍然返回 EINPROGRESS，因为它从不等待回应。" +
				"回应是 RST/ACK；poll 报告套接字可写且出错（POLLOUT|POLLERR|POLLHUP），SO_ERROR 是 111，即 ECONNREFUSED——阻塞的 connect 本会把它抛成 ConnectionRefusedError。" +
				"读取 SO_ERROR 会清除它；客户端关闭套接字。",
			Outcome: blockingRefused,
		},
	},
	Run:   runBlocking,
	Check: checkBlocking,
}

func runBlocking(ctx context.Context, env *Env) error {
	listening, accepted, recvNext, sent := newSignal(), newSignal(), newSignal(), newSignal()
	clientClosed, step4, listening2, done4 := newSignal(), newSignal(), newSignal(), newSignal()
	g := newGroup(ctx)

	g.Go(func(ctx context.Context) error { // the server
		if err := env.Step(ctx, 1); err != nil {
			return err
		}
		s := env.NewSock(ctx, "server")
		defer s.Close()
		if err := s.ListenTCP(BlockingAddr, 5); err != nil {
			return err
		}
		listening.fire()
		conn, _, err := s.Accept()
		if err != nil {
			return err
		}
		defer conn.Close()
		accepted.fire()
		if err := recvNext.wait(ctx); err != nil {
			return err
		}
		if err := lessonPause(ctx, blockingDelay); err != nil { // busy elsewhere
			return err
		}
		if _, err := conn.Send([]byte("hello")); err != nil {
			return err
		}
		sent.fire()
		if err := clientClosed.wait(ctx); err != nil {
			return err
		}
		if err := conn.Close(); err != nil {
			return err
		}
		if err := s.Close(); err != nil {
			return err
		}

		// Step 4: a listener for the non-blocking connect.
		if err := step4.wait(ctx); err != nil {
			return err
		}
		l := env.NewSock(ctx, "server")
		defer l.Close()
		if err := l.ListenTCP(BlockingConnectAddr, 5); err != nil {
			return err
		}
		listening2.fire()
		conn2, _, err := l.Accept()
		if err != nil {
			return err
		}
		defer conn2.Close()
		data, err := conn2.Recv(1024) // the client's FIN
		if err != nil {
			return err
		}
		if len(data) != 0 {
			return fmt.Errorf("server: %d bytes from a client that sends none", len(data))
		}
		if err := conn2.Close(); err != nil {
			return err
		}
		if err := l.Close(); err != nil {
			return err
		}
		done4.fire()
		return nil
	})

	g.Go(func(ctx context.Context) error { // the client
		if err := listening.wait(ctx); err != nil {
			return err
		}
		c := env.NewSock(ctx, "client")
		defer c.Close()
		if err := c.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := c.Connect(BlockingAddr); err != nil {
			return err
		}
		if err := accepted.wait(ctx); err != nil {
			return err
		}
		recvNext.fire()
		data, err := c.Recv(1024) // waits for the server
		if err != nil {
			return err
		}
		if string(data) != "hello" {
			return fmt.Errorf("client: recv %q, want \"hello\"", data)
		}
		if err := sent.wait(ctx); err != nil {
			return err
		}

		// Step 2: non-blocking, recv fails at once.
		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		if err := c.SetBlocking(false); err != nil {
			return err
		}
		if _, err := c.Recv(1024); !errors.Is(err, unix.EAGAIN) {
			return fmt.Errorf("client: non-blocking recv: %v, want EAGAIN", err)
		}

		// Step 3: blocking again, with a receive timeout.
		if err := env.Step(ctx, 3); err != nil {
			return err
		}
		if err := c.SetBlocking(true); err != nil {
			return err
		}
		if err := c.SetRecvTimeout(blockingTimeout); err != nil {
			return err
		}
		if _, err := c.RecvTimed(1024); !errors.Is(err, unix.EAGAIN) {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("client: recv with a timeout: %v, want EAGAIN", err)
		}
		if err := c.Close(); err != nil {
			return err
		}
		clientClosed.fire()

		// Step 4: a non-blocking connect that succeeds.
		if err := env.Step(ctx, 4); err != nil {
			return err
		}
		step4.fire()
		if err := listening2.wait(ctx); err != nil {
			return err
		}
		if err := nonblockingConnect(ctx, env, BlockingConnectAddr, 0); err != nil {
			return err
		}
		if err := done4.wait(ctx); err != nil {
			return err
		}

		// Step 5: one that fails.
		if err := env.Step(ctx, 5); err != nil {
			return err
		}
		return nonblockingConnect(ctx, env, BlockingClosedAddr, int(unix.ECONNREFUSED))
	})
	return g.Wait()
}

// nonblockingConnect is the client's non-blocking connect on a new
// socket: EINPROGRESS, poll for writable, SO_ERROR (want), close.
func nonblockingConnect(ctx context.Context, env *Env, addr string, want int) error {
	s := env.NewSock(ctx, "client")
	defer s.Close()
	if err := s.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
		return err
	}
	if err := s.SetBlocking(false); err != nil {
		return err
	}
	if err := s.Connect(addr); !errors.Is(err, unix.EINPROGRESS) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("client: non-blocking connect to %s: %v, want EINPROGRESS", addr, err)
	}
	if _, err := s.PollOut(5 * time.Second); err != nil {
		return err
	}
	v, err := s.SoError()
	if err != nil {
		return err
	}
	if v != want {
		return fmt.Errorf("client: SO_ERROR after connect to %s: %d, want %d", addr, v, want)
	}
	return s.Close()
}

func blockingWaited(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	rc, send := f.firstIn("client", "recv", 1), f.firstIn("server", "send", 1)
	if rc == nil || send == nil || rc.Ret <= 0 {
		return "", ""
	}
	waited := callEnd(rc).Sub(callStart(rc))
	after := callStart(send).Sub(callStart(rc))
	return fmt.Sprintf("The client's recv (#%d) waited %s and returned %d bytes; the server's send (#%d) was made %s after the recv began.", rc.Number, span(waited), rc.Ret, send.Number, span(after)),
		fmt.Sprintf("客户端的 recv（#%d）等了 %s，返回 %d 个字节；服务器的 send（#%d）是在 recv 开始之后 %s 才调用的。", rc.Number, span(waited), rc.Ret, send.Number, span(after))
}

func blockingEAGAIN(r *sockcall.Run) (en, zh string) {
	rc := factsOf(r).firstIn("client", "recv", 2)
	if rc == nil || rc.Errno == "" {
		return "", ""
	}
	d := span(callEnd(rc).Sub(callStart(rc)))
	return fmt.Sprintf("recv (#%d) failed with %s after %s.", rc.Number, rc.Errno, d),
		fmt.Sprintf("recv（#%d）在 %s 后以 %s 失败。", rc.Number, d, rc.Errno)
}

// timedRecv is step 3's recv under the timeout: the first that a signal did
// not interrupt (an interrupted one is recorded as recv = -1 EINTR, and made
// again, waiting the whole timeout anew).
func timedRecv(f runFacts) *sockcall.Call {
	for _, c := range f.callsIn("client", "recv", 3) {
		if c.Errno != "EINTR" {
			return c
		}
	}
	return nil
}

func blockingTimedOut(r *sockcall.Run) (en, zh string) {
	rc := timedRecv(factsOf(r))
	if rc == nil || rc.Errno == "" {
		return "", ""
	}
	d := span(callEnd(rc).Sub(callStart(rc)))
	return fmt.Sprintf("recv (#%d) failed with %s after %s; in Python, TimeoutError('timed out').", rc.Number, rc.Errno, d),
		fmt.Sprintf("recv（#%d）在 %s 后以 %s 失败；在 Python 里是 TimeoutError('timed out')。", rc.Number, d, rc.Errno)
}

// nbConnect is one non-blocking connect of step: the connect, poll and
// getsockopt calls (nil until recorded).
func nbConnect(f runFacts, step int) (conn, poll, soerr *sockcall.Call) {
	return f.firstIn("client", "connect", step), f.firstIn("client", "poll", step), f.firstIn("client", "getsockopt", step)
}

func nbConnectOutcome(r *sockcall.Run, step int) (en, zh string) {
	conn, poll, soerr := nbConnect(factsOf(r), step)
	if conn == nil || poll == nil || soerr == nil {
		return "", ""
	}
	took := span(callEnd(conn).Sub(callStart(conn)))
	wait := span(callEnd(poll).Sub(callStart(poll)))
	res, resZH := "connected", "已连接"
	if soerr.Ret != 0 {
		res, resZH = fmt.Sprintf("errno %d, %s", soerr.Ret, unix.ErrnoName(unix.Errno(soerr.Ret))), fmt.Sprintf("errno %d，即 %s", soerr.Ret, unix.ErrnoName(unix.Errno(soerr.Ret)))
	}
	return fmt.Sprintf("connect (#%d) returned %s after %s; poll (#%d) returned %d after %s with %s; SO_ERROR (#%d) was %d: %s.", conn.Number, conn.Errno, took, poll.Number, poll.Ret, wait, poll.Flags, soerr.Number, soerr.Ret, res),
		fmt.Sprintf("connect（#%d）在 %s 后返回 %s；poll（#%d）在 %s 后返回 %d，事件为 %s；SO_ERROR（#%d）是 %d：%s。", conn.Number, took, conn.Errno, poll.Number, wait, poll.Ret, poll.Flags, soerr.Number, soerr.Ret, resZH)
}

func blockingConnected(r *sockcall.Run) (en, zh string) { return nbConnectOutcome(r, 4) }
func blockingRefused(r *sockcall.Run) (en, zh string)   { return nbConnectOutcome(r, 5) }

// checkBlocking verifies the fixed words of blocking against a run.
func checkBlocking(r *sockcall.Run) error {
	f := factsOf(r)
	var l claimList

	rc, send := f.firstIn("client", "recv", 1), f.firstIn("server", "send", 1)
	l.want(rc != nil && send != nil && rc.Ret == 5 && string(rc.Data) == "hello" && rc.Waited &&
		callStart(rc).Before(callStart(send)) && !callEnd(rc).Before(callStart(send)),
		"the client's blocking recv begins before the server's send, waits, and returns its 5 bytes (%s, %s)", describeCall(rc), describeCall(send))

	fc := f.firstIn("client", "fcntl", 2)
	r2 := f.firstIn("client", "recv", 2)
	l.want(fc != nil && fc.Args == "F_SETFL, O_NONBLOCK" && fc.Errno == "", "setblocking(False) is fcntl(F_SETFL, O_NONBLOCK) (%s)", describeCall(fc))
	l.want(r2 != nil && r2.Errno == "EAGAIN" && r2.Nonblocking && !r2.Waited, "the non-blocking recv fails at once with EAGAIN (%s)", describeCall(r2))

	to := f.firstIn("client", "setsockopt", 3)
	r3 := timedRecv(f)
	l.want(to != nil && strings.HasPrefix(to.Args, "SOL_SOCKET, SO_RCVTIMEO, 0.5") && to.Errno == "", "the timeout is SO_RCVTIMEO of 0.5 s (%s)", describeCall(to))
	l.want(r3 != nil && r3.Errno == "EAGAIN" && !r3.Nonblocking && callEnd(r3).Sub(callStart(r3)) >= blockingTimeout,
		"the recv with a timeout fails with EAGAIN after at least 0.5 s (%s)", describeCall(r3))

	for _, part := range []struct {
		step   int
		addr   string
		soerr  int
		revent string
	}{{4, BlockingConnectAddr, 0, "POLLOUT"}, {5, BlockingClosedAddr, int(unix.ECONNREFUSED), "POLLERR"}} {
		conn, poll, soerr := nbConnect(f, part.step)
		l.want(conn != nil && conn.Args == part.addr && conn.Errno == "EINPROGRESS" && conn.Nonblocking,
			"step %d: the non-blocking connect to %s returns EINPROGRESS (%s)", part.step, part.addr, describeCall(conn))
		l.want(poll != nil && poll.Ret == 1 && strings.Contains(poll.Flags, "POLLOUT") && strings.Contains(poll.Flags, part.revent),
			"step %d: poll reports %s (%s, %s)", part.step, part.revent, describeCall(poll), flagsOf(poll))
		l.want(soerr != nil && soerr.Args == "SOL_SOCKET, SO_ERROR" && soerr.Ret == part.soerr,
			"step %d: SO_ERROR is %d (%s)", part.step, part.soerr, describeCall(soerr))
	}
	refused := f.packets(func(p *decode.Packet) bool {
		return isTCPFlags(p, decode.TCPRst|decode.TCPAck, 0) && p.SrcPort == portOf(BlockingClosedAddr)
	})
	l.want(len(refused) > 0, "the SYN to %s is answered with RST/ACK", BlockingClosedAddr)
	return l.err("blocking")
}

// flagsOf is a call's Flags for a Check's error.
func flagsOf(c *sockcall.Call) string {
	if c == nil {
		return ""
	}
	return c.Flags
}

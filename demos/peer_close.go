//go:build unix

package demos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// PeerCloseAddr is where the peer-close server listens.
const PeerCloseAddr = "127.0.0.1:7021"

const peerClosePort = 7021

// The bytes peer-close sends: into a closed connection (steps 3 and 4),
// and a request the server never reads (step 5).
var (
	peerCloseFirst   = []byte("hello")
	peerCloseSecond  = []byte("world")
	peerCloseRequest = []byte("Hello, world")
)

var peerClose = &Demo{
	Name:      "peer-close",
	Title:     "The peer closes: b'', Broken pipe, Connection reset",
	TitleZH:   "对端关闭：b''、BrokenPipeError、ConnectionResetError",
	Summary:   "The server closes: the client's recv returns b''; it sends anyway, the send succeeds, the server's kernel answers RST and the next send fails with EPIPE. Then close() with unread bytes sends RST instead of FIN, and the client's recv fails with ECONNRESET.",
	SummaryZH: "服务器关闭连接：客户端的 recv 返回 b''；客户端照样发送，send 成功了，服务器内核回以 RST，下一次 send 以 EPIPE 失败。然后，带着未读数据 close() 会发出 RST 而不是 FIN，客户端的 recv 以 ECONNRESET 失败。",
	Steps: []Step{
		{
			Title:   "A connection, and a client waiting in recv",
			TitleZH: "一条连接，客户端在 recv 里等待",
			Explain: "The server creates a TCP socket, sets SO_REUSEADDR, binds 127.0.0.1:7021 and listens; the client connects and the server accepts (conn, addr = s.accept()). " +
				"The client then calls s.recv(1024) and waits for the server to say something.",
			ExplainZH: "服务器创建 TCP 套接字，设置 SO_REUSEADDR，bind 到 127.0.0.1:7021 并 listen；客户端发起连接，服务器 accept（conn, addr = s.accept()）。" +
				"然后客户端调用 s.recv(1024)，等服务器发来数据。",
		},
		{
			Title:   "The server closes: recv returns b''",
			TitleZH: "服务器关闭：recv 返回 b''",
			Explain: "The server calls conn.close() on the connection (its listening socket stays open), and its kernel sends a FIN: it will send nothing more. " +
				"The client's kernel acknowledges the FIN, and the client's waiting recv returns 0 bytes — b'' in Python, the only way recv says that the peer has closed. " +
				"The client's socket is now in CLOSE-WAIT: the peer has closed, this side not yet. " +
				"A FIN says only that the peer will send nothing more; whether it will still read, the client cannot tell.",
			ExplainZH: "服务器对这条连接调用 conn.close()（它的监听套接字仍然开着），它的内核发出 FIN：它不会再发送任何数据了。" +
				"客户端内核确认这个 FIN，客户端正在等待的 recv 返回 0 字节——在 Python 里就是 b''，这是 recv 表示“对端已关闭”的唯一方式。" +
				"客户端套接字现在处于 CLOSE-WAIT：对端已经关闭，本端还没有。" +
				"FIN 只说明对端不会再发数据；对端还读不读，客户端无从得知。",
			Outcome: peerCloseEOF,
		},
		{
			Title:   "The client sends anyway: send succeeds, the answer is RST",
			TitleZH: "客户端照样发送：send 成功，回应是 RST",
			Explain: "Ignoring the b'', the client calls s.send(b'hello'), and it returns 5: send only copies the bytes into the socket's send buffer, and a peer's FIN does not stop that — TCP lets each side send until it closes its own side. " +
				"A segment carries the 5 bytes to the server, but the server's socket is closed and no program will ever read them: the server's kernel answers with RST (reset), which aborts the connection. " +
				"The client's kernel notes the error on the socket and marks it closed (ss: UNCONN). The client program learns of it only at its next call.",
			ExplainZH: "客户端不理会 b''，调用 s.send(b'hello')，返回 5：send 只是把字节复制进套接字的发送缓冲区，对端的 FIN 并不妨碍这一点——TCP 允许每一方一直发送，直到它关闭自己这一侧。" +
				"一个报文段把这 5 个字节送到服务器，可服务器的套接字已经关闭，再也没有程序会读它们：服务器内核回以 RST（复位），中止这条连接。" +
				"客户端内核把这个错误记在套接字上，并把它标记为已关闭（ss：UNCONN）。客户端程序要到下一次调用才知道。",
			Outcome: peerCloseReset,
		},
		{
			Title:   "The next send: EPIPE (BrokenPipeError)",
			TitleZH: "下一次 send：EPIPE（BrokenPipeError）",
			Explain: "Once the RST has arrived, the client calls s.send(b'world') again, and now it fails with EPIPE, \"broken pipe\": Python raises BrokenPipeError: [Errno 32] Broken pipe. Nothing goes on the wire. " +
				"In C the same send would also raise the signal SIGPIPE, whose default action kills the process; Python ignores SIGPIPE at startup, and these sends pass MSG_NOSIGNAL, so the error comes back from the call instead. " +
				"The client closes its socket; there is no connection left, so the close sends nothing either.",
			ExplainZH: "RST 到达之后，客户端再次调用 s.send(b'world')，这次以 EPIPE（“管道破裂”）失败：Python 抛出 BrokenPipeError: [Errno 32] Broken pipe。网络上什么也没有发出。" +
				"在 C 里，同样的 send 还会产生 SIGPIPE 信号，其默认动作是杀死进程；Python 在启动时就忽略了 SIGPIPE，这里的 send 也带着 MSG_NOSIGNAL，所以错误从调用的返回值里回来。" +
				"客户端关闭套接字；连接已经不存在了，所以这次 close 也不发送任何东西。",
			Outcome: peerCloseEPIPE,
		},
		{
			Title:   "Close with unread data: RST instead of FIN",
			TitleZH: "带着未读数据关闭：RST 而不是 FIN",
			Explain: "The client connects again (a new socket, a new port), the server accepts, and the client sends a request: s.sendall(b'Hello, world'), 12 bytes, which wait in the server's receive buffer. " +
				"The server never calls recv: it calls conn.close() with the 12 bytes unread. " +
				"Closing a socket that still holds unread data tells the peer that data was lost: instead of a FIN, the server's kernel sends RST (with ACK), and the connection is gone at once (RFC 2525, 2.17).",
			ExplainZH: "客户端再次发起连接（新的套接字、新的端口），服务器 accept，客户端发送一个请求：s.sendall(b'Hello, world')，12 个字节，它们停在服务器的接收缓冲区里。" +
				"服务器始终不调用 recv：它在这 12 个字节没读的情况下调用 conn.close()。" +
				"关闭一个还有未读数据的套接字，等于告诉对端数据丢了：服务器内核发出的不是 FIN，而是 RST（带 ACK），连接立刻消失（RFC 2525，2.17）。",
			Outcome: peerCloseUnread,
		},
		{
			Title:   "The client's recv: ECONNRESET (ConnectionResetError)",
			TitleZH: "客户端的 recv：ECONNRESET（ConnectionResetError）",
			Explain: "The client calls s.recv(1024) for the answer, after the RST has arrived. It fails with ECONNRESET: Python raises ConnectionResetError: [Errno 104] Connection reset by peer. " +
				"Had the server closed without unread data, this recv would have returned b''; the reset also discards whatever the client had not read yet. " +
				"The client closes, and the server closes its listening socket; neither close puts anything on the wire.",
			ExplainZH: "RST 到达之后，客户端调用 s.recv(1024) 等待回复。它以 ECONNRESET 失败：Python 抛出 ConnectionResetError: [Errno 104] Connection reset by peer。" +
				"如果服务器关闭时没有未读数据，这次 recv 会返回 b''；而复位还会丢弃客户端尚未读取的数据。" +
				"客户端关闭，服务器关闭它的监听套接字；这两次 close 都不在网络上发送任何东西。",
			Outcome: peerCloseConnReset,
		},
	},
	Run:   runPeerClose,
	Check: checkPeerClose,
}

func runPeerClose(ctx context.Context, env *Env) error {
	listening, accepted, accepted2, sent2, reset2, done := newSignal(), newSignal(), newSignal(), newSignal(), newSignal(), newSignal()
	g := newGroup(ctx)

	g.Go(func(ctx context.Context) error { // the server
		if err := env.Step(ctx, 1); err != nil {
			return err
		}
		s := env.NewSock(ctx, "server")
		defer s.Close()
		if err := s.ListenTCP(PeerCloseAddr, 5); err != nil {
			return err
		}
		listening.fire()
		conn, _, err := s.Accept()
		if err != nil {
			return err
		}
		defer conn.Close()
		accepted.fire()

		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		if err := conn.Close(); err != nil {
			return err
		}

		// The next client (step 5): accept, and close without reading.
		conn2, _, err := s.Accept()
		if err != nil {
			return err
		}
		defer conn2.Close()
		accepted2.fire()
		if err := sent2.wait(ctx); err != nil {
			return err
		}
		if err := conn2.waitQueued(len(peerCloseRequest)); err != nil {
			return err
		}
		if err := conn2.Close(); err != nil {
			return err
		}
		reset2.fire()
		if err := done.wait(ctx); err != nil {
			return err
		}
		return s.Close()
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
		if err := c.Connect(PeerCloseAddr); err != nil {
			return err
		}
		if err := accepted.wait(ctx); err != nil {
			return err
		}
		// Waits for the server's FIN (step 2).
		data, err := c.Recv(1024)
		if err != nil {
			return err
		}
		if len(data) != 0 {
			return fmt.Errorf("client: recv = %q, want b''", data)
		}

		if err := env.Step(ctx, 3); err != nil {
			return err
		}
		if n, err := c.Send(peerCloseFirst); err != nil {
			return err
		} else if n != len(peerCloseFirst) {
			return fmt.Errorf("client: send took %d of %d bytes", n, len(peerCloseFirst))
		}
		// The server's kernel answers RST: wait until the client's
		// kernel has taken it (the socket is closed).
		if err := waitTCPState(ctx, c.FD, tcpClose, time.Second); err != nil {
			return c.fail("send", err)
		}

		if err := env.Step(ctx, 4); err != nil {
			return err
		}
		if _, err := c.Send(peerCloseSecond); !errors.Is(err, unix.EPIPE) {
			return fmt.Errorf("client: the send after the RST: %v, want EPIPE", err)
		}
		if err := c.Close(); err != nil {
			return err
		}

		if err := env.Step(ctx, 5); err != nil {
			return err
		}
		c2 := env.NewSock(ctx, "client")
		defer c2.Close()
		if err := c2.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := c2.Connect(PeerCloseAddr); err != nil {
			return err
		}
		if err := accepted2.wait(ctx); err != nil {
			return err
		}
		if err := c2.Sendall(peerCloseRequest); err != nil {
			return err
		}
		sent2.fire()
		if err := reset2.wait(ctx); err != nil {
			return err
		}
		if err := waitTCPState(ctx, c2.FD, tcpClose, time.Second); err != nil {
			return c2.fail("recv", err)
		}

		if err := env.Step(ctx, 6); err != nil {
			return err
		}
		if _, err := c2.Recv(1024); !errors.Is(err, unix.ECONNRESET) {
			return fmt.Errorf("client: recv after the RST: %v, want ECONNRESET", err)
		}
		if err := c2.Close(); err != nil {
			return err
		}
		done.fire()
		return nil
	})
	return g.Wait()
}

// errnoNumber is the number of the errno named name (EPIPE: 32), 0 if
// unknown.
func errnoNumber(name string) int {
	for e := 1; e < 256; e++ {
		if unix.ErrnoName(unix.Errno(e)) == name {
			return e
		}
	}
	return 0
}

// peerCloseFacts are the landmarks of one peer-close run; nil or zero
// where the run (so far) does not show them.
type peerCloseFacts struct {
	f               runFacts
	server          netip.AddrPort
	conn1, conn2    *tcpConn         // the two connections
	close1, close2  *sockcall.Call   // the server's closes of them
	eof             *sockcall.Call   // the client's recv that returned b''
	send1, send2    *sockcall.Call   // the sends into the closed connection
	request         *sockcall.Call   // the sendall of step 5
	reset           *sockcall.Call   // the client's recv of step 6
	data1, request1 *decode.Packet   // the segments carrying hello and the request
	rst1, rst2      *decode.Packet   // the RSTs
	serverFin       *decode.Packet   // the server's FIN on connection 1
	finAck          *decode.Packet   // the client's segment acknowledging it
	clientLater     []*decode.Packet // client segments on connection 1 after rst1
	afterRst2       []*decode.Packet // segments on connection 2 after rst2
	serverFin2      *decode.Packet   // a FIN from the server on connection 2 (there is none)
}

func peerCloseOf(r *sockcall.Run) *peerCloseFacts {
	f := factsOf(r)
	p := &peerCloseFacts{f: f, server: netip.MustParseAddrPort(PeerCloseAddr)}
	// The server's closes: its connections (not the listener), in order.
	listener := -1
	if l := f.call("server", "listen", 0); l != nil {
		listener = l.FD
	}
	var closes []*sockcall.Call
	for _, c := range f.calls("server", "close") {
		if c.FD != listener {
			closes = append(closes, c)
		}
	}
	if len(closes) > 0 {
		p.close1 = closes[0]
	}
	if len(closes) > 1 {
		p.close2 = closes[1]
	}
	for _, c := range f.calls("client", "recv") {
		switch {
		case c.Step == 2 && p.eof == nil:
			p.eof = c
		case c.Step == 6 && p.reset == nil:
			p.reset = c
		}
	}
	p.send1 = f.call("client", "send", 0)
	p.send2 = f.call("client", "send", 1)
	if p.send1 != nil && p.send1.Step != 3 {
		p.send1 = nil
	}
	if p.send2 != nil && p.send2.Step != 4 {
		p.send2 = nil
	}
	p.request = f.call("client", "sendall", 0)
	p.conn1 = f.tcpConn(localOf(f.call("client", "connect", 0)), p.server)
	p.conn2 = f.tcpConn(localOf(f.call("client", "connect", 1)), p.server)
	if c := p.conn1; c != nil {
		p.serverFin, p.rst1 = c.serverFin, c.rst
		for _, s := range c.frames {
			from := s.SrcPort != peerClosePort
			if from && p.finAck == nil && p.serverFin != nil && s.Number > p.serverFin.Number && s.TCPFlags&decode.TCPAck != 0 && s.Rel.Ack >= finEnd(p.serverFin) {
				p.finAck = s
			}
			if from && p.data1 == nil && bytes.Equal(s.Payload, peerCloseFirst) {
				p.data1 = s
			}
			if from && p.rst1 != nil && s.Number > p.rst1.Number {
				p.clientLater = append(p.clientLater, s)
			}
		}
	}
	if c := p.conn2; c != nil {
		p.rst2, p.serverFin2 = c.rst, c.serverFin
		for _, s := range c.frames {
			if s.SrcPort != peerClosePort && p.request1 == nil && s.PayloadLen > 0 {
				p.request1 = s
			}
			if p.rst2 != nil && s.Number > p.rst2.Number {
				p.afterRst2 = append(p.afterRst2, s)
			}
		}
	}
	return p
}

func peerCloseEOF(r *sockcall.Run) (en, zh string) {
	p := peerCloseOf(r)
	if p.eof == nil || p.eof.Ret != 0 || p.close1 == nil || p.serverFin == nil {
		return "", ""
	}
	d := callEnd(p.eof).Sub(callStart(p.close1))
	state := tcpState(p.eof)
	en = fmt.Sprintf("The server's FIN is frame %d; the client's recv returned b'' %s after the server called close(), its socket in %s.", p.serverFin.Number, span(d), state)
	zh = fmt.Sprintf("服务器的 FIN 是第 %d 帧；服务器调用 close() 之后 %s，客户端的 recv 返回 b''，它的套接字处于 %s。", p.serverFin.Number, span(d), state)
	return en, zh
}

func peerCloseReset(r *sockcall.Run) (en, zh string) {
	p := peerCloseOf(r)
	s := p.send1
	if s == nil || s.Ret <= 0 || p.data1 == nil || p.rst1 == nil {
		return "", ""
	}
	d := frameTime(p.rst1).Sub(frameTime(p.data1))
	en = fmt.Sprintf("send returned %d; frame %d carried the bytes, and the server's kernel answered with RST in frame %d, captured %s later.", s.Ret, p.data1.Number, p.rst1.Number, span(d))
	zh = fmt.Sprintf("send 返回 %d；第 %d 帧携带了这些字节，服务器内核在第 %d 帧回以 RST，抓包时间晚 %s。", s.Ret, p.data1.Number, p.rst1.Number, span(d))
	if k, ok := sampleAfter(s, "client", s.FD); ok {
		if k.State == "UNCONN" {
			en += " Asked right after send returned, the kernel already showed the client's socket as UNCONN: the RST had been taken in."
			zh += "send 刚返回时询问内核，客户端套接字已经是 UNCONN：RST 已经处理完了。"
		} else {
			en += fmt.Sprintf(" Right after send returned the client's socket was still %s; the RST arrived after.", k.State)
			zh += fmt.Sprintf("send 刚返回时，客户端套接字还是 %s；RST 是之后才到的。", k.State)
		}
	}
	return en, zh
}

func peerCloseEPIPE(r *sockcall.Run) (en, zh string) {
	p := peerCloseOf(r)
	s := p.send2
	if s == nil || s.Errno == "" {
		return "", ""
	}
	n := errnoNumber(s.Errno)
	en = fmt.Sprintf("send(b'world') failed with %s (errno %d) in %s; the socket was %s.", s.Errno, n, span(callEnd(s).Sub(callStart(s))), tcpState(s))
	zh = fmt.Sprintf("send(b'world') 以 %s（errno %d）失败，用时 %s；套接字处于 %s。", s.Errno, n, span(callEnd(s).Sub(callStart(s))), tcpState(s))
	return en, zh
}

func peerCloseUnread(r *sockcall.Run) (en, zh string) {
	p := peerCloseOf(r)
	if p.request == nil || p.close2 == nil || p.request1 == nil || p.rst2 == nil {
		return "", ""
	}
	kind, kindZH := "RST", "RST"
	if p.rst2.TCPFlags&decode.TCPAck != 0 {
		kind, kindZH = "RST/ACK", "RST/ACK"
	}
	en = fmt.Sprintf("The request arrived in frame %d and was never read; the server's close() put %s in frame %d on the wire (ack %d: all %d bytes arrived), and no FIN.",
		p.request1.Number, kind, p.rst2.Number, p.rst2.Rel.Ack, len(peerCloseRequest))
	zh = fmt.Sprintf("请求在第 %d 帧到达，从没被读过；服务器的 close() 在网络上发出第 %d 帧 %s（ack %d：%d 个字节全都到了），没有 FIN。",
		p.request1.Number, p.rst2.Number, kindZH, p.rst2.Rel.Ack, len(peerCloseRequest))
	if k, ok := kernelSample(p.request, "server"); ok {
		en += fmt.Sprintf(" Right after sendall returned, the server's Recv-Q held %d bytes.", k.RecvQ)
		zh += fmt.Sprintf("sendall 刚返回时，服务器的 Recv-Q 里有 %d 字节。", k.RecvQ)
	}
	return en, zh
}

func peerCloseConnReset(r *sockcall.Run) (en, zh string) {
	p := peerCloseOf(r)
	c := p.reset
	if c == nil || c.Errno == "" {
		return "", ""
	}
	n := errnoNumber(c.Errno)
	if c.Waited {
		return fmt.Sprintf("recv(1024) waited and failed with %s (errno %d) after %s.", c.Errno, n, span(callEnd(c).Sub(callStart(c)))),
			fmt.Sprintf("recv(1024) 等待之后以 %s（errno %d）失败，用时 %s。", c.Errno, n, span(callEnd(c).Sub(callStart(c))))
	}
	return fmt.Sprintf("recv(1024) failed with %s (errno %d) without waiting, in %s: the reset was already noted on the socket.", c.Errno, n, span(callEnd(c).Sub(callStart(c)))),
		fmt.Sprintf("recv(1024) 没有等待，用时 %s 就以 %s（errno %d）失败：复位早已记在套接字上。", span(callEnd(c).Sub(callStart(c))), c.Errno, n)
}

// checkPeerClose verifies the fixed words of peer-close against a run.
func checkPeerClose(r *sockcall.Run) error {
	p := peerCloseOf(r)
	var l claimList
	// Step 2: FIN, its ACK, recv = b'' in CLOSE-WAIT.
	l.want(p.close1 != nil && p.close1.Step == 2 && p.close1.Errno == "", "the server closes the connection in step 2 (%s)", describeCall(p.close1))
	l.want(p.serverFin != nil, "the server's kernel sends a FIN")
	l.want(p.finAck != nil, "the client's kernel acknowledges the FIN")
	l.want(p.eof != nil && p.eof.Ret == 0 && p.eof.Errno == "" && tcpState(p.eof) == "CLOSE-WAIT",
		"the client's recv returns b'' in CLOSE-WAIT (%s)", describe(p.eof))
	// Step 3: send returns 5, the bytes leave, the server's kernel answers RST.
	l.want(p.send1 != nil && p.send1.Ret == len(peerCloseFirst) && p.send1.Errno == "", "send(b'hello') returns %d (%s)", len(peerCloseFirst), describeCall(p.send1))
	l.want(p.data1 != nil, "a segment carries b'hello' to the server")
	l.want(p.rst1 != nil && p.rst1.SrcPort == peerClosePort && p.data1 != nil && p.rst1.Number > p.data1.Number,
		"the server's kernel answers the data with RST (data %s, RST %s)", frameNo(p.data1), frameNo(p.rst1))
	// Step 4: EPIPE on a closed socket; nothing more from the client.
	l.want(p.send2 != nil && p.send2.Errno == "EPIPE" && tcpState(p.send2) == "UNCONN",
		"the next send fails with EPIPE, the socket closed (%s)", describe(p.send2))
	l.want(len(p.clientLater) == 0,
		"nothing goes on the wire from the client after the RST (frames %s)", frameList(p.clientLater, false))
	// Step 5: a second connection; the request arrives, is never read; RST/ACK, no FIN.
	l.want(p.conn2.handshake(), "the client connects again")
	l.want(p.request != nil && p.request.Ret == len(peerCloseRequest), "sendall sends the %d-byte request (%s)", len(peerCloseRequest), describeCall(p.request))
	l.want(len(p.f.calls("server", "recv")) == 0, "the server never calls recv")
	l.want(p.close2 != nil && p.close2.Step == 5 && p.close2.Errno == "", "the server closes the second connection in step 5 (%s)", describeCall(p.close2))
	l.want(p.request1 != nil, "a segment carries the request to the server")
	l.want(p.rst2 != nil && p.rst2.SrcPort == peerClosePort && p.rst2.TCPFlags&decode.TCPAck != 0 && p.rst2.Rel.Ack == uint32(len(peerCloseRequest))+1,
		"the server's close sends RST/ACK acknowledging all %d bytes (%s)", len(peerCloseRequest), frameNo(p.rst2))
	l.want(p.serverFin2 == nil, "the server sends no FIN on the second connection (%s)", frameNo(p.serverFin2))
	// Step 6: ECONNRESET; nothing after the RST.
	l.want(p.reset != nil && p.reset.Errno == "ECONNRESET", "the client's recv fails with ECONNRESET (%s)", describeCall(p.reset))
	l.want(len(p.afterRst2) == 0, "nothing goes on the wire after the RST (frames %s)", frameList(p.afterRst2, false))
	return l.err("peer-close")
}

//go:build unix

package demos

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"

	"golang.org/x/sys/unix"
)

// TCPEchoAddr is where the tcp-echo server listens.
const TCPEchoAddr = "127.0.0.1:7001"

// EchoMessages are what the tcp-echo, udp-echo and unix-stream clients
// send, one send or sendto each: 5 + 6 + 5 = 16 bytes ("你好" is 6 bytes in
// UTF-8). The same three sends arrive as one recv over a stream and as
// three datagrams over UDP.
var EchoMessages = []string{"hello", "你好", "world"}

func echoTotal() int {
	n := 0
	for _, m := range EchoMessages {
		n += len(m)
	}
	return n
}

var tcpEcho = &Demo{
	Name:      "tcp-echo",
	Title:     "TCP echo: handshake, byte stream, teardown",
	TitleZH:   "TCP 回显：三次握手、字节流、挥手断开",
	Summary:   "A client connects, sends three short messages in a row, gets the bytes back, and both sides close.",
	SummaryZH: "客户端连上服务器，连发三条短消息，收回原样回显，然后双方关闭连接。",
	Steps: []Step{
		{
			Title:   "Server: socket, SO_REUSEADDR, bind, listen",
			TitleZH: "服务器：socket、SO_REUSEADDR、bind、listen",
			Explain: "The server creates a TCP socket (Python: socket.socket(AF_INET, SOCK_STREAM)), sets SO_REUSEADDR so that a restarted server can bind the port again while old connections linger in TIME-WAIT " +
				"(without it: OSError: [Errno 98] Address already in use), binds 127.0.0.1:7001 and calls listen(5). " +
				"Nothing appears on the wire: these calls only set up state in the kernel. " +
				"For a listening socket, Recv-Q is the accept queue (0 so far) and Send-Q the backlog (5), as `ss -lnt` shows them.",
			ExplainZH: "服务器创建 TCP 套接字（Python：socket.socket(AF_INET, SOCK_STREAM)），并设置 SO_REUSEADDR，这样服务器重启时，即使旧连接还停留在 TIME-WAIT，也能重新绑定这个端口" +
				"（否则会报 OSError: [Errno 98] Address already in use）；然后 bind 到 127.0.0.1:7001，调用 listen(5)。" +
				"网络上没有任何数据包：这些调用只是在内核里建立状态。" +
				"对监听套接字来说，Recv-Q 是监听队列（accept 队列）的长度（目前为 0），Send-Q 是 backlog（5），与 `ss -lnt` 的显示一致。",
		},
		{
			Title:   "Client: connect — the three-way handshake",
			TitleZH: "客户端：connect——三次握手",
			Explain: "The client creates its socket and calls connect((\"127.0.0.1\", 7001)). Its kernel picks an ephemeral port and sends SYN; the server's kernel answers SYN/ACK, the client's kernel ACKs, and connect returns 0. " +
				"The server program takes no part: its kernel completes the handshake and queues the connection, and the server's accept(), called right after listen, takes it off the queue and returns a new socket for it (conn, addr = s.accept()). " +
				"Both ends are now ESTAB (established), as TCP_INFO and ss name the state. " +
				"Calls are numbered in the order they return, not the order they are made, so accept may get a lower or a higher number than connect.",
			ExplainZH: "客户端创建套接字并调用 connect((\"127.0.0.1\", 7001))。客户端内核挑选一个临时端口并发出 SYN，服务器内核回应 SYN/ACK，客户端内核再回 ACK，connect 返回 0。" +
				"服务器程序本身没有参与：握手由内核完成，建立好的连接放进监听队列；服务器在 listen 之后紧接着调用的 accept() 把它从队列里取出，返回一个新的套接字（conn, addr = s.accept()）。" +
				"此时两端都是 ESTAB（已建立），TCP_INFO 和 ss 都这样称呼这个状态。" +
				"调用按返回的先后编号，而不是按发起的先后，所以 accept 的编号可能比 connect 小，也可能比它大。",
			Outcome: tcpEchoConnectOutcome,
		},
		{
			Title:   "Client: three send() calls in a row",
			TitleZH: "客户端：连续三次 send()",
			Explain: "The client calls send three times: b\"hello\", \"你好\".encode() (6 bytes in UTF-8) and b\"world\". " +
				"Each send returns as soon as the kernel has copied the bytes into the socket's send buffer; it does not wait for the server to read them. " +
				"The bytes are numbered by their place in the stream — 1–5, 6–11 and 12–16 — and travel in data segments (flags PSH, ACK), which the server's kernel acknowledges on its own, whether or not the server program has read anything. " +
				"The client's Send-Q counts the bytes sent and not yet acknowledged.",
			ExplainZH: "客户端连续调用三次 send：b\"hello\"、\"你好\".encode()（UTF-8 编码是 6 个字节）和 b\"world\"。" +
				"只要内核把字节复制进套接字的发送缓冲区，send 就返回，并不等服务器读取。" +
				"字节按它们在流中的位置编号——第 1–5、6–11、12–16 字节——装在报文段（标志 PSH, ACK）里传送；服务器内核自己就会确认这些报文段，不管服务器程序读没读。" +
				"客户端的 Send-Q 是已发送但尚未被确认的字节数。",
			Outcome: tcpEchoSendOutcome,
		},
		{
			Title:   "Server: one recv(1024) returns all 16 bytes (粘包)",
			TitleZH: "服务器：一次 recv(1024) 读到全部 16 个字节（粘包）",
			Explain: "The lesson lets all three sends arrive before the server reads; then the server calls recv(1024) and gets all 16 bytes in one call: \"hello你好world\". " +
				"TCP is a byte stream: it keeps the order of the bytes but not the boundaries between sends, so three sends can come back as one recv (what Chinese tutorials call 粘包), and one send can also be split over several recvs. " +
				"A protocol over TCP must mark its own message boundaries, with a length prefix or a delimiter. " +
				"The server echoes the bytes with conn.sendall(data), which calls send until the kernel has taken every byte: the list shows the sendall call and the send calls it made.",
			ExplainZH: "本课让三次 send 的数据都到达之后服务器才去读；服务器调用 recv(1024)，一次就拿到了全部 16 个字节，解码后是 'hello你好world'。" +
				"TCP 是字节流：它保证字节的顺序，却不保留每次 send 之间的边界，所以三次 send 的数据可能被一次 recv 全部读到（这就是中文教程里常说的“粘包”），一次 send 的数据也可能要分几次 recv 才能读完。" +
				"在 TCP 上设计协议，必须自己标出消息边界：加长度前缀，或者使用分隔符。" +
				"服务器用 conn.sendall(data) 原样发回：sendall 反复调用 send，直到内核收下每一个字节；列表里既有 sendall 这次调用，也有它发起的 send 调用。",
			Outcome: tcpEchoEchoOutcome,
		},
		{
			Title:   "Client: recv until all 16 bytes are back",
			TitleZH: "客户端：循环 recv，直到收回全部 16 个字节",
			Explain: "The client calls recv(1024) until it has the 16 bytes back: recv may return fewer bytes than the 1024 it asks for, so a correct program loops. " +
				"The bytes received are the bytes sent, in the same order.",
			ExplainZH: "客户端循环调用 recv(1024)，直到收回 16 个字节：recv 返回的字节数可能少于参数 1024（一次最多读取的字节数），所以正确的程序必须循环读取。" +
				"收到的字节与发出的完全相同，顺序也一样。",
			Outcome: tcpEchoRecvOutcome,
		},
		{
			Title:   "Client: close() — the active close",
			TitleZH: "客户端：close()——主动关闭",
			Explain: "The client calls close(), and its kernel sends FIN: \"I have nothing more to send\". " +
				"The server's recv returns 0 bytes (Python: b''), the sign that the peer has closed, and the server's socket is in CLOSE-WAIT: its kernel waits for the program to close its own side. " +
				"The server's kernel acknowledges the FIN with an ACK of its own, and the client then waits in FIN-WAIT-2 for the server's FIN — unless the server closes soon enough for that ACK to ride on the server's own FIN.",
			ExplainZH: "客户端调用 close()，它的内核发出 FIN，意思是“我没有数据要发了”。" +
				"服务器的 recv 返回 0 个字节（Python 里是 b''），这就表示对方已经关闭；服务器套接字此时处于 CLOSE-WAIT：内核在等程序关闭自己这一端。" +
				"服务器内核会单独回一个 ACK 确认这个 FIN，之后客户端在 FIN-WAIT-2 等待服务器的 FIN——除非服务器关闭得足够快，让这个 ACK 搭上服务器自己的 FIN 一起发出。",
			Outcome: tcpEchoCloseOutcome,
		},
		{
			Title:   "Server: recv returned 0, so close() — the passive close",
			TitleZH: "服务器：recv 返回 0，于是 close()——被动关闭",
			Explain: "The server leaves its loop and closes the connection, then the listening socket. Its kernel sends its own FIN and the client's kernel ACKs it: FIN, ACK, FIN, ACK in all (四次挥手), or three segments when the server's FIN carries the ACK of the client's. " +
				"The client's end of the connection is now in TIME-WAIT, where the kernel keeps it for 60 seconds although the program has no socket left. " +
				"Only the side that closes first goes through TIME-WAIT — here the client. A server that closes first (when it is stopped, say) leaves its connections in TIME-WAIT on its own port, which is why servers set SO_REUSEADDR.",
			ExplainZH: "服务器退出循环，先关闭连接套接字，再关闭监听套接字。它的内核发出自己的 FIN，客户端内核回 ACK：一共是 FIN、ACK、FIN、ACK，即“四次挥手”；如果服务器的 FIN 顺带确认了客户端的 FIN，网络上就只有三个报文段。" +
				"连接的客户端一侧此时处于 TIME-WAIT，内核会把它保留 60 秒，尽管程序里已经没有这个套接字了。" +
				"只有先关闭的一方才会经过 TIME-WAIT——这里是客户端。服务器如果先关闭（比如被停掉时），它的连接就会在它自己的端口上停留在 TIME-WAIT，这正是服务器要设置 SO_REUSEADDR 的原因。",
			Outcome: tcpEchoTeardownOutcome,
		},
	},
	Run:   runTCPEcho,
	Check: checkTCPEcho,
}

// runTCPEcho: the server.py and client.py of every socket tutorial, as two
// goroutines. Signals order their steps; nothing waits on a timer.
func runTCPEcho(ctx context.Context, env *Env) error {
	listening, accepted, sent, echoed, closed := newSignal(), newSignal(), newSignal(), newSignal(), newSignal()
	g := newGroup(ctx)

	g.Go(func(ctx context.Context) error { // server.py
		if err := env.Step(ctx, 1); err != nil {
			return err
		}
		s := env.NewSock(ctx, "server")
		defer s.Close()
		if err := s.ListenTCP(TCPEchoAddr, 5); err != nil {
			return err
		}
		listening.fire()

		conn, _, err := s.Accept()
		if err != nil {
			return err
		}
		defer conn.Close()
		accepted.fire()

		// Let the client's three sends land first, so that the lesson of
		// step 4 shows: one recv returns all of them.
		if err := sent.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 4); err != nil {
			return err
		}
		if err := conn.waitQueued(echoTotal()); err != nil {
			return err
		}
		for first := true; ; first = false {
			data, err := conn.Recv(1024)
			if err != nil {
				return err
			}
			if len(data) == 0 { // the client closed
				break
			}
			if err := conn.Sendall(data); err != nil {
				return err
			}
			if first {
				echoed.fire()
			}
		}

		// The FIN can wake this recv before the client's close has
		// returned; step 7 begins once it has.
		if err := closed.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 7); err != nil {
			return err
		}
		if err := conn.Close(); err != nil {
			return err
		}
		return s.Close()
	})

	g.Go(func(ctx context.Context) error { // client.py
		if err := listening.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		c := env.NewSock(ctx, "client")
		defer c.Close()
		if err := c.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := c.Connect(TCPEchoAddr); err != nil {
			return err
		}
		if err := accepted.wait(ctx); err != nil {
			return err
		}

		if err := env.Step(ctx, 3); err != nil {
			return err
		}
		var want []byte
		for _, m := range EchoMessages {
			if _, err := c.Send([]byte(m)); err != nil {
				return err
			}
			want = append(want, m...)
		}
		sent.fire()

		if err := echoed.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 5); err != nil {
			return err
		}
		if err := c.recvEcho(want); err != nil {
			return err
		}

		if err := env.Step(ctx, 6); err != nil {
			return err
		}
		if err := c.Close(); err != nil {
			return err
		}
		closed.fire()
		return nil
	})

	return g.Wait()
}

// tcpEchoConn is the run's one connection, nil until connect has returned
// and the capture has shown some of it.
func tcpEchoConn(f runFacts) (*sockcall.Call, *tcpConn) {
	conn := f.call("client", "connect", 0)
	if conn == nil || conn.Ret != 0 {
		return nil, nil
	}
	return conn, f.tcpConn(conn.Local, netip.MustParseAddrPort(TCPEchoAddr))
}

// tcpEchoConnectOutcome: who called first, the handshake, who came back
// first (and so got the lower number).
func tcpEchoConnectOutcome(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	conn, c := tcpEchoConn(f)
	acc := f.call("server", "accept", 0)
	if conn == nil || acc == nil || acc.Ret < 0 || !c.handshake() {
		return "", ""
	}
	en1, zh1 := acceptStart(conn, acc)
	hs := []*decode.Packet{c.syn, c.synAck, c.hsAck}
	took := span(frameTime(c.hsAck).Sub(frameTime(c.syn)))
	en = en1 + " The handshake, frames " + frameList(hs, false) + ", took " + took + ". "
	zh = zh1 + "握手（第 " + frameList(hs, true) + " 帧）用了 " + took + "。"
	later := span(callEnd(acc).Sub(callEnd(conn)))
	if conn.Number < acc.Number {
		en += fmt.Sprintf("connect returned first, as #%d, and accept %s later, as #%d.", conn.Number, later, acc.Number)
		zh += fmt.Sprintf("connect 先返回，编号 #%d；accept 晚 %s 返回，编号 #%d。", conn.Number, later, acc.Number)
	} else {
		en += fmt.Sprintf("accept returned first, as #%d, and connect %s later, as #%d: a call's number says when it returned, not when it was made.", acc.Number, later, conn.Number)
		zh += fmt.Sprintf("accept 先返回，编号 #%d；connect 晚 %s 返回，编号 #%d：编号表示调用返回的先后，而不是发起的先后。", acc.Number, later, conn.Number)
	}
	return en, zh
}

// acceptStart says which of accept and connect was called first. (Only
// call times are compared: a frame's capture time can trail the call that
// caused it by a tenth of a millisecond.)
func acceptStart(conn, acc *sockcall.Call) (en, zh string) {
	if d := callStart(conn).Sub(callStart(acc)); d >= 0 {
		return fmt.Sprintf("accept() was called %s before connect() and waited until the handshake was done.", span(d)),
			fmt.Sprintf("accept() 比 connect() 早 %s 调用，一直等到握手完成。", span(d))
	}
	d := span(callStart(acc).Sub(callStart(conn)))
	return fmt.Sprintf("connect() was called %s before accept().", d),
		fmt.Sprintf("connect() 比 accept() 早 %s 调用。", d)
}

// tcpEchoSendOutcome: the segments that carried the three sends, their
// ACKs, and Send-Q after each send.
func tcpEchoSendOutcome(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	sends := f.calls("client", "send")
	if len(sends) < len(EchoMessages) {
		return "", ""
	}
	sends = sends[:len(EchoMessages)]
	var frames []*decode.Packet
	var acks []int
	var sendQ []string
	total := 0
	for _, s := range sends {
		ack := f.ackFrame(s)
		if s.Ret <= 0 || ack == nil {
			return "", ""
		}
		frames = append(frames, f.frames(s)...)
		if !slices.Contains(acks, ack.Number) {
			acks = append(acks, ack.Number)
		}
		sendQ = append(sendQ, strconv.Itoa(s.SendQ))
		total += s.Ret
	}
	segs := segments(frames)
	if !covers(segs, total) {
		return "", ""
	}
	slices.Sort(acks)
	var segEN, segZH []string
	for _, p := range segs {
		first, last := p.Rel.Seq, p.Rel.Seq+uint32(p.PayloadLen)-1
		segEN = append(segEN, fmt.Sprintf("frame %d (bytes %d–%d)", p.Number, first, last))
		segZH = append(segZH, fmt.Sprintf("第 %d 帧（第 %d–%d 字节）", p.Number, first, last))
	}
	segWord, ackWord := "data segments", "frames"
	if len(segs) == 1 {
		segWord = "data segment"
	}
	if len(acks) == 1 {
		ackWord = "frame"
	}
	en = fmt.Sprintf("The %d bytes went in %d %s: %s. The server's kernel acknowledged them in %s %s. Send-Q right after each send: %s bytes",
		total, len(segs), segWord, joinList(segEN, false), ackWord, intList(acks, false), joinList(sendQ, false))
	zh = fmt.Sprintf("这 %d 个字节分 %d 个报文段发出：%s。服务器内核用第 %s 帧确认了它们。每次 send 刚返回时的 Send-Q：%s 字节",
		total, len(segs), joinList(segZH, true), intList(acks, true), joinList(sendQ, true))
	allZero := true
	for _, s := range sends {
		allZero = allZero && s.SendQ == 0
	}
	if allZero {
		// The server reads only after the last send has returned (Check).
		return en + ": each ACK was already back, before the server program had read a byte.", zh + "：每个 ACK 都已经回来了，那时服务器程序还一个字节都没读。"
	}
	return en + ": where it is not 0, the ACK of those bytes was still on its way.", zh + "：不为 0 的，是 ACK 还在路上的字节。"
}

// tcpEchoEchoOutcome: the sends sendall made and the segments that
// carried the echo.
func tcpEchoEchoOutcome(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	sa := f.call("server", "sendall", 0)
	if sa == nil || sa.Ret <= 0 {
		return "", ""
	}
	inner := f.inner(sa)
	segs := segments(f.frames(sa))
	if len(inner) == 0 || len(inner) != len(sa.Inner) || !covers(segs, sa.Ret) {
		return "", ""
	}
	var nums, rets []int
	for _, in := range inner {
		nums = append(nums, in.Number)
		rets = append(rets, in.Ret)
	}
	carriedEN, carriedZH := "frame "+frameList(segs, false)+" carried them", "第 "+frameList(segs, true)+" 帧把它们送回客户端"
	if len(segs) > 1 {
		carriedEN = "frames " + frameList(segs, false) + " carried them"
	}
	if len(inner) == 1 {
		return fmt.Sprintf("sendall (#%d) made one send call (#%d), which took all %d bytes; %s back.", sa.Number, nums[0], sa.Ret, carriedEN),
			fmt.Sprintf("sendall（#%d）调用了 1 次 send（#%d），内核一次收下全部 %d 个字节；%s。", sa.Number, nums[0], sa.Ret, carriedZH)
	}
	return fmt.Sprintf("sendall (#%d) made %d send calls (#%s), which took %s bytes; %s back.", sa.Number, len(inner), intList(nums, false), intList(rets, false), carriedEN),
		fmt.Sprintf("sendall（#%d）调用了 %d 次 send（#%s），分别收下 %s 个字节；%s。", sa.Number, len(inner), intList(nums, true), intList(rets, true), carriedZH)
}

// tcpEchoRecvOutcome: how many recv calls the client needed.
func tcpEchoRecvOutcome(r *sockcall.Run) (en, zh string) {
	return recvCountWords(factsOf(r).calls("client", "recv"), echoTotal())
}

// recvCountWords says how many recv calls it took to read want bytes, once
// they have all been read.
func recvCountWords(recvs []*sockcall.Call, want int) (en, zh string) {
	got := 0
	var sizes []int
	for _, c := range recvs {
		if c.Ret <= 0 || got >= want {
			break
		}
		got += c.Ret
		sizes = append(sizes, c.Ret)
	}
	switch {
	case got < want:
		return "", ""
	case len(sizes) == 1:
		return fmt.Sprintf("One recv(%d) returned all %d bytes.", recvs[0].Len, got),
			fmt.Sprintf("一次 recv(%d) 就返回了全部 %d 个字节。", recvs[0].Len, got)
	}
	return fmt.Sprintf("It took %d recv calls: %s bytes.", len(sizes), intList(sizes, false)),
		fmt.Sprintf("用了 %d 次 recv，分别得到 %s 个字节。", len(sizes), intList(sizes, true))
}

// tcpEchoCloseOutcome: whether the server's kernel acknowledged the
// client's FIN on its own.
func tcpEchoCloseOutcome(r *sockcall.Run) (en, zh string) {
	_, c := tcpEchoConn(factsOf(r))
	return activeCloseWords(c, "")
}

// activeCloseWords says how the server's kernel answered the client's FIN
// on connection c; who names the client ("" for "the client").
func activeCloseWords(c *tcpConn, who string) (en, zh string) {
	switch c.closeKind() {
	case 4:
		d := span(frameTime(c.finAck).Sub(frameTime(c.clientFin)))
		return fmt.Sprintf("The server's kernel acknowledged the FIN (frame %d) on its own, %s later, in frame %d, and the client's end moved to FIN-WAIT-2 to wait for the server's FIN.", c.clientFin.Number, d, c.finAck.Number),
			fmt.Sprintf("服务器内核单独确认了这个 FIN（第 %d 帧）：%s 之后发出 ACK（第 %d 帧）；客户端这一端随即进入 FIN-WAIT-2，等待服务器的 FIN。", c.clientFin.Number, d, c.finAck.Number)
	case 3:
		return fmt.Sprintf("The server's kernel sent no ACK of its own for the FIN (frame %d): the ACK rode on the server's FIN (frame %d, in the next step), so the client never waited in FIN-WAIT-2.", c.clientFin.Number, c.serverFin.Number),
			fmt.Sprintf("服务器内核没有单独确认这个 FIN（第 %d 帧）：ACK 搭在服务器自己的 FIN（第 %d 帧，下一步）上，所以客户端没有在 FIN-WAIT-2 等待。", c.clientFin.Number, c.serverFin.Number)
	}
	return "", ""
}

// tcpEchoTeardownOutcome: the close's segments, and FIN-WAIT-2's length.
func tcpEchoTeardownOutcome(r *sockcall.Run) (en, zh string) {
	_, c := tcpEchoConn(factsOf(r))
	if !c.closed() {
		return "", ""
	}
	switch c.closeKind() {
	case 4:
		wait := span(frameTime(c.serverFin).Sub(frameTime(c.finAck)))
		return fmt.Sprintf("The close took four segments: FIN (frame %d), ACK (frame %d), FIN (frame %d), ACK (frame %d); the client waited in FIN-WAIT-2 for %s. Its last ACK (frame %d) answers the server's FIN from TIME-WAIT.",
				c.clientFin.Number, c.finAck.Number, c.serverFin.Number, c.lastAck.Number, wait, c.lastAck.Number),
			fmt.Sprintf("关闭共四个报文段：FIN（第 %d 帧）、ACK（第 %d 帧）、FIN（第 %d 帧）、ACK（第 %d 帧）；客户端在 FIN-WAIT-2 等了 %s。它最后的 ACK（第 %d 帧）是在 TIME-WAIT 中回应服务器的 FIN。",
				c.clientFin.Number, c.finAck.Number, c.serverFin.Number, c.lastAck.Number, wait, c.lastAck.Number)
	}
	return fmt.Sprintf("The close took three segments: FIN (frame %d), FIN/ACK (frame %d), ACK (frame %d): the server's FIN carried the ACK of the client's. The client's last ACK (frame %d) answers the server's FIN from TIME-WAIT.",
			c.clientFin.Number, c.serverFin.Number, c.lastAck.Number, c.lastAck.Number),
		fmt.Sprintf("关闭只有三个报文段：FIN（第 %d 帧）、FIN/ACK（第 %d 帧）、ACK（第 %d 帧）：服务器的 FIN 顺带确认了客户端的 FIN。客户端最后的 ACK（第 %d 帧）是在 TIME-WAIT 中回应服务器的 FIN。",
			c.clientFin.Number, c.serverFin.Number, c.lastAck.Number, c.lastAck.Number)
}

// checkTCPEcho verifies the fixed claims of tcp-echo's words.
func checkTCPEcho(r *sockcall.Run) error {
	f := factsOf(r)
	var ck claims
	server := netip.MustParseAddrPort(TCPEchoAddr)
	echo := []byte(strings.Join(EchoMessages, ""))

	// Step 1.
	opt, bind, listen := f.call("server", "setsockopt", 0), f.call("server", "bind", 0), f.call("server", "listen", 0)
	ck.expect(opt != nil && opt.Ret == 0 && opt.Args == "SOL_SOCKET, SO_REUSEADDR, 1", "step 1: the server sets SO_REUSEADDR", "%s", describe(opt))
	ck.expect(bind != nil && bind.Ret == 0 && bind.Local == server, "step 1: the server binds 127.0.0.1:7001", "%s", describe(bind))
	ck.expect(listen != nil && listen.Ret == 0 && listen.Args == "5" && listen.SendQ == 5 && listen.RecvQ == 0 && tcpState(listen) == "LISTEN",
		"step 1: after listen(5), Send-Q is the backlog (5) and Recv-Q the accept queue (0)", "%s", describe(listen))

	// Step 2.
	conn, c := tcpEchoConn(f)
	if c == nil {
		c = &tcpConn{} // no frames: every landmark nil
	}
	acc := f.call("server", "accept", 0)
	ck.expect(conn != nil, "step 2: connect returns 0", "%s", describe(f.call("client", "connect", 0)))
	if conn == nil {
		return ck.err()
	}
	onPort := f.packets(func(p *decode.Packet) bool {
		return p.IsTCP() && (p.SrcPort == server.Port() || p.DstPort == server.Port())
	})
	ck.expect(len(onPort) >= 3 && c.syn == onPort[0] && !frameTime(c.syn).Before(callStart(conn)),
		"step 1: nothing appears on the wire before the client connects", "the SYN is %s", frameNo(c.syn))
	ck.expect(c.handshake() && len(onPort) >= 3 && c.synAck == onPort[1] && c.hsAck == onPort[2],
		"step 2: the client's SYN, the server's SYN/ACK and the client's ACK", "SYN %s, SYN/ACK %s, ACK %s", frameNo(c.syn), frameNo(c.synAck), frameNo(c.hsAck))
	ck.expect(len(onPort) == len(c.frames), "one connection to 127.0.0.1:7001", "%d segments on port 7001, %d of the client's connection", len(onPort), len(c.frames))
	ck.expect(conn.Local.Port() != 0 && conn.Local.Port() != server.Port(), "step 2: the client's kernel picks an ephemeral port", "client at %v", conn.Local)
	ck.expect(acc != nil && acc.Ret > 0 && acc.Ret != acc.FD && acc.Peer == conn.Local && acc.Local == server,
		"step 2: accept returns a new socket for the client's connection", "%s, peer %v", describe(acc), peerOf(acc))
	ck.expect(tcpState(conn) == "ESTAB" && tcpState(acc) == "ESTAB", "step 2: both ends are ESTAB", "connect %s, accept %s", describe(conn), describe(acc))

	// Step 3.
	sends := f.calls("client", "send")
	ck.expect(len(sends) == len(EchoMessages), "step 3: the client calls send three times", "%d sends", len(sends))
	next := uint32(1)
	for i, s := range sends {
		if i >= len(EchoMessages) {
			break
		}
		m := EchoMessages[i]
		l := f.links(s)
		ok := s.Ret == len(m) && string(s.Data) == m && l != nil && l.HasBytes && l.First == next && l.Last == next+uint32(len(m))-1
		ck.expect(ok, "step 3: the sends are "+strconv.Quote(m)+" at its place in the stream (bytes 1–5, 6–11, 12–16)", "%s, bytes %s", describe(s), byteRange(l))
		next += uint32(len(m))
	}
	recv := f.call("server", "recv", 0)
	for _, s := range sends {
		ck.expect(recv != nil && callEnd(s).Before(callEnd(recv)), "step 3: each send returns without waiting for the server to read", "%s, the server's recv %s", describe(s), describe(recv))
	}
	var segs []*decode.Packet
	if c != nil {
		for _, p := range c.frames {
			if src, _ := addrOf(p); src == conn.Local && p.PayloadLen > 0 {
				segs = append(segs, p)
			}
		}
	}
	ck.expect(len(segs) > 0, "step 3: the bytes travel in data segments", "none from the client")
	for _, p := range segs {
		ck.expect(isTCPFlags(p, decode.TCPPsh|decode.TCPAck, decode.TCPSyn|decode.TCPFin|decode.TCPRst), "step 3: the data segments carry flags PSH, ACK", "%s flags %#x", frameNo(p), p.TCPFlags)
	}
	if len(sends) > 0 {
		last := sends[len(sends)-1]
		ack := f.ackFrame(last)
		from := netip.AddrPort{}
		if ack != nil {
			from, _ = addrOf(ack)
		}
		ck.expect(ack != nil && from == server, "step 3: the server's kernel acknowledges the data segments", "ACK of the last byte: %s", frameNo(ack))
	}

	// Step 4.
	ck.expect(recv != nil && recv.Len == 1024 && recv.Ret == len(echo) && string(recv.Data) == string(echo),
		"step 4: one recv(1024) returns all 16 bytes, \"hello你好world\"", "%s", describe(recv))
	sa := f.call("server", "sendall", 0)
	inner := f.inner(sa)
	ck.expect(sa != nil && sa.Ret == len(echo) && len(inner) > 0 && len(inner) == len(sa.Inner) && string(dataOf(inner)) == string(echo) && allOp(inner, "send"),
		"step 4: the server echoes the bytes with sendall, which calls send", "%s, inner %v", describe(sa), innerOf(sa))

	// Step 5.
	var back []*sockcall.Call
	for _, rc := range f.calls("client", "recv") {
		if rc.Ret > 0 {
			back = append(back, rc)
		}
	}
	ck.expect(string(dataOf(back)) == string(echo), "step 5: the bytes received are the bytes sent, in order", "received %q", dataOf(back))

	// Step 6.
	closeC := f.call("client", "close", 0)
	ck.expect(closeC != nil && closeC.Ret == 0, "step 6: the client calls close()", "%s", describe(closeC))
	ck.expect(c != nil && c.clientFin != nil && (c.serverFin == nil || c.clientFin.Number < c.serverFin.Number) && (closeC == nil || !frameTime(c.clientFin).Before(callStart(closeC))),
		"step 6: the client's close sends the first FIN", "client FIN %s, server FIN %s", frameNo(c.clientFin), frameNo(c.serverFin))
	ck.expect(c != nil && c.rst == nil, "steps 6–7: the connection closes with FINs", "RST in %s", frameNo(c.rst))
	var eof *sockcall.Call
	for _, rc := range f.calls("server", "recv") {
		if rc.Ret == 0 {
			eof = rc
			break
		}
	}
	ck.expect(eof != nil && tcpState(eof) == "CLOSE-WAIT" && closeC != nil && callEnd(eof).After(callStart(closeC)),
		"step 6: the server's recv returns 0 once the client has closed, in CLOSE-WAIT", "%s", describe(eof))
	ck.expect(c != nil && (c.closeKind() == 3 || c.closeKind() == 4),
		"steps 6–7: the server's kernel acknowledges the FIN on its own or on its own FIN", "client FIN %s, its ACK %s", frameNo(c.clientFin), frameNo(c.finAck))

	// Step 7.
	closes := f.calls("server", "close")
	ck.expect(len(closes) == 2 && acc != nil && closes[0].FD == acc.Ret && closes[1].FD == acc.FD && eof != nil && callStart(closes[0]).After(callEnd(eof)),
		"step 7: after recv returned 0 the server closes the connection, then the listening socket", "closes %v", closesOf(closes))
	ck.expect(c.closed(), "step 7: the server's kernel sends its FIN and the client's kernel ACKs it", "server FIN %s, the client's ACK %s", frameNo(c.serverFin), frameNo(c.lastAck))
	if c.closed() {
		after := 0
		for _, p := range c.frames {
			if p.Number >= c.clientFin.Number {
				after++
			}
		}
		ck.expect(after == c.closeKind(), "step 7: FIN, ACK, FIN, ACK, or three segments when the server's FIN carries the ACK", "%d segments from the client's FIN on, for a %d-segment close", after, c.closeKind())
		ck.expect(len(closes) > 0 && !frameTime(c.serverFin).Before(callStart(closes[0])), "step 7: the server's FIN comes from its close", "server FIN %s, closes %v", frameNo(c.serverFin), closesOf(closes))
	}
	return ck.err()
}

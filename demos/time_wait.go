//go:build unix

package demos

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// TimeWaitAddr is where the time-wait server listens when it closes
// first; TimeWaitClientFirstAddr where it listens when the client does.
const (
	TimeWaitAddr            = "127.0.0.1:7026"
	TimeWaitClientFirstAddr = "127.0.0.1:7027"
)

var timeWait = &Demo{
	Name:      "time-wait",
	Title:     "TIME-WAIT: who closes first, and why a restarted server gets \"Address already in use\"",
	TitleZH:   "TIME-WAIT：谁先关闭，以及重启的服务器为什么报“Address already in use”",
	Summary:   "The side that closes first keeps the connection in TIME-WAIT for 60 s without a descriptor: a server that closed first cannot bind its port again without SO_REUSEADDR (EADDRINUSE); when the client closes first, the TIME-WAIT is the client's.",
	SummaryZH: "先关闭的一方会把连接留在 TIME-WAIT 里 60 秒，而且没有文件描述符：先关闭的服务器不设 SO_REUSEADDR 就不能再次 bind 原来的端口（EADDRINUSE）；客户端先关闭时，TIME-WAIT 就在客户端一侧。",
	Steps: []Step{
		{
			Title:   "A server with SO_REUSEADDR, and a client",
			TitleZH: "一个设置了 SO_REUSEADDR 的服务器，和一个客户端",
			Explain: "The server creates a TCP socket (socket.socket(AF_INET, SOCK_STREAM)), sets SO_REUSEADDR with s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1), binds 127.0.0.1:7026 and calls listen(5). " +
				"The client connects (the three-way handshake) and the server accepts the connection (conn, addr = s.accept()). " +
				"Step 4 shows why the option has to be set already here, before the server is ever stopped.",
			ExplainZH: "服务器创建 TCP 套接字（socket.socket(AF_INET, SOCK_STREAM)），用 s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1) 设置 SO_REUSEADDR，bind 到 127.0.0.1:7026，再调用 listen(5)。" +
				"客户端发起连接（三次握手），服务器 accept 这个连接（conn, addr = s.accept()）。" +
				"为什么这个选项在这里、在服务器还从没被停掉之前就要设置，第 4 步会说明。",
			Outcome: timeWaitConnected,
		},
		{
			Title:   "The server closes first: its end stays in TIME-WAIT",
			TitleZH: "服务器先关闭：它这一端留在 TIME-WAIT",
			Explain: "The server stops: it closes the connection (conn.close()) and its listening socket (s.close()), and its kernel sends FIN; the client's data = s.recv(1024) returns b'' (its socket is now in CLOSE-WAIT) and the client closes too, so its kernel sends its own FIN. " +
				"The side that closes first goes through FIN-WAIT-1 (and FIN-WAIT-2, if the other side's ACK comes before its FIN) to TIME-WAIT once the other side's FIN arrives — here the server; the other side goes through CLOSE-WAIT and LAST-ACK, and its end is gone once its FIN is acknowledged. " +
				"The server program has no descriptor for the connection any more, yet the kernel keeps the server's end in TIME-WAIT for 60 seconds (Linux's fixed length; 2 MSL in the RFC): to acknowledge the other side's FIN again should it be retransmitted, and to keep stray old segments out of a new connection between the same addresses and ports. " +
				"No call can ask a socket without a descriptor; the wire shows its states — each segment moves its sender's and its receiver's state.",
			ExplainZH: "服务器停止：它关闭连接（conn.close()）和监听套接字（s.close()），它的内核发出 FIN；客户端的 data = s.recv(1024) 返回 b''（客户端套接字此时处于 CLOSE-WAIT），于是客户端也关闭，它的内核发出自己的 FIN。" +
				"先关闭的一方经过 FIN-WAIT-1（如果对方的 ACK 先于对方的 FIN 到达，还有 FIN-WAIT-2），等对方的 FIN 到达后进入 TIME-WAIT——这里是服务器；另一方经过 CLOSE-WAIT 和 LAST-ACK，它的 FIN 一被确认，它这一端就不复存在。" +
				"服务器程序已经没有这个连接的文件描述符了，内核却把服务器这一端在 TIME-WAIT 里保留 60 秒（Linux 固定的时长；RFC 里是 2 MSL）：万一对方的 FIN 重传，还能再确认一次；并且不让迟到的旧报文段混进相同地址和端口之间的新连接。" +
				"没有描述符的套接字，任何调用都问不到它；网络上的报文段显示它的状态——每个报文段都会改变发送方和接收方的状态。",
			Outcome: timeWaitServerClosed,
		},
		{
			Title:   "Restart without SO_REUSEADDR: bind fails with EADDRINUSE",
			TitleZH: "不设 SO_REUSEADDR 重启：bind 以 EADDRINUSE 失败",
			Explain: "The server starts again, as a program does when it is restarted: socket.socket(), then s.bind((\"127.0.0.1\", 7026)) — this time without SO_REUSEADDR. " +
				"bind fails with EADDRINUSE, and Python raises OSError: [Errno 98] Address already in use. " +
				"Nothing listens on port 7026 and no program has a socket there: what holds the port is the old connection's end in TIME-WAIT, which only the kernel keeps, and a failed bind sends nothing. " +
				"Without SO_REUSEADDR the server could bind again only once that TIME-WAIT is over, 60 seconds after it began; a Python server would stop here with the exception, while this one closes the socket and tries again.",
			ExplainZH: "服务器再次启动，就像程序被重启时那样：socket.socket()，然后 s.bind((\"127.0.0.1\", 7026))——这次没有设置 SO_REUSEADDR。" +
				"bind 以 EADDRINUSE 失败，Python 抛出 OSError: [Errno 98] Address already in use。" +
				"端口 7026 上没有谁在监听，也没有哪个程序在这个端口上有套接字：占着端口的，是旧连接停留在 TIME-WAIT 的那一端，只有内核还保留着它；失败的 bind 不发送任何东西。" +
				"不设 SO_REUSEADDR，服务器只能等这个 TIME-WAIT 结束（从它开始算起 60 秒）才能再次 bind；Python 服务器到这里就会带着这个异常退出，这个服务器则关闭套接字，再试一次。",
			Outcome: timeWaitRefused,
		},
		{
			Title:   "Restart with SO_REUSEADDR: bind succeeds",
			TitleZH: "设置 SO_REUSEADDR 重启：bind 成功",
			Explain: "The server tries again with s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1) before s.bind: bind returns 0 and listen(5) succeeds, while the old connection is still in TIME-WAIT. " +
				"On Linux, SO_REUSEADDR lets a TCP socket bind a port that other sockets hold only if every one of them set it too and none of them is listening — so it never lets two servers listen on one port. " +
				"The TIME-WAIT end kept the option of the socket it came from, which inherited it from the listening socket of step 1: a server that ran without SO_REUSEADDR must wait out its TIME-WAIT even after the option is added to its code, which is why servers set it from their first run. " +
				"So SO_REUSEADDR does not free the port at once, as some tutorials put it: the old connection stays in TIME-WAIT for its full 60 seconds, and the option only lets a new socket bind beside it. " +
				"The server then closes its listening socket; with no connection, that sends nothing.",
			ExplainZH: "服务器再试一次，在 s.bind 之前先调用 s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)：bind 返回 0，listen(5) 也成功了，而旧连接仍在 TIME-WAIT 里。" +
				"在 Linux 上，SO_REUSEADDR 允许 TCP 套接字 bind 一个被别的套接字占用的端口，前提是那些套接字也都设置了这个选项，而且其中没有一个在监听——所以它绝不会让两个服务器监听同一个端口。" +
				"TIME-WAIT 的那一端保留了它原来那个套接字的选项，而那个套接字是从第 1 步的监听套接字继承来的：一个没设 SO_REUSEADDR 运行过的服务器，即使在代码里加上这个选项，也还得等它留下的 TIME-WAIT 结束，所以服务器从第一次运行起就应该设置它。" +
				"所以 SO_REUSEADDR 并不像有些教程说的那样“立即释放端口”：旧连接仍在 TIME-WAIT 里待满 60 秒，这个选项只是让新的套接字能在它旁边 bind。" +
				"随后服务器关闭监听套接字；没有连接，所以网络上什么也没有。",
			Outcome: timeWaitRebound,
		},
		{
			Title:   "When the client closes first, the TIME-WAIT is the client's",
			TitleZH: "客户端先关闭时，TIME-WAIT 在客户端一侧",
			Explain: "The same server runs on 127.0.0.1:7027 this time, with SO_REUSEADDR, and the client closes first: it connects and calls close() at once. " +
				"Its kernel sends FIN; the server's conn.recv(1024) returns b'' (CLOSE-WAIT), and the server closes the connection and its listening socket. " +
				"Now it is the client's end that goes through FIN-WAIT-1 to TIME-WAIT, and the server's that goes through CLOSE-WAIT and LAST-ACK and is gone once the client's kernel acknowledges its FIN. " +
				"The TIME-WAIT end sits on the client's address — 127.0.0.1 and the ephemeral port its kernel picked — for 60 seconds. A client rarely notices: its next connection gets another ephemeral port.",
			ExplainZH: "这次同一个服务器运行在 127.0.0.1:7027，同样设置了 SO_REUSEADDR，而客户端先关闭：它连上之后立即调用 close()。" +
				"它的内核发出 FIN；服务器的 conn.recv(1024) 返回 b''（CLOSE-WAIT），服务器关闭连接和监听套接字。" +
				"这回是客户端这一端经过 FIN-WAIT-1 进入 TIME-WAIT，而服务器那一端经过 CLOSE-WAIT 和 LAST-ACK，等客户端内核确认了它的 FIN 就不复存在。" +
				"TIME-WAIT 的那一端位于客户端的地址上——127.0.0.1 加上它的内核挑选的临时端口——停留 60 秒。客户端很少察觉：它的下一个连接会用另一个临时端口。",
			Outcome: timeWaitClientClosed,
		},
		{
			Title:   "Restart without SO_REUSEADDR: this time bind succeeds",
			TitleZH: "不设 SO_REUSEADDR 重启：这次 bind 成功",
			Explain: "The server starts again on 127.0.0.1:7027 without SO_REUSEADDR, and bind returns 0: the TIME-WAIT end is the client's, on the client's port, and the server's end of the connection is gone. " +
				"So it is servers that close first — when they are stopped, or when they close each connection after answering, as HTTP/1.0 servers do — that meet EADDRINUSE on a restart; clients that close first leave their TIME-WAIT on ephemeral ports. " +
				"The server listens, then closes its listening socket.",
			ExplainZH: "服务器不设 SO_REUSEADDR，再次在 127.0.0.1:7027 上启动，bind 返回 0：TIME-WAIT 的那一端是客户端的，在客户端的端口上，而连接的服务器那一端已经不存在了。" +
				"所以，重启时遇到 EADDRINUSE 的，是先关闭连接的服务器——比如被停掉时，或者像 HTTP/1.0 服务器那样回答完就关闭每个连接；先关闭的客户端把 TIME-WAIT 留在临时端口上。" +
				"服务器 listen，然后关闭监听套接字。",
			Outcome: timeWaitRestarted,
		},
	},
	Run:   runTimeWait,
	Check: checkTimeWait,
}

// twWait is how long the lesson waits for an end of a closed connection
// to reach the state its next step is about (on loopback: microseconds).
const twWait = 2 * time.Second

func runTimeWait(ctx context.Context, env *Env) error {
	listening, accepted, connected, clientClosed := newSignal(), newSignal(), newSignal(), newSignal()
	listening2, accepted2, clientClosed2 := newSignal(), newSignal(), newSignal()
	var clientPort, clientPort2 uint16 // set before connected and clientClosed2 fire
	g := newGroup(ctx)

	g.Go(func(ctx context.Context) error { // the server, started four times
		if err := env.Step(ctx, 1); err != nil {
			return err
		}
		s := env.NewSock(ctx, "server")
		defer s.Close()
		if err := s.ListenTCP(TimeWaitAddr, 5); err != nil {
			return err
		}
		listening.fire()
		conn, _, err := s.Accept()
		if err != nil {
			return err
		}
		defer conn.Close()
		accepted.fire()
		if err := connected.wait(ctx); err != nil {
			return err
		}

		// Step 2: the server stops.
		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		if err := conn.Close(); err != nil {
			return err
		}
		if err := s.Close(); err != nil {
			return err
		}
		if err := clientClosed.wait(ctx); err != nil {
			return err
		}
		// Step 3 is about the server's end in TIME-WAIT: on loopback it
		// got there as the client's FIN was delivered, but a busy
		// machine may deliver it later.
		if err := waitConn(ctx, portOf(TimeWaitAddr), clientPort, twWait, func(st string, ok bool) bool { return st == "TIME-WAIT" }); err != nil {
			return err
		}

		// Step 3: a restart without SO_REUSEADDR.
		if err := env.Step(ctx, 3); err != nil {
			return err
		}
		again := env.NewSock(ctx, "server")
		defer again.Close()
		if err := again.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := again.Bind(TimeWaitAddr); err != nil && !errors.Is(err, unix.EADDRINUSE) {
			return err
		} // (a bind that succeeds, against the lesson, is Check's to report)
		if err := again.Close(); err != nil {
			return err
		}

		// Step 4: with SO_REUSEADDR.
		if err := env.Step(ctx, 4); err != nil {
			return err
		}
		fixed := env.NewSock(ctx, "server")
		defer fixed.Close()
		if err := fixed.ListenTCP(TimeWaitAddr, 5); err != nil {
			return err
		}
		if err := fixed.Close(); err != nil {
			return err
		}

		// Step 5: on another port, the client closes first.
		if err := env.Step(ctx, 5); err != nil {
			return err
		}
		s2 := env.NewSock(ctx, "server")
		defer s2.Close()
		if err := s2.ListenTCP(TimeWaitClientFirstAddr, 5); err != nil {
			return err
		}
		listening2.fire()
		conn2, _, err := s2.Accept()
		if err != nil {
			return err
		}
		defer conn2.Close()
		accepted2.fire()
		data, err := conn2.Recv(1024)
		if err != nil {
			return err
		}
		if len(data) != 0 {
			return fmt.Errorf("server: %d bytes from a client that sends none", len(data))
		}
		if err := conn2.Close(); err != nil {
			return err
		}
		if err := s2.Close(); err != nil {
			return err
		}
		if err := clientClosed2.wait(ctx); err != nil {
			return err
		}
		// Step 6 is about a port nothing holds: the server's end is gone
		// once the client's ACK of its FIN was delivered.
		if err := waitConn(ctx, portOf(TimeWaitClientFirstAddr), clientPort2, twWait, func(_ string, ok bool) bool { return !ok }); err != nil {
			return err
		}

		// Step 6: a restart without SO_REUSEADDR, on the port whose
		// connection the client closed first.
		if err := env.Step(ctx, 6); err != nil {
			return err
		}
		r := env.NewSock(ctx, "server")
		defer r.Close()
		if err := r.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := r.Bind(TimeWaitClientFirstAddr); err != nil {
			return err
		}
		if err := r.Listen(5); err != nil {
			return err
		}
		return r.Close()
	})

	g.Go(func(ctx context.Context) error { // the client, twice
		if err := listening.wait(ctx); err != nil {
			return err
		}
		c := env.NewSock(ctx, "client")
		defer c.Close()
		if err := c.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := c.Connect(TimeWaitAddr); err != nil {
			return err
		}
		clientPort = c.localPort()
		if err := accepted.wait(ctx); err != nil {
			return err
		}
		connected.fire()
		data, err := c.Recv(1024) // returns when the server's FIN arrives
		if err != nil {
			return err
		}
		if len(data) != 0 {
			return fmt.Errorf("client: %d bytes from a server that sends none", len(data))
		}
		if err := c.Close(); err != nil {
			return err
		}
		clientClosed.fire()

		if err := listening2.wait(ctx); err != nil {
			return err
		}
		c2 := env.NewSock(ctx, "client")
		defer c2.Close()
		if err := c2.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := c2.Connect(TimeWaitClientFirstAddr); err != nil {
			return err
		}
		clientPort2 = c2.localPort()
		if err := accepted2.wait(ctx); err != nil {
			return err
		}
		if err := c2.Close(); err != nil {
			return err
		}
		clientClosed2.fire()
		return nil
	})
	return g.Wait()
}

// localPort is the socket's local port (0 if it has none).
func (s *Sock) localPort() uint16 {
	local, _, _ := s.names()
	return local.Port()
}

// portOf is the port of a lesson's fixed address.
func portOf(addr string) uint16 { return netip.MustParseAddrPort(addr).Port() }

// twConn is a part of time-wait: the client's connect of step connStep
// and its connection on the wire (nil until connect has returned and the
// capture has shown some of it).
func twConn(f runFacts, connStep int, server string) (*sockcall.Call, *wireConn, netip.AddrPort, netip.AddrPort) {
	srv := netip.MustParseAddrPort(server)
	conn := f.firstIn("client", "connect", connStep)
	if conn == nil || conn.Ret != 0 {
		return nil, nil, netip.AddrPort{}, srv
	}
	return conn, f.wireConn(conn.Local, srv), conn.Local, srv
}

func timeWaitConnected(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	conn, _, client, server := twConn(f, 1, TimeWaitAddr)
	acc := f.firstIn("server", "accept", 1)
	if conn == nil || acc == nil || acc.Ret < 0 {
		return "", ""
	}
	return fmt.Sprintf("The client's kernel picked port %d: the connection is %s ↔ %s, and accept returned it as fd %d.", client.Port(), client, server, acc.Ret),
		fmt.Sprintf("客户端内核挑选了端口 %d：连接是 %s ↔ %s，accept 把它作为 fd %d 返回。", client.Port(), client, server, acc.Ret)
}

// closedFirst describes a part's close once the wire shows it whole: the
// closer's FIN, the closer's states from FIN-WAIT-1 to TIME-WAIT, the
// other end's from CLOSE-WAIT until it is gone.
func closedFirst(w *wireConn, closer, other netip.AddrPort) (fin, tw, gone *decode.Packet, ok bool) {
	fin = w.fin(closer)
	tw = w.became(closer, "TIME-WAIT")
	l := w.last(other)
	if fin == nil || tw == nil || l.state != "UNCONN" {
		return nil, nil, nil, false
	}
	return fin, tw, l.frame, true
}

func timeWaitServerClosed(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	_, w, client, server := twConn(f, 1, TimeWaitAddr)
	closes := f.callsIn("server", "close", 2)
	eof := f.firstIn("client", "recv", 2)
	fin, tw, _, ok := closedFirst(w, server, client)
	if !ok || len(closes) < 2 || eof == nil || eof.Ret != 0 || tcpState(eof) == "" {
		return "", ""
	}
	hs, hc := w.history(server), w.history(client)
	en = fmt.Sprintf("The server closed the connection in call #%d and its listening socket in #%d; its FIN is frame %d. "+
		"The server's end: %s; the client's: %s. The client's recv returned b'' with its socket in %s (TCP_INFO). "+
		"Since frame %d the server's end is in TIME-WAIT with no descriptor: the kernel alone keeps it.",
		closes[0].Number, closes[1].Number, fin.Number, closeStates(hs, "FIN-WAIT-1", false), closeStates(hc, "CLOSE-WAIT", false), tcpState(eof), tw.Number)
	zh = fmt.Sprintf("服务器在调用 #%d 关闭连接，在 #%d 关闭监听套接字；它的 FIN 是第 %d 帧。"+
		"服务器这一端：%s；客户端那一端：%s。客户端的 recv 返回 b''，此时它的套接字处于 %s（TCP_INFO）。"+
		"从第 %d 帧起，服务器这一端处于 TIME-WAIT，没有文件描述符：只有内核还保留着它。",
		closes[0].Number, closes[1].Number, fin.Number, closeStates(hs, "FIN-WAIT-1", true), closeStates(hc, "CLOSE-WAIT", true), tcpState(eof), tw.Number)
	return en, zh
}

func timeWaitRefused(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	_, w, client, server := twConn(f, 1, TimeWaitAddr)
	b := f.firstIn("server", "bind", 3)
	closes := f.callsIn("server", "close", 2)
	tw := w.became(server, "TIME-WAIT")
	if b == nil || b.Errno == "" || tw == nil || len(closes) < 2 {
		return "", ""
	}
	return fmt.Sprintf("bind (#%d) failed with %s. The program had no socket left on port %d — it closed its last one in call #%d — but the server's end of %s ↔ %s had been in TIME-WAIT since frame %d.",
			b.Number, b.Errno, server.Port(), closes[len(closes)-1].Number, server, client, tw.Number),
		fmt.Sprintf("bind（#%d）以 %s 失败。程序在端口 %d 上已经没有套接字了——最后一个在调用 #%d 关闭——但 %s ↔ %s 的服务器一端从第 %d 帧起就处于 TIME-WAIT。",
			b.Number, b.Errno, server.Port(), closes[len(closes)-1].Number, server, client, tw.Number)
}

func timeWaitRebound(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	_, w, _, _ := twConn(f, 1, TimeWaitAddr)
	b := f.firstIn("server", "bind", 4)
	l := f.firstIn("server", "listen", 4)
	tw := w.became(netip.MustParseAddrPort(TimeWaitAddr), "TIME-WAIT")
	if b == nil || b.Errno != "" || l == nil || l.Errno != "" || tw == nil {
		return "", ""
	}
	en = fmt.Sprintf("With SO_REUSEADDR, bind (#%d) returned 0 and listen (#%d) succeeded", b.Number, l.Number)
	zh = fmt.Sprintf("设置 SO_REUSEADDR 之后，bind（#%d）返回 0，listen（#%d）也成功了", b.Number, l.Number)
	if d := callEnd(b).Sub(frameTime(tw)); d > 0 && d < 50*time.Second {
		en += fmt.Sprintf(", %s after the TIME-WAIT began in frame %d: about %.0f seconds of it were still to go. The option did not end that TIME-WAIT; the new socket bound beside it.", span(d), tw.Number, (60*time.Second - d).Seconds())
		zh += fmt.Sprintf("，距第 %d 帧 TIME-WAIT 开始才 %s：它还要持续大约 %.0f 秒。这个选项并没有结束那个 TIME-WAIT，新的套接字是在它旁边 bind 的。", tw.Number, span(d), (60*time.Second - d).Seconds())
		return en, zh
	}
	return en + fmt.Sprintf(", while the TIME-WAIT that began in frame %d went on.", tw.Number),
		zh + fmt.Sprintf("，而第 %d 帧开始的 TIME-WAIT 还在继续。", tw.Number)
}

func timeWaitClientClosed(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	_, w, client, server := twConn(f, 5, TimeWaitClientFirstAddr)
	cl := f.firstIn("client", "close", 5)
	eof := f.firstIn("server", "recv", 5)
	fin, tw, _, ok := closedFirst(w, client, server)
	if !ok || cl == nil || eof == nil || eof.Ret != 0 || tcpState(eof) == "" {
		return "", ""
	}
	hc, hs := w.history(client), w.history(server)
	en = fmt.Sprintf("The client closed first, in call #%d; its FIN is frame %d. The client's end: %s; the server's: %s. "+
		"The server's recv returned b'' with its socket in %s (TCP_INFO). Since frame %d the client's end, %s, is in TIME-WAIT.",
		cl.Number, fin.Number, closeStates(hc, "FIN-WAIT-1", false), closeStates(hs, "CLOSE-WAIT", false), tcpState(eof), tw.Number, client)
	zh = fmt.Sprintf("客户端先关闭，在调用 #%d；它的 FIN 是第 %d 帧。客户端这一端：%s；服务器那一端：%s。"+
		"服务器的 recv 返回 b''，此时它的套接字处于 %s（TCP_INFO）。从第 %d 帧起，客户端这一端 %s 处于 TIME-WAIT。",
		cl.Number, fin.Number, closeStates(hc, "FIN-WAIT-1", true), closeStates(hs, "CLOSE-WAIT", true), tcpState(eof), tw.Number, client)
	return en, zh
}

func timeWaitRestarted(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	_, w, client, server := twConn(f, 5, TimeWaitClientFirstAddr)
	b := f.firstIn("server", "bind", 6)
	_, tw, gone, ok := closedFirst(w, client, server)
	if b == nil || b.Errno != "" || !ok {
		return "", ""
	}
	return fmt.Sprintf("Without SO_REUSEADDR, bind (#%d) returned 0: the server's end of the connection was gone since frame %d, and the TIME-WAIT end (since frame %d) is on the client's port %d.",
			b.Number, gone.Number, tw.Number, client.Port()),
		fmt.Sprintf("没有设置 SO_REUSEADDR，bind（#%d）也返回了 0：连接的服务器一端从第 %d 帧起就不存在了，而 TIME-WAIT 的那一端（从第 %d 帧起）在客户端的端口 %d 上。",
			b.Number, gone.Number, tw.Number, client.Port())
}

// checkTimeWait verifies the fixed words of time-wait against a run.
func checkTimeWait(r *sockcall.Run) error {
	f := factsOf(r)
	var l claimList
	reuse := func(step int) bool {
		for _, c := range f.callsIn("server", "setsockopt", step) {
			if c.Args == "SOL_SOCKET, SO_REUSEADDR, 1" && c.Errno == "" {
				return true
			}
		}
		return false
	}

	// Step 1.
	b1 := f.firstIn("server", "bind", 1)
	l.want(reuse(1) && b1 != nil && b1.Errno == "" && b1.Args == TimeWaitAddr, "the server sets SO_REUSEADDR and binds %s in step 1 (%s)", TimeWaitAddr, describeCall(b1))
	conn, w, client, server := twConn(f, 1, TimeWaitAddr)
	l.want(conn != nil, "the client connects in step 1 (%s)", describeCall(f.call("client", "connect", 0)))

	// Step 2: the server closes first, and its end is the one in TIME-WAIT.
	sf, cf := w.fin(server), w.fin(client)
	l.want(sf != nil && cf != nil && sf.Number < cf.Number, "the server's FIN comes before the client's (%s, %s)", frameNo(sf), frameNo(cf))
	_, _, _, ok := closedFirst(w, server, client)
	l.want(ok, "the server's end goes to TIME-WAIT and the client's is gone (server: %s; client: %s)", closeStates(w.history(server), "", false), closeStates(w.history(client), "", false))
	l.want(w.became(client, "TIME-WAIT") == nil, "the client's end never goes to TIME-WAIT")
	eof := f.firstIn("client", "recv", 2)
	l.want(eof != nil && eof.Ret == 0 && tcpState(eof) == "CLOSE-WAIT", "the client's recv returns b'' in CLOSE-WAIT (%s)", describe(eof))
	l.want(len(f.callsIn("server", "close", 2)) == 2, "the server closes the connection and its listening socket in step 2")

	// Step 3: without SO_REUSEADDR, EADDRINUSE.
	b3 := f.firstIn("server", "bind", 3)
	l.want(!reuse(3) && b3 != nil && b3.Args == TimeWaitAddr && b3.Errno == "EADDRINUSE", "a bind of %s without SO_REUSEADDR fails with EADDRINUSE (%s)", TimeWaitAddr, describeCall(b3))

	// Step 4: with it, bind and listen succeed.
	b4, l4 := f.firstIn("server", "bind", 4), f.firstIn("server", "listen", 4)
	l.want(reuse(4) && b4 != nil && b4.Args == TimeWaitAddr && b4.Errno == "" && l4 != nil && l4.Errno == "",
		"with SO_REUSEADDR, bind %s and listen succeed (%s, %s)", TimeWaitAddr, describeCall(b4), describeCall(l4))

	// Step 5: the client closes first; its end is the one in TIME-WAIT.
	conn2, w2, client2, server2 := twConn(f, 5, TimeWaitClientFirstAddr)
	l.want(conn2 != nil, "the client connects in step 5")
	sf2, cf2 := w2.fin(server2), w2.fin(client2)
	l.want(sf2 != nil && cf2 != nil && cf2.Number < sf2.Number, "the client's FIN comes before the server's (%s, %s)", frameNo(cf2), frameNo(sf2))
	_, _, _, ok = closedFirst(w2, client2, server2)
	l.want(ok, "the client's end goes to TIME-WAIT and the server's is gone (client: %s; server: %s)", closeStates(w2.history(client2), "", false), closeStates(w2.history(server2), "", false))
	l.want(w2.became(server2, "TIME-WAIT") == nil, "the server's end never goes to TIME-WAIT")
	eof2 := f.firstIn("server", "recv", 5)
	l.want(eof2 != nil && eof2.Ret == 0 && tcpState(eof2) == "CLOSE-WAIT", "the server's recv returns b'' in CLOSE-WAIT (%s)", describe(eof2))
	l.want(reuse(5), "the server sets SO_REUSEADDR in step 5")

	// Step 6: without SO_REUSEADDR, bind succeeds.
	b6 := f.firstIn("server", "bind", 6)
	l.want(!reuse(6) && b6 != nil && b6.Args == TimeWaitClientFirstAddr && b6.Errno == "", "a bind of %s without SO_REUSEADDR succeeds in step 6 (%s)", TimeWaitClientFirstAddr, describeCall(b6))

	l.want(len(w.rsts())+len(w2.rsts()) == 0, "no RST on either connection")
	return l.err("time-wait")
}

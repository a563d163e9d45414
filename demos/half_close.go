//go:build unix

package demos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// HalfCloseAddr is where the half-close server listens.
const HalfCloseAddr = "127.0.0.1:7028"

// halfCloseRequest is what the half-close client sends before its
// shutdown(SHUT_WR); the server answers with how many bytes it read.
const halfCloseRequest = "count these bytes, please"

// halfCloseMore is what the client tries to send after its shutdown.
const halfCloseMore = "one more thing"

func halfCloseAnswer(n int) []byte { return []byte("got " + strconv.Itoa(n) + " bytes") }

var halfClose = &Demo{
	Name:      "half-close",
	Title:     "Half-close: shutdown(SHUT_WR) ends the request, and the answer still comes back",
	TitleZH:   "半关闭：shutdown(SHUT_WR) 结束请求，回答照样能收回来",
	Summary:   "The client sends a request and calls shutdown(SHUT_WR): its FIN tells the server the request is complete (recv returns b''), and the server's answer flows back to the client, which is in FIN-WAIT-2 while the server is in CLOSE-WAIT.",
	SummaryZH: "客户端发出请求后调用 shutdown(SHUT_WR)：它的 FIN 告诉服务器请求已经完整（recv 返回 b''），服务器的回答照样流回客户端；这时客户端处于 FIN-WAIT-2，服务器处于 CLOSE-WAIT。",
	Steps: []Step{
		{
			Title:   "Server and client, connected",
			TitleZH: "服务器和客户端建立连接",
			Explain: "The server creates a TCP socket, sets SO_REUSEADDR, binds 127.0.0.1:7028 and calls listen(5); the client connects (the three-way handshake) and the server accepts (conn, addr = s.accept()). " +
				"Both ends are in ESTAB: each direction of the connection is open.",
			ExplainZH: "服务器创建 TCP 套接字，设置 SO_REUSEADDR，bind 到 127.0.0.1:7028 并调用 listen(5)；客户端发起连接（三次握手），服务器 accept（conn, addr = s.accept()）。" +
				"两端都处于 ESTAB：连接的两个方向都是打开的。",
			Outcome: halfCloseConnected,
		},
		{
			Title:   "The client sends its request, then shutdown(SHUT_WR)",
			TitleZH: "客户端发出请求，然后 shutdown(SHUT_WR)",
			Explain: "The client sends its request with s.sendall(b\"" + halfCloseRequest + "\") and then calls s.shutdown(socket.SHUT_WR): \"I have nothing more to send\". " +
				"Its kernel sends FIN at once, but unlike close() the socket stays open: the client keeps its descriptor and can still recv. Only sending is over: the client's s.send(b\"" + halfCloseMore + "\") right after it fails with EPIPE (Python raises BrokenPipeError) and sends nothing. " +
				"The client's end is in FIN-WAIT-1 until the server's kernel acknowledges the FIN, then in FIN-WAIT-2; the server's end is in CLOSE-WAIT as soon as the FIN arrives. " +
				"The client then calls recv(1024) to wait for the answer.",
			ExplainZH: "客户端用 s.sendall(b\"" + halfCloseRequest + "\") 发出请求，然后调用 s.shutdown(socket.SHUT_WR)，意思是“我没有数据要发了”。" +
				"它的内核立即发出 FIN，但与 close() 不同，套接字仍然开着：客户端保留着文件描述符，还能 recv。结束的只是发送：客户端紧接着调用的 s.send(b\"" + halfCloseMore + "\") 以 EPIPE 失败（Python 抛出 BrokenPipeError），什么也没发出去。" +
				"在服务器内核确认这个 FIN 之前，客户端这一端处于 FIN-WAIT-1，确认之后进入 FIN-WAIT-2；FIN 一到，服务器那一端就进入 CLOSE-WAIT。" +
				"接着客户端调用 recv(1024) 等待回答。",
			Outcome: halfCloseShutdown,
		},
		{
			Title:   "The server reads until b''",
			TitleZH: "服务器一直读到 b''",
			Explain: "The server reads the request the way a server must when it cannot know its length: it calls conn.recv(1024) until it returns b'' (while chunk := conn.recv(1024): request += chunk). " +
				"recv returns the request's bytes, and then b'': the client's FIN is the end of the request — no length prefix, no delimiter needed. " +
				"The server's socket is in CLOSE-WAIT: the client has finished sending, but the server has not, and it may still send as much as it likes.",
			ExplainZH: "服务器不知道请求有多长，只能这样读：反复调用 conn.recv(1024)，直到它返回 b''（while chunk := conn.recv(1024): request += chunk）。" +
				"recv 先返回请求的字节，然后返回 b''：客户端的 FIN 就是请求的结尾——不需要长度前缀，也不需要分隔符。" +
				"服务器套接字处于 CLOSE-WAIT：客户端发完了，服务器还没有，它想发多少都可以。",
			Outcome: halfCloseRead,
		},
		{
			Title:   "The server answers from CLOSE-WAIT; the client still receives",
			TitleZH: "服务器在 CLOSE-WAIT 中回答；客户端照样接收",
			Explain: "The server answers with conn.sendall(b\"" + string(halfCloseAnswer(len(halfCloseRequest))) + "\"): data flows from the CLOSE-WAIT end to the FIN-WAIT-2 end, because a FIN closes only the direction of the side that sent it. " +
				"The answer's segments acknowledge the client's FIN as well, so the client's end is in FIN-WAIT-2 by the time the answer arrives, if the server's kernel had not acknowledged the FIN on its own already. " +
				"The client's recv, made after its own shutdown, returns the answer.",
			ExplainZH: "服务器用 conn.sendall(b\"" + string(halfCloseAnswer(len(halfCloseRequest))) + "\") 回答：数据从处于 CLOSE-WAIT 的一端流向处于 FIN-WAIT-2 的一端，因为 FIN 只关闭发送它的那一方的方向。" +
				"回答的报文段同时确认了客户端的 FIN；所以即使服务器内核之前没有单独确认这个 FIN，回答到达时客户端这一端也已处于 FIN-WAIT-2。" +
				"客户端在自己 shutdown 之后发起的 recv 返回了这个回答。",
			Outcome: halfCloseAnswered,
		},
		{
			Title:   "The server closes; the client reads b'' and closes",
			TitleZH: "服务器关闭；客户端读到 b'' 后关闭",
			Explain: "The server calls conn.close() and its kernel sends FIN. The client's kernel acknowledges it, and the client's next recv returns b'': the answer is complete. The client calls close(), which sends nothing: its FIN went at shutdown. " +
				"The client sent the first FIN, so it is the client's end that is in TIME-WAIT now, for 60 seconds; the server's end goes through LAST-ACK and is gone once its FIN is acknowledged. " +
				"TCP_INFO on the client's descriptor says UNCONN rather than TIME-WAIT even before close(): Linux hands a connection entering TIME-WAIT to a small socket of its own, without a descriptor; the wire shows it.",
			ExplainZH: "服务器调用 conn.close()，它的内核发出 FIN。客户端内核确认了它，客户端的下一次 recv 返回 b''：回答收完了。客户端调用 close()，这次什么也不发送：它的 FIN 在 shutdown 时已经发过了。" +
				"先发出 FIN 的是客户端，所以现在处于 TIME-WAIT 的是客户端这一端，停留 60 秒；服务器那一端经过 LAST-ACK，FIN 被确认后就不复存在。" +
				"即使在 close() 之前，通过客户端的描述符读到的 TCP_INFO 也是 UNCONN 而不是 TIME-WAIT：Linux 把进入 TIME-WAIT 的连接交给一个它自己的、没有描述符的小套接字；网络上能看到它。",
			Outcome: halfCloseClosed,
		},
	},
	Run:   runHalfClose,
	Check: checkHalfClose,
}

func runHalfClose(ctx context.Context, env *Env) error {
	listening, accepted, shut, answered := newSignal(), newSignal(), newSignal(), newSignal()
	g := newGroup(ctx)

	g.Go(func(ctx context.Context) error { // the server
		if err := env.Step(ctx, 1); err != nil {
			return err
		}
		s := env.NewSock(ctx, "server")
		defer s.Close()
		if err := s.ListenTCP(HalfCloseAddr, 5); err != nil {
			return err
		}
		listening.fire()
		conn, _, err := s.Accept()
		if err != nil {
			return err
		}
		defer conn.Close()
		accepted.fire()

		if err := shut.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 3); err != nil {
			return err
		}
		var request []byte
		for {
			chunk, err := conn.Recv(1024)
			if err != nil {
				return err
			}
			if len(chunk) == 0 {
				break
			}
			request = append(request, chunk...)
		}
		if string(request) != halfCloseRequest {
			return fmt.Errorf("server: read %q, not the request sent", request)
		}

		if err := env.Step(ctx, 4); err != nil {
			return err
		}
		if err := conn.Sendall(halfCloseAnswer(len(request))); err != nil {
			return err
		}
		if err := answered.wait(ctx); err != nil {
			return err
		}

		if err := env.Step(ctx, 5); err != nil {
			return err
		}
		if err := conn.Close(); err != nil {
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
		if err := c.Connect(HalfCloseAddr); err != nil {
			return err
		}
		if err := accepted.wait(ctx); err != nil {
			return err
		}

		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		if err := c.Sendall([]byte(halfCloseRequest)); err != nil {
			return err
		}
		if err := c.Shutdown(unix.SHUT_WR); err != nil {
			return err
		}
		// Sending is over: EPIPE (a send that succeeds, against the
		// lesson, is Check's to report).
		if _, err := c.Send([]byte(halfCloseMore)); err != nil && !errors.Is(err, unix.EPIPE) {
			return err
		}
		shut.fire()
		// The recv waits through step 3 and returns the answer in step 4.
		if err := c.readAll(halfCloseAnswer(len(halfCloseRequest)), 1024, 0); err != nil {
			return err
		}
		answered.fire()
		data, err := c.Recv(1024) // returns b'' when the server's FIN arrives
		if err != nil {
			return err
		}
		if len(data) != 0 {
			return fmt.Errorf("client: %d bytes after the answer", len(data))
		}
		return c.Close()
	})
	return g.Wait()
}

// hcConn is the run's connection: the client's address, the server's, and
// its segments (nil until connect has returned and the capture has shown
// some of it).
func hcConn(f runFacts) (w *wireConn, client, server netip.AddrPort) {
	server = netip.MustParseAddrPort(HalfCloseAddr)
	conn := f.call("client", "connect", 0)
	if conn == nil || conn.Ret != 0 {
		return nil, netip.AddrPort{}, server
	}
	return f.wireConn(conn.Local, server), conn.Local, server
}

// hcAnswerSegs are the data segments from the server (the answer), in
// frame order.
func hcAnswerSegs(w *wireConn, server netip.AddrPort) []*decode.Packet {
	if w == nil {
		return nil
	}
	var out []*decode.Packet
	for _, p := range w.frames {
		if src, _ := addrOf(p); src == server && p.PayloadLen > 0 {
			out = append(out, p)
		}
	}
	return out
}

// hcFinAck is the server's first segment acknowledging the client's FIN
// fin, or nil.
func hcFinAck(w *wireConn, server netip.AddrPort, fin *decode.Packet) *decode.Packet {
	if w == nil || fin == nil {
		return nil
	}
	for _, p := range w.frames {
		if src, _ := addrOf(p); src == server && p.Number > fin.Number && p.TCPFlags&decode.TCPAck != 0 && seqAfterOrAt(p.Rel.Ack, finEnd(fin)) {
			return p
		}
	}
	return nil
}

func seqAfterOrAt(a, b uint32) bool { return int32(a-b) >= 0 }

// hcRecvs are the client's recv calls after its shutdown that returned
// data (the answer), and the one that returned b”, if any.
func hcRecvs(f runFacts) (data []*sockcall.Call, eof *sockcall.Call) {
	shut := f.call("client", "shutdown", 0)
	if shut == nil {
		return nil, nil
	}
	for _, c := range f.calls("client", "recv") {
		if callStart(c).Before(callEnd(shut)) {
			continue
		}
		if c.Ret > 0 {
			data = append(data, c)
		} else if c.Ret == 0 && eof == nil {
			eof = c
		}
	}
	return data, eof
}

func halfCloseConnected(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	conn := f.call("client", "connect", 0)
	acc := f.call("server", "accept", 0)
	if conn == nil || conn.Ret != 0 || acc == nil || acc.Ret < 0 || tcpState(conn) == "" || tcpState(acc) == "" {
		return "", ""
	}
	return fmt.Sprintf("The connection is %s ↔ %s; connect left the client's socket in %s and accept returned the server's in %s (TCP_INFO).", conn.Local, conn.Peer, tcpState(conn), tcpState(acc)),
		fmt.Sprintf("连接是 %s ↔ %s；connect 返回时客户端套接字处于 %s，accept 返回的服务器套接字处于 %s（TCP_INFO）。", conn.Local, conn.Peer, tcpState(conn), tcpState(acc))
}

func halfCloseShutdown(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	w, client, _ := hcConn(f)
	sa := f.call("client", "sendall", 0)
	shut := f.call("client", "shutdown", 0)
	fin := w.fin(client)
	if sa == nil || sa.Ret <= 0 || shut == nil || shut.Errno != "" || fin == nil || tcpState(shut) == "" || hcMore(f) == nil {
		return "", ""
	}
	segs := segments(f.frames(sa))
	if !covers(segs, sa.Ret) {
		return "", ""
	}
	carried := fmt.Sprintf("frame %s", frameList(segs, false))
	if len(segs) > 1 {
		carried = "frames " + frameList(segs, false)
	}
	en = fmt.Sprintf("sendall (#%d) put the %d bytes of the request in %s; shutdown (#%d) sent FIN in frame %d. Right after shutdown returned, the client's socket was in %s (TCP_INFO)",
		sa.Number, sa.Ret, carried, shut.Number, fin.Number, tcpState(shut))
	zh = fmt.Sprintf("sendall（#%d）把请求的 %d 个字节放进了第 %s 帧；shutdown（#%d）在第 %d 帧发出 FIN。shutdown 刚返回时，客户端套接字处于 %s（TCP_INFO）",
		sa.Number, sa.Ret, frameList(segs, true), shut.Number, fin.Number, tcpState(shut))
	switch tcpState(shut) {
	case "FIN-WAIT-1":
		en, zh = en+": the server's kernel had not acknowledged the FIN yet.", zh+"：服务器内核还没有确认这个 FIN。"
	case "FIN-WAIT-2":
		en, zh = en+": the server's kernel had acknowledged the FIN already.", zh+"：服务器内核已经确认了这个 FIN。"
	default:
		en, zh = en+".", zh+"。"
	}
	more := hcMore(f)
	if more.Errno != "" {
		return en + fmt.Sprintf(" The send after it (#%d) failed with %s.", more.Number, more.Errno),
			zh + fmt.Sprintf("之后的 send（#%d）以 %s 失败。", more.Number, more.Errno)
	}
	return en + fmt.Sprintf(" The send after it (#%d) returned %d.", more.Number, more.Ret),
		zh + fmt.Sprintf("之后的 send（#%d）返回了 %d。", more.Number, more.Ret)
}

// hcMore is the client's send after its shutdown, or nil.
func hcMore(f runFacts) *sockcall.Call {
	shut := f.call("client", "shutdown", 0)
	if shut == nil {
		return nil
	}
	for _, c := range f.calls("client", "send") {
		if c.Number > shut.Number && c.Step == 2 {
			return c
		}
	}
	return nil
}

func halfCloseRead(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	var n, got int
	var eof *sockcall.Call
	for _, c := range f.calls("server", "recv") {
		if c.Ret > 0 {
			n++
			got += c.Ret
		} else if c.Ret == 0 {
			eof = c
			break
		}
	}
	if eof == nil || tcpState(eof) == "" {
		return "", ""
	}
	calls := fmt.Sprintf("%s recv calls", countWord(n))
	if n == 1 {
		calls = "one recv call"
	}
	return fmt.Sprintf("The server got the %d bytes of the request in %s, then b'' (#%d), with its socket in %s (TCP_INFO).", got, calls, eof.Number, tcpState(eof)),
		fmt.Sprintf("服务器用 %d 次 recv 收到请求的 %d 个字节，然后是 b''（#%d），此时它的套接字处于 %s（TCP_INFO）。", n, got, eof.Number, tcpState(eof))
}

func halfCloseAnswered(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	w, client, server := hcConn(f)
	sa := f.call("server", "sendall", 0)
	shut := f.call("client", "shutdown", 0)
	data, _ := hcRecvs(f)
	ans := hcAnswerSegs(w, server)
	fin := w.fin(client)
	ack := hcFinAck(w, server, fin)
	want := len(halfCloseAnswer(len(halfCloseRequest)))
	if sa == nil || sa.Ret != want || shut == nil || len(ans) == 0 || ack == nil || !covers(ans, want) || len(dataOf(data)) < want {
		return "", ""
	}
	last := data[len(data)-1]
	first := ans[0]
	a := &first.Analysis
	en = fmt.Sprintf("sendall (#%d) sent the %d-byte answer from %s (TCP_INFO); on the wire, frame %d carried it from the server's %s end to the client's %s end.",
		sa.Number, sa.Ret, tcpState(sa), first.Number, sockcall.StateName(a.SrcState), sockcall.StateName(a.DstState))
	zh = fmt.Sprintf("sendall（#%d）在 %s 状态下（TCP_INFO）发出 %d 字节的回答；网络上，第 %d 帧把它从服务器处于 %s 的一端送到客户端处于 %s 的一端。",
		sa.Number, tcpState(sa), sa.Ret, first.Number, sockcall.StateName(a.SrcState), sockcall.StateName(a.DstState))
	if ack == first {
		en += fmt.Sprintf(" The server's kernel had not acknowledged the FIN (frame %d) on its own: frame %d acknowledged it, along with the answer.", fin.Number, first.Number)
		zh += fmt.Sprintf("服务器内核没有单独确认 FIN（第 %d 帧）：第 %d 帧在送回答的同时确认了它。", fin.Number, first.Number)
	} else {
		en += fmt.Sprintf(" The server's kernel had acknowledged the FIN (frame %d) on its own, in frame %d.", fin.Number, ack.Number)
		zh += fmt.Sprintf("服务器内核已经单独确认了 FIN（第 %d 帧），在第 %d 帧。", fin.Number, ack.Number)
	}
	recvs := fmt.Sprintf("recv (#%d)", last.Number)
	recvsZH := fmt.Sprintf("recv（#%d）", last.Number)
	if len(data) > 1 {
		recvs = fmt.Sprintf("%d recv calls (the last #%d)", len(data), last.Number)
		recvsZH = fmt.Sprintf("%d 次 recv（最后一次是 #%d）", len(data), last.Number)
	}
	en += fmt.Sprintf(" The client's %s, after its shutdown (#%d), returned b\"%s\" with its socket in %s (TCP_INFO).", recvs, shut.Number, dataOf(data), tcpState(last))
	zh += fmt.Sprintf("客户端在 shutdown（#%d）之后的 %s返回了 b\"%s\"，此时它的套接字处于 %s（TCP_INFO）。", shut.Number, recvsZH, dataOf(data), tcpState(last))
	return en, zh
}

func halfCloseClosed(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	w, client, server := hcConn(f)
	_, eof := hcRecvs(f)
	sfin := w.fin(server)
	tw := w.became(client, "TIME-WAIT")
	gone := w.last(server)
	if eof == nil || tcpState(eof) == "" || sfin == nil || tw == nil || gone.state != "UNCONN" {
		return "", ""
	}
	return fmt.Sprintf("The server's FIN is frame %d. The client's end: %s; the server's: %s. The client's recv (#%d) returned b'' with TCP_INFO saying %s.",
			sfin.Number, closeStates(w.history(client), "TIME-WAIT", false), closeStates(w.history(server), "LAST-ACK", false), eof.Number, tcpState(eof)),
		fmt.Sprintf("服务器的 FIN 是第 %d 帧。客户端这一端：%s；服务器那一端：%s。客户端的 recv（#%d）返回 b''，TCP_INFO 显示 %s。",
			sfin.Number, closeStates(w.history(client), "TIME-WAIT", true), closeStates(w.history(server), "LAST-ACK", true), eof.Number, tcpState(eof))
}

// checkHalfClose verifies the fixed words of half-close against a run.
func checkHalfClose(r *sockcall.Run) error {
	f := factsOf(r)
	var l claimList
	w, client, server := hcConn(f)
	conn, acc := f.call("client", "connect", 0), f.call("server", "accept", 0)
	l.want(tcpState(conn) == "ESTAB" && tcpState(acc) == "ESTAB", "both ends are in ESTAB after connect and accept (%s, %s)", describe(conn), describe(acc))

	// Step 2: the request, and a FIN at shutdown.
	sa := f.call("client", "sendall", 0)
	l.want(sa != nil && sa.Ret == len(halfCloseRequest) && sa.Errno == "", "the client sends the %d-byte request (%s)", len(halfCloseRequest), describeCall(sa))
	shut := f.call("client", "shutdown", 0)
	l.want(shut != nil && shut.Args == "SHUT_WR" && shut.Errno == "" && shut.Step == 2, "the client calls shutdown(SHUT_WR) in step 2 (%s)", describeCall(shut))
	st := tcpState(shut)
	l.want(st == "FIN-WAIT-1" || st == "FIN-WAIT-2", "shutdown leaves the client in FIN-WAIT-1 or FIN-WAIT-2 (%s)", describe(shut))
	more := hcMore(f)
	l.want(more != nil && more.Errno == "EPIPE" && more.Ret == -1, "a send after shutdown(SHUT_WR) fails with EPIPE (%s)", describeCall(more))
	cfin, sfin := w.fin(client), w.fin(server)
	l.want(cfin != nil && sfin != nil && cfin.Number < sfin.Number, "the client's FIN comes before the server's (%s, %s)", frameNo(cfin), frameNo(sfin))
	fins := 0
	if w != nil {
		for _, p := range w.frames {
			if src, _ := addrOf(p); src == client && p.TCPFlags&decode.TCPFin != 0 {
				fins++
			}
		}
	}
	l.want(fins == 1, "the client sends one FIN, at shutdown; close sends nothing more (%d FIN segments)", fins)

	// Step 3: the server reads the request, then b'' in CLOSE-WAIT.
	var request []byte
	var eof *sockcall.Call
	for _, c := range f.calls("server", "recv") {
		if c.Ret == 0 {
			eof = c
			break
		}
		request = append(request, c.Data...)
	}
	l.want(string(request) == halfCloseRequest, "the server reads the request (%q)", request)
	l.want(eof != nil && eof.Step == 3 && tcpState(eof) == "CLOSE-WAIT", "the server's recv returns b'' in CLOSE-WAIT in step 3 (%s)", describe(eof))

	// Step 4: the answer flows from CLOSE-WAIT to FIN-WAIT-2, after the
	// client's FIN, and the client reads it after its shutdown.
	answer := halfCloseAnswer(len(halfCloseRequest))
	ssa := f.call("server", "sendall", 0)
	l.want(ssa != nil && ssa.Ret == len(answer) && tcpState(ssa) == "CLOSE-WAIT", "the server sends its answer in CLOSE-WAIT (%s)", describe(ssa))
	ans := hcAnswerSegs(w, server)
	l.want(len(ans) > 0 && cfin != nil && ans[0].Number > cfin.Number, "the answer's segments come after the client's FIN")
	for _, p := range ans {
		l.want(bytes.Contains(answer, p.Payload) || p.Payload == nil, "frame %d carries the answer's bytes", p.Number)
		l.want(p.Analysis.SrcState == decode.StateCloseWait && p.Analysis.DstState == decode.StateFinWait2,
			"frame %d goes from a CLOSE-WAIT end to a FIN-WAIT-2 end (%s → %s)", p.Number, sockcall.StateName(p.Analysis.SrcState), sockcall.StateName(p.Analysis.DstState))
	}
	l.want(hcFinAck(w, server, cfin) != nil && (len(ans) == 0 || hcFinAck(w, server, cfin).Number <= ans[0].Number),
		"the server's kernel acknowledges the FIN on its own or with the answer's first segment")
	data, ceof := hcRecvs(f)
	l.want(string(dataOf(data)) == string(answer), "the client's recv after its shutdown returns the answer (%q)", dataOf(data))
	for _, c := range data {
		l.want(c.Step == 4 && tcpState(c) == "FIN-WAIT-2", "the client receives the answer in FIN-WAIT-2 in step 4 (%s)", describe(c))
	}

	// Step 5: the server closes; b''; the client's end in TIME-WAIT.
	l.want(ceof != nil && ceof.Step == 5 && tcpState(ceof) == "UNCONN", "the client's last recv returns b'' in step 5, TCP_INFO saying UNCONN (%s)", describe(ceof))
	l.want(w.became(client, "TIME-WAIT") != nil && w.became(server, "TIME-WAIT") == nil, "the client's end, not the server's, goes to TIME-WAIT")
	l.want(w.last(server).state == "UNCONN", "the server's end is gone at last (%s)", closeStates(w.history(server), "", false))
	l.want(len(w.rsts()) == 0, "no RST")
	return l.err("half-close")
}

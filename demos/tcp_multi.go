//go:build unix

package demos

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"

	"golang.org/x/sys/unix"
)

// TCPMultiAddr is where the tcp-multi server listens.
const TCPMultiAddr = "127.0.0.1:7002"

// TCPMultiClients is how many clients tcp-multi runs at once.
const TCPMultiClients = 3

// TCPMultiMessage is what client-i sends (i from 1).
func TCPMultiMessage(i int) string { return "client-" + strconv.Itoa(i) + " 你好" }

var tcpMulti = &Demo{
	Name:      "tcp-multi",
	Title:     "TCP server with a thread per client: three connections at once",
	TitleZH:   "每个客户端一个线程的 TCP 服务器：同时处理三个连接",
	Summary:   "Three clients connect and talk over three connections open at once; the server hands each connection to its own goroutine, a thread per client.",
	SummaryZH: "三个客户端各自连接、收发，三个连接同时打开；服务器为每个连接启动一个线程来处理。",
	Steps: []Step{
		{
			Title:   "Server: listen on 127.0.0.1:7002",
			TitleZH: "服务器：在 127.0.0.1:7002 上监听",
			Explain: "The same start as tcp-echo: socket(AF_INET, SOCK_STREAM), SO_REUSEADDR, bind and listen(5). " +
				"The backlog, 5, bounds the accept queue — connections the kernel has set up and holds ready for accept — not the connections the server may serve; three clients fit. " +
				"Nothing goes on the wire yet.",
			ExplainZH: "开头和 tcp-echo 一样：socket(AF_INET, SOCK_STREAM)、SO_REUSEADDR、bind、listen(5)。" +
				"backlog 为 5，限制的是监听队列（accept 队列），即内核替程序建立好、等着 accept 的连接，而不是服务器总共能服务的连接数；三个客户端放得下。" +
				"网络上还没有数据包。",
		},
		{
			Title:   "Three clients connect; one thread per client",
			TitleZH: "三个客户端连接；每个客户端一个线程",
			Explain: "Three client goroutines start together and each calls connect: three handshakes (SYN, SYN/ACK, ACK), told apart on the wire by the clients' ports. " +
				"Which client gets there first is up to the scheduler, and the handshakes may follow one another or overlap. " +
				"The server loops on accept(); for each new socket it starts a goroutine — the tutorials' threading.Thread(target=handle, args=(conn, addr)).start() — named handler-1 to handler-3 in the order accepted. " +
				"While one handler waits in recv, the others and the accept loop carry on: a slow client holds up no one. " +
				"Calls are numbered in the order they return, so a client's connect and the accept of its connection may come in either order.",
			ExplainZH: "三个客户端线程同时启动，各自调用 connect：三次握手（SYN、SYN/ACK、ACK），在网络上靠客户端端口号区分。" +
				"哪个客户端先连上由调度决定，几次握手可能先后进行，也可能交错。" +
				"服务器循环调用 accept()，每得到一个新套接字就启动一个线程去处理它（即教程里的 threading.Thread(target=handle, args=(conn, addr)).start()），这些处理线程按 accept 的先后命名为 handler-1 到 handler-3。" +
				"某个处理线程阻塞在 recv 时，其他处理线程和 accept 循环照常运行：一个慢客户端不会拖住别人。" +
				"调用按返回的先后编号，所以客户端的 connect 和服务器对这个连接的 accept，谁的编号在前都有可能。",
			Outcome: tcpMultiConnectOutcome,
		},
		{
			Title:   "Who is who: getsockname, getpeername; the listener closes",
			TitleZH: "各自是谁：getsockname、getpeername；监听套接字关闭",
			Explain: "Each client calls s.getsockname(): it never called bind, so connect had the kernel pick a free ephemeral port for it (from net.ipv4.ip_local_port_range), the source port of its SYN. " +
				"Each handler calls conn.getpeername() and gets its client's address and port, as accept returned them. " +
				"Having accepted three, the server closes its listening socket (a tutorial's server would go on accepting; this one stops at three). " +
				"Nothing goes on the wire for any of this: the names are the kernel's answer from the socket itself, and closing a listener with no connection waiting sends nothing.",
			ExplainZH: "每个客户端调用 s.getsockname()：它从没调用过 bind，所以 connect 让内核替它挑了一个空闲的临时端口（取自 net.ipv4.ip_local_port_range），也就是它 SYN 的源端口。" +
				"每个处理线程调用 conn.getpeername()，得到客户端的地址和端口，和 accept 返回的一样。" +
				"accept 了三个连接之后，服务器关闭监听套接字（教程里的服务器会一直 accept 下去；这里到三个就停）。" +
				"这些都不会在网络上产生数据包：地址是内核从套接字本身给出的答案，而关闭一个没有待接受连接的监听套接字什么也不发送。",
			Outcome: tcpMultiNamesOutcome,
		},
		{
			Title:   "The clients send; each handler echoes on its own connection",
			TitleZH: "客户端发送；每个处理线程在自己的连接上回显",
			Explain: "Once all three are connected, the clients are let go together: each sends its message with sendall, and each handler recv()s it and sendall()s it back on its own connection. " +
				"Whether the three connections' segments alternate on the wire or follow one another depends on how the threads happen to run; either way nothing gets mixed up: the kernel files every segment under its connection by four numbers — source address, source port, destination address, destination port. " +
				"The listening socket is closed by now, yet the three connections it accepted carry on: each accepted socket is a socket of its own, and closing the listener only stops new connections (a connect to 7002 would now be refused). " +
				"All three server-side sockets still have local port 7002, the port the listener had.",
			ExplainZH: "三个客户端都连上之后同时被放行：每个客户端用 sendall 发出自己的消息，每个处理线程在自己的连接上用 recv() 收到，再用 sendall() 原样发回。" +
				"网络上三个连接的报文段是交错出现还是先后出现，取决于线程恰好怎样运行；无论哪种都不会串线：内核按四元组——源地址、源端口、目的地址、目的端口——把每个报文段归到它所属的连接。" +
				"这时监听套接字已经关闭，它 accept 出来的三个连接却照常工作：每个 accept 得到的套接字都是独立的套接字，关闭监听套接字只是不再接受新连接（此时再 connect 7002 会被拒绝）。" +
				"服务器这边的三个连接套接字本地端口仍然是 7002，也就是监听套接字原来的端口。",
			Outcome: tcpMultiTalkOutcome,
		},
		{
			Title:   "Clients read their echo and close; handlers close; the server stops",
			TitleZH: "客户端读到回显后关闭；处理线程关闭连接；服务器停止",
			Explain: "Each client recv()s until its own message is back, then closes (FIN). " +
				"Each handler's recv returns 0, so it closes its connection and its thread ends. " +
				"Three teardowns, one per connection, in whatever order the clients finished.",
			ExplainZH: "每个客户端循环 recv()，直到收回自己的消息，然后关闭（发出 FIN）。" +
				"每个处理线程的 recv 返回 0，于是关闭自己的连接，线程随之结束。" +
				"三个连接各自挥手，先后顺序取决于哪个客户端先完成。",
			Outcome: tcpMultiCloseOutcome,
		},
	},
	Run:   runTCPMulti,
	Check: checkTCPMulti,
}

func runTCPMulti(ctx context.Context, env *Env) error {
	listening, acceptedAll, goNames, goSend, goClose := newSignal(), newSignal(), newSignal(), newSignal(), newSignal()
	connected := make(chan struct{}, TCPMultiClients)
	sent := make(chan struct{}, TCPMultiClients)
	echoed := make(chan struct{}, TCPMultiClients)
	asked := make(chan struct{}, 2*TCPMultiClients) // a handler has called getpeername, a client getsockname
	closedListener := newSignal()
	g := newGroup(ctx)
	ctx = g.ctx

	if err := env.Step(ctx, 1); err != nil {
		return err
	}
	g.Go(func(ctx context.Context) error { // the server: accept loop, a handler per client
		s := env.NewSock(ctx, "server")
		defer s.Close()
		if err := s.ListenTCP(TCPMultiAddr, 5); err != nil {
			return err
		}
		listening.fire()

		var handlers sync.WaitGroup
		for i := 1; i <= TCPMultiClients; i++ { // a tutorial loops forever; we stop after three
			conn, _, err := s.Accept()
			if err != nil {
				return err
			}
			conn.HandTo("handler-" + strconv.Itoa(i))
			handlers.Add(1)
			g.Go(func(ctx context.Context) error {
				defer handlers.Done()
				defer conn.Close()
				if err := goNames.wait(ctx); err != nil {
					return err
				}
				if _, err := conn.Getpeername(); err != nil {
					return err
				}
				asked <- struct{}{}
				for first := true; ; first = false {
					data, err := conn.Recv(1024)
					if err != nil {
						return err
					}
					if len(data) == 0 {
						break
					}
					if err := conn.Sendall(data); err != nil {
						return err
					}
					if first {
						echoed <- struct{}{}
					}
				}
				return conn.Close()
			})
		}
		acceptedAll.fire()
		if err := goNames.wait(ctx); err != nil {
			return err
		}
		if err := s.Close(); err != nil { // no more clients: the accepted connections go on
			return err
		}
		closedListener.fire()
		handlers.Wait()
		return nil
	})
	if err := listening.wait(ctx); err != nil {
		return g.stop(err)
	}

	if err := env.Step(ctx, 2); err != nil {
		return g.stop(err)
	}
	for i := 1; i <= TCPMultiClients; i++ {
		name := "client-" + strconv.Itoa(i)
		msg := []byte(TCPMultiMessage(i))
		g.Go(func(ctx context.Context) error {
			c := env.NewSock(ctx, name)
			defer c.Close()
			if err := c.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
				return err
			}
			if err := c.Connect(TCPMultiAddr); err != nil {
				return err
			}
			connected <- struct{}{}
			if err := goNames.wait(ctx); err != nil {
				return err
			}
			if _, err := c.Getsockname(); err != nil {
				return err
			}
			asked <- struct{}{}
			if err := goSend.wait(ctx); err != nil {
				return err
			}
			if err := c.Sendall(msg); err != nil {
				return err
			}
			sent <- struct{}{}
			if err := goClose.wait(ctx); err != nil {
				return err
			}
			var got []byte
			for len(got) < len(msg) {
				data, err := c.Recv(1024)
				if err != nil {
					return err
				}
				if len(data) == 0 {
					return fmt.Errorf("%s: the server closed after %d of %d bytes", name, len(got), len(msg))
				}
				got = append(got, data...)
			}
			if !bytes.Equal(got, msg) {
				return fmt.Errorf("%s: echo %q, sent %q", name, got, msg)
			}
			return c.Close()
		})
	}
	if err := waitN(ctx, connected, TCPMultiClients); err != nil {
		return g.stop(err)
	}
	if err := acceptedAll.wait(ctx); err != nil {
		return g.stop(err)
	}

	if err := env.Step(ctx, 3); err != nil {
		return g.stop(err)
	}
	goNames.fire()
	if err := waitN(ctx, asked, 2*TCPMultiClients); err != nil {
		return g.stop(err)
	}
	if err := closedListener.wait(ctx); err != nil {
		return g.stop(err)
	}

	if err := env.Step(ctx, 4); err != nil {
		return g.stop(err)
	}
	goSend.fire()
	// Step 5 begins when every send has returned and every handler has
	// echoed (the echo can come back before the send returns).
	if err := waitN(ctx, sent, TCPMultiClients); err != nil {
		return g.stop(err)
	}
	if err := waitN(ctx, echoed, TCPMultiClients); err != nil {
		return g.stop(err)
	}

	if err := env.Step(ctx, 5); err != nil {
		return g.stop(err)
	}
	goClose.fire()
	return g.Wait()
}

// waitN receives n events from ch, or returns ctx's error.
func waitN(ctx context.Context, ch <-chan struct{}, n int) error {
	for range n {
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// multiConn is one client's connection in a tcp-multi run.
type multiConn struct {
	client  string         // "client-2"
	msg     string         // what it sends
	connect *sockcall.Call // returned 0
	accept  *sockcall.Call // the server's accept of it, nil until then
	handler string         // "handler-1", "" until accepted
	conn    *tcpConn       // nil until the capture shows some of it
}

// tcpMultiConns returns the connections whose connect has returned 0, in
// the order of their SYNs on the wire (those not seen yet last, in call
// order).
func tcpMultiConns(f runFacts) []multiConn {
	server := netip.MustParseAddrPort(TCPMultiAddr)
	var out []multiConn
	for i := 1; i <= TCPMultiClients; i++ {
		name := "client-" + strconv.Itoa(i)
		c := f.call(name, "connect", 0)
		if c == nil || c.Ret != 0 {
			continue
		}
		mc := multiConn{client: name, msg: TCPMultiMessage(i), connect: c, conn: f.tcpConn(c.Local, server)}
		for k, a := range f.calls("server", "accept") {
			if a.Ret > 0 && a.Peer == c.Local {
				mc.accept, mc.handler = a, "handler-"+strconv.Itoa(k+1)
			}
		}
		out = append(out, mc)
	}
	slices.SortStableFunc(out, func(a, b multiConn) int {
		an, bn := synNumber(a.conn), synNumber(b.conn)
		if an != bn {
			return an - bn
		}
		return a.connect.Number - b.connect.Number
	})
	return out
}

func synNumber(c *tcpConn) int {
	if c == nil || c.syn == nil {
		return 1 << 30
	}
	return c.syn.Number
}

// frameRange writes frame numbers as "1–3" when they follow one another,
// else as a list.
func frameRange(frames []*decode.Packet, zh bool) string {
	if len(frames) > 1 {
		consecutive := true
		for i := 1; i < len(frames); i++ {
			consecutive = consecutive && frames[i].Number == frames[i-1].Number+1
		}
		if consecutive {
			return strconv.Itoa(frames[0].Number) + "–" + strconv.Itoa(frames[len(frames)-1].Number)
		}
	}
	return frameList(frames, zh)
}

// tcpMultiConnectOutcome: the order the clients connected in, whether the
// handshakes overlapped, and which handler got which client.
func tcpMultiConnectOutcome(r *sockcall.Run) (en, zh string) {
	conns := tcpMultiConns(factsOf(r))
	if len(conns) != TCPMultiClients {
		return "", ""
	}
	var names, syns []string
	for _, mc := range conns {
		if !mc.conn.handshake() || mc.accept == nil {
			return "", ""
		}
		names = append(names, mc.client)
		syns = append(syns, strconv.Itoa(mc.conn.syn.Number))
	}
	en = fmt.Sprintf("The clients' SYNs went in the order %s (frames %s). ", strings.Join(names, ", "), joinList(syns, false))
	zh = fmt.Sprintf("客户端 SYN 的先后是 %s（第 %s 帧）。", strings.Join(names, "、"), joinList(syns, true))

	// Did another connection's segment come inside a handshake?
	inside := func() (outer, other multiConn, p *decode.Packet) {
		for _, a := range conns {
			for _, b := range conns {
				if a.client == b.client {
					continue
				}
				for _, q := range b.conn.frames {
					if q.Number > a.conn.syn.Number && q.Number < a.conn.hsAck.Number {
						return a, b, q
					}
				}
			}
		}
		return multiConn{}, multiConn{}, nil
	}
	if a, b, p := inside(); p != nil {
		en += fmt.Sprintf("The handshakes overlapped: a segment of %s's connection (frame %d) came between %s's SYN (frame %d) and its last ACK (frame %d). ", b.client, p.Number, a.client, a.conn.syn.Number, a.conn.hsAck.Number)
		zh += fmt.Sprintf("几次握手交错了：%s 连接的一个报文段（第 %d 帧）夹在 %s 的 SYN（第 %d 帧）和它最后的 ACK（第 %d 帧）之间。", b.client, p.Number, a.client, a.conn.syn.Number, a.conn.hsAck.Number)
	} else {
		var en1, zh1 []string
		for _, mc := range conns {
			hs := []*decode.Packet{mc.conn.syn, mc.conn.synAck, mc.conn.hsAck}
			en1 = append(en1, frameRange(hs, false))
			zh1 = append(zh1, frameRange(hs, true))
		}
		en += fmt.Sprintf("Each handshake's three segments went back to back — frames %s — so the handshakes did not overlap. ", joinList(en1, false))
		zh += fmt.Sprintf("每次握手的三个报文段都紧挨着——第 %s 帧——握手没有交错。", joinList(zh1, true))
	}
	byHandler := slices.Clone(conns)
	slices.SortFunc(byHandler, func(a, b multiConn) int { return a.accept.Number - b.accept.Number })
	var hEN, hZH []string
	for _, mc := range byHandler {
		hEN = append(hEN, mc.handler+" got "+mc.client)
		hZH = append(hZH, mc.handler+" 负责 "+mc.client)
	}
	en += "The server accepted them in this order: " + joinList(hEN, false) + "."
	zh += "服务器 accept 的先后：" + strings.Join(hZH, "，") + "。"
	return en, zh
}

// tcpMultiNamesOutcome: the ports the kernel picked for the clients.
func tcpMultiNamesOutcome(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	conns := tcpMultiConns(f)
	if len(conns) != TCPMultiClients {
		return "", ""
	}
	var ports []string
	for _, mc := range conns {
		sn := f.call(mc.client, "getsockname", 0)
		if sn == nil || sn.Ret != 0 {
			return "", ""
		}
		ports = append(ports, fmt.Sprintf("%d (%s)", sn.Local.Port(), mc.client))
	}
	return fmt.Sprintf("getsockname shows the ports the kernel picked: %s.", joinList(ports, false)),
		fmt.Sprintf("getsockname 显示内核挑选的端口：%s。", joinList(ports, true))
}

// tcpMultiTalkOutcome: whether the three exchanges alternated on the
// wire or went one connection at a time.
func tcpMultiTalkOutcome(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	r = f.r // never nil
	conns := tcpMultiConns(f)
	if len(conns) != TCPMultiClients {
		return "", ""
	}
	owner := map[netip.AddrPort]string{}
	lo, hi := 1<<30, 0
	for _, mc := range conns {
		if mc.conn == nil || mc.handler == "" {
			return "", ""
		}
		owner[mc.connect.Local] = mc.client
		var sends []*sockcall.Call
		for _, who := range []string{mc.client, mc.handler} {
			sa := f.call(who, "sendall", 0)
			if sa == nil || sa.Ret <= 0 || len(sa.Inner) == 0 {
				return "", ""
			}
			in := f.inner(sa)
			if len(in) != len(sa.Inner) {
				return "", ""
			}
			sends = append(sends, in...)
		}
		for _, s := range sends {
			ack := f.ackFrame(s)
			segs := segments(f.frames(s))
			if ack == nil || len(segs) == 0 {
				return "", ""
			}
			for _, p := range segs {
				lo, hi = min(lo, p.Number), max(hi, p.Number)
			}
			if ack.TCPFlags&decode.TCPFin == 0 {
				hi = max(hi, ack.Number)
			}
		}
	}
	var seq []string // the connection of each frame of the exchange
	var blocks []string
	var first []int // each block's first frame
	for n := lo; n <= hi; n++ {
		p := r.Frame(n)
		if p == nil || !p.IsTCP() || p.TCPFlags&(decode.TCPSyn|decode.TCPFin|decode.TCPRst) != 0 {
			continue
		}
		src, dst := addrOf(p)
		who := owner[src]
		if who == "" {
			who = owner[dst]
		}
		if who == "" {
			continue
		}
		if len(seq) == 0 || seq[len(seq)-1] != who {
			blocks = append(blocks, who)
			first = append(first, n)
		}
		seq = append(seq, who)
	}
	if len(blocks) <= TCPMultiClients {
		var parts, partsZH []string
		for i, who := range blocks {
			end := hi
			if i+1 < len(first) {
				end = first[i+1] - 1
			}
			parts = append(parts, fmt.Sprintf("%s (frames %d–%d)", who, first[i], end))
			partsZH = append(partsZH, fmt.Sprintf("%s（第 %d–%d 帧）", who, first[i], end))
		}
		return "The three exchanges went one connection at a time: " + strings.Join(parts, ", then ") + ".",
			"三组收发是一个连接接一个连接进行的：" + strings.Join(partsZH, "，然后 ") + "。"
	}
	return fmt.Sprintf("The three connections' segments alternated on the wire: between frames %d and %d they switch connection %d times (%s).", lo, hi, len(blocks)-1, strings.Join(blocks, ", ")),
		fmt.Sprintf("三个连接的报文段在网络上交错出现：第 %d 到 %d 帧之间换了 %d 次连接（%s）。", lo, hi, len(blocks)-1, strings.Join(blocks, "、"))
}

// tcpMultiCloseOutcome: the order the clients closed in and how each close
// went.
func tcpMultiCloseOutcome(r *sockcall.Run) (en, zh string) {
	conns := tcpMultiConns(factsOf(r))
	if len(conns) != TCPMultiClients {
		return "", ""
	}
	for _, mc := range conns {
		if !mc.conn.closed() {
			return "", ""
		}
	}
	slices.SortFunc(conns, func(a, b multiConn) int { return a.conn.clientFin.Number - b.conn.clientFin.Number })
	var names, fins []string
	kinds := map[int]int{}
	for _, mc := range conns {
		names = append(names, mc.client)
		fins = append(fins, strconv.Itoa(mc.conn.clientFin.Number))
		kinds[mc.conn.closeKind()]++
	}
	en = fmt.Sprintf("The clients closed in the order %s (FINs in frames %s); ", strings.Join(names, ", "), joinList(fins, false))
	zh = fmt.Sprintf("客户端关闭的先后是 %s（FIN 在第 %s 帧）；", strings.Join(names, "、"), joinList(fins, true))
	switch {
	case kinds[3] == len(conns):
		return en + "every close took three segments: each server FIN carried the ACK of the client's.",
			zh + "每个关闭都只有三个报文段：服务器的 FIN 顺带确认了客户端的 FIN。"
	case kinds[4] == len(conns):
		return en + "every close took four segments: FIN, ACK, FIN, ACK.",
			zh + "每个关闭都是四个报文段：FIN、ACK、FIN、ACK。"
	}
	var each, eachZH []string
	for _, mc := range conns {
		word, wordZH := "three", "三"
		if mc.conn.closeKind() == 4 {
			word, wordZH = "four", "四"
		}
		each = append(each, mc.client+"'s took "+word)
		eachZH = append(eachZH, mc.client+" 的关闭有"+wordZH+"个")
	}
	return en + joinList(each, false) + " segments (four when the server's kernel acknowledged the FIN before the server's FIN).",
		zh + strings.Join(eachZH, "，") + "报文段（服务器内核在自己的 FIN 之前先单独确认客户端 FIN 的，就是四个）。"
}

// checkTCPMulti verifies the fixed claims of tcp-multi's words.
func checkTCPMulti(r *sockcall.Run) error {
	f := factsOf(r)
	r = f.r // never nil
	var ck claims
	server := netip.MustParseAddrPort(TCPMultiAddr)

	// Step 1.
	opt, bind, listen := f.call("server", "setsockopt", 0), f.call("server", "bind", 0), f.call("server", "listen", 0)
	ck.expect(opt != nil && opt.Ret == 0 && opt.Args == "SOL_SOCKET, SO_REUSEADDR, 1", "step 1: SO_REUSEADDR", "%s", describe(opt))
	ck.expect(bind != nil && bind.Ret == 0 && bind.Local == server, "step 1: the server binds 127.0.0.1:7002", "%s", describe(bind))
	ck.expect(listen != nil && listen.Ret == 0 && listen.Args == "5" && listen.SendQ == 5 && tcpState(listen) == "LISTEN", "step 1: listen(5), a backlog of 5", "%s", describe(listen))

	// Step 2.
	conns := tcpMultiConns(f)
	ck.expect(len(conns) == TCPMultiClients, "step 2: three clients connect", "%d connects returned 0", len(conns))
	if len(conns) == 0 {
		return ck.err()
	}
	firstConnect := conns[0].connect
	ports := map[uint16]bool{}
	firstData, firstFin := 1<<30, 1<<30
	for _, p := range f.packets(func(p *decode.Packet) bool {
		return p.IsTCP() && (p.SrcPort == server.Port() || p.DstPort == server.Port())
	}) {
		if p.PayloadLen > 0 {
			firstData = min(firstData, p.Number)
		}
		if p.TCPFlags&decode.TCPFin != 0 {
			firstFin = min(firstFin, p.Number)
		}
	}
	for _, mc := range conns {
		if callStart(mc.connect).Before(callStart(firstConnect)) {
			firstConnect = mc.connect
		}
	}
	onPort := f.packets(func(p *decode.Packet) bool {
		return p.IsTCP() && (p.SrcPort == server.Port() || p.DstPort == server.Port())
	})
	ck.expect(len(onPort) > 0 && isTCPFlags(onPort[0], decode.TCPSyn, decode.TCPAck) && !frameTime(onPort[0]).Before(callStart(firstConnect)),
		"step 1: nothing goes on the wire before the clients connect", "first frame on port 7002: %s", frameNo(r.Frame(1)))
	acceptFDs := map[int]string{}
	for k, a := range f.calls("server", "accept") {
		acceptFDs[a.Ret] = "handler-" + strconv.Itoa(k+1)
	}
	for _, mc := range conns {
		c := mc.conn
		if c == nil {
			c = &tcpConn{}
		}
		ck.expect(c.handshake(), "step 2: each client's handshake is SYN, SYN/ACK, ACK", "%s: SYN %s SYN/ACK %s ACK %s", mc.client, frameNo(c.syn), frameNo(c.synAck), frameNo(c.hsAck))
		ck.expect(tcpState(mc.connect) == "ESTAB", "step 2: connect leaves the client ESTAB", "%s: %s", mc.client, describe(mc.connect))
		name := f.call(mc.client, "getsockname", 0)
		ck.expect(f.call(mc.client, "bind", 0) == nil && name != nil && name.Ret == 0 && name.Step == 3 && name.Local == mc.connect.Local &&
			c.syn != nil && c.syn.SrcPort == name.Local.Port() && name.Args == "addr → "+name.Local.String(),
			"step 3: each client, never bound, gets its ephemeral port from getsockname: its SYN's source port", "%s: %s, SYN %s", mc.client, describe(name), frameNo(c.syn))
		ck.expect(!ports[mc.connect.Local.Port()] && mc.connect.Local.Port() != server.Port(), "step 2: the connections are told apart by the clients' ports", "%s at %v", mc.client, mc.connect.Local)
		ports[mc.connect.Local.Port()] = true
		ck.expect(c.handshake() && c.hsAck.Number < firstData && c.hsAck.Number < firstFin, "title: three connections at once (every handshake done before any data)", "%s's handshake ends in %s, first data in frame %d", mc.client, frameNo(c.hsAck), firstData)
		ck.expect(mc.accept != nil && mc.accept.Local == server && tcpState(mc.accept) == "ESTAB", "step 4: the server-side sockets share local port 7002", "%s accepted by %s", mc.client, describe(mc.accept))
		if mc.accept == nil {
			continue
		}
		hcalls := f.calls(mc.handler, "")
		peer := f.call(mc.handler, "getpeername", 0)
		ck.expect(len(hcalls) > 0 && hcalls[0] == peer && peer.Ret == 0 && peer.Peer == mc.accept.Peer && peer.Args == "addr → "+mc.accept.Peer.String(),
			"step 3: each handler's first call is getpeername, the address accept returned", "%s: %s, accept %s", mc.handler, describe(peer), describe(mc.accept))
		okFD := len(hcalls) > 0
		for _, hc := range hcalls {
			okFD = okFD && hc.FD == mc.accept.Ret
		}
		ck.expect(okFD && acceptFDs[mc.accept.Ret] == mc.handler, "step 2: a goroutine per accepted socket, named in the order accepted", "%s (fd %d) has %d calls", mc.handler, mc.accept.Ret, len(hcalls))

		// Step 3.
		csa, hsa := f.call(mc.client, "sendall", 0), f.call(mc.handler, "sendall", 0)
		hrecv := f.call(mc.handler, "recv", 0)
		ck.expect(csa != nil && csa.Ret == len(mc.msg) && string(dataOf(f.inner(csa))) == mc.msg, "step 4: each client sends its message with sendall", "%s: %s", mc.client, describe(csa))
		ck.expect(hrecv != nil && string(hrecv.Data) == mc.msg && hsa != nil && string(dataOf(f.inner(hsa))) == mc.msg,
			"step 4: each handler recv()s its client's message and sendall()s it back", "%s: recv %s, sendall %s", mc.handler, describe(hrecv), describe(hsa))

		// Step 4.
		var back []*sockcall.Call
		for _, rc := range f.calls(mc.client, "recv") {
			if rc.Ret > 0 {
				back = append(back, rc)
			}
		}
		cclose := f.call(mc.client, "close", 0)
		ck.expect(string(dataOf(back)) == mc.msg && cclose != nil && len(back) > 0 && callStart(cclose).After(callEnd(back[len(back)-1])),
			"step 5: each client recv()s until its message is back, then closes", "%s got %q, close %s", mc.client, dataOf(back), describe(cclose))
		ck.expect(c.clientFin != nil && (c.serverFin == nil || c.clientFin.Number < c.serverFin.Number), "step 5: the client closes first (FIN)", "%s: client FIN %s, server FIN %s", mc.client, frameNo(c.clientFin), frameNo(c.serverFin))
		var eof *sockcall.Call
		for _, rc := range f.calls(mc.handler, "recv") {
			if rc.Ret == 0 {
				eof = rc
			}
		}
		hclose := f.call(mc.handler, "close", 0)
		ck.expect(eof != nil && tcpState(eof) == "CLOSE-WAIT" && hclose != nil && callStart(hclose).After(callEnd(eof)),
			"step 5: each handler's recv returns 0, so it closes its connection", "%s: recv %s, close %s", mc.handler, describe(eof), describe(hclose))
		ck.expect(c.closed() && c.rst == nil, "step 5: one teardown per connection", "%s: FIN %s, ACK %s, FIN %s, ACK %s, RST %s", mc.client, frameNo(c.clientFin), frameNo(c.finAck), frameNo(c.serverFin), frameNo(c.lastAck), frameNo(c.rst))
	}
	closes := f.calls("server", "close")
	var lastAccept *sockcall.Call
	for _, a := range f.calls("server", "accept") {
		lastAccept = a
	}
	ck.expect(len(closes) == 1 && listen != nil && closes[0].FD == listen.FD && closes[0].Ret == 0 && lastAccept != nil && callStart(closes[0]).After(callEnd(lastAccept)),
		"step 3: after the third accept the server closes its listening socket", "server closes %v", closesOf(closes))
	if len(closes) == 1 {
		var first *decode.Packet
		for _, p := range onPort {
			if p.PayloadLen > 0 {
				first = p
				break
			}
		}
		ck.expect(first != nil && frameTime(first).After(callEnd(closes[0])) && closes[0].Step == 3,
			"step 4: the listening socket is closed before the connections talk, and they carry on", "close %s, first data %s", describe(closes[0]), frameNo(first))
	}
	// Step 3: names and the listener's close put nothing on the wire: up
	// to the first data segment, the only frames are the three handshakes.
	// (Frames are compared with frames: a capture's timestamps can trail
	// the calls.)
	var before []*decode.Packet
	for _, p := range onPort {
		if p.PayloadLen > 0 {
			break
		}
		before = append(before, p)
	}
	hs := 0
	for _, p := range before {
		if p.TCPFlags&(decode.TCPFin|decode.TCPRst) == 0 {
			hs++
		}
	}
	ck.expect(len(before) == 3*TCPMultiClients && hs == len(before),
		"step 3: nothing goes on the wire for getsockname, getpeername and the listener's close", "frames before the first data: %s", frameList(before, false))
	return ck.err()
}

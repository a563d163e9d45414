//go:build unix

package demos

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// BacklogAddr is where the backlog server listens.
const BacklogAddr = "127.0.0.1:7035"

// backlogWait bounds the lesson's observations: the accept queue filling
// and the third client's SYN being dropped (microseconds on loopback).
const backlogWait = 5 * time.Second

var backlog = &Demo{
	Name:      "backlog",
	Title:     "listen(1) and the accept queue: a full queue drops the SYN, the client retransmits it",
	TitleZH:   "listen(1) 与监听队列：队列满了就丢弃 SYN，客户端重传它",
	Summary:   "A server calls listen(1) and does not accept: two clients finish the handshake into the accept queue (the listener's Recv-Q 2, Send-Q 1), the third client's SYN is dropped and retransmitted after 1 s, and it gets in once accept has made room: three connections open with listen(1).",
	SummaryZH: "服务器调用 listen(1) 却不 accept：两个客户端完成握手，进入监听队列（accept 队列），监听套接字的 Recv-Q 为 2、Send-Q 为 1；第三个客户端的 SYN 被丢弃，1 秒后重传，等 accept 腾出位置之后才连上：listen(1) 也能同时开着三个连接。",
	Steps: []Step{
		{
			Title:   "listen(1): a backlog of one",
			TitleZH: "listen(1)：backlog 为 1",
			Explain: "The server creates a TCP socket, binds 127.0.0.1:7035 and calls s.listen(1), and then does not call accept for a while — as a server busy with something else does. " +
				"The backlog is the length of the accept queue: connections whose handshake the kernel has finished, waiting for the program's accept. " +
				"For a listening socket the socket table shows the queue's length as Recv-Q and the backlog as Send-Q.",
			ExplainZH: "服务器创建 TCP 套接字，bind 到 127.0.0.1:7035，调用 s.listen(1)，然后有一阵子不调用 accept——就像忙着别的事的服务器那样。" +
				"backlog 限制的是监听队列（accept 队列）的长度：队列里是内核已经替程序完成握手、等着程序来 accept 的连接。" +
				"对监听套接字，套接字表把队列当前的长度显示为 Recv-Q，把 backlog 显示为 Send-Q。",
		},
		{
			Title:   "Two clients connect: the kernel completes their handshakes",
			TitleZH: "两个客户端连接：内核替它们完成握手",
			Explain: "client-1 and then client-2 call s.connect((\"127.0.0.1\", 7035)); each connect returns as soon as the three-way handshake is done. " +
				"The server's kernel answered both SYNs with SYN/ACK although the program has not accepted anything: the connections wait in the accept queue, and the clients can already send. " +
				"Linux lets one connection more than the backlog wait (it counts the queue as full only when it is longer than the backlog), so listen(1) holds two: the listener's Recv-Q is 2, its Send-Q 1.",
			ExplainZH: "client-1 和 client-2 先后调用 s.connect((\"127.0.0.1\", 7035))；三次握手一完成，connect 就返回。" +
				"虽然程序什么都还没有 accept，服务器内核仍然用 SYN/ACK 回应了两个 SYN：连接在监听队列里等着，客户端此时已经可以发送数据了。" +
				"Linux 允许比 backlog 多一个连接排队（只有队列长度超过 backlog 时才算满），所以 listen(1) 能容纳两个：监听套接字的 Recv-Q 是 2，Send-Q 是 1。",
			Outcome: backlogQueued,
		},
		{
			Title:   "The queue is full: client-3's SYN is dropped",
			TitleZH: "队列满了：client-3 的 SYN 被丢弃",
			Explain: "client-3 calls connect. The accept queue is full, so the server's kernel drops its SYN without an answer — no SYN/ACK and no RST, so that the client simply tries again. " +
				"client-3's connect keeps waiting, and its kernel retransmits the SYN after 1 s and again each time no answer comes — at first every second where net.ipv4.tcp_syn_linear_timeouts is set (it is by default on newer kernels), doubling the wait after that (Wireshark marks each as tcp.analysis.retransmission). " +
				"The server's kernel counts the drop (ListenOverflows in /proc/net/netstat; netstat -s: times the listen queue of a socket overflowed), and the lesson goes on once it has.",
			ExplainZH: "client-3 调用 connect。监听队列已满，服务器内核把它的 SYN 直接丢弃，不作任何回应——既没有 SYN/ACK 也没有 RST，这样客户端会自己重试。" +
				"client-3 的 connect 一直等着，它的内核在 1 秒后重传 SYN，之后只要没有回应就一再重传——设置了 net.ipv4.tcp_syn_linear_timeouts 时（较新的内核默认如此）起初每秒一次，之后每次等待加倍（Wireshark 把每一个都标为 tcp.analysis.retransmission）。" +
				"服务器内核记下了这次丢弃（/proc/net/netstat 里的 ListenOverflows；netstat -s 里的“times the listen queue of a socket overflowed”），本课等它记下之后才继续。",
			Outcome: backlogDropped,
		},
		{
			Title:   "accept makes room, and the retransmitted SYN gets in",
			TitleZH: "accept 腾出位置，重传的 SYN 进来了",
			Explain: "The server calls conn, addr = s.accept(): it takes the oldest connection, client-1's, out of the queue, and there is room again. " +
				"Nothing tells client-3's kernel; its next retransmitted SYN is answered with SYN/ACK, the handshake completes into the queue, and client-3's connect returns — a second or more after it was called, which is all a program sees of a full backlog. " +
				"The server then accepts client-2's and client-3's connections.",
			ExplainZH: "服务器调用 conn, addr = s.accept()：它从队列里取走最早的连接，即 client-1 的，队列又有了空位。" +
				"没有谁通知 client-3 的内核；它下一次重传的 SYN 得到了 SYN/ACK，握手完成，连接进入队列，client-3 的 connect 返回——距调用时已经过去一秒或更久，程序对 backlog 满了所能看到的就只有这些。" +
				"随后服务器 accept 了 client-2 和 client-3 的连接。",
			Outcome: backlogAdmitted,
		},
		{
			Title:   "Everyone closes",
			TitleZH: "全部关闭",
			Explain: "The three clients close their sockets and the server closes the three connections and its listening socket. " +
				"Until then the server held all three open with listen(1): the backlog bounds the queue of connections waiting for accept, not the connections a server can serve, which is what tutorials that call it the maximum number of connections get wrong. " +
				"A real server keeps calling accept so that the queue stays short; a larger backlog (Python's default for create_server is 100, and the kernel caps it at net.core.somaxconn) only absorbs bursts.",
			ExplainZH: "三个客户端关闭各自的套接字，服务器关闭三个连接和监听套接字。" +
				"在此之前，服务器用 listen(1) 同时开着全部三个连接：backlog 限制的是等待 accept 的监听队列，而不是服务器能服务的连接数——有些教程把它说成“最大连接数”，这是误解。" +
				"真正的服务器会不停地调用 accept，让队列保持很短；更大的 backlog（Python 的 create_server 默认是 100，内核以 net.core.somaxconn 为上限）只能吸收突发的连接。",
			Outcome: backlogServed,
		},
	},
	Run:   runBacklog,
	Check: checkBacklog,
}

func runBacklog(ctx context.Context, env *Env) error {
	listening, step2 := newSignal(), newSignal()
	connected := [3]signal{newSignal(), newSignal(), newSignal()}
	step3, accepted, closeNow := newSignal(), newSignal(), newSignal()
	g := newGroup(ctx)

	g.Go(func(ctx context.Context) error { // the server
		if err := env.Step(ctx, 1); err != nil {
			return err
		}
		s := env.NewSock(ctx, "server")
		defer s.Close()
		if err := s.ListenTCP(BacklogAddr, 1); err != nil {
			return err
		}
		listening.fire()

		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		step2.fire()
		for _, c := range connected[:2] {
			if err := c.wait(ctx); err != nil {
				return err
			}
		}
		// Both handshakes end in the queue once the server's kernel has
		// the clients' ACKs (a listener's TCP_INFO unacked is its accept
		// queue's length).
		if err := waitTCP(ctx, s.FD, backlogWait, func(p tcpProgress) bool { return p.Unacked >= 2 }); err != nil {
			return err
		}

		if err := env.Step(ctx, 3); err != nil {
			return err
		}
		overflows := listenOverflows()
		step3.fire()
		// Until the server's kernel has dropped client-3's SYN.
		if err := waitListenOverflow(ctx, overflows, backlogWait); err != nil {
			return err
		}

		if err := env.Step(ctx, 4); err != nil {
			return err
		}
		var conns []*Sock
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		conn, _, err := s.Accept()
		if err != nil {
			return err
		}
		conns = append(conns, conn)
		if err := connected[2].wait(ctx); err != nil {
			return err
		}
		for range 2 {
			conn, _, err := s.Accept()
			if err != nil {
				return err
			}
			conns = append(conns, conn)
		}
		accepted.fire()

		if err := env.Step(ctx, 5); err != nil {
			return err
		}
		closeNow.fire()
		for _, c := range conns {
			data, err := c.Recv(1024) // the client's FIN
			if err != nil {
				return err
			}
			if len(data) != 0 {
				return fmt.Errorf("server: %d bytes from a client that sends none", len(data))
			}
			if err := c.Close(); err != nil {
				return err
			}
		}
		return s.Close()
	})

	client := func(i int) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			start := step2
			switch i {
			case 1:
				start = connected[0]
			case 2:
				start = step3
			}
			if err := listening.wait(ctx); err != nil {
				return err
			}
			if err := start.wait(ctx); err != nil {
				return err
			}
			c := env.NewSock(ctx, fmt.Sprintf("client-%d", i+1))
			defer c.Close()
			if err := c.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
				return err
			}
			if err := c.Connect(BacklogAddr); err != nil {
				return err
			}
			connected[i].fire()
			if err := accepted.wait(ctx); err != nil {
				return err
			}
			if err := closeNow.wait(ctx); err != nil {
				return err
			}
			return c.Close()
		}
	}
	for i := range 3 {
		g.Go(client(i))
	}
	return g.Wait()
}

// listenerSample is what the kernel said of the server's listening
// socket right after c.
func listenerSample(c *sockcall.Call) (sockcall.Sample, bool) {
	if c == nil {
		return sockcall.Sample{}, false
	}
	for _, k := range c.Kernel {
		if k.Endpoint == "server" && k.Listener && k.Proto == "tcp" {
			return k, true
		}
	}
	return sockcall.Sample{}, false
}

// backlogSYNs is client-3's connection on the wire once its connect has
// returned: the SYNs it sent (the first and the retransmissions) and the
// SYN/ACK that answered, nil until the capture shows the SYN/ACK.
func backlogSYNs(f runFacts) (conn *sockcall.Call, syns []*decode.Packet, synAck *decode.Packet) {
	conn = f.call("client-3", "connect", 0)
	if conn == nil || conn.Errno != "" || !conn.Local.IsValid() {
		return nil, nil, nil
	}
	server := netip.MustParseAddrPort(BacklogAddr)
	for _, p := range f.r.Packets {
		if !p.IsTCP() || p.TCPFlags&decode.TCPSyn == 0 {
			continue
		}
		src, dst := addrOf(&p)
		switch {
		case src == conn.Local && dst == server && p.TCPFlags&decode.TCPAck == 0 && synAck == nil:
			syns = append(syns, &p)
		case src == server && dst == conn.Local && p.TCPFlags&decode.TCPAck != 0 && synAck == nil:
			q := p
			synAck = &q
		}
	}
	if synAck == nil || len(syns) == 0 {
		return conn, nil, nil
	}
	return conn, syns, synAck
}

func backlogQueued(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	c1, c2 := f.firstIn("client-1", "connect", 2), f.firstIn("client-2", "connect", 2)
	c3 := f.firstIn("client-3", "socket", 3)
	k, ok := listenerSample(c3)
	if c1 == nil || c2 == nil || c1.Errno != "" || c2.Errno != "" || !ok {
		return "", ""
	}
	return fmt.Sprintf("client-1's connect (#%d) took %s and client-2's (#%d) %s. Before client-3 came (call #%d), the listener had Recv-Q %d and Send-Q %d: %d connections waiting, a backlog of %d.",
			c1.Number, span(callEnd(c1).Sub(callStart(c1))), c2.Number, span(callEnd(c2).Sub(callStart(c2))), c3.Number, k.RecvQ, k.SendQ, k.RecvQ, k.SendQ),
		fmt.Sprintf("client-1 的 connect（#%d）用了 %s，client-2 的（#%d）用了 %s。client-3 到来之前（调用 #%d），监听套接字的 Recv-Q 是 %d，Send-Q 是 %d：%d 个连接在排队，backlog 为 %d。",
			c1.Number, span(callEnd(c1).Sub(callStart(c1))), c2.Number, span(callEnd(c2).Sub(callStart(c2))), c3.Number, k.RecvQ, k.SendQ, k.RecvQ, k.SendQ)
}

func backlogDropped(r *sockcall.Run) (en, zh string) {
	conn, syns, _ := backlogSYNs(factsOf(r))
	if conn == nil || len(syns) < 2 {
		return "", ""
	}
	return fmt.Sprintf("client-3's SYN is frame %d; nothing answered it, and its kernel retransmitted it %s later (frame %d).", syns[0].Number, span(frameTime(syns[1]).Sub(frameTime(syns[0]))), syns[1].Number),
		fmt.Sprintf("client-3 的 SYN 是第 %d 帧；没有任何回应，它的内核在 %s 后重传了它（第 %d 帧）。", syns[0].Number, span(frameTime(syns[1]).Sub(frameTime(syns[0]))), syns[1].Number)
}

func backlogAdmitted(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	conn, syns, synAck := backlogSYNs(f)
	acc := f.firstIn("server", "accept", 4)
	if conn == nil || synAck == nil || acc == nil || acc.Errno != "" {
		return "", ""
	}
	var sent []string
	for _, p := range syns {
		sent = append(sent, "+"+span(frameTime(p).Sub(frameTime(syns[0]))))
	}
	took := span(callEnd(conn).Sub(callStart(conn)))
	return fmt.Sprintf("accept (#%d) returned %s's connection (%s). client-3 sent its SYN %d times (frames %s, at %s); the last was answered by the SYN/ACK in frame %d, and its connect (#%d) returned after %s.",
			acc.Number, backlogPeerName(f, acc.Peer), acc.Peer, len(syns), frameList(syns, false), joinList(sent, false), synAck.Number, conn.Number, took),
		fmt.Sprintf("accept（#%d）返回的是 %s 的连接（%s）。client-3 一共发了 %d 次 SYN（第 %s 帧，时间 %s）；最后一个得到了第 %d 帧的 SYN/ACK，它的 connect（#%d）在 %s 后返回。",
			acc.Number, backlogPeerName(f, acc.Peer), acc.Peer, len(syns), frameList(syns, true), joinList(sent, true), synAck.Number, conn.Number, took)
}

// backlogOpen returns the server's accepted connections in step 4 and
// whether all of them were open at once: every accept returned before the
// server's first close of step 5.
func backlogOpen(f runFacts) (acc []*sockcall.Call, together bool) {
	for _, c := range f.callsIn("server", "accept", 4) {
		if c.Errno == "" {
			acc = append(acc, c)
		}
	}
	closes := f.callsIn("server", "close", 5)
	if len(acc) == 0 || len(closes) == 0 {
		return acc, false
	}
	return acc, acc[len(acc)-1].Number < closes[0].Number
}

// backlogMaxQueue is the most connections the listener's accept queue
// held when the kernel was asked (after each call), or -1.
func backlogMaxQueue(f runFacts) int {
	most := -1
	for i := range f.r.Calls {
		for _, k := range f.r.Calls[i].Kernel {
			if k.Endpoint == "server" && k.Listener && k.Proto == "tcp" && k.RecvQ > most {
				most = k.RecvQ
			}
		}
	}
	return most
}

func backlogServed(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	ls := f.firstIn("server", "listen", 1)
	acc, together := backlogOpen(f)
	most := backlogMaxQueue(f)
	if ls == nil || len(acc) < 2 || !together || most < 0 {
		return "", ""
	}
	var nums []string
	for _, c := range acc {
		nums = append(nums, "#"+strconv.Itoa(c.Number))
	}
	return fmt.Sprintf("With listen(%s) the server accepted %d connections (%s) and had all %d open at once; the accept queue held at most %d when the kernel was asked.",
			ls.Args, len(acc), joinList(nums, false), len(acc), most),
		fmt.Sprintf("服务器用 listen(%s) 接受了 %d 个连接（%s），并且同时开着全部 %d 个；每次询问内核时，监听队列里最多只有 %d 个连接。",
			ls.Args, len(acc), joinList(nums, true), len(acc), most)
}

// backlogPeerName names the client whose connect had local address a.
func backlogPeerName(f runFacts, a netip.AddrPort) string {
	for _, name := range []string{"client-1", "client-2", "client-3"} {
		if c := f.call(name, "connect", 0); c != nil && c.Local == a {
			return name
		}
	}
	return "a client"
}

// checkBacklog verifies the fixed words of backlog against a run.
func checkBacklog(r *sockcall.Run) error {
	f := factsOf(r)
	var l claimList
	ls := f.firstIn("server", "listen", 1)
	l.want(ls != nil && ls.Args == "1" && ls.Errno == "", "the server calls listen(1) (%s)", describeCall(ls))
	c1, c2 := f.firstIn("client-1", "connect", 2), f.firstIn("client-2", "connect", 2)
	l.want(c1 != nil && c2 != nil && c1.Errno == "" && c2.Errno == "", "client-1 and client-2 connect in step 2 (%s, %s)", describeCall(c1), describeCall(c2))
	l.want(len(f.callsIn("server", "accept", 2))+len(f.callsIn("server", "accept", 3)) == 0, "the server accepts nothing before step 4")
	k, ok := listenerSample(f.firstIn("client-3", "socket", 3))
	l.want(ok && k.RecvQ == 2 && k.SendQ == 1, "the listener's Recv-Q is 2 and Send-Q 1 before client-3 connects (%+v)", k)

	conn, syns, synAck := backlogSYNs(f)
	l.want(conn != nil && synAck != nil, "client-3's connect succeeds and the capture shows its SYN/ACK (%s)", describeCall(f.call("client-3", "connect", 0)))
	retrans := 0
	for i, p := range syns {
		if i > 0 && p.Analysis.Flags&decode.ExpertRetransmission != 0 {
			retrans++
		}
	}
	l.want(len(syns) >= 2 && retrans == len(syns)-1, "client-3's SYN is retransmitted, each retransmission flagged (%d SYNs, %d flagged)", len(syns), retrans)
	if len(syns) >= 2 {
		gap := frameTime(syns[1]).Sub(frameTime(syns[0]))
		l.want(gap >= 900*time.Millisecond, "the first retransmission leaves about 1 s after the SYN (%s)", span(gap))
	}
	acc := f.callsIn("server", "accept", 4)
	l.want(len(acc) == 3 && c1 != nil && acc[0].Peer == c1.Local, "the server accepts three connections in step 4, client-1's first")
	if open, together := backlogOpen(f); len(acc) == 3 {
		l.want(len(open) == 3 && together, "with listen(1) the server holds all three connections open at once (accepted %d before its first close of step 5: %v)", len(open), together)
	}
	if conn != nil && len(acc) > 0 {
		l.want(callStart(conn).Before(callStart(acc[0])) && callEnd(conn).After(callEnd(acc[0])), "client-3's connect waits until after the first accept (%s, %s)", describeCall(conn), describeCall(acc[0]))
	}
	rst := f.packets(func(p *decode.Packet) bool { return p.IsTCP() && p.TCPFlags&decode.TCPRst != 0 })
	l.want(len(rst) == 0, "no RST (%d)", len(rst))
	return l.err("backlog")
}

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

// Where refused's calls go: ports nobody listens on or is bound to.
const (
	RefusedTCPAddr       = "127.0.0.1:7023"
	RefusedUDPAddr       = "127.0.0.1:7024" // the connected UDP socket's peer
	RefusedUnconnectAddr = "127.0.0.1:7025" // the unconnected sendto's
)

const (
	refusedTCPPort       = 7023
	refusedUDPPort       = 7024
	refusedUnconnectPort = 7025
)

// refusedPing is the datagram refused sends to the closed UDP ports.
var refusedPing = []byte("ping")

var refused = &Demo{
	Name:      "refused",
	Title:     "Connection refused: RST for TCP, ICMP port unreachable for UDP",
	TitleZH:   "连接被拒绝：TCP 收到 RST，UDP 收到 ICMP 端口不可达",
	Summary:   "connect to a port nobody listens on: SYN, RST/ACK, ECONNREFUSED (connect_ex returns 111). UDP: a connected socket's send draws an ICMP port unreachable and its next recv fails with ECONNREFUSED; an unconnected sendto draws the same ICMP and hears nothing.",
	SummaryZH: "connect 一个没人监听的端口：SYN、RST/ACK、ECONNREFUSED（connect_ex 返回 111）。UDP：已连接套接字的 send 招来 ICMP 端口不可达，下一次 recv 以 ECONNREFUSED 失败；未连接的 sendto 招来同样的 ICMP，却什么也听不到。",
	Steps: []Step{
		{
			Title:   "TCP: connect to a closed port, ECONNREFUSED",
			TitleZH: "TCP：connect 一个关闭的端口，ECONNREFUSED",
			Explain: "The client creates a TCP socket and calls s.connect(('127.0.0.1', 7023)); no socket listens on port 7023. " +
				"Its kernel sends a SYN, and the kernel at the other end, finding no listener, answers with RST/ACK instead of a SYN/ACK. " +
				"connect fails with ECONNREFUSED: Python raises ConnectionRefusedError: [Errno 111] Connection refused. " +
				"s.connect_ex(('127.0.0.1', 7023)) makes the same system call and returns the error number instead of raising: 111 (errno.ECONNREFUSED), where a successful connection returns 0. " +
				"The client closes the socket; there was never a connection, so nothing more goes on the wire.",
			ExplainZH: "客户端创建 TCP 套接字，调用 s.connect(('127.0.0.1', 7023))；端口 7023 上没有套接字在监听。" +
				"它的内核发出 SYN，对端内核找不到监听者，回的不是 SYN/ACK，而是 RST/ACK。" +
				"connect 以 ECONNREFUSED 失败：Python 抛出 ConnectionRefusedError: [Errno 111] Connection refused。" +
				"s.connect_ex(('127.0.0.1', 7023)) 做的是同一个系统调用，但不抛异常，而是返回错误号：111（errno.ECONNREFUSED）；连接成功时返回 0。" +
				"客户端关闭套接字；连接从未建立，所以网络上不再有任何东西。",
			Outcome: refusedTCP,
		},
		{
			Title:   "UDP, connected: ICMP port unreachable, then ECONNREFUSED",
			TitleZH: "已连接的 UDP：ICMP 端口不可达，然后 ECONNREFUSED",
			Explain: "The client creates a UDP socket and calls s.connect(('127.0.0.1', 7024)); for UDP, connect sends nothing: it only fixes the peer's address, so that s.send and s.recv need none. " +
				"s.send(b'ping') returns 4: the datagram leaves, and UDP has no handshake to find out whether anyone is there. " +
				"No socket is bound to port 7024, so the kernel there answers with an ICMP destination unreachable message, type 3 code 3 (port unreachable), which quotes the IP and UDP headers of the datagram it refuses. " +
				"Because the socket is connected, the client's kernel can tie that message to it and notes the error: once the ICMP message is in, the client's s.recv(1024) fails with ECONNREFUSED — ConnectionRefusedError: [Errno 111] Connection refused — though the send had succeeded. " +
				"The client closes the socket.",
			ExplainZH: "客户端创建 UDP 套接字，调用 s.connect(('127.0.0.1', 7024))。对 UDP 来说，connect 不发送任何东西：它只是把对端地址定下来，这样 s.send 和 s.recv 就不用再给地址。" +
				"s.send(b'ping') 返回 4：数据报发出去了，而 UDP 没有握手，无从知道对面有没有人。" +
				"端口 7024 上没有绑定任何套接字，于是那边的内核回一个 ICMP 目的不可达报文，类型 3、代码 3（端口不可达），里面引用了被拒绝的数据报的 IP 和 UDP 首部。" +
				"因为套接字已连接，客户端内核能把这个报文对应到它身上，并记下这个错误：ICMP 报文到达之后，客户端的 s.recv(1024) 以 ECONNREFUSED 失败——ConnectionRefusedError: [Errno 111] Connection refused——尽管 send 是成功的。" +
				"客户端关闭套接字。",
			Outcome: refusedUDPConnected,
		},
		{
			Title:   "UDP, unconnected: the same ICMP, and the socket hears nothing",
			TitleZH: "未连接的 UDP：同样的 ICMP，套接字却什么也听不到",
			Explain: "A new UDP socket, not connected, calls s.sendto(b'ping', ('127.0.0.1', 7025)); no socket is bound there either, and the same ICMP port unreachable comes back on the wire. " +
				"But an unconnected socket may send to any number of peers, and Linux does not report ICMP errors to it (unless it asks for them with the IP_RECVERR option). " +
				"Once the ICMP message is in, s.recvfrom(1024, socket.MSG_DONTWAIT) finds no datagram and fails with EAGAIN — BlockingIOError: [Errno 11] Resource temporarily unavailable — not with ECONNREFUSED. " +
				"A blocking recvfrom would wait for ever, and after s.settimeout(1.0) it would raise TimeoutError (socket.timeout): with UDP, only a connected socket learns that nobody is listening. " +
				"The client closes the socket.",
			ExplainZH: "一个新的、未连接的 UDP 套接字调用 s.sendto(b'ping', ('127.0.0.1', 7025))；那里同样没有绑定套接字，网络上同样回来一个 ICMP 端口不可达。" +
				"但未连接的套接字可以发给任意多个对端，Linux 不把 ICMP 错误报告给它（除非它用 IP_RECVERR 选项要求）。" +
				"ICMP 报文到达之后，s.recvfrom(1024, socket.MSG_DONTWAIT) 找不到数据报，以 EAGAIN 失败——BlockingIOError: [Errno 11] Resource temporarily unavailable——而不是 ECONNREFUSED。" +
				"阻塞的 recvfrom 会永远等下去；调用过 s.settimeout(1.0) 的话，它会抛出 TimeoutError（socket.timeout）：对 UDP 来说，只有已连接的套接字才知道对面没人监听。" +
				"客户端关闭套接字。",
			Outcome: refusedUDPUnconnected,
		},
	},
	Run:   runRefused,
	Check: checkRefused,
}

func runRefused(ctx context.Context, env *Env) error {
	g := newGroup(ctx)
	g.Go(func(ctx context.Context) error { // the client: three sockets, one after the other
		if err := env.Step(ctx, 1); err != nil {
			return err
		}
		c := env.NewSock(ctx, "client")
		defer c.Close()
		if err := c.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := c.Connect(RefusedTCPAddr); !errors.Is(err, unix.ECONNREFUSED) {
			return fmt.Errorf("client: connect to a closed port: %v, want ECONNREFUSED", err)
		}
		if err := c.Close(); err != nil {
			return err
		}

		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		u := env.NewSock(ctx, "client")
		defer u.Close()
		if err := u.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0); err != nil {
			return err
		}
		if err := u.Connect(RefusedUDPAddr); err != nil {
			return err
		}
		before := icmpUnreachIn()
		if _, err := u.Send(refusedPing); err != nil {
			return err
		}
		if err := u.awaitUnreach(before); err != nil {
			return err
		}
		if _, err := u.Recv(1024); !errors.Is(err, unix.ECONNREFUSED) {
			return fmt.Errorf("client: recv on the connected UDP socket: %v, want ECONNREFUSED", err)
		}
		if err := u.Close(); err != nil {
			return err
		}

		if err := env.Step(ctx, 3); err != nil {
			return err
		}
		v := env.NewSock(ctx, "client")
		defer v.Close()
		if err := v.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0); err != nil {
			return err
		}
		before = icmpUnreachIn()
		if _, err := v.Sendto(refusedPing, RefusedUnconnectAddr); err != nil {
			return err
		}
		if err := v.awaitUnreach(before); err != nil {
			return err
		}
		if _, _, _, err := v.RecvfromFlags(1024, unix.MSG_DONTWAIT); !errors.Is(err, unix.EAGAIN) {
			return fmt.Errorf("client: recvfrom on the unconnected UDP socket: %v, want EAGAIN", err)
		}
		return v.Close()
	})
	return g.Wait()
}

// awaitUnreach waits until the namespace has received the ICMP port
// unreachable that the datagram just sent draws (the count was before
// when it left): the lesson's next call is about what the socket makes of
// it.
func (s *Sock) awaitUnreach(before int) error {
	came, err := waitICMPUnreach(s.ctx, before, 2*time.Second)
	if err != nil {
		return s.fail("recv", err)
	}
	if !came {
		return fmt.Errorf("%s: no ICMP port unreachable came back within 2 s", s.Endpoint)
	}
	return nil
}

// refusedFacts are the landmarks of one refused run; nil where the run
// (so far) does not show them.
type refusedFacts struct {
	connect, closeTCP      *sockcall.Call
	udpConnect, send, recv *sockcall.Call
	sendto, recvfrom       *sockcall.Call
	syn, rstAck            *decode.Packet
	gram1, icmp1           *decode.Packet // the connected socket's datagram and its ICMP
	gram2, icmp2           *decode.Packet // the unconnected socket's
	others                 []*decode.Packet
}

// icmpUnreachFor reports whether p is an ICMP port unreachable quoting a
// UDP datagram from src's port to port (an unconnected socket's local
// address is 0.0.0.0: ports say which socket sent it).
func icmpUnreachFor(p *decode.Packet, src netip.AddrPort, port uint16) bool {
	q := &p.Quote
	return p.Has(decode.LayerICMPv4) && p.ICMPType == 3 && p.ICMPCode == 3 && q.Valid && q.Proto == 17 &&
		q.DstPort == port && src.Port() != 0 && q.SrcPort == src.Port()
}

func refusedOf(r *sockcall.Run) refusedFacts {
	f := factsOf(r)
	var p refusedFacts
	for _, c := range f.calls("client", "") {
		switch {
		case c.Op == "connect" && c.Proto == "tcp" && p.connect == nil:
			p.connect = c
		case c.Op == "close" && c.Proto == "tcp" && p.closeTCP == nil:
			p.closeTCP = c
		case c.Op == "connect" && c.Proto == "udp" && p.udpConnect == nil:
			p.udpConnect = c
		case c.Op == "send" && p.send == nil:
			p.send = c
		case c.Op == "recv" && p.recv == nil:
			p.recv = c
		case c.Op == "sendto" && p.sendto == nil:
			p.sendto = c
		case c.Op == "recvfrom" && p.recvfrom == nil:
			p.recvfrom = c
		}
	}
	// A refused connect leaves its socket without a local port
	// (getsockname says port 0): the connection is the first SYN's.
	udp1, udp2 := localOf(p.send), localOf(p.sendto)
	var tcpClient netip.AddrPort
	for i := range f.r.Packets {
		pk := &f.r.Packets[i]
		src, dst := addrOf(pk)
		switch {
		case p.syn == nil && pk.DstPort == refusedTCPPort && isTCPFlags(pk, decode.TCPSyn, decode.TCPAck):
			p.syn, tcpClient = pk, src
		case p.rstAck == nil && tcpClient.IsValid() && dst == tcpClient && pk.SrcPort == refusedTCPPort && isTCPFlags(pk, decode.TCPRst|decode.TCPAck, 0):
			p.rstAck = pk
		case pk.IsUDP() && udp1.Port() != 0 && src.Port() == udp1.Port() && pk.DstPort == refusedUDPPort && p.gram1 == nil:
			p.gram1 = pk
		case icmpUnreachFor(pk, udp1, refusedUDPPort) && p.icmp1 == nil:
			p.icmp1 = pk
		case pk.IsUDP() && udp2.Port() != 0 && src.Port() == udp2.Port() && pk.DstPort == refusedUnconnectPort && p.gram2 == nil:
			p.gram2 = pk
		case icmpUnreachFor(pk, udp2, refusedUnconnectPort) && p.icmp2 == nil:
			p.icmp2 = pk
		default:
			p.others = append(p.others, pk)
		}
	}
	return p
}

func refusedTCP(r *sockcall.Run) (en, zh string) {
	p := refusedOf(r)
	c := p.connect
	if c == nil || c.Errno == "" || p.syn == nil || p.rstAck == nil {
		return "", ""
	}
	n := errnoNumber(c.Errno)
	d := frameTime(p.rstAck).Sub(frameTime(p.syn))
	en = fmt.Sprintf("The SYN is frame %d and the RST/ACK frame %d, captured %s after it; connect failed with %s (errno %d, what connect_ex returns) in %s.",
		p.syn.Number, p.rstAck.Number, span(d), c.Errno, n, span(callEnd(c).Sub(callStart(c))))
	zh = fmt.Sprintf("SYN 是第 %d 帧，RST/ACK 是第 %d 帧，抓包时间晚 %s；connect 以 %s 失败（errno %d，也就是 connect_ex 的返回值），用时 %s。",
		p.syn.Number, p.rstAck.Number, span(d), c.Errno, n, span(callEnd(c).Sub(callStart(c))))
	return en, zh
}

func refusedUDPConnected(r *sockcall.Run) (en, zh string) {
	p := refusedOf(r)
	if p.send == nil || p.send.Ret < 0 || p.recv == nil || p.recv.Errno == "" || p.gram1 == nil || p.icmp1 == nil {
		return "", ""
	}
	q := p.icmp1.Quote
	quote := fmt.Sprintf("%s → %s", netip.AddrPortFrom(q.Src, q.SrcPort), netip.AddrPortFrom(q.Dst, q.DstPort))
	en = fmt.Sprintf("send returned %d and the datagram is frame %d; the ICMP port unreachable (type %d code %d) is frame %d, quoting UDP %s. recv failed with %s (errno %d) in %s.",
		p.send.Ret, p.gram1.Number, p.icmp1.ICMPType, p.icmp1.ICMPCode, p.icmp1.Number, quote, p.recv.Errno, errnoNumber(p.recv.Errno), span(callEnd(p.recv).Sub(callStart(p.recv))))
	zh = fmt.Sprintf("send 返回 %d，数据报是第 %d 帧；ICMP 端口不可达（类型 %d、代码 %d）是第 %d 帧，引用的是 UDP %s。recv 以 %s（errno %d）失败，用时 %s。",
		p.send.Ret, p.gram1.Number, p.icmp1.ICMPType, p.icmp1.ICMPCode, p.icmp1.Number, quote, p.recv.Errno, errnoNumber(p.recv.Errno), span(callEnd(p.recv).Sub(callStart(p.recv))))
	return en, zh
}

func refusedUDPUnconnected(r *sockcall.Run) (en, zh string) {
	p := refusedOf(r)
	if p.sendto == nil || p.sendto.Ret < 0 || p.recvfrom == nil || p.recvfrom.Errno == "" || p.gram2 == nil || p.icmp2 == nil {
		return "", ""
	}
	en = fmt.Sprintf("sendto returned %d and the datagram is frame %d; the ICMP port unreachable is frame %d. recvfrom(1024, MSG_DONTWAIT) failed with %s (errno %d): the socket was told nothing of the ICMP message.",
		p.sendto.Ret, p.gram2.Number, p.icmp2.Number, p.recvfrom.Errno, errnoNumber(p.recvfrom.Errno))
	zh = fmt.Sprintf("sendto 返回 %d，数据报是第 %d 帧；ICMP 端口不可达是第 %d 帧。recvfrom(1024, MSG_DONTWAIT) 以 %s（errno %d）失败：套接字对这个 ICMP 报文一无所知。",
		p.sendto.Ret, p.gram2.Number, p.icmp2.Number, p.recvfrom.Errno, errnoNumber(p.recvfrom.Errno))
	return en, zh
}

// checkRefused verifies the fixed words of refused against a run.
func checkRefused(r *sockcall.Run) error {
	p := refusedOf(r)
	var l claimList
	// Step 1: SYN, RST/ACK, ECONNREFUSED = 111; nothing more.
	l.want(p.connect != nil && p.connect.Errno == "ECONNREFUSED" && p.connect.Step == 1, "connect fails with ECONNREFUSED (%s)", describeCall(p.connect))
	l.want(errnoNumber("ECONNREFUSED") == 111, "ECONNREFUSED is errno 111 (%d)", errnoNumber("ECONNREFUSED"))
	l.want(p.syn != nil, "the client's kernel sends a SYN to port %d", refusedTCPPort)
	l.want(p.rstAck != nil && p.syn != nil && p.rstAck.Number > p.syn.Number && p.rstAck.Rel.Ack == 1,
		"the kernel answers the SYN with RST/ACK (SYN %s, RST/ACK %s)", frameNo(p.syn), frameNo(p.rstAck))
	l.want(p.closeTCP != nil && p.closeTCP.Errno == "", "the client closes the TCP socket (%s)", describeCall(p.closeTCP))
	// Step 2: connect sends nothing; send returns 4; ICMP 3/3 quoting it; recv ECONNREFUSED.
	l.want(p.udpConnect != nil && p.udpConnect.Errno == "" && p.udpConnect.Step == 2, "UDP connect succeeds (%s)", describeCall(p.udpConnect))
	l.want(p.send != nil && p.send.Ret == len(refusedPing), "send(b'ping') returns %d (%s)", len(refusedPing), describeCall(p.send))
	l.want(p.gram1 != nil && string(p.gram1.Payload) == string(refusedPing), "the datagram goes to port %d (%s)", refusedUDPPort, frameNo(p.gram1))
	l.want(p.icmp1 != nil && p.gram1 != nil && p.icmp1.Number > p.gram1.Number,
		"an ICMP port unreachable, type 3 code 3, quoting the datagram comes back (datagram %s, ICMP %s)", frameNo(p.gram1), frameNo(p.icmp1))
	l.want(p.recv != nil && p.recv.Errno == "ECONNREFUSED" && p.recv.Step == 2, "the connected socket's recv fails with ECONNREFUSED (%s)", describeCall(p.recv))
	// Step 3: sendto returns 4; the same ICMP; recvfrom EAGAIN.
	l.want(p.sendto != nil && p.sendto.Ret == len(refusedPing) && p.sendto.Step == 3, "sendto(b'ping') returns %d (%s)", len(refusedPing), describeCall(p.sendto))
	l.want(p.gram2 != nil && string(p.gram2.Payload) == string(refusedPing), "the datagram goes to port %d (%s)", refusedUnconnectPort, frameNo(p.gram2))
	l.want(p.icmp2 != nil && p.gram2 != nil && p.icmp2.Number > p.gram2.Number,
		"the same ICMP port unreachable comes back (datagram %s, ICMP %s)", frameNo(p.gram2), frameNo(p.icmp2))
	l.want(p.recvfrom != nil && p.recvfrom.Errno == "EAGAIN" && p.recvfrom.Flags == "MSG_DONTWAIT",
		"recvfrom(1024, MSG_DONTWAIT) fails with EAGAIN, not ECONNREFUSED (%s)", describeCall(p.recvfrom))
	// Nothing else on the wire: no packet from the UDP connect, none after the RST.
	l.want(len(p.others) == 0, "nothing else goes on the wire (frames %s)", frameList(p.others, false))
	return l.err("refused")
}

//go:build unix

package demos

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"

	"golang.org/x/sys/unix"
)

// Where ipv6's servers listen: the echo on ::1, and the dual-stack
// listener on every address, IPv6 and IPv4.
const (
	IPv6EchoAddr = "[::1]:7036"
	IPv6DualAddr = "[::]:7037"
	ipv6V4Target = "127.0.0.1:7037" // where the IPv4 client connects

	ipv6EchoPort = 7036
	ipv6DualPort = 7037
)

// ipv6Message is what the ipv6 client sends and gets back.
var ipv6Message = []byte("hello")

var ipv6Loopback = netip.IPv6Loopback()
var ipv6Mapped = netip.MustParseAddr("::ffff:127.0.0.1")

var ipv6 = &Demo{
	Name:      "ipv6",
	Title:     "IPv6: the echo over ::1, and a dual-stack server",
	TitleZH:   "IPv6：在 ::1 上回显，以及双栈服务器",
	Summary:   "socket(AF_INET6): addresses are (host, port, flowinfo, scope_id), the packets carry 40-byte IPv6 headers from ::1 to ::1; a listener with IPV6_V6ONLY off accepts an IPv4 client, whose address shows as ::ffff:127.0.0.1.",
	SummaryZH: "socket(AF_INET6)：地址是 (host, port, flowinfo, scope_id) 四元组，数据包带着 40 字节的 IPv6 首部从 ::1 到 ::1；关闭 IPV6_V6ONLY 的监听套接字接受一个 IPv4 客户端，它的地址显示为 ::ffff:127.0.0.1。",
	Steps: []Step{
		{
			Title:   "Server: socket(AF_INET6), bind(('::1', 7036)), listen",
			TitleZH: "服务器：socket(AF_INET6)、bind(('::1', 7036))、listen",
			Explain: "The server creates a TCP socket of the IPv6 family (Python: socket.socket(AF_INET6, SOCK_STREAM)), binds ::1, the IPv6 loopback address, port 7036, and calls listen(5). " +
				"An AF_INET6 address is a 4-tuple, (host, port, flowinfo, scope_id): s.bind(('::1', 7036)) fills in flowinfo and scope_id as 0, and s.getsockname() returns ('::1', 7036, 0, 0). " +
				"Written with its port, an IPv6 address goes in brackets, [::1]:7036, so that its colons are not taken for the port's. " +
				"Nothing appears on the wire.",
			ExplainZH: "服务器创建一个 IPv6 地址族的 TCP 套接字（Python：socket.socket(AF_INET6, SOCK_STREAM)），bind 到 IPv6 的环回地址 ::1、端口 7036，再调用 listen(5)。" +
				"AF_INET6 的地址是一个四元组 (host, port, flowinfo, scope_id)：s.bind(('::1', 7036)) 会把 flowinfo 和 scope_id 补成 0，s.getsockname() 返回 ('::1', 7036, 0, 0)。" +
				"IPv6 地址连同端口一起写时要加方括号，写成 [::1]:7036，免得地址里的冒号被当成端口的分隔符。" +
				"网络上没有任何数据包。",
		},
		{
			Title:   "Client: connect(('::1', 7036)) — the handshake in IPv6 packets",
			TitleZH: "客户端：connect(('::1', 7036))——IPv6 数据包里的三次握手",
			Explain: "The client creates an AF_INET6 socket and calls connect(('::1', 7036)); its kernel picks an ephemeral port on ::1, and SYN, SYN/ACK and ACK go from ::1 to ::1. " +
				"Each packet starts with an IPv6 header instead of an IPv4 one: version 6, 40 bytes long with no options (IPv4's is 20 or more), a 20-bit flow label, a hop limit instead of a TTL, and next header 6, TCP; the TCP segment inside is the same as over IPv4. " +
				"The server's accept returns the connection and the client's address as a 4-tuple, conn, addr = s.accept() with addr = ('::1', port, 0, 0): flowinfo is 0 although the packets may carry a flow label the kernel picked (an address reports one only to a socket that asks for flow labels), and scope_id is 0 because ::1 is not a link-local address (only an fe80:: address needs one: the number of the interface it belongs to).",
			ExplainZH: "客户端创建 AF_INET6 套接字，调用 connect(('::1', 7036))；它的内核在 ::1 上挑一个临时端口，SYN、SYN/ACK、ACK 都从 ::1 发往 ::1。" +
				"每个数据包开头是 IPv6 首部而不是 IPv4 首部：版本号 6，长度固定 40 字节、没有选项（IPv4 首部是 20 字节或更长），有一个 20 位的流标签（flow label），用跳数限制（hop limit）代替 TTL，下一个首部（next header）是 6，即 TCP；里面的 TCP 报文段与 IPv4 上的完全一样。" +
				"服务器的 accept 返回这个连接和客户端地址，地址也是四元组：conn, addr = s.accept()，addr = ('::1', port, 0, 0)，port 是客户端的临时端口。flowinfo 是 0，尽管数据包里可能带着内核自己选的流标签（只有要求使用流标签的套接字，地址里才会报告它）；scope_id 是 0，因为 ::1 不是链路本地地址（只有 fe80:: 开头的地址才需要 scope_id，也就是它所属网络接口的编号）。",
			Outcome: ipv6HandshakeOutcome,
		},
		{
			Title:   "Echo over ::1, then close",
			TitleZH: "在 ::1 上回显，然后关闭",
			Explain: "The client sends b\"hello\", the server's recv(1024) returns it and the server sends it back, and the client's recv gets it: the socket calls are the same as over IPv4, only the addresses differ. " +
				"The data segments and their ACKs are IPv6 packets too, from ::1 to ::1. " +
				"The client closes, the server's recv returns b'', and the server closes the connection and the listener: FIN and ACK both ways, over IPv6.",
			ExplainZH: "客户端发送 b\"hello\"，服务器的 recv(1024) 收到后原样发回，客户端的 recv 收到它：套接字调用和 IPv4 上完全一样，不同的只是地址。" +
				"报文段和它们的 ACK 也都是从 ::1 到 ::1 的 IPv6 数据包。" +
				"客户端关闭，服务器的 recv 返回 b''，服务器关闭连接和监听套接字：双向的 FIN 和 ACK，同样走 IPv6。",
		},
		{
			Title:   "Dual-stack server: IPV6_V6ONLY off, bind(('::', 7037))",
			TitleZH: "双栈服务器：关闭 IPV6_V6ONLY，bind(('::', 7037))",
			Explain: "A second server creates an AF_INET6 socket and calls s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0) before binding: with the option off, one IPv6 socket takes IPv4 connections as well. " +
				"Linux's default is off already (sysctl net.ipv6.bindv6only = 0), but other systems differ, so a server that means to be dual stack says so, as Python's socket.create_server(addr, family=AF_INET6, dualstack_ipv6=True) does. " +
				"It binds ::, the IPv6 \"any\" address (like 0.0.0.0 for IPv4), port 7037, and listens. Nothing appears on the wire.",
			ExplainZH: "第二个服务器创建 AF_INET6 套接字，在 bind 之前调用 s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0)：关掉这个选项后，一个 IPv6 套接字也能接受 IPv4 连接。" +
				"Linux 默认本来就是关闭的（sysctl net.ipv6.bindv6only = 0），但别的系统不一定，所以想做双栈的服务器要明确设置，Python 的 socket.create_server(addr, family=AF_INET6, dualstack_ipv6=True) 就是这样做的。" +
				"它 bind 到 ::（IPv6 的“任意地址”，相当于 IPv4 的 0.0.0.0）、端口 7037，然后 listen。网络上没有任何数据包。",
		},
		{
			Title:   "An IPv4 client: the peer is ::ffff:127.0.0.1",
			TitleZH: "IPv4 客户端：对端地址是 ::ffff:127.0.0.1",
			Explain: "An IPv4 client (socket.socket(AF_INET, SOCK_STREAM)) connects to ('127.0.0.1', 7037), and the handshake on the wire is plain IPv4, from 127.0.0.1 to 127.0.0.1. " +
				"The dual-stack socket accepts it, and its accept returns the client's address as an IPv4-mapped IPv6 address: ('::ffff:127.0.0.1', port, 0, 0), the IPv4 address behind the prefix ::ffff:0:0/96. " +
				"The same is true of the connection's own address, ::ffff:127.0.0.1 port 7037; a program that wants the plain IPv4 address strips the prefix (Python: ipaddress.IPv6Address(host).ipv4_mapped). " +
				"Both close.",
			ExplainZH: "一个 IPv4 客户端（socket.socket(AF_INET, SOCK_STREAM)）连接 ('127.0.0.1', 7037)，网络上的握手是普通的 IPv4，从 127.0.0.1 到 127.0.0.1。" +
				"双栈套接字接受了它，accept 返回的客户端地址是一个“IPv4 映射的 IPv6 地址”：('::ffff:127.0.0.1', port, 0, 0)，即前缀 ::ffff:0:0/96 后面跟着 IPv4 地址。" +
				"这个连接自己的地址也一样，是 ::ffff:127.0.0.1 端口 7037；程序想要纯 IPv4 地址，就要去掉这个前缀（Python：ipaddress.IPv6Address(host).ipv4_mapped）。" +
				"最后双方关闭。",
			Outcome: ipv6MappedOutcome,
		},
	},
	Run:   runIPv6,
	Check: checkIPv6,
}

// checkV6Peer verifies what the words say of an accepted AF_INET6 peer:
// flowinfo and scope_id are 0.
func checkV6Peer(conn *Sock) error {
	flow, scope, err := v6PeerExtra(conn.FD)
	if err != nil {
		return conn.fail("getpeername", err)
	}
	if flow != 0 || scope != 0 {
		return fmt.Errorf("%s: the accepted peer has flowinfo %d and scope_id %d, not 0 and 0", conn.Endpoint, flow, scope)
	}
	return nil
}

func runIPv6(ctx context.Context, env *Env) error {
	listening, accepted, echoed, closed, dualListening, dualConnected := newSignal(), newSignal(), newSignal(), newSignal(), newSignal(), newSignal()
	g := newGroup(ctx)

	g.Go(func(ctx context.Context) error { // the ::1 echo server
		if err := env.Step(ctx, 1); err != nil {
			return err
		}
		s := env.NewSock(ctx, "server")
		defer s.Close()
		if err := s.Socket(unix.AF_INET6, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := s.Bind(IPv6EchoAddr); err != nil {
			return err
		}
		if err := s.Listen(5); err != nil {
			return err
		}
		listening.fire()
		conn, _, err := s.Accept()
		if err != nil {
			return err
		}
		defer conn.Close()
		if err := checkV6Peer(conn); err != nil {
			return err
		}
		accepted.fire()
		data, err := conn.Recv(1024)
		if err != nil {
			return err
		}
		if err := conn.Sendall(data); err != nil {
			return err
		}
		if data, err = conn.Recv(1024); err != nil {
			return err
		}
		if len(data) != 0 {
			return fmt.Errorf("server: %q after the echo, want b''", data)
		}
		if err := conn.Close(); err != nil {
			return err
		}
		if err := s.Close(); err != nil {
			return err
		}
		closed.fire()
		return nil
	})

	g.Go(func(ctx context.Context) error { // the ::1 client
		if err := listening.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		c := env.NewSock(ctx, "client")
		defer c.Close()
		if err := c.Socket(unix.AF_INET6, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := c.Connect(IPv6EchoAddr); err != nil {
			return err
		}
		// Step 3 once the server's accept has returned too.
		if err := accepted.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 3); err != nil {
			return err
		}
		if _, err := c.Send(ipv6Message); err != nil {
			return err
		}
		if err := c.recvEcho(ipv6Message); err != nil {
			return err
		}
		echoed.fire()
		return c.Close()
	})

	g.Go(func(ctx context.Context) error { // the dual-stack server
		if err := closed.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 4); err != nil {
			return err
		}
		s := env.NewSock(ctx, "dual-server")
		defer s.Close()
		if err := s.Socket(unix.AF_INET6, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := s.SetV6Only(0); err != nil {
			return err
		}
		if err := s.Bind(IPv6DualAddr); err != nil {
			return err
		}
		if err := s.Listen(5); err != nil {
			return err
		}
		dualListening.fire()
		conn, _, err := s.Accept()
		if err != nil {
			return err
		}
		defer conn.Close()
		if err := checkV6Peer(conn); err != nil {
			return err
		}
		if err := dualConnected.wait(ctx); err != nil {
			return err
		}
		if err := conn.Close(); err != nil {
			return err
		}
		return s.Close()
	})

	g.Go(func(ctx context.Context) error { // the IPv4 client
		if err := echoed.wait(ctx); err != nil {
			return err
		}
		if err := dualListening.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 5); err != nil {
			return err
		}
		c := env.NewSock(ctx, "ipv4-client")
		defer c.Close()
		if err := c.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := c.Connect(ipv6V4Target); err != nil {
			return err
		}
		err := c.Close()
		dualConnected.fire()
		return err
	})
	return g.Wait()
}

// ipv6Facts are the landmarks of one ipv6 run.
type ipv6Facts struct {
	connect, accept     *sockcall.Call // over ::1
	connect4, accept4   *sockcall.Call // the IPv4 client, the dual-stack server
	echo, dual          *tcpConn
	echoFrames, v4Frame []*decode.Packet // every frame on port 7036, on port 7037
}

func ipv6Of(r *sockcall.Run) ipv6Facts {
	f := factsOf(r)
	p := ipv6Facts{
		connect:  f.call("client", "connect", 0),
		accept:   f.call("server", "accept", 0),
		connect4: f.call("ipv4-client", "connect", 0),
		accept4:  f.call("dual-server", "accept", 0),
	}
	p.echoFrames = f.packets(func(p *decode.Packet) bool {
		return p.IsTCP() && (p.SrcPort == ipv6EchoPort || p.DstPort == ipv6EchoPort)
	})
	p.v4Frame = f.packets(func(p *decode.Packet) bool {
		return p.IsTCP() && (p.SrcPort == ipv6DualPort || p.DstPort == ipv6DualPort)
	})
	if p.connect != nil && p.connect.Ret == 0 {
		p.echo = f.tcpConn(p.connect.Local, netip.MustParseAddrPort(IPv6EchoAddr))
	}
	if p.connect4 != nil && p.connect4.Ret == 0 {
		p.dual = f.tcpConn(p.connect4.Local, netip.MustParseAddrPort(ipv6V4Target))
	}
	return p
}

// pyAddr6 writes an AF_INET6 address as Python shows it, flowinfo and
// scope_id 0 (what the lesson checks as it runs).
func pyAddr6(a netip.AddrPort) string {
	return fmt.Sprintf("('%s', %d, 0, 0)", a.Addr(), a.Port())
}

func ipv6HandshakeOutcome(r *sockcall.Run) (en, zh string) {
	p := ipv6Of(r)
	c := p.echo
	if p.accept == nil || p.accept.Ret < 0 || !c.handshake() {
		return "", ""
	}
	flowEN, flowZH := "this run's SYN carries no flow label (0).", "这次 SYN 没有流标签（0）。"
	if c.syn.IPv6Flow != 0 {
		flowEN = fmt.Sprintf("this run's SYN carries flow label 0x%05x, one the kernel picked for the connection, while the address's flowinfo stayed 0.", c.syn.IPv6Flow)
		flowZH = fmt.Sprintf("这次 SYN 的流标签是 0x%05x，是内核为这个连接选的，而地址里的 flowinfo 仍是 0。", c.syn.IPv6Flow)
	}
	en = fmt.Sprintf("accept returned addr = %s. The handshake is frames %d, %d and %d, each a %d-byte IPv6 header (next header %d, hop limit %d) before its TCP segment; %s",
		pyAddr6(p.accept.Peer), c.syn.Number, c.synAck.Number, c.hsAck.Number, c.syn.IPHdrLen, c.syn.IPv6Next, c.syn.TTL, flowEN)
	zh = fmt.Sprintf("accept 返回 addr = %s。握手是第 %d、%d、%d 帧，每帧在 TCP 报文段之前都是 %d 字节的 IPv6 首部（下一个首部 %d，跳数限制 %d）；%s",
		pyAddr6(p.accept.Peer), c.syn.Number, c.synAck.Number, c.hsAck.Number, c.syn.IPHdrLen, c.syn.IPv6Next, c.syn.TTL, flowZH)
	return en, zh
}

func ipv6MappedOutcome(r *sockcall.Run) (en, zh string) {
	p := ipv6Of(r)
	c := p.dual
	if p.accept4 == nil || p.accept4.Ret < 0 || p.connect4 == nil || !c.handshake() {
		return "", ""
	}
	en = fmt.Sprintf("The IPv4 client is %s; the dual-stack accept returned addr = %s. The handshake is frames %d, %d and %d, with %d-byte IPv4 headers.",
		p.connect4.Local, pyAddr6(p.accept4.Peer), c.syn.Number, c.synAck.Number, c.hsAck.Number, c.syn.IPHdrLen)
	zh = fmt.Sprintf("IPv4 客户端是 %s；双栈的 accept 返回 addr = %s。握手是第 %d、%d、%d 帧，IPv4 首部 %d 字节。",
		p.connect4.Local, pyAddr6(p.accept4.Peer), c.syn.Number, c.synAck.Number, c.hsAck.Number, c.syn.IPHdrLen)
	return en, zh
}

// checkIPv6 verifies the fixed words of ipv6 against a run.
func checkIPv6(r *sockcall.Run) error {
	f := factsOf(r)
	p := ipv6Of(r)
	var l claimList
	echoAddr, dualAddr := netip.MustParseAddrPort(IPv6EchoAddr), netip.MustParseAddrPort(IPv6DualAddr)

	// Step 1.
	sock, bind, listen := f.call("server", "socket", 0), f.call("server", "bind", 0), f.call("server", "listen", 0)
	l.want(sock != nil && sock.Args == "AF_INET6, SOCK_STREAM" && sock.Proto == "tcp", "the server creates an AF_INET6 TCP socket (%s)", describeCall(sock))
	l.want(bind != nil && bind.Ret == 0 && bind.Local == echoAddr && bind.Step == 1, "the server binds [::1]:7036 (%s, local %v)", describeCall(bind), localOf(bind))
	l.want(listen != nil && listen.Ret == 0 && listen.Step == 1, "the server listens (%s)", describeCall(listen))

	// Step 2: connect from ::1, accept's peer is the client, IPv6 on the wire.
	l.want(p.connect != nil && p.connect.Ret == 0 && p.connect.Step == 2 && p.connect.Local.Addr() == ipv6Loopback && p.connect.Local.Port() != 0 && p.connect.Peer == echoAddr,
		"the client connects from an ephemeral port on ::1 to [::1]:7036 (%s, %v → %v)", describeCall(p.connect), localOf(p.connect), peerOf(p.connect))
	l.want(p.accept != nil && p.accept.Ret > 0 && p.accept.Step == 2 && p.connect != nil && p.accept.Peer == p.connect.Local && p.accept.Peer.Addr().Zone() == "",
		"accept returns the client's address, ::1 with no scope (%s, peer %v)", describeCall(p.accept), peerOf(p.accept))
	l.want(p.echo.handshake(), "SYN, SYN/ACK and ACK go from ::1 to ::1 (%d frames on port %d)", len(p.echoFrames), ipv6EchoPort)
	for _, fr := range p.echoFrames {
		l.want(fr.IPVersion == 6 && fr.Has(decode.LayerIPv6) && fr.Src == ipv6Loopback && fr.Dst == ipv6Loopback && fr.IPHdrLen == 40 && fr.IPv6Next == 6 && fr.IPProto == 6,
			"every packet on port %d has a 40-byte IPv6 header from ::1 to ::1, next header 6 (%s: IPv%d %v → %v, header %d, next %d)",
			ipv6EchoPort, frameNo(fr), fr.IPVersion, fr.Src, fr.Dst, fr.IPHdrLen, fr.IPv6Next)
	}

	// Step 3: the echo.
	send, recv, back := f.call("client", "send", 0), f.call("server", "recv", 0), f.calls("client", "recv")
	l.want(send != nil && send.Ret == len(ipv6Message) && send.Step == 3, "the client sends b\"hello\" (%s)", describeCall(send))
	l.want(recv != nil && string(recv.Data) == string(ipv6Message), "the server's recv(1024) returns it (%s)", describeCall(recv))
	l.want(string(dataOf(back)) == string(ipv6Message), "the client's recv gets it back (%q)", dataOf(back))
	eof := f.call("server", "recv", 1)
	l.want(eof != nil && eof.Ret == 0, "the server's recv returns b'' after the client's close (%s)", describeCall(eof))
	l.want(p.echo != nil && p.echo.clientFin != nil && p.echo.serverFin != nil, "FIN both ways over IPv6 (client FIN %s, server FIN %s)", frameNoFin(p.echo, true), frameNoFin(p.echo, false))

	// Step 4: the dual-stack listener.
	opt, bind4, listen4 := f.call("dual-server", "setsockopt", 0), f.call("dual-server", "bind", 0), f.call("dual-server", "listen", 0)
	sock4 := f.call("dual-server", "socket", 0)
	l.want(sock4 != nil && sock4.Args == "AF_INET6, SOCK_STREAM", "the second server's socket is AF_INET6 (%s)", describeCall(sock4))
	l.want(opt != nil && opt.Ret == 0 && opt.Args == "IPPROTO_IPV6, IPV6_V6ONLY, 0" && bind4 != nil && opt.Number < bind4.Number && opt.Step == 4,
		"setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0) before bind (%s)", describeCall(opt))
	l.want(bind4 != nil && bind4.Ret == 0 && bind4.Local == dualAddr, "it binds [::]:7037 (%s, local %v)", describeCall(bind4), localOf(bind4))
	l.want(listen4 != nil && listen4.Ret == 0, "it listens (%s)", describeCall(listen4))

	// Step 5: the IPv4 client, seen as ::ffff:127.0.0.1.
	csock := f.call("ipv4-client", "socket", 0)
	l.want(csock != nil && csock.Args == "AF_INET, SOCK_STREAM", "the client is IPv4 (%s)", describeCall(csock))
	l.want(p.connect4 != nil && p.connect4.Ret == 0 && p.connect4.Step == 5 && p.connect4.Local.Addr() == netip.AddrFrom4([4]byte{127, 0, 0, 1}),
		"the IPv4 client connects to 127.0.0.1:7037 (%s, from %v)", describeCall(p.connect4), localOf(p.connect4))
	l.want(p.accept4 != nil && p.accept4.Ret > 0 && p.connect4 != nil && p.accept4.Peer.Addr() == ipv6Mapped && p.accept4.Peer.Port() == p.connect4.Local.Port(),
		"the dual-stack accept returns the client as ::ffff:127.0.0.1 (%s, peer %v)", describeCall(p.accept4), peerOf(p.accept4))
	l.want(p.accept4 != nil && p.accept4.Local == netip.AddrPortFrom(ipv6Mapped, ipv6DualPort),
		"the connection's own address is ::ffff:127.0.0.1 port 7037 (local %v)", localOf(p.accept4))
	l.want(p.dual.handshake(), "the handshake on port %d is on the wire (%d frames)", ipv6DualPort, len(p.v4Frame))
	for _, fr := range p.v4Frame {
		l.want(fr.IPVersion == 4 && fr.Src.Is4() && fr.Dst.Is4() && fr.Src == netip.AddrFrom4([4]byte{127, 0, 0, 1}) && fr.Dst == fr.Src,
			"every packet on port %d is plain IPv4 from 127.0.0.1 to 127.0.0.1 (%s: IPv%d %v → %v)", ipv6DualPort, frameNo(fr), fr.IPVersion, fr.Src, fr.Dst)
	}
	closes := len(f.calls("dual-server", "close")) + len(f.calls("ipv4-client", "close"))
	l.want(closes == 3, "both close (%d closes)", closes)
	return l.err("ipv6")
}

// frameNoFin names a connection's FIN from the client (or the server).
func frameNoFin(c *tcpConn, client bool) string {
	if c == nil {
		return "none"
	}
	if client {
		return frameNo(c.clientFin)
	}
	return frameNo(c.serverFin)
}

//go:build unix

package demos

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"

	"golang.org/x/sys/unix"
)

// SeqpacketSocketName is the socket file socket-types binds, in Env.Dir.
const SeqpacketSocketName = "seqpacket.sock"

// What socket-types' raw socket sends: an echo request with this id,
// sequence number and payload, to 127.0.0.1.
const (
	rawEchoID  = 0x5353
	rawEchoSeq = 1
	rawEchoTo  = "127.0.0.1:0"
)

var rawEchoPayload = []byte("sockscope ping")

var socketTypes = &Demo{
	Name:      "socket-types",
	Title:     "Other socket types: SOCK_SEQPACKET and SOCK_RAW",
	TitleZH:   "其他套接字类型：SOCK_SEQPACKET 和 SOCK_RAW",
	Summary:   "SOCK_SEQPACKET over AF_UNIX is connected and reliable like a stream, but each recv returns one whole send; a SOCK_RAW socket sends an ICMP echo request built by hand, and the kernel's echo reply comes back on the wire and is read with its IP header.",
	SummaryZH: "AF_UNIX 上的 SOCK_SEQPACKET 像字节流一样有连接、可靠，但每次 recv 返回一次完整的 send；SOCK_RAW 套接字发送手工构造的 ICMP 回显请求，内核的回显应答出现在线路上，连同 IP 首部一起被读回。",
	Steps: []Step{
		{
			Title:   "SOCK_SEQPACKET: bind, listen, connect, accept",
			TitleZH: "SOCK_SEQPACKET：bind、listen、connect、accept 建立连接",
			Explain: "The server creates socket.socket(AF_UNIX, SOCK_SEQPACKET), binds a socket file and listens; the client creates the same kind of socket and connects to the file, and accept returns the connection. " +
				"The calls are those of a stream socket: SOCK_SEQPACKET is connected and reliable, and delivers in order. " +
				"Over AF_UNIX nothing goes on the wire.",
			ExplainZH: "服务器创建 socket.socket(AF_UNIX, SOCK_SEQPACKET)，bind 到一个套接字文件并 listen；客户端创建同类套接字，connect 到这个文件，accept 返回这个连接。" +
				"这些调用和字节流套接字一模一样：SOCK_SEQPACKET 有连接、可靠、按序送达。" +
				"走 AF_UNIX，线路上什么也没有。",
		},
		{
			Title:   "Client: three send() calls",
			TitleZH: "客户端：三次 send()",
			Explain: "The client sends the three messages tcp-echo sent: b\"hello\", \"你好\".encode() and b\"world\", one send each. " +
				"Each send hands the server's socket one message, and by the time it returns the message waits in the server's receive queue: all three are there before the server reads.",
			ExplainZH: "客户端发送 tcp-echo 发过的三条消息：b\"hello\"、\"你好\".encode() 和 b\"world\"，每条一次 send。" +
				"每次 send 把一条消息交给服务器的套接字，send 返回时这条消息已经在服务器的接收队列里等着：服务器开始读之前，三条都到了。",
		},
		{
			Title:   "Server: one recv(1024) per send — boundaries kept",
			TitleZH: "服务器：一次 send 对应一次 recv(1024)——保留边界",
			Explain: "The server calls recv(1024) three times and gets 5, 6, then 5 bytes: one whole message per call, although all 16 bytes were waiting and the buffer had room for them. " +
				"Over SOCK_STREAM (unix-stream, tcp-echo) one recv returned all 16 bytes, the 粘包 of a byte stream; SOCK_SEQPACKET keeps the boundaries like UDP while staying connected and reliable. " +
				"The client closes, the server's next recv returns b'', and the server closes the connection and the listener.",
			ExplainZH: "服务器调用三次 recv(1024)，依次得到 5、6、5 个字节：每次一条完整的消息，尽管 16 个字节都在等着，缓冲区也放得下。" +
				"在 SOCK_STREAM 上（unix-stream、tcp-echo）一次 recv 就拿到了全部 16 个字节，这就是字节流的“粘包”；SOCK_SEQPACKET 像 UDP 一样保留边界，同时仍然有连接、可靠。" +
				"客户端关闭，服务器的下一次 recv 返回 b''，服务器关闭连接和监听套接字。",
			Outcome: seqpacketOutcome,
		},
		{
			Title:   "SOCK_RAW: an ICMP echo request built by hand",
			TitleZH: "SOCK_RAW：手工构造的 ICMP 回显请求",
			Explain: "A pinger creates socket.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), which needs root or CAP_NET_RAW: the lab's own network namespace gives it, without root on the host. " +
				"It builds what ping sends, an ICMP echo request: type 8, code 0, the Internet checksum it computes itself, an id (0x5353), a sequence number (1) and b\"sockscope ping\". " +
				"sendto(packet, ('127.0.0.1', 0)) sends it (a raw socket has no ports; the 0 is ignored) and the kernel puts the IPv4 header, protocol 1, in front: the request is on the wire.",
			ExplainZH: "ping 程序创建 socket.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)，这需要 root 或 CAP_NET_RAW：实验室自己的网络命名空间给了它这个权限，宿主机上并不需要 root。" +
				"它自己构造 ping 发送的东西——ICMP 回显请求：类型 8、代码 0、自己算出的互联网校验和、标识符（0x5353）、序号（1），以及 b\"sockscope ping\"。" +
				"sendto(packet, ('127.0.0.1', 0)) 把它发出去（原始套接字没有端口，这个 0 会被忽略），内核在前面加上 IPv4 首部（协议号 1）：请求出现在线路上。",
		},
		{
			Title:   "The kernel's echo reply, read back with its IP header",
			TitleZH: "内核的回显应答，连同 IP 首部读回",
			Explain: "No program answers the request: the kernel's ICMP code does, with an echo reply, type 0, carrying the same id, sequence number and payload back. " +
				"A raw ICMP socket receives a copy of every ICMP message the host receives, and each recvfrom(1024) returns the whole IP packet, the 20-byte IPv4 header first, from ('127.0.0.1', 0). " +
				"So the pinger reads until it finds type 0 with its own id and sequence number, as ping does, and closes the socket.",
			ExplainZH: "没有哪个程序回应这个请求：是内核的 ICMP 代码回的，发出回显应答，类型 0，带回同样的标识符、序号和数据。" +
				"原始 ICMP 套接字会收到主机收到的每一个 ICMP 报文的副本，每次 recvfrom(1024) 返回整个 IP 数据包，前面是 20 字节的 IPv4 首部，来源是 ('127.0.0.1', 0)。" +
				"所以 ping 程序一直读，直到找到类型 0、标识符和序号都是自己的那个，和 ping 的做法一样，然后关闭套接字。",
			Outcome: rawEchoOutcome,
		},
	},
	Run:   runSocketTypes,
	Check: checkSocketTypes,
}

// icmpOf splits what a raw ICMP socket read into the ICMP message after
// the IPv4 header (nil if it is not one).
func icmpOf(pkt []byte) []byte {
	if len(pkt) < 20 || pkt[0]>>4 != 4 {
		return nil
	}
	hl := int(pkt[0]&0x0f) * 4
	if hl < 20 || len(pkt) < hl+8 || pkt[9] != unix.IPPROTO_ICMP {
		return nil
	}
	return pkt[hl:]
}

// isRawEchoReply reports whether pkt, read from the raw socket, is the
// reply to the lesson's request.
func isRawEchoReply(pkt []byte) bool {
	m := icmpOf(pkt)
	return m != nil && m[0] == 0 && m[1] == 0 && binary.BigEndian.Uint16(m[4:]) == rawEchoID &&
		binary.BigEndian.Uint16(m[6:]) == rawEchoSeq && bytes.Equal(m[8:], rawEchoPayload)
}

func runSocketTypes(ctx context.Context, env *Env) error {
	dir := env.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "sockscope-seqpacket-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	path := filepath.Join(dir, SeqpacketSocketName)
	listening, accepted, sent, read, closed, done := newSignal(), newSignal(), newSignal(), newSignal(), newSignal(), newSignal()
	g := newGroup(ctx)

	g.Go(func(ctx context.Context) error { // the SOCK_SEQPACKET server
		if err := env.Step(ctx, 1); err != nil {
			return err
		}
		s := env.NewSock(ctx, "server")
		defer s.Close()
		defer os.Remove(path)
		if err := s.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET, 0); err != nil {
			return err
		}
		if err := s.Bind(path); err != nil {
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
		accepted.fire()
		if err := sent.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 3); err != nil {
			return err
		}
		for _, m := range EchoMessages {
			data, err := conn.Recv(1024)
			if err != nil {
				return err
			}
			if string(data) != m {
				return fmt.Errorf("server: recv %q, want the message %q", data, m)
			}
		}
		read.fire()
		if err := closed.wait(ctx); err != nil {
			return err
		}
		data, err := conn.Recv(1024)
		if err != nil {
			return err
		}
		if len(data) != 0 {
			return fmt.Errorf("server: %q after the client's close, want b''", data)
		}
		if err := conn.Close(); err != nil {
			return err
		}
		if err := s.Close(); err != nil {
			return err
		}
		done.fire()
		return nil
	})

	g.Go(func(ctx context.Context) error { // the SOCK_SEQPACKET client
		if err := listening.wait(ctx); err != nil {
			return err
		}
		c := env.NewSock(ctx, "client")
		defer c.Close()
		if err := c.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET, 0); err != nil {
			return err
		}
		if err := c.Connect(path); err != nil {
			return err
		}
		if err := accepted.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		for _, m := range EchoMessages {
			if _, err := c.Send([]byte(m)); err != nil {
				return err
			}
		}
		sent.fire()
		if err := read.wait(ctx); err != nil { // close once the server has read the three
			return err
		}
		err := c.Close()
		closed.fire()
		return err
	})

	g.Go(func(ctx context.Context) error { // the pinger
		if err := done.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 4); err != nil {
			return err
		}
		p := env.NewSock(ctx, "pinger")
		defer p.Close()
		if err := p.SocketRawICMP(); err != nil {
			return err
		}
		if _, err := p.Sendto(icmpEcho(rawEchoID, rawEchoSeq, rawEchoPayload), rawEchoTo); err != nil {
			return err
		}
		if err := env.Step(ctx, 5); err != nil {
			return err
		}
		for i := 0; ; i++ {
			pkt, _, err := p.Recvfrom(1024)
			if err != nil {
				return err
			}
			if isRawEchoReply(pkt) {
				break
			}
			if i >= 8 {
				return fmt.Errorf("pinger: no echo reply in %d reads", i+1)
			}
		}
		return p.Close()
	})
	return g.Wait()
}

// socketTypesFacts are the landmarks of one socket-types run.
type socketTypesFacts struct {
	recvs          []*sockcall.Call // the server's recv calls
	sendto         *sockcall.Call   // the pinger's echo request
	reads          []*sockcall.Call // the pinger's recvfrom calls
	request, reply *decode.Packet   // on the wire
}

func socketTypesOf(r *sockcall.Run) socketTypesFacts {
	f := factsOf(r)
	p := socketTypesFacts{recvs: f.calls("server", "recv"), sendto: f.call("pinger", "sendto", 0), reads: f.calls("pinger", "recvfrom")}
	for _, fr := range f.packets(func(p *decode.Packet) bool { return p.Has(decode.LayerICMPv4) }) {
		switch {
		case fr.ICMPType == 8 && p.request == nil:
			p.request = fr
		case fr.ICMPType == 0 && p.reply == nil:
			p.reply = fr
		}
	}
	return p
}

func seqpacketOutcome(r *sockcall.Run) (en, zh string) {
	p := socketTypesOf(r)
	if len(p.recvs) < len(EchoMessages) {
		return "", ""
	}
	var sizes, queued []int
	for _, c := range p.recvs[:len(EchoMessages)] {
		if c.Ret < 0 {
			return "", ""
		}
		sizes = append(sizes, c.Ret)
		queued = append(queued, c.RecvQ)
	}
	return fmt.Sprintf("The three recv(1024) calls returned %s bytes. Recv-Q (SIOCINQ) right after each: %s — for an AF_UNIX SOCK_SEQPACKET socket the bytes of all the messages still waiting, yet each recv took only one.", intList(sizes, false), intList(queued, false)),
		fmt.Sprintf("三次 recv(1024) 依次返回 %s 个字节。每次刚返回时的 Recv-Q（SIOCINQ）：%s——对 AF_UNIX 的 SOCK_SEQPACKET 套接字来说，这是所有待读消息的字节总数，可每次 recv 只取走一条。", intList(sizes, true), intList(queued, true))
}

func rawEchoOutcome(r *sockcall.Run) (en, zh string) {
	p := socketTypesOf(r)
	if p.request == nil || p.reply == nil || len(p.reads) == 0 || !isRawEchoReply(p.reads[len(p.reads)-1].Data) {
		return "", ""
	}
	var kinds, kindsZH []string
	for _, c := range p.reads {
		m := icmpOf(c.Data)
		if m == nil {
			kinds, kindsZH = append(kinds, fmt.Sprintf("%d bytes", c.Ret)), append(kindsZH, fmt.Sprintf("%d 字节", c.Ret))
			continue
		}
		switch m[0] {
		case 8:
			kinds, kindsZH = append(kinds, fmt.Sprintf("its own request (type 8, %d bytes)", c.Ret)), append(kindsZH, fmt.Sprintf("它自己的请求（类型 8，%d 字节）", c.Ret))
		case 0:
			kinds, kindsZH = append(kinds, fmt.Sprintf("the reply (type 0, %d bytes)", c.Ret)), append(kindsZH, fmt.Sprintf("应答（类型 0，%d 字节）", c.Ret))
		default:
			kinds, kindsZH = append(kinds, fmt.Sprintf("type %d (%d bytes)", m[0], c.Ret)), append(kindsZH, fmt.Sprintf("类型 %d（%d 字节）", m[0], c.Ret))
		}
	}
	en = fmt.Sprintf("The request is frame %d and the kernel's reply frame %d. The pinger's %s returned %s.",
		p.request.Number, p.reply.Number, countWord(len(p.reads))+" recvfrom call"+map[bool]string{true: "s", false: ""}[len(p.reads) != 1], joinList(kinds, false))
	zh = fmt.Sprintf("请求是第 %d 帧，内核的应答是第 %d 帧。ping 程序的 %d 次 recvfrom 依次返回%s。",
		p.request.Number, p.reply.Number, len(p.reads), joinList(kindsZH, true))
	return en, zh
}

// checkSocketTypes verifies the fixed words of socket-types against a run.
func checkSocketTypes(r *sockcall.Run) error {
	f := factsOf(r)
	p := socketTypesOf(r)
	var l claimList
	loop := netip.AddrFrom4([4]byte{127, 0, 0, 1})

	// Steps 1–3: SOCK_SEQPACKET.
	for _, ep := range []string{"server", "client"} {
		c := f.call(ep, "socket", 0)
		l.want(c != nil && c.Args == "AF_UNIX, SOCK_SEQPACKET" && c.Ret >= 0, "the %s's socket is AF_UNIX, SOCK_SEQPACKET (%s)", ep, describeCall(c))
	}
	conn, acc := f.call("client", "connect", 0), f.call("server", "accept", 0)
	l.want(conn != nil && conn.Ret == 0 && acc != nil && acc.Ret > 0, "connect and accept succeed (%s, %s)", describeCall(conn), describeCall(acc))
	sends := f.calls("client", "send")
	l.want(len(sends) == len(EchoMessages), "the client sends three times (%d sends)", len(sends))
	for i, s := range sends {
		if i < len(EchoMessages) {
			l.want(s.Ret == len(EchoMessages[i]) && string(s.Data) == EchoMessages[i] && s.Step == 2, "send %d sends %q (%s)", i+1, EchoMessages[i], describeCall(s))
		}
	}
	if len(sends) == len(EchoMessages) && acc != nil {
		// All three waiting before the first recv: the server's socket
		// held all 16 bytes right after the last send.
		s, ok := sampleAfter(sends[len(sends)-1], "server", acc.Ret)
		l.want(!ok || s.RecvQ == echoTotal(), "all three messages wait before the server reads (the server's Recv-Q %d after the last send, want all %d bytes)", s.RecvQ, echoTotal())
	}
	l.want(len(p.recvs) == len(EchoMessages)+1, "three recv calls and the one that returns b'' (%d recv calls)", len(p.recvs))
	for i, c := range p.recvs {
		switch {
		case i < len(EchoMessages):
			l.want(c.Len == 1024 && c.Ret == len(EchoMessages[i]) && string(c.Data) == EchoMessages[i] && c.Step == 3, "recv(1024) %d returns one whole message, %q (%s)", i+1, EchoMessages[i], describeCall(c))
		case i == len(EchoMessages):
			l.want(c.Ret == 0, "after the client's close recv returns b'' (%s)", describeCall(c))
		}
	}
	for i := range f.r.Packets {
		fr := &f.r.Packets[i]
		l.want(fr.Has(decode.LayerICMPv4), "over AF_UNIX nothing goes on the wire: every frame is the ping's (%s)", frameNo(fr))
	}

	// Steps 4–5: SOCK_RAW.
	sock := f.call("pinger", "socket", 0)
	l.want(sock != nil && sock.Args == "AF_INET, SOCK_RAW, IPPROTO_ICMP" && sock.Ret >= 0 && sock.Step == 4, "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) succeeds in the lab (%s)", describeCall(sock))
	want := icmpEcho(rawEchoID, rawEchoSeq, rawEchoPayload)
	l.want(p.sendto != nil && p.sendto.Ret == len(want) && bytes.Equal(p.sendto.Data, want) && p.sendto.Peer == netip.AddrPortFrom(loop, 0),
		"sendto sends the echo request built by hand to ('127.0.0.1', 0) (%s)", describeCall(p.sendto))
	l.want(p.request != nil && p.request.ICMPCode == 0 && p.request.Src == loop && p.request.Dst == loop && p.request.IPProto == 1 && p.request.IPHdrLen == 20,
		"the request is on the wire: type 8 code 0, IPv4 protocol 1, 127.0.0.1 (%s)", frameNo(p.request))
	l.want(p.reply != nil && p.request != nil && p.reply.Number > p.request.Number && p.reply.ICMPCode == 0 && p.reply.Src == loop && p.reply.Dst == loop,
		"the kernel's echo reply, type 0, follows on the wire (request %s, reply %s)", frameNo(p.request), frameNo(p.reply))
	var last *sockcall.Call
	if len(p.reads) > 0 {
		last = p.reads[len(p.reads)-1]
	}
	l.want(last != nil && isRawEchoReply(last.Data) && last.Step == 5, "the pinger reads the reply: type 0 with its id, sequence number and payload (%s)", describeCall(last))
	for _, c := range p.reads {
		l.want(icmpOf(c.Data) != nil && c.Ret == 20+len(want) && c.Peer == netip.AddrPortFrom(loop, 0),
			"each recvfrom returns the whole IP packet, a 20-byte IPv4 header first, from ('127.0.0.1', 0) (%s from %v)", describeCall(c), peerOf(c))
	}
	cl := f.call("pinger", "close", 0)
	l.want(cl != nil && cl.Ret == 0, "the pinger closes its socket (%s)", describeCall(cl))
	return l.err("socket-types")
}

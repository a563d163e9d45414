//go:build unix

package demos

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"

	"golang.org/x/sys/unix"
)

// UDPEchoAddr is where the udp-echo server is bound.
const UDPEchoAddr = "127.0.0.1:7004"

var udpEcho = &Demo{
	Name:      "udp-echo",
	Title:     "UDP echo: no connection, one datagram per call",
	TitleZH:   "UDP 回显：没有连接，一次调用一个数据报",
	Summary:   "The same three messages as tcp-echo, sent with sendto: three datagrams on the wire, three recvfrom results, boundaries kept; the echoes come back the same way.",
	SummaryZH: "用 sendto 发送与 tcp-echo 相同的三条消息：网络上三个数据报，三次 recvfrom 各得一个，消息边界保持不变；回显也这样一个一个回来。",
	Steps: []Step{
		{
			Title:   "Server: socket(SOCK_DGRAM) and bind",
			TitleZH: "服务器：socket(SOCK_DGRAM) 和 bind",
			Explain: "The server creates a UDP socket (Python: socket.socket(AF_INET, SOCK_DGRAM)) and binds 127.0.0.1:7004. " +
				"There is no listen and no accept: once bound, a UDP socket takes datagrams from anyone. Nothing goes on the wire.",
			ExplainZH: "服务器创建 UDP 套接字（Python：socket.socket(AF_INET, SOCK_DGRAM)），bind 到 127.0.0.1:7004。" +
				"没有 listen，也没有 accept：UDP 套接字一旦绑定，就能接收任何人发来的数据报。网络上没有数据包。",
		},
		{
			Title:   "Client: three sendto() calls, no handshake",
			TitleZH: "客户端：三次 sendto()，没有握手",
			Explain: "The client creates its socket and calls sendto three times with the bytes tcp-echo sent: b\"hello\", \"你好\".encode() and b\"world\", each to (\"127.0.0.1\", 7004). " +
				"There is no handshake: the very first packet on the wire carries data. " +
				"The first sendto also binds the client to an ephemeral port (the source port of its datagrams on the wire), and each sendto is exactly one datagram on the wire.",
			ExplainZH: "客户端创建套接字，调用三次 sendto，发送与 tcp-echo 相同的字节：b\"hello\"、\"你好\".encode() 和 b\"world\"，目的地都是 (\"127.0.0.1\", 7004)。" +
				"没有握手：网络上的第一个数据包就带着数据。" +
				"第一次 sendto 还会让内核给客户端自动绑定一个临时端口（就是网络上它的数据报的源端口）；每次 sendto 在网络上正好是一个数据报。",
		},
		{
			Title:   "Server: each recvfrom(1024) returns exactly one datagram",
			TitleZH: "服务器：每次 recvfrom(1024) 恰好返回一个数据报",
			Explain: "Each recvfrom(1024) returns exactly one datagram — 5, 6, then 5 bytes — with the sender's address, however many are waiting: UDP keeps message boundaries, so there is no 粘包 (it is TCP's byte stream that has it, not UDP, as some tutorials say). " +
				"(Had bufsize, the most bytes one call may return, been smaller than the datagram, the rest would have been thrown away, not kept for the next call.) " +
				"In Python the call returns a pair, the data first and then the address: data, addr = s.recvfrom(1024) (written the other way round, as in some tutorials, addr holds the bytes). " +
				"For UDP, the kernel's Recv-Q (SIOCINQ, after each call) is the size of the next datagram waiting, not the total of all the datagrams waiting, which the buffer lines count. The server sends each datagram back with sendto(data, addr).",
			ExplainZH: "每次 recvfrom(1024) 恰好返回一个数据报——依次是 5、6、5 个字节——同时返回发送方地址，不管有几个数据报在等待：UDP 保留消息边界，所以不存在粘包（有粘包的是 TCP 的字节流，而不是有些教程说的 UDP）。" +
				"（如果 bufsize——一次最多读取的字节数——比数据报小，多出的部分会被丢弃，而不是留给下一次调用。）" +
				"在 Python 里，这个调用返回一对值，数据在前、地址在后：data, addr = s.recvfrom(1024)（有些教程把两者写反了，那样 addr 里装的其实是字节）。" +
				"对 UDP 来说，内核的 Recv-Q（SIOCINQ，每次调用之后的值）是下一个待读数据报的大小，而不是所有待读数据报的总字节数——缓冲区那几行统计的是总数。服务器用 sendto(data, addr) 把每个数据报发回去。",
			Outcome: udpEchoRecvOutcome,
		},
		{
			Title:   "Client: recvfrom the three echoes, then close",
			TitleZH: "客户端：recvfrom 收回三个回显，然后关闭",
			Explain: "The client calls recvfrom three times and gets the three echoes, one datagram each. " +
				"close() puts nothing on the wire: there is no connection to tear down, so no FIN. " +
				"Nothing guaranteed delivery either: on a real network a datagram can be lost, duplicated or reordered, and a UDP program must cope with that itself.",
			ExplainZH: "客户端调用三次 recvfrom，收回三个回显，每次一个数据报。" +
				"close() 不会在网络上产生任何数据包：没有连接需要拆除，也就没有 FIN。" +
				"同样也没有任何机制保证送达：在真实网络上数据报可能丢失、重复或乱序，UDP 程序必须自己处理这些情况。",
		},
	},
	Run:   runUDPEcho,
	Check: checkUDPEcho,
}

func runUDPEcho(ctx context.Context, env *Env) error {
	bound, sent, echoed := newSignal(), newSignal(), newSignal()
	g := newGroup(ctx)

	g.Go(func(ctx context.Context) error { // server
		if err := env.Step(ctx, 1); err != nil {
			return err
		}
		s := env.NewSock(ctx, "server")
		defer s.Close()
		if err := s.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0); err != nil {
			return err
		}
		if err := s.Bind(UDPEchoAddr); err != nil {
			return err
		}
		bound.fire()
		if err := sent.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 3); err != nil {
			return err
		}
		for range EchoMessages {
			data, addr, err := s.Recvfrom(1024)
			if err != nil {
				return err
			}
			if _, err := s.Sendto(data, addr); err != nil {
				return err
			}
		}
		if err := s.Close(); err != nil {
			return err
		}
		echoed.fire()
		return nil
	})

	g.Go(func(ctx context.Context) error { // client
		if err := bound.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		c := env.NewSock(ctx, "client")
		defer c.Close()
		if err := c.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0); err != nil {
			return err
		}
		for _, m := range EchoMessages {
			if _, err := c.Sendto([]byte(m), UDPEchoAddr); err != nil {
				return err
			}
		}
		sent.fire()
		if err := echoed.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 4); err != nil {
			return err
		}
		for _, m := range EchoMessages {
			data, _, err := c.Recvfrom(1024)
			if err != nil {
				return err
			}
			if string(data) != m {
				return fmt.Errorf("client: echo %q, sent %q", data, m)
			}
		}
		return c.Close()
	})
	return g.Wait()
}

// udpEchoRecvOutcome: what each recvfrom returned, and what Recv-Q
// right after it says was waiting. (Not the frames' capture times: those
// can trail the datagrams' arrival by a tenth of a millisecond.)
func udpEchoRecvOutcome(r *sockcall.Run) (en, zh string) {
	recvs := factsOf(r).calls("server", "recvfrom")
	if len(recvs) < len(EchoMessages) {
		return "", ""
	}
	var sizes, recvQ []int
	waiting := true // the next datagram was waiting after every call but the last
	for i, c := range recvs[:len(EchoMessages)] {
		if c.Ret < 0 {
			return "", ""
		}
		sizes = append(sizes, c.Ret)
		recvQ = append(recvQ, c.RecvQ)
		if i < len(EchoMessages)-1 {
			waiting = waiting && c.RecvQ > 0
		}
	}
	first := recvs[0]
	if len(first.Data) > 0 && first.Peer.IsValid() {
		pair := fmt.Sprintf("(%s, ('%s', %d))", pyBytes(first.Data), first.Peer.Addr(), first.Peer.Port())
		defer func() {
			if en != "" {
				en += " In Python the first call returned " + pair + ": the data first, then the sender's address."
				zh += "在 Python 里，第一次调用返回的是 " + pair + "：先是数据，后是发送方的地址。"
			}
		}()
	}
	if waiting && recvQ[len(recvQ)-1] == 0 {
		return fmt.Sprintf("The recvfrom calls returned %s bytes, one datagram each, even when more were waiting: Recv-Q right after each was %s — the size of the next datagram waiting, and 0 after the last.", intList(sizes, false), intList(recvQ, false)),
			fmt.Sprintf("recvfrom 依次返回 %s 个字节，每次一个数据报，即使后面还有数据报在等待：每次刚返回时的 Recv-Q 是 %s——下一个待读数据报的大小，最后一次之后为 0。", intList(sizes, true), intList(recvQ, true))
	}
	return fmt.Sprintf("The recvfrom calls returned %s bytes, one datagram each. Recv-Q right after each: %s — the size of the next datagram waiting, 0 when none was.", intList(sizes, false), intList(recvQ, false)),
		fmt.Sprintf("recvfrom 依次返回 %s 个字节，每次一个数据报。每次刚返回时的 Recv-Q：%s——下一个待读数据报的大小，没有数据报在等待时为 0。", intList(sizes, true), intList(recvQ, true))
}

// checkUDPEcho verifies the fixed claims of udp-echo's words.
func checkUDPEcho(r *sockcall.Run) error {
	f := factsOf(r)
	r = f.r // never nil
	var ck claims
	server := netip.MustParseAddrPort(UDPEchoAddr)
	onPort := f.packets(func(p *decode.Packet) bool { return p.SrcPort == server.Port() || p.DstPort == server.Port() })

	// Step 1.
	bind := f.call("server", "bind", 0)
	ck.expect(bind != nil && bind.Ret == 0 && bind.Local == server && bind.Proto == "udp", "step 1: the server binds a UDP socket to 127.0.0.1:7004", "%s", describe(bind))
	for _, c := range r.Calls {
		ck.expect(c.Op != "listen" && c.Op != "accept" && c.Op != "connect", "steps 1–2: no listen, no accept, no handshake", "%s by %s", describe(&c), c.Endpoint)
	}

	// Step 2.
	sock, sends := f.call("client", "socket", 0), f.calls("client", "sendto")
	ck.expect(len(sends) == len(EchoMessages), "step 2: the client calls sendto three times", "%d sendto calls", len(sends))
	if len(sends) == 0 {
		return ck.err()
	}
	ck.expect(sock != nil && sock.Local.Port() == 0 && sends[0].Local.Port() != 0, "step 2: the first sendto binds the client to an ephemeral port", "after socket %v, after sendto %v", localOf(sock), sends[0].Local)
	first := 0
	if len(onPort) > 0 {
		first = onPort[0].Number
	}
	ck.expect(len(onPort) > 0 && datagramTo(onPort[0], server.Port()) && onPort[0].PayloadLen == len(EchoMessages[0]) && !frameTime(onPort[0]).Before(callStart(sends[0])),
		"steps 1–2: nothing on the wire until the client's first sendto, whose datagram is the very first packet, with data", "first frame on port 7004: %s", frameNo(r.Frame(first)))
	client := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), sends[0].Local.Port())
	for i, s := range sends {
		if i >= len(EchoMessages) {
			break
		}
		fr := f.frames(s)
		ck.expect(s.Ret == len(EchoMessages[i]) && string(s.Data) == EchoMessages[i] && s.Peer == server, "step 2: the client sends the bytes tcp-echo sent, each to 127.0.0.1:7004", "%s", describe(s))
		ck.expect(len(fr) == 1 && datagramTo(fr[0], server.Port()) && fr[0].PayloadLen == s.Ret, "step 2: each sendto is exactly one datagram on the wire", "%s: frames %v", describe(s), f.links(s))
	}
	ck.expect(len(onPort) == 2*len(EchoMessages), "each sendto is one datagram: three datagrams out, three back, nothing else", "%d frames on port 7004", len(onPort))
	for _, p := range onPort {
		ck.expect(p.IsUDP(), "no connection: nothing but datagrams", "%s is not UDP", frameNo(p))
	}

	// Step 3.
	recvs, echoes := f.calls("server", "recvfrom"), f.calls("server", "sendto")
	ck.expect(len(recvs) == len(EchoMessages) && len(echoes) == len(EchoMessages), "step 3: three recvfrom calls, each echoed with sendto", "%d recvfrom, %d sendto", len(recvs), len(echoes))
	for i := range min(len(recvs), len(echoes), len(EchoMessages)) {
		m, rf, st := EchoMessages[i], recvs[i], echoes[i]
		ck.expect(rf.Len == 1024 && rf.Ret == len(m) && string(rf.Data) == m && rf.Peer == client,
			"step 3: each recvfrom(1024) returns exactly one datagram (5, 6, then 5 bytes) with the sender's address", "%s from %v, want %q from %v", describe(rf), rf.Peer, m, client)
		next := 0
		if i+1 < len(EchoMessages) {
			next = len(EchoMessages[i+1])
		}
		ck.expect(rf.RecvQ == 0 || rf.RecvQ == next, "step 3: for UDP, Recv-Q is the size of the next datagram waiting", "%s, the next datagram has %d bytes", describe(rf), next)
		ck.expect(st.Ret == len(m) && string(st.Data) == m && st.Peer == rf.Peer && len(f.frames(st)) == 1, "step 3: the server sends each datagram back with sendto(data, addr)", "%s to %v", describe(st), st.Peer)
	}

	// Step 4.
	back := f.calls("client", "recvfrom")
	ck.expect(len(back) == len(EchoMessages), "step 4: the client calls recvfrom three times", "%d recvfrom calls", len(back))
	var got []string
	for _, c := range back {
		got = append(got, string(c.Data))
		ck.expect(c.Peer == server && len(f.frames(c)) == 1, "step 4: one echo datagram each", "%s from %v", describe(c), c.Peer)
	}
	ck.expect(strings.Join(got, "|") == strings.Join(EchoMessages, "|"), "step 4: the client gets the three echoes", "got %s", strconv.Quote(strings.Join(got, "|")))
	cl := f.call("client", "close", 0)
	untied := 0
	for _, p := range onPort {
		sent := false
		if r.Links != nil {
			for _, n := range r.Links.FrameCalls(p.Number) {
				if c := r.Call(n); c != nil && c.Op == "sendto" {
					sent = true
				}
			}
		}
		if !sent {
			untied++
		}
	}
	ck.expect(cl != nil && cl.Ret == 0 && untied == 0, "step 4: close() puts nothing on the wire", "%s; %d frames on port 7004 that no sendto sent", describe(cl), untied)
	return ck.err()
}

// pyBytes is b as Python's repr writes a bytes object: b'hello',
// b'\xe4\xbd\xa0'.
func pyBytes(b []byte) string {
	q := byte('\'')
	if bytes.IndexByte(b, '\'') >= 0 && bytes.IndexByte(b, '"') < 0 {
		q = '"'
	}
	out := []byte{'b', q}
	for _, c := range b {
		switch {
		case c == '\\' || c == q:
			out = append(out, '\\', c)
		case c == '\n':
			out = append(out, `\n`...)
		case c == '\r':
			out = append(out, `\r`...)
		case c == '\t':
			out = append(out, `\t`...)
		case c < 0x20 || c >= 0x7f:
			out = append(out, fmt.Sprintf(`\x%02x`, c)...)
		default:
			out = append(out, c)
		}
	}
	return string(append(out, q))
}

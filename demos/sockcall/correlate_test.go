package sockcall

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/sockscope/sockscope/decode"
)

var (
	client = netip.MustParseAddrPort("127.0.0.1:40000")
	server = netip.MustParseAddrPort("127.0.0.1:7001")
)

func tcpPacket(n int, from, to netip.AddrPort, flags uint16, seq, ack uint32, length int) decode.Packet {
	return decode.Packet{
		Number: n, Layers: decode.LayerIPv4 | decode.LayerTCP, IPVersion: 4,
		Src: from.Addr(), Dst: to.Addr(), SrcPort: from.Port(), DstPort: to.Port(),
		TCPFlags: flags, PayloadLen: length, Rel: decode.RelSeq{Seq: seq, Ack: ack},
	}
}

// Three sends of 5 bytes leave in one segment and are read by one recv: the
// byte-stream lesson, as a lookup.
func TestCorrelateTCPByteStream(t *testing.T) {
	calls := []Call{
		{Number: 1, Op: "connect", Proto: "tcp", Local: client, Peer: server},
		{Number: 2, Op: "accept", Proto: "tcp", Local: server, Peer: client, Ret: 4},
		{Number: 3, Op: "send", Proto: "tcp", Local: client, Peer: server, Len: 5, Ret: 5},
		{Number: 4, Op: "send", Proto: "tcp", Local: client, Peer: server, Len: 5, Ret: 5},
		{Number: 5, Op: "send", Proto: "tcp", Local: client, Peer: server, Len: 5, Ret: 5},
		{Number: 6, Op: "recv", Proto: "tcp", Local: server, Peer: client, Len: 1024, Ret: 15},
		{Number: 7, Op: "close", Proto: "tcp", Local: client, Peer: server},
	}
	packets := []decode.Packet{
		tcpPacket(1, client, server, decode.TCPSyn, 0, 0, 0),
		tcpPacket(2, server, client, decode.TCPSyn|decode.TCPAck, 0, 1, 0),
		tcpPacket(3, client, server, decode.TCPAck, 1, 1, 0),
		tcpPacket(4, client, server, decode.TCPAck|decode.TCPPsh, 1, 1, 5),
		tcpPacket(5, client, server, decode.TCPAck|decode.TCPPsh, 6, 1, 10),
		tcpPacket(6, server, client, decode.TCPAck, 1, 6, 0),
		tcpPacket(7, server, client, decode.TCPAck, 1, 16, 0),
		tcpPacket(8, client, server, decode.TCPAck|decode.TCPFin, 16, 1, 0),
	}
	l := Correlate(calls, packets)
	check := func(call int, first, last uint32, frames []int, ack int, peers []int) {
		t.Helper()
		c := l.Call(call)
		if c == nil {
			t.Fatalf("call %d: no links", call)
		}
		if first != 0 && (!c.HasBytes || c.First != first || c.Last != last) {
			t.Errorf("call %d: bytes %d-%d (%v), want %d-%d", call, c.First, c.Last, c.HasBytes, first, last)
		}
		if !slices.Equal(c.Frames, frames) || c.AckFrame != ack || !slices.Equal(c.Peers, peers) {
			t.Errorf("call %d: frames %v ack %d peers %v; want %v %d %v", call, c.Frames, c.AckFrame, c.Peers, frames, ack, peers)
		}
	}
	check(1, 0, 0, []int{1, 2, 3}, 0, nil) // connect: the handshake
	check(2, 0, 0, []int{1, 2, 3}, 0, nil) // accept: the same handshake
	check(3, 1, 5, []int{4}, 6, []int{6})
	check(4, 6, 10, []int{5}, 7, []int{6})
	check(5, 11, 15, []int{5}, 7, []int{6})
	check(6, 1, 15, []int{4, 5}, 0, []int{3, 4, 5})
	check(7, 0, 0, []int{8}, 0, nil)
	if got := l.FrameCalls(5); !slices.Equal(got, []int{4, 5, 6}) {
		t.Errorf("frame 5 calls %v, want [4 5 6]", got)
	}
}

// One broadcast datagram on the wire, three recvfrom results.
func TestCorrelateUDPBroadcast(t *testing.T) {
	sender := netip.MustParseAddrPort("127.0.0.1:50000")
	bcast := netip.MustParseAddrPort("127.255.255.255:7003")
	any := netip.MustParseAddrPort("0.0.0.0:7003")
	calls := []Call{
		{Number: 1, Op: "sendto", Proto: "udp", Local: netip.AddrPortFrom(netip.IPv4Unspecified(), sender.Port()), Peer: bcast, Len: 4, Ret: 4},
		{Number: 2, Op: "recvfrom", Proto: "udp", Endpoint: "receiver-1", Local: any, Peer: sender, Ret: 4},
		{Number: 3, Op: "recvfrom", Proto: "udp", Endpoint: "receiver-2", Local: any, Peer: sender, Ret: 4},
		{Number: 4, Op: "recvfrom", Proto: "udp", Endpoint: "receiver-3", Local: any, Peer: sender, Ret: 4},
	}
	packets := []decode.Packet{{
		Number: 1, Layers: decode.LayerIPv4 | decode.LayerUDP, IPVersion: 4, Src: sender.Addr(), Dst: bcast.Addr(),
		SrcPort: sender.Port(), DstPort: bcast.Port(), PayloadLen: 4,
	}}
	l := Correlate(calls, packets)
	if c := l.Call(1); !slices.Equal(c.Frames, []int{1}) || !slices.Equal(c.Peers, []int{2, 3, 4}) {
		t.Errorf("sendto: frames %v peers %v", c.Frames, c.Peers)
	}
	for n := 2; n <= 4; n++ {
		if c := l.Call(n); c == nil || !slices.Equal(c.Frames, []int{1}) || !slices.Equal(c.Peers, []int{1}) {
			t.Errorf("recvfrom %d: %+v", n, c)
		}
	}
	if got := l.FrameCalls(1); !slices.Equal(got, []int{1, 2, 3, 4}) {
		t.Errorf("frame 1 calls %v", got)
	}
}

func TestCallPrinting(t *testing.T) {
	c := Call{Number: 3, Sec: 1, Endpoint: "client", FD: 5, Op: "send", Len: 5, Ret: 5, Proto: "tcp",
		Local: client, Peer: server, SendQ: 5, RecvQ: 0, TCP: &TCPInfo{State: "ESTABLISHED"}}
	l := &CallLinks{First: 1, Last: 5, HasBytes: true, Frames: []int{4}, AckFrame: 6, Peers: []int{9}}
	if got := string(AppendCallLabel(nil, &c)); got != "send(5) = 5" {
		t.Errorf("label %q", got)
	}
	if got := string(AppendCallLinks(nil, &c, l, false)); got != "bytes 1–5 → frame 4, acked by frame 6 → read by call 9" {
		t.Errorf("links %q", got)
	}
	if got := string(AppendCallLinks(nil, &c, l, true)); got != "第 1–5 字节 → 第 4 帧（第 6 帧确认）→ 由调用 #9 读取" {
		t.Errorf("links in Chinese %q", got)
	}
	// A recv's links name the sends it read; several frames and calls
	// are listed with 、.
	recv := Call{Op: "recv", Ret: 10}
	rl := &CallLinks{First: 1, Last: 10, HasBytes: true, Frames: []int{4, 5}, Peers: []int{3, 7}}
	if got := string(AppendCallLinks(nil, &recv, rl, true)); got != "第 1–10 字节 → 第 4、5 帧 → 来自调用 #3、#7" {
		t.Errorf("recv links in Chinese %q", got)
	}
	if got := string(AppendCallLinks(nil, &recv, rl, false)); got != "bytes 1–10 → frames 4,5 → sent by call 3,7" {
		t.Errorf("recv links %q", got)
	}
	// A sendall's bytes are read too: its peers are recvs, not sends.
	all := c
	all.Op, all.Inner = "sendall", []int{2}
	if got := string(AppendCallLinks(nil, &all, l, false)); got != "bytes 1–5 → frame 4, acked by frame 6 → read by call 9" {
		t.Errorf("sendall links %q", got)
	}
	refused := Call{Op: "connect", Args: "127.0.0.1:7009", Ret: -1, Errno: "ECONNREFUSED"}
	if got := string(AppendCallLabel(nil, &refused)); got != "connect(127.0.0.1:7009) = -1 ECONNREFUSED" {
		t.Errorf("label %q", got)
	}
	want := `{"type":"call","call.number":3,"call.time_epoch":"1.000000000","call.endpoint":"client","call.step":0,"call.fd":5,` +
		`"call.op":"send","call.args":"","call.len":5,"call.ret":5,"call.errno":"","call.flags":"","call.waited":false,"call.nonblocking":false,"call.proto":"tcp","call.local":"127.0.0.1:40000",` +
		`"call.peer":"127.0.0.1:7001","call.sendq":5,"call.recvq":0,"call.sndbuf":0,"call.rcvbuf":0,"call.tcp_state":"ESTABLISHED","call.tcp_rtt_us":0,"call.tcp_cwnd":0,` +
		`"call.tcp_snd_wnd":0,"call.tcp_rcv_wnd":0,"call.bytes":"1-5","call.frames":[4],"call.ack_frame":6,"call.peers":[9]}`
	if got := string(AppendCallJSON(nil, &c, l, nil, false)); got != want {
		t.Errorf("json\n got %s\nwant %s", got, want)
	}
}

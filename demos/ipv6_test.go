//go:build linux

package demos

import (
	"net/netip"
	"strconv"
	"testing"

	"github.com/sockscope/sockscope/decode"
)

func TestIPv6(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemo(t, "ipv6")
	server := wantOps(t, r, "server", "socket bind listen accept recv send sendall recv close close")
	client := wantOps(t, r, "client", "socket connect send recv close")
	dual := wantOps(t, r, "dual-server", "socket setsockopt bind listen accept close close")
	v4 := wantOps(t, r, "ipv4-client", "socket connect close")
	if t.Failed() {
		t.FailNow()
	}
	loop6 := netip.IPv6Loopback()
	loop4 := netip.AddrFrom4([4]byte{127, 0, 0, 1})

	// The echo over ::1: AF_INET6 sockets, ::1 at both ends.
	if c := server[0]; c.Args != "AF_INET6, SOCK_STREAM" {
		t.Errorf("server socket: %s", c.Args)
	}
	if c := server[1]; c.Local != netip.MustParseAddrPort("[::1]:7036") || c.Ret != 0 {
		t.Errorf("bind: %s local %v", describe(&c), c.Local)
	}
	conn, acc := client[1], server[3]
	if conn.Ret != 0 || conn.Local.Addr() != loop6 || conn.Peer != netip.MustParseAddrPort(IPv6EchoAddr) {
		t.Errorf("connect: %s %v → %v", describe(&conn), conn.Local, conn.Peer)
	}
	if acc.Peer != conn.Local || acc.Local.Addr() != loop6 || acc.TCP == nil || acc.TCP.State != "ESTAB" {
		t.Errorf("accept: %s peer %v local %v; client %v", describe(&acc), acc.Peer, acc.Local, conn.Local)
	}
	if string(server[4].Data) != "hello" || string(data(client, "recv")) != "hello" || server[7].Ret != 0 {
		t.Errorf("echo: server got %q, client got %q, server's last recv %d", server[4].Data, data(client, "recv"), server[7].Ret)
	}

	// ::1 on the wire: every frame of port 7036 is IPv6 from ::1 to ::1.
	var syn, fins, data int
	n6 := 0
	for _, p := range r.wire {
		if !p.IsTCP() || (p.SrcPort != ipv6EchoPort && p.DstPort != ipv6EchoPort) {
			continue
		}
		n6++
		if p.IPVersion != 6 || !p.Has(decode.LayerIPv6) || p.Src != loop6 || p.Dst != loop6 || p.IPHdrLen != 40 || p.IPv6Next != 6 {
			t.Errorf("frame %d: IPv%d %v → %v header %d next %d; want IPv6 ::1 → ::1, 40 bytes, next header 6", p.Number, p.IPVersion, p.Src, p.Dst, p.IPHdrLen, p.IPv6Next)
		}
		if p.TCPFlags&decode.TCPSyn != 0 {
			syn++
		}
		if p.TCPFlags&decode.TCPFin != 0 {
			fins++
		}
		if p.PayloadLen > 0 {
			data++ // (the lab's payload helper reads IPv4 frames only)
			if p.PayloadLen != len(ipv6Message) {
				t.Errorf("frame %d: %d bytes of data, want %d", p.Number, p.PayloadLen, len(ipv6Message))
			}
		}
	}
	if n6 < 7 || syn != 2 || fins != 2 || data != 2 {
		t.Errorf("port %d: %d frames, %d SYNs, %d FINs, %d data segments; want a whole connection and the echo over IPv6:\n%s", ipv6EchoPort, n6, syn, fins, data, r.timeline())
	}

	// The dual-stack listener: IPV6_V6ONLY 0, bound to [::]:7037.
	if c := dual[1]; c.Args != "IPPROTO_IPV6, IPV6_V6ONLY, 0" || c.Ret != 0 {
		t.Errorf("setsockopt: %s", describe(&c))
	}
	if c := dual[2]; c.Local != netip.MustParseAddrPort(IPv6DualAddr) {
		t.Errorf("dual bind: local %v", c.Local)
	}
	// The IPv4 client's accepted peer is ::ffff:127.0.0.1.
	if c := v4[0]; c.Args != "AF_INET, SOCK_STREAM" {
		t.Errorf("IPv4 client socket: %s", c.Args)
	}
	c4, a4 := v4[1], dual[4]
	if c4.Ret != 0 || c4.Local.Addr() != loop4 {
		t.Errorf("IPv4 connect: %s from %v", describe(&c4), c4.Local)
	}
	mapped := netip.MustParseAddr("::ffff:127.0.0.1")
	if a4.Peer != netip.AddrPortFrom(mapped, c4.Local.Port()) || a4.Peer.String() != "[::ffff:127.0.0.1]:"+strconv.Itoa(int(c4.Local.Port())) {
		t.Errorf("dual accept: peer %v, want [::ffff:127.0.0.1]:%d", a4.Peer, c4.Local.Port())
	}
	if a4.Local != netip.AddrPortFrom(mapped, ipv6DualPort) {
		t.Errorf("dual accept: local %v", a4.Local)
	}
	// …while the wire carries plain IPv4.
	n4 := 0
	for _, p := range r.wire {
		if !p.IsTCP() || (p.SrcPort != ipv6DualPort && p.DstPort != ipv6DualPort) {
			continue
		}
		n4++
		if p.IPVersion != 4 || p.Src != loop4 || p.Dst != loop4 {
			t.Errorf("frame %d: IPv%d %v → %v; want IPv4 127.0.0.1", p.Number, p.IPVersion, p.Src, p.Dst)
		}
	}
	if n4 < 3 {
		t.Errorf("%d frames on port %d, want the handshake at least", n4, ipv6DualPort)
	}
	checkLessonWords(t, r)
}

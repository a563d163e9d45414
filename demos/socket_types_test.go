//go:build linux

package demos

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/sockscope/sockscope/decode"
)

func TestSocketTypes(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemo(t, "socket-types")
	server := wantOps(t, r, "server", "socket bind listen accept recv recv recv recv close close")
	client := wantOps(t, r, "client", "socket connect send send send close")
	pinger := r.of("pinger")
	if t.Failed() {
		t.FailNow()
	}

	// SOCK_SEQPACKET: one recv per send, then b''.
	if server[0].Args != "AF_UNIX, SOCK_SEQPACKET" || client[0].Args != "AF_UNIX, SOCK_SEQPACKET" {
		t.Errorf("sockets: %q, %q", server[0].Args, client[0].Args)
	}
	for i, m := range EchoMessages {
		if s := client[2+i]; s.Ret != len(m) || string(s.Data) != m {
			t.Errorf("send %d: %s", i+1, describe(&s))
		}
		if c := server[4+i]; c.Len != 1024 || c.Ret != len(m) || string(c.Data) != m {
			t.Errorf("recv %d: %s; want %q alone", i+1, describe(&c), m)
		}
	}
	if c := server[7]; c.Ret != 0 || c.Step != 3 {
		t.Errorf("last recv: %s step %d; want b'' in step 3", describe(&c), c.Step)
	}

	// SOCK_RAW: the echo request sent, its reply read back.
	if got := ops(pinger); len(pinger) < 4 || ops(pinger[:2]) != "socket sendto" || pinger[len(pinger)-1].Op != "close" {
		t.Fatalf("pinger calls: %s", got)
	}
	if c := pinger[0]; c.Args != "AF_INET, SOCK_RAW, IPPROTO_ICMP" || c.Ret < 0 {
		t.Fatalf("raw socket: %s", describe(&c))
	}
	req := icmpEcho(rawEchoID, rawEchoSeq, rawEchoPayload)
	if inetChecksum(req) != 0 {
		t.Errorf("the request's checksum does not verify: %x", req)
	}
	if c := pinger[1]; c.Ret != len(req) || !bytes.Equal(c.Data, req) {
		t.Errorf("sendto: %s", describe(&c))
	}
	reads := pinger[2 : len(pinger)-1]
	last := reads[len(reads)-1]
	m := icmpOf(last.Data)
	if last.Op != "recvfrom" || m == nil || m[0] != 0 || binary.BigEndian.Uint16(m[4:]) != rawEchoID || !bytes.Equal(m[8:], rawEchoPayload) || inetChecksum(m) != 0 {
		t.Errorf("the last read is not the echo reply: %s %x", describe(&last), last.Data)
	}
	if last.Peer != netip.MustParseAddrPort("127.0.0.1:0") {
		t.Errorf("reply from %v", last.Peer)
	}

	// The wire: only the request and the reply (AF_UNIX puts nothing there).
	var icmp []wirePacket
	for _, p := range r.wire {
		if p.IsUDP() && p.DstPort == 9999 {
			continue // the test's sentinel
		}
		icmp = append(icmp, p)
	}
	if len(icmp) != 2 {
		t.Fatalf("%d frames, want the echo request and reply:\n%s", len(icmp), r.timeline())
	}
	for i, want := range []uint8{8, 0} {
		p := icmp[i]
		if !p.Has(decode.LayerICMPv4) || p.ICMPType != want || p.ICMPCode != 0 || p.IPProto != 1 {
			t.Errorf("frame %d: ICMP %v type %d code %d proto %d; want type %d", p.Number, p.Has(decode.LayerICMPv4), p.ICMPType, p.ICMPCode, p.IPProto, want)
		}
	}
	checkLessonWords(t, r)
}

//go:build linux

package demos

import (
	"strconv"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/decode"
)

func TestRefused(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemo(t, "refused")
	client := wantOps(t, r, "client", "socket connect close socket connect send recv close socket sendto recvfrom close")
	if t.Failed() {
		t.FailNow()
	}
	// TCP: connect fails with ECONNREFUSED (111, what connect_ex returns).
	if c := client[1]; c.Errno != "ECONNREFUSED" || c.Ret != -1 || c.Proto != "tcp" || errnoNumber(c.Errno) != 111 {
		t.Errorf("TCP connect: %s; want ECONNREFUSED (111)", describe(&c))
	}
	// Connected UDP: connect and send succeed, recv fails with ECONNREFUSED.
	if c := client[4]; c.Ret != 0 || c.Proto != "udp" {
		t.Errorf("UDP connect: %s", describe(&c))
	}
	if c := client[5]; c.Ret != len(refusedPing) || c.Errno != "" {
		t.Errorf("UDP send: %s", describe(&c))
	}
	if c := client[6]; c.Errno != "ECONNREFUSED" || c.Ret != -1 || c.Step != 2 {
		t.Errorf("UDP recv: %s step %d; want ECONNREFUSED in step 2", describe(&c), c.Step)
	}
	// Unconnected UDP: sendto succeeds, recvfrom(MSG_DONTWAIT) finds nothing.
	if c := client[9]; c.Ret != len(refusedPing) || c.Errno != "" || c.Step != 3 {
		t.Errorf("sendto: %s", describe(&c))
	}
	if c := client[10]; c.Errno != "EAGAIN" || c.Flags != "MSG_DONTWAIT" || c.Step != 3 {
		t.Errorf("recvfrom: %s flags %q; want EAGAIN with MSG_DONTWAIT", describe(&c), c.Flags)
	}
	udp1, udp2 := client[5].Local.Port(), client[9].Local.Port()

	// The wire: SYN, RST/ACK; datagram, ICMP 3/3; datagram, ICMP 3/3.
	if len(r.wire) != 6 {
		t.Fatalf("%d frames, want 6:\n%s", len(r.wire), r.timeline())
	}
	w := r.wire
	synPort := w[0].SrcPort
	if !w[0].IsTCP() || w[0].TCPFlags != decode.TCPSyn || w[0].DstPort != refusedTCPPort {
		t.Errorf("frame 1: %#x to %d, want a SYN to %d", w[0].TCPFlags, w[0].DstPort, refusedTCPPort)
	}
	if !w[1].IsTCP() || w[1].TCPFlags != decode.TCPRst|decode.TCPAck || w[1].SrcPort != refusedTCPPort || w[1].DstPort != synPort || w[1].Rel.Ack != 1 {
		t.Errorf("frame 2: flags %#x %d → %d ack %d; want RST/ACK to %d acknowledging the SYN", w[1].TCPFlags, w[1].SrcPort, w[1].DstPort, w[1].Rel.Ack, synPort)
	}
	for i, g := range []struct {
		src, dst uint16
	}{{udp1, refusedUDPPort}, {udp2, refusedUnconnectPort}} {
		d, icmp := w[2+2*i], w[3+2*i]
		if !d.IsUDP() || d.SrcPort != g.src || d.DstPort != g.dst || string(d.Payload) != "ping" {
			t.Errorf("frame %d: UDP %v %d → %d %q; want b'ping' from %d to %d", d.Number, d.IsUDP(), d.SrcPort, d.DstPort, d.Payload, g.src, g.dst)
		}
		q := icmp.Quote
		if !icmp.Has(decode.LayerICMPv4) || icmp.ICMPType != 3 || icmp.ICMPCode != 3 || !q.Valid || q.Proto != 17 || q.SrcPort != g.src || q.DstPort != g.dst || q.UDPLen != 8+4 {
			t.Errorf("frame %d: ICMP type %d code %d quote %+v; want port unreachable quoting UDP %d → %d", icmp.Number, icmp.ICMPType, icmp.ICMPCode, q, g.src, g.dst)
		}
		want := "ICMP 127.0.0.1 udp port " + strconv.Itoa(int(g.dst)) + " unreachable"
		if s := string(decode.AppendSummary(nil, &icmp.Packet)); !strings.Contains(s, want) {
			t.Errorf("frame %d decodes as %q, want %q", icmp.Number, s, want)
		}
	}
	checkLessonWords(t, r)
}

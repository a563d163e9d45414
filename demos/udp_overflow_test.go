//go:build linux

package demos

import "testing"

func TestUDPOverflow(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemo(t, "udp-overflow")
	receiver := opsHave(t, r, "receiver", "socket setsockopt getsockopt bind fcntl recvfrom", "recvfrom close")
	sender := r.of("sender")
	if t.Failed() {
		t.FailNow()
	}
	if g := receiver[2]; g.Ret != 2*overflowAsk {
		t.Errorf("getsockopt(SO_RCVBUF) = %d, want %d", g.Ret, 2*overflowAsk)
	}
	sent := 0
	for _, c := range sender {
		if c.Op == "sendto" && c.Ret == overflowSize {
			sent++
		}
	}
	if sent != overflowCount {
		t.Errorf("%d sendto calls returned %d; want %d", sent, overflowSize, overflowCount)
	}

	// On the wire: every datagram.
	wire := 0
	for _, p := range r.wire {
		if p.IsUDP() && p.DstPort == overflowPort {
			if p.PayloadLen != overflowSize {
				t.Errorf("frame %d: %d bytes", p.Number, p.PayloadLen)
			}
			wire++
		}
	}
	// Received: the recvfrom calls that returned a datagram; dropped: the
	// receiver's drops counter (/proc/net/udp) after its last recvfrom.
	received := 0
	var last = receiver[len(receiver)-2]
	for _, c := range receiver {
		if c.Op == "recvfrom" && c.Ret > 0 {
			if string(c.Data) != string(overflowDatagram(received)) {
				t.Errorf("recvfrom %d: %.13q, want datagram %03d", received+1, c.Data, received)
			}
			received++
		}
	}
	if last.Op != "recvfrom" || last.Errno != "EAGAIN" {
		t.Fatalf("the receiver's last recvfrom: %s %s", last.Op, last.Errno)
	}
	dropped := overflowDrops(&last)
	if wire != overflowCount || dropped <= 0 || received+dropped != wire {
		t.Errorf("%d datagrams on the wire, %d received, %d dropped; want %d = received + dropped, dropped > 0", wire, received, dropped, overflowCount)
	}
	t.Logf("%d datagrams on the wire: %d received + %d dropped", wire, received, dropped)
	checkLessonWords(t, r)
}

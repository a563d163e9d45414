//go:build linux

package demos

import (
	"net/netip"
	"testing"
	"time"

	"github.com/sockscope/sockscope/decode"
)

func TestBacklog(t *testing.T) {
	if !labTest(t) {
		return
	}
	start := time.Now()
	r := runDemo(t, "backlog")
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("the lesson took %v", took)
	}
	checkCommon(t, r)
	wantOps(t, r, "server", "socket setsockopt bind listen accept accept accept recv close recv close recv close close")
	for _, c := range []string{"client-1", "client-2", "client-3"} {
		wantOps(t, r, c, "socket connect close")
	}
	if t.Failed() {
		t.FailNow()
	}
	if l := callIn(t, r, "server", "listen", 1); l.Args != "1" || l.Ret != 0 {
		t.Errorf("listen: %s", describe(&l))
	}

	// The accept queue: before client-3 connects, the listener holds two
	// connections (Recv-Q) with a backlog of 1 (Send-Q).
	c3sock := callIn(t, r, "client-3", "socket", 3)
	var recvQ, sendQ = -1, -1
	for _, k := range c3sock.Kernel {
		if k.Endpoint == "server" && k.Listener {
			recvQ, sendQ = k.RecvQ, k.SendQ
		}
	}
	if recvQ < 1 || recvQ != 2 || sendQ != 1 {
		t.Errorf("listener before client-3: Recv-Q %d, Send-Q %d; want 2 and 1", recvQ, sendQ)
	}

	// client-3's SYN: dropped (no answer), retransmitted about 1 s later,
	// flagged as a retransmission, answered only after accept.
	conn := callIn(t, r, "client-3", "connect", 3)
	acc := callIn(t, r, "server", "accept", 4)
	server := netip.MustParseAddrPort(BacklogAddr)
	var syns []wirePacket
	var synAck *wirePacket
	for i, p := range r.wire {
		if !p.IsTCP() || p.TCPFlags&decode.TCPSyn == 0 {
			continue
		}
		src, dst := addrOf(&p.Packet)
		if src == fromLo(conn.Local) && dst == server && p.TCPFlags == decode.TCPSyn && synAck == nil {
			syns = append(syns, p)
		}
		if src == server && dst == fromLo(conn.Local) && p.TCPFlags == decode.TCPSyn|decode.TCPAck && synAck == nil {
			synAck = &r.wire[i]
		}
	}
	if len(syns) < 2 || synAck == nil {
		t.Fatalf("client-3: %d SYNs, SYN/ACK %v:\n%s", len(syns), synAck != nil, r.timeline())
	}
	for i, p := range syns[1:] {
		if p.Analysis.Flags&decode.ExpertRetransmission == 0 {
			t.Errorf("SYN %d (frame %d) is not flagged as a retransmission", i+2, p.Number)
		}
	}
	if gap := syns[1].time().Sub(syns[0].time()); gap < 900*time.Millisecond || gap > 2*time.Second {
		t.Errorf("first SYN retransmission after %v, want about 1 s", gap)
	}
	if !synAck.time().After(callTime(acc)) || !callTime(conn).After(callTime(acc)) {
		t.Errorf("client-3 got in (frame %d, connect returned %v) before the first accept returned (%v)", synAck.Number, callTime(conn), callTime(acc))
	}
	if took := callTime(conn).Sub(time.Unix(conn.StartSec, conn.StartNsec)); took < 900*time.Millisecond || !conn.Waited {
		t.Errorf("client-3's connect took %v, waited %v", took, conn.Waited)
	}
	for _, p := range r.wire {
		if p.IsTCP() && p.TCPFlags&decode.TCPRst != 0 {
			t.Errorf("RST in frame %d", p.Number)
		}
	}
	checkLessonWords(t, r)
}

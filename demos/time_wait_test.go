//go:build linux

package demos

import (
	"net/netip"
	"testing"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// endStates returns the states the tracker gave the end at ep of the
// connection between ep and peer, in frame order.
func endStates(r *result, ep, peer netip.AddrPort) []decode.TCPState {
	var out []decode.TCPState
	for _, p := range r.wire {
		if !p.IsTCP() {
			continue
		}
		src, dst := addrOf(&p.Packet)
		switch {
		case src == ep && dst == peer && p.Analysis.SrcChanged:
			out = append(out, p.Analysis.SrcState)
		case dst == ep && src == peer && p.Analysis.DstChanged:
			out = append(out, p.Analysis.DstState)
		}
	}
	return out
}

func hasState(states []decode.TCPState, s decode.TCPState) bool {
	for _, x := range states {
		if x == s {
			return true
		}
	}
	return false
}

// callIn returns endpoint's first call with op in step.
func callIn(t *testing.T, r *result, endpoint, op string, step int) sockcall.Call {
	t.Helper()
	for _, c := range r.of(endpoint) {
		if c.Op == op && c.Step == step {
			return c
		}
	}
	t.Fatalf("no %s %s in step %d", endpoint, op, step)
	return sockcall.Call{}
}

func TestTimeWait(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemo(t, "time-wait")
	opsHave(t, r, "server",
		"socket setsockopt bind listen accept close close "+ // steps 1–2
			"socket bind close socket setsockopt bind listen close "+ // steps 3–4
			"socket setsockopt bind listen accept recv close close socket bind listen close", "") // steps 5–6
	opsHave(t, r, "client", "socket connect recv close socket connect close", "")
	if t.Failed() {
		t.FailNow()
	}

	// Restarting the server: EADDRINUSE without SO_REUSEADDR, then a bind
	// with it, while the server's old end is in TIME-WAIT.
	if b := callIn(t, r, "server", "bind", 3); b.Args != TimeWaitAddr || b.Errno != "EADDRINUSE" || b.Ret != -1 {
		t.Errorf("step 3: bind(%s) = %d %s, want -1 EADDRINUSE", b.Args, b.Ret, b.Errno)
	}
	if o := callIn(t, r, "server", "setsockopt", 4); o.Args != "SOL_SOCKET, SO_REUSEADDR, 1" || o.Ret != 0 {
		t.Errorf("step 4: setsockopt(%s) = %d", o.Args, o.Ret)
	}
	if b := callIn(t, r, "server", "bind", 4); b.Args != TimeWaitAddr || b.Ret != 0 {
		t.Errorf("step 4: bind(%s) = %d %s, want 0", b.Args, b.Ret, b.Errno)
	}
	if b := callIn(t, r, "server", "bind", 6); b.Args != TimeWaitClientFirstAddr || b.Ret != 0 {
		t.Errorf("step 6: bind(%s) without SO_REUSEADDR = %d %s, want 0", b.Args, b.Ret, b.Errno)
	}

	// TIME-WAIT on the wire: the server's end when the server closed
	// first, the client's when the client did.
	for _, part := range []struct {
		step, eofStep   int
		server          string
		closer          string
		eofBy           string
		twServer, twCli bool
	}{
		{1, 2, TimeWaitAddr, "server", "client", true, false},
		{5, 5, TimeWaitClientFirstAddr, "client", "server", false, true},
	} {
		conn := callIn(t, r, "client", "connect", part.step)
		client, server := conn.Local, netip.MustParseAddrPort(part.server)
		ss, cs := endStates(r, server, client), endStates(r, client, server)
		if hasState(ss, decode.StateTimeWait) != part.twServer || hasState(cs, decode.StateTimeWait) != part.twCli {
			t.Errorf("%s closes first: server %s went %v, client %s went %v", part.closer, server, ss, client, cs)
		}
		other := cs
		if part.twCli {
			other = ss
		}
		if len(other) == 0 || other[len(other)-1] != decode.StateClosed {
			t.Errorf("%s closes first: the other end went %v, want it closed at last", part.closer, other)
		}
		eof := callIn(t, r, part.eofBy, "recv", part.eofStep)
		if eof.Ret != 0 || eof.TCP == nil || eof.TCP.State != "CLOSE-WAIT" {
			t.Errorf("%s's recv after the %s's close: %d, TCP %+v; want 0 in CLOSE-WAIT", part.eofBy, part.closer, eof.Ret, eof.TCP)
		}
	}
	for _, p := range r.wire {
		if p.IsTCP() && p.TCPFlags&decode.TCPRst != 0 {
			t.Errorf("RST in frame %d", p.Number)
		}
	}
	checkLessonWords(t, r)
}

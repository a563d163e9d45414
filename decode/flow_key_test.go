package decode

import (
	"net/netip"
	"testing"
)

// TestKey4 checks the compact IPv4 key against keyOf, the key it stands
// in for: the same order of the ends, the same direction, both
// directions of a flow one key, distinct flows distinct keys, and no
// compact key for a flow with an end that is not IPv4.
func TestKey4(t *testing.T) {
	ap := netip.MustParseAddrPort
	type tuple struct{ src, dst netip.AddrPort }
	flows := []tuple{
		{ap("10.0.0.1:1234"), ap("10.0.0.2:80")},
		{ap("10.0.0.2:1234"), ap("10.0.0.1:80")},
		{ap("10.0.0.1:1234"), ap("10.0.0.3:80")},
		{ap("10.0.0.1:1234"), ap("10.0.0.1:80")},   // same address, ports decide
		{ap("10.0.0.1:1234"), ap("10.0.0.1:1234")}, // same end twice
		{ap("0.0.0.0:0"), ap("0.0.0.0:0")},
		{ap("255.255.255.255:65535"), ap("0.0.0.0:0")},
		{ap("192.168.1.1:65535"), ap("192.168.1.2:0")},
		{ap("1.2.3.4:5"), ap("5.6.7.8:9")},
		{ap("1.2.3.5:4"), ap("5.6.7.8:9")},
	}
	seen := map[key4]int{}
	for i, f := range flows {
		for _, rev := range []bool{false, true} {
			s, d := f.src, f.dst
			if rev {
				s, d = d, s
			}
			k, dir, ok := key4Of(s.Addr(), s.Port(), d.Addr(), d.Port())
			want, wantDir := keyOf(s.Addr(), s.Port(), d.Addr(), d.Port())
			if !ok || k.full() != want || dir != wantDir {
				t.Errorf("%v→%v: key4 %x dir %d ok %v, full %x; keyOf %x dir %d", s, d, k, dir, ok, k.full(), want, wantDir)
			}
			if k == (key4{}) {
				t.Errorf("%v→%v: zero key", s, d)
			}
			if j, dup := seen[k]; dup && j != i {
				t.Errorf("%v→%v: same key as flow %d", s, d, j)
			}
			seen[k] = i
		}
		k1, d1, _ := key4Of(f.src.Addr(), f.src.Port(), f.dst.Addr(), f.dst.Port())
		k2, d2, _ := key4Of(f.dst.Addr(), f.dst.Port(), f.src.Addr(), f.src.Port())
		if k1 != k2 || (d1 == d2 && f.src != f.dst) {
			t.Errorf("%v: directions %x/%d and %x/%d", f, k1, d1, k2, d2)
		}
	}

	// An IPv4-mapped IPv6 address is the IPv4 one to keyOf (As16), so to
	// key4Of too: the flow is found whichever form a packet carries.
	k, dir, ok := key4Of(netip.MustParseAddr("::ffff:10.0.0.1"), 1234, netip.MustParseAddr("10.0.0.2"), 80)
	k0, dir0, _ := key4Of(netip.MustParseAddr("10.0.0.1"), 1234, netip.MustParseAddr("10.0.0.2"), 80)
	if !ok || k != k0 || dir != dir0 {
		t.Errorf("IPv4-mapped: %x %d %v, want %x %d", k, dir, ok, k0, dir0)
	}

	// IPv6, mixed and invalid addresses take keyOf's key.
	for _, f := range [][2]string{
		{"2001:db8::1", "2001:db8::2"},
		{"10.0.0.1", "2001:db8::2"},
		{"2001:db8::1", "10.0.0.2"},
		{"::1", "::1"},
		{"::10.0.0.1", "10.0.0.2"}, // IPv4-compatible, not mapped
	} {
		s, d := netip.MustParseAddr(f[0]), netip.MustParseAddr(f[1])
		if _, _, ok := key4Of(s, 1, d, 2); ok {
			t.Errorf("%s→%s: compact key", s, d)
		}
	}
	if _, _, ok := key4Of(netip.Addr{}, 1, netip.MustParseAddr("10.0.0.1"), 2); ok {
		t.Error("invalid address: compact key")
	}
}

// TestTrackerKeyKinds tracks IPv4, IPv6 and mixed-form flows through one
// tracker: each direction of a flow finds its connection, flows with the
// same ports on other addresses do not, and a flow whose packets carry an
// address in its IPv4-mapped IPv6 form is the IPv4 one.
func TestTrackerKeyKinds(t *testing.T) {
	tr := NewTracker()
	mk := func(src, dst string, sport, dport uint16, flags uint16) *Packet {
		p := &Packet{Layers: LayerTCP, Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst),
			SrcPort: sport, DstPort: dport, TCPFlags: flags, Seq: 100, Ack: 1, Window: 1000, Sec: 1}
		p.Number = tr.tcp.n + 100
		return p
	}
	type step struct {
		src, dst     string
		sport, dport uint16
		stream       int
	}
	for i, s := range []step{
		{"10.0.0.1", "10.0.0.2", 1000, 80, 0},
		{"2001:db8::1", "2001:db8::2", 1000, 80, 1},
		{"10.0.0.2", "10.0.0.1", 80, 1000, 0},
		{"2001:db8::2", "2001:db8::1", 80, 1000, 1},
		{"10.0.0.1", "2001:db8::2", 1000, 80, 2},
		{"2001:db8::2", "10.0.0.1", 80, 1000, 2},
		{"::ffff:10.0.0.1", "10.0.0.2", 1000, 80, 0},
		{"10.0.0.2", "::ffff:10.0.0.1", 80, 1000, 0},
		{"10.0.0.3", "10.0.0.2", 1000, 80, 3},
		{"10.0.0.1", "10.0.0.2", 1001, 80, 4},
		{"2001:db8::3", "2001:db8::2", 1000, 80, 5},
		{"10.0.0.1", "10.0.0.2", 1000, 80, 0},
		{"2001:db8::1", "2001:db8::2", 1000, 80, 1},
	} {
		p := mk(s.src, s.dst, s.sport, s.dport, TCPAck)
		tr.Track(p)
		if p.Rel.Stream != s.stream {
			t.Errorf("step %d %s:%d→%s:%d: stream %d, want %d", i, s.src, s.sport, s.dst, s.dport, p.Rel.Stream, s.stream)
		}
	}
	if tr.Conns() != 6 {
		t.Errorf("%d connections, want 6", tr.Conns())
	}
	// The ends come back in the form of the packet that opened each.
	for id, want := range []string{"10.0.0.1:1000 10.0.0.2:80", "[2001:db8::1]:1000 [2001:db8::2]:80",
		"10.0.0.1:1000 [2001:db8::2]:80"} {
		c, _ := tr.TCPConversation(id)
		if got := c.A.String() + " " + c.B.String(); got != want {
			t.Errorf("stream %d: %s, want %s", id, got, want)
		}
	}
}

// TestTrackerRecentConns drives a tracker with tight limits through
// random segments on a few IPv4 4-tuples (ports reused with new initial
// sequence numbers, closes, resets, idle and capped retirements) and
// checks after each one that Tracker.recent holds only the current
// connection of a 4-tuple, in its slot, that the segment went to its
// 4-tuple's current connection, and that a live connection is in the map
// unless replaced (ports reused).
func TestTrackerRecentConns(t *testing.T) {
	tr := NewTracker()
	tr.SetLimits(Limits{IdleTimeout: 5e9, MaxFlows: 4, MaxClosed: 2, ClosedLinger: 2e9, ClosedGhosts: 3})
	rng := uint64(1)
	next := func(n int) int {
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		return int(rng % uint64(n))
	}
	reused := false
	flagSets := []uint16{TCPSyn, TCPSyn | TCPAck, TCPAck, TCPAck | TCPPsh, TCPFin | TCPAck, TCPRst, TCPRst | TCPAck}
	for i := range 20000 {
		a := netip.AddrFrom4([4]byte{10, 0, 0, byte(1 + next(3))})
		b := netip.AddrFrom4([4]byte{10, 0, 1, byte(1 + next(2))})
		sp, dp := uint16(1000+next(3)), uint16(80)
		if next(2) == 0 {
			a, b, sp, dp = b, a, dp, sp
		}
		p := &Packet{Layers: LayerTCP, Src: a, Dst: b, SrcPort: sp, DstPort: dp,
			TCPFlags: flagSets[next(len(flagSets))], Seq: uint32(next(4) * 1000), Ack: uint32(next(4) * 1000),
			Window: 100, PayloadLen: next(2) * 10, Number: i + 1, Sec: int64(i / 10), Nsec: int64(i%10) * 1e8}
		tr.Track(p)
		k4, _, _ := key4Of(a, sp, b, dp)
		if c := tr.conns[k4]; c == nil || int(c.stream) != p.Rel.Stream {
			t.Fatalf("packet %d: stream %d, not the 4-tuple's current connection", i+1, p.Rel.Stream)
		}
		for slot, c := range tr.recent {
			if c != nil && (tr.conns[c.k4] != c || c.k4.slot() != slot) {
				t.Fatalf("packet %d: recent[%d] holds stream %d, not current in its slot", i+1, slot, c.stream)
			}
		}
		for c := tr.tcpLRU.head; c != nil; c = c.lru.next {
			if (tr.conns[c.k4] == c) == c.replaced {
				t.Fatalf("packet %d: stream %d replaced %v, in the map %v", i+1, c.stream, c.replaced, !c.replaced)
			}
			reused = reused || c.replaced
		}
	}
	if !reused {
		t.Error("no ports reused")
	}
	if s := tr.Retired(); s.Idle+s.Cap+s.Closed == 0 || tr.Conns() < 100 {
		t.Errorf("retired %+v of %d connections: the test retires too little", s, tr.Conns())
	}
}

// TestTrackerUDPKeyKinds numbers UDP conversations over IPv4, IPv6 and
// mixed ends, in both directions, with a cap that retires the least
// recently seen: a datagram of a retired conversation starts a new one.
func TestTrackerUDPKeyKinds(t *testing.T) {
	tr := NewTracker()
	tr.SetLimits(Limits{MaxFlows: 2, Summaries: true})
	type step struct {
		src, dst     string
		sport, dport uint16
		stream       int
	}
	for i, s := range []step{
		{"10.0.0.1", "10.0.0.2", 53000, 53, 0},
		{"10.0.0.2", "10.0.0.1", 53, 53000, 0},
		{"2001:db8::1", "2001:db8::2", 53000, 53, 1},
		{"2001:db8::2", "2001:db8::1", 53, 53000, 1},
		{"10.0.0.2", "::ffff:10.0.0.1", 53, 53000, 0},
		{"10.0.0.1", "2001:db8::2", 53000, 53, 2}, // retires stream 1
		{"2001:db8::1", "2001:db8::2", 53000, 53, 3},
		{"10.0.0.1", "10.0.0.2", 53000, 53, 4}, // 0 retired by 3
		{"10.0.0.1", "10.0.0.2", 53000, 53, 4},
		{"10.0.0.3", "10.0.0.2", 53000, 53, 5}, // retires 3
		{"10.0.0.1", "10.0.0.2", 53000, 53, 4},
	} {
		p := &Packet{Layers: LayerUDP, Src: netip.MustParseAddr(s.src), Dst: netip.MustParseAddr(s.dst),
			SrcPort: s.sport, DstPort: s.dport, Number: i + 1, Sec: int64(i + 1)}
		tr.Track(p)
		if p.UDPStream != s.stream {
			t.Errorf("step %d %s:%d→%s:%d: udp.stream %d, want %d", i, s.src, s.sport, s.dst, s.dport, p.UDPStream, s.stream)
		}
	}
	if tr.UDPConvs() != 6 {
		t.Errorf("%d conversations, want 6", tr.UDPConvs())
	}
}

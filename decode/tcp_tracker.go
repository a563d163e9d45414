package decode

import (
	"bytes"
	"net/netip"
)

// Tracker follows TCP connections and UDP conversations across packets, in
// file order. For every TCP segment it fills Packet.Rel (stream number and
// relative sequence numbers) and Packet.Analysis (Wireshark's expert flags,
// the scaled window, the endpoint states); for every UDP datagram it fills
// Packet.UDPStream. It keeps one Conn per live TCP connection (about 870
// bytes) and one small record per live UDP conversation, so its memory
// grows with the flows, not with the packets (the one per-connection list
// that grows, the segments not yet acknowledged, is capped as Wireshark caps
// it and released when the connection closes); and Limits bound the live
// flows, retiring idle ones and the least recently seen into ~55-byte
// summary rows, or into nothing (flow_limits.go). A closed connection
// lingers for its late segments, then retires the same way, leaving a
// bounded ghost for port reuse (conn_close.go): live state then follows
// the open connections, not every connection seen. Tracking a packet
// allocates nothing once its connection exists, nor once the cap is
// reached: retired Conns are reused.
type Tracker struct {
	conns  map[key4]*Conn    // the current connection of each IPv4 4-tuple (flow_key.go)
	conns6 map[connKey]*Conn // and of each other one
	last   *Conn             // the connection of the previous segment: most segments follow one of their own
	// recent caches conns: an IPv4 connection found or opened lately, by
	// key4.slot. Each is its 4-tuple's current connection, so that a
	// connection found there needs no look-up in conns: a new one takes
	// its slot, and one that leaves conns leaves recent.
	recent [recentSlots]*Conn
	tcp    streams[Conn] // live connections, by stream number
	udp    map[key4]*udpConv
	udp6   map[connKey]*udpConv
	// lastUDP is the conversation of the last datagram, if live: an IPv4
	// one is looked for there first (its k4 is zero otherwise).
	lastUDP *udpConv
	udps    streams[udpConv] // live UDP conversations, by udp.stream

	// Bounds on the flows kept (flow_limits.go): the live ones, most
	// recently seen first, and the summary rows of the retired ones.
	limits           Limits
	closedLim        closedLimits // closedBounds, from limits
	tcpLRU           connList
	udpLRU           udpList
	liveTCP, liveUDP int
	clock            int64     // capture time of the latest packet that has one
	retired          [4]uint64 // by RetireReason
	rows             rowSlab
	tcpRows, udpRows rowIndex // by stream number: the retired flows' rows
	keepTCP, keepUDP int      // stream number + 1 of the flow whose row is kept regardless (KeepSummary); 0: none
	scratch          retireScratch
	freeConns        []*Conn // retired, to be reused
	connSlab         []Conn  // allocated, not yet used
	freeUDP          []*udpConv
	frozen           bool // Freeze was called

	// Closed connections (conn_close.go): those lingering, most recently
	// seen first, and the ghosts of those retired.
	closedList connList
	nClosed    int
	ghosts     ghostTable
	late       uint64 // segments that found a ghost and started a new stream
}

// NewTracker returns an empty tracker with DefaultLimits.
func NewTracker() *Tracker {
	t := &Tracker{
		conns: make(map[key4]*Conn), conns6: make(map[connKey]*Conn),
		udp: make(map[key4]*udpConv), udp6: make(map[connKey]*udpConv),
		closedList: connList{closed: true},
	}
	t.SetLimits(DefaultLimits())
	return t
}

// Conns is the number of TCP connections seen (tcp.stream values), retired
// ones included.
func (t *Tracker) Conns() int { return t.tcp.n }

// UDPConvs is the number of UDP conversations seen (udp.stream values),
// retired ones included.
func (t *Tracker) UDPConvs() int { return t.udps.n }

// Conn returns TCP connection number stream (tcp.stream), nil if none or
// retired.
func (t *Tracker) Conn(stream int) *Conn { return t.tcp.get(stream) }

// connKey is a 4-tuple with its two ends in a fixed order (the lower one
// first), so both directions find the same connection: each end is its
// address in 16 bytes (IPv4 mapped) and its port, big-endian. A flat array
// hashes and compares faster than netip values.
type connKey [2 * endLen]byte

const endLen = 18

// keyOf returns the key of src→dst and the direction of src→dst in it:
// 0 when src is the key's first end.
func keyOf(src netip.Addr, sport uint16, dst netip.Addr, dport uint16) (k connKey, dir int) {
	s, d := src.As16(), dst.As16()
	c := bytes.Compare(s[:], d[:])
	if c == 0 {
		c = int(sport) - int(dport)
	}
	if c > 0 {
		s, d, sport, dport, dir = d, s, dport, sport, 1
	}
	copy(k[:16], s[:])
	k[16], k[17] = byte(sport>>8), byte(sport)
	copy(k[endLen:endLen+16], d[:])
	k[endLen+16], k[endLen+17] = byte(dport>>8), byte(dport)
	return k, dir
}

// Track fills p's connection fields: Rel and Analysis for TCP, UDPStream
// for UDP (and for the UDP datagram an ICMP error quotes, which Wireshark
// files under the quoted conversation).
func (t *Tracker) Track(p *Packet) {
	if t.frozen {
		panic("decode: Tracker.Track after Freeze")
	}
	if p.Tunnel.Outer.UDP {
		t.trackOuterUDP(p)
	}
	switch {
	case p.Layers&LayerTCP != 0:
		t.trackTCP(p)
	case p.Layers&LayerUDP != 0 && p.BadLayer != LayerUDP:
		// A UDP header cut short gets no conversation, as in Wireshark.
		t.trackUDP(p, p.Src, p.SrcPort, p.Dst, p.DstPort, true)
	case p.Quote.Valid && p.Quote.Proto == 17 && p.Layers&(LayerICMPv4|LayerICMPv6) != 0:
		q := &p.Quote
		t.trackUDP(p, q.Src, q.SrcPort, q.Dst, q.DstPort, false)
	}
}

// trackOuterUDP numbers a UDP tunnel's own flow (VXLAN, Geneve, MPLS in
// UDP) before the inner packet's conversation, as Wireshark does: its
// udp.stream goes to p.Tunnel.Outer.UDPStream.
func (t *Tracker) trackOuterUDP(p *Packet) {
	o := &p.Tunnel.Outer
	stream, plen := p.UDPStream, p.PayloadLen
	p.PayloadLen = max(int(o.UDPLen)-8, 0)
	t.trackUDP(p, o.Src, o.SrcPort, o.Dst, o.DstPort, true)
	o.UDPStream = p.UDPStream
	p.UDPStream, p.PayloadLen = stream, plen
}

// Conn is one TCP connection: what the tracker needs to analyse its next
// segment, and the summary Conversation reports.
type Conn struct {
	// Hot: what every segment reads or writes, together in the first
	// cache lines (the segment's connection is seldom in cache).
	k4    key4       // the key of an IPv4 connection; zero for others
	flow  [2]tcpFlow // by direction
	tdSeq uint32     // tcpdump's th->seq and th->ack: the bases of the
	tdAck uint32     // key's first end's direction and of the other one
	tdSet bool
	// lingering: closed, on the tracker's closed list (conn_close.go).
	lingering bool
	// replaced: a new connection took its 4-tuple (ports reused), so the
	// tracker's maps no longer hold it.
	replaced bool
	stream   int32
	// Wireshark's conversation timestamps: the most recent SYN (ts_mru_syn)
	// and the time from it to the first pure ACK (ts_first_rtt), which sets
	// the out-of-order threshold. Zero means not yet, as nstime_is_zero
	// does there.
	mruSYN, firstRTT int64
	lru              flowLinks[Conn]
	seen             int64 // the tracker's clock at the last segment (tick)
	closed           flowLinks[Conn]

	// unackedBuf holds the first few unacknowledged segments of each
	// direction, so that a short connection needs no more allocations.
	unackedBuf [2][4]unackedSeg

	life connLife // states, events and counters (tcp_state.go); hot first

	key connKey // every connection's, for its ends and its ghost
	// is4 says the key's addresses are IPv4 (As16 maps them): the ends
	// are derived from the key, not kept twice.
	is4 bool
}

// tcpFlow is one direction of a connection: Wireshark's tcp_flow_t with its
// tcp_analyze_seq_flow_info_t, and sockscope's endpoint facts for the
// sending endpoint.
type tcpFlow struct {
	base     uint32 // initial sequence number (base_seq)
	window   uint32 // last raw window advertised (0xffffffff before any)
	baseSet  bool
	winScale int8 // -1 unknown, -2 no scaling, else the shift
	// windowFromSYN: that window came in a SYN, so it is not scaled
	// (Wireshark's is_first_ack).
	windowFromSYN bool
	sorted        bool // see unacked
	// lastFlags are the expert flags of the last segment in this direction
	// (lastsegmentflags).
	lastFlags Expert
	// nextSeq is the highest next sequence number seen, 0 meaning none yet,
	// as in Wireshark; maxSeqToBeAcked the highest contiguous one.
	nextSeq, maxSeqToBeAcked, lastAck uint32
	// dupAckNum counts duplicate ACKs since the ACK last changed; -1 marks
	// that an ACKed unseen segment was reported meanwhile.
	lastNonDupAck, dupAckNum int32
	nextSeqTime, lastAckTime int64 // ns since the epoch
	// unacked are the segments of this direction (with data, SYN or FIN)
	// not yet acknowledged, oldest first; at most maxUnacked, as Wireshark's
	// TCP_MAX_UNACKED_SEGMENTS. sorted says whether their next sequence
	// numbers ascend, which lets an ACK stop at the first one it does not
	// reach.
	unacked []unackedSeg
}

type unackedSeg struct {
	frame   uint32
	nextSeq uint32
}

const maxUnacked = 10000 // Wireshark's TCP_MAX_UNACKED_SEGMENTS

const connSlab = 32 // Conns allocated at once (Tracker.connSlab), 25 KiB

func (t *Tracker) newConn(k4 key4, key connKey, p *Packet, dir int) *Conn {
	var c *Conn
	if n := len(t.freeConns); n > 0 {
		c, t.freeConns = t.freeConns[n-1], t.freeConns[:n-1]
	} else {
		// New Conns come connSlab at a time: one allocation instead of
		// as many. Conns are never freed one by one (retired ones are
		// reused), so a slab keeps nothing alive that would otherwise go.
		if len(t.connSlab) == 0 {
			t.connSlab = make([]Conn, connSlab)
		}
		c, t.connSlab = &t.connSlab[0], t.connSlab[1:]
	}
	c.stream, c.k4, c.key, c.is4 = int32(t.tcp.n), k4, key, p.Src.Is4()
	for i := range c.flow {
		c.flow[i].winScale = -1
		c.flow[i].window = 0xffffffff
		c.flow[i].sorted = true
		c.flow[i].unacked = c.unackedBuf[i][:0]
	}
	c.life.init()
	t.tcp.add(c)
	if k4 != (key4{}) {
		t.conns[k4] = c
		t.recent[k4.slot()] = c // in place of an older connection of the 4-tuple
	} else {
		t.conns6[key] = c
	}
	t.tcpLRU.pushFront(c)
	t.liveTCP++
	t.enforceCap(c, nil)
	return c
}

// ends returns the two ends of the connection by direction: the sender of
// each.
func (c *Conn) ends() [2]netip.AddrPort { return c.key.ends(c.is4) }

func (k *connKey) ends(is4 bool) [2]netip.AddrPort {
	var e [2]netip.AddrPort
	for i := range e {
		b := k[i*endLen:]
		a := netip.AddrFrom16([16]byte(b[:16]))
		if is4 {
			a = a.Unmap()
		}
		e[i] = netip.AddrPortFrom(a, uint16(b[16])<<8|uint16(b[17]))
	}
	return e
}

func packetTime(p *Packet) int64 { return p.Sec*1e9 + p.Nsec }

// findConn returns the current connection of p's 4-tuple (nil if none),
// p's direction in its key, and the key if IPv4 (zero otherwise:
// flow_key.go). An IPv4 connection is looked for first among the recent
// ones: the map is for the first segment of a connection and for those
// that come back after many others.
func (t *Tracker) findConn(p *Packet) (c *Conn, k4 key4, dir int) {
	k4, dir, ok := key4Of(p.Src, p.SrcPort, p.Dst, p.DstPort)
	if !ok {
		var key connKey
		key, dir = keyOf(p.Src, p.SrcPort, p.Dst, p.DstPort)
		if c = t.last; c == nil || c.key != key {
			c = t.conns6[key]
		}
		return c, k4, dir
	}
	slot := &t.recent[k4.slot()]
	if c = *slot; c != nil && c.k4 == k4 {
		return c, k4, dir
	}
	if c = t.conns[k4]; c != nil {
		*slot = c
	}
	return c, k4, dir
}

// newKeyOf returns the full key of p's 4-tuple, for a new connection:
// k4's (findConn) if not zero, else keyOf's.
func newKeyOf(p *Packet, k4 key4) connKey {
	if k4 != (key4{}) {
		return k4.full()
	}
	key, _ := keyOf(p.Src, p.SrcPort, p.Dst, p.DstPort)
	return key
}

func (t *Tracker) trackTCP(p *Packet) {
	flags := p.TCPFlags
	syn, ack := flags&TCPSyn != 0, flags&TCPAck != 0
	a := &p.Analysis
	seen := t.tick(p)
	c, k4, dir := t.findConn(p)
	switch {
	case c == nil:
		key := newKeyOf(p, k4)
		t.fromGhost(key, p, dir)
		c = t.newConn(k4, key, p, dir)
	case syn && !ack && c.flow[dir].baseSet && c.flow[dir].base != p.Seq:
		// Wireshark: a SYN whose sequence number differs from the base of
		// the conversation on this 4-tuple starts a new one (ports reused).
		c.replaced = true
		c = t.newConn(k4, newKeyOf(p, k4), p, dir)
		a.Flags |= ExpertReusedPorts
	case syn && ack && c.flow[dir].baseSet && c.flow[dir].base != p.Seq:
		// A SYN/ACK with another initial sequence number: flagged, but it
		// stays in the conversation found.
		a.Flags |= ExpertReusedPorts
	}
	t.last = c
	t.tcpLRU.touch(c)
	c.seen = seen
	now := packetTime(p)
	r := &p.Rel
	r.Stream = int(c.stream)
	a.WindowSize = uint32(p.Window)
	a.WindowScaled = syn
	c.life.count(c, p, dir, now)
	if p.MoreFragments() {
		// A first fragment: the segment's length is unknown, so Wireshark
		// leaves it out of sequence analysis and shows raw numbers and the
		// unscaled window; so do we.
		r.Seq, r.Ack, r.TDSeq, r.TDAck = p.Seq, p.Ack, p.Seq, p.Ack
		a.WindowScaled = false
		c.life.stateOf(c, p, dir)
		t.afterSegment(c)
		return
	}
	fwd, rev := &c.flow[dir], &c.flow[1-dir]

	// Wireshark (packet-tcp.c): a direction's base is its SYN's sequence
	// number, else one less than the first sequence number seen, else one
	// less than what the other side first acknowledged.
	if !fwd.baseSet {
		fwd.base, fwd.baseSet = p.Seq-1, true
		if syn {
			fwd.base = p.Seq
		}
	}
	if ack && !rev.baseSet {
		rev.base, rev.baseSet = p.Ack-1, true
	}

	c.analyze(p, fwd, rev, now)

	r.Seq = p.Seq - fwd.base
	if ack {
		r.Ack = p.Ack - rev.base
	}
	r.NextSeq = r.Seq + uint32(p.PayloadLen)
	if flags&(TCPSyn|TCPFin) != 0 { // one sequence number, even with both
		r.NextSeq++
	}

	// tcp.window_size: SYNs are never scaled; other segments by the
	// sender's shift once known, else as they are (Wireshark's default
	// "window scaling unknown" preference).
	if !syn && fwd.winScale != -1 {
		a.WindowScaled = true
		if fwd.winScale >= 0 {
			a.WindowSize <<= uint(fwd.winScale)
		}
	}
	if syn {
		// The options are read after the analysis, as in Wireshark; then
		// verify_tcp_window_scaling: scaling is used only when both SYNs
		// carried the option.
		if p.TCPOptions.HasWS {
			fwd.winScale = int8(min(p.TCPOptions.WScale, 14))
		}
		switch {
		case fwd.winScale == -1:
			fwd.winScale, rev.winScale = -2, -2
		case ack && rev.winScale == -2:
			fwd.winScale = -2
		}
		if !ack {
			c.mruSYN = now
		}
	}
	if flags&(TCPSyn|TCPAck) == TCPAck && c.mruSYN != 0 && c.firstRTT == 0 {
		c.firstRTT = now - c.mruSYN
	}
	c.life.stateOf(c, p, dir)
	c.tdRelative(p, dir)
	t.afterSegment(c)
}

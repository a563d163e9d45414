package decode

import "time"

// Flows that never close — a port scan, a SYN flood, a capture that starts
// or ends in the middle of many connections — would keep their state for
// the whole run. Limits bound it: a flow idle for longer than IdleTimeout
// (in capture time) is retired, and so is the least recently seen flow
// when more than MaxFlows are live. A retired flow keeps, if Summaries is
// set, a compact row (conv_row.go) so that Conversations still lists it;
// its full state (sequence analysis, unacknowledged segments) is released.
//
// A later packet of a retired flow's 4-tuple starts a new tcp.stream (or
// udp.stream), first seen mid-stream: that is where sockscope departs
// from Wireshark, which never forgets a conversation. The default timeout
// is longer than any idle gap in the test corpus (36 minutes) and than
// Linux's keepalive interval (2 hours), so only a capture that really
// holds more live flows than the cap, or flows silent for hours, differs.

// Limits bound the tracker's state. The zero value bounds nothing but the
// closed connections, which retire with their default bounds
// (conn_close.go) unless KeepClosed is set.
type Limits struct {
	// IdleTimeout retires a flow whose last packet is older, in capture
	// time, than this; 0 never does.
	IdleTimeout time.Duration
	// MaxFlows bounds the live TCP connections and UDP conversations
	// together; past it the least recently seen retires. 0: no bound.
	MaxFlows int
	// Summaries keeps a compact row of each retired flow, so that
	// Conversations lists every flow. Off, retired flows are forgotten
	// (but for the one Tracker.KeepSummary names): printing packets, or
	// following one conversation, needs no summaries, and memory then
	// stays bounded.
	Summaries bool

	// Closed connections (conn_close.go) linger for ClosedLinger of
	// capture time after their last segment, at most MaxClosed of them,
	// then retire, leaving a ghost (at most ClosedGhosts): 0 means the
	// default. KeepClosed keeps them live instead, as Wireshark does, and
	// memory then grows with the connections.
	ClosedLinger time.Duration
	MaxClosed    int
	ClosedGhosts int
	KeepClosed   bool
}

// Defaults: see Limits. The cap keeps the live flows' state near 32 MiB
// (each live TCP connection takes about 870 bytes with its map entry, a
// UDP conversation about 250).
const (
	DefaultIdleTimeout = 3 * time.Hour
	DefaultMaxFlows    = 40_000
)

// DefaultLimits are the limits a new Tracker starts with: the default
// timeout and cap, with summaries.
func DefaultLimits() Limits {
	return Limits{IdleTimeout: DefaultIdleTimeout, MaxFlows: DefaultMaxFlows, Summaries: true}
}

// RetireReason says why a flow was retired.
type RetireReason uint8

// Retire reasons.
const (
	RetireNone RetireReason = iota // live at the end
	RetireIdle                     // idle longer than Limits.IdleTimeout
	RetireCap                      // least recently seen when over Limits.MaxFlows
	// RetireClosed: closed and lingered long enough (conn_close.go). Its
	// summary row says RetireNone, as nothing of it is lost.
	RetireClosed
)

func (r RetireReason) String() string {
	return [...]string{"", "idle", "max-flows", "closed"}[r]
}

// RetireStats counts the flows retired.
type RetireStats struct {
	Idle, Cap uint64 // by reason
	Live      int    // flows live now
	RowBytes  int64  // bytes of the retired flows' summary rows
	// Closed counts the TCP connections retired after they closed, Late
	// the segments that came after their connection so retired and
	// started a new stream; Lingering and Ghosts are the closed
	// connections live now and the ghosts kept (conn_close.go).
	Closed, Late      uint64
	Lingering, Ghosts int
}

// Total is the number of flows retired before their end: idle or over the
// cap (not the closed connections, which lose nothing).
func (s RetireStats) Total() uint64 { return s.Idle + s.Cap }

// SetLimits sets the limits; it is meant to be called before the first
// packet (lowering the cap later retires flows only as new ones arrive).
func (t *Tracker) SetLimits(l Limits) {
	t.limits = l
	t.closedLim = closedBoundsOf(&l)
}

// KeepSummary keeps the summary row of conversation c if it retires,
// even with Limits.Summaries off: a caller that reports on one
// conversation (BuildLadder) still finds it when it was retired before the
// end, and keeps no row for any other flow. It replaces the conversation
// an earlier call named.
func (t *Tracker) KeepSummary(c ConvRef) {
	t.keepTCP, t.keepUDP = 0, 0
	if c.Proto == "udp" {
		t.keepUDP = c.Stream + 1
	} else {
		t.keepTCP = c.Stream + 1
	}
}

// Limits returns the limits in force.
func (t *Tracker) Limits() Limits { return t.limits }

// Retired counts the flows retired so far.
func (t *Tracker) Retired() RetireStats {
	return RetireStats{Idle: t.retired[RetireIdle], Cap: t.retired[RetireCap],
		Live: t.liveTCP + t.liveUDP, RowBytes: t.rows.held,
		Closed: t.retired[RetireClosed], Late: t.late, Lingering: t.nClosed, Ghosts: t.ghosts.len()}
}

// connList and udpList are lists of flows, most recently seen first,
// linked through the flows themselves: no allocation per flow, O(1) to
// touch. They are written out for each kind of flow rather than generic
// over a function that finds a flow's links: every packet touches a list,
// and a field access inlines where a call through a function value does
// not. The two must stay the same but for links.
type connList struct {
	head, tail *Conn
	closed     bool // linked through Conn.closed, else through Conn.lru
}

type udpList struct{ head, tail *udpConv }

type flowLinks[T any] struct{ prev, next *T }

func (l *connList) links(c *Conn) *flowLinks[Conn] {
	if l.closed {
		return &c.closed
	}
	return &c.lru
}

func (l *udpList) links(u *udpConv) *flowLinks[udpConv] { return &u.lru }

func (l *connList) pushFront(x *Conn) {
	lx := l.links(x)
	lx.prev, lx.next = nil, l.head
	if l.head != nil {
		l.links(l.head).prev = x
	} else {
		l.tail = x
	}
	l.head = x
}

func (l *connList) remove(x *Conn) {
	lx := l.links(x)
	if lx.prev != nil {
		l.links(lx.prev).next = lx.next
	} else {
		l.head = lx.next
	}
	if lx.next != nil {
		l.links(lx.next).prev = lx.prev
	} else {
		l.tail = lx.prev
	}
	lx.prev, lx.next = nil, nil
}

// touch moves x to the front.
func (l *connList) touch(x *Conn) {
	if l.head != x {
		l.remove(x)
		l.pushFront(x)
	}
}

func (l *udpList) pushFront(x *udpConv) {
	lx := l.links(x)
	lx.prev, lx.next = nil, l.head
	if l.head != nil {
		l.links(l.head).prev = x
	} else {
		l.tail = x
	}
	l.head = x
}

func (l *udpList) remove(x *udpConv) {
	lx := l.links(x)
	if lx.prev != nil {
		l.links(lx.prev).next = lx.next
	} else {
		l.head = lx.next
	}
	if lx.next != nil {
		l.links(lx.next).prev = lx.prev
	} else {
		l.tail = lx.prev
	}
	lx.prev, lx.next = nil, nil
}

// touch moves x to the front.
func (l *udpList) touch(x *udpConv) {
	if l.head != x {
		l.remove(x)
		l.pushFront(x)
	}
}

// tick advances the tracker's clock to p's capture time (a frame without
// a timestamp leaves it), retires the flows idle too long at that time,
// and returns it: the time p's flow was last seen, for the next tick.
func (t *Tracker) tick(p *Packet) int64 {
	if p.NoTime {
		return t.clock
	}
	now := packetTime(p)
	if t.clock == 0 {
		// The first timestamp: the flows seen before it, without one,
		// count as seen now.
		for c := t.tcpLRU.head; c != nil; c = c.lru.next {
			c.seen = now
		}
		for u := t.udpLRU.head; u != nil; u = u.lru.next {
			u.seen = now
		}
	}
	t.clock = now
	t.expire(now)
	t.expireClosed(now)
	return now
}

// expire retires, before packet time now, every flow idle longer than the
// timeout: the least recently seen are at the lists' tails. A packet of a
// flow idle that long thus starts a new one, whatever else the capture
// holds.
func (t *Tracker) expire(now int64) {
	idle := int64(t.limits.IdleTimeout)
	if idle <= 0 {
		return
	}
	for c := t.tcpLRU.tail; c != nil && now-c.seen > idle; c = t.tcpLRU.tail {
		t.retireConn(c, RetireIdle)
	}
	for u := t.udpLRU.tail; u != nil && now-u.seen > idle; u = t.udpLRU.tail {
		t.retireUDP(u, RetireIdle)
	}
}

// enforceCap retires the least recently seen flows while more than
// MaxFlows are live; the flow of the current packet (keepC or keepU)
// stays.
func (t *Tracker) enforceCap(keepC *Conn, keepU *udpConv) {
	max := t.limits.MaxFlows
	if max <= 0 {
		return
	}
	for t.liveTCP+t.liveUDP > max {
		// The older of the two lists' tails goes.
		c, u := t.tcpLRU.tail, t.udpLRU.tail
		if c == keepC {
			c = nil
		}
		if u == keepU {
			u = nil
		}
		switch {
		case c != nil && (u == nil || c.seen <= u.seen):
			t.retireConn(c, RetireCap)
		case u != nil:
			t.retireUDP(u, RetireCap)
		default:
			return
		}
	}
}

func (t *Tracker) retireConn(c *Conn, why RetireReason) {
	t.tcpLRU.remove(c)
	t.liveTCP--
	if c.lingering {
		// Closed already: whatever retires it, nothing of it is lost.
		if why != RetireNone {
			why = RetireClosed
		}
		t.unlinger(c)
	}
	if !c.replaced {
		t.forgetConn(c)
		if why == RetireClosed {
			_, _, n := t.closedBounds()
			t.ghosts.add(c, n)
		}
	}
	if t.last == c {
		t.last = nil
	}
	t.retired[why]++
	if t.limits.Summaries || t.keepTCP == int(c.stream)+1 {
		s := &t.scratch
		ia := int(max(c.life.a, 0))
		c.fill(&s.conv, s.hist[0][:c.life.nhist[ia]], s.hist[1][:c.life.nhist[1-ia]], s.events[:0])
		s.conv.Retired = why
		if why == RetireClosed {
			s.conv.Retired = RetireNone
		}
		t.tcpRows.set(int(c.stream), t.rows.add(&s.conv))
	}
	t.tcp.clear(int(c.stream))
	// Reused by the next new connection: a flood of short flows then
	// allocates nothing once the cap is reached, and leaves no garbage to
	// raise the heap's high-water mark.
	*c = Conn{}
	t.freeConns = append(t.freeConns, c)
}

// forgetConn removes c's 4-tuple from the connections found by key.
func (t *Tracker) forgetConn(c *Conn) {
	if c.k4 != (key4{}) {
		delete(t.conns, c.k4)
		if r := &t.recent[c.k4.slot()]; *r == c {
			*r = nil
		}
	} else {
		delete(t.conns6, c.key)
	}
}

// retireScratch is where a retiring flow's summary is built.
type retireScratch struct {
	conv   Conversation
	hist   [2][maxHistory]StateChange
	events [maxEvents]Event
}

func (t *Tracker) retireUDP(u *udpConv, why RetireReason) {
	t.udpLRU.remove(u)
	t.liveUDP--
	if u.k4 != (key4{}) {
		if t.udp[u.k4] == u {
			delete(t.udp, u.k4)
		}
	} else if t.udp6[u.key] == u {
		delete(t.udp6, u.key)
	}
	if t.lastUDP == u {
		t.lastUDP = nil
	}
	t.retired[why]++
	if t.limits.Summaries || t.keepUDP == u.id+1 {
		v := u.conversation()
		v.Retired = why
		t.udpRows.set(u.id, t.rows.add(&v))
	}
	t.udps.clear(u.id)
	*u = udpConv{}
	t.freeUDP = append(t.freeUDP, u)
}

// row returns the summary row of retired stream id, if kept.
func (t *Tracker) row(rows *rowIndex, id int) (Conversation, bool) {
	pos, ok := rows.get(id)
	if !ok {
		return Conversation{}, false
	}
	return t.rows.get(pos), true
}

// streams holds the live flows by stream number. Retired ones become nil,
// and the nils before the oldest live flow are dropped, so that with
// summaries off its size follows the live flows, not every flow seen.
//
// The window slides forward as old flows retire; add moves it back to
// the start of its array, rather than let append copy it to a new one,
// while half the array is free: under the flow cap a pass over a million
// flows would otherwise leave some 35 MiB of dropped arrays behind.
type streams[T any] struct {
	base int  // the stream number of s[0]
	s    []*T // by stream number - base
	buf  []*T // s's array from its start
	n    int  // streams numbered so far
}

func (s *streams[T]) add(x *T) {
	if len(s.s) == cap(s.s) {
		if s.buf != nil && len(s.s) <= cap(s.buf)/2 {
			// Into the whole array: buf's length is only what the window
			// held when it was made (0 for the first).
			k := copy(s.buf[:cap(s.buf)], s.s)
			clear(s.buf[k:cap(s.buf)])
			s.s = s.buf[:k]
		} else {
			s.buf = make([]*T, len(s.s), max(2*len(s.s), 8))
			copy(s.buf, s.s)
			s.s = s.buf
		}
	}
	s.s = append(s.s, x)
	s.n++
}

func (s *streams[T]) get(id int) *T {
	if i := id - s.base; i >= 0 && i < len(s.s) {
		return s.s[i]
	}
	return nil
}

func (s *streams[T]) clear(id int) {
	i := id - s.base
	if i < 0 || i >= len(s.s) {
		return
	}
	s.s[i] = nil
	k := 0
	for k < len(s.s) && s.s[k] == nil {
		k++
	}
	if k > 0 {
		s.s = s.s[k:]
		s.base += k
		if len(s.s) == 0 {
			s.s, s.buf = nil, nil // let the old array go
		}
	}
}

// release drops the array (Freeze).
func (s *streams[T]) release() { s.s, s.buf = nil, nil }

// Freeze ends tracking: every live flow becomes its summary row (not
// counted as retired) and the per-flow state is released, so that a
// tracker kept after a one-off pass (the inspector's file index) holds
// about 65 bytes per conversation. Afterwards the tracker only answers
// Conversations, EachConversation, TCPConversation, UDPConversation and
// ConversationAt, from any number of goroutines at once; Track must not be
// called again.
func (t *Tracker) Freeze() {
	t.limits.Summaries = true
	for c := t.tcpLRU.head; c != nil; c = t.tcpLRU.head {
		t.retireConn(c, RetireNone)
	}
	for u := t.udpLRU.head; u != nil; u = t.udpLRU.head {
		t.retireUDP(u, RetireNone)
	}
	t.conns, t.conns6, t.udp, t.udp6, t.last, t.lastUDP = nil, nil, nil, nil, nil, nil
	clear(t.recent[:])
	t.ghosts = ghostTable{}
	t.freeConns, t.freeUDP, t.connSlab = nil, nil, nil
	t.tcp.release()
	t.udps.release()
	t.frozen = true
}

// ConversationAt returns conversation i in Conversations' order (TCP
// connections, then UDP conversations); false past the end or for a flow
// retired without a summary.
func (t *Tracker) ConversationAt(i int) (Conversation, bool) {
	if i < t.tcp.n {
		return t.TCPConversation(i)
	}
	return t.UDPConversation(i - t.tcp.n)
}

// NumConversations is the number of conversations ConversationAt indexes.
func (t *Tracker) NumConversations() int { return t.tcp.n + t.udps.n }

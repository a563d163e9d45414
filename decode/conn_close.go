package decode

import "time"

// Closed connections retire. A connection whose two endpoints are both
// CLOSED or in TIME_WAIT (the last ACK of the FINs seen, or an RST) has
// nothing left to say but late segments: a retransmitted FIN, a duplicate
// of the last ACK. It stays live ("lingers") so that those are analysed
// exactly as Wireshark analyses them, in the same tcp.stream, until
// either it has been silent for ClosedLinger of capture time (RFC 9293's
// TIME_WAIT, 2 MSL) or more than MaxClosed closed connections linger (the
// least recently seen goes first). Then it retires like a flow over the
// limits: its summary row is kept when Summaries is set (Retired stays
// RetireNone: nothing of it is lost), and its state is released.
//
// What it leaves behind is a ghost: its 4-tuple, its initial sequence
// numbers and its stream number, in a table of at most ClosedGhosts
// entries (the oldest forgotten first). A new SYN on that 4-tuple with
// another initial sequence number is flagged tcp.analysis.reused_ports, as
// it would have been with the connection live (Wireshark never forgets a
// conversation). Any other segment on a ghost's 4-tuple is a late segment
// of a retired connection: it starts a new tcp.stream, first seen
// mid-stream, where Wireshark would have put it in the old one; the
// tracker counts these (RetireStats.Late).
//
// With the defaults a ghost takes about 100 bytes and a lingering Conn
// about 900 with its map entry: live state is bounded by some 8 MiB
// however many connections a capture holds, and late segments up to 4,096
// closed connections and 65,536 ghosts later are handled as before
// (BenchmarkRetiredConnBytes, TestTrackerBoundsShortConnections).

// Defaults for closed connections (see Limits).
const (
	DefaultClosedLinger = 4 * time.Minute
	DefaultMaxClosed    = 4096
	DefaultClosedGhosts = 65536
)

// closedBounds returns the linger time (ns) and the bounds on lingering
// connections and ghosts in force; linger 0 means closed connections stay
// live (Limits.KeepClosed). Every segment asks: SetLimits works them out
// once (closedBoundsOf).
func (t *Tracker) closedBounds() (linger int64, maxClosed, ghosts int) {
	b := &t.closedLim
	return b.linger, b.maxClosed, b.ghosts
}

// closedLimits are closedBounds' answers.
type closedLimits struct {
	linger            int64
	maxClosed, ghosts int
}

// closedBoundsOf works out closedBounds for limits l.
func closedBoundsOf(l *Limits) closedLimits {
	if l.KeepClosed {
		return closedLimits{}
	}
	linger, maxClosed, ghosts := int64(l.ClosedLinger), l.MaxClosed, l.ClosedGhosts
	if linger <= 0 {
		linger = int64(DefaultClosedLinger)
	}
	if maxClosed <= 0 {
		maxClosed = DefaultMaxClosed
	}
	if ghosts <= 0 {
		ghosts = DefaultClosedGhosts
	}
	return closedLimits{linger, maxClosed, ghosts}
}

// isClosed says whether both endpoints are past the end: CLOSED or
// TIME_WAIT.
func (l *connLife) isClosed() bool {
	const past = 1<<StateClosed | 1<<StateTimeWait
	return (past>>l.state[0])&(past>>l.state[1])&1 != 0
}

// afterSegment puts c on the closed list when its segment closed it,
// moves it to the list's front when it was already there (a late
// segment), and takes it off when the segment reopened it (a SYN after an
// RST); past MaxClosed the least recently seen closed connection retires.
func (t *Tracker) afterSegment(c *Conn) {
	linger, maxClosed, _ := t.closedBounds()
	if linger == 0 {
		return
	}
	switch closed := c.life.isClosed(); {
	case closed && c.lingering:
		t.closedList.touch(c)
	case closed:
		c.lingering = true
		t.closedList.pushFront(c)
		t.nClosed++
		for t.nClosed > maxClosed {
			t.retireConn(t.closedList.tail, RetireClosed)
		}
	case c.lingering:
		t.unlinger(c)
	}
}

func (t *Tracker) unlinger(c *Conn) {
	t.closedList.remove(c)
	c.lingering = false
	t.nClosed--
}

// expireClosed retires, before packet time now, the closed connections
// silent for longer than ClosedLinger.
func (t *Tracker) expireClosed(now int64) {
	linger, _, _ := t.closedBounds()
	if linger == 0 {
		return
	}
	for c := t.closedList.tail; c != nil && now-c.seen > linger; c = t.closedList.tail {
		t.retireConn(c, RetireClosed)
	}
}

// ghost is what a retired closed connection leaves: enough to flag a new
// SYN on its 4-tuple as reusing its ports, and to count a late segment.
type ghost struct {
	key    connKey
	base   [2]uint32 // initial sequence numbers by direction, if set
	set    [2]bool
	stream int32
}

// ghostTable holds the latest ghosts in a ring, found by 4-tuple.
type ghostTable struct {
	at   map[connKey]int32 // index in ring
	ring []ghost
	next int // where the next ghost goes once the ring is full
}

func (g *ghostTable) add(c *Conn, limit int) {
	if g.at == nil {
		g.at = make(map[connKey]int32)
		// The ring's memory at once (up to the default limit), touched
		// as it fills: growing it by appending copies it again and again.
		g.ring = make([]ghost, 0, min(limit, DefaultClosedGhosts))
	}
	x := ghost{key: c.key, stream: c.stream}
	for i := range c.flow {
		x.base[i], x.set[i] = c.flow[i].base, c.flow[i].baseSet
	}
	if i, ok := g.at[c.key]; ok { // an older ghost of the 4-tuple: replaced
		g.ring[i] = x
		return
	}
	var i int
	if len(g.ring) < limit {
		i = len(g.ring)
		g.ring = append(g.ring, x)
	} else {
		i = g.next
		g.next = (g.next + 1) % len(g.ring)
		if j, ok := g.at[g.ring[i].key]; ok && j == int32(i) {
			delete(g.at, g.ring[i].key)
		}
		g.ring[i] = x
	}
	g.at[c.key] = int32(i)
}

// take returns and forgets the ghost of key.
func (g *ghostTable) take(key connKey) (ghost, bool) {
	i, ok := g.at[key]
	if !ok {
		return ghost{}, false
	}
	delete(g.at, key)
	return g.ring[i], true
}

func (g *ghostTable) len() int { return len(g.at) }

// fromGhost handles a segment that finds no live connection on its
// 4-tuple: if a retired closed connection left a ghost there, a SYN with
// another initial sequence number reuses its ports, and anything else is
// a late segment of it.
func (t *Tracker) fromGhost(key connKey, p *Packet, dir int) {
	if t.ghosts.at == nil {
		return
	}
	g, ok := t.ghosts.take(key)
	if !ok {
		return
	}
	if p.TCPFlags&(TCPSyn|TCPAck) == TCPSyn && g.set[dir] && g.base[dir] != p.Seq {
		p.Analysis.Flags |= ExpertReusedPorts
		return
	}
	t.late++
}

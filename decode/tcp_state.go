package decode

import "time"

// Endpoint states (RFC 9293, section 3.3.2) as the packets imply them, and
// the named events of a connection's life.
//
// The capture is taken as the truth of what was delivered: a segment
// changes its sender's state when sent (snd SYN, snd FIN) and its
// receiver's state when received (rcv SYN,ACK, rcv FIN, rcv ACK of FIN),
// both at that segment's frame, which is recorded as the cause. Two
// inferences fill what the wire cannot show: the receiver of a SYN is taken
// to have been in LISTEN (it moves to SYN_RECEIVED when its SYN/ACK shows it
// got the SYN, or to CLOSED if it answers with RST: refused); and both ends
// of a connection first seen mid-stream are taken to be ESTABLISHED.
// TIME_WAIT is final here: its end is a timer, not a segment.

// String returns the RFC 9293 name (SYN_SENT, ESTABLISHED, …), "" for
// StateUnknown.
func (s TCPState) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "?"
}

var stateNames = [...]string{
	StateUnknown: "", StateClosed: "CLOSED", StateListen: "LISTEN", StateSynSent: "SYN_SENT",
	StateSynReceived: "SYN_RECEIVED", StateEstablished: "ESTABLISHED", StateFinWait1: "FIN_WAIT_1",
	StateFinWait2: "FIN_WAIT_2", StateClosing: "CLOSING", StateTimeWait: "TIME_WAIT",
	StateCloseWait: "CLOSE_WAIT", StateLastAck: "LAST_ACK",
}

// Role names an endpoint of a connection: the client (sent the SYN) and
// the server when the handshake was captured, else A (sent the first packet
// seen) and B.
type Role uint8

// Roles.
const (
	RoleNone Role = iota
	RoleClient
	RoleServer
	RoleA
	RoleB
)

func (r Role) String() string {
	switch r {
	case RoleClient:
		return "client"
	case RoleServer:
		return "server"
	case RoleA:
		return "A"
	case RoleB:
		return "B"
	}
	return ""
}

// StateChange is one entry of an endpoint's state history: the state and
// the frame that caused it.
type StateChange struct {
	State TCPState
	Frame int
}

// EventKind names what happened in a connection.
type EventKind uint8

// Events.
const (
	EventNone              EventKind = iota
	EventMidStream                   // first seen mid-stream: no SYN captured
	EventSYNRetry                    // a SYN sent again with the same initial sequence number
	EventHandshake                   // three-way handshake completed (at the final ACK)
	EventSimultaneousOpen            // both sides sent a SYN before seeing the other's
	EventRefused                     // SYN answered by RST: nobody listening
	EventHalfClose                   // one side closed (FIN), the other kept sending data
	EventFourWayClose                // FIN, ACK, FIN, ACK
	EventThreeWayClose               // FIN, FIN/ACK (FIN on the ACK), ACK
	EventSimultaneousClose           // both sides sent FIN before seeing the other's
	EventReset                       // abortive close: RST
	EventPortsReused                 // a new connection on the 4-tuple of an earlier one
)

var eventNames = [...]string{
	EventNone: "", EventMidStream: "mid-stream", EventSYNRetry: "SYN retry",
	EventHandshake: "handshake", EventSimultaneousOpen: "simultaneous open",
	EventRefused: "refused", EventHalfClose: "half-close", EventFourWayClose: "four-way close",
	EventThreeWayClose: "three-way close", EventSimultaneousClose: "simultaneous close",
	EventReset: "reset", EventPortsReused: "ports reused",
}

func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return "?"
}

// Event is one named event of a connection.
type Event struct {
	Kind  EventKind
	Frame int   // the packet that caused or completed it
	Time  int64 // its capture time, ns since the epoch
	// By is the endpoint that acted: the closer, the sender of the RST or
	// of the repeated SYN, the one that refused.
	By Role
	// For EventHandshake: SYN→SYN/ACK and SYN/ACK→ACK.
	SynToSynAck, SynAckToAck time.Duration
}

// HandshakeKind says how a connection opened.
type HandshakeKind uint8

// Handshake kinds.
const (
	HandshakeNone         HandshakeKind = iota // no SYN captured: first seen mid-stream
	HandshakeIncomplete                        // SYN seen, never completed
	HandshakeThreeWay                          // SYN, SYN/ACK, ACK
	HandshakeSimultaneous                      // simultaneous open
	HandshakeRefused                           // SYN answered by RST
)

func (h HandshakeKind) String() string {
	return [...]string{"none", "incomplete", "three-way", "simultaneous open", "refused"}[h]
}

// TeardownKind says how a connection closed.
type TeardownKind uint8

// Teardown kinds.
const (
	TeardownNone         TeardownKind = iota // still open at the end of the capture
	TeardownHalf                             // one FIN only so far
	TeardownFourWay                          // FIN, ACK, FIN, ACK
	TeardownThreeWay                         // FIN, FIN/ACK, ACK
	TeardownSimultaneous                     // both FINs crossed
	TeardownReset                            // RST (abortive close)
	TeardownRefused                          // the RST that refused the SYN
)

func (k TeardownKind) String() string {
	return [...]string{"none", "half-closed", "four-way", "three-way", "simultaneous", "reset", "refused"}[k]
}

const (
	maxEvents  = 8 // per connection; more are counted in eventsDropped
	maxHistory = 8 // state changes kept per endpoint (a connection needs at most 7)
)

// connEvent and histEntry are the compact forms kept per connection.
type connEvent struct {
	time  int64
	frame uint32
	kind  EventKind
	by    Role
}

type histEntry struct {
	frame uint32
	state TCPState
}

// connLife is a connection's life: endpoint states and their history,
// events, and the counters of its Conversation. Endpoints are indexed by
// the direction they send in.
type connLife struct {
	// Hot first.
	state             [2]TCPState
	a                 int8 // the endpoint that is A (the initiator); -1 before any packet
	syncSeen          bool // the first packet was a SYN or SYN/ACK: roles are client and server
	synSeen, synAcked [2]bool
	finSent, finAcked [2]bool
	handshake         HandshakeKind
	teardown          TeardownKind
	closer            int8 // who sent the first FIN or the RST; -1 none
	halfClose         bool
	nhist             [2]uint8
	nevents           uint8
	synSeq, finSeq    [2]uint32
	packets, bytes    [2]uint64
	payload           [2]uint64
	lastSec           int64 // capture time of the last packet
	lastNsec          int32
	lastFrame         int
	firstFrame        int

	firstSec            int64 // capture time of the first packet
	firstNsec           int32
	synTime, synAckTime int64
	// the handshake's SYN→SYN/ACK and SYN/ACK→ACK times, once complete
	synToSynAck, synAckToAck int64
	finAckFrame              [2]int32
	retransmissions          int32
	synRetries               int32
	eventsDropped            int32

	hist   [2][maxHistory]histEntry
	events [maxEvents]connEvent
}

func (l *connLife) init() { l.a, l.closer = -1, -1 }

// count adds the packet to the connection's counters.
func (l *connLife) count(c *Conn, p *Packet, dir int, now int64) {
	if l.a < 0 {
		l.a = int8(dir)
		if p.TCPFlags&TCPSyn != 0 {
			l.syncSeen = true
			if p.TCPFlags&TCPAck != 0 { // the SYN/ACK is the server's
				l.a = int8(1 - dir)
			}
		}
		l.firstSec, l.firstNsec = packetStamp(p)
		l.firstFrame = p.Number
	}
	l.lastSec, l.lastNsec = packetStamp(p)
	l.lastFrame = p.Number
	l.packets[dir]++
	l.bytes[dir] += uint64(p.Len)
	l.payload[dir] += uint64(p.PayloadLen)
}

// role returns endpoint i's Role.
func (l *connLife) role(i int) Role {
	isA := int8(i) == l.a
	switch {
	case l.syncSeen && isA:
		return RoleClient
	case l.syncSeen:
		return RoleServer
	case isA:
		return RoleA
	}
	return RoleB
}

func (l *connLife) event(kind EventKind, frame int, now int64, by Role) {
	if int(l.nevents) == maxEvents {
		l.eventsDropped++
		return
	}
	l.events[l.nevents] = connEvent{time: now, frame: uint32(frame), kind: kind, by: by}
	l.nevents++
}

// stateOf moves the endpoint states for segment p from endpoint s (its
// direction) to r, records events and fills p.Analysis's state fields. It
// runs after the expert analysis.
func (l *connLife) stateOf(c *Conn, p *Packet, s int) {
	r := 1 - s
	a := &p.Analysis
	if l.quiet(p) {
		// Most segments: an established connection's data and ACKs.
		if a.IsRetransmission() {
			l.retransmissions++
		}
		a.SrcState, a.DstState = StateEstablished, StateEstablished
		a.SrcRole, a.DstRole = l.role(s), l.role(r)
		a.SrcChanged, a.DstChanged, a.StateChanged = false, false, false
		return
	}
	st := &l.state
	before := *st
	flags := p.TCPFlags
	syn, ack, fin, rst := flags&TCPSyn != 0, flags&TCPAck != 0, flags&TCPFin != 0, flags&TCPRst != 0
	now := packetTime(p)
	if a.IsRetransmission() {
		l.retransmissions++
	}
	if a.Flags&ExpertReusedPorts != 0 && l.firstFrame == p.Number {
		l.event(EventPortsReused, p.Number, now, l.role(s))
	}

	if l.firstFrame == p.Number && !syn {
		st[s], st[r] = StateEstablished, StateEstablished
		l.event(EventMidStream, p.Number, now, RoleNone)
	}

	// What the ACK tells the receiver: its SYN or its FIN arrived. (An RST's
	// acknowledgment number says only which segment it answers.)
	if ack && !rst {
		if l.synSeen[r] && !l.synAcked[r] && seqGE(p.Ack, l.synSeq[r]+1) {
			l.synAcked[r] = true
			if st[r] == StateSynReceived && !syn && int8(s) == l.a && l.handshake == HandshakeIncomplete {
				l.handshake = HandshakeThreeWay
				if l.synAckTime != 0 {
					l.synToSynAck, l.synAckToAck = l.synAckTime-l.synTime, now-l.synAckTime
				}
				l.event(EventHandshake, p.Number, now, l.role(s))
			}
			if st[r] == StateSynSent || st[r] == StateSynReceived {
				st[r] = StateEstablished
			}
		}
		if l.finSent[r] && !l.finAcked[r] && seqGE(p.Ack, l.finSeq[r]+1) {
			l.finAcked[r] = true
			l.finAckFrame[r] = int32(p.Number)
			switch st[r] {
			case StateFinWait1:
				st[r] = StateFinWait2
			case StateClosing:
				st[r] = StateTimeWait
			case StateLastAck:
				st[r] = StateClosed
			}
		}
	}

	if syn && !rst {
		l.opening(p, s, r, ack, now)
	}

	// Data after the other side's FIN: a half-closed connection in use.
	if p.PayloadLen > 0 && l.finSent[r] && !l.finSent[s] && !l.halfClose && !a.IsRetransmission() {
		l.halfClose = true
		l.event(EventHalfClose, p.Number, now, l.role(r))
	}

	if fin && !rst && !l.finSent[s] {
		l.closing(p, s, r, ack, now)
	}

	if rst {
		if l.teardown != TeardownReset && l.teardown != TeardownRefused {
			if st[r] == StateSynSent && !l.synSeen[s] {
				l.handshake, l.teardown = HandshakeRefused, TeardownRefused
				l.event(EventRefused, p.Number, now, l.role(s))
			} else if st[s] != StateClosed || st[r] != StateClosed {
				l.teardown = TeardownReset
				l.event(EventReset, p.Number, now, l.role(s))
			}
			l.closer = int8(s)
		}
		st[s], st[r] = StateClosed, StateClosed
	}

	// Closed with nothing outstanding: release a grown unacknowledged list.
	if st[s] == StateClosed || st[r] == StateClosed {
		for i := range c.flow {
			if f := &c.flow[i]; len(f.unacked) == 0 && cap(f.unacked) > len(c.unackedBuf[i]) {
				f.unacked = c.unackedBuf[i][:0]
			}
		}
	}

	a.SrcState, a.DstState = st[s], st[r]
	a.SrcRole, a.DstRole = l.role(s), l.role(r)
	a.SrcChanged, a.DstChanged = st[s] != before[s], st[r] != before[r]
	a.StateChanged = a.SrcChanged || a.DstChanged
	for i := range st {
		if st[i] != before[i] && l.nhist[i] < maxHistory {
			l.hist[i][l.nhist[i]] = histEntry{frame: uint32(p.Number), state: st[i]}
			l.nhist[i]++
		}
	}
}

// quiet reports whether segment p can change nothing in stateOf but the
// retransmission count: no SYN, FIN or RST, not the connection's first
// frame (mid-stream), both endpoints ESTABLISHED with every SYN seen
// acknowledged (nothing for an ACK to complete) and no FIN sent (nothing
// to acknowledge, no half-close to notice). stateOf's general path gives
// such a segment the same fields.
func (l *connLife) quiet(p *Packet) bool {
	return p.TCPFlags&(TCPSyn|TCPFin|TCPRst) == 0 && l.firstFrame != p.Number &&
		l.state == [2]TCPState{StateEstablished, StateEstablished} &&
		l.synAcked == l.synSeen && l.finSent == [2]bool{}
}

// opening handles a SYN or SYN/ACK from s.
func (l *connLife) opening(p *Packet, s, r int, ack bool, now int64) {
	st := &l.state
	if !ack {
		retry := l.synSeen[s] && p.Seq == l.synSeq[s]
		if retry {
			l.synRetries++
			l.event(EventSYNRetry, p.Number, now, l.role(s))
		} else if !l.synSeen[s] {
			l.synSeen[s], l.synSeq[s] = true, p.Seq
		}
		l.synTime = now
		if l.handshake == HandshakeNone {
			l.handshake = HandshakeIncomplete
		}
		switch {
		case !retry && l.synSeen[r] && st[r] == StateSynSent:
			// The other side's SYN is out and this one does not
			// acknowledge it: both sent SYN, both received the other's.
			st[s], st[r] = StateSynReceived, StateSynReceived
			l.handshake = HandshakeSimultaneous
			l.event(EventSimultaneousOpen, p.Number, now, l.role(s))
		case st[s] == StateUnknown || st[s] == StateClosed || st[s] == StateListen:
			st[s] = StateSynSent
			if st[r] == StateUnknown || st[r] == StateClosed {
				st[r] = StateListen // inferred: it was listening, or we will see its RST
			}
		}
		return
	}
	// SYN/ACK: s got the SYN (LISTEN → SYN_RECEIVED); its ACK of r's SYN was
	// handled with the other ACKs (SYN_SENT → ESTABLISHED).
	if !l.synSeen[s] {
		l.synSeen[s], l.synSeq[s] = true, p.Seq
	}
	if l.synAckTime == 0 {
		l.synAckTime = now
	}
	switch st[s] {
	case StateUnknown, StateListen, StateClosed:
		st[s] = StateSynReceived
	}
	if st[r] == StateUnknown {
		st[r] = StateEstablished // its SYN was not captured; it gets the SYN/ACK
	}
}

// closing handles the first FIN from s.
func (l *connLife) closing(p *Packet, s, r int, ack bool, now int64) {
	st := &l.state
	l.finSent[s], l.finSeq[s] = true, p.Seq+uint32(p.PayloadLen)
	second := l.finSent[r]
	ackedByThis := second && ack && seqGE(p.Ack, l.finSeq[r]+1)
	switch st[s] {
	case StateCloseWait:
		if second && !ackedByThis {
			st[s] = StateClosing // it sent its FIN before r's arrived
		} else {
			st[s] = StateLastAck
		}
	case StateFinWait1, StateFinWait2, StateClosing, StateTimeWait, StateLastAck, StateClosed:
	default:
		st[s] = StateFinWait1
	}
	switch st[r] {
	case StateFinWait1:
		st[r] = StateClosing
	case StateFinWait2:
		st[r] = StateTimeWait
	case StateClosing, StateTimeWait, StateLastAck, StateClosed, StateCloseWait:
	default:
		st[r] = StateCloseWait
	}
	if !second {
		if l.teardown == TeardownNone {
			l.teardown, l.closer = TeardownHalf, int8(s)
		}
		return
	}
	if l.teardown != TeardownHalf {
		return // a RST came first
	}
	var k EventKind
	switch {
	case !ackedByThis:
		l.teardown, k = TeardownSimultaneous, EventSimultaneousClose
	case int(l.finAckFrame[r]) != p.Number:
		l.teardown, k = TeardownFourWay, EventFourWayClose
	default:
		l.teardown, k = TeardownThreeWay, EventThreeWayClose
	}
	l.event(k, p.Number, now, l.role(int(l.closer)))
}

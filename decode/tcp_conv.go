package decode

import (
	"net/netip"
	"strconv"
	"time"
)

// Conversation summarises one TCP connection or UDP conversation: the
// data of `replay --conversations`. A is the initiator (the SYN's sender;
// for UDP and for connections first seen mid-stream, the sender of the
// first packet) and B the other end; "ab" counts go from A to B.
type Conversation struct {
	Proto uint8 // 6 (TCP) or 17 (UDP)
	// ID is tcp.stream or udp.stream.
	ID   int
	A, B netip.AddrPort
	// Roles: true when the handshake was captured, so A is the client and
	// B the server.
	ClientServer bool
	// TCP only: the endpoint states at the end, their history (each state
	// with the frame that caused it), how the connection opened and closed
	// and who closed it (the first FIN or the RST; RoleNone if nobody).
	StateA, StateB     TCPState
	HistoryA, HistoryB []StateChange
	Handshake          HandshakeKind
	Teardown           TeardownKind
	ClosedBy           Role
	// RTT is the handshake's round trip, SYN to the ACK of the SYN/ACK (the
	// client's view; Wireshark's iRTT), split into its two halves.
	RTT, SynToSynAck, SynAckToAck time.Duration
	// Packets and bytes each way; Bytes count whole frames (as Wireshark's
	// Conversations), Payload the TCP or UDP payload.
	PacketsAB, PacketsBA uint64
	BytesAB, BytesBA     uint64
	PayloadAB, PayloadBA uint64
	StartSec, StartNsec  int64 // capture time of the first packet
	EndSec, EndNsec      int64 // capture time of the last packet
	// Duration is End − Start, saturated at time.Duration's ±292 years;
	// Span gives it exactly.
	Duration              time.Duration
	FirstFrame, LastFrame int
	Retransmissions       int // segments Wireshark flags tcp.analysis.retransmission
	SYNRetries            int
	Events                []Event // in order; at most maxEvents
	EventsDropped         int     // events past maxEvents
	HalfClosed            bool    // data flowed after one side's FIN
	// Retired says why the tracker let the flow go before the end of the
	// capture (Limits): its later packets, if any, form a new conversation.
	Retired RetireReason
}

// Span is End − Start as seconds and nanoseconds (nsec in [0, 1e9)),
// exact for any capture times (timeSpan).
func (c *Conversation) Span() (sec, nsec int64) {
	return timeSpan(c.EndSec, c.EndNsec, c.StartSec, c.StartNsec)
}

// setDuration sets Duration from Start and End.
func (c *Conversation) setDuration() { c.Duration = durationOf(c.Span()) }

// ProtoName is "tcp" or "udp".
func (c *Conversation) ProtoName() string {
	if c.Proto == 17 {
		return "udp"
	}
	return "tcp"
}

// State is the connection's state: one name when both endpoints agree,
// else "A_STATE/B_STATE" (A first); "" for UDP.
func (c *Conversation) State() string {
	if c.Proto != 6 {
		return ""
	}
	if c.StateA == c.StateB {
		return c.StateA.String()
	}
	return c.StateA.String() + "/" + c.StateB.String()
}

// Conversations appends every conversation to dst: TCP connections in
// tcp.stream order, then UDP conversations in udp.stream order. Retired
// flows are listed from their summary rows when Limits.Summaries was set
// when they retired, and left out otherwise.
func (t *Tracker) Conversations(dst []Conversation) []Conversation {
	for id := range t.tcp.n {
		if c, ok := t.TCPConversation(id); ok {
			dst = append(dst, c)
		}
	}
	for id := range t.udps.n {
		if c, ok := t.UDPConversation(id); ok {
			dst = append(dst, c)
		}
	}
	return dst
}

// EachConversation calls fn with every conversation, in Conversations'
// order, one at a time (c is valid during the call), and stops at fn's
// first error.
//
// It allocates nothing per conversation: listing a million leaves no
// garbage to raise the heap's high-water mark.
func (t *Tracker) EachConversation(fn func(c *Conversation) error) error {
	var sc retireScratch
	v := &sc.conv
	for id := range t.tcp.n {
		if c := t.tcp.get(id); c != nil {
			ia := int(max(c.life.a, 0))
			c.fill(v, sc.hist[0][:c.life.nhist[ia]], sc.hist[1][:c.life.nhist[1-ia]], sc.events[:0])
		} else if pos, ok := t.tcpRows.get(id); ok {
			t.rows.getInto(pos, v, &sc)
		} else {
			continue
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	for id := range t.udps.n {
		if u := t.udps.get(id); u != nil {
			*v = u.conversation()
		} else if pos, ok := t.udpRows.get(id); ok {
			t.rows.getInto(pos, v, &sc)
		} else {
			continue
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// TCPConversation returns connection id (tcp.stream).
func (t *Tracker) TCPConversation(id int) (Conversation, bool) {
	if c := t.tcp.get(id); c != nil {
		return c.Conversation(), true
	}
	return t.row(&t.tcpRows, id)
}

// UDPConversation returns UDP conversation id (udp.stream).
func (t *Tracker) UDPConversation(id int) (Conversation, bool) {
	if u := t.udps.get(id); u != nil {
		return u.conversation(), true
	}
	return t.row(&t.udpRows, id)
}

// Conversation returns the connection's summary so far.
func (c *Conn) Conversation() Conversation {
	var v Conversation
	ia := int(max(c.life.a, 0))
	c.fill(&v, make([]StateChange, c.life.nhist[ia]), make([]StateChange, c.life.nhist[1-ia]), nil)
	return v
}

// fill sets v to the connection's summary, its histories in histA and
// histB (of the right lengths) and its events appended to events[:0]
// (nil: a new slice), so that retiring a flow allocates nothing.
func (c *Conn) fill(v *Conversation, histA, histB []StateChange, events []Event) {
	l := &c.life
	ia := int(max(l.a, 0))
	ib := 1 - ia
	ends := c.ends()
	*v = Conversation{
		Proto: 6, ID: int(c.stream), A: ends[ia], B: ends[ib], ClientServer: l.syncSeen,
		StateA: l.state[ia], StateB: l.state[ib],
		HistoryA:  l.history(ia, histA),
		HistoryB:  l.history(ib, histB),
		Handshake: l.handshake, Teardown: l.teardown,
		PacketsAB: l.packets[ia], PacketsBA: l.packets[ib],
		BytesAB: l.bytes[ia], BytesBA: l.bytes[ib],
		PayloadAB: l.payload[ia], PayloadBA: l.payload[ib],
		StartSec: l.firstSec, StartNsec: int64(l.firstNsec), EndSec: l.lastSec, EndNsec: int64(l.lastNsec),
		FirstFrame: l.firstFrame, LastFrame: l.lastFrame,
		Retransmissions: int(l.retransmissions), SYNRetries: int(l.synRetries),
		EventsDropped: int(l.eventsDropped), HalfClosed: l.halfClose,
	}
	v.setDuration()
	if l.nevents > 0 && events != nil {
		v.Events = events[:0]
	}
	for _, e := range l.events[:l.nevents] {
		ev := Event{Kind: e.kind, Frame: int(e.frame), Time: e.time, By: e.by}
		if e.kind == EventHandshake {
			ev.SynToSynAck, ev.SynAckToAck = time.Duration(l.synToSynAck), time.Duration(l.synAckToAck)
		}
		v.Events = append(v.Events, ev)
	}
	if l.closer >= 0 {
		v.ClosedBy = l.role(int(l.closer))
	}
	for _, e := range v.Events {
		if e.Kind == EventHandshake {
			v.SynToSynAck, v.SynAckToAck = e.SynToSynAck, e.SynAckToAck
			v.RTT = e.SynToSynAck + e.SynAckToAck
		}
	}
}

// history fills h (nhist[i] long) with endpoint i's state changes.
func (l *connLife) history(i int, h []StateChange) []StateChange {
	for k := range h {
		h[k] = StateChange{State: l.hist[i][k].state, Frame: int(l.hist[i][k].frame)}
	}
	return h
}

// udpConv is one UDP conversation: a 5-tuple, both directions.
type udpConv struct {
	id                      int
	k4                      key4    // the key of an IPv4 conversation; zero for others
	key                     connKey // and of any other (flow_key.go)
	lru                     flowLinks[udpConv]
	seen                    int64             // time of the last datagram, quoted ones included
	ends                    [2]netip.AddrPort // by direction
	a                       int8              // direction of the first datagram's sender; -1 if only quoted
	packets, bytes, payload [2]uint64
	firstSec, lastSec       int64 // capture times of the first and last datagram
	firstNsec, lastNsec     int32
	firstFrame, lastFrame   int
}

// trackUDP numbers the conversation of src→dst; counted is false for the
// datagram an ICMP error quotes (it gets the number, not the counts).
func (t *Tracker) trackUDP(p *Packet, src netip.Addr, sport uint16, dst netip.Addr, dport uint16, counted bool) {
	seen := t.tick(p)
	var key connKey
	var u *udpConv
	k4, dir, ok := key4Of(src, sport, dst, dport)
	if ok {
		// Datagrams come in runs of one conversation (a DNS exchange, a
		// stream of media): the last one found is tried first.
		if u = t.lastUDP; u == nil || u.k4 != k4 {
			u = t.udp[k4]
		}
	} else {
		key, dir = keyOf(src, sport, dst, dport)
		u = t.udp6[key]
	}
	if u == nil {
		if n := len(t.freeUDP); n > 0 {
			u, t.freeUDP = t.freeUDP[n-1], t.freeUDP[:n-1]
		} else {
			u = new(udpConv)
		}
		u.id, u.k4, u.key, u.a = t.udps.n, k4, key, -1
		u.ends[dir] = netip.AddrPortFrom(src, sport)
		u.ends[1-dir] = netip.AddrPortFrom(dst, dport)
		t.udps.add(u)
		if ok {
			t.udp[k4] = u
		} else {
			t.udp6[key] = u
		}
		t.udpLRU.pushFront(u)
		t.liveUDP++
		t.enforceCap(nil, u)
	} else {
		t.udpLRU.touch(u)
	}
	t.lastUDP = u
	p.UDPStream = u.id
	u.seen = seen
	if !counted {
		return
	}
	if u.a < 0 {
		u.a = int8(dir)
		u.firstSec, u.firstNsec = packetStamp(p)
		u.firstFrame = p.Number
	}
	u.lastSec, u.lastNsec = packetStamp(p)
	u.lastFrame = p.Number
	u.packets[dir]++
	u.bytes[dir] += uint64(p.Len)
	u.payload[dir] += uint64(p.PayloadLen)
}

func (u *udpConv) conversation() Conversation {
	ia := int(max(u.a, 0))
	ib := 1 - ia
	ends := u.ends
	c := Conversation{
		Proto: 17, ID: u.id, A: ends[ia], B: ends[ib],
		PacketsAB: u.packets[ia], PacketsBA: u.packets[ib],
		BytesAB: u.bytes[ia], BytesBA: u.bytes[ib],
		PayloadAB: u.payload[ia], PayloadBA: u.payload[ib],
		StartSec: u.firstSec, StartNsec: int64(u.firstNsec), EndSec: u.lastSec, EndNsec: int64(u.lastNsec),
		FirstFrame: u.firstFrame, LastFrame: u.lastFrame,
	}
	c.setDuration()
	return c
}

// String describes the event in a few words, e.g. "handshake #3 (SYN→SYN/ACK
// 0.1 ms, SYN/ACK→ACK 0.05 ms)" or "reset #9 by server".
func (e Event) String() string {
	return string(e.Append(nil))
}

// Append appends the String form of e.
func (e Event) Append(dst []byte) []byte {
	dst = append(dst, e.Kind.String()...)
	dst = append(dst, " #"...)
	dst = strconv.AppendInt(dst, int64(e.Frame), 10)
	if e.By != RoleNone && e.Kind != EventHandshake && e.Kind != EventMidStream {
		dst = append(dst, " by "...)
		dst = append(dst, e.By.String()...)
	}
	if e.Kind == EventHandshake && (e.SynToSynAck != 0 || e.SynAckToAck != 0) {
		dst = append(dst, " (SYN→SYN/ACK "...)
		dst = appendDuration(dst, e.SynToSynAck)
		dst = append(dst, ", SYN/ACK→ACK "...)
		dst = appendDuration(dst, e.SynAckToAck)
		dst = append(dst, ')')
	}
	return dst
}

// appendDuration appends d in seconds with nine decimals, as Wireshark
// shows times ("0.000123000").
func appendDuration(dst []byte, d time.Duration) []byte {
	if d < 0 {
		dst = append(dst, '-')
		d = -d
	}
	return appendEpoch(dst, int64(d/time.Second), int64(d%time.Second))
}

// AppendConversationJSON appends c as one JSON object with the keys
// conv.proto, conv.id, conv.a, conv.b, conv.state, conv.handshake,
// conv.teardown, conv.rtt, conv.packets_ab, conv.packets_ba, conv.bytes_ab,
// conv.bytes_ba, conv.start, conv.duration and conv.retransmissions, plus
// sockscope's conv.payload_ab, conv.payload_ba, conv.closed_by,
// conv.states_a, conv.states_b (each "STATE@frame") and conv.events. Times
// are seconds: conv.start a string like frame.time_epoch, conv.rtt and
// conv.duration numbers. TCP-only keys are left out for UDP. A flow the
// tracker retired (Limits) has conv.retired ("idle" or "max-flows"). No
// newline.
func AppendConversationJSON(dst []byte, c *Conversation) []byte {
	o := jsonObj{b: append(dst, '{')}
	o.str(`"conv.proto":`, c.ProtoName())
	o.uint(`"conv.id":`, uint64(c.ID))
	o.key(`"conv.a":`)
	o.b = appendQuotedAddrPort(o.b, c.A)
	o.key(`"conv.b":`)
	o.b = appendQuotedAddrPort(o.b, c.B)
	tcp := c.Proto == 6
	if tcp {
		o.str(`"conv.state":`, c.State())
		o.str(`"conv.handshake":`, c.Handshake.String())
		o.str(`"conv.teardown":`, c.Teardown.String())
		if c.Handshake == HandshakeThreeWay {
			o.key(`"conv.rtt":`)
			o.b = appendDuration(o.b, c.RTT)
		}
	}
	o.uint(`"conv.packets_ab":`, c.PacketsAB)
	o.uint(`"conv.packets_ba":`, c.PacketsBA)
	o.uint(`"conv.bytes_ab":`, c.BytesAB)
	o.uint(`"conv.bytes_ba":`, c.BytesBA)
	o.uint(`"conv.payload_ab":`, c.PayloadAB)
	o.uint(`"conv.payload_ba":`, c.PayloadBA)
	o.key(`"conv.start":`)
	o.b = append(o.b, '"')
	o.b = appendEpoch(o.b, c.StartSec, c.StartNsec)
	o.b = append(o.b, '"')
	o.key(`"conv.duration":`)
	sec, nsec := c.Span()
	o.b = appendEpoch(o.b, sec, nsec)
	if c.Retired != RetireNone {
		o.str(`"conv.retired":`, c.Retired.String())
	}
	if !tcp {
		return append(o.b, '}')
	}
	o.uint(`"conv.retransmissions":`, uint64(c.Retransmissions))
	if c.ClosedBy != RoleNone {
		o.str(`"conv.closed_by":`, c.ClosedBy.String())
	}
	appendHistoryJSON(&o, `"conv.states_a":`, c.HistoryA)
	appendHistoryJSON(&o, `"conv.states_b":`, c.HistoryB)
	o.key(`"conv.events":`)
	o.b = append(o.b, '[')
	for i, e := range c.Events {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = append(o.b, '"')
		o.b = e.Append(o.b)
		o.b = append(o.b, '"')
	}
	o.b = append(o.b, ']')
	return append(o.b, '}')
}

func appendHistoryJSON(o *jsonObj, key string, h []StateChange) {
	o.key(key)
	o.b = append(o.b, '[')
	for i, s := range h {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = append(o.b, '"')
		o.b = append(o.b, s.State.String()...)
		o.b = append(o.b, '@')
		o.b = strconv.AppendInt(o.b, int64(s.Frame), 10)
		o.b = append(o.b, '"')
	}
	o.b = append(o.b, ']')
}

func appendQuotedAddrPort(dst []byte, ap netip.AddrPort) []byte {
	dst = append(dst, '"')
	dst = ap.AppendTo(dst)
	return append(dst, '"')
}

// AppendConversationHeader appends the heading of the table
// AppendConversationRow fills, without a newline.
func AppendConversationHeader(dst []byte) []byte {
	return appendConvColumns(dst, [...]string{"id", "proto", "A", "B", "state", "handshake", "teardown",
		"rtt(ms)", "pkts a>b", "pkts b>a", "bytes a>b", "bytes b>a", "duration(s)", "retrans"})
}

// convWidths are the table's column widths; negative ones align right.
var convWidths = [...]int{-4, 5, 45, 45, 26, 17, 12, -9, -9, -9, -11, -11, -12, -7}

func appendConvColumns(dst []byte, cols [len(convWidths)]string) []byte {
	for i, col := range cols {
		if i > 0 {
			dst = append(dst, ' ')
		}
		w := convWidths[i]
		if w < 0 {
			for n := len(col); n < -w; n++ {
				dst = append(dst, ' ')
			}
			dst = append(dst, col...)
			continue
		}
		dst = append(dst, col...)
		if i < len(cols)-1 {
			for n := len(col); n < w; n++ {
				dst = append(dst, ' ')
			}
		}
	}
	return dst
}

// AppendConversationRow appends c as one row of the conversations table
// (columns as in AppendConversationHeader; "-" where a column does not
// apply), without a newline.
func AppendConversationRow(dst []byte, c *Conversation) []byte {
	var cols [len(convWidths)]string
	tcp := c.Proto == 6
	cols[0] = strconv.Itoa(c.ID)
	cols[1] = c.ProtoName()
	cols[2] = c.A.String()
	cols[3] = c.B.String()
	cols[4], cols[5], cols[6], cols[7], cols[13] = "-", "-", "-", "-", "-"
	if tcp {
		cols[4] = c.State()
		cols[5] = c.Handshake.String()
		cols[6] = c.Teardown.String()
		if c.ClosedBy != RoleNone && c.Teardown != TeardownNone {
			cols[6] += " (" + c.ClosedBy.String() + ")"
		}
		if c.Handshake == HandshakeThreeWay {
			cols[7] = strconv.FormatFloat(float64(c.RTT)/1e6, 'f', 3, 64)
		}
		cols[13] = strconv.Itoa(c.Retransmissions)
	}
	cols[8] = strconv.FormatUint(c.PacketsAB, 10)
	cols[9] = strconv.FormatUint(c.PacketsBA, 10)
	cols[10] = strconv.FormatUint(c.BytesAB, 10)
	cols[11] = strconv.FormatUint(c.BytesBA, 10)
	sec, nsec := c.Span()
	cols[12] = string(appendSpanMicro(nil, sec, nsec))
	return appendConvColumns(dst, cols)
}

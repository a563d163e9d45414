package decode

import (
	"bytes"
	"context"
	"io"
	"net/netip"
	"strconv"
	"time"
)

// Ladder is the sequence diagram of one conversation: two lanes, A (the
// endpoint that opened it: the SYN's sender, else the first packet's
// sender) and B, and one arrow per packet. It is plain data: the terminal UI
// draws it, WriteText and WriteMermaid print it.
type Ladder struct {
	Conv ConvRef
	// Lanes are A and B as address:port.
	Lanes [2]string
	// Roles name A and B: client and server when the handshake was
	// captured, else A and B (TCP; RoleNone for UDP).
	Roles [2]Role
	// StartSec and StartNsec are the capture time of the first packet;
	// row times count from it.
	StartSec, StartNsec int64
	Rows                []LadderRow
	// Events are the connection's named events (handshake, half-close,
	// teardowns, reset, …), each at the frame that caused or completed it.
	Events []Event
}

// LadderRow is one arrow: a TCP segment or a UDP datagram.
type LadderRow struct {
	Frame int
	// Sec and Nsec are the packet's capture time; Time is the span since
	// the conversation's first packet, saturated at time.Duration's ±292
	// years (the printers compute it exactly from Sec, Nsec and the
	// Ladder's Start).
	Sec, Nsec int64
	Time      time.Duration
	Dir       int // 0: A→B, 1: B→A
	// Label is the arrow's text: Wireshark's expert tags, then the flags
	// and relative numbers, e.g. "[TCP Retransmission] PSH, ACK seq=1 ack=1 len=5";
	// "UDP len=12" for a datagram.
	Label string

	// TCP: the segment's flags, relative numbers (tcp.seq, tcp.ack), payload
	// length (tcp.len), window (scaled when the scale is known) and the
	// tracker's analysis.
	Flags    uint16
	Seq, Ack uint32
	HasAck   bool
	Len      int
	Window   uint32
	Expert   Expert
	// DupAckNum and DupAckFrame: "duplicate ACK number n of frame m".
	DupAckNum, DupAckFrame int
	// State holds A's and B's states after this packet (StateUnknown when
	// not known); Changed says which of them changed here, to be drawn
	// beside that lane.
	State   [2]TCPState
	Changed [2]bool
}

// LadderBuilder collects the rows of a Ladder from the packets of one
// conversation, in capture order.
type LadderBuilder struct {
	l    Ladder
	ends [2]netip.AddrPort
	seen bool
	prev [2]TCPState
	buf  []byte
}

// NewLadderBuilder starts the ladder of conversation c.
func NewLadderBuilder(c ConvRef) *LadderBuilder {
	return &LadderBuilder{l: Ladder{Conv: c}}
}

// Add appends p as a row: a TCP segment, a UDP datagram, or an ICMP error
// quoting one of the conversation's datagrams. Packets of other
// conversations are ignored.
func (b *LadderBuilder) Add(p *Packet) {
	tcp := p.IsTCP()
	src, dst := srcDst(p)
	answer := tcp && p.TCPFlags&(TCPSyn|TCPAck) == TCPSyn|TCPAck
	icmp := !tcp && quotesUDP(p)
	if icmp {
		// The quoted datagram went src→dst; the error comes back.
		src, dst = netip.AddrPortFrom(p.Quote.Src, p.Quote.SrcPort), netip.AddrPortFrom(p.Quote.Dst, p.Quote.DstPort)
	} else if !tcp && !p.IsUDP() {
		return
	}
	first := !b.seen
	dir := direction(&b.ends, &b.seen, src, dst, answer)
	if dir < 0 {
		return
	}
	if icmp {
		dir = 1 - dir
	}
	if first {
		b.l.StartSec, b.l.StartNsec = p.Sec, p.Nsec
		b.l.Lanes = [2]string{b.ends[0].String(), b.ends[1].String()}
	}
	r := LadderRow{Frame: p.Number, Sec: p.Sec, Nsec: p.Nsec, Dir: dir, Len: p.PayloadLen}
	r.Time = durationOf(timeSpan(p.Sec, p.Nsec, b.l.StartSec, b.l.StartNsec))
	switch {
	case icmp:
		r.Len = 0
		b.buf = appendICMPLabel(b.buf[:0], p)
	case tcp:
		a := &p.Analysis
		r.Flags = p.TCPFlags
		r.Seq, r.Ack, r.HasAck = p.Rel.Seq, p.Rel.Ack, p.TCPFlags&TCPAck != 0
		r.Window = uint32(p.Window)
		if a.WindowScaled {
			r.Window = a.WindowSize
		}
		r.Expert, r.DupAckNum, r.DupAckFrame = a.Flags, a.DupAckNum, a.DupAckFrame
		r.State[dir], r.State[1-dir] = a.SrcState, a.DstState
		for i, s := range r.State {
			if s == StateUnknown {
				r.State[i] = b.prev[i]
				continue
			}
			r.Changed[i] = s != b.prev[i]
			b.prev[i] = s
		}
		b.buf = appendTCPLabel(b.buf[:0], &r)
	default:
		b.buf = append(b.buf[:0], "UDP len="...)
		b.buf = strconv.AppendInt(b.buf, int64(r.Len), 10)
	}
	r.Label = string(b.buf)
	b.l.Rows = append(b.l.Rows, r)
}

// appendICMPLabel names an ICMP error: "ICMP port unreachable (3/3)".
func appendICMPLabel(dst []byte, p *Packet) []byte {
	v6 := p.Layers&LayerICMPv6 != 0
	name := ""
	switch t, c := p.ICMPType, p.ICMPCode; {
	case !v6 && t == 3 && c == 3, v6 && t == 1 && c == 4:
		name = "port unreachable"
	case !v6 && t == 3 && c == 4:
		name = "fragmentation needed"
	case !v6 && t == 3, v6 && t == 1:
		name = "destination unreachable"
	case !v6 && t == 11, v6 && t == 3:
		name = "time exceeded"
	case v6 && t == 2:
		name = "packet too big"
	default:
		name = "error"
	}
	dst = append(dst, "ICMP"...)
	if v6 {
		dst = append(dst, "v6"...)
	}
	dst = append(dst, ' ')
	dst = append(dst, name...)
	dst = append(dst, " ("...)
	dst = strconv.AppendUint(dst, uint64(p.ICMPType), 10)
	dst = append(dst, '/')
	dst = strconv.AppendUint(dst, uint64(p.ICMPCode), 10)
	return append(dst, ')')
}

// Ladder returns the ladder built so far. The builder keeps appending to
// its rows: take it when done.
func (b *LadderBuilder) Ladder() *Ladder { return &b.l }

// BuildLadder reads src (to the end, or shortly after a TCP connection is
// over: see convScan) and returns the ladder of conversation
// c, with the tracker's roles and events for TCP, or a
// *NoConversationError. When the capture is damaged part way, it returns
// the rows read before the damage with the error. The tracker runs with
// DefaultLimits (see BuildLadderWithLimits).
func BuildLadder(ctx context.Context, src FrameSource, c ConvRef) (*Ladder, error) {
	return BuildLadderWithLimits(ctx, src, c, DefaultLimits())
}

// BuildLadderWithLimits is BuildLadder with the tracker's limits l, so
// that stream numbers are those of a packet list decoded with the same
// limits. Only c's summary row is kept if it retires (l.Summaries is
// ignored): memory stays bounded however many flows the capture holds.
func BuildLadderWithLimits(ctx context.Context, src FrameSource, c ConvRef, l Limits) (*Ladder, error) {
	return BuildLadderPackets(ctx, &frameDecoder{src: src, dec: NewDecoder()}, c, l)
}

// BuildLadderPackets is BuildLadderWithLimits over packets src decodes (a
// decode/pipeline Pipeline); it sets src's tracker's limits to l.
func BuildLadderPackets(ctx context.Context, src PacketSource, c ConvRef, l Limits) (*Ladder, error) {
	b := NewLadderBuilder(c)
	tr, err := convScan(ctx, src, c, l, func(p *Packet, _ []byte) error {
		b.Add(p)
		return nil
	})
	if len(b.l.Rows) == 0 {
		return nil, err
	}
	if conv, ok := tr.TCPConversation(c.Stream); ok && c.Proto == "tcp" {
		b.Summarize(&conv)
	}
	return b.Ladder(), err
}

// Summarize adds what the tracker concluded about the whole connection:
// the roles of A and B and the named events.
func (b *LadderBuilder) Summarize(conv *Conversation) {
	l := &b.l
	l.Events = append(l.Events[:0], conv.Events...)
	switch {
	case conv.ClientServer && conv.A == b.ends[0]:
		l.Roles = [2]Role{RoleClient, RoleServer}
	case conv.ClientServer:
		l.Roles = [2]Role{RoleServer, RoleClient}
	default:
		l.Roles = [2]Role{RoleA, RoleB}
	}
}

// tcpFlagNames in Wireshark's order (tcp.flags.str, the Info column).
var tcpFlagNames = [...]string{"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"}

// windowExperts are the flags about the window: their rows show it.
const windowExperts = ExpertZeroWindow | ExpertZeroWindowProbeAck | ExpertWindowUpdate

// appendTCPLabel appends a segment's arrow label.
func appendTCPLabel(dst []byte, r *LadderRow) []byte {
	if r.Expert != 0 {
		// Wireshark's Info-column tags, as the packet list prints them
		// (" [TCP Retransmission] [TCP Dup ACK 12#1]"), first.
		var tags Packet
		tags.Analysis.Flags, tags.Analysis.DupAckNum, tags.Analysis.DupAckFrame = r.Expert, r.DupAckNum, r.DupAckFrame
		start := len(dst)
		dst = AppendAnalysisMarkers(dst, &tags)
		if len(dst) > start && dst[start] == ' ' {
			dst = append(dst[:start], dst[start+1:]...)
		}
		dst = append(dst, ' ')
	}
	n := 0
	for i, name := range tcpFlagNames {
		if r.Flags&(1<<i) != 0 {
			if n > 0 {
				dst = append(dst, ", "...)
			}
			dst = append(dst, name...)
			n++
		}
	}
	if n == 0 {
		dst = append(dst, "<none>"...)
	}
	dst = append(dst, " seq="...)
	dst = strconv.AppendUint(dst, uint64(r.Seq), 10)
	if r.HasAck {
		dst = append(dst, " ack="...)
		dst = strconv.AppendUint(dst, uint64(r.Ack), 10)
	}
	if r.Expert&windowExperts != 0 {
		dst = append(dst, " win="...)
		dst = strconv.AppendUint(dst, uint64(r.Window), 10)
	}
	dst = append(dst, " len="...)
	return strconv.AppendInt(dst, int64(r.Len), 10)
}

// TCP reports whether the ladder is of a TCP conversation (it has state
// columns).
func (l *Ladder) TCP() bool { return l.Conv.Proto != "udp" }

// appendRowTime appends r's time since the ladder's first packet in
// seconds with six decimals, exact for any capture times.
func (l *Ladder) appendRowTime(dst []byte, r *LadderRow) []byte {
	sec, nsec := timeSpan(r.Sec, r.Nsec, l.StartSec, l.StartNsec)
	return appendSpanMicro(dst, sec, nsec)
}

func appendPad(dst []byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, ' ')
	}
	return dst
}

// WriteText prints the ladder for a terminal, one line per row in fixed
// columns: frame, time (seconds since the first packet), A's state when it
// changes, the arrow between the lanes with its label, B's state when it
// changes; a named event goes on a line of its own under its frame.
//
//	frame      time  A state       A                                  B  B state
//	    1  0.000000  SYN_SENT      |-- SYN seq=0 len=0 -------------->|  LISTEN
//	    2  0.000014                |<-- SYN, ACK seq=0 ack=1 len=0 ---|  SYN_RECEIVED
func (l *Ladder) WriteText(w io.Writer) error {
	tcp := l.TCP()
	frameW, timeW, labelW := len("frame"), len("time"), 0
	for i := range l.Rows {
		r := &l.Rows[i]
		frameW = max(frameW, len(strconv.Itoa(r.Frame)))
		timeW = max(timeW, len(l.appendRowTime(nil, r)))
		labelW = max(labelW, len(r.Label))
	}
	const stateW = len("SYN_RECEIVED")
	arrowW := max(labelW+8, 24)       // "|<-- " label " -" "|", bars included
	laneCol := frameW + 2 + timeW + 2 // where A's bar is
	if tcp {
		laneCol += stateW + 2
	}

	var b []byte
	b = append(b, l.Conv.String()...)
	b = append(b, ": "...)
	b = l.appendLane(b, 0)
	b = append(b, ", "...)
	b = l.appendLane(b, 1)
	b = append(b, '\n')
	b = appendPad(b, frameW-len("frame"))
	b = append(b, "frame  "...)
	b = appendPad(b, timeW-len("time"))
	b = append(b, "time  "...)
	if tcp {
		b = append(b, "A state"...)
		b = appendPad(b, stateW-len("A state")+2)
	}
	b = append(b, 'A')
	b = appendPad(b, arrowW-2)
	b = append(b, 'B')
	if tcp {
		b = append(b, "  B state"...)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return err
	}
	var ts []byte
	for i := range l.Rows {
		r := &l.Rows[i]
		b = b[:0]
		f := strconv.Itoa(r.Frame)
		b = appendPad(b, frameW-len(f))
		b = append(b, f...)
		b = append(b, ' ', ' ')
		ts = l.appendRowTime(ts[:0], r)
		b = appendPad(b, timeW-len(ts))
		b = append(b, ts...)
		b = append(b, ' ', ' ')
		if tcp {
			s := ""
			if r.Changed[0] {
				s = r.State[0].String()
			}
			b = append(b, s...)
			b = appendPad(b, stateW-len(s)+2)
		}
		b = appendArrow(b, r, arrowW)
		if tcp && r.Changed[1] {
			b = append(b, ' ', ' ')
			b = append(b, r.State[1].String()...)
		}
		b = append(bytes.TrimRight(b, " "), '\n')
		for _, e := range l.Events {
			if e.Frame == r.Frame {
				b = appendPad(b, laneCol)
				b = append(b, "|   * "...)
				b = e.Append(b)
				b = append(b, '\n')
			}
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// appendLane appends "A 10.0.0.1:80", with the role when it says more
// ("A 10.0.0.1:80 (client)").
func (l *Ladder) appendLane(b []byte, i int) []byte {
	b = append(b, "AB"[i])
	b = append(b, ' ')
	b = append(b, l.Lanes[i]...)
	if r := l.Roles[i]; r == RoleClient || r == RoleServer {
		b = append(b, " ("...)
		b = append(b, r.String()...)
		b = append(b, ')')
	}
	return b
}

// appendArrow appends "|-- label --->|" (A→B) or "|<-- label ----|" (B→A),
// width characters long, bars included.
func appendArrow(b []byte, r *LadderRow, width int) []byte {
	start := len(b)
	if r.Dir == 0 {
		b = append(b, "|-- "...)
	} else {
		b = append(b, "|<-- "...)
	}
	b = append(b, r.Label...)
	b = append(b, ' ')
	end := "-|"
	if r.Dir == 0 {
		end = ">|"
	}
	for len(b)-start < width-len(end) {
		b = append(b, '-')
	}
	return append(b, end...)
}

// WriteMermaid prints the ladder as a Mermaid sequenceDiagram (renders on
// GitHub and in most Markdown viewers): a participant per lane, an arrow
// per row labelled as in the text ladder with its time, a note over a lane
// where its state changes, and a note over both for each event.
func (l *Ladder) WriteMermaid(w io.Writer) error {
	var b []byte
	b = append(b, "sequenceDiagram\n"...)
	for i, name := range [2]string{"A", "B"} {
		b = append(b, "    participant "...)
		b = append(b, name...)
		b = append(b, " as "...)
		b = appendMermaidText(b, string(l.appendLane(nil, i)))
		b = append(b, '\n')
	}
	if _, err := w.Write(b); err != nil {
		return err
	}
	for i := range l.Rows {
		r := &l.Rows[i]
		b = b[:0]
		if r.Dir == 0 {
			b = append(b, "    A->>B: "...)
		} else {
			b = append(b, "    B->>A: "...)
		}
		b = appendMermaidText(b, r.Label)
		b = append(b, " (t="...)
		b = l.appendRowTime(b, r)
		b = append(b, ")\n"...)
		for lane, name := range [2]string{"A", "B"} {
			if r.Changed[lane] {
				b = append(b, "    Note over "...)
				b = append(b, name...)
				b = append(b, ": "...)
				b = append(b, r.State[lane].String()...)
				b = append(b, '\n')
			}
		}
		for _, e := range l.Events {
			if e.Frame == r.Frame {
				b = append(b, "    Note over A,B: "...)
				b = appendMermaidText(b, e.String())
				b = append(b, '\n')
			}
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// appendMermaidText appends s with the characters Mermaid would read as
// syntax written as its entity codes: '#' (starts a code) and ';' (ends
// a statement).
func appendMermaidText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '#':
			b = append(b, "#35;"...)
		case ';':
			b = append(b, "#59;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

package store

import (
	"math/bits"

	"github.com/sockscope/sockscope/decode"
)

// The inspector keeps one Record per packet — never the whole
// decode.Packet (616 bytes): where the frame's bytes are, when it was
// captured, its number, and the results of the connection tracker that
// only a pass over every packet in order can compute (tcp.stream and
// udp.stream, relative seq/ack, expert flags, endpoint states, the scaled
// window, tcpdump's relative numbers). Showing a packet re-reads its frame,
// decodes it without a tracker (microseconds) and lays these results over
// it (unpack), which gives exactly the Packet a sequential decode gives:
// TestRecordRoundTrip holds the two together on every capture it can find.
//
// 48 bytes a packet. Values that are usually derivable are stored as how
// to derive them (tcpdump's numbers as a small difference from
// Wireshark's, the scaled window as a shift, the next sequence number as a
// rule); the rare packets where that fails, and the rare fields (duplicate
// ACK numbers), go to a side table of exceptions, 40 bytes each.

type Record struct {
	off    uint64 // the frame: file offset (file store) or arena position (memory store)
	ns     int64  // capture time, ns since the epoch (0 with recNoTime)
	number uint32 // frame number in the source
	stream uint32 // tcp.stream or udp.stream
	seq    uint32 // tcp.seq (relative)
	ack    uint32 // tcp.ack (relative)
	acks   uint32 // tcp.analysis.acks_frame
	expert uint16 // decode.Expert bits
	kind   uint8  // recTCP / recUDP and the rec* flags
	states uint8  // SrcState<<4 | DstState
	roles  uint8  // SrcRole<<4 | DstRole
	shift  uint8  // tcp.window_size = window << shift
	td     uint8  // tcpdump's numbers: tdSame… codes for seq (bits 0-1) and ack (bits 2-3)
	flags  uint8  // recStateChanged …
	outer  uint32 // a UDP tunnel's own udp.stream + 1 (Packet.Tunnel.Outer), 0 if none; fits the padding
}

// Record.kind
const (
	recTCP    = 1 << iota // a TCP segment the tracker saw: stream is tcp.stream
	recUDP                // a UDP datagram or an ICMP error quoting one: stream is udp.stream
	recNoTime             // the frame has no timestamp
	recExc                // the packet has an entry in the exceptions
)

// Record.flags
const (
	recStateChanged = 1 << iota
	recSrcChanged
	recDstChanged
	recWindowScaled
	recTDRelative
	recNextZero // tcp.nxtseq is 0 (a first fragment)
)

// td codes: tcpdump's relative number minus Wireshark's.
const (
	tdSame = iota
	tdPlusOne
	tdMinusOne
	tdOther // in the exception
)

// exception holds what a record could not encode.
type exception struct {
	abs          uint64
	tdSeq, tdAck uint32
	nextSeq      uint32
	window       uint32
	dupNum       int32
	dupFrame     uint32
	expert       uint32
}

func tdCode(td, rel uint32) uint8 {
	switch td - rel {
	case 0:
		return tdSame
	case 1:
		return tdPlusOne
	case ^uint32(0):
		return tdMinusOne
	}
	return tdOther
}

func tdValue(code uint8, rel, exc uint32) uint32 {
	switch code {
	case tdSame:
		return rel
	case tdPlusOne:
		return rel + 1
	case tdMinusOne:
		return rel - 1
	}
	return exc
}

// tracked reports how the tracker filed p: recTCP, recUDP or 0 (as
// decode.Tracker.Track chooses).
func tracked(p *decode.Packet) uint8 {
	switch {
	case p.Layers&decode.LayerTCP != 0:
		return recTCP
	case p.Layers&decode.LayerUDP != 0 && p.BadLayer != decode.LayerUDP:
		return recUDP
	case p.Quote.Valid && p.Quote.Proto == 17 && p.Layers&(decode.LayerICMPv4|decode.LayerICMPv6) != 0:
		return recUDP
	}
	return 0
}

// packRecord encodes p (decoded with the tracker) whose frame is at off.
// exc is filled, and needExc true, when the packet needs an exception.
func packRecord(p *decode.Packet, off uint64) (r Record, exc exception, needExc bool) {
	needExc = packRecordTo(p, off, &r, &exc)
	return r, exc, needExc
}

// packRecordTo is packRecord writing in place (the file index's hot path).
func packRecordTo(p *decode.Packet, off uint64, r *Record, exc *exception) (needExc bool) {
	*r = Record{off: off}
	r.number = uint32(p.Number)
	if p.NoTime {
		r.kind |= recNoTime
	} else {
		r.ns = p.Sec*1e9 + p.Nsec
	}
	r.kind |= tracked(p)
	if p.Tunnel.Outer.UDP {
		r.outer = uint32(p.Tunnel.Outer.UDPStream) + 1
	}
	switch {
	case r.kind&recTCP != 0:
	case r.kind&recUDP != 0:
		r.stream = uint32(p.UDPStream)
		return false
	default:
		return false
	}
	a := &p.Analysis
	rel := &p.Rel
	r.stream = uint32(rel.Stream)
	r.seq, r.ack = rel.Seq, rel.Ack
	r.acks = uint32(a.AcksFrame)
	r.expert = uint16(a.Flags)
	r.states = uint8(a.SrcState)<<4 | uint8(a.DstState)&0xf
	r.roles = uint8(a.SrcRole)<<4 | uint8(a.DstRole)&0xf
	if a.StateChanged {
		r.flags |= recStateChanged
	}
	if a.SrcChanged {
		r.flags |= recSrcChanged
	}
	if a.DstChanged {
		r.flags |= recDstChanged
	}
	if a.WindowScaled {
		r.flags |= recWindowScaled
	}
	// States (0-11) and roles (0-4) fit in four bits each.
	if a.Flags>>16 != 0 || a.DupAckNum != 0 || a.DupAckFrame != 0 {
		needExc = true
	}
	exc.expert = uint32(a.Flags)
	exc.dupNum, exc.dupFrame = int32(a.DupAckNum), uint32(a.DupAckFrame)

	// The scaled window: the raw one shifted.
	win := uint32(p.Window)
	exc.window = a.WindowSize
	switch {
	case a.WindowSize == win:
	case win == 0:
		needExc = true
	default:
		// The scaled window is the raw one shifted left by 1 to 14.
		q := a.WindowSize / win
		if s := bits.TrailingZeros32(q); s >= 1 && s <= 14 && win<<s == a.WindowSize {
			r.shift = uint8(s)
		} else {
			needExc = true
		}
	}

	// The next sequence number: seq + length (+1 for SYN or FIN), or 0.
	exc.nextSeq = rel.NextSeq
	switch rel.NextSeq {
	case stdNextSeq(p):
	case 0:
		r.flags |= recNextZero
	default:
		needExc = true
	}

	// tcpdump's numbers: raw when not relative, else close to Wireshark's.
	exc.tdSeq, exc.tdAck = rel.TDSeq, rel.TDAck
	if rel.TDRelative {
		r.flags |= recTDRelative
		r.td = tdCode(rel.TDSeq, rel.Seq) | tdCode(rel.TDAck, rel.Ack)<<2
		if r.td&3 == tdOther || r.td>>2 == tdOther {
			needExc = true
		}
	} else if rel.TDSeq != p.Seq || rel.TDAck != p.Ack {
		r.td = tdOther | tdOther<<2
		needExc = true
	}
	if needExc {
		r.kind |= recExc
	}
	return needExc
}

func stdNextSeq(p *decode.Packet) uint32 {
	n := p.Rel.Seq + uint32(p.PayloadLen)
	if p.TCPFlags&(decode.TCPSyn|decode.TCPFin) != 0 {
		n++
	}
	return n
}

// unpackRecord lays r (and its exception, if r.kind has recExc) over p,
// which the frame's decode without a tracker filled.
func unpackRecord(r *Record, exc *exception, p *decode.Packet) {
	if r.outer != 0 && p.Tunnel.Outer.UDP {
		p.Tunnel.Outer.UDPStream = int(r.outer - 1)
	}
	switch {
	case r.kind&recTCP != 0 && p.Layers&decode.LayerTCP != 0:
	case r.kind&recUDP != 0:
		p.UDPStream = int(r.stream)
		return
	default:
		return
	}
	a := &p.Analysis
	rel := &p.Rel
	rel.Stream = int(r.stream)
	rel.Seq, rel.Ack = r.seq, r.ack
	a.AcksFrame = int(r.acks)
	a.Flags = decode.Expert(r.expert)
	a.SrcState, a.DstState = decode.TCPState(r.states>>4), decode.TCPState(r.states&0xf)
	a.SrcRole, a.DstRole = decode.Role(r.roles>>4), decode.Role(r.roles&0xf)
	a.StateChanged = r.flags&recStateChanged != 0
	a.SrcChanged = r.flags&recSrcChanged != 0
	a.DstChanged = r.flags&recDstChanged != 0
	a.WindowScaled = r.flags&recWindowScaled != 0
	a.WindowSize = uint32(p.Window) << r.shift
	if r.flags&recNextZero != 0 {
		rel.NextSeq = 0
	} else {
		rel.NextSeq = stdNextSeq(p)
	}
	rel.TDRelative = r.flags&recTDRelative != 0
	var excSeq, excAck uint32
	if exc != nil {
		excSeq, excAck = exc.tdSeq, exc.tdAck
	}
	if rel.TDRelative {
		rel.TDSeq = tdValue(r.td&3, rel.Seq, excSeq)
		rel.TDAck = tdValue(r.td>>2, rel.Ack, excAck)
	} else if r.td == 0 {
		rel.TDSeq, rel.TDAck = p.Seq, p.Ack
	} else {
		rel.TDSeq, rel.TDAck = excSeq, excAck
	}
	if exc != nil {
		a.Flags = decode.Expert(exc.expert)
		a.DupAckNum, a.DupAckFrame = int(exc.dupNum), int(exc.dupFrame)
		a.WindowSize = exc.window
		rel.NextSeq = exc.nextSeq
	}
}

// Time is the packet's capture time, ns since the epoch, if it has one.
func (r *Record) Time() (ns int64, ok bool) { return r.ns, r.kind&recNoTime == 0 }

// Conv names the conversation the tracker filed the packet in.
func (r *Record) Conv() (decode.ConvRef, bool) {
	switch {
	case r.kind&recTCP != 0:
		return decode.ConvRef{Proto: "tcp", Stream: int(r.stream)}, true
	case r.kind&recUDP != 0:
		return decode.ConvRef{Proto: "udp", Stream: int(r.stream)}, true
	}
	return decode.ConvRef{}, false
}

// ConvOf names the conversation p (decoded with the tracker, or loaded
// from a store) belongs to, as the tracker files it.
func ConvOf(p *decode.Packet) (decode.ConvRef, bool) {
	switch tracked(p) {
	case recTCP:
		return decode.ConvRef{Proto: "tcp", Stream: p.Rel.Stream}, true
	case recUDP:
		return decode.ConvRef{Proto: "udp", Stream: p.UDPStream}, true
	}
	return decode.ConvRef{}, false
}

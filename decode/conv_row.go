package decode

import (
	"encoding/binary"
	"net/netip"
	"time"
)

// A retired flow's Conversation is kept as a compact row: its fields as
// varints in a shared slab, about 50 bytes for a one-SYN flow against the
// ~800 bytes of a live Conn (BenchmarkConvRowBytes measures it). The row
// gives back exactly the Conversation it was made from
// (TestConvRowRoundTrip).

// rowChunk is the size of a slab chunk: rows are appended to the last
// chunk, so the slab never copies itself as it grows.
const rowChunk = 1 << 20

// rowSlab holds rows; a row's position is its chunk << 20 | its offset.
type rowSlab struct {
	chunks [][]byte
	held   int64 // bytes of rows held
}

// maxRow bounds a row's length: 8 bytes, two addresses, 17 varints, two
// histories of maxHistory entries and maxEvents events.
const maxRow = 8 + 2*18 + 17*binary.MaxVarintLen64 + 2*(1+maxHistory*(1+binary.MaxVarintLen64)) +
	1 + maxEvents*(2+4*binary.MaxVarintLen64)

func (s *rowSlab) add(c *Conversation) uint64 {
	// Rows are written straight into the chunk, which always has room.
	if len(s.chunks) == 0 || cap(s.chunks[len(s.chunks)-1])-len(s.chunks[len(s.chunks)-1]) < maxRow {
		s.chunks = append(s.chunks, make([]byte, 0, rowChunk))
	}
	i := len(s.chunks) - 1
	n := len(s.chunks[i])
	s.chunks[i] = appendConvRow(s.chunks[i], c)
	s.held += int64(len(s.chunks[i]) - n)
	return uint64(i)<<20 | uint64(n)
}

func (s *rowSlab) get(pos uint64) Conversation {
	var c Conversation
	readConvRow(s.chunks[pos>>20][pos&(rowChunk-1):], &c, nil)
	return c
}

// getInto is get into c, its slices from sc.
func (s *rowSlab) getInto(pos uint64, c *Conversation, sc *retireScratch) {
	readConvRow(s.chunks[pos>>20][pos&(rowChunk-1):], c, sc)
}

// Row flags.
const (
	rowV4A = 1 << iota
	rowV4B
	rowClientServer
	rowHalfClosed
)

func appendConvRow(b []byte, c *Conversation) []byte {
	var fl byte
	if c.A.Addr().Is4() {
		fl |= rowV4A
	}
	if c.B.Addr().Is4() {
		fl |= rowV4B
	}
	if c.ClientServer {
		fl |= rowClientServer
	}
	if c.HalfClosed {
		fl |= rowHalfClosed
	}
	b = append(b, c.Proto, fl, byte(c.StateA), byte(c.StateB), byte(c.Handshake), byte(c.Teardown),
		byte(c.ClosedBy), byte(c.Retired))
	b = appendRowAddr(b, c.A)
	b = appendRowAddr(b, c.B)
	b = binary.AppendUvarint(b, uint64(c.ID))
	for _, v := range [...]uint64{c.PacketsAB, c.PacketsBA, c.BytesAB, c.BytesBA, c.PayloadAB, c.PayloadBA} {
		b = binary.AppendUvarint(b, v)
	}
	for _, v := range [...]int64{c.StartSec, c.StartNsec, c.EndSec - c.StartSec, c.EndNsec, int64(c.FirstFrame),
		int64(c.LastFrame - c.FirstFrame), int64(c.Retransmissions), int64(c.SYNRetries), int64(c.EventsDropped),
		int64(c.SynToSynAck), int64(c.SynAckToAck)} {
		b = binary.AppendVarint(b, v)
	}
	if c.Proto != 6 {
		return b
	}
	for _, h := range [2][]StateChange{c.HistoryA, c.HistoryB} {
		b = binary.AppendUvarint(b, uint64(len(h)))
		for _, s := range h {
			b = append(b, byte(s.State))
			b = binary.AppendVarint(b, int64(s.Frame-c.FirstFrame))
		}
	}
	b = binary.AppendUvarint(b, uint64(len(c.Events)))
	start := c.StartSec*1e9 + c.StartNsec
	for _, e := range c.Events {
		b = append(b, byte(e.Kind), byte(e.By))
		b = binary.AppendVarint(b, int64(e.Frame-c.FirstFrame))
		b = binary.AppendVarint(b, e.Time-start)
		b = binary.AppendVarint(b, int64(e.SynToSynAck))
		b = binary.AppendVarint(b, int64(e.SynAckToAck))
	}
	return b
}

func appendRowAddr(b []byte, ap netip.AddrPort) []byte {
	a := ap.Addr()
	if a.Is4() {
		v := a.As4()
		b = append(b, v[:]...)
	} else {
		v := a.As16()
		b = append(b, v[:]...)
	}
	return binary.BigEndian.AppendUint16(b, ap.Port())
}

// rowReader reads a row's fields in order.
type rowReader struct{ b []byte }

func (r *rowReader) byte() byte {
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *rowReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	r.b = r.b[n:]
	return v
}

func (r *rowReader) varint() int64 {
	v, n := binary.Varint(r.b)
	r.b = r.b[n:]
	return v
}

func (r *rowReader) addr(v4 bool) netip.AddrPort {
	var a netip.Addr
	if v4 {
		a = netip.AddrFrom4([4]byte(r.b[:4]))
		r.b = r.b[4:]
	} else {
		a = netip.AddrFrom16([16]byte(r.b[:16]))
		r.b = r.b[16:]
	}
	p := binary.BigEndian.Uint16(r.b)
	r.b = r.b[2:]
	return netip.AddrPortFrom(a, p)
}

// readConvRow reads the row at the start of b into c and returns its
// length. Its histories and events go into sc's arrays if sc is not nil
// (no allocation), else into new slices.
func readConvRow(b []byte, c *Conversation, sc *retireScratch) int {
	r := rowReader{b}
	*c = Conversation{}
	c.Proto = r.byte()
	fl := r.byte()
	c.StateA, c.StateB = TCPState(r.byte()), TCPState(r.byte())
	c.Handshake, c.Teardown = HandshakeKind(r.byte()), TeardownKind(r.byte())
	c.ClosedBy, c.Retired = Role(r.byte()), RetireReason(r.byte())
	c.ClientServer, c.HalfClosed = fl&rowClientServer != 0, fl&rowHalfClosed != 0
	c.A = r.addr(fl&rowV4A != 0)
	c.B = r.addr(fl&rowV4B != 0)
	c.ID = int(r.uvarint())
	c.PacketsAB, c.PacketsBA = r.uvarint(), r.uvarint()
	c.BytesAB, c.BytesBA = r.uvarint(), r.uvarint()
	c.PayloadAB, c.PayloadBA = r.uvarint(), r.uvarint()
	c.StartSec, c.StartNsec = r.varint(), r.varint()
	// End is kept as its difference from Start (wrapping, so exact for any
	// times) and its nanoseconds.
	c.EndSec, c.EndNsec = c.StartSec+r.varint(), r.varint()
	c.setDuration()
	c.FirstFrame = int(r.varint())
	c.LastFrame = c.FirstFrame + int(r.varint())
	c.Retransmissions, c.SYNRetries, c.EventsDropped = int(r.varint()), int(r.varint()), int(r.varint())
	c.SynToSynAck, c.SynAckToAck = time.Duration(r.varint()), time.Duration(r.varint())
	c.RTT = c.SynToSynAck + c.SynAckToAck
	if c.Proto == 6 {
		for k, h := range [2]*[]StateChange{&c.HistoryA, &c.HistoryB} {
			n := r.uvarint()
			if sc != nil && n <= maxHistory {
				*h = sc.hist[k][:n]
			} else {
				*h = make([]StateChange, n)
			}
			for i := range *h {
				(*h)[i].State = TCPState(r.byte())
				(*h)[i].Frame = c.FirstFrame + int(r.varint())
			}
		}
		if n := r.uvarint(); n > 0 {
			if sc != nil && n <= maxEvents {
				c.Events = sc.events[:n]
			} else {
				c.Events = make([]Event, n)
			}
			start := c.StartSec*1e9 + c.StartNsec
			for i := range c.Events {
				e := &c.Events[i]
				e.Kind, e.By = EventKind(r.byte()), Role(r.byte())
				e.Frame = c.FirstFrame + int(r.varint())
				e.Time = start + r.varint()
				e.SynToSynAck, e.SynAckToAck = time.Duration(r.varint()), time.Duration(r.varint())
			}
		}
	}
	return len(b) - len(r.b)
}

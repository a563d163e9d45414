package timeline

import (
	"sort"
	"time"
)

// stream is one direction of a byte stream (a TCP connection's, or an
// AF_UNIX stream pair's), numbered from 1 like relative sequence numbers:
// every byte is written by a call, put on the wire, acknowledged, arrived
// at the receiver, and read by a call, in that order.
type stream struct {
	next    uint32 // bytes the calls have handed over so far (in call order)
	written uint32 // bytes known to be in the send buffer or beyond
	onWire  uint32 // highest byte seen on the wire
	acked   uint32 // highest byte acknowledged
	arrived uint32 // highest byte arrived in order at the receiver
	read    uint32 // bytes read by the receiver's calls
	wire    bool   // a frame of this direction was seen

	chunks []chunk // the bytes, as the calls wrote them

	finQueued, finAcked bool

	// lastAt and lastFrame are the latest frame of or acknowledging this
	// direction.
	lastAt    time.Time
	lastFrame int
}

// touched notes a frame of, or acknowledging, this direction.
func (s *stream) touched(at time.Time, frame int) {
	if at.After(s.lastAt) {
		s.lastAt, s.lastFrame = at, frame
	}
}

// chunk is what one call wrote: bytes off+1 … off+len(data) of the stream.
type chunk struct {
	off  uint32
	call int
	data []byte
}

// write appends a call's bytes; they count as written at once unless the
// call blocked (then the frames and the call's return say when).
func (s *stream) write(call int, data []byte, n int, blocked bool) {
	if n <= 0 {
		return
	}
	if len(data) > n {
		data = data[:n]
	}
	s.chunks = append(s.chunks, chunk{off: s.next, call: call, data: data})
	s.next += uint32(n)
	if !blocked {
		s.written = max(s.written, s.next)
	}
}

// returned is the return of a blocked call that wrote up to end.
func (s *stream) returned(end uint32) { s.written = max(s.written, end) }

// bytes returns up to n bytes from byte first (1-based) on, as written.
func (s *stream) bytes(first uint32, n int) []byte {
	if n <= 0 {
		return nil
	}
	var out []byte
	// The chunks ascend; start at the one holding byte first.
	i := sort.Search(len(s.chunks), func(i int) bool { return s.chunks[i].off+uint32(len(s.chunks[i].data)) >= first })
	for _, c := range s.chunks[i:] {
		end := c.off + uint32(len(c.data))
		if end < first {
			continue
		}
		from := int(first) - 1 - int(c.off)
		if from < 0 {
			from = 0
		}
		if from >= len(c.data) {
			continue
		}
		out = append(out, c.data[from:]...)
		if len(out) >= n {
			return out[:n]
		}
		first = end + 1
	}
	return out
}

// owner returns the call that wrote byte b (1-based), or 0.
func (s *stream) owner(b uint32) int {
	for _, c := range s.chunks {
		if b > c.off && b <= c.off+uint32(len(c.data)) {
			return c.call
		}
	}
	return 0
}

// segment applies a data segment of this direction [seq, seq+n) and its FIN.
func (s *stream) segment(seq uint32, n int, fin bool) {
	s.wire = true
	if n > 0 {
		end := seq + uint32(n) - 1
		s.onWire = max(s.onWire, end)
		s.written = max(s.written, end) // on the wire, so written
		if seq <= s.arrived+1 {
			s.arrived = max(s.arrived, end)
		}
	}
	if fin {
		s.finQueued = true
	}
}

// ack applies an acknowledgment of this direction: ack is the next byte
// the receiver expects (relative), so ack-1 bytes are acknowledged; one
// more than written acknowledges the FIN.
func (s *stream) ack(ack uint32) {
	if ack == 0 {
		return
	}
	a := ack - 1
	if s.finQueued && a > s.written {
		s.finAcked = true
	}
	s.acked = max(s.acked, min(a, s.written))
}

// sendQ is what SIOCOUTQ counts: written and not yet acknowledged (a
// queued FIN counts one, as it takes a sequence number).
func (s *stream) sendQ() int {
	q := int(s.written) - int(min(s.acked, s.written))
	if s.finQueued && !s.finAcked {
		q++
	}
	return q
}

func (s *stream) unsent() int { return int(s.written) - int(min(s.onWire, s.written)) }

func (s *stream) recvQ() int { return int(s.arrived) - int(min(s.read, s.arrived)) }

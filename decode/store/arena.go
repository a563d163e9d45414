package store

import (
	"encoding/binary"

	"github.com/sockscope/sockscope/capture"
)

// frameArena keeps frames' bytes for stores that cannot read their source
// again: live captures, compressed files and standard input. Frames are
// appended into chunks of arenaChunkSize bytes (a larger frame gets a chunk
// of its own) and dropped a chunk at a time, oldest first. A frame's
// position is its byte offset in everything ever appended, so positions
// stay valid while older chunks go.
//
// Each frame is preceded by a short varint header (arenaMaxHeader): the
// capture time is not repeated there, since the packet's record holds it
// (Record.ns) and frame is given it back; only a time the record cannot
// give exactly (a sub-second field out of range, seconds that overflow
// nanoseconds) is written out. A one-SYN frame of 74 bytes then takes 77
// bytes, not the 102 of a fixed 28-byte header: a million of them 24 MiB
// less.
type frameArena struct {
	chunks []arenaChunk // oldest first
	end    uint64       // position after the last frame
	held   int64        // bytes allocated in chunks
}

type arenaChunk struct {
	start uint64
	buf   []byte
}

const (
	arenaChunkSize = 4 << 20
	// arenaMaxHeader bounds a frame's header: captured length and flags,
	// link type, length on the wire, seconds and nanoseconds, as varints.
	arenaMaxHeader = 5 * binary.MaxVarintLen64
)

// Flags in the low bits of a header's first varint (captured length << 2).
const (
	arenaTime     = 1 << iota // seconds and nanoseconds follow: the record's time does not give them
	arenaLen                  // the length on the wire follows: it is not the captured length
	arenaOpts                 // pcapng options (comments) follow the data: their length first, its low bit the byte order
	arenaFlagBits = iota
)

// splitNS gives the seconds and nanoseconds (0 ≤ nsec < 1e9) of ns.
func splitNS(ns int64) (sec, nsec int64) {
	sec, nsec = ns/1e9, ns%1e9
	if nsec < 0 {
		sec, nsec = sec-1, nsec+1e9
	}
	return sec, nsec
}

// add appends f, whose record's time is ns (0 for a frame without one),
// and returns its position.
func (a *frameArena) add(f *capture.Frame, ns int64) uint64 {
	var hb [arenaMaxHeader]byte
	h := uint64(len(f.Data)) << arenaFlagBits
	sec, nsec := splitNS(ns)
	explicitTime := sec != f.Sec || nsec != f.Nsec
	if explicitTime {
		h |= arenaTime
	}
	if f.Len != len(f.Data) {
		h |= arenaLen
	}
	if f.Options != nil {
		h |= arenaOpts
	}
	hdr := binary.AppendUvarint(hb[:0], h)
	hdr = binary.AppendUvarint(hdr, uint64(f.LinkType))
	if f.Len != len(f.Data) {
		hdr = binary.AppendUvarint(hdr, uint64(f.Len))
	}
	if explicitTime {
		hdr = binary.AppendVarint(hdr, f.Sec)
		hdr = binary.AppendVarint(hdr, f.Nsec)
	}
	if f.Options != nil {
		be := uint64(0)
		if f.OptionsBE {
			be = 1
		}
		hdr = binary.AppendUvarint(hdr, uint64(len(f.Options))<<1|be)
	}
	need := len(hdr) + len(f.Data) + len(f.Options)
	if n := len(a.chunks); n == 0 || len(a.chunks[n-1].buf)+need > cap(a.chunks[n-1].buf) {
		size := max(arenaChunkSize, need)
		a.chunks = append(a.chunks, arenaChunk{start: a.end, buf: make([]byte, 0, size)})
		a.held += int64(size)
	}
	c := &a.chunks[len(a.chunks)-1]
	pos := c.start + uint64(len(c.buf))
	c.buf = append(c.buf, hdr...)
	c.buf = append(c.buf, f.Data...)
	c.buf = append(c.buf, f.Options...)
	a.end = pos + uint64(need)
	return pos
}

// frame fills f with the frame at pos, whose record's time is ns,
// copying its bytes into f.Data's backing array. It reports false if the
// frame has been dropped.
func (a *frameArena) frame(pos uint64, ns int64, noTime bool, f *capture.Frame) bool {
	lo, hi := 0, len(a.chunks)
	for lo < hi {
		m := (lo + hi) / 2
		if a.chunks[m].start <= pos {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return false
	}
	c := &a.chunks[lo-1]
	i := int(pos - c.start)
	if i >= len(c.buf) {
		return false
	}
	r := c.buf[i:]
	next := func() uint64 {
		v, n := binary.Uvarint(r)
		r = r[max(n, 0):]
		return v
	}
	h := next()
	link := next()
	capLen := int(h >> arenaFlagBits)
	wire := capLen
	if h&arenaLen != 0 {
		wire = int(next())
	}
	sec, nsec := splitNS(ns)
	if h&arenaTime != 0 {
		var n int
		sec, n = binary.Varint(r)
		r = r[max(n, 0):]
		nsec, n = binary.Varint(r)
		r = r[max(n, 0):]
	}
	var opts []byte
	optsBE := false
	if h&arenaOpts != 0 {
		v := next()
		n := int(v >> 1)
		optsBE = v&1 != 0
		if capLen+n > len(r) {
			return false
		}
		opts = append([]byte(nil), r[capLen:capLen+n]...) // rare: comments
	}
	if capLen > len(r) {
		return false
	}
	data := append(f.Data[:0], r[:capLen]...)
	*f = capture.Frame{
		Sec:      sec,
		Nsec:     nsec,
		NoTime:   noTime,
		Len:      wire,
		LinkType: uint32(link),
		Offset:   -1,
		Data:     data,

		Options:   opts,
		OptionsBE: optsBE,
	}
	return true
}

// dropBefore frees the chunks that hold only frames before pos.
func (a *frameArena) dropBefore(pos uint64) {
	n := 0
	for n < len(a.chunks)-1 && a.chunks[n+1].start <= pos {
		a.held -= int64(cap(a.chunks[n].buf))
		n++
	}
	if n > 0 {
		clear(a.chunks[:n])
		a.chunks = a.chunks[n:]
	}
}

// secondChunk returns the position where the second-oldest chunk
// starts: evicting every frame before it frees the oldest chunk.
func (a *frameArena) secondChunk() (uint64, bool) {
	if len(a.chunks) < 2 {
		return 0, false
	}
	return a.chunks[1].start, true
}

package ui

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
	// arenaHeader precedes each frame: seconds and nanoseconds (8 bytes
	// each), length on the wire, link type and captured length (4 each).
	arenaHeader = 28
)

// add appends f and returns its position.
func (a *frameArena) add(f *capture.Frame) uint64 {
	need := arenaHeader + len(f.Data)
	if n := len(a.chunks); n == 0 || len(a.chunks[n-1].buf)+need > cap(a.chunks[n-1].buf) {
		size := max(arenaChunkSize, need)
		a.chunks = append(a.chunks, arenaChunk{start: a.end, buf: make([]byte, 0, size)})
		a.held += int64(size)
	}
	c := &a.chunks[len(a.chunks)-1]
	pos := c.start + uint64(len(c.buf))
	var h [arenaHeader]byte
	binary.LittleEndian.PutUint64(h[0:], uint64(f.Sec))
	binary.LittleEndian.PutUint64(h[8:], uint64(f.Nsec))
	binary.LittleEndian.PutUint32(h[16:], uint32(f.Len))
	binary.LittleEndian.PutUint32(h[20:], f.LinkType)
	binary.LittleEndian.PutUint32(h[24:], uint32(len(f.Data)))
	c.buf = append(c.buf, h[:]...)
	c.buf = append(c.buf, f.Data...)
	a.end = pos + uint64(need)
	return pos
}

// frame fills f with the frame at pos, copying its bytes into f.Data's
// backing array. It reports false if the frame has been dropped.
func (a *frameArena) frame(pos uint64, noTime bool, f *capture.Frame) bool {
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
	if i+arenaHeader > len(c.buf) {
		return false
	}
	h := c.buf[i : i+arenaHeader]
	n := int(binary.LittleEndian.Uint32(h[24:]))
	if i+arenaHeader+n > len(c.buf) {
		return false
	}
	data := append(f.Data[:0], c.buf[i+arenaHeader:i+arenaHeader+n]...)
	*f = capture.Frame{
		Sec:      int64(binary.LittleEndian.Uint64(h[0:])),
		Nsec:     int64(binary.LittleEndian.Uint64(h[8:])),
		NoTime:   noTime,
		Len:      int(binary.LittleEndian.Uint32(h[16:])),
		LinkType: binary.LittleEndian.Uint32(h[20:]),
		Offset:   -1,
		Data:     data,
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

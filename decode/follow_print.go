package decode

import (
	"fmt"
	"io"
	"strconv"
)

// FollowFormat is how a FollowPrinter shows a conversation's payload.
type FollowFormat int

// The Follow stream output formats.
const (
	// FollowASCII: a header line at each change of direction, printable
	// ASCII as is (with newlines and tabs; CR LF becomes a newline), every
	// other byte as '.', and "[N bytes missing]" for gaps (Wireshark's
	// "Show data as ASCII").
	FollowASCII FollowFormat = iota
	// FollowHex: per direction block, lines of offset (within the
	// direction), 16 bytes in hex and the same as ASCII.
	FollowHex
	// FollowRaw: exactly the bytes of both directions in delivery order,
	// nothing else.
	FollowRaw
)

// ParseFollowFormat reads "ascii", "hex" or "raw".
func ParseFollowFormat(s string) (FollowFormat, error) {
	switch s {
	case "ascii", "":
		return FollowASCII, nil
	case "hex":
		return FollowHex, nil
	case "raw":
		return FollowRaw, nil
	}
	return 0, fmt.Errorf("follow format %q: want ascii, hex or raw", s)
}

func (f FollowFormat) String() string {
	switch f {
	case FollowHex:
		return "hex"
	case FollowRaw:
		return "raw"
	}
	return "ascii"
}

// FollowPrinter writes the chunks of a Follow to w. Its Chunk method is a
// FollowFunc. It writes once per chunk and keeps at most one hex line.
type FollowPrinter struct {
	w      io.Writer
	format FollowFormat

	dir       int  // direction of the block being printed, -1 before any
	lineStart bool // ascii: the output is at the start of a line
	pendingCR bool // ascii: a CR at the end of the last chunk, waiting for its LF
	line      []byte
	lineOff   int64 // hex: direction offset of line[0]
	out       []byte
}

// NewFollowPrinter returns a printer of chunks to w in the given format.
func NewFollowPrinter(w io.Writer, format FollowFormat) *FollowPrinter {
	return &FollowPrinter{w: w, format: format, dir: -1, lineStart: true}
}

// Chunk prints one chunk.
func (fp *FollowPrinter) Chunk(c *FollowChunk) error {
	if fp.format == FollowRaw {
		if len(c.Data) == 0 {
			return nil
		}
		_, err := fp.w.Write(c.Data)
		return err
	}
	fp.out = fp.out[:0]
	if c.Dir != fp.dir {
		fp.endBlock()
		fp.dir = c.Dir
		fp.header(c)
	}
	if fp.format == FollowHex {
		fp.hexChunk(c)
	} else {
		fp.asciiChunk(c)
	}
	return fp.flush()
}

// Close ends the output: the last partial line, then a summary line of r.
func (fp *FollowPrinter) Close(r FollowResult) error {
	if fp.format == FollowRaw {
		return nil
	}
	fp.out = fp.out[:0]
	fp.endBlock()
	s := &r.Stats
	fp.out = fmt.Appendf(fp.out, "=== end of %s: A→B %d bytes, B→A %d bytes", r.Conv, s.Bytes[0], s.Bytes[1])
	if gaps := s.Gaps[0] + s.Gaps[1]; gaps > 0 {
		fp.out = fmt.Appendf(fp.out, ", %d %s (%d bytes missing)", gaps, plural(gaps, "gap", "gaps"), s.Missing[0]+s.Missing[1])
	}
	if d := s.Duplicate[0] + s.Duplicate[1]; d > 0 {
		fp.out = fmt.Appendf(fp.out, ", %d bytes seen again", d)
	}
	fp.out = append(fp.out, '\n')
	return fp.flush()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (fp *FollowPrinter) flush() error {
	if len(fp.out) == 0 {
		return nil
	}
	_, err := fp.w.Write(fp.out)
	return err
}

// header appends the line that starts a direction block.
func (fp *FollowPrinter) header(c *FollowChunk) {
	arrow := "A→B"
	if c.Dir == 1 {
		arrow = "B→A"
	}
	fp.out = fmt.Appendf(fp.out, "=== %s %s → %s (frame %d)\n", arrow, c.Src, c.Dst, c.Frame)
}

// endBlock finishes the block being printed: a held CR, a partial line.
func (fp *FollowPrinter) endBlock() {
	if fp.pendingCR {
		fp.out = append(fp.out, '.')
		fp.pendingCR = false
		fp.lineStart = false
	}
	if fp.format == FollowHex {
		fp.hexLine()
		return
	}
	if !fp.lineStart {
		fp.out = append(fp.out, '\n')
		fp.lineStart = true
	}
}

func (fp *FollowPrinter) asciiChunk(c *FollowChunk) {
	if c.Missing > 0 {
		fp.endBlock()
		fp.out = fmt.Appendf(fp.out, "[%d bytes missing]\n", c.Missing)
		return
	}
	for _, b := range c.Data {
		if fp.pendingCR {
			fp.pendingCR = false
			if b == '\n' {
				fp.out = append(fp.out, '\n')
				fp.lineStart = true
				continue
			}
			fp.out = append(fp.out, '.')
		}
		switch {
		case b == '\r':
			fp.pendingCR = true
			continue
		case b == '\n':
			fp.out = append(fp.out, '\n')
			fp.lineStart = true
			continue
		case b == '\t' || b >= 0x20 && b < 0x7f:
			fp.out = append(fp.out, b)
		default:
			fp.out = append(fp.out, '.')
		}
		fp.lineStart = false
	}
}

func (fp *FollowPrinter) hexChunk(c *FollowChunk) {
	if c.Missing > 0 {
		fp.hexLine()
		fp.out = fmt.Appendf(fp.out, "[%d bytes missing]\n", c.Missing)
		return
	}
	data := c.Data
	if len(fp.line) == 0 {
		fp.lineOff = c.Offset
	}
	for len(data) > 0 {
		n := min(16-len(fp.line), len(data))
		fp.line = append(fp.line, data[:n]...)
		data = data[n:]
		if len(fp.line) == 16 {
			fp.hexLine() // advances lineOff
		}
	}
}

// hexLine appends the held bytes as one hex dump line.
func (fp *FollowPrinter) hexLine() {
	if len(fp.line) == 0 {
		return
	}
	const hexdigits = "0123456789abcdef"
	off := strconv.FormatInt(fp.lineOff, 16)
	for i := len(off); i < 8; i++ {
		fp.out = append(fp.out, '0')
	}
	fp.out = append(fp.out, off...)
	fp.out = append(fp.out, ' ', ' ')
	for i := range 16 {
		if i == 8 {
			fp.out = append(fp.out, ' ')
		}
		if i < len(fp.line) {
			b := fp.line[i]
			fp.out = append(fp.out, hexdigits[b>>4], hexdigits[b&15], ' ')
		} else {
			fp.out = append(fp.out, ' ', ' ', ' ')
		}
	}
	fp.out = append(fp.out, ' ')
	for _, b := range fp.line {
		if b < 0x20 || b >= 0x7f {
			b = '.'
		}
		fp.out = append(fp.out, b)
	}
	fp.out = append(fp.out, '\n')
	fp.lineOff += int64(len(fp.line))
	fp.line = fp.line[:0]
}

package decode

import (
	"fmt"
	"io"
	"strconv"

	"github.com/sockscope/sockscope/internal/escape"
)

// FollowFormat is how a FollowPrinter shows a conversation's payload.
type FollowFormat int

// The Follow stream output formats.
const (
	// FollowASCII: a header line at each change of direction, the text as
	// is (with newlines and tabs; CR LF becomes a newline), every control
	// character, format character and invalid byte escaped as sockscope's
	// one policy says (internal/escape: `\x1b`, `\u202e`, `\xff`, and `\\`
	// for a backslash, so the bytes can be read back), and
	// "[N bytes missing]" for gaps (Wireshark's "Show data as ASCII", which
	// shows '.' for all of these, cannot be told from a '.').
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

	dir       int    // direction of the block being printed, -1 before any
	lineStart bool   // ascii: the output is at the start of a line
	pendingCR bool   // ascii: a CR at the end of the last chunk, waiting for its LF
	held      []byte // ascii: the start of a UTF-8 character the next chunk completes
	joined    []byte // ascii: held + the next chunk's data
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
		fp.out = append(fp.out, `\r`...)
		fp.pendingCR = false
		fp.lineStart = false
	}
	if len(fp.held) > 0 { // the character was never completed: invalid bytes
		fp.text(fp.held)
		fp.held = fp.held[:0]
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
	data := c.Data
	if len(fp.held) > 0 {
		fp.joined = append(append(fp.joined[:0], fp.held...), data...)
		data = fp.joined
		fp.held = fp.held[:0]
	}
	// A character split between two segments is shown whole, not as two
	// invalid halves.
	if n := escape.IncompleteSuffix(data); n > 0 {
		fp.held = append(fp.held, data[len(data)-n:]...)
		data = data[:len(data)-n]
	}
	run := 0 // start of the text not yet appended
	for i, b := range data {
		if fp.pendingCR {
			fp.pendingCR = false
			if b == '\n' {
				fp.out = append(fp.out, '\n')
				fp.lineStart = true
				run = i + 1
				continue
			}
			fp.out = append(fp.out, `\r`...)
			fp.lineStart = false
		}
		if b != '\r' && b != '\n' && b != '\t' {
			continue
		}
		fp.text(data[run:i])
		switch b {
		case '\r':
			fp.pendingCR = true
		case '\n':
			fp.out = append(fp.out, '\n')
			fp.lineStart = true
		case '\t':
			fp.out = append(fp.out, '\t')
			fp.lineStart = false
		}
		run = i + 1
	}
	fp.text(data[run:])
}

// text appends payload bytes that hold no newline, tab or CR, escaped.
func (fp *FollowPrinter) text(b []byte) {
	if len(b) == 0 {
		return
	}
	fp.out = escape.AppendText(fp.out, b)
	fp.lineStart = false
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
	// The dump's text column keeps one cell per byte: everything but
	// printable ASCII is '.', as in every hex dump; the hex is the truth.
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

package capture

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// Random access to the frames of a capture file, for the terminal UI's file
// index: one pass in order with Next (the same reader as Open) records each
// frame's Frame.Offset, and ReadAt reads any of those frames again later,
// from any goroutine, without keeping its bytes in memory.
//
//	r, err := capture.OpenIndexed(path)
//	...
//	for { err := r.Next(&f); ...; offsets = append(offsets, f.Offset) }  // one goroutine
//	...
//	err = r.ReadAt(offsets[i], &g) // any goroutine, even while Next runs
//
// Only uncompressed files on disk can be read this way. A gzip-compressed
// file, standard input or a pipe opens fine and Next works, but Seekable is
// false and ReadAt returns ErrNotSeekable: keep their bytes instead.

// ErrNotSeekable is returned by ReadAt on a compressed or streamed input.
var ErrNotSeekable = errors.New("capture: input cannot be read at random (compressed or not a regular file)")

// IndexedReader is a FileReader whose frames can be read again by offset.
type IndexedReader struct {
	r        *FileReader
	seekable bool

	mu sync.Mutex // guards everything below; ReadAt holds it throughout
	// sections are the pcapng sections met so far, in file order: where
	// each starts, its byte order and its interfaces. A pcap file has none.
	sections []ngSection
	at       FileReader    // scratch reader positioned by ReadAt
	atSrc    offsetReader  // feeds at's buffer from the file
	atBuf    *bufio.Reader // reused for every ReadAt
	closed   bool
}

// ngSection is what ReadAt needs to parse a packet block of one section.
type ngSection struct {
	start  int64
	be     bool
	ifaces []ngIface
}

// offsetReader reads a file from a position with pread, so it never moves
// the file offset the sequential reader depends on.
type offsetReader struct {
	f   *os.File
	off int64
}

func (o *offsetReader) Read(p []byte) (int, error) {
	n, err := o.f.ReadAt(p, o.off)
	o.off += int64(n)
	if n > 0 && err == io.EOF {
		err = nil // report EOF on the next call, as a stream would
	}
	return n, err
}

// readAtBufSize is ReadAt's buffer: one ordinary frame per read; larger
// records go through the reader's spill buffer.
const readAtBufSize = 4096

// OpenIndexed opens a capture file like Open ("-" reads standard input)
// and prepares it for ReadAt.
func OpenIndexed(path string) (*IndexedReader, error) {
	r, err := Open(path)
	if err != nil {
		return nil, err
	}
	return newIndexed(r), nil
}

// newIndexed prepares r, just opened, for ReadAt when it is an
// uncompressed regular file.
func newIndexed(r *FileReader) *IndexedReader {
	ir := &IndexedReader{r: r}
	if r.file != nil && r.gz == nil {
		if st, err := r.file.Stat(); err == nil && st.Mode().IsRegular() {
			ir.seekable = true
		}
	}
	if ir.seekable {
		ir.at = FileReader{name: r.name, format: r.format, ng: r.ng, pcap: r.pcap}
		ir.atSrc.f = r.file
		ir.atBuf = bufio.NewReaderSize(&ir.atSrc, readAtBufSize)
		if r.ng {
			// Open read the first section header and the interfaces that
			// come before the first packet.
			ir.sections = []ngSection{{start: 0, be: r.pcapng.be, ifaces: append([]ngIface(nil), r.pcapng.ifaces...)}}
		}
	}
	return ir
}

// Seekable reports whether ReadAt works: an uncompressed regular file.
func (ir *IndexedReader) Seekable() bool { return ir.seekable }

// Name, Format, LinkType and SnapLen are the FileReader's.
func (ir *IndexedReader) Name() string { return ir.r.Name() }

// Format describes the file format ("pcap", "pcapng (gzip)", …).
func (ir *IndexedReader) Format() string { return ir.r.Format() }

// LinkType is the file's (first interface's) link type.
func (ir *IndexedReader) LinkType() uint32 { return ir.r.LinkType() }

// SnapLen is the file's (first interface's) snapshot length.
func (ir *IndexedReader) SnapLen() uint32 { return ir.r.SnapLen() }

// Size is the file's size in bytes, or -1 when not known (streams, gzip);
// with the offsets of frames read it gives the indexing progress.
func (ir *IndexedReader) Size() int64 {
	if !ir.seekable {
		return -1
	}
	st, err := ir.r.file.Stat()
	if err != nil {
		return -1
	}
	return st.Size()
}

// Next reads the next frame in file order, exactly as FileReader.Next.
// Call it from one goroutine at a time.
func (ir *IndexedReader) Next(f *Frame) error {
	r := ir.r
	if !r.ng || !ir.seekable {
		return r.Next(f)
	}
	if r.err != nil {
		return r.err
	}
	// pcapng: go block by block (as nextNg does) to see the section
	// headers and interface blocks that ReadAt will need.
	for {
		start := r.src.off
		var typ uint32
		if h, _ := r.src.peek(4); len(h) == 4 {
			typ = u32(r.pcapng.be, h) // a section header's type reads the same either way
		}
		got, err := r.ngBlock(f)
		if err != nil {
			r.err = err
			return err
		}
		switch typ {
		case blockSHB:
			ir.mu.Lock()
			ir.sections = append(ir.sections, ngSection{start: start, be: r.pcapng.be})
			ir.mu.Unlock()
		case blockIDB:
			ir.mu.Lock()
			s := &ir.sections[len(ir.sections)-1]
			s.ifaces = append(s.ifaces, r.pcapng.ifaces[len(r.pcapng.ifaces)-1])
			ir.mu.Unlock()
		}
		if got {
			r.packets++
			return nil
		}
	}
}

// ReadAt fills f with the frame whose record starts at byte offset off: a
// Frame.Offset that Next has returned. It is safe to call from any
// goroutine, also while Next runs. The bytes are copied into f.Data's
// backing array when it is large enough (reuse one Frame to avoid
// allocating), so f.Data stays valid until f is used again.
func (ir *IndexedReader) ReadAt(off int64, f *Frame) error {
	if !ir.seekable {
		return ErrNotSeekable
	}
	ir.mu.Lock()
	defer ir.mu.Unlock()
	if ir.closed {
		return errClosed
	}
	at := &ir.at
	at.err = nil
	if at.ng {
		s := ir.section(off)
		if s == nil {
			return ir.noFrame(off, "before the first section")
		}
		at.pcapng.be = s.be
		at.pcapng.ifaces = s.ifaces
	}
	ir.atSrc.off = off
	ir.atBuf.Reset(&ir.atSrc)
	at.src.br, at.src.off = ir.atBuf, off
	var g Frame
	var err error
	if at.ng {
		var got bool
		got, err = at.ngBlock(&g)
		if err == nil && !got {
			return ir.noFrame(off, "the block there holds no packet")
		}
	} else {
		err = at.nextPcap(&g)
	}
	if err != nil {
		if err == io.EOF {
			return ir.noFrame(off, "past the end of the file")
		}
		var fe *FormatError
		if errors.As(err, &fe) {
			return ir.noFrame(off, fe.Err)
		}
		return err
	}
	data := append(f.Data[:0], g.Data...)
	*f = g
	f.Data = data
	if g.Options != nil { // rare (comments): a copy of their own
		f.Options = append([]byte(nil), g.Options...)
	}
	return nil
}

// section returns the pcapng section holding offset off.
func (ir *IndexedReader) section(off int64) *ngSection {
	lo, hi := 0, len(ir.sections) // first section starting after off
	for lo < hi {
		m := (lo + hi) / 2
		if ir.sections[m].start <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return nil
	}
	return &ir.sections[lo-1]
}

func (ir *IndexedReader) noFrame(off int64, why string) error {
	return fmt.Errorf("%s: no frame at byte offset %d: %s", ir.r.name, off, why)
}

// Close closes the file. ReadAt fails afterwards.
func (ir *IndexedReader) Close() error {
	ir.mu.Lock()
	defer ir.mu.Unlock()
	if ir.closed {
		return nil
	}
	ir.closed = true
	return ir.r.Close()
}

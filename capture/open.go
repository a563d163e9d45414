package capture

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// FileReader reads frames from a pcap or pcapng stream, optionally
// gzip-compressed. Create one with Open or NewReader; call Next until it
// returns an error; Close it. It is not safe for concurrent use.
type FileReader struct {
	name   string
	format string
	file   *os.File     // closed by Close when Open opened it
	gz     *gzip.Reader // non-nil for gzip input
	src    source
	// release, if set, stops what OpenContext started for this input (the
	// wake-up on ctx, a read-ahead goroutine); Close calls it.
	release func()

	ng      bool // pcapng rather than classic pcap
	pcap    pcapState
	pcapng  ngState
	packets int   // frames returned so far
	err     error // sticky: once set, Next returns it forever

	// ReadBatch's: it was called (Next refuses then), the bytes it read
	// past the last whole record, and the error of a read that came with
	// bytes (reported once the frames before it are).
	batched bool
	ahead   []byte
	readErr error
}

var errClosed = errors.New("capture: Next called after Close")

// Open opens a capture file by path ("-" reads standard input). The format
// is detected from the magic number, never from the name: pcap (µs or ns,
// either byte order) and pcapng, each optionally gzip-compressed.
//
// A file that is none of these gives the error "NAME: not a pcap or pcapng
// file". Header problems (unsupported version, truncated header) are
// reported here as *FormatError; problems further in come from Next.
func Open(path string) (*FileReader, error) {
	if path == "-" {
		return NewReader(os.Stdin, "stdin")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := NewReader(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.file = f
	return r, nil
}

// NewReader reads a capture from any stream; name is used in errors and
// returned by Name. Close releases the reader's resources but does not close
// in.
func NewReader(in io.Reader, name string) (*FileReader, error) {
	r := &FileReader{name: name}
	br := bufio.NewReaderSize(&firstRead{r: in}, bufSizeFor(in))
	r.src.in = in
	magic, err := br.Peek(4)
	if len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, gzErr := gzip.NewReader(br)
		if gzErr != nil {
			return nil, &FormatError{File: name, Err: "bad gzip stream: " + gzErr.Error(), cause: gzErr}
		}
		r.gz = gz
		br = bufio.NewReaderSize(&firstRead{r: gz}, readBufSize)
		r.src.in = gz
		magic, err = br.Peek(4)
	}
	r.src.br = br
	if len(magic) < 4 {
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return nil, ioError(name, err)
		}
		return nil, r.notCapture()
	}

	switch binary.LittleEndian.Uint32(magic) {
	case pcapMagicMicro, pcapMagicNano, pcapMagicMicroSwapped, pcapMagicNanoSwapped:
		err = r.openPcap()
	case blockSHB:
		r.ng = true
		err = r.openNg()
	default:
		return nil, r.notCapture()
	}
	if err != nil {
		return nil, err
	}
	if r.gz != nil {
		r.format += " (gzip)"
	}
	return r, nil
}

// bufSizeFor sizes the read buffer: readBufSize, or less when the input is
// known to be smaller (a short file, a bytes.Reader), so that opening a tiny
// capture does not cost a megabyte.
func bufSizeFor(in io.Reader) int {
	size := int64(-1)
	switch v := in.(type) {
	case interface{ Len() int }: // bytes.Reader, bytes.Buffer, strings.Reader
		size = int64(v.Len())
	case *os.File:
		if st, err := v.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
	}
	if size < 0 || size >= readBufSize {
		return readBufSize
	}
	return max(int(size), minReadBufSize)
}

// ioError reports a failed read that is not about the file's contents
// (a directory, a device error, a corrupt gzip stream).
func ioError(name string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return err // already says which file
	}
	return fmt.Errorf("%s: %w", name, err)
}

func (r *FileReader) notCapture() error {
	return &FormatError{File: r.name, Err: "not a pcap or pcapng file"}
}

// Next fills f with the next frame. It returns io.EOF at the clean end of
// the input and a *FormatError when the input is damaged; after any error
// every later call returns the same error. f.Data is valid until the next
// call to Next.
func (r *FileReader) Next(f *Frame) error {
	if r.err != nil {
		return r.err
	}
	if r.batched {
		return errBatched
	}
	err := r.nextFrame(f)
	if err != nil {
		r.err = err
		return err
	}
	r.packets++
	return nil
}

// nextFrame reads the next frame of the input's format into f.
func (r *FileReader) nextFrame(f *Frame) error {
	if r.ng {
		return r.nextNg(f)
	}
	return r.nextPcap(f)
}

// Close releases the reader. It closes the file if Open opened it (never
// standard input, never the stream given to NewReader).
func (r *FileReader) Close() error {
	if r.err == errClosed {
		return nil
	}
	r.err = errClosed
	r.src = source{}
	if r.release != nil {
		r.release()
	}
	var err error
	if r.gz != nil {
		err = r.gz.Close()
	}
	if r.file != nil {
		if cerr := r.file.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// Format describes the file format: "pcap", "pcap (nanosecond)" or
// "pcapng", with " (gzip)" appended for compressed input.
func (r *FileReader) Format() string { return r.format }

// Name is the name given to Open or NewReader, "stdin" for "-".
func (r *FileReader) Name() string { return r.name }

// LinkType is the pcap header's link type, or the link type of the first
// pcapng interface seen so far (0 if none yet: an interface is only known
// once its block has been read, which Open does when it comes before the
// first packet). Individual frames carry their own LinkType.
func (r *FileReader) LinkType() uint32 {
	if r.ng {
		return r.pcapng.firstLink
	}
	return r.pcap.linkType
}

// SnapLen is the pcap header's snapshot length or the first pcapng
// interface's (0 = not limited or not known yet).
func (r *FileReader) SnapLen() uint32 {
	if r.ng {
		return r.pcapng.firstSnap
	}
	return r.pcap.snapLen
}

// failAt returns a FormatError for the record starting at off.
func (r *FileReader) failAt(off int64, cause error, what string) *FormatError {
	return &FormatError{File: r.name, Packet: r.packets + 1, Offset: off, Err: what, cause: cause}
}

// readFailure describes a short or failed read of a record that needed need
// bytes (including its header) and got have.
func (r *FileReader) readFailure(off int64, kind string, need, have int, err error) *FormatError {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return r.failAt(off, io.ErrUnexpectedEOF,
			"truncated "+kind+": need "+strconv.Itoa(need)+" bytes, have "+strconv.Itoa(have))
	}
	return r.failAt(off, err, "reading "+kind+": "+err.Error())
}

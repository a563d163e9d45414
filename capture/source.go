package capture

import (
	"bufio"
	"io"
	"slices"
)

// readBufSize is the size of the bufio.Reader in front of every input. Reads
// from the file or decompressor happen in chunks of this size, and every
// record that fits in it is handed out as a slice of the buffer itself, so a
// frame costs no copy and no allocation.
const readBufSize = 1 << 20

// minReadBufSize is the smallest read buffer: enough for any header we peek.
const minReadBufSize = 4096

// firstReadSize is the most the first read of an input takes: opening a
// capture peeks at its first bytes, and a bufio.Reader fills its whole
// buffer when it can. ReadBatch reads the rest straight into the caller's
// memory, so a 1 MiB first read was 1 MiB of fresh memory touched for
// nothing: 3.5 ms of opening the benchmark capture on the machine
// measured, where a page fault costs ~11 µs.
const firstReadSize = 64 << 10

// firstRead is r whose first Read takes at most firstReadSize bytes.
type firstRead struct {
	r    io.Reader
	done bool
}

func (f *firstRead) Read(p []byte) (int, error) {
	if !f.done {
		f.done = true
		p = p[:min(len(p), firstReadSize)]
	}
	return f.r.Read(p)
}

// source is a byte stream with position tracking and a reusable buffer for
// records that do not fit in the bufio buffer.
type source struct {
	br  *bufio.Reader
	in  io.Reader // what br reads from: ReadBatch reads it straight once br is empty
	off int64     // bytes consumed from br so far
	big []byte    // holds records larger than br's buffer; reused
}

// peek returns the next n bytes without consuming them. If fewer than n
// remain it returns what there is and the reader's error (io.EOF at the end
// of the stream). n must not exceed readBufSize.
func (s *source) peek(n int) ([]byte, error) {
	return s.br.Peek(n)
}

// take consumes and returns the next n bytes. The slice is valid until the
// next call on s. On a short read it returns the bytes that were there and
// a non-nil error (io.EOF or io.ErrUnexpectedEOF at the end of the stream,
// else the reader's error); what was consumed is then unspecified.
//
// Memory is only ever allocated for bytes that are actually present: a
// record claiming 16 MiB in a 100-byte file costs at most one chunk.
func (s *source) take(n int) ([]byte, error) {
	if n <= s.br.Size() {
		b, err := s.br.Peek(n)
		if err != nil {
			return b, err
		}
		s.br.Discard(n) // cannot fail: the n bytes are buffered
		s.off += int64(n)
		return b, nil
	}
	buf := s.big[:0]
	for len(buf) < n {
		want := min(n-len(buf), readBufSize)
		buf = slices.Grow(buf, want)
		got, err := io.ReadFull(s.br, buf[len(buf):len(buf)+want])
		buf = buf[:len(buf)+got]
		s.off += int64(got)
		if err != nil {
			s.big = buf[:0]
			if err == io.EOF && len(buf) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return buf, err
		}
	}
	s.big = buf[:0]
	return buf, nil
}

// skip consumes n bytes without looking at them and returns how many were
// skipped; fewer than n only with an error.
func (s *source) skip(n int) (int, error) {
	got, err := s.br.Discard(n)
	s.off += int64(got)
	return got, err
}

// read reads up to len(p) bytes into p: what br holds first, then straight
// from the input beneath it, without passing through br's buffer.
func (s *source) read(p []byte) (int, error) {
	var n int
	var err error
	if s.br.Buffered() > 0 {
		n, err = s.br.Read(p)
	} else {
		n, err = s.in.Read(p)
	}
	s.off += int64(n)
	return n, err
}

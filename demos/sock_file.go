//go:build unix

package demos

import (
	"bytes"

	"github.com/sockscope/sockscope/demos/sockcall"
)

// FileReader is what Python's s.makefile('rb') gives: a file object over
// the socket with a buffer of its own. It adds no new kind of system call:
// Readline calls recv (Python: recv_into with an 8192-byte buffer) only
// when its buffer holds no complete line, and keeps whatever came after the
// newline for the next Readline.
type FileReader struct {
	s   *Sock
	buf []byte
}

// FileBufSize is how much one read of a FileReader asks the kernel for
// (io.DEFAULT_BUFFER_SIZE, Python's buffer for makefile).
const FileBufSize = 8192

// Makefile returns a FileReader over s. Like Python's makefile it makes
// no system call.
func (s *Sock) Makefile() *FileReader { return &FileReader{s: s} }

// Readline returns the next line, up to and including b'\n' (or what was
// left when the peer closed; empty at the end), like f.readline(). It is
// recorded as one "readline" call whose Inner are the recv calls it made
// (none when the line was already in the buffer); its Ret is the line's
// length and its Data the line.
func (f *FileReader) Readline() ([]byte, error) {
	s := f.s
	s.mark()
	start, startStep := s.start, s.startStep
	var inner []int
	waited := false
	var err error
	for bytes.IndexByte(f.buf, '\n') < 0 {
		var data []byte
		s.last = 0
		data, err = s.Recv(FileBufSize)
		if s.last != 0 {
			inner = append(inner, s.last)
			waited = waited || s.lastWaited
		}
		if err != nil || len(data) == 0 {
			break
		}
		f.buf = append(f.buf, data...)
	}
	n := len(f.buf)
	if i := bytes.IndexByte(f.buf, '\n'); i >= 0 {
		n = i + 1
	}
	line := append([]byte(nil), f.buf[:n]...)
	f.buf = f.buf[n:]
	s.start, s.startStep = start, startStep
	t := s.stamp()
	c := sockcall.Call{Op: "readline", Ret: len(line), Data: line, Inner: inner, Waited: waited}
	s.record(t, c, err, nil)
	if err != nil {
		return nil, err
	}
	return line, nil
}

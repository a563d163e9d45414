package capture

import (
	"context"
	"errors"
	"io"
	"os"
	"time"
)

// Opening and reading that end when a context does.
//
// A capture file on disk never makes a read wait, but a FIFO, a pipe, a
// terminal or a socket can wait forever: open(2) of a FIFO waits for a
// writer, the header Peek waits for the first bytes, and a writer that went
// quiet leaves Next waiting. Ctrl-C must still end the command at once, so
// OpenContext and NewReaderContext make those waits end with ctx.
//
// How, and why this way:
//
//   - Regular files keep the plain path of Open and NewReader: no wrapper,
//     no goroutine, no cost per read (replay's benchmark reads through it).
//   - A FIFO named by path is opened with O_NONBLOCK, so open(2) returns at
//     once. Read on such a descriptor returns EOF while no writer has come,
//     so the first Read first waits, in Go's poller, until the FIFO is
//     readable or a writer has come and gone (waitWriter). Linux reports no
//     hang-up to poll before a writer has been seen, which is what makes
//     this wait right.
//   - Other non-regular files (pipes, terminals, character devices) are in
//     Go's poller when this process opened them itself: a read deadline set
//     when ctx is done (context.AfterFunc) wakes a waiting Read. No goroutine
//     per read, and the O_NONBLOCK flag is on our own open file description.
//   - Standard input is not in the poller (os.Stdin is created blocking), and
//     Close does not wake a read that waits on it. Setting O_NONBLOCK on it
//     would change the description the shell shares, so on Linux it is
//     opened anew through /proc/self/fd/0: a description of the same pipe,
//     FIFO or terminal that is ours alone, in the poller like any other.
//   - When none of that works (a socket on standard input, no /proc, other
//     systems), a goroutine reads ahead into two buffers and Read waits for
//     it or for ctx (pumpReader). A read that waits forever then leaves that
//     goroutine behind until the input gives bytes or the process exits.

// OpenContext is Open whose waiting ends when ctx is done: opening a FIFO
// that has no writer, reading the header, and every later Next. A wait cut
// short returns an error for which errors.Is(err, ctx.Err()) holds, after
// every frame read before it; callers that cancelled treat it as the end.
// Regular files are opened exactly as Open opens them.
func OpenContext(ctx context.Context, path string) (*FileReader, error) {
	if path == "-" {
		return NewReaderContext(ctx, os.Stdin, "stdin")
	}
	st, err := os.Stat(path) // never waits, unlike open(2) of a FIFO
	if err != nil || !MayWait(st) {
		return Open(path) // Open's own errors and messages
	}
	f, fifo, err := openSpecial(path, st.Mode())
	if err != nil {
		return nil, err
	}
	r, err := newReaderFile(ctx, f, fifo, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.file = f
	return r, nil
}

// OpenIndexedContext is OpenIndexed with OpenContext's waiting: a FIFO,
// pipe or terminal (never Seekable) ends its waits when ctx is done.
func OpenIndexedContext(ctx context.Context, path string) (*IndexedReader, error) {
	r, err := OpenContext(ctx, path)
	if err != nil {
		return nil, err
	}
	return newIndexed(r), nil
}

// NewReaderContext is NewReader whose reads end when ctx is done (see
// OpenContext). Only an *os.File that is not a regular file gets a
// cancellable reader; other streams are read as NewReader reads them, so a
// stream of the caller's that can wait must end its reads itself. Like
// NewReader, Close does not close in.
func NewReaderContext(ctx context.Context, in io.Reader, name string) (*FileReader, error) {
	f, ok := in.(*os.File)
	if !ok {
		return NewReader(in, name)
	}
	st, err := f.Stat()
	if err != nil || !MayWait(st) {
		return NewReader(in, name)
	}
	own, err := reopen(f)
	if err != nil {
		// No description of our own: read f from a goroutine.
		return newPumpedReader(ctx, f, name)
	}
	fifo := st.Mode()&os.ModeNamedPipe != 0
	r, err := newReaderFile(ctx, own, fifo, name)
	if err != nil {
		own.Close()
		return nil, err
	}
	r.file = own // ours to close; in stays open
	return r, nil
}

// newReaderFile reads f (not a regular file), waking its reads when ctx is
// done; fifo says f may be a FIFO opened before any writer came. It does
// not close f on error.
func newReaderFile(ctx context.Context, f *os.File, fifo bool, name string) (*FileReader, error) {
	cf := &ctxFile{ctx: ctx, f: f, waitWriter: fifo}
	var stop func() bool
	if f.SetReadDeadline(time.Time{}) == nil {
		stop = context.AfterFunc(ctx, func() {
			// A deadline in the past wakes a Read waiting in the poller
			// and fails every later one.
			f.SetReadDeadline(time.Unix(1, 0))
		})
	} else {
		// Not in the poller (a device epoll refuses): reads through a
		// goroutine instead. A FIFO is always pollable where waitWriter
		// is needed (Linux), so none is lost here.
		return newPumpedReader(ctx, f, name)
	}
	r, err := NewReader(cf, name)
	if err != nil {
		stop()
		return nil, err
	}
	r.release = func() { stop() }
	return r, nil
}

// ctxFile reads a pollable file whose read deadline is set to the past when
// ctx is done.
type ctxFile struct {
	ctx        context.Context
	f          *os.File
	waitWriter bool // an O_NONBLOCK FIFO that may not have had a writer yet
}

func (c *ctxFile) Read(p []byte) (int, error) {
	if c.waitWriter {
		if err := waitWriter(c.f); err != nil {
			return 0, c.cancelled(err)
		}
		c.waitWriter = false
	}
	n, err := c.f.Read(p)
	return n, c.cancelled(err)
}

// cancelled turns the deadline error of a wait cut short by ctx into ctx's
// own error, so that callers can tell it from a failed read.
func (c *ctxFile) cancelled(err error) error {
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		if cerr := c.ctx.Err(); cerr != nil {
			return cerr
		}
	}
	return err
}

// pumpReader reads in from a goroutine, one buffer ahead, so that Read can
// stop waiting when ctx is done even though the read itself cannot be woken.
type pumpReader struct {
	ctx  context.Context
	full chan pumpChunk // filled buffers, in order
	free chan []byte    // buffers Read is done with
	done chan struct{}  // closed by close: the goroutine stops at its next send
	cur  pumpChunk
	err  error // sticky: the input's error, once every byte before it was read
}

type pumpChunk struct {
	buf []byte // the whole buffer, returned to free
	b   []byte // what is left to hand out
	err error
}

const pumpBufSize = 64 << 10

func newPumpReader(ctx context.Context, in io.Reader) *pumpReader {
	p := &pumpReader{ctx: ctx, full: make(chan pumpChunk, 1), free: make(chan []byte, 2), done: make(chan struct{})}
	p.free <- make([]byte, pumpBufSize)
	p.free <- make([]byte, pumpBufSize)
	go p.pump(in)
	return p
}

func (p *pumpReader) pump(in io.Reader) {
	for {
		var buf []byte
		select {
		case buf = <-p.free:
		case <-p.done:
			return
		}
		n, err := in.Read(buf)
		select {
		case p.full <- pumpChunk{buf: buf, b: buf[:n], err: err}:
		case <-p.done:
			return
		}
		if err != nil {
			return
		}
	}
}

func (p *pumpReader) Read(b []byte) (int, error) {
	for len(p.cur.b) == 0 {
		if p.err != nil {
			return 0, p.err
		}
		if p.cur.buf != nil {
			p.free <- p.cur.buf // never blocks: two buffers, two slots
			p.cur.buf = nil
		}
		select {
		case c := <-p.full:
			p.cur, p.err = c, c.err
		case <-p.ctx.Done():
			return 0, p.ctx.Err()
		}
	}
	n := copy(b, p.cur.b)
	p.cur.b = p.cur.b[n:]
	return n, nil
}

func (p *pumpReader) close() { close(p.done) }

// newPumpedReader reads f through a goroutine that ends with ctx (see
// newPumpReader), for inputs Go's poller cannot wake.
func newPumpedReader(ctx context.Context, f *os.File, name string) (*FileReader, error) {
	pr := newPumpReader(ctx, f)
	r, err := NewReader(pr, name)
	if err != nil {
		pr.close()
		return nil, err
	}
	r.release = pr.close
	return r, nil
}

// MayWait reports whether reading a file of this kind can wait for bytes
// that have not come yet: a FIFO, a pipe, a terminal, a socket or another
// device, as opposed to a regular file (read to its end at full speed) or
// a directory (refused when read). OpenContext gives exactly these a
// reader that ends with its context; callers use it to choose timed
// flushing and a screen that comes up before the data.
func MayWait(st os.FileInfo) bool { return !st.Mode().IsRegular() && !st.IsDir() }

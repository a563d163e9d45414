package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/pipeline"
	"github.com/sockscope/sockscope/internal/escape"
)

// outputOptions are the flags every packet source shares.
type outputOptions struct {
	noUI   bool
	json   bool
	count  int    // stop after this many packets; 0: no limit
	out    string // -w
	stdout io.Writer
	stderr io.Writer

	// live is set by the caller when its input may pause for any length
	// of time: a live capture, or a pipe, FIFO or terminal (inputMayPause).
	// The sink then flushes what it has printed at least every
	// outputFlushEvery, even while the reading goroutine waits for the
	// next packet. A regular file never pauses: it keeps the 1 MiB
	// batches, flushed when full and at the end.
	live bool
	// packetBuffered is -U: -w is flushed after every packet, and printed
	// lines are handed to the output after every packet (tcpdump's -U).
	packetBuffered bool

	flows flowOptions // --max-flows, --flow-timeout (flows.go)
}

// How long output may sit in a buffer when the input pauses: printed lines
// (a person or a pipe is waiting for them), and the -w file (bounded so
// that SIGKILL loses at most this much of a slow capture).
const (
	outputFlushEvery = 100 * time.Millisecond
	fileFlushEvery   = time.Second
)

// inputInfo stats the input: path, or stdin for "-"; known is false where
// that cannot be done (stdin is not a file, or the stat fails).
func inputInfo(path string, stdin io.Reader) (fi os.FileInfo, known bool) {
	var err error
	if path == "-" {
		f, ok := stdin.(*os.File)
		if !ok {
			return nil, false
		}
		fi, err = f.Stat()
	} else {
		fi, err = os.Stat(path)
	}
	return fi, err == nil
}

// inputMayPause reports whether reading the input inputInfo described can
// wait for data that has not arrived yet (a pipe, a FIFO, a terminal, a
// socket, or an input it could not stat), as opposed to a regular file,
// which is read to its end at full speed.
func inputMayPause(fi os.FileInfo, known bool) bool {
	return !known || capture.MayWait(fi)
}

// sink prints decoded packets as text or JSON, and writes their frames to
// -w; the pipeline (decode/pipeline) reads, filters, numbers and decodes
// them. take and close are called by one goroutine.
//
// When the input may pause, the reading goroutine may sit in a read for
// seconds with a line or a -w frame buffered, so the flush cannot wait for
// the next packet: a flusher goroutine does it on a ticker. (The other way,
// sources that return on an idle tick, would need every source to have a
// deadline — a pipe read has none — and a timer armed per packet.) The
// flusher must not touch the output while take is halfway through
// appending a line or a frame, so take and the flusher share mu; the lock
// is taken once per packet and only in that mode (uncontended, tens of
// nanoseconds: nothing next to a live capture's system calls). Replay of a
// regular file has no flusher and no lock, so its speed is unchanged, and
// its -w flush is a flag that a timer sets and take looks at.
type sink struct {
	o     *outputOptions
	print bool
	out   *asyncWriter
	w     *capture.FileWriter
	text  *decode.TextFormatter
	n     int // frames taken

	// seq is the pipeline's tracker, whose retired flows close reports.
	seq *decode.SeqTracker

	lineBuffered bool // hand over each line: a terminal, or -U

	// With a flusher (o.live, or a terminal):
	mu      sync.Mutex    // held by take and by the flusher
	wDirty  bool          // frames written to -w since it was flushed; under mu
	stop    chan struct{} // closed by close to end the flusher
	stopped chan struct{} // closed by the flusher when it ends

	// Without one, and with -w:
	wDue   atomic.Bool // set by wTimer: take flushes -w
	wTimer *time.Timer
}

// newSink opens -w (for frames of linkType when none arrives) and the
// output. Once ctx is done, printing gives up where it would wait for the
// output (asyncWriter), so that a full pipe does not hold Ctrl-C up.
func newSink(ctx context.Context, o *outputOptions, linkType uint32) (*sink, error) {
	s := &sink{
		o:     o,
		print: o.printing(),
		text:  decode.NewTextFormatter(time.Local),
	}
	if o.out != "" {
		w, err := capture.Create(o.out, linkType)
		if err != nil {
			return nil, err
		}
		s.w = w
	}
	s.out = newAsyncWriter(ctx, o.stdout, asyncBufSize)
	// On a terminal, lines go out as they are made, as tcpdump's do: a
	// person is watching. Into a file or a pipe, batching is what makes
	// replay fast.
	s.lineBuffered = s.print && (o.packetBuffered || isTerminal(o.stdout))
	switch {
	case o.live || s.lineBuffered:
		// A line held back because the writer was busy goes out on
		// the next tick.
		s.stop, s.stopped = make(chan struct{}), make(chan struct{})
		go s.flusher()
	case s.w != nil && !o.packetBuffered:
		s.wTimer = time.AfterFunc(fileFlushEvery, func() { s.wDue.Store(true) })
	}
	return s, nil
}

// flusher hands the printed lines to the output every outputFlushEvery
// and flushes -w every fileFlushEvery, whether or not packets arrive.
// A -w flush error is kept by the FileWriter and returned by the next
// WriteFrame or by Close, so it is not lost here.
func (s *sink) flusher() {
	defer close(s.stopped)
	t := time.NewTicker(outputFlushEvery)
	defer t.Stop()
	const ticksPerFileFlush = int(fileFlushEvery / outputFlushEvery)
	for tick := 1; ; tick++ {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		s.mu.Lock()
		s.out.Handoff()
		if s.wDirty && tick%ticksPerFileFlush == 0 {
			s.w.Flush()
			s.wDirty = false
		}
		s.mu.Unlock()
	}
}

// printing reports whether packets are printed: not with -w alone.
func (o *outputOptions) printing() bool { return o.out == "" || o.noUI || o.json }

// parallel reports whether the sink may take packets from the pipeline's
// second goroutine in batches: printing a regular file's packets into a
// file or a pipe, where nobody waits for each line (no flusher, not -U,
// not a terminal).
func (o *outputOptions) parallel() bool {
	return o.printing() && !o.live && !o.packetBuffered && !isTerminal(o.stdout)
}

// take writes f to -w, then prints p (decoded from f). It is a
// pipeline.Func.
func (s *sink) take(f *capture.Frame, p *decode.Packet) error {
	if s.stop == nil {
		return s.takeLocked(f, p)
	}
	s.mu.Lock()
	err := s.takeLocked(f, p)
	s.mu.Unlock()
	return err
}

// takeLocked is take, with mu held when there is a flusher.
func (s *sink) takeLocked(f *capture.Frame, p *decode.Packet) error {
	if err := s.write(f); err != nil || !s.print {
		return err
	}
	line := s.out.Buffer()
	if s.o.json {
		line = decode.AppendJSON(line, p)
	} else {
		line = decode.AppendCommentLines(s.text.Append(line, p), p)
	}
	return s.commit(append(line, '\n'))
}

// takeBlock is take for a batch of packets whose lines (each with its
// newline) the pipeline made already (pipeline.RunBlocks, with format):
// the parallel replay of a file, where there is no flusher. It writes the
// frames to -w and gives the lines to the output whole, getting back a
// buffer for the pipeline's next lines.
// If -w fails, the lines of the frames written before are printed.
func (s *sink) takeBlock(b pipeline.Block) ([]byte, error) {
	for i := range b.Frames {
		if err := s.write(&b.Frames[i]); err != nil {
			done := 0
			if i > 0 {
				done = b.Ends[i-1]
			}
			if cerr := s.commit(append(s.out.Buffer(), b.Lines[:done]...)); cerr != nil {
				return b.Lines, cerr
			}
			return b.Lines, err
		}
	}
	return s.out.Give(b.Lines)
}

// format is the pipeline's Config.Format: the sink's line, text or JSON.
func (s *sink) format() func([]byte, *decode.Packet) []byte {
	if s.o.json {
		return decode.AppendJSON
	}
	text := decode.NewTextFormatter(time.Local)
	return func(dst []byte, p *decode.Packet) []byte {
		return decode.AppendCommentLines(text.Append(dst, p), p)
	}
}

// write writes f to -w, if asked, and flushes it when it is due.
func (s *sink) write(f *capture.Frame) error {
	s.n++
	if s.w == nil {
		return nil
	}
	if err := s.w.WriteFrame(f); err != nil {
		return err
	}
	switch {
	case s.o.packetBuffered:
		// Before the line is printed: whoever sees the line finds the
		// packet in the file.
		return s.w.Flush()
	case s.stop != nil:
		s.wDirty = true
	case s.wDue.Load():
		s.wDue.Store(false)
		if err := s.w.Flush(); err != nil {
			return err
		}
		s.wTimer.Reset(fileFlushEvery)
	}
	return nil
}

// commit takes back the output buffer with a line appended.
func (s *sink) commit(line []byte) error {
	if err := s.out.Commit(line); err != nil {
		return err
	}
	if s.lineBuffered {
		s.out.Handoff()
	}
	return nil
}

// close stops the flusher, closes -w, flushes the output, keeping the
// first error. -w goes first: after Ctrl-C the output may be a full pipe
// that out.Close gives up on (ctx's error), and the file is complete
// whatever happens to the output. With -w and nothing printed, it says how
// many packets were written.
func (s *sink) close(err error) error {
	if s.stop != nil {
		close(s.stop)
		<-s.stopped
	}
	if s.wTimer != nil {
		s.wTimer.Stop()
	}
	var cerr error
	if s.w != nil {
		cerr = s.w.Close()
	}
	if ferr := s.out.Close(); err == nil && ferr != nil {
		err = ferr
	}
	if err == nil && cerr != nil {
		err = cerr
	}
	if s.seq != nil {
		reportRetired(s.o.stderr, s.seq.Retired())
	}
	if s.w != nil {
		if err == nil && !s.print {
			fmt.Fprintf(s.o.stderr, "%d packets written to %s\n", s.n, writtenTo(s.o.out))
		}
	}
	return err
}

// writtenTo names -w's target in the closing line: "stdout" for "-".
func writtenTo(out string) string {
	if out == "-" {
		return "stdout"
	}
	return escape.Text(out)
}

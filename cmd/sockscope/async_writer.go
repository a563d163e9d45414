package main

import (
	"context"
	"io"
	"time"
)

// asyncWriter batches output into large buffers and writes them from a
// second goroutine, so that the write system calls (a third of the time
// when printing a million packets to a file) overlap with decoding and
// formatting. Write, Buffer, Commit, Handoff and Close belong to one
// goroutine at a time (the sink's lock says which when it has a flusher);
// the writer goroutine only writes buffers handed to it. The first write
// error is returned by the next Write or by Close.
//
// Buffers are handed over when full, and by Handoff: the sink calls it
// after each line on a terminal and from its flusher on a timer, so that
// live output is not held back until 1 MiB has accumulated.
//
// Ctrl-C and SIGTERM must end the process even when nobody reads the
// output (a full pipe: the writer goroutine sits in write(2) for ever).
// So the two places where the producer can wait for the writer give up
// once ctx is done: Write, when it has no free buffer to go on with (the
// context is looked at there only, once per buffer, not per line), and
// Close, which gives the writer outputGrace after ctx ends to finish and
// then returns ctx's error, leaving the goroutine to end with the process.
type asyncWriter struct {
	w      io.Writer
	buf    []byte
	full   chan []byte // buffers to write
	free   chan []byte // written buffers, for reuse
	done   chan error  // the writer goroutine's first error, when it ends
	failed chan error  // the first error, as soon as it happens
	err    error
	limit  int

	ctx       context.Context
	grace     chan struct{} // closed outputGrace after ctx is done
	stopGrace func() bool
}

const asyncBufSize = 1 << 20

// writeChunk is the most one write(2) takes: a buffer handed over is
// written in pieces of this size. Into a file on this machine, 256 KiB
// writes cost the kernel half what 1 MiB writes do (JSON replay of the
// benchmark capture into a file: 0.35 s of system time against 0.48–0.65
// s, 0.59 s wall against 0.80–0.96; 64 and 128 KiB were slower again; dd
// from /dev/zero: 0.17 s a GB at 256 KiB, 0.4–0.9 s at 1 MiB).
const writeChunk = 256 << 10

// outputGrace is how long output may still be written after Ctrl-C or
// SIGTERM: what fits in that time is printed (the lines read before the
// signal, a short table); then the process ends whether or not the rest
// could be written.
const outputGrace = 50 * time.Millisecond

// Three buffers circulate: the one being filled, and two that are free,
// queued in full, or being written. full holds two, so a hand-over made
// with a buffer just taken from free never blocks. Buffers are handed over
// when size bytes are in one (asyncBufSize: replay's batches).
//
// A buffer is allocated when it is first filled (a nil one stands for it
// until then): the parallel replay gives its batches' own buffers (Give)
// and gets these back only to fill with lines again, at the size it needs,
// and 3 MiB made up front, zeroed in memory fresh to the process, cost
// up to 8 ms of its start on the machine measured.
func newAsyncWriter(ctx context.Context, w io.Writer, size int) *asyncWriter {
	a := &asyncWriter{
		w:      w,
		full:   make(chan []byte, 2),
		free:   make(chan []byte, 3),
		done:   make(chan error, 1),
		failed: make(chan error, 1),
		limit:  size,
		ctx:    ctx,
		grace:  make(chan struct{}),
	}
	for i := 0; i < 2; i++ {
		a.free <- nil // allocated when taken to fill (fill)
	}
	a.stopGrace = context.AfterFunc(ctx, func() {
		time.AfterFunc(outputGrace, func() { close(a.grace) })
	})
	go a.loop()
	return a
}

func (a *asyncWriter) loop() {
	var err error
	for b := range a.full {
		for rest := b; err == nil && len(rest) > 0; rest = rest[min(len(rest), writeChunk):] {
			if _, err = a.w.Write(rest[:min(len(rest), writeChunk)]); err != nil {
				a.failed <- err
			}
		}
		a.free <- b[:0]
	}
	a.done <- err
}

// Write copies p into the current buffer and hands the buffer over when it
// is full. It reports an earlier write's error, if any, and ctx's error
// when the buffer is full, the writer has none free (the output does not
// keep up) and ctx is done.
func (a *asyncWriter) Write(p []byte) (int, error) {
	if a.err != nil {
		return 0, a.err
	}
	a.fill()
	a.buf = append(a.buf, p...)
	if len(a.buf) >= a.limit && !a.handOver() {
		return len(p), a.err
	}
	a.checkFailed()
	return len(p), nil
}

// fill gives the current buffer its memory if it has none yet.
func (a *asyncWriter) fill() {
	if a.buf == nil {
		a.buf = make([]byte, 0, a.limit+64<<10)
	}
}

// handOver gives the current buffer to the writer goroutine and goes on
// with a free one; false (a.err set) as takeFree.
func (a *asyncWriter) handOver() bool {
	b, ok := a.takeFree()
	if !ok {
		return false
	}
	a.full <- a.buf // room: at most one other buffer is queued
	a.buf = b
	return true
}

// takeFree waits for a buffer the writer is done with; false (a.err set)
// once ctx is done and the writer has none (the output does not keep up).
func (a *asyncWriter) takeFree() ([]byte, bool) {
	select {
	case b := <-a.free:
		return b, true
	case <-a.ctx.Done():
		a.err = a.ctx.Err()
		return nil, false
	}
}

func (a *asyncWriter) checkFailed() {
	select {
	case a.err = <-a.failed:
	default:
	}
}

// giveMin is the least Give hands over as it is; less is copied into
// the current buffer, so that small blocks do not each cost a write.
const giveMin = 64 << 10

// Give writes p as Write does, but hands p itself to the writer goroutine
// (after what is buffered) instead of copying it, and returns a buffer the
// writer is done with, for the caller to fill next: the parallel replay
// formats a batch's lines into one buffer and gives it whole. A p shorter
// than giveMin is copied and returned. Errors are Write's.
func (a *asyncWriter) Give(p []byte) ([]byte, error) {
	if len(p) < giveMin || a.err != nil {
		_, err := a.Write(p)
		return p, err
	}
	if len(a.buf) > 0 && !a.handOver() { // what is buffered goes first
		return p, a.err
	}
	b, ok := a.takeFree()
	if !ok {
		return p, a.err
	}
	a.full <- p // room, as above
	a.checkFailed()
	return b[:0], a.err
}

// Buffer returns the current buffer for the caller to append to in place
// (saving a copy per line); hand it back with Commit.
func (a *asyncWriter) Buffer() []byte {
	a.fill()
	return a.buf
}

// Commit takes back the buffer from Buffer with what was appended, and
// hands it over when it is full. It reports an earlier write's error.
func (a *asyncWriter) Commit(b []byte) error {
	a.buf = b
	_, err := a.Write(nil)
	return err
}

// Handoff gives what is buffered to the writer goroutine now, if that
// goroutine has a buffer to give back; if it has none it is still writing
// the two buffers before this one, the output is flowing, and the caller
// tries again on its next line or tick. It never waits, so neither the
// decoding goroutine nor the flusher stalls on a slow terminal or a full
// pipe; it reports whether nothing is left buffered.
func (a *asyncWriter) Handoff() bool {
	if len(a.buf) == 0 {
		return true
	}
	select {
	case b := <-a.free:
		a.full <- a.buf // room: at most one other buffer is queued
		a.buf = b
		return true
	default:
		return false
	}
}

// expired reports whether outputGrace has passed since ctx ended: the
// printing loops of the conversation views look at it every few hundred
// rows (rowWriter).
func (a *asyncWriter) expired() bool {
	select {
	case <-a.grace:
		return true
	default:
		return false
	}
}

// Close writes what is buffered, waits for the writer goroutine and returns
// the first write error. Once ctx is done it waits until outputGrace after
// that at most, and then returns ctx's error with the writer still in its
// write: output nobody reads must not keep the process alive.
func (a *asyncWriter) Close() error {
	if len(a.buf) > 0 && a.err == nil {
		a.full <- a.buf // room: the writer holds or has queued at most two
	}
	a.buf = nil
	close(a.full)
	select {
	case err := <-a.done:
		if a.err == nil {
			a.err = err
		}
	case <-a.grace:
		if a.err == nil {
			a.err = a.ctx.Err()
		}
	}
	a.stopGrace()
	return a.err
}

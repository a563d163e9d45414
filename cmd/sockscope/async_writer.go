package main

import "io"

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
type asyncWriter struct {
	w      io.Writer
	buf    []byte
	full   chan []byte // buffers to write
	free   chan []byte // written buffers, for reuse
	done   chan error  // the writer goroutine's first error, when it ends
	failed chan error  // the first error, as soon as it happens
	err    error
	limit  int
}

const asyncBufSize = 1 << 20

// Three buffers circulate: the one being filled, and two that are free,
// queued in full, or being written. full holds two, so a hand-over made
// with a buffer just taken from free never blocks.
func newAsyncWriter(w io.Writer) *asyncWriter {
	a := &asyncWriter{
		w:      w,
		buf:    make([]byte, 0, asyncBufSize+64<<10),
		full:   make(chan []byte, 2),
		free:   make(chan []byte, 3),
		done:   make(chan error, 1),
		failed: make(chan error, 1),
		limit:  asyncBufSize,
	}
	for i := 0; i < 2; i++ {
		a.free <- make([]byte, 0, asyncBufSize+64<<10)
	}
	go a.loop()
	return a
}

func (a *asyncWriter) loop() {
	var err error
	for b := range a.full {
		if err == nil {
			if _, err = a.w.Write(b); err != nil {
				a.failed <- err
			}
		}
		a.free <- b[:0]
	}
	a.done <- err
}

// Write copies p into the current buffer and hands the buffer over when it
// is full. It reports an earlier write's error, if any.
func (a *asyncWriter) Write(p []byte) (int, error) {
	if a.err != nil {
		return 0, a.err
	}
	a.buf = append(a.buf, p...)
	if len(a.buf) >= a.limit {
		a.full <- a.buf
		a.buf = <-a.free
	}
	select {
	case a.err = <-a.failed:
	default:
	}
	return len(p), nil
}

// Buffer returns the current buffer for the caller to append to in place
// (saving a copy per line); hand it back with Commit.
func (a *asyncWriter) Buffer() []byte { return a.buf }

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

// Close writes what is buffered, waits for the writer goroutine and returns
// the first write error.
func (a *asyncWriter) Close() error {
	if len(a.buf) > 0 {
		a.full <- a.buf
		a.buf = nil
	}
	close(a.full)
	err := <-a.done
	if a.err == nil {
		a.err = err
	}
	return a.err
}

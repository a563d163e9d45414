package main

import "io"

// asyncWriter batches output into large buffers and writes them from a
// second goroutine, so that the write system calls (a third of the time
// when printing a million packets to a file) overlap with decoding and
// formatting. Write and Close belong to one goroutine; the other only
// writes full buffers. The first write error is returned by the next Write
// or by Close.
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

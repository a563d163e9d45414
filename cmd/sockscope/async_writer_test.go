package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"testing"
)

// TestAsyncWriterGive: lines written and blocks given, mixed, come out in
// the order they went in, byte for byte; a given block is written as it
// is (not copied) and a buffer comes back in exchange that the writer no
// longer uses; a short block is copied and returned.
func TestAsyncWriterGive(t *testing.T) {
	var out bytes.Buffer
	a := newAsyncWriter(context.Background(), &out, 1<<10)
	var want bytes.Buffer
	next := make([]byte, 0, 16)
	for i := range 200 {
		switch i % 3 {
		case 0:
			line := fmt.Appendf(nil, "line %d\n", i)
			want.Write(line)
			if _, err := a.Write(line); err != nil {
				t.Fatal(err)
			}
		case 1: // a whole block, handed over
			block := next[:0]
			for len(block) < giveMin {
				block = fmt.Appendf(block, "block %d line %d\n", i, len(block))
			}
			want.Write(block)
			var err error
			if next, err = a.Give(block); err != nil {
				t.Fatal(err)
			}
			if len(next) != 0 {
				t.Fatalf("Give returned a buffer holding %d bytes", len(next))
			}
		case 2: // a short block, copied
			block := fmt.Appendf(nil, "short %d\n", i)
			want.Write(block)
			got, err := a.Give(block)
			if err != nil {
				t.Fatal(err)
			}
			if &got[0] != &block[0] {
				t.Fatal("a short block was not given back")
			}
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want.Bytes()) {
		t.Fatalf("output differs at byte %d of %d", firstDiffBytes(out.Bytes(), want.Bytes()), want.Len())
	}
}

// chunkWriter records the size of every write.
type chunkWriter struct {
	bytes.Buffer
	sizes []int
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	w.sizes = append(w.sizes, len(p))
	return w.Buffer.Write(p)
}

// TestAsyncWriterChunks: a block larger than writeChunk goes out in writes
// of writeChunk bytes and the rest, in order.
func TestAsyncWriterChunks(t *testing.T) {
	var out chunkWriter
	a := newAsyncWriter(context.Background(), &out, asyncBufSize)
	block := make([]byte, 2*writeChunk+1000)
	for i := range block {
		block[i] = byte(i * 7)
	}
	if _, err := a.Give(bytes.Clone(block)); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), block) {
		t.Fatalf("output differs at byte %d", firstDiffBytes(out.Bytes(), block))
	}
	if want := []int{writeChunk, writeChunk, 1000}; fmt.Sprint(out.sizes) != fmt.Sprint(want) {
		t.Errorf("writes of %v bytes, want %v", out.sizes, want)
	}
}

// TestAsyncWriterGiveError: a write error comes back from a later Give or
// from Close.
func TestAsyncWriterGiveError(t *testing.T) {
	boom := errors.New("disk full")
	a := newAsyncWriter(context.Background(), failingWriter{boom}, 1<<10)
	block := bytes.Repeat([]byte("x\n"), giveMin)
	var err error
	for i := 0; i < 10 && err == nil; i++ {
		block, err = a.Give(append(block[:0], bytes.Repeat([]byte("x\n"), giveMin)...))
	}
	if cerr := a.Close(); !errors.Is(err, boom) && !errors.Is(cerr, boom) {
		t.Fatalf("Give: %v, Close: %v; want %v", err, cerr, boom)
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

var _ io.Writer = failingWriter{}

func firstDiffBytes(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// A writer allocates its megabyte buffers as it fills them, not when it
// is made: the parallel replay gives its own buffers and gets these back
// only to fill again. Given blocks alone never make it allocate one.
func TestAsyncWriterAllocatesLate(t *testing.T) {
	allocated := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	var a *asyncWriter
	if n := allocated(func() { a = newAsyncWriter(context.Background(), io.Discard, 1<<20) }); n >= 1<<20 {
		t.Fatalf("newAsyncWriter allocated %d bytes up front", n)
	}
	block := bytes.Repeat([]byte("x"), giveMin)
	if n := allocated(func() {
		for range 10 {
			next, err := a.Give(block)
			if err != nil {
				t.Fatal(err)
			}
			block = append(next[:0], block...)
		}
	}); n >= 1<<20 {
		t.Fatalf("giving blocks allocated %d bytes", n)
	}
	if _, err := a.Write([]byte("line\n")); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
}

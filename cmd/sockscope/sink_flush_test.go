//go:build linux

package main

// The sink's flush policy without a network: frames are handed to take
// by the test, and the output is a pipe read by the test. With -race these
// also check that take and the flusher share the output safely.

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockscope/sockscope/internal/ptytest"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
)

// udpFrame is an Ethernet frame of a UDP datagram (see pcapUDPRecord).
func udpFrame(sec int64, payload string) *capture.Frame {
	data := pcapUDPRecord(sec, payload)[16:]
	return &capture.Frame{Sec: sec, Len: len(data), LinkType: capture.LinkEthernet, Data: data}
}

// takeFrame decodes f as frame number n and gives it to s, as the
// pipeline does.
func takeFrame(s *sink, f *capture.Frame, n int) error {
	var p decode.Packet
	decode.NewDecoder().Decode(f, n, &p)
	return s.take(f, &p)
}

// TestSinkFlushesWhileIdle: with live set, a line taken and then no more
// frames (the reader waits for the next packet) still reaches the pipe,
// and so does the next one, well before any 1 MiB batch fills.
func TestSinkFlushesWhileIdle(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	lines := readLines(r)
	o := &outputOptions{noUI: true, live: true, stdout: w, stderr: &bytes.Buffer{}}
	s, err := newSink(context.Background(), o, capture.LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 2; n++ {
		start := time.Now()
		if err := takeFrame(s, udpFrame(int64(n), strings.Repeat("y", n)), n); err != nil {
			t.Fatal(err)
		}
		select {
		case l := <-lines:
			t.Logf("frame %d: line out after %v", n, time.Since(start).Round(time.Microsecond))
			if want := " UDP, length " + string(rune('0'+n)); !strings.HasSuffix(l, want) {
				t.Errorf("line %q, want one ending %q", l, want)
			}
		case <-time.After(arrival):
			t.Fatalf("frame %d taken, no line within %v while no other frame comes", n, arrival)
		}
	}
	if err := s.close(nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if l, ok := <-lines; ok {
		t.Errorf("after close: unexpected line %q", l)
	}
}

// TestSinkWriteFileFlushedWhileIdle: -w with live set holds the frame
// taken within fileFlushEvery (polled, with a hang deadline), without
// close; with -U it holds it as soon as take returns.
func TestSinkWriteFileFlushedWhileIdle(t *testing.T) {
	for _, u := range []bool{false, true} {
		out := filepath.Join(t.TempDir(), "idle.pcapng")
		o := &outputOptions{out: out, live: true, packetBuffered: u, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
		s, err := newSink(context.Background(), o, capture.LinkEthernet)
		if err != nil {
			t.Fatal(err)
		}
		if err := takeFrame(s, udpFrame(1, "zz"), 1); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		frames := readCapture(t, out)
		if u && len(frames) != 1 {
			t.Fatalf("-U: file holds %d frames right after take, want 1", len(frames))
		}
		for ; len(frames) == 0; frames = readCapture(t, out) {
			if time.Since(start) > arrival {
				t.Fatalf("-w: no frame in the file within %v of take", arrival)
			}
			time.Sleep(10 * time.Millisecond) // polling a file: no event to wait for
		}
		t.Logf("-U=%v: frame in the file after %v", u, time.Since(start).Round(time.Millisecond))
		wantDatagram(t, frames, "zz")
		if err := s.close(nil); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSinkRegularFileKeepsBatching: replay of a regular file into a pipe
// runs no flusher (no lock per packet, no timer), so its speed is what it
// was; a terminal or live input does.
func TestSinkRegularFileKeepsBatching(t *testing.T) {
	_, slave := ptytest.Open(t)
	for _, tc := range []struct {
		name    string
		o       outputOptions
		flusher bool
	}{
		{"regular file into a buffer", outputOptions{noUI: true, stdout: &bytes.Buffer{}}, false},
		{"live into a buffer", outputOptions{noUI: true, live: true, stdout: &bytes.Buffer{}}, true},
		{"regular file onto a terminal", outputOptions{noUI: true, stdout: slave}, true},
	} {
		s, err := newSink(context.Background(), &tc.o, capture.LinkEthernet)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.stop != nil; got != tc.flusher {
			t.Errorf("%s: flusher %v, want %v", tc.name, got, tc.flusher)
		}
		s.close(nil)
	}
}

func TestInputMayPause(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "f.pcap")
	if err := os.WriteFile(reg, pcapHeader(), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	regFile, err := os.Open(reg)
	if err != nil {
		t.Fatal(err)
	}
	defer regFile.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	for _, tc := range []struct {
		path  string
		stdin io.Reader
		want  bool
	}{
		{reg, nil, false},
		{fifo, nil, true},
		{"-", regFile, false}, // replay - < f.pcap
		{"-", pr, true},       // tcpdump -w - | sockscope replay -
		{"-", &bytes.Buffer{}, true},
	} {
		if got := inputMayPause(inputInfo(tc.path, tc.stdin)); got != tc.want {
			t.Errorf("inputMayPause(%q, %T) = %v, want %v", tc.path, tc.stdin, got, tc.want)
		}
	}
}

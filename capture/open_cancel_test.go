//go:build linux

package capture

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Waits that must end with the context: OpenContext on a FIFO nobody writes
// to, Next on a FIFO or pipe whose writer went quiet, and standard input
// that is a socket (the read-ahead goroutine). Each op runs in a goroutine;
// the test first checks that it is still waiting (it must: nothing was
// written), then cancels, and wants it back within hangLimit.

const hangLimit = 5 * time.Second

// threePackets is a pcap header and three 4-byte Ethernet records.
func threePackets() []byte {
	r := pcapRec{sec: 1, capLen: 4, origLen: 4, data: seq(4)}
	return pcapFile(false, pcapMagicMicro, 2, 4, 65535, LinkEthernet, r, r, r)
}

// async runs op and returns a channel that gets its error.
func async(op func() error) chan error {
	ch := make(chan error, 1)
	go func() { ch <- op() }()
	return ch
}

// cancelWakes checks that op is waiting, cancels, and wants op to return an
// error that is context.Canceled within hangLimit.
func cancelWakes(t *testing.T, cancel context.CancelFunc, done chan error) {
	t.Helper()
	select {
	case err := <-done:
		t.Fatalf("returned before cancel, with nothing to read: %v", err)
	case <-time.After(50 * time.Millisecond): // still waiting, as it must
	}
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		t.Logf("returned %v after cancel", time.Since(start).Round(time.Microsecond))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want one that is context.Canceled", err)
		}
	case <-time.After(hangLimit):
		t.Fatalf("still waiting %v after cancel", hangLimit)
	}
}

func mkfifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOpenContextFIFONoWriter(t *testing.T) {
	path := mkfifo(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelWakes(t, cancel, async(func() error {
		r, err := OpenContext(ctx, path)
		if err == nil {
			r.Close()
		}
		return err
	}))
}

// openWriter opens the FIFO for writing; it waits until a reader has it
// open, which OpenContext does at once.
func openWriter(t *testing.T, path string) *os.File {
	t.Helper()
	w, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func TestOpenContextFIFOQuietWriter(t *testing.T) {
	path := mkfifo(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opened := make(chan *FileReader, 1)
	openErr := async(func() error {
		r, err := OpenContext(ctx, path)
		opened <- r
		return err
	})
	w := openWriter(t, path)
	if _, err := w.Write(threePackets()); err != nil {
		t.Fatal(err)
	}
	if err := <-openErr; err != nil {
		t.Fatal(err)
	}
	r := <-opened
	defer r.Close()
	var f Frame
	for i := range 3 {
		if err := r.Next(&f); err != nil {
			t.Fatalf("packet %d: %v", i+1, err)
		}
	}
	// The writer stays open and silent: Next waits until cancel.
	cancelWakes(t, cancel, async(func() error { return r.Next(&f) }))
	if r.packets != 3 {
		t.Errorf("%d packets read, want 3", r.packets)
	}
}

// A FIFO read to its end behaves as a file: every frame, then io.EOF; one
// whose writer leaves without a byte is "not a pcap or pcapng file".
func TestOpenContextFIFOEnd(t *testing.T) {
	path := mkfifo(t)
	ctx := context.Background()
	opened := make(chan *FileReader, 1)
	openErr := async(func() error {
		r, err := OpenContext(ctx, path)
		opened <- r
		return err
	})
	w := openWriter(t, path)
	w.Write(threePackets())
	w.Close()
	if err := <-openErr; err != nil {
		t.Fatal(err)
	}
	r := <-opened
	frames, err := readAll(t, r)
	r.Close()
	if err != nil || len(frames) != 3 {
		t.Fatalf("%d frames, %v; want 3, nil", len(frames), err)
	}

	openErr = async(func() error {
		r, err := OpenContext(ctx, path)
		if err == nil {
			r.Close()
		}
		return err
	})
	openWriter(t, path).Close()
	err = <-openErr
	if err == nil || err.Error() != path+": not a pcap or pcapng file" {
		t.Fatalf("empty FIFO: %v", err)
	}
}

// Standard input that is a pipe: read through a description of our own,
// and the caller's stays blocking (a shell shares it).
func TestNewReaderContextPipe(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	if _, err := pw.Write(threePackets()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := NewReaderContext(ctx, pr, "stdin")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.release == nil || r.file == nil || r.file == pr {
		t.Fatal("a pipe is read as it is, not through a description of our own")
	}
	var f Frame
	for i := range 3 {
		if err := r.Next(&f); err != nil {
			t.Fatalf("packet %d: %v", i+1, err)
		}
	}
	cancelWakes(t, cancel, async(func() error { return r.Next(&f) }))
	fl, err := unix.FcntlInt(pr.Fd(), unix.F_GETFL, 0)
	if err != nil || fl&unix.O_NONBLOCK != 0 {
		t.Errorf("the caller's pipe is non-blocking now (flags %#x, %v)", fl, err)
	}
	r.Close()
	if _, err := pw.Write([]byte{1}); err != nil {
		t.Errorf("Close closed the caller's pipe: %v", err)
	}
}

// A socket cannot be opened again through /proc: it is read by the
// read-ahead goroutine, which gives every byte, then waits until cancel.
func TestNewReaderContextSocket(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	in := os.NewFile(uintptr(fds[0]), "sock")
	out := os.NewFile(uintptr(fds[1]), "peer")
	defer in.Close()
	defer out.Close()
	if _, err := out.Write(threePackets()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := NewReaderContext(ctx, in, "stdin")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.file != nil || r.release == nil {
		t.Fatal("a socket was not read through the read-ahead goroutine")
	}
	var f Frame
	for i := range 3 {
		if err := r.Next(&f); err != nil {
			t.Fatalf("packet %d: %v", i+1, err)
		}
		if want := seq(4); string(f.Data) != string(want) {
			t.Fatalf("packet %d: % x, want % x", i+1, f.Data, want)
		}
	}
	cancelWakes(t, cancel, async(func() error { return r.Next(&f) }))
}

// pumpReader hands out the bytes in order across its two buffers and then
// the input's error.
func TestPumpReaderOrder(t *testing.T) {
	data := make([]byte, 3*pumpBufSize+17)
	for i := range data {
		data[i] = byte(i * 7)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	go func() {
		pw.Write(data)
		pw.Close()
	}()
	p := newPumpReader(context.Background(), pr)
	defer p.close()
	got, err := io.ReadAll(p)
	if err != nil || string(got) != string(data) {
		t.Fatalf("read %d bytes (%v), want the %d written", len(got), err, len(data))
	}
}

// Regular files keep Open's reader: no wrapper, no release.
func TestOpenContextRegular(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.pcap")
	if err := os.WriteFile(path, threePackets(), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := OpenContext(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.release != nil || r.src.br.Size() != minReadBufSize {
		t.Errorf("regular file read through a wrapper (release %v, buffer %d)", r.release != nil, r.src.br.Size())
	}
	_, err = OpenContext(context.Background(), filepath.Join(t.TempDir(), "missing"))
	if !errors.Is(err, syscall.ENOENT) {
		t.Errorf("missing file: %v", err)
	}
}

package capture

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/iotest"

	"github.com/sockscope/sockscope/internal/corpus"
)

// readBatched reads r to its end with ReadBatch, frames and bytes at a
// time, into two buffers used in turn; it checks that the frames of a call
// are still as they were after the next call (their bytes are in the
// caller's buffer, not the reader's) and returns them all, with the error
// that ended the reading (nil for io.EOF).
func readBatched(t *testing.T, r *FileReader, frames, bytesPer int) ([]Frame, error) {
	t.Helper()
	bufs := [2][]byte{make([]byte, bytesPer), make([]byte, bytesPer)}
	var out []Frame
	var last []Frame // the previous call's frames, as ReadBatch gave them
	var lastCopy []Frame
	for call := 0; ; call++ {
		fs := make([]Frame, frames)
		n, err := r.ReadBatch(fs, bufs[call%2])
		for i := range last {
			if !bytes.Equal(last[i].Data, lastCopy[i].Data) || !bytes.Equal(last[i].Options, lastCopy[i].Options) {
				t.Fatalf("%s: frame %d of call %d changed during call %d", r.Name(), i, call-1, call)
			}
		}
		last, lastCopy = fs[:n], nil
		for _, f := range fs[:n] {
			c := f
			c.Data, c.Options = bytes.Clone(f.Data), bytes.Clone(f.Options)
			lastCopy = append(lastCopy, c)
		}
		out = append(out, lastCopy...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			if n2, err2 := r.ReadBatch(fs, bufs[0]); n2 != 0 || err2 != err {
				t.Fatalf("%s: after %v, ReadBatch = %d, %v", r.Name(), err, n2, err2)
			}
			return out, err
		}
		if n == 0 {
			t.Fatalf("%s: ReadBatch read nothing and no error", r.Name())
		}
		if len(out) > 10_000_000 {
			t.Fatalf("%s: ReadBatch does not stop", r.Name())
		}
	}
}

// sameFrames reports the first difference between two readings.
func sameFrames(want, got []Frame, wantErr, gotErr error) string {
	if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) {
		return fmt.Sprintf("error %v, want %v", gotErr, wantErr)
	}
	if len(got) != len(want) {
		return fmt.Sprintf("%d frames, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if !bytes.Equal(w.Data, g.Data) || !bytes.Equal(w.Options, g.Options) {
			return fmt.Sprintf("frame %d: bytes differ", i+1)
		}
		w.Data, g.Data, w.Options, g.Options = nil, nil, nil, nil
		if !reflect.DeepEqual(w, g) {
			return fmt.Sprintf("frame %d: %+v, want %+v", i+1, g, w)
		}
	}
	return ""
}

// batchInputs are the inputs ReadBatch is held to Next on: every capture
// of the corpus, and each pcap one cut short at three places and with
// bytes appended (damage where a batch ends, inside a record header,
// inside a record).
func batchInputs(t *testing.T) map[string][]byte {
	dir := corpus.PcapDir(t)
	in := map[string][]byte{}
	for _, name := range corpus.Captures(t, dir) {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		in[name] = data
		if !bytes.HasPrefix(data, []byte{0xd4, 0xc3, 0xb2, 0xa1}) {
			continue
		}
		for _, cut := range []int{len(data) - 1, len(data) * 2 / 3, 24 + 7} {
			if cut > 24 && cut < len(data) {
				in[fmt.Sprintf("%s[:%d]", name, cut)] = data[:cut]
			}
		}
		in[name+"+garbage"] = append(bytes.Clone(data), bytes.Repeat([]byte{0xff}, 40)...)
	}
	return in
}

// TestReadBatchSameAsNext: ReadBatch gives the frames Next gives (fields,
// offsets, bytes) and ends with the same error, whatever the size of the
// caller's buffer (smaller than a record too) and of its frames, and
// whether the input gives many bytes a read or one.
func TestReadBatchSameAsNext(t *testing.T) {
	for name, data := range batchInputs(t) {
		open := func(in io.Reader) *FileReader {
			r, err := NewReader(in, name)
			if err != nil {
				return nil
			}
			return r
		}
		r := open(bytes.NewReader(data))
		if r == nil {
			continue
		}
		want, wantErr := readAll(t, r)
		for _, c := range []struct {
			frames, bytes int
			oneByte       bool
		}{{1, 1, false}, {3, 100, false}, {16, 4096, false}, {4096, 512 << 10, false}, {7, 2000, true}} {
			if c.oneByte && len(data) > 200_000 {
				continue
			}
			in := io.Reader(bytes.NewReader(data))
			if c.oneByte {
				in = iotest.OneByteReader(in)
			}
			r := open(in)
			got, gotErr := readBatched(t, r, c.frames, c.bytes)
			if d := sameFrames(want, got, wantErr, gotErr); d != "" {
				t.Errorf("%s, ReadBatch(%d frames, %d bytes, one byte a read %v): %s", name, c.frames, c.bytes, c.oneByte, d)
			}
			if err := r.Next(new(Frame)); (gotErr == nil && err != io.EOF) || (gotErr != nil && err != gotErr) {
				t.Errorf("%s: Next after the last ReadBatch = %v, want %v", name, err, gotErr)
			}
		}
	}
}

// TestNextAfterReadBatch: Next refuses a reader that ReadBatch has read
// from (the bytes read ahead are in ReadBatch's keeping), rather than
// skip them.
func TestNextAfterReadBatch(t *testing.T) {
	dir := corpus.PcapDir(t)
	for _, name := range []string{"tcpdump/ssh.pcap", "pcapplusplus/many_interfaces-1.pcapng"} {
		r, err := Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if n, err := r.ReadBatch(make([]Frame, 1), make([]byte, 4096)); n != 1 || err != nil {
			t.Fatalf("%s: ReadBatch = %d, %v", name, n, err)
		}
		if err := r.Next(new(Frame)); err != errBatched {
			t.Errorf("%s: Next after ReadBatch = %v, want %v", name, err, errBatched)
		}
		r.Close()
	}
}

// TestReadBatchReadError: a read that fails after giving bytes ends the
// batches with Next's error, after the frames Next gives before it.
func TestReadBatchReadError(t *testing.T) {
	dir := corpus.PcapDir(t)
	data, err := os.ReadFile(filepath.Join(dir, "tcpdump/ssh.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{100, 1000, len(data) / 2} {
		in := func() io.Reader {
			return io.MultiReader(bytes.NewReader(data[:cut]), iotest.ErrReader(fmt.Errorf("disk on fire")))
		}
		r, err := NewReader(in(), "ssh.pcap")
		if err != nil {
			t.Fatal(err)
		}
		want, wantErr := readAll(t, r)
		r, _ = NewReader(in(), "ssh.pcap")
		got, gotErr := readBatched(t, r, 64, 8192)
		if d := sameFrames(want, got, wantErr, gotErr); d != "" || gotErr == nil {
			t.Errorf("cut at %d: %s (error %v)", cut, d, gotErr)
		}
	}
}

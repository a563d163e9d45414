package capture

import (
	"bytes"
	"io"
	"testing"
)

// readSizes is a reader that records how much each Read asked for.
type readSizes struct {
	r     io.Reader
	sizes []int
}

func (s *readSizes) Read(p []byte) (int, error) {
	s.sizes = append(s.sizes, len(p))
	return s.r.Read(p)
}

// Opening a capture reads at most firstReadSize bytes, not the read
// buffer's megabyte, and the frames after it come whole, by Next and by
// ReadBatch alike.
func TestFirstReadSmall(t *testing.T) {
	var recs []pcapRec
	for i := range 2000 { // 2000 × 1016 bytes: past the first read and the read buffer
		recs = append(recs, pcapRec{sec: uint32(i), capLen: 1000, origLen: 1000, data: seq(1000)})
	}
	data := pcapFile(false, pcapMagicMicro, 2, 4, 65535, 1, recs...)
	for _, batched := range []bool{false, true} {
		in := &readSizes{r: bytes.NewReader(data)}
		r, err := NewReader(struct{ io.Reader }{in}, "big.pcap") // hides Len: the buffer is readBufSize
		if err != nil {
			t.Fatal(err)
		}
		if len(in.sizes) != 1 || in.sizes[0] > firstReadSize {
			t.Fatalf("opening read %v bytes, want one read of at most %d", in.sizes, firstReadSize)
		}
		var frames []Frame
		if batched {
			frames, err = readBatched(t, r, 64, 16<<10)
		} else {
			frames, err = readAll(t, r)
		}
		if err != nil || len(frames) != len(recs) {
			t.Fatalf("batched %v: %d frames, %v; want %d", batched, len(frames), err, len(recs))
		}
		for i, f := range frames {
			if f.Sec != int64(i) || !bytes.Equal(f.Data, recs[i].data) {
				t.Fatalf("batched %v: frame %d is not record %d", batched, i, i)
			}
		}
	}
}

package store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unsafe"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/corpus"
	"github.com/sockscope/sockscope/internal/flowgen"
)

func TestRecordSize(t *testing.T) {
	if n := unsafe.Sizeof(Record{}); n != 48 {
		t.Errorf("Record is %d bytes, want 48", n)
	}
}

// samePacket compares two Packets field by field (DNS.QName by value: it
// aliases each decoder's memory).
func samePacket(a, b *decode.Packet) bool {
	if !bytes.Equal(a.DNS.QName, b.DNS.QName) {
		return false
	}
	x, y := *a, *b
	x.DNS.QName, y.DNS.QName = nil, nil
	return reflect.DeepEqual(x, y)
}

// roundTrip decodes every frame of path with the tracker, packs it into a
// record, decodes the frame again without a tracker, unpacks the record
// over it, and wants the same Packet. It returns the packets and the
// exceptions needed.
func roundTrip(t *testing.T, path string, limit int) (n, exceptions int) {
	r, err := capture.Open(path)
	if err != nil {
		return 0, 0
	}
	defer r.Close()
	seq := decode.NewDecoder()
	rd := NewReader()
	var f capture.Frame
	var p decode.Packet
	for n = 1; limit == 0 || n <= limit; n++ {
		if err := r.Next(&f); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Logf("%s: %v", path, err)
			}
			return n - 1, exceptions
		}
		seq.Decode(&f, n, &p)
		rec, exc, has := packRecord(&p, 0)
		if has {
			exceptions++
		}
		rd.Frame = f
		rd.decode(&rec, &exc, has, 0)
		if !samePacket(&p, &rd.Packet) {
			t.Fatalf("%s #%d: the record does not give the packet back:\n got %+v\nwant %+v", path, n, rd.Packet.Analysis, p.Analysis)
		}
	}
	return n - 1, exceptions
}

// TestRecordRoundTrip holds Record to the tracker on every capture of
// the corpus and on the benchmark capture.
func TestRecordRoundTrip(t *testing.T) {
	dir := corpus.PcapDir(t)
	total, exc := 0, 0
	for _, name := range corpus.Captures(t, dir) {
		n, e := roundTrip(t, filepath.Join(dir, name), 0)
		total += n
		exc += e
	}
	t.Logf("corpus: %d packets, %d exceptions", total, exc)
	if path := benchPath(); path != "" && !testing.Short() {
		n, e := roundTrip(t, path, 0)
		t.Logf("%s: %d packets, %d exceptions (%.3f%%)", path, n, e, 100*float64(e)/float64(max(n, 1)))
	}
}

func benchPath() string {
	p := os.Getenv("SOCKSCOPE_BENCH_PCAP")
	if p == "" {
		p = "/tmp/sockscope-bench.pcap"
	}
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// indexed builds a file store of path, as RunFile does.
func indexed(t testing.TB, path string) *Store {
	ir, err := capture.OpenIndexed(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ir.Close() })
	var s *Store
	if ir.Seekable() {
		s = NewFile(ir, path)
	} else {
		s = NewMem(path, false, DefaultMaxPackets, DefaultMaxBytes)
	}
	tr, err := IndexFile(context.Background(), s, ir, nil)
	s.Finish(err)
	s.SetConvs(tr)
	return s
}

// TestStoreMatchesReplay: every packet a store gives back prints as the
// sequential decode prints it (text and JSON), for a file index and for a
// memory store, and a scan visits them all in order.
func TestStoreMatchesReplay(t *testing.T) {
	dir := corpus.PcapDir(t)
	files := corpus.Captures(t, dir)
	for _, name := range files {
		path := filepath.Join(dir, name)
		want := replayLines(t, path)
		if want == nil {
			continue
		}
		s := indexed(t, path)
		if got := int(s.end); got != len(want) {
			t.Fatalf("%s: %d packets indexed, want %d", name, got, len(want))
		}
		rd := NewReader()
		for abs := uint64(0); abs < s.end; abs++ {
			if !s.Load(abs, rd) {
				t.Fatalf("%s: packet %d not loaded", name, abs)
			}
			if got := printPacket(&rd.Packet); got != want[abs] {
				t.Fatalf("%s #%d:\n got %s\nwant %s", name, abs+1, got, want[abs])
			}
		}
		sc := NewScanner(s, 0)
		var i uint64
		if _, err := sc.Step(1<<30, func(rd *Reader) {
			if rd.Abs != i || printPacket(&rd.Packet) != want[i] {
				t.Fatalf("%s: scan #%d differs", name, i+1)
			}
			i++
		}); err != nil {
			t.Fatalf("%s: scan: %v", name, err)
		}
		sc.Close()
		if i != s.end {
			t.Fatalf("%s: scan visited %d of %d", name, i, s.end)
		}
	}
}

func printPacket(p *decode.Packet) string {
	return string(decode.AppendText(nil, p, nil)) + " " + string(decode.AppendJSON(nil, p))
}

// replayLines is what replay prints for each packet of path (text then
// JSON), or nil if the file does not open.
func replayLines(t *testing.T, path string) []string {
	r, err := capture.Open(path)
	if err != nil {
		return nil
	}
	defer r.Close()
	dec := decode.NewDecoder()
	var out []string
	var f capture.Frame
	var p decode.Packet
	for n := 1; r.Next(&f) == nil; n++ {
		dec.Decode(&f, n, &p)
		out = append(out, printPacket(&p))
	}
	return out
}

// TestMemStoreEviction: a bounded memory store drops the oldest packets,
// counts them, and still gives back the rest exactly.
func TestMemStoreEviction(t *testing.T) {
	frames := synFrames(10)
	s := NewMem("test", true, 5, 0)
	dec := decode.NewDecoder()
	var want []string
	var p decode.Packet
	for i := range frames {
		dec.Decode(&frames[i], i+1, &p)
		want = append(want, printPacket(&p))
		s.AddFrame(&frames[i], &p)
	}
	first, end := s.Bounds()
	if end != uint64(len(frames)) || end-first != 5 {
		t.Fatalf("held [%d, %d), want the last 5 of %d", first, end, len(frames))
	}
	rd := NewReader()
	if s.Load(first-1, rd) {
		t.Errorf("evicted packet %d still loads", first-1)
	}
	for abs := first; abs < end; abs++ {
		if !s.Load(abs, rd) || printPacket(&rd.Packet) != want[abs] {
			t.Errorf("packet %d after eviction differs", abs)
		}
	}

	// A byte budget evicts too: chunks go whole.
	s = NewMem("test", true, 0, 3*arenaChunkSize)
	big := capture.Frame{Data: make([]byte, 60000), Len: 60000, LinkType: capture.LinkEthernet}
	for i := 0; i < 400; i++ {
		dec.Decode(&big, i+1, &p)
		s.AddFrame(&big, &p)
	}
	first, end = s.Bounds()
	if first == 0 || s.arena.held > 3*arenaChunkSize {
		t.Errorf("byte budget: held [%d, %d) in %d bytes", first, end, s.arena.held)
	}
	if !s.Load(first, rd) || len(rd.Frame.Data) != 60000 {
		t.Errorf("oldest packet held does not load")
	}
}

// synFrames returns n one-SYN frames of flows 0…n-1, 10 ms apart.
func synFrames(n int) []capture.Frame {
	frames := make([]capture.Frame, n)
	for i := range frames {
		b := make([]byte, flowgen.FrameLen)
		flowgen.SYN(b, i)
		frames[i] = capture.Frame{Sec: 1700000000, Nsec: int64(i) * 10_000_000, Len: len(b), LinkType: capture.LinkEthernet, Data: b}
	}
	return frames
}

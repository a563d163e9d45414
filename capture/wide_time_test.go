package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/sockscope/sockscope/internal/corpus"
)

// wideTimeCapture builds a pcapng like PcapPlusPlus's pcapng-example.pcapng:
// 159 packets, from packet 60 on mixed with an interface whose µs
// timestamps run up to 2^64-1 (year ~586,000, past nanoseconds' 2554),
// plus interfaces nanoseconds cannot reach without an offset: one before
// 1970 (negative if_tsoffset) and one in nanoseconds 2^40 s from now.
func wideTimeCapture() []byte {
	le := binary.LittleEndian
	b := (&ngBuilder{}).shb(1, 0)
	b.idb(uint16(LinkEthernet), 0) // 0: µs, ordinary times
	b.idb(uint16(LinkEthernet), 0) // 1: µs, near 2^64
	b.idb(uint16(LinkRaw), 0, b.opt(optTSResol, []byte{9}), b.opt(optTSOffset, le.AppendUint64(nil, uint64(1<<40))))
	b.idb(uint16(LinkEthernet), 0, b.opt(optTSOffset, le.AppendUint64(nil, uint64(math.MaxUint64-1e9+1)))) // -1e9 s: 1938
	for n := 1; n <= 159; n++ {
		data := seq(40 + n)
		switch {
		case n < 60 || n%4 == 1:
			b.epb(0, 1_700_000_000_000_000+uint64(n)*1234, uint32(len(data)+3), data)
		case n%4 == 0:
			b.epb(1, math.MaxUint64-uint64(159-n)*1_000_001, uint32(len(data)), data)
		case n%4 == 2:
			b.epb(2, uint64(n)*1_000_000_007, uint32(len(data)), data)
		default:
			b.epb(3, uint64(n)*999_999, uint32(len(data)), data)
		}
	}
	return b.buf
}

// roundTrip writes frames to a pcapng at path and reads them back.
func roundTrip(t *testing.T, path string, in []Frame) []Frame {
	t.Helper()
	if err := writeCapture(path, in[0].LinkType, in); err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}
	back, err := readFile(t, path)
	if err != nil {
		t.Fatalf("reading back %s: %v", path, err)
	}
	if len(back) != len(in) {
		t.Fatalf("%s: %d packets back, wrote %d", path, len(back), len(in))
	}
	for i := range in {
		a, b := &in[i], &back[i]
		if a.Sec != b.Sec || a.Nsec != b.Nsec || a.Len != b.Len || a.LinkType != b.LinkType || !bytes.Equal(a.Data, b.Data) {
			t.Fatalf("%s packet %d: read back %d.%09d len %d lt %d, wrote %d.%09d len %d lt %d",
				path, i+1, b.Sec, b.Nsec, b.Len, b.LinkType, a.Sec, a.Nsec, a.Len, a.LinkType)
		}
	}
	return back
}

// TestWriteAnyTime checks that pcapng output holds every time the input
// had: past 2554 at the input's µs resolution, before 1970 and with
// nanoseconds far from now through if_tsoffset.
func TestWriteAnyTime(t *testing.T) {
	in, err := readBytes(t, "wide.pcapng", wideTimeCapture())
	if err != nil || len(in) != 159 {
		t.Fatalf("test file: %d packets, %v", len(in), err)
	}
	if in[59].Sec <= maxNgSec || in[59].Sec != (math.MaxUint64-99*1_000_001)/1_000_000 {
		t.Fatalf("test file: packet 60 at %d s, want one past 2554", in[59].Sec)
	}
	dir := t.TempDir()
	roundTrip(t, filepath.Join(dir, "wide.pcapng"), in)
	roundTrip(t, filepath.Join(dir, "wide.pcapng.gz"), in)

	// Ordinary files keep one nanosecond interface per link type.
	var buf bytes.Buffer
	w := NewWriter(&buf, "x", WritePcapng, LinkEthernet)
	for i := range 59 {
		w.WriteFrame(&in[i])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if len(w.ifaces) != 1 || w.ifaces[0] != (writtenIface{linkType: LinkEthernet, resol: 9}) {
		t.Errorf("interfaces %+v, want one Ethernet in nanoseconds", w.ifaces)
	}

	// Classic pcap keeps its range: the first frame past 2106 is refused
	// with the fix in the message, and the frames before it are kept.
	path := filepath.Join(dir, "wide.pcap")
	var eth []Frame
	for _, f := range in {
		if f.LinkType == LinkEthernet && f.Sec >= 0 {
			eth = append(eth, f)
		}
	}
	err = writeCapture(path, LinkEthernet, eth)
	want := fmt.Sprintf("%s: packet 60: time %d s is outside classic pcap's range (1970 to 2106); write to a .pcapng name instead", path, in[59].Sec)
	if err == nil || err.Error() != want {
		t.Errorf("classic pcap: error %v\nwant %s", err, want)
	}
	if back, err := readFile(t, path); err != nil || len(back) != 59 {
		t.Errorf("classic pcap holds %d packets, %v; want the 59 before the refused one", len(back), err)
	}
}

// TestWriteCorpusExample round-trips PcapPlusPlus's pcapng-example.pcapng
// when the corpus has it (the file: 159 packets, writing used to
// stop at packet 60).
func TestWriteCorpusExample(t *testing.T) {
	path := filepath.Join(corpus.PcapDir(t), "pcapplusplus/pcapng-example.pcapng")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		t.Skip("pcapplusplus/pcapng-example.pcapng is not in this corpus; TestWriteAnyTime builds its like")
	}
	in, err := readFile(t, path)
	if err != nil || len(in) != 159 {
		t.Fatalf("%d packets, %v; want 159", len(in), err)
	}
	roundTrip(t, filepath.Join(t.TempDir(), "example.pcapng"), in)
}

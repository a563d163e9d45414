package capture

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriterEmptyFiles(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name   string
		format string
		size   int64
	}{
		{"empty.pcap", "pcap (nanosecond)", 24},
		{"empty.pcapng", "pcapng", 48 + 32}, // SHB with shb_userappl, IDB with if_tsresol
		{"empty.cap", "pcapng", 80},
		{"empty.pcap.gz", "pcap (nanosecond) (gzip)", -1},
		{"EMPTY.PCAP", "pcap (nanosecond)", 24},
	} {
		path := filepath.Join(dir, tt.name)
		w, err := Create(path, LinkLinuxSLL2)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if st, _ := os.Stat(path); tt.size >= 0 && st.Size() != tt.size {
			t.Errorf("%s: %d bytes, want %d", tt.name, st.Size(), tt.size)
		}
		r, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		frames, err := readAll(t, r)
		if err != nil || len(frames) != 0 || r.Format() != tt.format || r.LinkType() != LinkLinuxSLL2 || r.SnapLen() != 262144 {
			t.Errorf("%s: %d frames, %v, format %q, link type %d, snaplen %d",
				tt.name, len(frames), err, r.Format(), r.LinkType(), r.SnapLen())
		}
		r.Close()
	}
}

func TestWriterPcapngMixesLinkTypes(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, "mem", WritePcapng, LinkEthernet)
	in := []Frame{
		{Sec: 1, Nsec: 2, Len: 100, LinkType: LinkLinuxSLL2, Data: seq(50)},
		{Sec: 3, Nsec: 999_999_999, Len: 7, LinkType: LinkEthernet, Data: seq(7)},
		{NoTime: true, Sec: 99, Nsec: 99, Len: 3, LinkType: LinkLinuxSLL2, Data: seq(3)},
		{Sec: 4_323_283_200, Nsec: 5, Len: 0, LinkType: 65535, Data: nil},
	}
	for i := range in {
		if err := w.WriteFrame(&in[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(&buf, "mem")
	if err != nil {
		t.Fatal(err)
	}
	out, err := readAll(t, r)
	if err != nil || len(out) != len(in) {
		t.Fatalf("%d frames, %v", len(out), err)
	}
	wantIface := []int{0, 1, 0, 2}
	for i := range in {
		sec, nsec := in[i].Sec, in[i].Nsec
		if in[i].NoTime {
			sec, nsec = 0, 0
		}
		o := out[i]
		if o.Sec != sec || o.Nsec != nsec || o.Len != in[i].Len || o.LinkType != in[i].LinkType ||
			!bytes.Equal(o.Data, in[i].Data) || o.Interface != wantIface[i] || o.NoTime {
			t.Errorf("frame %d: %+v\nwrote %+v", i+1, o, in[i])
		}
	}
	if r.LinkType() != LinkLinuxSLL2 {
		t.Errorf("first interface link type %d", r.LinkType())
	}
}

func TestWriterErrors(t *testing.T) {
	dir := t.TempDir()
	t.Run("classic pcap holds one link type", func(t *testing.T) {
		path := filepath.Join(dir, "one.pcap")
		w, err := Create(path, LinkEthernet)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteFrame(&Frame{LinkType: LinkEthernet, Len: 1, Data: seq(1)}); err != nil {
			t.Fatal(err)
		}
		err = w.WriteFrame(&Frame{LinkType: LinkLinuxSLL2, Len: 1, Data: seq(1)})
		want := path + ": classic pcap holds one link type (have 1, got 276); write to a .pcapng name instead"
		if err == nil || err.Error() != want {
			t.Errorf("error %v\nwant %s", err, want)
		}
		if err2 := w.Close(); err2 != err {
			t.Errorf("Close returned %v, want the write error", err2)
		}
		// The frame before the refused one is kept.
		frames, err := readFile(t, path)
		if err != nil || len(frames) != 1 {
			t.Errorf("file holds %d frames, %v; want the 1 good frame", len(frames), err)
		}
	})
	t.Run("time beyond classic pcap", func(t *testing.T) {
		w := NewWriter(new(bytes.Buffer), "t.pcap", WritePcap, LinkEthernet)
		err := w.WriteFrame(&Frame{Sec: 1 << 32, LinkType: LinkEthernet})
		if err == nil || !strings.Contains(err.Error(), "t.pcap: packet 1: time 4294967296 s is outside classic pcap's range") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("time before 1970", func(t *testing.T) {
		// pcapng holds it with a negative if_tsoffset (TestWriteAnyTime).
		var buf bytes.Buffer
		w := NewWriter(&buf, "t.pcapng", WritePcapng, LinkEthernet)
		w.WriteFrame(&Frame{Sec: -1, Nsec: 5, LinkType: LinkEthernet})
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		out, err := readBytes(t, "t.pcapng", buf.Bytes())
		if err != nil || len(out) != 1 || out[0].Sec != -1 || out[0].Nsec != 5 {
			t.Errorf("read back %+v, %v", out, err)
		}
	})
	t.Run("link type above 16 bits", func(t *testing.T) {
		w := NewWriter(new(bytes.Buffer), "x", WritePcapng, LinkEthernet)
		if err := w.WriteFrame(&Frame{LinkType: 1 << 16}); err == nil {
			t.Error("no error")
		}
	})
	t.Run("write error reaches Close", func(t *testing.T) {
		w := NewWriter(failWriter{}, "broken", WritePcapng, LinkEthernet)
		w.WriteFrame(&Frame{LinkType: LinkEthernet, Data: seq(10)})
		if err := w.Close(); !errors.Is(err, errDiskFull) {
			t.Errorf("Close: %v", err)
		}
	})
	t.Run("directory missing", func(t *testing.T) {
		if _, err := Create(filepath.Join(dir, "no/such/dir.pcap"), 1); err == nil {
			t.Error("no error")
		}
	})
	t.Run("invalid sub-second values are normalised", func(t *testing.T) {
		for _, format := range []WriteFormat{WritePcap, WritePcapng} {
			var buf bytes.Buffer
			w := NewWriter(&buf, "x", format, LinkEthernet)
			w.WriteFrame(&Frame{Sec: 10, Nsec: 2_147_483_648_000, LinkType: LinkEthernet})
			w.WriteFrame(&Frame{Sec: 10, Nsec: -1, LinkType: LinkEthernet})
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			out, err := readBytes(t, "x", buf.Bytes())
			if err != nil || len(out) != 2 || out[0].Sec != 2157 || out[0].Nsec != 483_648_000 ||
				out[1].Sec != 9 || out[1].Nsec != 999_999_999 {
				t.Errorf("format %d: %+v, %v", format, out, err)
			}
		}
	})
}

var errDiskFull = errors.New("disk full")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errDiskFull }

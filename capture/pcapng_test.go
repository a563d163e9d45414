package capture

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
)

// Synthetic pcapng files for what the corpus does not cover.

func TestPcapngTimestampResolution(t *testing.T) {
	const ts = 1_700_000_000_123_456_789 // as ns
	tests := []struct {
		name      string
		opts      [][]byte
		raw       uint64 // timestamp as written in the EPB
		sec, nsec int64
	}{
		{"default µs", nil, ts / 1000, 1_700_000_000, 123_456_000},
		{"10^-9", [][]byte{{9}}, ts, 1_700_000_000, 123_456_789},
		{"10^-3", [][]byte{{3}}, ts / 1_000_000, 1_700_000_000, 123_000_000},
		{"10^0", [][]byte{{0}}, 1_700_000_000, 1_700_000_000, 0},
		{"10^-12", [][]byte{{12}}, 1_700_000_000_123_456_789, 1_700_000, 123_456}, // 1.7e6 s in ps
		{"10^-19", [][]byte{{19}}, 1<<63 + 5e18, 1, 422_337_203},                  // 1.42e19 units
		{"2^-10", [][]byte{{0x80 | 10}}, 1_700_000_000<<10 | 512, 1_700_000_000, 500_000_000},
		{"2^-20", [][]byte{{0x80 | 20}}, 3<<20 | 1, 3, 953},
		{"2^-63", [][]byte{{0x80 | 63}}, 1<<62 | 1<<61, 0, 750_000_000},
		{"2^-0", [][]byte{{0x80}}, 42, 42, 0},
	}
	for _, tt := range tests {
		for _, be := range []bool{false, true} {
			b := &ngBuilder{be: be}
			var opts [][]byte
			for _, v := range tt.opts {
				opts = append(opts, b.opt(optTSResol, v))
			}
			b.shb(1, 0).idb(1, 0, opts...).epb(0, tt.raw, 60, seq(60))
			frames, err := readBytes(t, tt.name, b.buf)
			if err != nil || len(frames) != 1 {
				t.Fatalf("%s be=%v: %d frames, %v", tt.name, be, len(frames), err)
			}
			if f := frames[0]; f.Sec != tt.sec || f.Nsec != tt.nsec {
				t.Errorf("%s be=%v: %d.%09d, want %d.%09d", tt.name, be, f.Sec, f.Nsec, tt.sec, tt.nsec)
			}
		}
	}

	t.Run("if_tsoffset", func(t *testing.T) {
		for _, off := range []int64{100, -1_000_000_000} {
			b := &ngBuilder{be: true}
			v := binary.BigEndian.AppendUint64(nil, uint64(off))
			b.shb(1, 0).idb(1, 0, b.opt(optTSResol, []byte{9}), b.opt(optTSOffset, v)).epb(0, 5_000_000_007, 1, seq(1))
			frames, err := readBytes(t, "tsoffset", b.buf)
			if err != nil || len(frames) != 1 || frames[0].Sec != 5+off || frames[0].Nsec != 7 {
				t.Errorf("offset %d: %+v, %v", off, frames, err)
			}
		}
	})
	t.Run("too fine", func(t *testing.T) {
		for _, v := range []byte{20, 0x80 | 64, 0xff} {
			b := &ngBuilder{}
			b.shb(1, 0).idb(1, 0, b.opt(optTSResol, []byte{v})).epb(0, 1, 1, seq(1))
			_, err := readBytes(t, "x", b.buf)
			wantFormatError(t, err, 1, 28, "if_tsresol")
		}
	})
	t.Run("wrong-size options are ignored", func(t *testing.T) {
		b := &ngBuilder{}
		b.shb(1, 0).idb(1, 0, b.opt(optTSResol, []byte{9, 9}), b.opt(optTSOffset, []byte{1})).epb(0, 1_500_000, 1, seq(1))
		frames, err := readBytes(t, "x", b.buf)
		if err != nil || frames[0].Sec != 1 || frames[0].Nsec != 500_000_000 {
			t.Errorf("%+v, %v", frames, err)
		}
	})
	t.Run("option past the end", func(t *testing.T) {
		b := &ngBuilder{}
		opt := b.opt(0x1234, seq(8))
		binary.LittleEndian.PutUint16(opt[2:], 200)
		b.shb(1, 0).idb(1, 0, opt)
		_, err := readBytes(t, "x", b.buf)
		wantFormatError(t, err, 1, 28, "option 4660 of length 200 runs past the end of the block")
	})
}

func TestPcapngPacketBlocks(t *testing.T) {
	b := &ngBuilder{}
	b.shb(1, 0).
		idb(uint16(LinkEthernet), 0).
		idb(uint16(LinkLinuxSLL2), 100).
		epb(1, 1_000_001, 150, seq(100)).
		pb(0, 9, 2_000_002, 70, seq(60)).
		spb(500, seq(200)). // interface 0 has no snaplen: captured = room = 200
		epb(0, 0, 10, nil)
	frames, err := readBytes(t, "blocks", b.buf)
	if err != nil || len(frames) != 4 {
		t.Fatalf("%d frames, %v", len(frames), err)
	}
	want := []Frame{
		{Sec: 1, Nsec: 1000, Len: 150, LinkType: LinkLinuxSLL2, Interface: 1, Data: seq(100)},
		{Sec: 2, Nsec: 2000, Len: 70, LinkType: LinkEthernet, Interface: 0, Data: seq(60)},
		{NoTime: true, Len: 500, LinkType: LinkEthernet, Interface: 0, Data: seq(200)},
		{Len: 10, LinkType: LinkEthernet, Data: []byte{}},
	}
	for i, w := range want {
		f := frames[i]
		if f.Sec != w.Sec || f.Nsec != w.Nsec || f.NoTime != w.NoTime || f.Len != w.Len ||
			f.LinkType != w.LinkType || f.Interface != w.Interface || !bytes.Equal(f.Data, w.Data) {
			t.Errorf("frame %d: %+v\nwant %+v", i+1, f, w)
		}
	}

	t.Run("SPB cut to the snaplen", func(t *testing.T) {
		b := &ngBuilder{be: true}
		b.shb(1, 0).idb(1, 64).spb(500, seq(100)).spb(40, seq(40))
		frames, err := readBytes(t, "spb", b.buf)
		if err != nil || len(frames) != 2 {
			t.Fatalf("%d frames, %v", len(frames), err)
		}
		if len(frames[0].Data) != 64 || frames[0].Len != 500 || len(frames[1].Data) != 40 {
			t.Errorf("captured %d/%d and %d", len(frames[0].Data), frames[0].Len, len(frames[1].Data))
		}
	})
	t.Run("SPB before any IDB", func(t *testing.T) {
		b := &ngBuilder{}
		b.shb(1, 0).spb(10, seq(10))
		_, err := readBytes(t, "x", b.buf)
		wantFormatError(t, err, 1, 28, "simple packet block before any interface description block")
	})
	t.Run("EPB before any IDB", func(t *testing.T) {
		b := &ngBuilder{}
		b.shb(1, 0).epb(0, 0, 1, seq(1))
		_, err := readBytes(t, "x", b.buf)
		wantFormatError(t, err, 1, 28, "packet refers to interface 0, but its section defines 0")
	})
	t.Run("PB interface is 16 bits", func(t *testing.T) {
		b := &ngBuilder{}
		b.shb(1, 0).idb(1, 0).pb(0, 0xffff, 0, 1, seq(1)) // drops = 0xffff must not leak into the id
		frames, err := readBytes(t, "x", b.buf)
		if err != nil || len(frames) != 1 || frames[0].Interface != 0 {
			t.Errorf("%+v, %v", frames, err)
		}
	})
}

func TestPcapngSections(t *testing.T) {
	// Section 1 little-endian with Ethernet; section 2 big-endian with
	// SLL2 and NULL: interfaces are numbered again from 0 in each.
	le := &ngBuilder{}
	le.shb(1, 0).idb(uint16(LinkEthernet), 0).epb(0, 1, 10, seq(10))
	be := &ngBuilder{be: true}
	be.shb(1, 2).block(blockNRB, seq(8)).idb(uint16(LinkLinuxSLL2), 0).idb(uint16(LinkNull), 0).
		epb(1, 2, 20, seq(20)).epb(0, 3, 30, seq(30))
	data := append(le.buf, be.buf...)
	r, err := NewReader(bytes.NewReader(data), "sections")
	if err != nil {
		t.Fatal(err)
	}
	frames, err := readAll(t, r)
	if err != nil || len(frames) != 3 {
		t.Fatalf("%d frames, %v", len(frames), err)
	}
	got := [][3]int64{}
	for _, f := range frames {
		got = append(got, [3]int64{int64(f.LinkType), int64(f.Interface), int64(f.Len)})
	}
	want := [][3]int64{{int64(LinkEthernet), 0, 10}, {int64(LinkNull), 1, 20}, {int64(LinkLinuxSLL2), 0, 30}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("frame %d: link/iface/len %v, want %v", i+1, got[i], want[i])
		}
	}
	if r.LinkType() != LinkEthernet {
		t.Errorf("LinkType %d, want the first interface's", r.LinkType())
	}
	if frames[1].Offset != int64(len(le.buf))+28+20+20+20 {
		t.Errorf("offset %d", frames[1].Offset)
	}

	t.Run("interface from an earlier section", func(t *testing.T) {
		b := &ngBuilder{}
		b.shb(1, 0).idb(1, 0).idb(1, 0).shb(1, 0).idb(1, 0).epb(1, 0, 1, seq(1))
		_, err := readBytes(t, "x", b.buf)
		wantFormatError(t, err, 1, 28+20+20+28+20, "packet refers to interface 1, but its section defines 1")
	})
	t.Run("SHB only", func(t *testing.T) {
		b := &ngBuilder{}
		r, err := NewReader(bytes.NewReader(b.shb(1, 0).buf), "x")
		if err != nil {
			t.Fatal(err)
		}
		frames, err := readAll(t, r)
		if err != nil || len(frames) != 0 || r.LinkType() != 0 {
			t.Errorf("%d frames, %v, link type %d", len(frames), err, r.LinkType())
		}
	})
	t.Run("link type known at open", func(t *testing.T) {
		b := &ngBuilder{be: true}
		b.shb(1, 0).block(blockNRB, nil).block(blockCustom, seq(5)).idb(uint16(LinkLinuxSLL2), 0).epb(0, 0, 1, seq(1))
		r, err := NewReader(bytes.NewReader(b.buf), "x")
		if err != nil {
			t.Fatal(err)
		}
		if r.LinkType() != LinkLinuxSLL2 || r.Format() != "pcapng" {
			t.Errorf("LinkType %d Format %q before the first Next", r.LinkType(), r.Format())
		}
	})
	t.Run("minor versions", func(t *testing.T) {
		for _, v := range [][2]uint16{{1, 0}, {1, 2}, {1, 7}} {
			b := &ngBuilder{}
			if _, err := readBytes(t, "x", b.shb(v[0], v[1]).idb(1, 0).buf); err != nil {
				t.Errorf("version %d.%d: %v", v[0], v[1], err)
			}
		}
		for _, v := range [][2]uint16{{0, 1}, {2, 0}} {
			b := &ngBuilder{}
			_, err := NewReader(bytes.NewReader(b.shb(v[0], v[1]).buf), "x")
			if err == nil || err.Error() != fmt.Sprintf("x: unsupported pcapng version %d.%d", v[0], v[1]) {
				t.Errorf("version %d.%d: %v", v[0], v[1], err)
			}
		}
	})
	t.Run("interface limit", func(t *testing.T) {
		b := &ngBuilder{}
		b.shb(1, 0)
		for range maxInterfaces + 1 {
			b.idb(1, 0)
		}
		_, err := readBytes(t, "x", b.buf)
		wantFormatError(t, err, 1, int64(28+20*maxInterfaces), "more than 65536 interfaces")
	})
}

func TestPcapHeaders(t *testing.T) {
	rec := pcapRec{sec: 10, sub: 20, capLen: 4, origLen: 8, data: seq(4)}
	tests := []struct {
		name       string
		data       []byte
		format     string
		link, snap uint32
		nsec       int64
		len, cap   int
	}{
		{"LE µs", pcapFile(false, pcapMagicMicro, 2, 4, 100, 1, rec), "pcap", 1, 100, 20_000, 8, 4},
		{"BE µs", pcapFile(true, pcapMagicMicro, 2, 4, 100, 1, rec), "pcap", 1, 100, 20_000, 8, 4},
		{"LE ns", pcapFile(false, pcapMagicNano, 2, 4, 100, 276, rec), "pcap (nanosecond)", 276, 100, 20, 8, 4},
		{"BE ns", pcapFile(true, pcapMagicNano, 2, 4, 100, 276, rec), "pcap (nanosecond)", 276, 100, 20, 8, 4},
		{"FCS bits", pcapFile(false, pcapMagicMicro, 2, 4, 100, 0x30000001, rec), "pcap", 1, 100, 20_000, 8, 4},
		// 2.0–2.2 writers swapped the two lengths; 2.3 did sometimes.
		{"2.2 swapped", pcapFile(false, pcapMagicMicro, 2, 2, 100, 1,
			pcapRec{sec: 10, sub: 20, capLen: 8, origLen: 4, data: seq(4)}), "pcap", 1, 100, 20_000, 8, 4},
		{"2.3 swapped", pcapFile(false, pcapMagicMicro, 2, 3, 100, 1,
			pcapRec{sec: 10, sub: 20, capLen: 8, origLen: 4, data: seq(4)}), "pcap", 1, 100, 20_000, 8, 4},
		{"2.3 not swapped", pcapFile(false, pcapMagicMicro, 2, 3, 100, 1, rec), "pcap", 1, 100, 20_000, 8, 4},
		// caplen above the original length (damage, but readable): kept.
		{"caplen > len", pcapFile(false, pcapMagicMicro, 2, 4, 2, 1,
			pcapRec{sec: 10, sub: 20, capLen: 4, origLen: 2, data: seq(4)}), "pcap", 1, 2, 20_000, 2, 4},
	}
	for _, tt := range tests {
		r, err := NewReader(bytes.NewReader(tt.data), tt.name)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		frames, err := readAll(t, r)
		if err != nil || len(frames) != 1 {
			t.Errorf("%s: %d frames, %v", tt.name, len(frames), err)
			continue
		}
		f := frames[0]
		if r.Format() != tt.format || r.LinkType() != tt.link || r.SnapLen() != tt.snap || f.LinkType != tt.link ||
			f.Sec != 10 || f.Nsec != tt.nsec || f.Len != tt.len || len(f.Data) != tt.cap || !bytes.Equal(f.Data, seq(tt.cap)) {
			t.Errorf("%s: format %q link %d snap %d frame %+v", tt.name, r.Format(), r.LinkType(), r.SnapLen(), f)
		}
	}
	for _, v := range [][2]uint16{{1, 4}, {2, 5}, {3, 0}, {543, 0}} {
		_, err := NewReader(bytes.NewReader(pcapFile(false, pcapMagicMicro, v[0], v[1], 100, 1)), "old.pcap")
		want := fmt.Sprintf("old.pcap: unsupported pcap version %d.%d", v[0], v[1])
		if err == nil || err.Error() != want {
			t.Errorf("version %v: %v, want %q", v, err, want)
		}
	}
}

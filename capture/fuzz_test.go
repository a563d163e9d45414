package capture

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sockscope/sockscope/internal/corpus"
)

// FuzzReader feeds arbitrary bytes to NewReader and reads to the end. It
// checks that nothing panics, that reading ends, that no frame exceeds
// MaxCapLen, and that whatever was read survives a pcapng write and read
// unchanged.
func FuzzReader(f *testing.F) {
	// Synthetic seeds: each format's smallest interesting files.
	rec := pcapRec{sec: 1, sub: 2, capLen: 4, origLen: 4, data: seq(4)}
	f.Add(pcapFile(false, pcapMagicMicro, 2, 4, 65535, 1, rec))
	f.Add(pcapFile(true, pcapMagicNano, 2, 3, 65535, 0x30000114, rec, rec))
	f.Add(pcapFile(false, pcapMagicMicro, 2, 4, 65535, 1, pcapRec{capLen: 0xFFFFFFFF}))
	b := &ngBuilder{}
	b.shb(1, 0).idb(1, 64, b.opt(optTSResol, []byte{0x8a}), b.opt(optTSOffset, seq(8))).
		epb(0, 1, 10, seq(10)).spb(100, seq(12)).pb(0, 1, 2, 3, seq(3)).block(blockCustom, seq(5))
	be := &ngBuilder{be: true}
	be.shb(1, 0).idb(276, 0).epb(0, 1, 1, seq(1))
	f.Add(b.buf)
	f.Add(append(bytes.Clone(b.buf), be.buf...))
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b.buf)
	zw.Close()
	f.Add(z.Bytes())

	// Corpus seeds: the first 4 KiB of a few real files, when present.
	if dir, ok := corpus.FindPcapDir(); ok {
		for _, name := range []string{
			"tcpdump/ssh.pcap", "tcpdump/mptcp-dss-oobr.pcap", "tcpdump/timestamp_invalid_micro.pcap",
			"pcapplusplus/sll2.pcap", "pcapplusplus/many_interfaces-1.pcapng", "scapy/http_tcp_psh.pcap.gz",
			"gopacket/pcapng-be/test202.pcapng", "gopacket/pcapng-le/test901.pcapng",
			"libpcap/shb-option-too-long.pcapng",
		} {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err == nil {
				f.Add(data[:min(len(data), 4096)])
			}
		}
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		defer r.Close()
		var out bytes.Buffer
		w := NewWriter(&out, "fuzz-out", WritePcapng, r.LinkType())
		var kept []Frame
		var fr Frame
		n := 0
		for {
			err := r.Next(&fr)
			if err == io.EOF {
				break
			}
			if err != nil {
				if _, ok := err.(*FormatError); !ok {
					t.Fatalf("error %T %v, want *FormatError", err, err)
				}
				break
			}
			n++
			// Each frame uses at least 12 input bytes (a gzip stream can
			// expand ~1000-fold).
			if limit := len(data)/12 + 1; r.gz == nil && n > limit {
				t.Fatalf("%d frames from %d bytes", n, len(data))
			}
			if n > 1<<22 {
				t.Fatalf("reader does not stop")
			}
			if len(fr.Data) > MaxCapLen {
				t.Fatalf("frame of %d bytes", len(fr.Data))
			}
			if len(kept) < 64 && fr.Sec >= 0 && fr.Sec <= maxNgSec {
				c := fr
				c.Data = bytes.Clone(fr.Data)
				kept = append(kept, c)
				if err := w.WriteFrame(&c); err != nil {
					t.Fatalf("writing frame %d: %v", n, err)
				}
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		back, err := readBytes(t, "fuzz-out", out.Bytes())
		if err != nil || len(back) != len(kept) {
			t.Fatalf("read back %d of %d frames: %v", len(back), len(kept), err)
		}
		for i := range kept {
			sec, nsec := normTime(&kept[i])
			if !bytes.Equal(back[i].Data, kept[i].Data) || back[i].Len != kept[i].Len ||
				back[i].LinkType != kept[i].LinkType || back[i].Sec != sec || back[i].Nsec != nsec {
				t.Fatalf("frame %d changed in a write/read round trip: %+v -> %+v", i+1, kept[i], back[i])
			}
		}
		// ReadBatch, with a buffer smaller than many records, reads what
		// Next reads and stops where it stops.
		if r.gz == nil {
			r1, _ := NewReader(bytes.NewReader(data), "fuzz")
			want, wantErr := readAll(t, r1)
			r2, _ := NewReader(bytes.NewReader(data), "fuzz")
			got, gotErr := readBatched(t, r2, 5, 64)
			if d := sameFrames(want, got, wantErr, gotErr); d != "" {
				t.Fatalf("ReadBatch and Next differ: %s", d)
			}
		}
	})
}

package capture

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/sockscope/sockscope/internal/corpus"
)

// Damage tests take good captures, break them in known places, and check
// that every frame before the damage comes back intact, followed by a
// FormatError naming the record (1-based) and its byte offset. The expected
// offsets come from the file layout, not from the reader.

func TestPcapDamage(t *testing.T) {
	dir := corpus.PcapDir(t)
	good, err := os.ReadFile(filepath.Join(dir, "tcpdump/ssh.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	offs, caps := pcapRecords(t, good) // 54 records
	if len(offs) != 54 {
		t.Fatalf("ssh.pcap has %d records, want 54", len(offs))
	}
	clone := func() []byte { return bytes.Clone(good) }
	const k = 20 // the record we damage (0-based): 20 good frames come first
	end := len(good)

	tests := []struct {
		name   string
		data   []byte
		frames int   // good frames before the error
		packet int   // FormatError.Packet
		offset int64 // FormatError.Offset
		what   string
		eof    bool // the error wraps io.ErrUnexpectedEOF
	}{
		{"truncated mid-data", good[:offs[k]+16+5], k, k + 1, offs[k],
			fmt.Sprintf("truncated record: need %d bytes, have 5", caps[k]), true},
		{"truncated mid-header", good[:offs[k]+7], k, k + 1, offs[k],
			"truncated record header: need 16 bytes, have 7", true},
		{"truncated one byte short", good[:end-1], 53, 54, offs[53],
			fmt.Sprintf("truncated record: need %d bytes, have %d", caps[53], caps[53]-1), true},
		{"huge caplen", func() []byte {
			b := clone()
			binary.LittleEndian.PutUint32(b[offs[k]+8:], 0xFFFFFFF0)
			return b
		}(), k, k + 1, offs[k], "captured length 4294967280 exceeds the 16777216-byte maximum", false},
		{"caplen past the end", func() []byte {
			b := clone()
			binary.LittleEndian.PutUint32(b[offs[k]+8:], 1_000_000)
			return b
		}(), k, k + 1, offs[k], fmt.Sprintf("truncated record: need 1000000 bytes, have %d", int64(end)-offs[k]-16), true},
		{"caplen at the maximum, data absent", func() []byte {
			b := clone()
			binary.LittleEndian.PutUint32(b[offs[k]+8:], MaxCapLen)
			return b
		}(), k, k + 1, offs[k], fmt.Sprintf("truncated record: need %d bytes, have %d", MaxCapLen, int64(end)-offs[k]-16), true},
		{"7 random bytes appended", append(clone(), randBytes(7)...), 54, 55, int64(end),
			"truncated record header: need 16 bytes, have 7", true},
		{"0xff bytes appended", append(clone(), bytes.Repeat([]byte{0xff}, 100)...), 54, 55, int64(end),
			"captured length 4294967295 exceeds", false},
		{"zero header appended", append(clone(), make([]byte, 16)...), 55, 0, 0, "", false}, // an empty record is legal
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tt.data), "ssh.pcap")
			if err != nil {
				t.Fatal(err)
			}
			frames, err := readAll(t, r)
			if len(frames) != tt.frames {
				t.Errorf("%d good frames, want %d", len(frames), tt.frames)
			}
			for i := 0; i < min(len(frames), 54); i++ {
				rec := good[offs[i]+16 : offs[i]+16+int64(caps[i])]
				if !bytes.Equal(frames[i].Data, rec) || frames[i].Offset != offs[i] {
					t.Fatalf("frame %d differs from the file's record", i+1)
				}
			}
			if tt.packet == 0 {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			fe := wantFormatError(t, err, tt.packet, tt.offset, tt.what)
			if got := errors.Is(err, io.ErrUnexpectedEOF); got != tt.eof {
				t.Errorf("errors.Is(err, io.ErrUnexpectedEOF) = %v, want %v", got, tt.eof)
			}
			want := fmt.Sprintf("ssh.pcap: packet %d at byte offset %d: %s", tt.packet, tt.offset, fe.Err)
			if err.Error() != want {
				t.Errorf("Error() = %q, want %q", err, want)
			}
			var f Frame
			if again := r.Next(&f); again != err {
				t.Errorf("error not sticky: next call gave %v", again)
			}
		})
	}

	t.Run("garbage prepended", func(t *testing.T) {
		for _, junk := range [][]byte{{0}, []byte("GET / HTTP/1.1\r\n"), randBytes(4096)} {
			_, err := NewReader(bytes.NewReader(append(bytes.Clone(junk), good...)), "junk.pcap")
			if err == nil || err.Error() != "junk.pcap: not a pcap or pcapng file" {
				t.Errorf("error %v", err)
			}
		}
	})
	t.Run("header only", func(t *testing.T) {
		frames, err := readBytes(t, "h", good[:24])
		if err != nil || len(frames) != 0 {
			t.Errorf("%d frames, %v", len(frames), err)
		}
	})
	t.Run("header truncated", func(t *testing.T) {
		_, err := NewReader(bytes.NewReader(good[:23]), "short.pcap")
		if err == nil || err.Error() != "short.pcap: truncated pcap file header: need 24 bytes, have 23" {
			t.Errorf("error %v", err)
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%v does not wrap io.ErrUnexpectedEOF", err)
		}
	})
	t.Run("empty input", func(t *testing.T) {
		for _, data := range [][]byte{nil, good[:3]} {
			_, err := NewReader(bytes.NewReader(data), "empty")
			if err == nil || err.Error() != "empty: not a pcap or pcapng file" {
				t.Errorf("%d bytes: error %v", len(data), err)
			}
		}
	})
}

func TestGzipDamage(t *testing.T) {
	dir := corpus.PcapDir(t)
	good, err := os.ReadFile(filepath.Join(dir, "tcpdump/ssh.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	offs, _ := pcapRecords(t, good)
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(good)
	zw.Close()
	z := zb.Bytes()

	t.Run("whole", func(t *testing.T) {
		r, err := NewReader(bytes.NewReader(z), "ssh.pcap.gz")
		if err != nil {
			t.Fatal(err)
		}
		frames, err := readAll(t, r)
		if err != nil || len(frames) != 54 || r.Format() != "pcap (gzip)" {
			t.Errorf("%d frames, %v, format %q", len(frames), err, r.Format())
		}
	})
	for _, cut := range []int{len(z) / 3, len(z) / 2, len(z) - 10, len(z) - 1} {
		t.Run(fmt.Sprintf("cut at %d of %d", cut, len(z)), func(t *testing.T) {
			// What the decompressor yields from the cut stream decides how
			// many records are whole.
			zr, err := gzip.NewReader(bytes.NewReader(z[:cut]))
			if err != nil {
				t.Fatal(err)
			}
			prefix, _ := io.ReadAll(zr)
			whole := 0
			for whole < len(offs) && whole+1 < len(offs) && offs[whole+1] <= int64(len(prefix)) {
				whole++
			}
			if whole == len(offs)-1 && int64(len(prefix)) == int64(len(good)) {
				whole = len(offs) // only the gzip trailer is missing
			}
			r, err := NewReader(bytes.NewReader(z[:cut]), "ssh.pcap.gz")
			if err != nil {
				t.Fatal(err)
			}
			frames, err := readAll(t, r)
			if len(frames) != whole {
				t.Errorf("%d frames, want %d (decompressed prefix %d bytes)", len(frames), whole, len(prefix))
			}
			off := int64(len(good))
			if whole < len(offs) {
				off = offs[whole]
			}
			wantFormatError(t, err, whole+1, off, "truncated")
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("%v does not wrap io.ErrUnexpectedEOF", err)
			}
		})
	}
	t.Run("corrupt checksum", func(t *testing.T) {
		bad := bytes.Clone(z)
		bad[len(bad)-8] ^= 0xff // CRC-32 in the gzip trailer
		r, err := NewReader(bytes.NewReader(bad), "ssh.pcap.gz")
		if err != nil {
			t.Fatal(err)
		}
		frames, err := readAll(t, r)
		if len(frames) != 54 {
			t.Errorf("%d frames before the checksum error, want 54", len(frames))
		}
		wantFormatError(t, err, 55, int64(len(good)), "gzip: invalid checksum")
		if !errors.Is(err, gzip.ErrChecksum) {
			t.Errorf("%v does not wrap gzip.ErrChecksum", err)
		}
	})
	t.Run("gzip of garbage", func(t *testing.T) {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte("hello, world"))
		zw.Close()
		_, err := NewReader(&b, "x.gz")
		if err == nil || err.Error() != "x.gz: not a pcap or pcapng file" {
			t.Errorf("error %v", err)
		}
	})
}

func TestPcapngDamage(t *testing.T) {
	dir := corpus.PcapDir(t)
	good, err := os.ReadFile(filepath.Join(dir, "tcpdump/of13_ericsson.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	offs, types := ngBlocks(t, good)
	var epbs []int64 // offsets of the packet blocks, in order
	for i, typ := range types {
		if typ == blockEPB {
			epbs = append(epbs, offs[i])
		}
	}
	if len(epbs) != 174 || types[0] != blockSHB || types[1] != blockIDB {
		t.Fatalf("of13_ericsson.pcapng layout: %d EPBs, types %x...", len(epbs), types[:2])
	}
	const k = 50
	at := epbs[k]
	blen := int64(binary.LittleEndian.Uint32(good[at+4:]))
	put := func(off int64, v uint32) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	end := int64(len(good))

	tests := []struct {
		name   string
		data   []byte
		frames int
		packet int
		offset int64
		what   string
	}{
		{"truncated mid-block", good[:at+40], k, k + 1, at,
			fmt.Sprintf("truncated enhanced packet block: need %d bytes, have 40", blen)},
		{"truncated mid-header", good[:at+5], k, k + 1, at, "truncated block header: need 8 bytes, have 5"},
		{"trailer mismatch", put(at+blen-4, 7), k, k + 1, at,
			fmt.Sprintf("enhanced packet block total length in header %d and trailer 7 don't match", blen)},
		{"huge block length", put(at+4, 0xFFFFFF00), k, k + 1, at,
			"enhanced packet block length 4294967040 exceeds the 16842752-byte maximum"},
		{"block length not a multiple of 4", put(at+4, uint32(blen)+1), k, k + 1, at, "is not a multiple of 4"},
		{"block length too short", put(at+4, 8), k, k + 1, at, "enhanced packet block length 8 is below the minimum 32"},
		{"undefined interface", put(at+8, 7), k, k + 1, at, "packet refers to interface 7, but its section defines 1"},
		{"captured length beyond the block", put(at+20, uint32(blen)), k, k + 1, at,
			fmt.Sprintf("enhanced packet block captured length %d exceeds the %d bytes the block holds", blen, blen-32)},
		{"garbage appended", append(bytes.Clone(good), 1, 2, 3, 4, 5), 174, 175, end,
			"truncated block header: need 8 bytes, have 5"},
		{"huge unknown block appended", append(bytes.Clone(good), 0x99, 0, 0, 0, 0, 0, 0, 0x80), 174, 175, end,
			"type 0x00000099 block length 2147483648 exceeds"},
		{"unknown block appended", (&ngBuilder{buf: bytes.Clone(good)}).block(0x99, seq(10)).buf, 174, 0, 0, ""},
		{"custom block appended", (&ngBuilder{buf: bytes.Clone(good)}).block(blockCustom, seq(10)).buf, 174, 0, 0, ""},
		{"unknown block with bad trailer", func() []byte {
			b := (&ngBuilder{buf: bytes.Clone(good)}).block(0x99, seq(10)).buf
			b[len(b)-1] = 1
			return b
		}(), 174, 175, end, "type 0x00000099 block total length in header 24 and trailer 16777240 don't match"},
		{"unknown block truncated", (&ngBuilder{buf: bytes.Clone(good)}).block(0x99, seq(10)).buf[:len(good)+20], 174, 175, end,
			"truncated type 0x00000099 block: need 24 bytes, have 20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tt.data), "of13.pcapng")
			if err != nil {
				t.Fatal(err)
			}
			frames, err := readAll(t, r)
			if len(frames) != tt.frames {
				t.Errorf("%d good frames, want %d", len(frames), tt.frames)
			}
			for i := range frames {
				if frames[i].Offset != epbs[i] {
					t.Fatalf("frame %d at offset %d, want %d", i+1, frames[i].Offset, epbs[i])
				}
			}
			if tt.packet == 0 {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			wantFormatError(t, err, tt.packet, tt.offset, tt.what)
		})
	}

	t.Run("bad SHB byte-order magic", func(t *testing.T) {
		b := bytes.Clone(good)
		b[8] = 0
		_, err := NewReader(bytes.NewReader(b), "x.pcapng")
		if err == nil || err.Error() != "x.pcapng: section header block has bad byte-order magic 0x1a2b3c00" {
			t.Errorf("error %v", err)
		}
	})
	t.Run("IDB damaged before the first packet", func(t *testing.T) {
		// Open succeeds (the SHB is fine) and Next reports the IDB.
		b := put(offs[1]+4, 13)
		r, err := NewReader(bytes.NewReader(b), "x.pcapng")
		if err != nil {
			t.Fatal(err)
		}
		_, err = readAll(t, r)
		wantFormatError(t, err, 1, offs[1], "interface description block length 13 is below the minimum 20")
	})
}

func randBytes(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

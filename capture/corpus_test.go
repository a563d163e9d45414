package capture

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/sockscope/sockscope/internal/corpus"
)

// tsharkTime formats a timestamp the way tshark prints frame.time_epoch.
func tsharkTime(f *Frame) string { return fmt.Sprintf("%d.%09d", f.Sec, f.Nsec) }

// knownTimeDiffs lists the frames whose frame.time_epoch we deliberately do
// not match, keyed by "capture#frame".
var knownTimeDiffs = map[string]string{
	// The record's µs field is 2147483648. Wireshark multiplies it by 1000
	// in 32-bit arithmetic (2147483648000 mod 2^32 = 0) and shows .000000000;
	// we keep the value as written, 2147483648000 ns, so that printers can
	// say "10.2147483648 (invalid us)" as tcpdump does.
	"tcpdump/timestamp_invalid_micro.pcap#3": "1418145370.2147483648000",
}

// TestCorpusMatchesTshark reads every capture of the corpus and compares
// each frame with tshark's row: count, frame.len, frame.cap_len and
// frame.time_epoch.
func TestCorpusMatchesTshark(t *testing.T) {
	dir := corpus.PcapDir(t)
	files := corpus.Captures(t, dir)
	if len(files) < 100 {
		t.Fatalf("found %d captures in %s, want the whole corpus (>= 100)", len(files), dir)
	}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			tab := corpus.ReadTSV(t, filepath.Join(dir, corpus.TSVPath(name)))
			frames, err := readFile(t, filepath.Join(dir, name))

			if tab.Header == nil { // tshark refused the file: so must we
				if err == nil {
					t.Fatalf("tshark refuses this file; we read %d frames without error", len(frames))
				}
				return
			}
			// tshark shows pcapng custom blocks as "data" rows without a
			// time; they are not packets.
			var rows []int
			for i := range tab.Rows {
				if tab.Get(i, "frame.time_epoch") == "" && tab.Get(i, "frame.protocols") == "data" {
					continue
				}
				rows = append(rows, i)
			}
			if err != nil {
				// Only the test901 files (SHB 2.0 in the middle) end in an
				// error that tshark shares: it stops after packet 1 too.
				if filepath.Base(name) != "test901.pcapng" {
					t.Fatalf("read error after %d frames: %v", len(frames), err)
				}
				wantFormatError(t, err, 2, 480, "unsupported pcapng version 2.0")
			}
			if len(frames) != len(rows) {
				t.Fatalf("%d frames, tshark has %d packets", len(frames), len(rows))
			}
			for k, i := range rows {
				f := &frames[k]
				num := tab.Get(i, "frame.number")
				if got, want := strconv.Itoa(f.Len), tab.Get(i, "frame.len"); got != want {
					t.Errorf("frame %s: Len %s, tshark frame.len %s", num, got, want)
				}
				if got, want := strconv.Itoa(len(f.Data)), tab.Get(i, "frame.cap_len"); got != want {
					t.Errorf("frame %s: captured %s, tshark frame.cap_len %s", num, got, want)
				}
				want := tab.Get(i, "frame.time_epoch")
				if f.NoTime != (want == "") {
					t.Errorf("frame %s: NoTime %v, tshark time %q", num, f.NoTime, want)
				}
				if want == "" {
					continue
				}
				got := tsharkTime(f)
				if ours, ok := knownTimeDiffs[name+"#"+num]; ok {
					if got != ours {
						t.Errorf("frame %s: time %s, want %s (tshark %s, known difference)", num, got, ours, want)
					}
					continue
				}
				if got != want {
					t.Errorf("frame %s: time %s, tshark %s", num, got, want)
				}
			}
		})
	}
}

// readFile opens and reads a whole capture.
func readFile(t testing.TB, path string) ([]Frame, error) {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return readAll(t, r)
}

// TestCorpusFileFacts pins what the corpus README says about particular
// files: formats that lie about their names, link types above 255, records
// that pcapgo refuses, and the files libpcap rejects.
func TestCorpusFileFacts(t *testing.T) {
	dir := corpus.PcapDir(t)
	tests := []struct {
		file     string
		format   string
		linkType uint32
		snapLen  uint32
		frames   int
	}{
		{"tcpdump/mptcp-dss-oobr.pcap", "pcap", LinkEthernet, 73, 1}, // caplen 74 > snaplen 73
		{"pcapplusplus/sll2.pcap", "pcap", LinkLinuxSLL2, 262144, 3},
		{"tcpdump/udp-length-heapoverflow.pcap", "pcap", LinkEthernet, 38, 1}, // field 0x30000001
		{"pcapplusplus/NullLoopback.pcap", "pcapng", LinkNull, 262144, 3},     // pcapng named .pcap
		{"pcapplusplus/IcmpPackets.pcap", "pcapng", LinkEthernet, 262144, 15}, // pcapng named .pcap
		{"scapy/http_tcp_psh.pcap.gz", "pcap (gzip)", LinkEthernet, 262144, 19},
		{"tcpdump/tcp-handshake-nano.pcap", "pcap (nanosecond)", LinkLinuxSLL, 262144, 3},
		{"tcpdump/pptp.pcap", "pcap", LinkEthernet, 65535, 23}, // big-endian
		{"tcpdump/empty.pcap", "pcap", LinkEthernet, 262144, 0},
		{"tcpdump/empty.pcapng", "pcapng", LinkEthernet, 262144, 0},
		{"gopacket/pcapng-le/test002.pcapng", "pcapng", 0, 0, 0},             // SHB only
		{"gopacket/pcapng-be/test017.pcapng", "pcapng", 0, 0, 0},             // SHB and custom blocks only
		{"gopacket/pcapng-be/test202.pcapng", "pcapng", LinkEthernet, 96, 8}, // LE and BE sections
		{"pcapplusplus/many_interfaces-1.pcapng", "pcapng", LinkEthernet, 262144, 64},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r, err := Open(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if r.Format() != tt.format || r.LinkType() != tt.linkType || r.SnapLen() != tt.snapLen {
				t.Errorf("format %q link type %d snaplen %d, want %q %d %d",
					r.Format(), r.LinkType(), r.SnapLen(), tt.format, tt.linkType, tt.snapLen)
			}
			frames, err := readAll(t, r)
			if err != nil || len(frames) != tt.frames {
				t.Fatalf("%d frames, err %v; want %d frames", len(frames), err, tt.frames)
			}
			for i, f := range frames {
				if f.LinkType != tt.linkType && tt.file != "gopacket/pcapng-be/test202.pcapng" &&
					tt.file != "pcapplusplus/many_interfaces-1.pcapng" {
					t.Errorf("frame %d link type %d", i+1, f.LinkType)
				}
			}
		})
	}

	t.Run("mixed link types are all returned", func(t *testing.T) {
		frames, err := readFile(t, filepath.Join(dir, "pcapplusplus/many_interfaces-1.pcapng"))
		if err != nil {
			t.Fatal(err)
		}
		count := map[uint32]int{}
		for _, f := range frames {
			count[f.LinkType]++
		}
		if count[LinkEthernet]+count[LinkNull]+count[LinkRawOld] != 64 || count[LinkEthernet] == 64 {
			t.Errorf("link types %v", count)
		}
	})

	t.Run("invalid microseconds kept as written", func(t *testing.T) {
		frames, err := readFile(t, filepath.Join(dir, "tcpdump/timestamp_invalid_micro.pcap"))
		if err != nil || len(frames) != 3 {
			t.Fatalf("%d frames, %v", len(frames), err)
		}
		want := [][2]int64{{1418145369, 999999000}, {1418145370, 1000000000}, {1418145370, 2147483648000}}
		for i, w := range want {
			if frames[i].Sec != w[0] || frames[i].Nsec != w[1] {
				t.Errorf("frame %d: %d.%d, want %d.%d", i+1, frames[i].Sec, frames[i].Nsec, w[0], w[1])
			}
		}
	})

	t.Run("offsets", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join(dir, "tcpdump/ssh.pcap"))
		if err != nil {
			t.Fatal(err)
		}
		offs, _ := pcapRecords(t, data)
		frames, err := readBytes(t, "ssh", data)
		if err != nil || len(frames) != len(offs) {
			t.Fatalf("%d frames, %v", len(frames), err)
		}
		for i := range frames {
			if frames[i].Offset != offs[i] {
				t.Errorf("frame %d offset %d, want %d", i+1, frames[i].Offset, offs[i])
			}
		}
	})

	t.Run("time past 2106 in pcapng", func(t *testing.T) {
		frames, err := readFile(t, filepath.Join(dir, "tcpdump/time_2107.pcapng"))
		if err != nil || len(frames) != 1 || frames[0].Sec != 4323283200 {
			t.Fatalf("frames %v, err %v", frames, err)
		}
	})
}

// TestCorpusRejects checks the files libpcap refuses: each gives an error
// that names the file and says what is wrong.
func TestCorpusRejects(t *testing.T) {
	dir := corpus.PcapDir(t)
	tests := []struct{ file, want string }{
		{"libpcap/pcap-invalid-version-1.pcap", "%s: unsupported pcap version 1.4"},
		{"libpcap/pcapng-invalid-vers-1.pcapng", "%s: unsupported pcapng version 0.1"},
		{"libpcap/shb-option-too-long.pcapng",
			"%s: section header block total length in header 52 and trailer 808464432 don't match"},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.file)
		r, err := Open(path)
		if err == nil {
			r.Close()
			t.Errorf("%s: opened without error", tt.file)
			continue
		}
		if want := fmt.Sprintf(tt.want, path); err.Error() != want {
			t.Errorf("error %q\nwant  %q", err, want)
		}
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Packet != 0 {
			t.Errorf("%s: error %#v, want a header *FormatError", tt.file, err)
		}
	}
}

// TestCorpusMiddleSectionVersion2: test901 has three sections and the middle
// one is version 2.0. Like libpcap and tshark we return packet 1, then stop
// with an error at the second Section Header Block.
func TestCorpusMiddleSectionVersion2(t *testing.T) {
	dir := corpus.PcapDir(t)
	for _, order := range []string{"le", "be"} {
		path := filepath.Join(dir, "gopacket/pcapng-"+order, "test901.pcapng")
		r, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		frames, err := readAll(t, r)
		if len(frames) != 1 || frames[0].Len != 314 {
			t.Errorf("%s: %d frames, want 1 of 314 bytes", order, len(frames))
		}
		wantFormatError(t, err, 2, 480, "unsupported pcapng version 2.0")
		if want := path + ": packet 2 at byte offset 480: unsupported pcapng version 2.0"; err.Error() != want {
			t.Errorf("error %q, want %q", err, want)
		}
		var f Frame
		if err2 := r.Next(&f); err2 != err {
			t.Errorf("error not sticky: then %v", err2)
		}
		r.Close()
	}
}

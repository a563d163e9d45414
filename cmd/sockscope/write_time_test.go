package main

import (
	bo "encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// widePcapng builds, little-endian, a pcapng like PcapPlusPlus's
// pcapng-example.pcapng (not in the shared corpus): 159 packets; from
// packet 60 on they mix an ordinary µs interface with one whose µs
// timestamps run up to 2^64-1 (year ~586,000, past the nanoseconds' 2554),
// a raw-IP interface in ns 2^40 s from now and one before 1970.
func widePcapng() []byte {
	g := newNgBuilder()
	le := bo.LittleEndian
	g.iface(1)
	g.iface(1)
	g.iface(101, ngOpt(9, []byte{9}), ngOpt(14, le.AppendUint64(nil, 1<<40)))
	g.iface(1, ngOpt(14, le.AppendUint64(nil, uint64(math.MaxUint64-1e9+1)))) // -1e9 s: 1938
	for n := 1; n <= 159; n++ {
		// An IPv4 header (so that every line decodes) padded with n bytes.
		data := append([]byte{0x45, 0, 0, byte(20 + n), 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}, make([]byte, n)...)
		iface, ts := uint32(0), 1_700_000_000_000_000+uint64(n)*1234
		switch {
		case n < 60 || n%4 == 1:
			data = append(make([]byte, 12), append([]byte{8, 0}, data...)...) // Ethernet
		case n%4 == 0:
			iface, ts = 1, math.MaxUint64-uint64(159-n)*1_000_001
			data = append(make([]byte, 12), append([]byte{8, 0}, data...)...)
		case n%4 == 2:
			iface, ts = 2, uint64(n)*1_000_000_007
		default:
			iface, ts = 3, uint64(n)*999_999
			data = append(make([]byte, 12), append([]byte{8, 0}, data...)...)
		}
		g.packet(iface, ts, data)
	}
	return g.b
}

// TestReplayWriteAnyTime: replay -w of a pcapng with times past 2554 used
// to stop at packet 60 of 159. Now the copy holds all 159 with the same
// times and bytes (replay --json prints the same lines for both), and
// classic pcap refuses packet 60 in one line, keeping the 59 before it.
func TestReplayWriteAnyTime(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "wide.pcapng")
	if err := os.WriteFile(in, widePcapng(), 0o644); err != nil {
		t.Fatal(err)
	}
	want, errOut, code := runCmd(t, nil, "replay", "--json", in)
	if code != 0 || lineCount(want) != 159 {
		t.Fatalf("test file: exit %d, %d lines, %s", code, lineCount(want), errOut)
	}
	if !strings.Contains(want, `{"frame.number":60,"frame.time_epoch":"18446744073610.551516000"`) {
		t.Fatalf("test file: packet 60 is not past 2554:\n%.300s", want[strings.Index(want, `"frame.number":60`)-1:])
	}
	for _, name := range []string{"copy.pcapng", "copy.pcapng.gz"} {
		out := filepath.Join(dir, name)
		_, errOut, code := runCmd(t, nil, "replay", in, "-w", out)
		if code != 0 || errOut != "159 packets written to "+out+"\n" {
			t.Fatalf("-w %s: exit %d, stderr %q", name, code, errOut)
		}
		got, errOut, code := runCmd(t, nil, "replay", "--json", out)
		if code != 0 || got != want {
			t.Errorf("-w %s: read back exit %d %s, %d lines; differs from the input's", name, code, errOut, lineCount(got))
		}
	}

	out := filepath.Join(dir, "copy.pcap")
	_, errOut, code = runCmd(t, nil, "replay", in, "-w", out)
	if code != 1 || lineCount(errOut) != 1 ||
		!strings.Contains(errOut, out+": packet 60: time 18446744073610 s is outside classic pcap's range (1970 to 2106); write to a .pcapng name instead") {
		t.Errorf("-w .pcap: exit %d, stderr %q", code, errOut)
	}
	kept, _, _ := runCmd(t, nil, "replay", "--json", out)
	if lineCount(kept) != 59 || !strings.HasPrefix(want, kept) {
		t.Errorf("-w .pcap kept %d packets, want the 59 before the refused one", lineCount(kept))
	}
}

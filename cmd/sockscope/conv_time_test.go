package main

import (
	bo "encoding/binary"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
)

// convTimePacket is one UDP datagram of convTimePcapng: a raw-IP packet
// 10.0.0.1:1000 → 10.0.0.2:2000 (rev: the other way) on interface iface at
// timestamp ts, in that interface's units.
type convTimePacket struct {
	iface uint32
	ts    uint64
	rev   bool
}

// convTimePcapng builds, little-endian, a pcapng of raw-IP interfaces,
// each with the given options (if_tsresol, code 9; if_tsoffset, 14), and
// one UDP conversation.
func convTimePcapng(ifaces [][][]byte, pkts []convTimePacket) []byte {
	g := newNgBuilder()
	for _, opts := range ifaces {
		g.iface(101, opts...)
	}
	for _, p := range pkts {
		g.packet(p.iface, p.ts, convTimeDatagram(p.rev))
	}
	return g.b
}

// convTimeDatagram is an IPv4 UDP datagram with 4 bytes of payload.
func convTimeDatagram(rev bool) []byte {
	a, c := []byte{10, 0, 0, 1}, []byte{10, 0, 0, 2}
	sp, dp := uint16(1000), uint16(2000)
	if rev {
		a, c, sp, dp = c, a, dp, sp
	}
	d := []byte{0x45, 0, 0, 32, 0, 0, 0, 0, 64, 17, 0, 0}
	d = append(append(d, a...), c...)
	d = bo.BigEndian.AppendUint16(bo.BigEndian.AppendUint16(d, sp), dp)
	return append(d, 0, 12, 0, 0, 'p', 'i', 'n', 'g')
}

var (
	epochRE     = regexp.MustCompile(`"frame\.time_epoch":"?(-?[0-9]+\.[0-9]+)`)
	convStartRE = regexp.MustCompile(`"conv\.start":"(-?[0-9]+\.[0-9]+)"`)
	convDurRE   = regexp.MustCompile(`"conv\.duration":(-?[0-9]+\.[0-9]+)`)
	ladderRowRE = regexp.MustCompile(`(?m)^ +[0-9]+ +(-?[0-9]+\.[0-9]{6}) `)
	mermaidRE   = regexp.MustCompile(`\(t=(-?[0-9]+\.[0-9]{6})\)`)
)

func convTimeRat(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("not a number: %q", s)
	}
	return r
}

// TestConversationTimesAnyEpoch: the conversation views computed times
// with one int64 count of nanoseconds, which pcapng's if_tsresol and
// if_tsoffset overflow (conv.duration -1266874889.7 for 2^64-1 units of
// 2^-30 s, conv.start "8446744073.709551616" for an offset of -1e10 s).
// Now conv.start is frame.time_epoch of the first packet, conv.duration
// the difference of the last's and the first's, and the ladder's times
// that difference to the microsecond, exactly.
func TestConversationTimesAnyEpoch(t *testing.T) {
	needAnalysis(t)
	// Years apart, the packets stay one conversation.
	const noIdle = "--flow-timeout=0"
	le := bo.LittleEndian
	resol := func(v byte) []byte { return ngOpt(9, []byte{v}) }
	offset := func(s int64) []byte { return ngOpt(14, le.AppendUint64(nil, uint64(s))) }
	dir := t.TempDir()
	cases := []struct {
		name string
		file []byte
	}{
		{"tsresol 2^-30, 0 and 2^64-1", convTimePcapng([][][]byte{{resol(0x9E)}},
			[]convTimePacket{{0, 0, false}, {0, 1 << 62, true}, {0, math.MaxUint64, false}})},
		{"tsoffset -1e10", convTimePcapng([][][]byte{{offset(-1e10)}},
			[]convTimePacket{{0, 0, false}, {0, 1_234_567, true}, {0, 2_000_001, false}})},
		{"ns past 2262", convTimePcapng([][][]byte{{resol(9)}},
			[]convTimePacket{{0, math.MaxUint64 - 3_000_000_000, false}, {0, math.MaxUint64 - 1_999_999_001, true}, {0, math.MaxUint64, false}})},
		{"tsoffset int64 min", convTimePcapng([][][]byte{{offset(math.MinInt64)}},
			[]convTimePacket{{0, 0, false}, {0, 7, true}, {0, 1_000_005, false}})},
		{"1970 to 2554 and back", convTimePcapng([][][]byte{{resol(9)}, {}},
			[]convTimePacket{{1, 1, false}, {0, math.MaxUint64, true}, {1, 2, false}})},
	}
	// And one that capture's own writer made, from times before 1678.
	var buf strings.Builder
	w := capture.NewWriter(&buf, "old.pcapng", capture.WritePcapng, 101)
	for i, sec := range []int64{-20_000_000_000, -19_999_999_999, -1} {
		if err := w.WriteFrame(&capture.Frame{Sec: sec, Nsec: int64(i) * 333_333_333, Len: 32, LinkType: 101, Data: convTimeDatagram(i == 1)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	cases = append(cases, struct {
		name string
		file []byte
	}{"written before 1678", []byte(buf.String())})

	for i, tc := range cases {
		path := filepath.Join(dir, string(rune('a'+i))+".pcapng")
		if err := os.WriteFile(path, tc.file, 0o644); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := runCmd(t, nil, "replay", "--json", path)
		var epochs []string
		for _, m := range epochRE.FindAllStringSubmatch(out, -1) {
			epochs = append(epochs, m[1])
		}
		if code != 0 || len(epochs) != 3 {
			t.Fatalf("%s: replay --json: exit %d, %d times, stderr %q\n%s", tc.name, code, len(epochs), errOut, out)
		}
		first := convTimeRat(t, epochs[0])
		span := func(e string) *big.Rat { return new(big.Rat).Sub(convTimeRat(t, e), first) }

		out, errOut, code = runCmd(t, nil, "replay", noIdle, path, "--conversations", "--json")
		start, dur := convStartRE.FindStringSubmatch(out), convDurRE.FindStringSubmatch(out)
		if code != 0 || start == nil || dur == nil {
			t.Fatalf("%s: --conversations --json: exit %d, stderr %q\n%s", tc.name, code, errOut, out)
		}
		if start[1] != epochs[0] {
			t.Errorf("%s: conv.start %s, frame.time_epoch %s", tc.name, start[1], epochs[0])
		}
		if want := span(epochs[2]); convTimeRat(t, dur[1]).Cmp(want) != 0 {
			t.Errorf("%s: conv.duration %s, want %s (times %v)", tc.name, dur[1], want.FloatString(9), epochs)
		}
		if out, _, code = runCmd(t, nil, "replay", noIdle, path, "--conversations"); code != 0 || !strings.Contains(out, " "+span(epochs[2]).FloatString(6)+" ") {
			t.Errorf("%s: --conversations: exit %d, want duration %s:\n%s", tc.name, code, span(epochs[2]).FloatString(6), out)
		}

		for _, format := range []string{"text", "mermaid"} {
			out, errOut, code = runCmd(t, nil, "replay", noIdle, path, "--ladder", "udp:0", "--format", format)
			re := ladderRowRE
			if format == "mermaid" {
				re = mermaidRE
			}
			rows := re.FindAllStringSubmatch(out, -1)
			if code != 0 || len(rows) != 3 {
				t.Fatalf("%s: --ladder (%s): exit %d, %d rows, stderr %q\n%s", tc.name, format, code, len(rows), errOut, out)
			}
			for k, r := range rows {
				if want := span(epochs[k]).FloatString(6); r[1] != want {
					t.Errorf("%s: ladder (%s) row %d at %s, want %s (times %v)", tc.name, format, k+1, r[1], want, epochs)
				}
			}
		}
	}
}

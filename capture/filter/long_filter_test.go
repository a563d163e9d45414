package filter

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/internal/corpus"
)

// Long expressions: programs far beyond the kernel's 4096 instructions,
// whose conditional jumps (8-bit offsets) reach most of their targets
// through "ja" trampolines. Replay runs them in Go with no limit.

// portList is "port lo or port lo+1 or … or port hi".
func portList(lo, hi int) string {
	var b strings.Builder
	for p := lo; p <= hi; p++ {
		if p > lo {
			b.WriteString(" or ")
		}
		fmt.Fprintf(&b, "port %d", p)
	}
	return b.String()
}

// portFrames are frames of every link type with TCP, UDP and SCTP ports
// inside and outside 1-3000, as source or destination, over IPv4 (whole,
// first fragment, later fragment), IPv6 (plain and behind a fragment
// header), plus frames cut short.
func portFrames() []frameCopy {
	var out []frameCopy
	transports := func(sport, dport uint16) map[byte][]byte {
		return map[byte][]byte{
			6:   tcpSegment(sport, dport, 0x02, nil),
			17:  udpDatagram(sport, dport, []byte("x")),
			132: udpDatagram(sport, dport, make([]byte, 4)), // SCTP: ports first, like UDP
		}
	}
	for _, pp := range [][2]uint16{{40000, 1}, {1, 40000}, {40000, 2999}, {3000, 50000}, {40000, 3001}, {3001, 40000}, {0, 0}, {65535, 4000}, {1500, 1500}, {40000, 80}} {
		for proto, l4 := range transports(pp[0], pp[1]) {
			for _, ip := range []struct {
				et uint16
				p  []byte
			}{
				{0x0800, ipv4Packet(proto, ip4A, ip4B, 0, l4)},
				{0x0800, ipv4Packet(proto, ip4A, ip4B, 0x2000, l4)}, // first fragment, more to come
				{0x0800, ipv4Packet(proto, ip4A, ip4B, 0x0003, l4)}, // a later fragment
				{0x86dd, ipv6Packet(proto, ip6A, ip6B, l4)},
				{0x86dd, ipv6Packet(44, ip6A, ip6B, cat([]byte{proto, 0, 0, 1, 0, 0, 0, 9}, l4))},
			} {
				frames := [][2]any{
					{uint32(1), ethernet(macB, macA, ip.et, ip.p)},
					{uint32(113), sll(0, ip.et, ip.p)},
					{uint32(276), sll2(4, ip.et, ip.p)},
				}
				if ip.et == 0x0800 {
					frames = append(frames, [2]any{uint32(0), null(2, false, ip.p)}, [2]any{uint32(101), ip.p}, [2]any{uint32(228), ip.p})
				} else {
					frames = append(frames, [2]any{uint32(108), null(28, true, ip.p)}, [2]any{uint32(229), ip.p})
				}
				for _, f := range frames {
					data := f[1].([]byte)
					for _, n := range []int{len(data), len(data) - 3, 30} {
						if n >= 0 && n <= len(data) {
							out = append(out, frameCopy{f[0].(uint32), len(data), append([]byte(nil), data[:n]...)})
						}
					}
				}
			}
		}
	}
	return out
}

// TestLongPortListSelectsLikePortrange: "port 1 or … or port 3000" (about
// 183,000 instructions) selects exactly what "portrange 1-3000" (a few
// dozen) selects, on every link type.
func TestLongPortListSelectsLikePortrange(t *testing.T) {
	long, err := NewMatcher(portList(1, 3000))
	if err != nil {
		t.Fatal(err)
	}
	short, err := NewMatcher("portrange 1-3000")
	if err != nil {
		t.Fatal(err)
	}
	prog, err := long.Program(1)
	if err != nil {
		t.Fatalf("Program refuses the long expression: %v", err)
	}
	if len(prog) <= MaxSocketInstructions {
		t.Fatalf("program only %d long; the test wants one beyond the kernel's limit", len(prog))
	}
	if !validate(prog) {
		t.Fatal("validate rejects the long program")
	}
	var matched, total int
	for _, f := range portFrames() {
		want, err := short.Match(f.linkType, f.data, f.wireLen)
		if err != nil {
			t.Fatal(err)
		}
		got, err := long.Match(f.linkType, f.data, f.wireLen)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("link type %d, frame % x: port list %v, portrange %v", f.linkType, f.data, got, want)
		}
		total++
		if got {
			matched++
		}
	}
	t.Logf("%d instructions; %d of %d frames matched", len(prog), matched, total)
	if matched == 0 || matched == total {
		t.Errorf("%d of %d frames matched: the frames do not exercise the filter", matched, total)
	}
}

// TestLongPortListMatchesTcpdump: tcpdump recorded "portrange 1-1023" on
// the shared captures; "port 1 or … or port 1023" (62,000 instructions)
// must select the same frames.
func TestLongPortListMatchesTcpdump(t *testing.T) {
	dir := corpus.PcapDir(t)
	m, err := NewMatcher(portList(1, 1023))
	if err != nil {
		t.Fatal(err)
	}
	checkRecorded(t, dir, selectionsTSV, "portrange 1-1023", m)
}

// TestLongExpressionMatchesTcpdumpSynthetic does the same without the
// corpus: "portrange 50-60 or tcp portrange 79-81" spelled out port by
// port is 850 instructions, long enough for trampolines.
func TestLongExpressionMatchesTcpdumpSynthetic(t *testing.T) {
	m, err := NewMatcher(portList(50, 60) + " or tcp port 79 or tcp port 80 or tcp port 81")
	if err != nil {
		t.Fatal(err)
	}
	checkRecorded(t, syntheticDir, syntheticTSV, "portrange 50-60 or tcp portrange 79-81", m)
}

// checkRecorded runs m on every capture of a selections table and compares
// with the frames tcpdump selected for expr.
func checkRecorded(t *testing.T, dir, tsv, expr string, m *Matcher) {
	t.Helper()
	frameCounts := map[string]int{}
	var checked, selected int
	for _, r := range readSelections(t, tsv) {
		if r.expr == "*" {
			if r.selected != "UNREADABLE" {
				frameCounts[r.capture] = r.frames
			}
			continue
		}
		n, ok := frameCounts[r.capture]
		if r.expr != expr || !ok {
			continue
		}
		frames, _, _ := readFrames(filepath.Join(dir, filepath.FromSlash(r.capture)), n)
		if len(frames) != n {
			t.Errorf("%s: read %d frames, tcpdump read %d", r.capture, len(frames), n)
			continue
		}
		var sel []int
		var matchErr error
		for i, f := range frames {
			ok, err := m.Match(f.linkType, f.data, f.wireLen)
			if err != nil {
				matchErr = err
				break
			}
			if ok {
				sel = append(sel, i+1)
			}
		}
		if r.selected == "ERROR" || matchErr != nil {
			// tcpdump refused the expression (protocol tests on NFLOG):
			// so must we.
			if r.selected != "ERROR" || matchErr == nil {
				t.Errorf("%s: error %v; tcpdump selected %q (%s)", r.capture, matchErr, r.selected, r.note)
			}
			continue
		}
		if got := formatRanges(sel); got != r.selected {
			t.Errorf("%s: long expression selected %q, tcpdump %q for %q", r.capture, got, r.selected, expr)
		}
		checked++
		selected += len(sel)
	}
	t.Logf("%d captures, %d frames selected, as tcpdump did", checked, selected)
	if checked == 0 || selected == 0 {
		t.Fatalf("no selections of %q checked in %s", expr, tsv)
	}
}

package decode_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/corpus"
)

// followFile follows conversation c of the capture at path and returns the
// raw bytes and the result.
func followFile(t *testing.T, path string, c decode.ConvRef) ([]byte, decode.FollowResult) {
	t.Helper()
	r, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var raw bytes.Buffer
	res, err := decode.Follow(context.Background(), r, c, decode.NewFollowPrinter(&raw, decode.FollowRaw).Chunk)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return raw.Bytes(), res
}

// PcapPlusPlus' TCP reassembly expectations: X.stream.bin (or
// X.connN.stream.bin for connection N) is the TCP payload of both
// directions concatenated in delivery order.
func TestFollowMatchesPcapPlusPlus(t *testing.T) {
	dir := corpus.PcapDir(t)
	bins, err := filepath.Glob(filepath.Join(dir, "pcapplusplus", "*.stream.bin"))
	if err != nil || len(bins) == 0 {
		t.Fatalf("no .stream.bin expectations in %s (%v)", dir, err)
	}
	connRE := regexp.MustCompile(`^(.*)\.conn(\d+)$`)
	for _, bin := range bins {
		base := strings.TrimSuffix(bin, ".stream.bin")
		stream := 0
		if m := connRE.FindStringSubmatch(base); m != nil {
			base = m[1]
			stream, _ = strconv.Atoi(m[2])
		}
		want, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		var capPath string
		for _, ext := range []string{".pcap", ".pcapng"} {
			if _, err := os.Stat(base + ext); err == nil {
				capPath = base + ext
			}
		}
		name := filepath.Base(bin)
		if capPath == "" {
			t.Errorf("%s: no capture beside it", name)
			continue
		}
		got, res := followFile(t, capPath, decode.ConvRef{Proto: "tcp", Stream: stream})
		if !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes, want %d; first difference at byte %d", name, len(got), len(want), firstDiff(got, want))
		}
		s := res.Stats
		if s.Gaps != [2]int{} {
			t.Errorf("%s: gaps %v in a complete capture", name, s.Gaps)
		}
		t.Logf("%s: A %s B %s: %d+%d bytes, %d+%d bytes seen again: equal", name, res.A, res.B, s.Bytes[0], s.Bytes[1], s.Duplicate[0], s.Duplicate[1])
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// tcpConv builds the segments of a hand-made TCP conversation between A
// (10.0.0.1:40000) and B (10.0.0.2:80) with the given initial sequence
// numbers, numbering frames from 1.
type tcpConv struct {
	isn   [2]uint32
	frame int
}

var (
	epA = netip.MustParseAddrPort("10.0.0.1:40000")
	epB = netip.MustParseAddrPort("10.0.0.2:80")
)

// seg returns segment of direction dir (0: A→B) with relative sequence
// number rel, flags and payload; ack (relative) is set when flags has ACK.
func (c *tcpConv) seg(dir int, rel uint32, flags uint16, ack uint32, payload string) (*decode.Packet, []byte) {
	c.frame++
	src, dst := epA, epB
	if dir == 1 {
		src, dst = epB, epA
	}
	p := &decode.Packet{
		Number: c.frame, Sec: int64(c.frame), Layers: decode.LayerIPv4 | decode.LayerTCP, IPVersion: 4,
		Src: src.Addr(), Dst: dst.Addr(), SrcPort: src.Port(), DstPort: dst.Port(),
		TCPFlags: flags, Seq: c.isn[dir] + rel, PayloadLen: len(payload),
	}
	p.Rel.Seq = rel
	if flags&decode.TCPAck != 0 {
		p.Ack = c.isn[1-dir] + ack
		p.Rel.Ack = ack
	}
	return p, []byte(payload)
}

const (
	syn    = decode.TCPSyn
	ack    = decode.TCPAck
	pshAck = decode.TCPPsh | decode.TCPAck
	finAck = decode.TCPFin | decode.TCPAck
)

// followSteps feeds segments to a TCPFollower and returns what it emitted
// as one line per chunk: "A 1 hello" (direction, relative seq, data) or
// "B 6 [3 missing]", with the frame that made it deliverable: "@4".
func followSteps(t *testing.T, maxBuffered int, segs ...func() (*decode.Packet, []byte)) ([]string, decode.FollowStats) {
	t.Helper()
	var out []string
	f := decode.NewTCPFollower(func(c *decode.FollowChunk) error {
		d := "A"
		if c.Dir == 1 {
			d = "B"
		}
		if c.Missing > 0 {
			out = append(out, fmt.Sprintf("%s %d [%d missing] @%d", d, c.Seq, c.Missing, c.Frame))
		} else {
			out = append(out, fmt.Sprintf("%s %d %s @%d", d, c.Seq, c.Data, c.Frame))
		}
		return nil
	})
	f.MaxBuffered = maxBuffered
	for _, s := range segs {
		p, pl := s()
		if err := f.Add(p, pl); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return out, f.Stats()
}

func TestTCPFollowerCases(t *testing.T) {
	type step = func() (*decode.Packet, []byte)
	cases := []struct {
		name        string
		isn         [2]uint32
		maxBuffered int
		steps       func(c *tcpConv) []step
		want        []string
		dup         [2]int64
		missing     [2]int64
	}{{
		name: "handshake, interleaved data, FIN",
		isn:  [2]uint32{1000, 5000},
		steps: func(c *tcpConv) []step {
			return []step{
				func() (*decode.Packet, []byte) { return c.seg(0, 0, syn, 0, "") },
				func() (*decode.Packet, []byte) { return c.seg(1, 0, syn|ack, 1, "") },
				func() (*decode.Packet, []byte) { return c.seg(0, 1, ack, 1, "") },
				func() (*decode.Packet, []byte) { return c.seg(0, 1, pshAck, 1, "hello") },
				func() (*decode.Packet, []byte) { return c.seg(1, 1, pshAck, 6, "HELLO!") },
				func() (*decode.Packet, []byte) { return c.seg(0, 6, pshAck, 7, "bye") },
				func() (*decode.Packet, []byte) { return c.seg(0, 9, finAck, 7, "") },
				func() (*decode.Packet, []byte) { return c.seg(1, 7, finAck, 10, "") },
			}
		},
		want: []string{"A 1 hello @4", "B 1 HELLO! @5", "A 6 bye @6"},
	}, {
		name: "retransmission and keep-alive are delivered once",
		isn:  [2]uint32{1000, 5000},
		steps: func(c *tcpConv) []step {
			return []step{
				func() (*decode.Packet, []byte) { return c.seg(0, 0, syn, 0, "") },
				func() (*decode.Packet, []byte) { return c.seg(1, 0, syn|ack, 1, "") },
				func() (*decode.Packet, []byte) { return c.seg(0, 1, pshAck, 1, "hello") },
				func() (*decode.Packet, []byte) { return c.seg(0, 1, pshAck, 1, "hello") }, // retransmission
				func() (*decode.Packet, []byte) { return c.seg(0, 5, ack, 1, "o") },        // keep-alive style
				func() (*decode.Packet, []byte) { return c.seg(1, 1, pshAck, 6, "ok") },
			}
		},
		want: []string{"A 1 hello @3", "B 1 ok @6"},
		dup:  [2]int64{6, 0},
	}, {
		name: "overlap: only the new tail is delivered",
		isn:  [2]uint32{1000, 5000},
		steps: func(c *tcpConv) []step {
			return []step{
				func() (*decode.Packet, []byte) { return c.seg(0, 0, syn, 0, "") },
				func() (*decode.Packet, []byte) { return c.seg(0, 1, pshAck, 0, "abcd") },
				func() (*decode.Packet, []byte) { return c.seg(0, 3, pshAck, 0, "cdefgh") },
			}
		},
		want: []string{"A 1 abcd @2", "A 5 efgh @3"},
		dup:  [2]int64{2, 0},
	}, {
		name: "out of order: delivered when the gap fills, with the other direction in between",
		isn:  [2]uint32{1000, 5000},
		steps: func(c *tcpConv) []step {
			return []step{
				func() (*decode.Packet, []byte) { return c.seg(0, 0, syn, 0, "") },
				func() (*decode.Packet, []byte) { return c.seg(1, 0, syn|ack, 1, "") },
				func() (*decode.Packet, []byte) { return c.seg(0, 6, pshAck, 1, "world") }, // early
				func() (*decode.Packet, []byte) { return c.seg(1, 1, pshAck, 1, "hi") },    // B acks only 1
				func() (*decode.Packet, []byte) { return c.seg(0, 1, pshAck, 3, "hello") }, // fills the gap
			}
		},
		want: []string{"B 1 hi @4", "A 1 hello @5", "A 6 world @5"},
	}, {
		name: "gap the peer acknowledged: missing at the ACK (Wireshark's rule)",
		isn:  [2]uint32{1000, 5000},
		steps: func(c *tcpConv) []step {
			return []step{
				func() (*decode.Packet, []byte) { return c.seg(0, 0, syn, 0, "") },
				func() (*decode.Packet, []byte) { return c.seg(1, 0, syn|ack, 1, "") },
				func() (*decode.Packet, []byte) { return c.seg(0, 1, pshAck, 1, "aaaa") },
				// bytes 5-8 never captured
				func() (*decode.Packet, []byte) { return c.seg(0, 9, pshAck, 1, "cccc") },
				func() (*decode.Packet, []byte) { return c.seg(1, 1, pshAck, 5, "x") },  // acks up to the gap: nothing yet
				func() (*decode.Packet, []byte) { return c.seg(1, 2, pshAck, 13, "y") }, // acks past it
			}
		},
		want:    []string{"A 1 aaaa @3", "B 1 x @5", "A 5 [4 missing] @6", "A 9 cccc @6", "B 2 y @6"},
		missing: [2]int64{4, 0},
	}, {
		name: "gap never acknowledged: marked at the end of the capture",
		isn:  [2]uint32{1000, 5000},
		steps: func(c *tcpConv) []step {
			return []step{
				func() (*decode.Packet, []byte) { return c.seg(0, 0, syn, 0, "") },
				func() (*decode.Packet, []byte) { return c.seg(0, 1, pshAck, 0, "aa") },
				func() (*decode.Packet, []byte) { return c.seg(0, 5, pshAck, 0, "cc") },
				func() (*decode.Packet, []byte) { return c.seg(0, 9, pshAck, 0, "ee") },
			}
		},
		want:    []string{"A 1 aa @2", "A 3 [2 missing] @3", "A 5 cc @3", "A 7 [2 missing] @4", "A 9 ee @4"},
		missing: [2]int64{4, 0},
	}, {
		name:        "bounded memory: the oldest gap is given up when the buffer is full",
		isn:         [2]uint32{1000, 5000},
		maxBuffered: 64 + 10, // one queued segment of up to 10 bytes
		steps: func(c *tcpConv) []step {
			return []step{
				func() (*decode.Packet, []byte) { return c.seg(0, 0, syn, 0, "") },
				func() (*decode.Packet, []byte) { return c.seg(0, 1, pshAck, 0, "aa") },
				func() (*decode.Packet, []byte) { return c.seg(0, 5, pshAck, 0, "cc") },
				func() (*decode.Packet, []byte) { return c.seg(0, 9, pshAck, 0, "ee") }, // second queued: over the limit
				func() (*decode.Packet, []byte) { return c.seg(0, 3, pshAck, 0, "bb") }, // too late
			}
		},
		// at the end, the remaining gap is marked at the frame after it
		want:    []string{"A 1 aa @2", "A 3 [2 missing] @4", "A 5 cc @4", "A 7 [2 missing] @4", "A 9 ee @4"},
		dup:     [2]int64{2, 0},
		missing: [2]int64{4, 0},
	}, {
		name: "overlapping out-of-order segments: the first copy wins",
		isn:  [2]uint32{1000, 5000},
		steps: func(c *tcpConv) []step {
			return []step{
				func() (*decode.Packet, []byte) { return c.seg(0, 0, syn, 0, "") },
				func() (*decode.Packet, []byte) { return c.seg(0, 5, pshAck, 0, "EFG") },
				func() (*decode.Packet, []byte) { return c.seg(0, 3, pshAck, 0, "cdefghi") },
				func() (*decode.Packet, []byte) { return c.seg(0, 1, pshAck, 0, "ab") },
			}
		},
		want: []string{"A 1 ab @4", "A 3 cd @4", "A 5 EFG @4", "A 8 hi @4"},
		dup:  [2]int64{3, 0},
	}, {
		name: "sequence numbers wrap around 2^32",
		isn:  [2]uint32{0xfffffffa, 0xffffffff},
		steps: func(c *tcpConv) []step {
			return []step{
				func() (*decode.Packet, []byte) { return c.seg(0, 0, syn, 0, "") },
				func() (*decode.Packet, []byte) { return c.seg(1, 0, syn|ack, 1, "") },
				func() (*decode.Packet, []byte) { return c.seg(0, 9, pshAck, 1, "89AB") },   // after the wrap, early
				func() (*decode.Packet, []byte) { return c.seg(0, 1, pshAck, 1, "0123") },   // before it
				func() (*decode.Packet, []byte) { return c.seg(0, 3, pshAck, 1, "234567") }, // across it, overlapping
				func() (*decode.Packet, []byte) { return c.seg(1, 1, pshAck, 13, "ok") },    // B's data starts at 0
			}
		},
		want: []string{"A 1 0123 @4", "A 5 4567 @5", "A 9 89AB @5", "B 1 ok @6"},
		dup:  [2]int64{2, 0},
	}, {
		name: "SYN with data (TCP Fast Open)",
		isn:  [2]uint32{1000, 5000},
		steps: func(c *tcpConv) []step {
			return []step{
				func() (*decode.Packet, []byte) { return c.seg(0, 0, syn, 0, "GET") },
				func() (*decode.Packet, []byte) { return c.seg(1, 0, syn|ack, 4, "") },
				func() (*decode.Packet, []byte) { return c.seg(0, 4, pshAck, 1, " /") },
			}
		},
		want: []string{"A 1 GET @1", "A 4  / @3"},
	}, {
		name: "first seen mid-stream",
		isn:  [2]uint32{1000, 5000},
		steps: func(c *tcpConv) []step {
			return []step{
				func() (*decode.Packet, []byte) { return c.seg(1, 100, pshAck, 50, "later") },
				func() (*decode.Packet, []byte) { return c.seg(0, 50, pshAck, 105, "reply") },
				func() (*decode.Packet, []byte) { return c.seg(1, 100, pshAck, 50, "later") }, // retransmitted
			}
		},
		// A is the first packet's sender
		want: []string{"A 100 later @1", "B 50 reply @2"},
		dup:  [2]int64{5, 0},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &tcpConv{isn: tc.isn}
			got, stats := followSteps(t, tc.maxBuffered, tc.steps(c)...)
			want := tc.want
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("chunks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if stats.Duplicate != tc.dup {
				t.Errorf("duplicate bytes %v, want %v", stats.Duplicate, tc.dup)
			}
			if stats.Missing != tc.missing {
				t.Errorf("missing bytes %v, want %v", stats.Missing, tc.missing)
			}
		})
	}
}

// The ascii and hex printers: a header at each change of direction, CR LF
// as a newline even across chunks, gaps on lines of their own, hex lines
// that continue across the chunks of one direction, and the summary.
func TestFollowPrinter(t *testing.T) {
	chunks := []decode.FollowChunk{
		{Dir: 0, Src: epA, Dst: epB, Frame: 4, Offset: 0, Data: []byte("GET / HTTP/1.1\r")},
		{Dir: 0, Src: epA, Dst: epB, Frame: 5, Offset: 15, Data: []byte("\nHost: x\r\n\r\n")},
		{Dir: 1, Src: epB, Dst: epA, Frame: 6, Offset: 0, Data: []byte("HTTP/1.1 200 OK\r\n\x00\x01\tz")},
		{Dir: 1, Src: epB, Dst: epA, Frame: 9, Offset: 22, Missing: 100},
		{Dir: 1, Src: epB, Dst: epA, Frame: 9, Offset: 122, Data: []byte("tail\r")},
	}
	res := decode.FollowResult{Conv: decode.ConvRef{Proto: "tcp", Stream: 2}, Stats: decode.FollowStats{
		Bytes: [2]int64{27, 27}, Missing: [2]int64{0, 100}, Gaps: [2]int{0, 1}, Duplicate: [2]int64{5, 0}}}
	render := func(f decode.FollowFormat) string {
		var out bytes.Buffer
		p := decode.NewFollowPrinter(&out, f)
		for i := range chunks {
			if err := p.Chunk(&chunks[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.Close(res); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	wantASCII := `=== A→B 10.0.0.1:40000 → 10.0.0.2:80 (frame 4)
GET / HTTP/1.1
Host: x

=== B→A 10.0.0.2:80 → 10.0.0.1:40000 (frame 6)
HTTP/1.1 200 OK
\x00\x01	z
[100 bytes missing]
tail\r
=== end of tcp conversation 2: A→B 27 bytes, B→A 27 bytes, 1 gap (100 bytes missing), 5 bytes seen again
`
	if got := render(decode.FollowASCII); got != wantASCII {
		t.Errorf("ascii:\n%s\nwant:\n%s", got, wantASCII)
	}
	wantHex := `=== A→B 10.0.0.1:40000 → 10.0.0.2:80 (frame 4)
00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  GET / HTTP/1.1..
00000010  48 6f 73 74 3a 20 78 0d  0a 0d 0a                 Host: x....
=== B→A 10.0.0.2:80 → 10.0.0.1:40000 (frame 6)
00000000  48 54 54 50 2f 31 2e 31  20 32 30 30 20 4f 4b 0d  HTTP/1.1 200 OK.
00000010  0a 00 01 09 7a                                    ....z
[100 bytes missing]
0000007a  74 61 69 6c 0d                                    tail.
=== end of tcp conversation 2: A→B 27 bytes, B→A 27 bytes, 1 gap (100 bytes missing), 5 bytes seen again
`
	if got := render(decode.FollowHex); got != wantHex {
		t.Errorf("hex:\n%s\nwant:\n%s", got, wantHex)
	}
	if got := render(decode.FollowRaw); got != "GET / HTTP/1.1\r\nHost: x\r\n\r\nHTTP/1.1 200 OK\r\n\x00\x01\tztail\r" {
		t.Errorf("raw: %q", got)
	}
}

// A UDP conversation: each datagram a chunk, in capture order, and a
// datagram cut short by the snap length followed by a gap.
func TestUDPFollower(t *testing.T) {
	a, b := netip.MustParseAddrPort("192.0.2.1:5353"), netip.MustParseAddrPort("192.0.2.2:53")
	var got []string
	f := decode.NewUDPFollower(func(c *decode.FollowChunk) error {
		got = append(got, fmt.Sprintf("%d %d %q %d @%d", c.Dir, c.Offset, c.Data, c.Missing, c.Frame))
		return nil
	})
	for i, d := range []struct {
		src, dst netip.AddrPort
		data     string
		size     int
	}{{a, b, "query", 5}, {b, a, "answer", 6}, {a, b, "cut", 10}, {a, netip.MustParseAddrPort("192.0.2.3:53"), "other", 5}} {
		p := &decode.Packet{Number: i + 1, Layers: decode.LayerIPv4 | decode.LayerUDP, Src: d.src.Addr(), Dst: d.dst.Addr(),
			SrcPort: d.src.Port(), DstPort: d.dst.Port(), PayloadLen: d.size}
		if err := f.Add(p, []byte(d.data)); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{`0 0 "query" 0 @1`, `1 0 "answer" 0 @2`, `0 5 "cut" 0 @3`, `0 8 "" 7 @3`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("chunks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s := f.Stats(); s.Packets != [2]int{2, 1} || s.Bytes != [2]int64{8, 6} || s.Missing != [2]int64{7, 0} {
		t.Errorf("stats %+v", s)
	}
}

// Follow over the corpus: every TCP and UDP conversation of every capture
// can be followed without error, and what is delivered plus what is marked
// missing never exceeds the payload the packets announced.
func TestFollowCorpus(t *testing.T) {
	dir := corpus.PcapDir(t)
	for _, name := range corpus.Captures(t, dir) {
		path := filepath.Join(dir, name)
		for _, proto := range []string{"tcp", "udp"} {
			for n := 0; ; n++ {
				r, err := capture.Open(path)
				if err != nil {
					break
				}
				res, err := decode.Follow(context.Background(), r, decode.ConvRef{Proto: proto, Stream: n}, func(*decode.FollowChunk) error { return nil })
				r.Close()
				var nc *decode.NoConversationError
				if errors.As(err, &nc) {
					if nc.Count != n {
						t.Errorf("%s %s: stopped at %d of %d conversations", name, proto, n, nc.Count)
					}
					break
				}
				if err != nil && !strings.Contains(err.Error(), name) && !strings.Contains(err.Error(), "packet") {
					t.Errorf("%s %s %d: %v", name, proto, n, err)
				}
				if err != nil {
					break // a damaged capture: the reader's error, after what came before
				}
				s := res.Stats
				if s.Bytes[0] < 0 || s.Bytes[1] < 0 || s.Missing[0] < 0 || s.Missing[1] < 0 {
					t.Errorf("%s %s %d: stats %+v", name, proto, n, s)
				}
			}
		}
	}
}

// Follow of a 725 kB transfer with loss: the time per capture, and the
// most bytes held behind gaps at once (the follower's only memory that
// grows with the data).
func BenchmarkFollowLossyBulk(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(corpus.PcapDir(b), "kernel-tcp", "lossy_bulk_s1.pcap"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var res decode.FollowResult
	for b.Loop() {
		r, err := capture.NewReader(bytes.NewReader(data), "lossy_bulk_s1.pcap")
		if err != nil {
			b.Fatal(err)
		}
		res, err = decode.Follow(context.Background(), r, decode.ConvRef{Proto: "tcp", Stream: 0}, func(*decode.FollowChunk) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Stats.Buffered), "max-buffered-B")
}

package decode_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sockscope/sockscope/decode"
)

// The held queue under random arrival order: segments of one direction,
// shuffled, overlapping and duplicated (each copy with its own bytes, so
// that which copy wins is visible), some ranges never sent, checked byte by
// byte against a reference that needs no queue at all.

// orderSeg is one segment of the random stream: relative offset (0 is the
// first byte after the SYN) and bytes.
type orderSeg struct {
	off  int
	data []byte
}

// randomStream returns n bytes' worth of segments in arrival order: a
// cover of [0, n) in pieces of 1 to 8 bytes, extra segments overlapping
// them, verbatim and altered duplicates, and, for some seeds, a range or
// two whose segments are dropped (holes).
func randomStream(rng *rand.Rand, n int) []orderSeg {
	var segs []orderSeg
	randBytes := func(k int) []byte {
		b := make([]byte, k)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return b
	}
	for off := 0; off < n; {
		k := min(1+rng.IntN(8), n-off)
		segs = append(segs, orderSeg{off, randBytes(k)})
		off += k
	}
	for range n / 4 {
		off := rng.IntN(n)
		k := min(1+rng.IntN(12), n-off)
		segs = append(segs, orderSeg{off, randBytes(k)})
	}
	for range len(segs) / 8 {
		s := segs[rng.IntN(len(segs))]
		if rng.IntN(2) == 0 {
			s.data = randBytes(len(s.data)) // same range, other bytes
		}
		segs = append(segs, s)
	}
	for range rng.IntN(3) {
		lo := rng.IntN(n)
		hi := lo + 1 + rng.IntN(6)
		kept := segs[:0]
		for _, s := range segs {
			if s.off+len(s.data) <= lo || s.off >= hi {
				kept = append(kept, s)
			}
		}
		segs = kept
	}
	rng.Shuffle(len(segs), func(i, j int) { segs[i], segs[j] = segs[j], segs[i] })
	return segs
}

// orderByte is what the follower should say about one offset: a byte and
// the frame that made it deliverable, or (gap > 0) the start of a gap of
// that many bytes marked at that frame.
type orderByte struct {
	val   byte
	frame int
	gap   int
}

// referenceOrder is the follow of segs (frames 2, 3, … after the SYN in
// frame 1) with no ACKs and no buffer limit, simulated one offset at a
// time with no queue: a segment that reaches the next offset to deliver
// is delivered whole from there (what PcapPlusPlus does: it wins over
// bytes held beyond it), then the held bytes that follow, all at its
// frame; a segment after a hole holds the bytes no earlier copy holds
// (the first held copy wins). At the end, held bytes are delivered with
// the frames that carried them and each hole before them is marked with
// the frame of the byte after it; a hole at the end is never marked.
//
// It also returns the most memory held at once, as FollowStats.Buffered
// counts it: the bytes held plus 64 per piece, a piece being a run of
// bytes one segment added; a piece goes when the stream reaches its start.
func referenceOrder(segs []orderSeg) ([]orderByte, int) {
	type held struct {
		val   byte
		frame int // 0: nothing held
	}
	type piece struct{ start, n int }
	var (
		hold     []held
		out      []orderByte
		pieces   []piece
		buffered int
	)
	for i, s := range segs {
		frame, end := i+2, s.off+len(s.data)
		for len(hold) < end {
			hold = append(hold, held{})
		}
		next := len(out)
		switch {
		case end <= next: // all delivered before
		case s.off <= next:
			for _, b := range s.data[next-s.off:] {
				out = append(out, orderByte{val: b, frame: frame})
			}
			for len(out) < len(hold) && hold[len(out)].frame > 0 {
				out = append(out, orderByte{val: hold[len(out)].val, frame: frame})
			}
			kept := pieces[:0]
			for _, p := range pieces {
				if p.start > len(out) {
					kept = append(kept, p)
				}
			}
			pieces = kept
		default:
			for k, b := range s.data {
				if hold[s.off+k].frame == 0 {
					if k == 0 || hold[s.off+k-1].frame != frame {
						pieces = append(pieces, piece{s.off + k, 0})
					}
					pieces[len(pieces)-1].n++
					hold[s.off+k] = held{b, frame}
				}
			}
			total := 0
			for _, p := range pieces {
				total += p.n + 64
			}
			buffered = max(buffered, total)
		}
	}
	for o := len(out); o < len(hold); o++ {
		if hold[o].frame == 0 {
			end := o
			for end < len(hold) && hold[end].frame == 0 {
				end++
			}
			if end == len(hold) {
				break
			}
			out = append(out, orderByte{frame: hold[end].frame, gap: end - o})
			for range end - o - 1 {
				out = append(out, orderByte{})
			}
			o = end
		}
		out = append(out, orderByte{val: hold[o].val, frame: hold[o].frame})
	}
	return out, buffered
}

// followOrder feeds segs after a SYN with initial sequence number isn and
// returns what was emitted in the same per-offset form, checking that
// chunks are contiguous and that Seq and Offset agree.
func followOrder(t *testing.T, isn uint32, maxBuffered int, segs []orderSeg) ([]orderByte, decode.FollowStats) {
	t.Helper()
	var out []orderByte
	f := decode.NewTCPFollower(func(c *decode.FollowChunk) error {
		if c.Offset != int64(len(out)) || c.Seq != uint32(c.Offset)+1 {
			t.Fatalf("chunk at offset %d seq %d after %d bytes", c.Offset, c.Seq, len(out))
		}
		if c.Missing > 0 {
			out = append(out, orderByte{frame: c.Frame, gap: c.Missing})
			for range c.Missing - 1 {
				out = append(out, orderByte{})
			}
			return nil
		}
		for _, b := range c.Data {
			out = append(out, orderByte{val: b, frame: c.Frame})
		}
		return nil
	})
	f.MaxBuffered = maxBuffered
	c := &tcpConv{isn: [2]uint32{isn, 7}}
	if err := f.Add(c.seg(0, 0, syn, 0, "")); err != nil {
		t.Fatal(err)
	}
	for _, s := range segs {
		if err := f.Add(c.seg(0, uint32(s.off)+1, decode.TCPPsh, 0, string(s.data))); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return out, f.Stats()
}

func TestFollowRandomOrderMatchesReference(t *testing.T) {
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 1))
		isn := rng.Uint32()
		if seed%4 == 0 {
			isn = -uint32(1 + rng.IntN(64)) // the stream crosses 2^32
		}
		segs := randomStream(rng, 1+rng.IntN(300))
		want, buffered := referenceOrder(segs)
		got, stats := followOrder(t, isn, 0, segs)
		if d := orderDiff(got, want); d != "" {
			t.Fatalf("seed %d (%d segments): %s", seed, len(segs), d)
		}
		var sent, delivered, missing int64
		for _, s := range segs {
			sent += int64(len(s.data))
		}
		for _, b := range want {
			switch {
			case b.gap > 0:
				missing += int64(b.gap)
			case b.frame > 0:
				delivered++
			}
		}
		if stats.Bytes[0] != delivered || stats.Missing[0] != missing || stats.Duplicate[0] != sent-delivered || stats.Buffered != buffered {
			t.Fatalf("seed %d: stats %+v, want %d bytes, %d missing, %d duplicate, %d buffered", seed, stats, delivered, missing, sent-delivered, buffered)
		}
	}
}

// With a small buffer, gaps are given up early: the stream is still
// contiguous and as long, every byte delivered is one of the copies sent
// for its offset, and what is held stays near the bound.
func TestFollowRandomOrderBounded(t *testing.T) {
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 2))
		segs := randomStream(rng, 1+rng.IntN(300))
		limit := 64 + rng.IntN(6*64)
		sent := map[[2]int]bool{} // offset, byte value
		n := 0
		for _, s := range segs {
			for k, b := range s.data {
				sent[[2]int{s.off + k, int(b)}] = true
				n = max(n, s.off+k+1)
			}
		}
		got, stats := followOrder(t, rng.Uint32(), limit, segs)
		if len(got) != n {
			t.Fatalf("seed %d: %d bytes and missing bytes, want %d", seed, len(got), n)
		}
		for o, b := range got {
			if b.frame > 0 && b.gap == 0 && !sent[[2]int{o, int(b.val)}] {
				t.Fatalf("seed %d: offset %d is %#x, which no segment sent there", seed, o, b.val)
			}
		}
		// One segment (up to 12 bytes, in up to 12 pieces) may be queued
		// before the oldest gap is given up.
		if stats.Buffered > limit+12*(64+1) {
			t.Fatalf("seed %d: %d bytes held, limit %d", seed, stats.Buffered, limit)
		}
	}
}

// orderDiff describes the first difference between got and want.
func orderDiff(got, want []orderByte) string {
	for o := range min(len(got), len(want)) {
		if got[o] != want[o] {
			return fmt.Sprintf("offset %d: got %+v, want %+v", o, got[o], want[o])
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("%d bytes and missing bytes, want %d", len(got), len(want))
	}
	return ""
}

// Follow of 800,000 one-byte segments in random order (the held queue's
// worst case): one op is the whole stream, with the default buffer bound.
func BenchmarkFollowOutOfOrder(b *testing.B) {
	const n = 800_000
	rng := rand.New(rand.NewPCG(1, 1))
	order := rng.Perm(n)
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(rng.UintN(256))
	}
	c := &tcpConv{isn: [2]uint32{1000, 5000}}
	synPkt, _ := c.seg(0, 0, syn, 0, "")
	p, _ := c.seg(0, 1, decode.TCPPsh, 0, "x")
	b.ReportAllocs()
	var stats decode.FollowStats
	for b.Loop() {
		var got int64
		f := decode.NewTCPFollower(func(c *decode.FollowChunk) error {
			got += int64(len(c.Data)) + int64(c.Missing)
			return nil
		})
		if err := f.Add(synPkt, nil); err != nil {
			b.Fatal(err)
		}
		for i, o := range order {
			p.Number, p.Seq = i+2, 1000+1+uint32(o)
			if err := f.Add(p, data[o:o+1]); err != nil {
				b.Fatal(err)
			}
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		if got != n {
			b.Fatalf("%d bytes and missing bytes, want %d", got, n)
		}
		stats = f.Stats()
	}
	b.ReportMetric(float64(stats.Gaps[0]), "gaps")
	b.ReportMetric(float64(stats.Buffered), "max-buffered-B")
}

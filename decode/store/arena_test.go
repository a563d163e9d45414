package store

import (
	"bytes"
	"math"
	"reflect"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
)

// TestArenaFrameRoundTrip holds the arena's short header to the frames it
// stands for: the time comes back from the record's when it can, and is
// written out when the record's cannot give it exactly (an out-of-range
// sub-second field, seconds past what nanoseconds can count).
func TestArenaFrameRoundTrip(t *testing.T) {
	data := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i * 7)
		}
		return b
	}
	frames := []capture.Frame{
		{Sec: 1_700_000_000, Nsec: 123_456_000, Len: 74, LinkType: capture.LinkEthernet, Data: data(74)},
		{Sec: 1_700_000_000, Nsec: 1_500_000_000, Len: 60, LinkType: capture.LinkEthernet, Data: data(60)}, // "invalid us"
		{NoTime: true, Len: 40, LinkType: 101, Data: data(40)},
		{Sec: -5, Nsec: 7, Len: 1500, LinkType: 276, Data: data(96)},               // snapped
		{Sec: 3, Nsec: 9, Len: 20, LinkType: capture.LinkEthernet, Data: data(64)}, // captured beyond the wire length
		{Sec: math.MaxInt64 / 100, Nsec: 999_999_999, Len: 0, LinkType: 0, Data: data(0)},
		{Sec: math.MinInt64 / 1_000_000_000, Nsec: 0, Len: 5, LinkType: 1 << 20, Data: data(5)},
		{Sec: 10, Nsec: 0, Len: arenaChunkSize + 100, LinkType: capture.LinkEthernet, Data: data(arenaChunkSize + 100)}, // a chunk of its own
		// pcapng options (a comment), either byte order: kept for the details pane.
		{Sec: 11, Nsec: 5, Len: 60, LinkType: capture.LinkEthernet, Data: data(60), Options: []byte{1, 0, 3, 0, 'a', 'b', 'c', 0, 0, 0, 0, 0}},
		{Sec: 12, Nsec: 6, Len: 99, LinkType: capture.LinkEthernet, Data: data(60), Options: []byte{0, 1, 0, 2, 'h', 'i', 0, 0, 0, 0, 0, 0}, OptionsBE: true},
	}
	var a frameArena
	pos := make([]uint64, len(frames))
	ns := make([]int64, len(frames))
	for i := range frames {
		// The record's time, as packRecord takes it from the Packet.
		p := decode.Packet{}
		decode.NewDecoder().Decode(&frames[i], i+1, &p)
		r, _, _ := packRecord(&p, 0)
		ns[i] = r.ns
		pos[i] = a.add(&frames[i], r.ns)
	}
	for i, want := range frames {
		var got capture.Frame
		if !a.frame(pos[i], ns[i], want.NoTime, &got) {
			t.Fatalf("frame %d does not load", i)
		}
		want.Offset = -1
		if !bytes.Equal(got.Data, want.Data) {
			t.Errorf("frame %d: the bytes differ", i)
		}
		got.Data, want.Data = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("frame %d: got %+v\nwant %+v", i, got, want)
		}
	}
}

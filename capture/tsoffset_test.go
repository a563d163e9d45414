package capture

import (
	"encoding/binary"
	"math"
	"testing"
)

// TestTSOffsetOverflow checks that a timestamp whose seconds, with the
// interface's if_tsoffset added, leave the int64 range is reported as
// damage at that packet (the seconds are unsigned, so only the top can be
// passed), after the packets before it, instead of wrapping
// to a time near the other end of the range.
func TestTSOffsetOverflow(t *testing.T) {
	le := binary.LittleEndian
	for _, c := range []struct {
		name string
		opts [][]byte
		ts   uint64
	}{
		{"offset plus seconds above 2^63", [][]byte{(&ngBuilder{}).opt(optTSOffset, le.AppendUint64(nil, math.MaxInt64-10))}, 20e6},
		{"whole-second units at 2^64-1", [][]byte{(&ngBuilder{}).opt(optTSResol, []byte{0})}, math.MaxUint64},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := (&ngBuilder{}).shb(1, 0).idb(1, 0).idb(1, 0, c.opts...)
			b.epb(0, 1_500_000_000_000_000, 60, seq(60))
			b.epb(1, c.ts, 60, seq(60))
			offs, _ := ngBlocks(t, b.buf)
			frames, err := readBytes(t, "wrap.pcapng", b.buf)
			if len(frames) != 1 || frames[0].Sec != 1_500_000_000 {
				t.Fatalf("got %d frames (%+v), want packet 1 at 1500000000 s kept", len(frames), frames)
			}
			fe := wantFormatError(t, err, 2, offs[4], "interface 1")
			if got, want := fe.Error(), "wrap.pcapng: packet 2 at byte offset"; len(got) < len(want) || got[:len(want)] != want {
				t.Errorf("error %q does not start %q", got, want)
			}
		})
	}
	// The largest offset that does not overflow still reads.
	b := (&ngBuilder{}).shb(1, 0).idb(1, 0, (&ngBuilder{}).opt(optTSOffset, le.AppendUint64(nil, math.MaxInt64-10)))
	b.epb(0, 10e6, 60, seq(60))
	frames, err := readBytes(t, "edge.pcapng", b.buf)
	if err != nil || len(frames) != 1 || frames[0].Sec != math.MaxInt64 {
		t.Fatalf("edge: %d frames, %v", len(frames), err)
	}
}

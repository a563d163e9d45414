package decode_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/corpus"
)

// frameList is a decode.FrameSource over frames in memory.
type frameList struct{ frames []capture.Frame }

func (s *frameList) Next(f *capture.Frame) error {
	if len(s.frames) == 0 {
		return io.EOF
	}
	*f, s.frames = s.frames[0], s.frames[1:]
	return nil
}

// KeepSummary keeps the named flow's row, and that one only, with
// summaries off; the live flows stay under their stream numbers however
// far the window of live streams slides.
func TestTrackerKeepSummaryOnlyThatFlow(t *testing.T) {
	dec := decode.NewDecoder()
	dec.Seq.SetLimits(decode.Limits{MaxFlows: 3})
	dec.Seq.KeepSummary(decode.ConvRef{Proto: "tcp", Stream: 2})
	var p decode.Packet
	for i := range 40 {
		f := synFrame(i, int64(i+1)*1e9, false)
		dec.Decode(&f, i+1, &p)
	}
	if st := dec.Seq.Retired(); st.Cap != 37 {
		t.Fatalf("retired %+v, want 37 over the cap", st)
	}
	c, ok := dec.Seq.TCPConversation(2)
	if !ok || c.ID != 2 || c.Retired != decode.RetireCap || c.FirstFrame != 3 {
		t.Errorf("TCPConversation(2) = id %d retired %q first frame %d, %v; want 2, max-flows, 3, true", c.ID, c.Retired, c.FirstFrame, ok)
	}
	var ids []int
	for _, c := range dec.Seq.Conversations(nil) {
		ids = append(ids, c.ID)
	}
	// The live flows' window slid and was compacted in place, keeping
	// them under their stream numbers.
	for k := range 40 {
		if c := dec.Seq.Conn(k); (c != nil) != (k >= 37) {
			t.Errorf("Conn(%d) = %p", k, c)
		} else if c != nil {
			if v, _ := dec.Seq.TCPConversation(k); v.ID != k {
				t.Errorf("TCPConversation(%d) is stream %d", k, v.ID)
			}
		}
	}
	if want := []int{2, 37, 38, 39}; !slices.Equal(ids, want) {
		t.Errorf("conversations %v, want %v (the kept row and the live flows)", ids, want)
	}
}

// The conversation views keep no rows for retired flows, yet a ladder
// whose conversation retired part way through the capture has the same
// rows, roles and events as without limits; and with limits the stream
// numbers are those of the packet list decoded with the same limits: the
// conversation's 4-tuple seen again after retirement is a new stream.
func TestConvViewsFindRetiredConversation(t *testing.T) {
	path := filepath.Join(corpus.PcapDir(t), "kernel-tcp", "half_close_s1.pcap")
	r, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var frames []capture.Frame
	var f capture.Frame
	for r.Next(&f) == nil {
		g := f
		g.Data = bytes.Clone(f.Data)
		frames = append(frames, g)
	}
	r.Close()
	conv := decode.ConvRef{Proto: "tcp", Stream: 0}
	want, err := decode.BuildLadder(context.Background(), &frameList{frames}, conv)
	if err != nil {
		t.Fatal(err)
	}
	var wantData bytes.Buffer
	if _, err := decode.Follow(context.Background(), &frameList{frames}, conv, decode.NewFollowPrinter(&wantData, decode.FollowRaw).Chunk); err != nil {
		t.Fatal(err)
	}

	// Then 10 one-SYN flows, at most 3 live: stream 0 retires; then its
	// last segment again.
	last := frames[len(frames)-1]
	t0 := last.Sec*1e9 + last.Nsec
	all := slices.Clone(frames)
	for i := range 10 {
		all = append(all, synFrame(i, t0+int64(i+1)*1e6, false))
	}
	again := last
	again.Sec++
	all = append(all, again)
	limits := decode.Limits{MaxFlows: 3, IdleTimeout: decode.DefaultIdleTimeout, Summaries: true}

	// The packet list with the same limits: the stream of the last frame.
	dec := decode.NewDecoder()
	dec.Seq.SetLimits(limits)
	var p decode.Packet
	for n := range all {
		dec.Decode(&all[n], n+1, &p)
	}
	if p.Rel.Stream != 11 || dec.Seq.Retired().Total() == 0 {
		t.Fatalf("last frame in tcp.stream %d (%d retired), want 11", p.Rel.Stream, dec.Seq.Retired().Total())
	}

	got, err := decode.BuildLadderWithLimits(context.Background(), &frameList{all}, conv, limits)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ladder of the retired conversation:\n got %+v\nwant %+v", got, want)
	}
	var gotData bytes.Buffer
	if _, err := decode.FollowWithLimits(context.Background(), &frameList{all}, conv, limits, decode.NewFollowPrinter(&gotData, decode.FollowRaw).Chunk); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gotData.Bytes(), wantData.Bytes()) {
		t.Errorf("follow of the retired conversation: %q, want %q", gotData.Bytes(), wantData.Bytes())
	}

	again11, err := decode.BuildLadderWithLimits(context.Background(), &frameList{all}, decode.ConvRef{Proto: "tcp", Stream: 11}, limits)
	if err != nil {
		t.Fatal(err)
	}
	if len(again11.Rows) != 1 || again11.Rows[0].Frame != len(all) {
		t.Errorf("tcp.stream 11: %d rows %+v, want the last frame, %d", len(again11.Rows), again11.Rows, len(all))
	}
	var nc *decode.NoConversationError
	if _, err := decode.BuildLadderWithLimits(context.Background(), &frameList{all}, decode.ConvRef{Proto: "tcp", Stream: 12}, limits); !errors.As(err, &nc) || nc.Count != 12 {
		t.Errorf("tcp.stream 12: %v, want no such conversation of 12", err)
	}
}

package decode_test

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/corpus"
)

// snapshotWant is what a snapshot of tr must give: tr's conversations
// now, each as its row gives it back (live flows' histories then compare
// as rows hold them).
func snapshotWant(tr *decode.Tracker) []decode.Conversation {
	want := make([]decode.Conversation, tr.NumConversations())
	for i := range want {
		if c, ok := tr.ConversationAt(i); ok {
			want[i] = decode.ConvRowRoundTrip(&c)
		}
	}
	return want
}

func checkSnapshot(t *testing.T, name string, s *decode.ConvSnapshot, want []decode.Conversation) {
	t.Helper()
	if s.NumConversations() != len(want) {
		t.Fatalf("%s: %d conversations, want %d", name, s.NumConversations(), len(want))
	}
	for i := range want {
		got, _ := s.ConversationAt(i)
		if !reflect.DeepEqual(got, want[i]) {
			t.Fatalf("%s conversation %d:\n got %+v\nwant %+v", name, i, got, want[i])
		}
	}
}

// TestConvSnapshot takes a snapshot halfway through each corpus capture,
// and through a flood of one-SYN flows under a small cap (rows shared
// with the tracker, live flows' own), and wants it to list the
// conversations of that moment, before and after the tracker goes on.
func TestConvSnapshot(t *testing.T) {
	dir := corpus.PcapDir(t)
	n := 0
	for _, name := range corpus.Captures(t, dir) {
		var frames []capture.Frame
		r, err := capture.Open(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		var f capture.Frame
		for r.Next(&f) == nil {
			g := f
			g.Data = append([]byte(nil), f.Data...)
			frames = append(frames, g)
		}
		r.Close()
		dec := decode.NewDecoder()
		var p decode.Packet
		for i := range frames[:len(frames)/2] {
			dec.Decode(&frames[i], i+1, &p)
		}
		s, want := dec.Seq.Snapshot(), snapshotWant(dec.Seq)
		checkSnapshot(t, name, s, want)
		for i := len(frames) / 2; i < len(frames); i++ {
			dec.Decode(&frames[i], i+1, &p)
		}
		checkSnapshot(t, name+" (tracking on)", s, want)
		n += len(want)
	}
	if n < 50 {
		t.Errorf("only %d conversations compared", n)
	}

	dec := decode.NewDecoder()
	dec.Seq.SetLimits(decode.Limits{MaxFlows: 50, Summaries: true})
	var p decode.Packet
	num := 0
	track := func(from, to int) {
		for i := from; i < to; i++ {
			f := synFrame(i, int64(i)*1e6, false)
			num++
			dec.Decode(&f, num, &p)
			if i%3 == 0 { // some flows go on: an ACK of the same 4-tuple
				f = synFrame(i, int64(i)*1e6+500, true)
				num++
				dec.Decode(&f, num, &p)
			}
		}
	}
	track(0, 130)
	s, want := dec.Seq.Snapshot(), snapshotWant(dec.Seq)
	checkSnapshot(t, "flood", s, want)
	track(130, 400) // retires every flow live at the snapshot
	checkSnapshot(t, "flood (tracking on)", s, want)
	if got := dec.Seq.NumConversations(); got != 400 {
		t.Errorf("the tracker has %d conversations, want 400", got)
	}
}

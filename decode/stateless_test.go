package decode_test

import (
	"bytes"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/corpus"
)

// TestDecodeKeepsNothing: a Decoder without a tracker makes a packet of
// its frame alone, whatever it decoded before. The parallel pipeline
// decodes with one decoder per worker, each seeing other frames before a
// given one, so a field left over from the previous frame (a loopback
// family kept when the next header is not a family) would change the
// output with the batch boundaries. Every frame of the corpus is decoded
// after its predecessor and, by a second decoder, after its successor;
// the two JSON lines must be the same.
func TestDecodeKeepsNothing(t *testing.T) {
	dir := corpus.PcapDir(t)
	for _, rel := range corpus.Captures(t, dir) {
		frames := readFrames(t, filepath.Join(dir, rel))
		forward, backward := decode.NewDecoder(), decode.NewDecoder()
		forward.Seq, backward.Seq = nil, nil
		var p decode.Packet
		fwd := make([][]byte, len(frames))
		for i := range frames {
			forward.Decode(&frames[i], i+1, &p)
			fwd[i] = decode.AppendJSON(nil, &p)
		}
		bad := 0
		for i := len(frames) - 1; i >= 0; i-- {
			backward.Decode(&frames[i], i+1, &p)
			if got := decode.AppendJSON(nil, &p); !bytes.Equal(got, fwd[i]) && bad < 3 {
				bad++
				t.Errorf("%s frame %d decodes differently after frame %d than after frame %d:\n%s\n%s", rel, i+1, i+2, i, fwd[i], got)
			}
		}
	}
}

// readFrames reads every frame of a capture, each with its own bytes; it
// stops quietly at damage.
func readFrames(t *testing.T, path string) []capture.Frame {
	t.Helper()
	r, err := capture.Open(path)
	if err != nil {
		return nil
	}
	defer r.Close()
	var out []capture.Frame
	var f capture.Frame
	for r.Next(&f) == nil {
		g := f
		g.Data = bytes.Clone(f.Data)
		g.Options = bytes.Clone(f.Options)
		out = append(out, g)
	}
	return out
}

// TestTrackingIsAllTheTrackerWrites: on every frame of the corpus, decoding
// without a tracker and setting the Tracking that a decoder ForTracking gave
// the same frame gives the very Packet a full tracked decode gave, field
// for field: a pipeline that keeps only the Tracking and decodes again
// where it formats prints the same. A tracker that writes a field Tracking
// does not carry, or reads one ForTracking leaves out, fails here.
func TestTrackingIsAllTheTrackerWrites(t *testing.T) {
	dir := corpus.PcapDir(t)
	for _, rel := range corpus.Captures(t, dir) {
		frames := readFrames(t, filepath.Join(dir, rel))
		tracked, forTracking, plain := decode.NewDecoder(), decode.NewDecoder(), decode.NewDecoder()
		forTracking.ForTracking = true
		plain.Seq = nil
		var want, got, kept decode.Packet
		bad := 0
		for i := range frames {
			tracked.Decode(&frames[i], i+1, &want)
			forTracking.Decode(&frames[i], i+1, &kept)
			plain.Decode(&frames[i], i+1, &got)
			got.SetTracking(kept.Tracking())
			if !reflect.DeepEqual(got, want) && bad < 3 {
				bad++
				t.Errorf("%s frame %d: decoded again with its tracking\n%+v\nwant\n%+v", rel, i+1, got, want)
			}
		}
	}
}

package pipeline_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/capture/filter"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/pipeline"
	"github.com/sockscope/sockscope/internal/corpus"
)

// render runs a pipeline over path and prints every packet as text or
// JSON (with the tracker's analysis: relative seq/ack, expert flags, stream
// numbers), as replay does; it returns the output, what -w would have been
// given (frame bytes and numbers), and the error.
func render(t *testing.T, path string, json, parallel bool, batch int, expr string, count int) (string, string, error) {
	return renderMode(t, path, json, parallel, byRun, batch, expr, count)
}

// How renderMode takes the packets.
const (
	byRun    = iota // Run: the caller formats
	byBlocks        // RunBlocks: the workers format, the caller takes a batch's lines at once
)

// renderMode is render, taking the packets by Run or RunBlocks.
func renderMode(t *testing.T, path string, json, parallel bool, mode int, batch int, expr string, count int) (string, string, error) {
	t.Helper()
	r, err := capture.Open(path)
	if err != nil {
		return "", "", err // the same for both forms: compared by the caller
	}
	defer r.Close()
	m, err := filter.NewMatcher(expr)
	if err != nil {
		t.Fatal(err)
	}
	format := func() func([]byte, *decode.Packet) []byte {
		if json {
			return decode.AppendJSON
		}
		return decode.NewTextFormatter(time.UTC).Append
	}
	pl, err := pipeline.New(pipeline.File(r), pipeline.Config{
		Name: r.Name(), Filter: m, Parallel: parallel, BatchSize: batch, Format: format, Count: count,
	})
	if err != nil {
		return "", "", err
	}
	if parallel && !pl.Parallel() {
		t.Fatalf("Parallel: false with GOMAXPROCS %d", runtime.GOMAXPROCS(0))
	}
	var out, frames bytes.Buffer
	text := decode.NewTextFormatter(time.UTC)
	var line []byte
	switch mode {
	case byBlocks:
		swap := false
		err = pl.RunBlocks(context.Background(), func(b pipeline.Block) ([]byte, error) {
			start := 0
			for i, f := range b.Frames {
				if b.Ends[i] <= start || b.Lines[b.Ends[i]-1] != '\n' {
					t.Fatalf("line %d of a block ends at %d, after %d, not after a newline", i, b.Ends[i], start)
				}
				start = b.Ends[i]
				fmt.Fprintf(&frames, "%d %d.%09d %d %x\n", b.Numbers[i], f.Sec, f.Nsec, f.Len, f.Data)
			}
			if start != len(b.Lines) || len(b.Numbers) != len(b.Frames) || len(b.Ends) != len(b.Frames) {
				t.Fatalf("a block of %d frames, %d numbers, %d ends, %d bytes, the last line ending at %d", len(b.Frames), len(b.Numbers), len(b.Ends), len(b.Lines), start)
			}
			out.Write(b.Lines)
			// Every other block gives back a buffer of its own, as the
			// output writer does.
			if swap = !swap; swap {
				return make([]byte, 0, 16), nil
			}
			return b.Lines, nil
		})
	default:
		err = pl.Run(context.Background(), func(f *capture.Frame, p *decode.Packet) error {
			if json {
				line = decode.AppendJSON(line[:0], p)
			} else {
				line = text.Append(line[:0], p)
			}
			out.Write(append(line, '\n'))
			fmt.Fprintf(&frames, "%d %d.%09d %d %x\n", p.Number, f.Sec, f.Nsec, f.Len, f.Data)
			return nil
		})
	}
	fmt.Fprintf(&out, "retired %+v conns %d udp %d\n", pl.Tracker().Retired(), pl.Tracker().Conns(), pl.Tracker().UDPConvs())
	return out.String(), frames.String(), err
}

// TestParallelSameAsSequential: on every capture of the corpus, the
// two-stage form prints what the one-goroutine form prints, byte for byte
// and in the same order, as text and as JSON (analysis included), hands
// the same frames on for -w, and ends with the same error after the same
// packets on a damaged capture; with small batches too, so that batch
// boundaries fall everywhere, with a capture filter, and with RunBlocks,
// where the workers format.
func TestParallelSameAsSequential(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	dir := corpus.PcapDir(t)
	caps := corpus.Captures(t, dir)
	if len(caps) == 0 {
		t.Skipf("no captures in %s", dir)
	}
	for _, name := range caps {
		path := filepath.Join(dir, name)
		for _, json := range []bool{false, true} {
			for _, c := range []struct {
				batch int
				expr  string
				count int
			}{{0, "", 0}, {1, "", 0}, {2, "", 0}, {5, "udp or tcp", 0}, {3, "tcp", 0}, {64, "tcp", 0}, {0, "", 7}, {3, "tcp", 5}} {
				wantOut, wantFrames, wantErr := render(t, path, json, false, 0, c.expr, c.count)
				gotOut, gotFrames, gotErr := renderMode(t, path, json, true, byBlocks, c.batch, c.expr, c.count)
				what := fmt.Sprintf("%s json=%v batch=%d filter=%q count=%d", name, json, c.batch, c.expr, c.count)
				if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
					t.Errorf("%s: parallel error %v, sequential %v", what, gotErr, wantErr)
				}
				if gotOut != wantOut {
					d := firstDiff(gotOut, wantOut)
					t.Errorf("%s: parallel output differs from sequential at byte %d\ngot  %q\nwant %q", what, d, gotOut[max(0, d-300):min(len(gotOut), d+200)], wantOut[max(0, d-300):min(len(wantOut), d+200)])
				}
				if gotFrames != wantFrames {
					t.Errorf("%s: parallel frames differ from sequential at byte %d", what, firstDiff(gotFrames, wantFrames))
				}
			}
		}
	}
}

func firstDiff(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestParallelStopsOnError: an error from the caller's function ends
// RunBlocks with that error, after exactly the blocks before it, and the
// workers stop reading.
func TestParallelStopsOnError(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	path := writeConns(t, 50)
	r, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	format := func() func([]byte, *decode.Packet) []byte { return decode.AppendJSON }
	pl, err := pipeline.New(pipeline.File(r), pipeline.Config{Parallel: true, BatchSize: 4, Format: format})
	if err != nil {
		t.Fatal(err)
	}
	stop := fmt.Errorf("enough")
	seen := 0
	err = pl.RunBlocks(context.Background(), func(b pipeline.Block) ([]byte, error) {
		for _, n := range b.Numbers {
			seen++
			if n != seen {
				t.Fatalf("packet %d passed as number %d", seen, n)
			}
		}
		if seen == 12 {
			return b.Lines, stop
		}
		return b.Lines, nil
	})
	if err != stop || seen != 12 {
		t.Fatalf("RunBlocks = %v after %d packets, want %v after 12", err, seen, stop)
	}
	if pl.Read() >= 50*9 {
		t.Errorf("the workers read %d frames after the error, want it stopped early", pl.Read())
	}
}

// frameSource is a Source that reads one frame at a time only: it has no
// ReadBatch.
type frameSource struct{ r *capture.FileReader }

func (s frameSource) Next(_ context.Context, f *capture.Frame) error { return s.r.Next(f) }
func (s frameSource) LinkType() uint32                               { return s.r.LinkType() }

// TestRunBlocksNeedsBatches: the parallel form reads batches with
// ReadBatch, so on a source without it Parallel is false and RunBlocks
// refuses, while Run still reads every frame.
func TestRunBlocksNeedsBatches(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	r, err := capture.Open(writeConns(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	format := func() func([]byte, *decode.Packet) []byte { return decode.AppendJSON }
	pl, err := pipeline.New(frameSource{r}, pipeline.Config{Parallel: true, Format: format})
	if err != nil {
		t.Fatal(err)
	}
	if pl.Parallel() {
		t.Fatal("Parallel is true on a source without ReadBatch")
	}
	if err := pl.RunBlocks(context.Background(), func(b pipeline.Block) ([]byte, error) { return b.Lines, nil }); err == nil {
		t.Fatal("RunBlocks ran on a source without ReadBatch")
	}
	n := 0
	if err := pl.Run(context.Background(), func(*capture.Frame, *decode.Packet) error { n++; return nil }); err != nil || n == 0 {
		t.Fatalf("Run = %v after %d packets", err, n)
	}
}

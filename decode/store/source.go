package store

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/capture/filter"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/pipeline"
)

// The sources: one goroutine each, reading frames, decoding them with the
// connection tracker, and appending records to the store. They never wait
// for the screen: the views take what the store holds when they draw.

// Batches of the file index: records are added under the store's lock a
// batch at a time.
const (
	indexBatch     = 4096
	indexBatchTime = 20 * time.Millisecond
	// convEvery spaces the conversation snapshots a source publishes while
	// the conversations pane is open.
	convEvery = time.Second
)

// IndexFile reads the capture behind ir in order through a
// decode/pipeline (frames keep their number in the file), indexing every
// frame that m (nil: all) lets through, and returns at its end, on damage
// (the frames before it stay), or when ctx is cancelled. It returns the
// tracker, whose conversations the caller publishes (SetConvs) once the
// store is complete.
func IndexFile(ctx context.Context, s *Store, ir *capture.IndexedReader, m *filter.Matcher) (*decode.Tracker, error) {
	pl, err := pipeline.New(indexedSource{ir}, pipeline.Config{Name: ir.Name(), Filter: m, Limits: s.limits()})
	if err != nil {
		return nil, err
	}
	tr := pl.Tracker()
	var (
		recs   = make([]Record, 0, indexBatch)
		excs   []exception // only for the records with recExc
		exc    exception
		last   = time.Now()
		lastCv time.Time
		mem    = s.arena != nil
		off    int64 // the last frame's offset: how far the file has been read
	)
	flush := func(read int64) {
		if len(recs) > 0 || !mem {
			s.addBatch(recs, excs, read)
		}
		recs, excs = recs[:0], excs[:0]
		if n := tr.Retired().Total(); n > 0 {
			s.setRetired(n)
		}
		if s.convWanted.Load() && time.Since(lastCv) >= convEvery {
			s.SetConvs(tr)
			lastCv = time.Now()
		}
	}
	for {
		f, p, nerr := pl.Next(ctx)
		if nerr != nil {
			err = nerr
			break
		}
		off = f.Offset
		if mem {
			s.AddFrame(f, p)
			if pl.Read()&255 == 0 && time.Since(last) >= indexBatchTime {
				flush(off)
				last = time.Now()
			}
			continue
		}
		recs = recs[:len(recs)+1]
		if packRecordTo(p, uint64(off), &recs[len(recs)-1], &exc) {
			excs = append(excs, exc)
		}
		if len(recs) == indexBatch || len(recs)&255 == 0 && time.Since(last) >= indexBatchTime {
			flush(off)
			last = time.Now()
		}
	}
	flush(off)
	if errors.Is(err, io.EOF) {
		// The end of the file, or of ctx (the pipeline ends there too).
		err = ctx.Err()
	}
	return tr, err
}

// CaptureLive reads src through a decode/pipeline (frames numbered among
// the kept ones) until ctx is cancelled, re-checking each frame with m
// (the kernel strips VLAN tags before its filter sees them; a frame m
// cannot be run on is dropped).
func CaptureLive(ctx context.Context, s *Store, src FrameSource, m *filter.Matcher) error {
	pl, err := pipeline.New(liveSource{src}, pipeline.Config{Filter: m, Limits: s.limits(), Live: true})
	if err != nil {
		return err
	}
	var lastCv time.Time
	for {
		f, p, err := pl.Next(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, io.EOF) || errors.Is(err, capture.ErrLiveClosed) {
				return nil
			}
			return err
		}
		s.AddFrame(f, p)
		if s.convWanted.Load() && time.Since(lastCv) >= convEvery {
			s.SetConvs(pl.Tracker())
			lastCv = time.Now()
		}
	}
}

// FrameSource is a live source of frames: capture.LiveSource, or a test's.
type FrameSource interface {
	Next(ctx context.Context, f *capture.Frame) error
}

// limits is the store's flow limits for a source's tracker, with
// summaries: the conversations pane lists every flow, retired or not.
// nil keeps the tracker's defaults.
func (s *Store) limits() *decode.Limits {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.flows == nil {
		return nil
	}
	l := *s.flows
	l.Summaries = true
	return &l
}

// indexedSource adapts a capture.IndexedReader to a pipeline.Source. It
// reports no link type: the caller checks the filter against the file's
// before the screen (RunFile), and a filter that fails on a frame ends the
// index with "name: packet N: why", as before the pipeline.
type indexedSource struct{ ir *capture.IndexedReader }

func (s indexedSource) Next(_ context.Context, f *capture.Frame) error { return s.ir.Next(f) }
func (s indexedSource) LinkType() uint32                               { return 0 }

// liveSource adapts a FrameSource to a pipeline.Source (a live
// pipeline does not look at the link type).
type liveSource struct{ src FrameSource }

func (s liveSource) Next(ctx context.Context, f *capture.Frame) error { return s.src.Next(ctx, f) }
func (s liveSource) LinkType() uint32                                 { return 0 }

package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/capture/filter"
	"github.com/sockscope/sockscope/decode"
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

// IndexFile reads the capture behind ir in order, indexing every frame
// that m (nil: all) lets through, and returns at its end, on damage (the
// frames before it stay), or when ctx is cancelled. It returns the
// tracker, whose conversations the caller publishes (publishConvs) once
// the store is complete.
func IndexFile(ctx context.Context, s *Store, ir *capture.IndexedReader, m *filter.Matcher) (*decode.Tracker, error) {
	dec := decode.NewDecoder()
	s.setLimits(dec.Seq)
	var (
		f      capture.Frame
		p      decode.Packet
		recs   = make([]Record, 0, indexBatch)
		excs   []exception // only for the records with recExc
		exc    exception
		last   = time.Now()
		lastCv time.Time
		mem    = s.arena != nil
	)
	flush := func(read int64) {
		if len(recs) > 0 || !mem {
			s.addBatch(recs, excs, read)
		}
		recs, excs = recs[:0], excs[:0]
		if n := dec.Seq.Retired().Total(); n > 0 {
			s.setRetired(n)
		}
		if s.convWanted.Load() && time.Since(lastCv) >= convEvery {
			s.SetConvs(dec.Seq)
			lastCv = time.Now()
		}
	}
	var err error
	for n := 1; ; n++ {
		if n&1023 == 0 && ctx.Err() != nil {
			err = ctx.Err()
			break
		}
		if err = ir.Next(&f); err != nil {
			break
		}
		if m != nil && !m.MatchesAll() {
			ok, merr := m.Match(f.LinkType, f.Data, f.Len)
			if merr != nil {
				err = fmt.Errorf("%s: packet %d: %w", ir.Name(), n, merr)
				break
			}
			if !ok {
				continue
			}
		}
		dec.Decode(&f, n, &p)
		if mem {
			s.AddFrame(&f, &p)
			if n&255 == 0 && time.Since(last) >= indexBatchTime {
				flush(f.Offset)
				last = time.Now()
			}
			continue
		}
		recs = recs[:len(recs)+1]
		if packRecordTo(&p, uint64(f.Offset), &recs[len(recs)-1], &exc) {
			excs = append(excs, exc)
		}
		if len(recs) == indexBatch || len(recs)&255 == 0 && time.Since(last) >= indexBatchTime {
			flush(f.Offset)
			last = time.Now()
		}
	}
	flush(f.Offset)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return dec.Seq, err
}

// CaptureLive reads src until ctx is cancelled, re-checking each frame
// with m (the kernel strips VLAN tags before its filter sees them).
func CaptureLive(ctx context.Context, s *Store, src FrameSource, m *filter.Matcher) error {
	dec := decode.NewDecoder()
	s.setLimits(dec.Seq)
	var (
		f      capture.Frame
		p      decode.Packet
		lastCv time.Time
	)
	for n := 1; ; {
		if err := src.Next(ctx, &f); err != nil {
			if ctx.Err() != nil || errors.Is(err, capture.ErrLiveClosed) {
				return nil
			}
			return err
		}
		if m != nil && !m.MatchesAll() {
			if ok, _ := m.Match(f.LinkType, f.Data, f.Len); !ok {
				continue
			}
		}
		dec.Decode(&f, n, &p)
		n++
		s.AddFrame(&f, &p)
		if s.convWanted.Load() && time.Since(lastCv) >= convEvery {
			s.SetConvs(dec.Seq)
			lastCv = time.Now()
		}
	}
}

// FrameSource is a live source of frames: capture.LiveSource, or a test's.
type FrameSource interface {
	Next(ctx context.Context, f *capture.Frame) error
}

// setLimits gives tr the store's flow limits, with summaries: the
// conversations pane lists every flow, retired or not.
func (s *Store) setLimits(tr *decode.Tracker) {
	if s.flows != nil {
		l := *s.flows
		l.Summaries = true
		tr.SetLimits(l)
	}
}

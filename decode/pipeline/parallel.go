package pipeline

import (
	"context"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
)

// batch is a run of consecutive packets, taken from the source to their
// lines by the workers: they point into nothing but the batch itself.
type batch struct {
	numbers  []int           // each frame's number, as nextFrame gave it
	frames   []capture.Frame // Data and Options in arena (a frame larger than it: its own memory)
	tracking []decode.Tracking
	arena    []byte // frame bytes and options
	err      error  // the read error that came after these packets

	seq int // its place among the batches read

	// The lines, each with its newline, one after the other, and where
	// each ends.
	lines []byte
	ends  []int
	done  chan struct{} // signalled when the workers are done with it
}

// arenaBytes is the size of a batch's byte memory for size frames: 256
// bytes a frame, at least 64 KiB. Frames are larger on the whole (about 300
// bytes in the benchmark capture), so a batch mostly ends when its memory
// is full, not its frames.
func arenaBytes(size int) int { return max(size*256, 64<<10) }

// nBatches circulate: one being read, one being tracked, some being
// formatted, some waiting for the caller, one being passed on.
const nBatches = 6

// Block is a batch of consecutive packets as RunBlocks passes it on: their
// numbers, their frames (Data and Options valid until the BlockFunc
// returns), and their lines made by Config.Format one after the other,
// each with its newline, line i ending at Ends[i].
type Block struct {
	Numbers []int
	Frames  []capture.Frame
	Lines   []byte
	Ends    []int
}

// runBlocks is RunBlocks' parallel form: a worker per usable CPU, each
// doing whatever task is ready (see schedule.go): read the next batch
// from src into the batch's memory (filtering and numbering its frames;
// one worker at a time), track the next batch in order
// (decode each frame with the pipeline's decoder, whose tracker sees every
// packet in order, and keep only what the tracker wrote; one worker at a
// time), or format a tracked batch (decode each frame again with a decoder
// of the worker's own and no tracker, put the tracking back, and make its
// line). A packet is decoded twice, but each time into a Packet that stays
// in the cache of the core using it: handing kilobyte Packets from core to
// core cost more than decoding again (about 40 ns a frame on the fast
// path). The caller's goroutine passes the batches on in the order read.
func (p *Pipeline) runBlocks(ctx context.Context, src batchSource, fn BlockFunc) error {
	size := p.cfg.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	s := newSchedule(size)
	// The track task's packet: not p.p, which shares a cache line with
	// p.read and p.kept, counted by the read task for every frame on
	// another core at the same time.
	tracked := new(decode.Packet)
	p.dec.ForTracking = true // the formatting workers decode the rest
	defer func() { p.dec.ForTracking = false }()
	var most atomic.Int64 // see batch.format
	var workers sync.WaitGroup
	for range max(runtime.GOMAXPROCS(0), 1) {
		dec := decode.NewDecoder()
		dec.Seq = nil            // no tracker: the track task's Tracking is put back
		format := p.cfg.Format() // its own: a formatter may keep state
		pk := new(decode.Packet)
		workers.Add(1)
		go func() {
			defer workers.Done()
			for {
				t, b := s.next()
				switch t {
				case taskNone:
					return
				case taskRead:
					n, err := p.readBatch(ctx, src, b, size)
					s.read(b, n, err)
				case taskTrack:
					p.trackBatch(b, tracked)
					s.tracked(b)
				case taskFormat:
					b.format(dec, pk, format, &most)
					s.formatted(b)
				}
			}
		}()
	}
	go func() {
		workers.Wait()
		close(s.order)
	}()

	var err error
	for b := range s.order {
		<-b.done // the workers are done with it
		if err == nil {
			b.lines, err = fn(Block{Numbers: b.numbers, Frames: b.frames, Lines: b.lines, Ends: b.ends})
			if err == nil {
				err = b.err
			}
			if err != nil {
				s.stop() // the workers read no more; drain the rest
			}
		}
		s.release(b)
	}
	return err
}

// readBatch reads up to size frames from src into b's memory in one
// ReadBatch, then filters and numbers them (pass, as nextFrame does), keeping the
// frames that pass in place; it returns how many, and the error (io.EOF
// at the end) that stopped it short.
func (p *Pipeline) readBatch(ctx context.Context, src batchSource, b *batch, size int) (int, error) {
	b.numbers, b.frames, b.tracking = b.numbers[:size], b.frames[:size], b.tracking[:size]
	b.err = nil
	if ctx.Err() != nil {
		b.cut(0)
		return 0, io.EOF
	}
	n, readErr := src.ReadBatch(b.frames, b.arena[:cap(b.arena)])
	kept := 0
	for i := range n {
		if p.cfg.Count > 0 && p.kept >= p.cfg.Count {
			b.cut(kept)
			return kept, io.EOF
		}
		p.read++
		number, err := p.pass(&b.frames[i])
		if err != nil {
			b.cut(kept)
			return kept, err
		}
		if number == 0 {
			continue
		}
		b.frames[kept], b.numbers[kept] = b.frames[i], number
		kept++
	}
	b.cut(kept)
	if p.cfg.Count > 0 && p.kept >= p.cfg.Count {
		return kept, io.EOF
	}
	return kept, readErr
}

// cut keeps b's first n frames.
func (b *batch) cut(n int) {
	b.numbers, b.frames, b.tracking = b.numbers[:n], b.frames[:n], b.tracking[:n]
}

// trackBatch decodes b's frames in order into pk with the pipeline's
// decoder, so that its tracker sees them, and keeps what the tracker wrote.
func (p *Pipeline) trackBatch(b *batch, pk *decode.Packet) {
	// p.dec is loaded once: p's fields share cache lines with p.read and
	// p.kept, which the read task counts for every frame on another core.
	dec := p.dec
	for i := range b.frames {
		dec.Decode(&b.frames[i], b.numbers[i], pk)
		b.tracking[i] = pk.Tracking()
	}
}

// format makes the lines of b's packets, decoding each frame into pk with
// dec (which has no tracker) and putting its tracking back.
//
// most is the most bytes of lines a batch has taken so far, kept by the
// workers together: a buffer smaller than that is replaced at once by one
// an eighth larger, rather than grown by doubling as the lines come, which
// would touch twice the memory (fresh memory costs a page fault a page).
func (b *batch) format(dec *decode.Decoder, pk *decode.Packet, format func([]byte, *decode.Packet) []byte, most *atomic.Int64) {
	if want := int(most.Load()); cap(b.lines) < want {
		b.lines = make([]byte, 0, want+want/8)
	}
	b.lines, b.ends = b.lines[:0], b.ends[:0]
	for i := range b.frames {
		dec.Decode(&b.frames[i], b.numbers[i], pk)
		pk.SetTracking(b.tracking[i])
		b.lines = append(format(b.lines, pk), '\n')
		b.ends = append(b.ends, len(b.lines))
	}
	for n := int64(len(b.lines)); ; {
		m := most.Load()
		if n <= m || most.CompareAndSwap(m, n) {
			break
		}
	}
}

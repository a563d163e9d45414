package pipeline

import (
	"context"
	"runtime"
	"sync"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
)

// batch is a run of consecutive packets, taken from the source to their
// lines by the workers: they point into nothing but the batch itself.
type batch struct {
	numbers []int           // each frame's number, as nextFrame gave it
	frames  []capture.Frame // header fields; Data and Options in arena
	pkts    []decode.Packet
	arena   []byte // frame bytes, options, DNS names
	err     error  // the read error that came after these packets

	seq int // its place among the batches read

	// With RunBlocks, the lines, each with its newline, one after the
	// other, and where each ends.
	lines []byte
	ends  []int
	done  chan struct{} // signalled when the workers are done with it
}

// arenaChunk is the size of a batch's byte memory; a batch that needs more
// takes another chunk, and keeps the last one it took for its next use.
const arenaChunk = 512 << 10

// nBatches circulate: one being read, one being tracked, some being
// decoded or formatted, some waiting for the caller, one being passed on.
const nBatches = 6

// keep copies s into the batch's memory.
func (b *batch) keep(s []byte) []byte {
	if s == nil {
		return nil
	}
	if cap(b.arena)-len(b.arena) < len(s) {
		b.arena = make([]byte, 0, max(arenaChunk, len(s)))
	}
	start := len(b.arena)
	b.arena = append(b.arena, s...)
	return b.arena[start:len(b.arena):len(b.arena)]
}

// runParallel is Run's parallel form: a worker per usable CPU, each doing
// whatever task is ready (see schedule.go): read the next batch from the
// source (filtering and numbering its frames; one worker at a time),
// decode a batch read (with a decoder of its own), track the next batch
// in order (the decoder's tracker, set aside while Run runs, sees every
// packet in order; one worker at a time), or, with blockFn (RunBlocks),
// format a tracked batch's lines. No worker waits
// for a turn while another task is ready, so both cores stay busy though
// reading and tracking are done one batch at a time. The caller's
// goroutine passes the batches on in the order they were read.
func (p *Pipeline) runParallel(ctx context.Context, fn Func, blockFn BlockFunc) error {
	size := p.cfg.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	seq := p.dec.Seq
	p.dec.Seq = nil
	// Put back once every worker has ended (order is closed).
	defer func() { p.dec.Seq = seq }()

	s := newSchedule(size)
	formats := blockFn != nil
	var workers sync.WaitGroup
	for w := range max(runtime.GOMAXPROCS(0), 1) {
		dec := p.dec
		if w > 0 {
			dec = decode.NewDecoder()
			dec.Seq = nil
		}
		var format func([]byte, *decode.Packet) []byte
		if formats {
			format = p.cfg.Format() // its own: a formatter may keep state
		}
		workers.Add(1)
		go func() {
			defer workers.Done()
			for {
				t, b := s.next()
				switch t {
				case taskNone:
					return
				case taskRead:
					n, err := p.readBatch(ctx, b, size)
					s.read(b, n, err)
				case taskDecode:
					p.decodeBatch(dec, b)
					s.decoded(b)
				case taskTrack:
					if seq != nil {
						for i := range b.pkts {
							if pk := &b.pkts[i]; decode.Tracked(pk) {
								seq.Track(pk)
							}
						}
					}
					s.tracked(b, formats)
				case taskFormat:
					b.format(format)
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
			if blockFn != nil {
				b.lines, err = blockFn(b.frames, b.pkts, b.lines, b.ends)
			} else {
				for i := range b.pkts {
					if err = fn(&b.frames[i], &b.pkts[i]); err != nil {
						break
					}
				}
			}
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

// readBatch reads, filters and numbers up to size frames into b, copying
// their bytes into b's memory; it returns how many, and the error (io.EOF
// at the end) that stopped it short.
func (p *Pipeline) readBatch(ctx context.Context, b *batch, size int) (int, error) {
	b.numbers, b.frames, b.pkts = b.numbers[:size], b.frames[:size], b.pkts[:size]
	b.arena, b.err = b.arena[:0], nil
	for i := 0; i < size; i++ {
		number, err := p.nextFrame(ctx)
		if err != nil {
			b.numbers, b.frames, b.pkts = b.numbers[:i], b.frames[:i], b.pkts[:i]
			return i, err
		}
		b.numbers[i] = number
		f := &b.frames[i]
		*f = p.f
		f.Data = b.keep(p.f.Data)
		f.Options = b.keep(p.f.Options) // nil but for pcapng blocks with options (comments)
	}
	return size, nil
}

// decodeBatch decodes b's frames with dec. What a packet points to (its
// payload, its frame's options) is in the batch's memory already but the
// DNS name, which the decoder keeps, and is copied there.
func (p *Pipeline) decodeBatch(dec *decode.Decoder, b *batch) {
	for i := range b.frames {
		pk, f := &b.pkts[i], &b.frames[i]
		p.decode(dec, f, b.numbers[i], pk)
		if p.cfg.NoPayload {
			pk.Payload = nil
		}
		pk.DNS.QName = b.keep(pk.DNS.QName)
		if !p.cfg.KeepFrames {
			f.Data = nil
		}
	}
}

// format makes the lines of b's packets.
func (b *batch) format(format func([]byte, *decode.Packet) []byte) {
	b.lines, b.ends = b.lines[:0], b.ends[:0]
	for i := range b.pkts {
		b.lines = append(format(b.lines, &b.pkts[i]), '\n')
		b.ends = append(b.ends, len(b.lines))
	}
}

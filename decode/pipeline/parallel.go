package pipeline

import (
	"context"
	"io"
	"runtime"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
)

// batch is what stage 1 hands stage 2: packets that point into nothing
// but the batch itself.
type batch struct {
	pkts   []decode.Packet
	frames []capture.Frame // header fields; Data in arena with KeepFrames
	arena  []byte          // payloads, DNS names, frame bytes
	err    error           // the read error that came after these packets

	// With RunLines, once a formatter has formatted the batch: the lines,
	// each with its newline, one after the other, and where each ends;
	// done is signalled then.
	formatted bool
	lines     []byte
	ends      []int
	done      chan struct{}
}

// arenaChunk is the size of a batch's byte memory; a batch that needs more
// takes another chunk, and keeps the last one it took for its next use.
const arenaChunk = 256 << 10

// nBatches circulate: one being decoded, one being tracked, one being
// formatted by each formatter, one being passed on, and some queued.
const nBatches = 8

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

// runParallel is Run's staged form: stage 1 (read, filter, number,
// decode) and stage 2 (track) on goroutines of their own, and the caller's
// function on the caller's goroutine. The decoder's tracker is set aside
// while it runs, so that decoding does not wait for tracking. With lineFn
// (RunLines), the tracked batches are formatted by a pool of formatters,
// one per usable CPU, each batch by one of them, and the caller passes the
// lines on in the batches' order; formatting (JSON's above all) is then
// shared by every core instead of bounding the whole.
func (p *Pipeline) runParallel(ctx context.Context, fn Func, lineFn LineFunc) error {
	size := p.cfg.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	// No send on these blocks: there are only nBatches batches.
	free := make(chan *batch, nBatches)
	decoded := make(chan *batch, nBatches)
	tracked := make(chan *batch, nBatches) // in order, to the caller
	stop := make(chan struct{})
	for i := 0; i < nBatches; i++ {
		free <- &batch{pkts: make([]decode.Packet, size), frames: make([]capture.Frame, size), arena: make([]byte, 0, arenaChunk), done: make(chan struct{}, 1)}
	}
	var toFormat chan *batch // with lineFn: to the formatters, in any order
	if lineFn != nil {
		toFormat = make(chan *batch, nBatches)
		for range max(runtime.GOMAXPROCS(0), 1) {
			go func() {
				format := p.cfg.Format() // its own: a formatter may keep state
				for b := range toFormat {
					b.format(format)
					b.done <- struct{}{}
				}
			}()
		}
	}
	seq := p.dec.Seq
	p.dec.Seq = nil
	// Put back once both goroutines have ended (tracked is closed).
	defer func() { p.dec.Seq = seq }()
	// Stage 1: read, filter, number, decode.
	go func() {
		defer close(decoded)
		for {
			var b *batch
			select {
			case <-stop:
				return
			case b = <-free:
			}
			n, err := p.fill(ctx, b, size)
			b.pkts, b.frames = b.pkts[:n], b.frames[:n]
			b.formatted = false
			if err != nil {
				if err != io.EOF {
					b.err = err
				}
				decoded <- b
				return
			}
			decoded <- b
		}
	}()
	// Stage 2: track, then hand the batch to a formatter (with lineFn)
	// and, in order, to the caller.
	go func() {
		defer close(tracked)
		if toFormat != nil {
			defer close(toFormat)
		}
		for b := range decoded {
			if seq != nil {
				for i := range b.pkts {
					if pk := &b.pkts[i]; decode.Tracked(pk) {
						seq.Track(pk)
					}
				}
			}
			if toFormat != nil {
				toFormat <- b
			}
			tracked <- b
		}
	}()
	var err error
	for b := range tracked {
		if toFormat != nil {
			<-b.done // its formatter is done with it
		}
		if err == nil {
			if b.formatted {
				start := 0
				for i := range b.pkts {
					if err = lineFn(&b.frames[i], &b.pkts[i], b.lines[start:b.ends[i]]); err != nil {
						break
					}
					start = b.ends[i]
				}
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
				close(stop) // stage 1 ends at its next batch; drain the rest
			}
		}
		free <- b
	}
	return err
}

// fill decodes up to size packets into b; it returns how many, and the
// error (io.EOF at the end) that stopped it short.
func (p *Pipeline) fill(ctx context.Context, b *batch, size int) (int, error) {
	b.pkts, b.frames = b.pkts[:size], b.frames[:size]
	b.arena, b.err = b.arena[:0], nil
	for i := 0; i < size; i++ {
		pk := &b.pkts[i]
		if err := p.next(ctx, pk); err != nil {
			return i, err
		}
		if p.cfg.NoPayload {
			pk.Payload = nil
		} else {
			pk.Payload = b.keep(pk.Payload)
		}
		pk.DNS.QName = b.keep(pk.DNS.QName)
		pk.FrameOptions = b.keep(pk.FrameOptions) // nil but for pcapng comments
		f := &b.frames[i]
		*f = p.f
		if p.cfg.KeepFrames {
			f.Data = b.keep(p.f.Data)
		} else {
			f.Data = nil
		}
		f.Options = b.keep(p.f.Options) // nil but for pcapng blocks with options (comments)
	}
	return size, nil
}

// format makes the lines of b's packets.
func (b *batch) format(format func([]byte, *decode.Packet) []byte) {
	b.lines, b.ends = b.lines[:0], b.ends[:0]
	for i := range b.pkts {
		b.lines = append(format(b.lines, &b.pkts[i]), '\n')
		b.ends = append(b.ends, len(b.lines))
	}
	b.formatted = true
}

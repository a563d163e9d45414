package pipeline

import (
	"context"
	"io"
	"runtime"
	"sync"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
)

// batch is a run of consecutive packets that one worker takes from the
// source to its lines: they point into nothing but the batch itself.
type batch struct {
	numbers []int           // each frame's number, as nextFrame gave it
	frames  []capture.Frame // header fields; Data and Options in arena
	pkts    []decode.Packet
	arena   []byte // frame bytes, options, DNS names
	err     error  // the read error that came after these packets

	// prev is closed once the batch before this one is tracked, tracked
	// once this one is: the tracker takes the batches in order.
	prev, tracked chan struct{}

	// With RunLines, the lines, each with its newline, one after the
	// other, and where each ends.
	formatted bool
	lines     []byte
	ends      []int
	done      chan struct{} // signalled when the worker is done with it
}

// arenaChunk is the size of a batch's byte memory; a batch that needs more
// takes another chunk, and keeps the last one it took for its next use.
const arenaChunk = 512 << 10

// nBatches circulate: one being read, one being decoded, tracked or
// formatted by each worker, some waiting for the caller, one being passed
// on.
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

// runParallel is Run's parallel form. A worker per usable CPU takes a
// batch through every stage: it reads the batch's frames from the source
// (filtering and numbering them) while holding the source, decodes them
// with a decoder of its own, waits until the batch before is tracked and
// tracks this one (the decoder's tracker, set aside while Run runs, sees
// every packet in order), and, with lineFn or blockFn (RunLines,
// RunBlocks), formats the lines.
// The caller's goroutine passes the batches on in the order they were
// read. A batch stays on one worker from its read to its lines, so its
// bytes are in that core's cache when they are decoded and formatted;
// only reading and tracking take turns.
func (p *Pipeline) runParallel(ctx context.Context, fn Func, lineFn LineFunc, blockFn BlockFunc) error {
	size := p.cfg.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	// No send on these blocks: there are only nBatches batches.
	free := make(chan *batch, nBatches)
	order := make(chan *batch, nBatches) // in the order read, to the caller
	stop := make(chan struct{})
	for i := 0; i < nBatches; i++ {
		free <- &batch{
			numbers: make([]int, size), frames: make([]capture.Frame, size), pkts: make([]decode.Packet, size),
			arena: make([]byte, 0, arenaChunk), done: make(chan struct{}, 1),
		}
	}
	seq := p.dec.Seq
	p.dec.Seq = nil
	// Put back once every worker has ended (order is closed).
	defer func() { p.dec.Seq = seq }()

	var (
		source      sync.Mutex // held while reading; guards ended and lastTracked
		ended       bool       // the source has nothing more, or Run stops
		lastTracked = closedChan()
		workers     sync.WaitGroup
	)
	// read takes the source's next batch into b, and queues b for the
	// caller; false when there is nothing more to read.
	read := func(b *batch) bool {
		source.Lock()
		defer source.Unlock()
		select {
		case <-stop:
			ended = true
		default:
		}
		if ended {
			return false
		}
		n, err := p.readBatch(ctx, b, size)
		if err != nil {
			ended = true
			if err != io.EOF {
				b.err = err
			}
		}
		if n == 0 && b.err == nil {
			return false
		}
		b.prev, b.tracked = lastTracked, make(chan struct{})
		lastTracked = b.tracked
		order <- b
		return true
	}
	for w := range max(runtime.GOMAXPROCS(0), 1) {
		dec := p.dec
		if w > 0 {
			dec = decode.NewDecoder()
			dec.Seq = nil
		}
		var format func([]byte, *decode.Packet) []byte
		if lineFn != nil || blockFn != nil {
			format = p.cfg.Format() // its own: a formatter may keep state
		}
		workers.Add(1)
		go func() {
			defer workers.Done()
			for {
				b := <-free
				if !read(b) {
					free <- b
					return
				}
				p.decodeBatch(dec, b)
				<-b.prev
				if seq != nil {
					for i := range b.pkts {
						if pk := &b.pkts[i]; decode.Tracked(pk) {
							seq.Track(pk)
						}
					}
				}
				close(b.tracked)
				if format != nil {
					b.format(format)
				}
				b.done <- struct{}{}
			}
		}()
	}
	go func() {
		workers.Wait()
		close(order)
	}()

	var err error
	for b := range order {
		<-b.done // its worker is done with it
		if err == nil {
			if blockFn != nil {
				b.lines, err = blockFn(b.frames, b.pkts, b.lines, b.ends)
			} else if b.formatted {
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
				close(stop) // the workers read no more; drain the rest
			}
		}
		free <- b
	}
	return err
}

func closedChan() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}

// readBatch reads, filters and numbers up to size frames into b, copying
// their bytes into b's memory; it returns how many, and the error (io.EOF
// at the end) that stopped it short.
func (p *Pipeline) readBatch(ctx context.Context, b *batch, size int) (int, error) {
	b.numbers, b.frames, b.pkts = b.numbers[:size], b.frames[:size], b.pkts[:size]
	b.arena, b.err, b.formatted = b.arena[:0], nil, false
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
	b.formatted = true
}

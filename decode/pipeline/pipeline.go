package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/capture/filter"
	"github.com/sockscope/sockscope/decode"
)

// Source gives frames one at a time; Next returns io.EOF at the end.
// capture.LiveSource is one; File adapts a capture.FileReader.
type Source interface {
	Next(ctx context.Context, f *capture.Frame) error
	LinkType() uint32
}

// File adapts r, which reads without a context (a FileReader opened with
// OpenContext ends its reads when that context ends), to a Source.
func File(r *capture.FileReader) Source { return fileSource{r} }

type fileSource struct{ r *capture.FileReader }

func (s fileSource) Next(_ context.Context, f *capture.Frame) error { return s.r.Next(f) }
func (s fileSource) LinkType() uint32                               { return s.r.LinkType() }
func (s fileSource) ReadBatch(frames []capture.Frame, buf []byte) (int, error) {
	return s.r.ReadBatch(frames, buf)
}

// batchSource is a Source that can also read many frames at once into
// memory the caller gives (capture.FileReader.ReadBatch): RunBlocks reads
// its batches that way, and runs only on such a source.
type batchSource interface {
	ReadBatch(frames []capture.Frame, buf []byte) (int, error)
}

// Config says what a Pipeline does between the source and the caller.
type Config struct {
	// Name names the source in errors ("name: packet 7: …").
	Name string
	// Filter is the capture filter; nil, or one that matches all, keeps
	// every frame.
	Filter *filter.Matcher
	// Count stops the pipeline after this many kept packets; 0: no limit.
	Count int
	// NoDecode passes frames on undecoded (the Packet holds only the
	// frame's number, time and lengths): -w without printing.
	NoDecode bool
	// Limits are the tracker's limits; nil keeps decode.NewDecoder's.
	Limits *decode.Limits
	// Live is a live capture's numbering: frames are numbered among the
	// kept ones (a filtered-out frame has no number), a frame the filter
	// cannot be run on is dropped (the kernel ran the program already),
	// and the filter is not checked against the link type again.
	// Otherwise frames keep their number in the file, as with Wireshark's
	// display filter, and a filter error ends the reading.
	Live bool
	// Parallel lets RunBlocks use a worker per CPU (see the package doc)
	// when runtime.GOMAXPROCS allows two to run at once and the source is
	// a capture file (File).
	Parallel bool
	// BatchSize is the most frames a batch holds in RunBlocks;
	// 0: DefaultBatchSize.
	BatchSize int
	// Format makes a packet's line for RunBlocks: it returns a function
	// appending p's line to dst (without the newline). It is called once
	// per goroutine that formats, so the function it returns may keep
	// state (a TextFormatter's clock cache).
	Format func() func(dst []byte, p *decode.Packet) []byte
}

// DefaultBatchSize is the most frames a batch holds; its memory (see
// arenaBytes) usually fills first. Batches of room for 1,024, 2,048 and
// 4,096 frames replay the benchmark capture equally fast (alternating
// runs, text and JSON); the smallest takes the least memory (text replay
// 33 MiB resident against 37 and 39). JSON replay (lines of about 1 KB a
// packet) too is 3–10% faster in batches of 1,024 than of 512 (alternating
// runs, into a file and into /dev/null), at 52 MiB resident against 46 for
// the 10× benchmark capture.
const DefaultBatchSize = 1024

// Pipeline reads, filters, numbers, decodes and tracks packets. It
// belongs to one goroutine.
type Pipeline struct {
	src    Source
	cfg    Config
	filter bool // cfg.Filter drops some frames
	dec    *decode.Decoder
	f      capture.Frame
	p      decode.Packet
	read   int // frames read from the source
	kept   int // frames that passed the filter
}

// New returns a pipeline reading src. Unless cfg.Live, a filter the
// source's link type cannot take is refused here, before anything is
// read, as "name: why".
func New(src Source, cfg Config) (*Pipeline, error) {
	p := &Pipeline{src: src, cfg: cfg, dec: decode.NewDecoder()}
	p.filter = cfg.Filter != nil && !cfg.Filter.MatchesAll()
	if cfg.Limits != nil {
		p.dec.Seq.SetLimits(*cfg.Limits)
	}
	if p.filter && !cfg.Live && src.LinkType() != 0 {
		if _, err := cfg.Filter.Program(src.LinkType()); err != nil {
			return nil, fmt.Errorf("%s: %w", cfg.Name, err)
		}
	}
	return p, nil
}

// Tracker is the connection tracker that saw every packet passed on.
// With Run, read it once Run has returned.
func (p *Pipeline) Tracker() *decode.SeqTracker { return p.dec.Seq }

// Decoder is the pipeline's decoder (its TransportPayload, for one).
func (p *Pipeline) Decoder() *decode.Decoder { return p.dec }

// Read is the number of frames read from the source so far.
func (p *Pipeline) Read() int { return p.read }

// Kept is the number of frames passed on so far (that passed the filter).
func (p *Pipeline) Kept() int { return p.kept }

// Next returns the next kept frame and its packet, both reused by the
// next call. It returns io.EOF at the end of the source, after
// Config.Count packets, and when ctx has ended (looked at every 1024
// frames; a source that takes ctx ends its own waits); other errors are
// the source's, or a filter's "name: packet N: why".
func (p *Pipeline) Next(ctx context.Context) (*capture.Frame, *decode.Packet, error) {
	if err := p.next(ctx, &p.p); err != nil {
		return nil, nil, err
	}
	return &p.f, &p.p, nil
}

// next reads the next kept frame into p.f and decodes it into dst.
func (p *Pipeline) next(ctx context.Context, dst *decode.Packet) error {
	number, err := p.nextFrame(ctx)
	if err != nil {
		return err
	}
	p.decode(p.dec, &p.f, number, dst)
	return nil
}

// decode makes dst of f, the frame numbered number, with dec (or, with
// NoDecode, only the frame's number, time and lengths).
func (p *Pipeline) decode(dec *decode.Decoder, f *capture.Frame, number int, dst *decode.Packet) {
	if p.cfg.NoDecode {
		*dst = decode.Packet{
			Number: number, Sec: f.Sec, Nsec: f.Nsec, NoTime: f.NoTime,
			Len: f.Len, CapLen: len(f.Data), LinkType: f.LinkType,
		}
		return
	}
	dec.Decode(f, number, dst)
}

// nextFrame reads the next kept frame into p.f and returns its number.
func (p *Pipeline) nextFrame(ctx context.Context) (int, error) {
	for {
		if p.cfg.Count > 0 && p.kept >= p.cfg.Count {
			return 0, io.EOF
		}
		p.read++
		if p.read&1023 == 0 && ctx.Err() != nil {
			p.read--
			return 0, io.EOF
		}
		if err := p.src.Next(ctx, &p.f); err != nil {
			p.read--
			return 0, err
		}
		if number, err := p.pass(&p.f); number != 0 || err != nil {
			return number, err
		}
	}
}

// pass filters f, the p.read-th frame read, and counts it kept if it
// passes: it returns the frame's number, 0 if the filter drops it. A frame
// the filter cannot read is an error, but in a live capture, where it is
// dropped.
func (p *Pipeline) pass(f *capture.Frame) (int, error) {
	if p.filter {
		ok, err := p.cfg.Filter.Match(f.LinkType, f.Data, f.Len)
		if err != nil && !p.cfg.Live {
			return 0, fmt.Errorf("%s: packet %d: %w", p.cfg.Name, p.read, err)
		}
		if !ok {
			return 0, nil
		}
	}
	p.kept++
	if p.cfg.Live {
		return p.kept, nil
	}
	return p.read, nil
}

// Func takes one packet and its frame, both reused by the next packet:
// copy what is kept.
type Func func(f *capture.Frame, pk *decode.Packet) error

// BlockFunc takes a Block of consecutive packets. It returns the buffer
// the pipeline formats later lines into: b.Lines itself once it is done
// with it, or one it gives in exchange (a writer that keeps lines to
// write them later). Everything b holds stays valid until it returns.
type BlockFunc func(b Block) ([]byte, error)

// RunBlocks is Run for callers that print every packet with
// Config.Format: the workers format the tracked batches, so formatting
// (JSON's costs more than decoding and tracking together) is shared by
// every core, and the caller takes a batch's lines at once, in the
// packets' order. Only the parallel form has batches: without it
// (Parallel false) RunBlocks refuses to run.
func (p *Pipeline) RunBlocks(ctx context.Context, fn BlockFunc) error {
	src, ok := p.src.(batchSource)
	if !ok || !p.Parallel() {
		return errors.New("pipeline: RunBlocks without the parallel form")
	}
	return p.runBlocks(ctx, src, fn)
}

// Parallel reports whether RunBlocks can run: Config.Parallel, two usable
// CPUs, and a source that reads batches (a capture file's).
func (p *Pipeline) Parallel() bool {
	_, batches := p.src.(batchSource)
	return p.cfg.Parallel && batches && runtime.GOMAXPROCS(0) >= 2
}

// Run passes every packet to fn in order, and returns nil at the end of
// the source (or Count, or ctx's end, as Next), the first error of fn, or
// the source's error once every packet read before it has been passed on.
func (p *Pipeline) Run(ctx context.Context, fn Func) error {
	for {
		f, pk, err := p.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(f, pk); err != nil {
			return err
		}
	}
}

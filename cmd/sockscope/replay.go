package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/capture/filter"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/pipeline"
	"github.com/sockscope/sockscope/internal/hugepages"
)

const replayUsage = `Usage: sockscope replay FILE|- [--no-ui] [--json] [-c COUNT] [-w OUT [-U]] [EXPRESSION]

Reads a pcap or pcapng capture (gzip-compressed or not; "-" reads stdin) and
prints one line per packet. The format is detected from the file's contents,
not its name.

On a terminal, replay opens the inspector (packet list, details, hex,
conversations, Follow, ladder; ? lists the keys); --no-ui, --json, -w, -c or
a pipe print text instead.

EXPRESSION is a capture filter in tcpdump's syntax ('tcp port 80',
'host 10.0.0.1 and not arp'): only matching packets are printed and written,
keeping their numbers in the file.

Options:
  --speed max|F  in the inspector, replay at capture timing × F (default max)
  --max-packets N  packets the inspector keeps in memory (gzip, stdin)
  -Y FILTER   inspector display filter over the JSON field names
  --lang en|zh  the inspector's own words (default: from LANG)
  --no-ui     one line per packet in tcpdump's -n style, relative seq/ack
  --json      one JSON object per line, keys named as Wireshark's fields
              (frame.number, ip.src, tcp.seq, ...; see README.md)
  -c COUNT    stop after COUNT packets
  -w OUT      also write the packets read to OUT: pcapng, or classic pcap
              (nanosecond timestamps) when OUT ends in .pcap; with -w and
              neither --no-ui nor --json, nothing is printed
  -U          packet-buffered: flush -w after every packet, and print each
              line at once (from a pipe, lines go out at least every
              100 ms and -w at least every second anyway)
`

type replayOptions struct {
	path   string
	filter *filter.Matcher
	outputOptions
	analysis analysisOptions // --conversations, --follow, --ladder (analysis.go)
	ui       *inspectorFlags // --speed, --max-packets, -Y (ui_inspector.go)
}

func parseReplay(args []string, stdout, stderr io.Writer) (*replayOptions, error) {
	o := &replayOptions{outputOptions: outputOptions{stdout: stdout, stderr: stderr}}
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&o.noUI, "no-ui", false, "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.IntVar(&o.count, "c", 0, "")
	fs.StringVar(&o.out, "w", "", "")
	fs.BoolVar(&o.packetBuffered, "U", false, "")
	o.flows.register(fs)
	o.analysis.register(fs)
	o.ui = addInspectorFlags(fs, true)
	// Flags may come before or after FILE, as with tcpdump.
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, helpPrinted(fmt.Fprint(stdout, replayUsage, flowUsage, analysisUsage))
		}
		return nil, usageError("replay: %v (run \"sockscope replay --help\")", err)
	}
	switch {
	case len(positional) == 0:
		return nil, usageError("replay: name a capture file, or - for stdin (run \"sockscope replay --help\")")
	case o.count < 0:
		return nil, usageError("replay: -c wants a positive packet count, got %d", o.count)
	case o.noUI && o.json:
		return nil, usageError("replay: choose one of --no-ui and --json")
	}
	if _, err := o.ui.options(); err != nil { // refused in every mode, not only the inspector
		return nil, err
	}
	if err := o.ui.checkDisplayOnly(&o.outputOptions); err != nil {
		return nil, err
	}
	if o.ui.display != "" && o.analysis.active() {
		return nil, usageError("replay: -Y filters the inspector's packet list; --conversations, --follow and --ladder take a capture filter EXPRESSION")
	}
	if err := o.analysis.check(&o.outputOptions); err != nil {
		return nil, err
	}
	if err := o.flows.check(); err != nil {
		return nil, err
	}
	o.path = positional[0]
	if err := checkOutput("replay", o.out, printedOutput(o.noUI, o.json), stdout, o.path); err != nil {
		return nil, err
	}
	if o.filter, err = newFilter(positional[1:]); err != nil {
		return nil, err
	}
	return o, nil
}

func runReplay(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	o, err := parseReplay(args, stdout, stderr)
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) && ee.code == 0 {
			return nil
		}
		return err
	}
	if wantInspector(&o.outputOptions) && !o.analysis.active() {
		return runReplayUI(ctx, o, o.ui)
	}
	// The Context variants: a FIFO, a pipe or a terminal can wait forever
	// for bytes, and Ctrl-C must end that wait (regular files read as
	// capture.Open reads them).
	var r *capture.FileReader
	if o.path == "-" {
		r, err = capture.NewReaderContext(ctx, stdin, "stdin")
	} else {
		r, err = capture.OpenContext(ctx, o.path)
	}
	if err != nil {
		if cancelled(ctx, err) {
			return nil // Ctrl-C before the first byte: a normal end
		}
		return err
	}
	defer r.Close()
	in, known := inputInfo(o.path, stdin)
	o.live = inputMayPause(in, known) // sink.go: flush on a timer
	if bigFile(in, known) {
		// A long replay's batches, tracker and output churn through ~15
		// MiB of heap: in 2 MiB pages, that is about 3,000 page faults
		// fewer (4–5% of a replay's time on the machine measured, README
		// "Speed"). A short one would pay for whole huge pages it barely
		// uses (a small capture: +4 ms, +9 MiB resident).
		hugepages.Heap(32 << 20)
	}
	if o.analysis.active() {
		err = runAnalysis(ctx, r, &o.analysis, o.filter, &o.outputOptions)
	} else {
		err = replay(ctx, r, o)
	}
	if cancelled(ctx, err) {
		return nil // what was read is printed: Ctrl-C ends as EOF does
	}
	return err
}

// bigFile reports whether the input inputInfo described is a regular
// file of at least 32 MiB: a replay long enough for hugepages.Heap to pay.
func bigFile(fi os.FileInfo, known bool) bool {
	return known && fi.Mode().IsRegular() && fi.Size() >= 32<<20
}

// cancelled reports whether err is a read that ctx's end cut short.
func cancelled(ctx context.Context, err error) bool {
	return err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err())
}

// replay reads every frame of r through the pipeline (filter, numbering,
// decode, track), prints it and writes it to -w. On damage it keeps what
// came before: the output is flushed and the writer closed before the
// error is returned. Printing a regular file into a file or a pipe takes
// the pipeline's two-goroutine form (decode/pipeline); its output is the
// same, byte for byte.
func replay(ctx context.Context, r *capture.FileReader, o *replayOptions) (err error) {
	limits := o.flows.limits(false)
	var s *sink // made once the filter is known to fit the link type
	pl, err := pipeline.New(pipeline.File(r), pipeline.Config{
		Format:   func() func([]byte, *decode.Packet) []byte { return s.format() },
		Name:     r.Name(),
		Filter:   o.filter,
		Count:    o.count,
		NoDecode: !o.printing(),
		Limits:   &limits,
		Parallel: o.parallel(),
	})
	if err != nil {
		// An expression the file's link type cannot take ("vlan" on
		// Linux cooked capture), refused before anything is printed.
		return err
	}
	if s, err = newSink(ctx, &o.outputOptions, r.LinkType()); err != nil {
		return err
	}
	s.seq = pl.Tracker()
	defer func() { err = s.close(err) }()
	if pl.Parallel() {
		// Every worker formats (JSON costs more to format than to
		// decode), and the output takes each batch's lines whole.
		err = pl.RunBlocks(ctx, s.takeBlock)
	} else {
		err = pl.Run(ctx, s.take)
	}
	if err != nil && !cancelled(ctx, err) {
		return err
	}
	return nil
}

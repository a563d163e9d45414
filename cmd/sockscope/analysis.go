package main

import (
	"context"
	"errors"
	"flag"
	"io"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/capture/filter"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/pipeline"
)

// The conversation views of replay: --conversations, --follow, --ladder.

const analysisUsage = `
Conversation views (instead of the packet list):
  --conversations   one row per TCP and UDP conversation: endpoints (A opened
                    it), state, handshake, teardown, RTT, packets and bytes
                    each way, duration, retransmissions; with --json one
                    object per conversation (conv.* keys)
  --follow CONV     the payload of one conversation, both directions in
                    delivery order, retransmissions and overlaps resolved,
                    gaps marked
  --ladder CONV     the sequence diagram of one conversation: one arrow per
                    packet with flags, relative seq/ack, length, expert
                    flags and time; the endpoint states beside each lane
  --format F        for --follow: ascii (default), hex, or raw (exactly the
                    bytes, nothing else; into a file or a pipe, never onto a
                    terminal); for --ladder: text (default),
                    mermaid (a Mermaid sequenceDiagram for Markdown), html
                    (one self-contained page: the ladder with payload
                    previews, each side's bytes in flight and window over
                    time) or svg (the picture alone, for slides)
  CONV is a tcp.stream number N, tcp:N, or udp:N (udp.stream).
`

// analysisOptions are the conversation-view flags of replay.
type analysisOptions struct {
	conversations bool
	follow        string // CONV, "" if not asked
	ladder        string
	format        string

	conv         decode.ConvRef
	followFormat decode.FollowFormat
	mermaid      bool
	page         string // "html" or "svg" (ui/page)
}

// register adds the flags to fs.
func (a *analysisOptions) register(fs *flag.FlagSet) {
	fs.BoolVar(&a.conversations, "conversations", false, "")
	fs.StringVar(&a.follow, "follow", "", "")
	fs.StringVar(&a.ladder, "ladder", "", "")
	fs.StringVar(&a.format, "format", "", "")
}

// active reports whether a conversation view was asked for.
func (a *analysisOptions) active() bool {
	return a.conversations || a.follow != "" || a.ladder != ""
}

// check validates the flags together with replay's others and parses
// CONV and --format.
func (a *analysisOptions) check(o *outputOptions) error {
	views := 0
	for _, on := range []bool{a.conversations, a.follow != "", a.ladder != ""} {
		if on {
			views++
		}
	}
	switch {
	case views == 0 && a.format != "":
		return usageError("replay: --format goes with --follow or --ladder")
	case views == 0:
		return nil
	case views > 1:
		return usageError("replay: choose one of --conversations, --follow and --ladder")
	case o.out != "":
		return usageError("replay: -w writes packets; it does not go with --conversations, --follow or --ladder")
	case o.json && !a.conversations:
		return usageError("replay: --json goes with --conversations (use --format for --follow and --ladder)")
	case a.conversations && a.format != "":
		return usageError("replay: --format goes with --follow or --ladder; --conversations prints a table, or JSON with --json")
	}
	conv := a.follow
	if a.ladder != "" {
		conv = a.ladder
	}
	if conv != "" {
		c, err := decode.ParseConvRef(conv)
		if err != nil {
			return usageError("replay: %v", err)
		}
		a.conv = c
	}
	if a.follow != "" {
		f, err := decode.ParseFollowFormat(a.format)
		if err != nil {
			return usageError("replay: --follow: %v", err)
		}
		a.followFormat = f
		if f == decode.FollowRaw {
			if err := refuseRawOnTerminal(o.stdout); err != nil {
				return err
			}
		}
	}
	if a.ladder != "" {
		switch a.format {
		case "", "text":
		case "mermaid":
			a.mermaid = true
		case "html", "svg":
			a.page = a.format
		default:
			return usageError("replay: --ladder: format %q: want text, mermaid, html or svg", a.format)
		}
	}
	return nil
}

// runAnalysis prints the conversation view a asks for, of the frames of r
// that match m (nil: all), stopping after o.count of them if set. Like the
// packet list, a capture filter makes the tracker see only the matching
// packets, so stream numbers count the conversations among those; the
// pipeline (decode/pipeline) filters, numbers and decodes, as for the
// packet list. --follow and --ladder of a TCP connection stop reading
// shortly after it is over (decode.ConvEndGrace).
func runAnalysis(ctx context.Context, r *capture.FileReader, a *analysisOptions, m *filter.Matcher, o *outputOptions) (err error) {
	// The packet list's limits, so the stream numbers are its own; the
	// conversation list keeps a row per retired flow, the others none
	// (memory bounded), as in the packet list.
	limits := o.flows.limits(a.conversations)
	pl, err := pipeline.New(pipeline.File(r), pipeline.Config{Name: r.Name(), Filter: m, Count: o.count, Limits: &limits})
	if err != nil {
		return err
	}
	// Written from a goroutine, so that after Ctrl-C neither a full pipe
	// nor a slow terminal holds the process (asyncWriter), and cut short
	// outputGrace after Ctrl-C (rowWriter): a million rows take seconds.
	aw := newAsyncWriter(ctx, o.stdout, 64<<10)
	defer func() {
		if ferr := aw.Close(); err == nil {
			err = ferr
		}
	}()
	out := &rowWriter{a: aw}
	switch {
	case a.conversations:
		return printConversations(ctx, pl, o, out)
	case a.follow != "":
		p := decode.NewFollowPrinter(out, a.followFormat)
		res, err := decode.FollowPackets(ctx, pl, a.conv, limits, p.Chunk)
		var nc *decode.NoConversationError
		if errors.As(err, &nc) {
			return err
		}
		return errors.Join(err, p.Close(res))
	case a.page != "":
		return writeLadderPage(ctx, pl, a, limits, out)
	default:
		l, err := decode.BuildLadderPackets(ctx, pl, a.conv, limits)
		if l == nil {
			return err
		}
		if a.mermaid {
			return errors.Join(l.WriteMermaid(out), err)
		}
		return errors.Join(l.WriteText(out), err)
	}
}

// rowWriter is the output of the conversation views, which write a row (a
// conversation, a ladder row, a Follow chunk) at a time: every
// rowsPerCheck rows it ends the printing with ctx's error once outputGrace
// has passed since Ctrl-C or SIGTERM.
type rowWriter struct {
	a *asyncWriter
	n int
}

const rowsPerCheck = 256

func (w *rowWriter) Write(p []byte) (int, error) {
	if w.n++; w.n%rowsPerCheck == 0 && w.a.expired() {
		return 0, w.a.ctx.Err()
	}
	return w.a.Write(p)
}

// printConversations reads pl to the end and prints every conversation
// the tracker found: a table, or one JSON object per line.
func printConversations(ctx context.Context, pl *pipeline.Pipeline, o *outputOptions, w io.Writer) error {
	asJSON := o.json
	dec := pl.Decoder()
	defer func() { reportRetired(o.stderr, dec.Seq.Retired()) }()
	var readErr error
	for {
		if _, _, err := pl.Next(ctx); err != nil {
			if !errors.Is(err, io.EOF) {
				readErr = err // print what was read, then the error
			}
			break
		}
	}
	var line []byte
	if !asJSON {
		line = append(decode.AppendConversationHeader(line), '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	// One at a time: a million retired flows are compact rows, not a
	// million Conversations at once.
	err := dec.Seq.EachConversation(func(c *decode.Conversation) error {
		if asJSON {
			line = decode.AppendConversationJSON(line[:0], c)
		} else {
			line = decode.AppendConversationRow(line[:0], c)
		}
		_, err := w.Write(append(line, '\n'))
		return err
	})
	if err != nil {
		return err
	}
	return readErr
}

package inspector

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/capture/filter"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/store"
)

// Options configure the inspector (RunFile, RunLive).
type Options struct {
	// Speed is the replay speed of a file: packets appear at their capture
	// times × Speed (1 = as captured). 0 means "max": everything at once,
	// as fast as it is indexed. + and - change it while running.
	Speed float64
	// MaxPackets bounds the packets kept in memory for live captures,
	// compressed files and stdin (0: DefaultMaxPackets); the oldest go
	// first and the status bar counts them. An uncompressed file is
	// indexed whole (48 bytes a packet) and read again as needed.
	MaxPackets int
	// MaxBytes bounds the frame bytes kept in memory (0: DefaultMaxBytes).
	MaxBytes int64
	// Flows bounds the connection tracker (decode.Limits; nil: the
	// defaults). Summaries are always kept: the conversations pane lists
	// every flow.
	Flows *decode.Limits
	// Lang is "en" or "zh": the language of the inspector's own words.
	Lang string
	// Screen is the screen to draw on; nil means the terminal. Tests give
	// a tcell.SimulationScreen.
	Screen tcell.Screen
	// Filter is a capture filter (tcpdump syntax) for RunFile: only the
	// packets it matches are shown, with their numbers in the file.
	Filter *filter.Matcher
	// DisplayFilter is a display filter to start with (as typed after /).
	DisplayFilter string
	// Opened, if set, is called by RunLive once the capture is open and
	// before anything else: capture -Z drops root there. Its error ends
	// RunLive.
	Opened func() error

	// started, if set, is called once the application and the inspector
	// exist, before the application runs (tests).
	started func(*tview.Application, *inspector)
}

// RunFile shows a capture file ("-" reads standard input) in the
// inspector and returns when the person quits (q) or ctx is cancelled,
// with the terminal restored. An uncompressed file is indexed in the
// background (an offset per packet) and read again for what is on
// screen; a compressed file or standard input cannot be read at random, so
// its packets are kept in memory as a live capture's are (bounded by
// MaxPackets and MaxBytes), and the status bar says so. A damaged file
// shows every packet before the damage; the damage is then returned.
//
// A FIFO, a pipe or a terminal may give no byte for a long time: for them
// the inspector comes up at once, saying it waits for data, and opens the
// input in the background (runStream), so that q and Ctrl-C work from the
// start.
func RunFile(ctx context.Context, path string, opts Options) error {
	if wait, err := mayWait(path); err != nil || wait {
		if err != nil {
			return err
		}
		return runStream(ctx, path, opts)
	}
	ir, err := capture.OpenIndexed(path)
	if err != nil {
		return err
	}
	if m := opts.Filter; m != nil && !m.MatchesAll() && ir.LinkType() != 0 {
		// An expression the file's link type cannot take ("vlan" on
		// Linux cooked frames) fails here, before the screen, as in text.
		if _, err := m.Program(ir.LinkType()); err != nil {
			ir.Close()
			return fmt.Errorf("%s: %w", ir.Name(), err)
		}
	}
	var s *store.Store
	if ir.Seekable() {
		s = store.NewFile(ir, path)
	} else {
		s = store.NewMem(ir.Name(), false, opts.maxPackets(), opts.maxBytes())
		s.SetNote(opts.memNote(ir.Format(), path))
	}
	s.SetSource(filepath.Base(ir.Name()))
	defer ir.Close()
	return runInspector(ctx, s, opts, func(ctx context.Context) error {
		tr, err := store.IndexFile(ctx, s, ir, opts.Filter)
		s.Finish(err) // the count is final: say so before the conversations
		s.SetConvs(tr)
		return err
	}, nil)
}

// RunLive captures from an interface (capture.OpenLive(lo); lo.Filter is
// the kernel's program) and shows the packets as they come; m, if not
// nil, is the same filter run again in Go on each frame (the kernel strips
// VLAN tags before its filter sees them). The capture goes on while the
// view is paused. The capture's errors (no permission, no such interface)
// come back before the screen is touched.
func RunLive(ctx context.Context, lo capture.LiveOptions, m *filter.Matcher, opts Options) error {
	src, err := capture.OpenLive(lo)
	if err != nil {
		return err
	}
	defer src.Close()
	if opts.Opened != nil {
		if err := opts.Opened(); err != nil {
			return err
		}
	}
	s := store.NewMem(src.Interface(), true, opts.maxPackets(), opts.maxBytes())
	if m != nil && !m.MatchesAll() {
		note := opts.tr("capture filter: ", "抓包过滤器：") + filterNote(m.String())
		if lo.Filter == nil {
			// Too long for the kernel (capture.ErrFilterTooLong): m
			// alone filters, in user space.
			note += opts.tr(" (in user space)", "（在用户态过滤）")
		}
		s.SetNote(note)
	}
	return runInspector(ctx, s, opts, func(ctx context.Context) error {
		return store.CaptureLive(ctx, s, src, m)
	}, src.Stats)
}

// filterNote is a capture filter cut to 60 characters for the status bar,
// which must still show the keys hint after a 40 KB expression.
func filterNote(expr string) string {
	if r := []rune(expr); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return expr
}

// Defaults for the memory store's bounds.
const (
	DefaultMaxPackets = store.DefaultMaxPackets
	DefaultMaxBytes   = store.DefaultMaxBytes
)

// tr returns en, or zh when the inspector speaks 中文.
func (o *Options) tr(en, zh string) string {
	if o.Lang == "zh" {
		return zh
	}
	return en
}

// memNote says why a file's packets are kept in memory.
func (o *Options) memNote(format, path string) string {
	switch {
	case strings.Contains(format, "gzip"):
		return o.tr("in memory: a compressed file cannot be read at random", "在内存中：压缩文件无法随机读取")
	case path == "-":
		return o.tr("in memory: standard input cannot be read at random", "在内存中：标准输入无法随机读取")
	}
	return o.tr("in memory: not a regular file", "在内存中：不是普通文件")
}

func (o *Options) maxPackets() uint64 {
	if o.MaxPackets > 0 {
		return uint64(o.MaxPackets)
	}
	return DefaultMaxPackets
}

func (o *Options) maxBytes() int64 {
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	return DefaultMaxBytes
}

// runInspector runs the application around store s while source (its own
// goroutine) fills s.
//
// Goroutines: the source; the refresh loop (snapshots of the store at ≤ 20
// Hz, applied with QueueUpdateDraw); background jobs (display filter,
// follow, ladder), each cancelled by the next of its kind; and a stopper
// that, once ctx is done (q, Ctrl-C, the caller), waits for the refresh
// loop and the jobs to leave — they may be inside QueueUpdateDraw, which
// needs the event loop — and only then stops the application. Key
// handlers never wait for anything: they change state and cancel.
func runInspector(ctx context.Context, s *store.Store, opts Options, source func(context.Context) error, stats func() (capture.LiveStats, error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	app := tview.NewApplication()
	if opts.Screen != nil {
		app.SetScreen(opts.Screen)
	}
	s.SetFlowLimits(opts.Flows)
	ins := newInspector(ctx, app, s, opts, cancel)
	ins.liveStats = stats
	if opts.started != nil {
		opts.started(app, ins)
	}

	var srcDone sync.WaitGroup
	srcDone.Add(1)
	go func() {
		defer srcDone.Done()
		s.Finish(source(ctx))
	}()
	ins.bg.Add(1)
	go func() {
		defer ins.bg.Done()
		ins.refreshLoop(ctx)
	}()
	if opts.DisplayFilter != "" {
		ins.applyFilter(opts.DisplayFilter)
	}

	runDone := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-runDone:
			return
		}
		ins.mu.Lock()
		ins.closing = true
		ins.mu.Unlock()
		ins.bg.Wait()
		// Stop only once the application has drawn: Stop before Run
		// would close the screen, and Run would open the terminal anew.
		select {
		case <-ins.drawn:
			app.Stop()
		case <-runDone:
		}
	}()
	runErr := app.Run()
	close(runDone)
	cancel()
	waitFor(&ins.bg, 2*time.Second) // normally at once; a job stuck in QueueUpdateDraw after a failed Run is left behind
	srcDone.Wait()
	if runErr != nil {
		return runErr
	}
	return s.Err()
}

// waitFor waits for wg, at most d.
func waitFor(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
	}
}

package ui

import (
	"context"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/capture/filter"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/ui/demoview"
	"github.com/sockscope/sockscope/ui/inspector"
	"github.com/sockscope/sockscope/ui/picker"
)

// Options configure the inspector (RunFile, RunLive) and the demo picker
// (RunPicker); each takes the fields it knows.
type Options struct {
	// Speed is the replay speed of a file (inspector.Options.Speed).
	Speed float64
	// MaxPackets and MaxBytes bound what the inspector keeps in memory
	// for live captures, compressed files and stdin (0: the defaults).
	MaxPackets int
	MaxBytes   int64
	// Flows bounds the connection tracker (nil: the defaults).
	Flows *decode.Limits
	// Lang is "en" or "zh": the language of every view's own words.
	Lang string
	// Screen is the screen to draw on; nil means the terminal.
	Screen tcell.Screen
	// Filter is a capture filter for RunFile.
	Filter *filter.Matcher
	// DisplayFilter is a display filter to start with (as typed after /).
	DisplayFilter string
	// Pace is the demo pace for RunPicker (see DemoViewOptions.Pace).
	Pace time.Duration
	// Interface is the capture interface for the picker's demos ("" = lo).
	Interface string
	// Opened, if set, is called by RunLive once the capture is open
	// (inspector.Options.Opened).
	Opened func() error
}

func (o Options) inspector() inspector.Options {
	return inspector.Options{
		Speed: o.Speed, MaxPackets: o.MaxPackets, MaxBytes: o.MaxBytes, Flows: o.Flows,
		Lang: o.Lang, Screen: o.Screen, Filter: o.Filter, DisplayFilter: o.DisplayFilter, Opened: o.Opened,
	}
}

// DemoViewOptions configure RunDemo.
type DemoViewOptions = demoview.Options

// RunDemo shows demo d in the demo view, running it with a live capture
// (demoview.Run).
func RunDemo(ctx context.Context, d *demos.Demo, opts DemoViewOptions) error {
	return demoview.Run(ctx, d, opts)
}

// RunFile shows a capture file ("-": standard input) in the inspector
// (inspector.RunFile).
func RunFile(ctx context.Context, path string, opts Options) error {
	return inspector.RunFile(ctx, path, opts.inspector())
}

// RunLive captures from an interface into the inspector (inspector.RunLive).
func RunLive(ctx context.Context, lo capture.LiveOptions, m *filter.Matcher, opts Options) error {
	return inspector.RunLive(ctx, lo, m, opts.inspector())
}

// RunPicker shows the list of demos, each run in the demo view (picker.Run).
func RunPicker(ctx context.Context, opts Options) error {
	return picker.Run(ctx, picker.Options{Lang: opts.Lang, Pace: opts.Pace, Interface: opts.Interface, Screen: opts.Screen})
}

// ParseSpeed reads a --speed value (inspector.ParseSpeed).
func ParseSpeed(s string) (float64, error) { return inspector.ParseSpeed(s) }

// ErrStdinTerminal refuses "-" when standard input is the terminal
// (inspector.ErrStdinTerminal).
var ErrStdinTerminal = inspector.ErrStdinTerminal

// DefaultMaxPackets is the inspector's memory store bound in packets.
const DefaultMaxPackets = inspector.DefaultMaxPackets

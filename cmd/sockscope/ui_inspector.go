package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/capture/filter"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/ui"
)

// The inspector's entry points for replay, capture and the demo picker
// (sockscope with no arguments). The wiring in replay.go, capture_cmd.go
// and main.go is a few lines each; see the comments on each function.

// inspectorFlags are the flags the terminal UI adds to replay and capture.
type inspectorFlags struct {
	cmd        string // replay or capture, to name in errors
	speed      string // --speed: max, or a factor of the capture's timing
	maxPackets int    // --max-packets: packets kept in memory (live, gzip, stdin)
	display    string // -Y / --display-filter: a display filter to start with
	lang       string // --lang: the inspector's own words, en or zh ("": from the environment)
}

// addInspectorFlags registers --speed (replay only when speed is true),
// --max-packets and -Y on fs.
func addInspectorFlags(fs *flag.FlagSet, speed bool) *inspectorFlags {
	f := &inspectorFlags{cmd: fs.Name(), speed: "max"}
	if speed {
		fs.StringVar(&f.speed, "speed", "max", "")
	}
	fs.IntVar(&f.maxPackets, "max-packets", ui.DefaultMaxPackets, "")
	fs.StringVar(&f.display, "Y", "", "")
	fs.StringVar(&f.display, "display-filter", "", "")
	fs.StringVar(&f.lang, "lang", "", "")
	return f
}

// options turns the flags into ui.Options; a bad value is a usage error.
// parseReplay and parseCapture call it too, so that a bad value is refused
// in every mode (--no-ui, --json, a pipe), not only on a terminal.
func (f *inspectorFlags) options() (ui.Options, error) {
	speed, err := ui.ParseSpeed(f.speed)
	if err == nil && (math.IsNaN(speed) || math.IsInf(speed, 0)) {
		err = fmt.Errorf("--speed wants max or a positive factor such as 1, 0.5 or 8, got %q", f.speed)
	}
	if err != nil {
		return ui.Options{}, usageError("%s: %v", f.cmd, err)
	}
	if f.maxPackets <= 0 {
		return ui.Options{}, usageError("%s: --max-packets wants a positive count, got %d", f.cmd, f.maxPackets)
	}
	if f.display != "" {
		if _, err := decode.CompileDisplayFilter(f.display); err != nil {
			return ui.Options{}, usageError("%s: -Y: %v", f.cmd, err)
		}
	}
	lang := f.lang
	switch lang {
	case "":
		lang = langFromEnv()
	case "en", "zh":
	default:
		return ui.Options{}, usageError("%s: --lang wants en or zh, got %q", f.cmd, f.lang)
	}
	return ui.Options{Speed: speed, MaxPackets: f.maxPackets, DisplayFilter: f.display, Lang: lang}, nil
}

// checkDisplayOnly refuses -Y where no inspector opens: the text and JSON
// printers do not take a display filter, and dropping it silently would
// print packets the user asked to hide.
func (f *inspectorFlags) checkDisplayOnly(o *outputOptions) error {
	if f.display != "" && textAsked(o) {
		return usageError("%s: -Y filters the inspector's packet list; with --no-ui, --json, -w or -c, give a capture filter EXPRESSION instead", f.cmd)
	}
	return nil
}

// wantInspector reports whether a command should open the terminal UI:
// standard output is a terminal and neither --no-ui nor --json was given
// (-w alone also prints nothing, as tcpdump does, so it keeps the text
// path).
func wantInspector(o *outputOptions) bool {
	return !textAsked(o) && isTerminal(o.stdout)
}

// textAsked reports whether the flags ask for printed or written packets,
// not the inspector: --no-ui, --json, -w or -c.
func textAsked(o *outputOptions) bool {
	return o.noUI || o.json || o.out != "" || o.count > 0
}

// runReplayUI shows o.path in the inspector. replay.go's runReplay calls
// it, after parseReplay, instead of opening the file itself:
//
//	if wantInspector(&o.outputOptions) {
//		return runReplayUI(ctx, o, uiFlags)
//	}
func runReplayUI(ctx context.Context, o *replayOptions, f *inspectorFlags) error {
	opts, err := f.options()
	if err != nil {
		return err
	}
	if !o.filter.MatchesAll() {
		opts.Filter = o.filter
	}
	flows := o.flows.limits(true)
	opts.Flows = &flows
	err = ui.RunFile(ctx, o.path, opts)
	if errors.Is(err, ui.ErrStdinTerminal) {
		return usageError("replay: %v", err)
	}
	return err
}

// runCaptureUI captures in the inspector. capture_cmd.go's runCapture calls
// it once the interface, the matcher m and its kernel program are ready,
// instead of capture.OpenLive and the sink (ui.RunLive opens the capture
// itself, before the screen, so its errors print as they do now):
//
//	if wantInspector(&o.outputOptions) {
//		return runCaptureUI(ctx, capture.LiveOptions{Interface: iface, SnapLen: o.snaplen, Promisc: o.promisc, Filter: prog}, m, uiFlags, o.drop.apply)
//	}
//
// opened (-Z: drop root) runs once the capture is open, before the screen.
func runCaptureUI(ctx context.Context, lo capture.LiveOptions, m *filter.Matcher, f *inspectorFlags, opened func() error) error {
	opts, err := f.options()
	if err != nil {
		return err
	}
	opts.Opened = opened
	return ui.RunLive(ctx, lo, m, opts)
}

// runPickerUI shows the demo picker; main.go's run calls it for no
// arguments when standard output is a terminal (else it prints the usage):
//
//	if len(args) == 0 {
//		if isTerminal(stdout) {
//			return runPickerUI(ctx)
//		}
//		fmt.Fprint(stdout, mainUsage)
//		return nil
//	}
//
// Like `demo NAME`, it first re-executes itself in the lab (a private
// network namespace), where the picker runs the demos it lists.
func runPickerUI(ctx context.Context) error {
	if !demos.InLab() {
		return runInLab(ctx, "", demos.LabOptions{})
	}
	return ui.RunPicker(ctx, ui.Options{Lang: langFromEnv(), Pace: defaultPickerPace})
}

// defaultPickerPace is the pause between a picked demo's steps, as
// `demo NAME` pauses by default.
const defaultPickerPace = time.Second

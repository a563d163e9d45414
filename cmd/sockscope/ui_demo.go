package main

import (
	"context"

	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/ui"
)

// runDemoUI shows the demo in the terminal UI (the ladder of calls,
// buffers and packets) and returns when the person quits; the terminal is
// restored. It runs where runDemoHere would: in the lab, or with
// --host-net on the host. runDemo calls it instead of runDemoHere when
// standard output is a terminal and neither --no-ui nor --json is given.
// The UI has no -w: the text timeline writes the capture.
func runDemoUI(ctx context.Context, d *demos.Demo, o *demoOptions) error {
	return ui.RunDemo(ctx, d, ui.DemoViewOptions{Lang: o.lang, Pace: o.pace})
}

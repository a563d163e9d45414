// Package demoview shows a running lesson as demos/timeline models it: a
// ladder diagram with one lane per endpoint (a program's threads right
// after it, each lane as wide as it needs while there is room), the socket
// calls beside their lanes and the packets' arrows, each label within its
// lanes and cut with "…" (w: whole; the details show the cursor's row
// whole), each step's outcome, each endpoint's
// sockets with their TCP state and their send and receive buffers (bars
// and a strip over time), the current step's explanation, the details of
// the selected row, and the list of calls. View is a tview.Primitive; Run
// shows one demo in an application of its own; the picker (ui/picker)
// shows a View inside its application.
//
// Goroutines and locks:
//   - the demo's session (View.RunSession: demos.Session and its capture)
//     runs in its own goroutine and feeds the view through Add, which only
//     appends to an inbox under inMu and never waits for the screen;
//     stepping goes through Gate, which the session calls before each step
//     and which waits for n or the pace (demoStepper);
//   - the view asks for a redraw (App.QueueUpdateDraw or
//     Options.Invalidate) at most 20 times a second, with one request in
//     flight at a time, from a timer goroutine (time.AfterFunc), never from its input
//     handler;
//   - Draw and the key and mouse handlers run in the event loop under mu;
//     they fold the inbox into the timeline.Builder and never wait;
//   - Run stops the application once its context is cancelled (or the demo
//     could not start), but only after the first draw.
//
// Text from programs reaches the screen only through widgets.PrintCells.
package demoview

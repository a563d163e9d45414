package demoview

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/demos/timeline"
	"github.com/sockscope/sockscope/ui/widgets"
)

// Options configure a View and Run.
type Options struct {
	// Lang is "en" (the default) or "zh": the language of the step
	// titles and explanations and of the view's own words.
	Lang string
	// Pace is the pause between steps while the demo plays; 0 runs the
	// steps as fast as the demo goes. The pause counts from the start of
	// the previous step.
	Pace time.Duration
	// Paused starts the demo paused: step 1 runs, and each later step
	// waits for n (space resumes playing).
	Paused bool
	// Interface is the capture interface for RunSession and Run;
	// "" means "lo".
	Interface string

	// App, if set, is the application the view is shown in: redraws are
	// requested with App.QueueUpdateDraw, at most 20 per second, and q
	// stops it unless OnQuit is set.
	App *tview.Application
	// Invalidate, if set, is called instead of App.QueueUpdateDraw when
	// the view has something new to show (from any goroutine, never from
	// the view's own input handler, at most 20 times a second). It may
	// wait until the redraw is done, as App.QueueUpdateDraw does: only
	// one call is in flight at a time.
	Invalidate func()
	// OnQuit, if set, is called (from the input handler) when the person
	// presses q; nil stops App.
	OnQuit func()

	// Screen is Run's screen; nil means the terminal. Tests give a
	// tcell.SimulationScreen.
	Screen tcell.Screen

	// started, if set, is called by Run once the application and the
	// view exist, before the application runs (tests size the screen and
	// keep the application to poll it).
	started func(*tview.Application, *View)
}

// demoRedrawInterval spaces redraw requests: at most 20 a second.
const demoRedrawInterval = 50 * time.Millisecond

// maxDemoEvents bounds what a view keeps; a demo makes a few hundred
// events, so only a runaway would reach it.
const maxDemoEvents = 200_000

// demoSel names a selected row by what it shows, so that it survives
// rebuilds: a call number (a call or its return), a frame number, or a
// step (its outcome).
type demoSel struct {
	kind timeline.Kind
	num  int
}

// demoEvent is one event as the view received it.
type demoEvent struct {
	ev demos.Event
	at time.Time // when it arrived: a step sorts here
}

// View shows a running demo as demos/timeline models it: a ladder
// diagram with one lane per endpoint, the socket calls beside their lanes,
// arrows for the packets, each step's outcome, each endpoint's sockets
// with their TCP state, their send and receive buffers as bars in bytes
// against the buffers' sizes and as a strip over time, the current step's
// explanation, the details of the selected row, and the list of calls. It
// is a tview.Primitive.
//
// Events come in through Add (from the session's goroutine); the view
// keeps them in an inbox and folds them into its timeline.Builder when it
// draws, so Add never waits for the screen. Stepping goes through Gate,
// which the session calls before each step.
type View struct {
	*tview.Box
	demo *demos.Demo
	opts Options
	zh   bool
	step *demoStepper

	inMu          sync.Mutex // guards the fields below it
	inbox         []demoEvent
	received      int
	dropped       int
	redrawPending bool
	redrawAgain   bool
	lastRedraw    time.Time
	detached      bool
	finished      bool
	finishErr     error
	finishedAt    time.Time

	mu       sync.Mutex // guards the view's state: the draw and key goroutine, and tests
	builder  *timeline.Builder
	tl       *timeline.Timeline // built from builder after the latest event
	built    bool               // tl includes the end of the run (Builder.Finish)
	entered  int                // the latest step the demo has begun
	viewStep int                // the step shown
	done     bool
	err      error
	focus    int
	cursor   demoSel // the row the cursor is on (kind 0: none, follow the newest)
	pin      demoSel // Enter pinned the highlights to this row
	help     bool
	explFull bool // e: the step's explanation shown whole
	wide     bool // w: labels whole, over the lanes they cross
	helpTop  int  // the help's first line shown
	quitting bool // a key asked to quit (handleKey)
	keys     widgets.Keymap
	// tables: the details show the socket table in force at the cursor's
	// row (s); tableRow is that table's row in this draw (-1: none, or not
	// shown).
	tables   bool
	tableRow int
	tops     [2]int // first line shown, per pane
	geo      demoGeometry
	// The lanes in this draw (placeLanes): each lane's line, the column
	// its text stops before, and the program each thread lane belongs to
	// (-1: none).
	laneX, laneEnd, parents []int
	// strips is how many strips over time a socket gets in this draw
	// (stripsFor), stripW the cells of each.
	strips, stripW int
	// headSocks is how many sockets a lane's head makes room for in this
	// draw (socksShown).
	headSocks int
}

// New returns a view of demo d; feed it with Add (or run it with
// RunSession).
func New(d *demos.Demo, opts Options) *View {
	v := &View{
		Box:      tview.NewBox(),
		demo:     d,
		opts:     opts,
		zh:       opts.Lang == "zh",
		step:     newDemoStepper(opts.Pace, opts.Paused),
		tableRow: -1,
	}
	v.builder = timeline.NewBuilder(d, v.zh)
	v.keys = v.keyTable()
	v.step.onHold = v.requestRedraw
	v.tl = v.builder.Build()
	return v
}

// Add takes one event of the demo's session. It is safe to call from any
// goroutine and never waits for the screen.
func (v *View) Add(e demos.Event) {
	if e.Step > 0 {
		v.step.enter(e.Step)
	}
	v.inMu.Lock()
	if v.received < maxDemoEvents {
		v.inbox = append(v.inbox, demoEvent{ev: e, at: time.Now()})
		v.received++
	} else {
		v.dropped++
	}
	v.inMu.Unlock()
	v.requestRedraw()
}

// Gate is the session's step gate (demos.Session.Gate): it returns when
// step n may begin — at once while playing at pace 0, after the pace
// while playing, when the person presses n while paused — or with ctx's
// error.
func (v *View) Gate(ctx context.Context, n int) error { return v.step.wait(ctx, n) }

// Finish tells the view that the demo has ended, with the session's error
// (nil, or a context's error, for a normal end).
func (v *View) Finish(err error) {
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	v.inMu.Lock()
	if !v.finished {
		v.finishedAt = time.Now()
	}
	v.finished, v.finishErr = true, err
	v.inMu.Unlock()
	v.requestRedraw()
}

// RunSession runs the demo with a live capture (demos.Session) feeding
// this view, and returns when the demo has ended (or ctx is cancelled),
// with the session's error. The caller sets up the network (the lab).
func (v *View) RunSession(ctx context.Context) error {
	s := &demos.Session{Demo: v.demo, Interface: v.opts.Interface, Sink: v.Add, Gate: v.Gate}
	err := s.Run(ctx)
	if ctx.Err() != nil {
		err = nil
	}
	v.Finish(err)
	return err
}

// detach stops redraw requests (the application is gone).
func (v *View) Detach() {
	v.inMu.Lock()
	v.detached = true
	v.inMu.Unlock()
}

// requestRedraw asks the application for a redraw, at most one every
// redrawInterval. Requests while one is on its way are folded into one
// more after it, so the last event is always drawn. Only one request is
// ever in flight: QueueUpdateDraw waits for the application, and if the
// application has stopped without detach, one goroutine waits for good.
func (v *View) requestRedraw() {
	if v.opts.Invalidate == nil && v.opts.App == nil {
		return
	}
	v.inMu.Lock()
	if v.detached {
		v.inMu.Unlock()
		return
	}
	if v.redrawPending {
		v.redrawAgain = true
		v.inMu.Unlock()
		return
	}
	v.redrawPending = true
	wait := max(demoRedrawInterval-time.Since(v.lastRedraw), 0)
	v.inMu.Unlock()
	time.AfterFunc(wait, v.redraw)
}

func (v *View) redraw() {
	v.inMu.Lock()
	v.redrawAgain = false
	detached := v.detached
	v.inMu.Unlock()
	switch {
	case detached:
	case v.opts.Invalidate != nil:
		v.opts.Invalidate()
	default:
		v.opts.App.QueueUpdateDraw(func() {})
	}
	v.inMu.Lock()
	v.lastRedraw = time.Now()
	v.redrawPending = false
	again := v.redrawAgain
	v.inMu.Unlock()
	if again {
		v.requestRedraw()
	}
}

// sync folds the inbox into the builder and rebuilds the timeline if
// anything changed (a new event, or the end of the run, which makes the
// last step's outcome final). Call with v.mu held.
func (v *View) sync() {
	v.inMu.Lock()
	in := v.inbox
	v.inbox = nil
	v.done, v.err = v.finished, v.finishErr
	finishedAt := v.finishedAt
	v.inMu.Unlock()
	for _, e := range in {
		v.builder.Add(e.ev, e.at)
		if n := e.ev.Step; n > 0 {
			if v.viewStep == v.entered { // showing the newest step: follow the demo
				v.viewStep = n
			}
			v.entered = max(v.entered, n)
		}
	}
	rebuild := len(in) > 0
	if v.done && !v.built {
		v.builder.Finish(finishedAt)
		v.built, rebuild = true, true
	}
	if rebuild {
		v.tl = v.builder.Build()
	}
}

// following reports whether the view shows the newest step.
func (v *View) following() bool { return v.viewStep >= v.entered }

// visibleEnd is the number of rows shown: those before the next step's
// rule when looking back at an earlier step, else all.
func (v *View) visibleEnd() int {
	if !v.following() {
		if i, ok := v.tl.StepRow[v.viewStep+1]; ok {
			return i
		}
	}
	return len(v.tl.Rows)
}

// rowOf finds the row showing a selection, or -1.
func (v *View) rowOf(k demoSel) int {
	if k.kind == 0 {
		return -1
	}
	end := v.visibleEnd()
	for i := 0; i < end; i++ {
		if r := &v.tl.Rows[i]; r.Kind == k.kind && r.Num == k.num {
			return i
		}
	}
	return -1
}

// selectable lists the rows the cursor may visit in a pane, in order: in
// the ladder every row but the step rules, in the call list the calls (in
// the ladder's order, so that a sendall's sends follow it).
func (v *View) selectable(pane int) []int {
	end := v.visibleEnd()
	var out []int
	for i := 0; i < end; i++ {
		if demoPanes[pane].visits(v.tl.Rows[i].Kind) {
			out = append(out, i)
		}
	}
	return out
}

// move moves the cursor by delta rows in the focused pane; with no cursor
// it starts at the newest row.
func (v *View) move(delta int) {
	rows := v.selectable(v.focus)
	if len(rows) == 0 {
		return
	}
	at := -1
	cur := v.rowOf(v.cursor)
	for k, i := range rows {
		if i == cur {
			at = k
			break
		}
	}
	switch {
	case at < 0 && cur >= 0: // a packet, in the call list: the nearest call
		at = 0
		for k, i := range rows {
			if i <= cur {
				at = k
			}
		}
		if delta > 0 && rows[at] < cur {
			delta--
		}
		at = max(0, min(len(rows)-1, at+delta))
	case at < 0:
		at = len(rows) - 1
	default:
		at = max(0, min(len(rows)-1, at+delta))
	}
	r := &v.tl.Rows[rows[at]]
	v.cursor = demoSel{r.Kind, r.Num}
}

// moveTo puts the cursor on the first (or last) row of the pane.
func (v *View) moveTo(last bool) {
	rows := v.selectable(v.focus)
	if len(rows) == 0 {
		return
	}
	i := rows[0]
	if last {
		i = rows[len(rows)-1]
	}
	r := &v.tl.Rows[i]
	v.cursor = demoSel{r.Kind, r.Num}
}

// nextStep shows the next step: the one after the shown step if the demo
// has begun it, else it lets the demo go on.
func (v *View) nextStep() {
	if !v.following() {
		v.viewStep++
		return
	}
	if !v.done && v.entered < len(v.demo.Steps) {
		v.step.next()
	}
}

func (v *View) prevStep() {
	if v.viewStep > 1 {
		v.viewStep--
	}
	if v.rowOf(v.cursor) < 0 {
		v.cursor = demoSel{}
	}
	if v.rowOf(v.pin) < 0 {
		v.pin = demoSel{}
	}
}

// quit ends the view: OnQuit, or stopping the application.
func (v *View) quit() {
	switch {
	case v.opts.OnQuit != nil:
		v.opts.OnQuit()
	case v.opts.App != nil:
		v.opts.App.Stop()
	}
}

// InputHandler handles the view's keys.
func (v *View) InputHandler() func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
	return v.WrapInputHandler(func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
		v.mu.Lock()
		v.sync()
		quit := v.handleKey(event)
		v.mu.Unlock()
		if quit {
			v.quit()
		}
	})
}

// enter selects the row under the cursor: its links stay lit while the
// cursor moves on (Enter again elsewhere moves them; Esc clears). In the
// call list it also takes the selection to the ladder.
func (v *View) enter() {
	if v.cursor.kind == 0 {
		v.move(0)
	}
	if v.cursor.kind == 0 {
		return
	}
	v.pin = v.cursor
	if v.focus == demoPaneCalls {
		v.focus = demoPaneLadder
	}
}

func (v *View) pageRows() int {
	if h := v.geo.rowsH[v.focus]; h > 1 {
		return h - 1
	}
	return 10
}

// MouseHandler: a click selects the row under it (and focuses its pane);
// the wheel moves the cursor.
func (v *View) MouseHandler() func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (consumed bool, capture tview.Primitive) {
	return v.WrapMouseHandler(func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (bool, tview.Primitive) {
		x, y := event.Position()
		if !v.InRect(x, y) {
			return false, nil
		}
		setFocus(v)
		v.mu.Lock()
		defer v.mu.Unlock()
		v.sync()
		switch action {
		case tview.MouseLeftClick:
			for pane := range 2 {
				g := &v.geo
				if y < g.rowsY[pane] || y >= g.rowsY[pane]+g.rowsH[pane] {
					continue
				}
				rows := g.shown[pane]
				if k := y - g.rowsY[pane]; k < len(rows) && rows[k] >= 0 {
					r := &v.tl.Rows[rows[k]]
					if r.Kind != timeline.KindStep {
						v.focus = pane
						v.cursor = demoSel{r.Kind, r.Num}
					}
				}
			}
			return true, nil
		case tview.MouseScrollDown:
			v.move(1)
			return true, nil
		case tview.MouseScrollUp:
			v.move(-1)
			return true, nil
		}
		return false, nil
	})
}

// Run shows demo d in a tview application of its own on opts.Screen
// (nil: the terminal), runs it with a live capture (demos.Session on
// opts.Interface) feeding the view, and returns when the person quits (q)
// or ctx is cancelled, with the terminal restored. The demo is stopped
// when the view closes. It returns the session's error, if the demo
// failed. The caller sets up the network (the lab) first.
func Run(ctx context.Context, d *demos.Demo, opts Options) error {
	app := tview.NewApplication()
	if opts.Screen != nil {
		app.SetScreen(opts.Screen)
	}
	opts.App = app
	v := New(d, opts)
	app.SetRoot(v, true).SetFocus(v).EnableMouse(true)
	if opts.started != nil {
		opts.started(app, v)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Stop the application when ctx is cancelled, or when the demo could
	// not start at all (no capture: nothing to show, and the error reads
	// best on the restored terminal) — but only once it has drawn: Stop
	// before Run would close the screen and Run would open the terminal
	// anew.
	drawn, runDone, failed := make(chan struct{}), make(chan struct{}), make(chan struct{})
	var once sync.Once
	app.SetBeforeDrawFunc(func(tcell.Screen) bool {
		once.Do(func() { close(drawn) })
		return false
	})
	session := make(chan error, 1)
	go func() {
		err := v.RunSession(ctx)
		v.inMu.Lock()
		nothing := v.received == 0
		v.inMu.Unlock()
		if err != nil && nothing {
			close(failed)
		}
		session <- err
	}()
	go func() {
		select {
		case <-ctx.Done():
		case <-failed:
		case <-runDone:
			return
		}
		select {
		case <-drawn:
			app.Stop()
		case <-runDone:
		}
	}()
	runErr := app.Run()
	close(runDone)
	v.Detach()
	cancel()
	err := <-session
	if runErr != nil {
		return runErr
	}
	return err
}

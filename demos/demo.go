package demos

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sockscope/sockscope/demos/sockcall"
)

// Demo is one lesson: a short script of real socket calls made by one or
// more endpoints, with an explanation of each step in English and 简体中文.
type Demo struct {
	Name               string // "tcp-echo": what `sockscope demo NAME` takes
	Title, TitleZH     string
	Summary, SummaryZH string // one line each
	// Steps explain the demo in order. Every recorded Call carries the
	// 1-based index of the step it belongs to (sockcall.Call.Step).
	Steps []Step
	// Run performs the demo's socket calls against the kernel, recording
	// each one through env. It returns when every endpoint has finished
	// (within seconds at Pace 0) or soon after ctx is cancelled.
	Run func(ctx context.Context, env *Env) error
	// Check verifies, against one finished run, every claim the steps'
	// fixed words make (Explain, and Outcome's sentences where they
	// depend on a fact Outcome does not look at). Tests run each lesson
	// many times and call it; nil means the words claim nothing a run
	// could contradict.
	Check func(r *sockcall.Run) error
}

// Step is one stage of a demo: what the calls do and what to look for on
// the wire.
type Step struct {
	Title, TitleZH     string
	Explain, ExplainZH string
	// Outcome, if set, says what this run did in the step, in words
	// derived from the recorded facts (how the close went, how many recv
	// calls it took, whether connections interleaved). Views show it
	// once the step's calls and frames are in: r holds the run so far.
	// Explain says only what is true of every run; whatever depends on
	// the kernel goes here.
	Outcome func(r *sockcall.Run) (en, zh string)
}

// Env is what a demo runs with: how fast to go and where its calls go. Use
// a fresh Env for each run (call numbers start at 1); its zero value runs a
// demo at full speed and drops the calls.
type Env struct {
	// Pace is the pause before each step after the first, so that a person
	// can follow. 0 runs the demo as fast as the kernel goes (tests).
	Pace time.Duration

	// Record receives every socket call, in order: Number counts from 1
	// in the order the calls returned (so Sec/Nsec never go back), and
	// Step is the step the call belongs to: for a call that waits for
	// something (accept, recv, recvfrom) the step in force when it
	// returned, where its result is explained; for the others (connect,
	// send, sendall, close …) the step in force when it was made, so a
	// send that blocks across a step boundary stays in the step that made
	// it. It is called from
	// the endpoints' goroutines but never concurrently, and the endpoints
	// wait for it: keep it quick (append to a slice, or send to a buffered
	// channel). Nil drops the calls.
	Record func(sockcall.Call)

	// OnStart, if set, receives a call that may wait as it is made (see
	// Event.Started): Number 0, StartSec/StartNsec set, no result. Like
	// Record it is never called concurrently with Record or OnStep.
	OnStart func(sockcall.Call)

	// OnStep, if set, is called as the demo enters step n (1-based index
	// into Demo.Steps), after the pause. Steps are entered in order, each
	// once. OnStep and Record are never called concurrently.
	OnStep func(n int)

	// Gate, if set, is called before each step n is entered (after the
	// Pace wait) and may block until a viewer releases the step; an error
	// (ctx's, when ctx is cancelled) is returned by Step. See gate.go.
	Gate func(ctx context.Context, step int) error

	// Dir is where AF_UNIX demos put their socket files. "" means a new
	// temporary directory, removed when the demo ends.
	Dir string

	step atomic.Int32 // the step in force

	smu     sync.Mutex // orders stamps
	stamped int        // calls stamped so far

	kmu  sync.Mutex // guards open and traced, and orders closes against samples
	open sockSet    // the lesson's open sockets, sampled after every call
	// traced names the traced program holding each socket (by inode) that
	// `sockscope trace` has seen, for the socket table's Endpoint column.
	traced map[uint64]string

	mu       sync.Mutex // serialises Record and OnStep
	recorded int        // calls handed to Record so far
	pending  map[int]sockcall.Call
}

// Step waits env.Pace (except before step 1) and then enters step n: calls
// made from now on carry n. It returns ctx's error if ctx is cancelled
// while waiting (or by OnStep). Demo authors: enter a step once the calls
// of the previous one have been made (signal it over a channel); a call
// still waiting, a blocked send, stays in the step that made it.
func (e *Env) Step(ctx context.Context, n int) error {
	if n > 1 && e.Pace > 0 {
		t := time.NewTimer(e.Pace)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	if err := e.gate(ctx, n); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	e.mu.Lock()
	e.step.Store(int32(n))
	if e.OnStep != nil {
		e.OnStep(n)
	}
	e.mu.Unlock()
	return ctx.Err() // OnStep may have cancelled
}

// CurrentStep is the step the demo is in (0 before its first step).
func (e *Env) CurrentStep() int { return int(e.step.Load()) }

// stamp is taken the moment a system call returns: the time, the call's
// number and the step in force. Taking all three under one lock makes
// Number order equal to time order across endpoints.
type stamp struct {
	t, start  time.Time // returned, began
	n, step   int       // number, and the step in force at the return
	startStep int       // the step in force when it began (0: unknown)
}

func (e *Env) stamp() stamp {
	e.smu.Lock()
	defer e.smu.Unlock()
	e.stamped++
	return stamp{t: time.Now(), n: e.stamped, step: int(e.step.Load())}
}

// record completes c from its stamp and hands the calls to Record in Number
// order: a call that took longer to describe than a later one waits for it.
func (e *Env) record(st stamp, c sockcall.Call) {
	c.Number, c.Step = st.n, st.step
	switch c.Op {
	case "accept", "recv", "recvfrom", "read":
	default:
		if st.startStep > 0 {
			c.Step = st.startStep
		}
	}
	c.Sec, c.Nsec = st.t.Unix(), int64(st.t.Nanosecond())
	if !st.start.IsZero() {
		c.StartSec, c.StartNsec = st.start.Unix(), int64(st.start.Nanosecond())
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pending == nil {
		e.pending = map[int]sockcall.Call{}
	}
	e.pending[c.Number] = c
	for {
		next, ok := e.pending[e.recorded+1]
		if !ok {
			return
		}
		delete(e.pending, next.Number)
		e.recorded++
		if e.Record != nil {
			e.Record(next)
		}
	}
}

// started hands a call that may wait to OnStart as it is made.
func (e *Env) started(c sockcall.Call) {
	if e.OnStart == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.OnStart(c)
}

// group runs a demo's endpoints, one goroutine each; the first error
// cancels the others (like errgroup, without the dependency).
type group struct {
	parent context.Context
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	err    error
}

func newGroup(parent context.Context) *group {
	ctx, cancel := context.WithCancel(parent)
	return &group{parent: parent, ctx: ctx, cancel: cancel}
}

// Go runs f in its own goroutine with the group's context.
func (g *group) Go(f func(ctx context.Context) error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(g.ctx); err != nil {
			g.once.Do(func() {
				g.err = err
				g.cancel()
			})
		}
	}()
}

// Wait waits for every goroutine and returns the first error, or, if the
// parent context was cancelled, its error: what the endpoints saw after a
// cancel (a reset from a peer that gave up, say) is only its echo.
func (g *group) Wait() error {
	g.wg.Wait()
	g.cancel()
	if g.err != nil && g.parent.Err() != nil {
		return g.parent.Err()
	}
	return g.err
}

// stop is for a coordinator that failed with err: it cancels the
// endpoints, waits for them, and returns the first endpoint's error (the
// cause, usually) or else err.
func (g *group) stop(err error) error {
	g.cancel()
	if gerr := g.Wait(); gerr != nil {
		return gerr
	}
	return err
}

// signal is a one-shot event between endpoints ("the server is listening").
type signal chan struct{}

func newSignal() signal { return make(signal) }

// fire marks the event; calling it twice panics, like closing a channel.
func (s signal) fire() { close(s) }

// wait blocks until the event or until ctx is done.
func (s signal) wait(ctx context.Context) error {
	select {
	case <-s:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

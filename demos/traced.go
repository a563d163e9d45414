package demos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/demos/trace"
	"github.com/sockscope/sockscope/internal/escape"
)

// What `sockscope trace` runs: the learner's own programs, under the
// tracer (demos/trace), as a Demo whose steps are the programs. Their
// calls are recorded through the same Env as a lesson's, so the capture,
// the timeline, the correlator, the printers and the view take them as
// they take a lesson's.

// Program is one command to trace: its argv.
type Program struct {
	Args []string
}

// Name is the command as a person typed it, for titles and messages.
func (p Program) Name() string {
	parts := make([]string, len(p.Args))
	for i, a := range p.Args {
		if a == "" || strings.ContainsAny(a, " \t'\"\\") {
			a = strconv.Quote(a)
		}
		parts[i] = escape.Safe(a)
	}
	return strings.Join(parts, " ")
}

// TraceOptions say how Trace runs its programs.
type TraceOptions struct {
	Programs []Program
	// Output receives each line a traced program writes to its standard
	// output or error, already escaped (no byte of it reaches a terminal
	// raw), with the program it came from. It is called from the
	// programs' output goroutines, never concurrently. Nil drops them.
	Output func(prog int, stream string, line string)
	// ReadyAfter bounds how long Trace waits for one program to block in
	// accept, recv, recvfrom or poll before it starts the next (default
	// 2 s). A program that exits is waited for no longer.
	ReadyAfter time.Duration
	// ShimPath is passed to the tracer (see trace.Options); "" is this
	// program.
	ShimPath string
	// MaxCalls bounds the calls kept (default DefaultMaxCalls): a program
	// that makes millions of calls is counted, not kept, beyond it, so
	// memory stays bounded and the views stay quick.
	MaxCalls int
}

// DefaultMaxCalls is how many socket calls a trace keeps by default.
const DefaultMaxCalls = 20_000

// TraceResult is how the traced programs ended, filled in as Trace's Run
// returns.
type TraceResult struct {
	Status []trace.ExitStatus // per program
	Calls  int                // socket calls recorded
	Libc   int                // of them, calls the C library made for itself (sockcall.Call.Libc)
	Over   int                // calls made after MaxCalls were kept: counted, not kept
	Notes  []string           // the tracer's notices, once each
}

// NewTrace returns a Demo that runs the programs in order under the
// tracer, each a step, the next one once the one before is blocked in
// accept, recv, recvfrom or poll (or has exited, or ReadyAfter has passed).
// res is filled in when its Run returns.
func NewTrace(o TraceOptions, res *TraceResult) *Demo {
	d := &Demo{Name: "trace", Title: "your programs", TitleZH: "你的程序"}
	var names []string
	for i, p := range o.Programs {
		names = append(names, p.Name())
		d.Steps = append(d.Steps, Step{
			Title:   fmt.Sprintf("%d. %s", i+1, p.Name()),
			TitleZH: fmt.Sprintf("%d. %s", i+1, p.Name()),
			Explain: "The calls below are the program's own, as the kernel saw them: each socket call it made, with its result and the socket's queues right after it. " +
				"A call that waits (accept, recv, poll) is placed where it returned, so it may show up under a later program's heading.",
			ExplainZH: "下面的调用就是这个程序自己做的，是内核看到的样子：它的每个套接字调用、调用结果，以及调用刚返回时套接字的队列。" +
				"会等待的调用（accept、recv、poll）放在它返回的位置，所以可能出现在后面某个程序的标题下。",
		})
	}
	d.Title = strings.Join(names, " · ")
	d.TitleZH = d.Title
	d.Summary = "Your programs under sockscope trace: their real socket calls, lined up with the buffers and the packets they caused."
	d.SummaryZH = "在 sockscope trace 下运行你的程序：它们真实的套接字调用，与缓冲区和它们引起的数据包一一对应。"
	d.Run = func(ctx context.Context, env *Env) error { return runTrace(ctx, env, o, res) }
	return d
}

// ErrNoSocketCalls is returned when the programs ran but made no socket
// call of their own (the C library's own calls, such as glibc asking nscd,
// do not count).
var ErrNoSocketCalls = errors.New("no socket calls")

func runTrace(ctx context.Context, env *Env, o TraceOptions, res *TraceResult) error {
	var resMu sync.Mutex // guards res while the programs run
	if len(o.Programs) == 0 {
		return errors.New("trace: no program to run")
	}
	maxCalls := o.MaxCalls
	if maxCalls <= 0 {
		maxCalls = DefaultMaxCalls
	}
	// full says the trace keeps no more calls; it counts the one it drops.
	full := func(count bool) bool {
		resMu.Lock()
		defer resMu.Unlock()
		if res.Calls < maxCalls {
			return false
		}
		if count {
			res.Over++
		}
		return true
	}
	wait := o.ReadyAfter
	if wait <= 0 {
		wait = 2 * time.Second
	}
	res.Status = make([]trace.ExitStatus, len(o.Programs))
	var outMu sync.Mutex
	notes := map[string]bool{}
	type running struct {
		tr   *trace.Tracer
		outs []*lineWriter
	}
	var runs []running
	var firstErr error
	seq := newSequencer(env)
	defer seq.close()
	for i, p := range o.Programs {
		if err := env.Step(ctx, i+1); err != nil {
			firstErr = err
			break
		}
		ready := newReadyWatch()
		out := func(stream string) *lineWriter {
			return &lineWriter{emit: func(line string) {
				if o.Output == nil {
					return
				}
				outMu.Lock()
				defer outMu.Unlock()
				o.Output(i, stream, line)
			}}
		}
		stdout, stderr := out("stdout"), out("stderr")
		tr, err := trace.Start(ctx, trace.Options{
			Args:     p.Args,
			Stdout:   stdout,
			Stderr:   stderr,
			ShimPath: o.ShimPath,
			OnEvent: func(e trace.Event) {
				switch e.Kind {
				case trace.CallStart:
					ready.started(e)
					if !full(false) {
						env.started(e.Record())
					}
				case trace.CallEnd:
					ready.ended(e)
					if full(true) {
						return
					}
					c := e.Record()
					env.holds(e.Call, c.Endpoint)
					seq.add(c, e.Call.Start, e.Call.End, env.CurrentStep())
					resMu.Lock()
					res.Calls++
					resMu.Unlock()
				case trace.Exit:
					if e.Proc != nil && e.Proc.Pid == ready.root() {
						ready.fire()
					}
				case trace.Notice:
					resMu.Lock()
					if !notes[e.Note] {
						notes[e.Note] = true
						res.Notes = append(res.Notes, e.Note)
					}
					resMu.Unlock()
				}
			},
		})
		if err != nil {
			firstErr = fmt.Errorf("trace: %s: %w", p.Name(), err)
			break
		}
		ready.setRoot(tr.Pid())
		runs = append(runs, running{tr, []*lineWriter{stdout, stderr}})
		if i < len(o.Programs)-1 {
			t := time.NewTimer(wait)
			select {
			case <-ready.c:
			case <-t.C:
			case <-ctx.Done():
			}
			t.Stop()
		}
	}
	defer seq.flush() // before the Session drains the capture
	for i, r := range runs {
		st, err := r.tr.Wait()
		res.Status[i] = st
		for _, w := range r.outs {
			w.flush()
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	res.Libc = res.Calls - seq.ownCalls(res.Calls)
	if firstErr == nil && res.Calls == res.Libc && ctx.Err() == nil {
		return ErrNoSocketCalls
	}
	return firstErr
}

// recordTraced records a call another process made (the tracer's record of
// it), stamped with its own start and return times and the step in force
// when it was reported.
func (e *Env) recordTraced(c sockcall.Call, start, end time.Time, step int) {
	st := e.stamp()
	st.t, st.start, st.step, st.startStep = end, start, step, step
	e.record(st, c)
}

// sequencer numbers the calls of several programs in the order they
// returned. Each program's tracer reports its calls in order, but in
// batches (up to 2 ms late), so calls of two programs can reach the Env
// out of order; the sequencer holds each call traceHold and hands them on
// by their return times.
type sequencer struct {
	env *Env
	mu  sync.Mutex
	q   []heldCall
	// libc holds the sockets (by endpoint and fd) the C library opened for
	// itself, and libcCalls counts the calls marked so.
	libc      map[libcKey]bool
	libcCalls int
	stop      chan struct{}
	done      chan struct{}
	once      sync.Once
}

type heldCall struct {
	c          sockcall.Call
	start, end time.Time
	step       int
}

// traceHold is how long a call waits for calls of other programs that
// returned before it.
const traceHold = 30 * time.Millisecond

func newSequencer(env *Env) *sequencer {
	s := &sequencer{env: env, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-s.stop:
				return
			case now := <-tick.C:
				s.release(now.Add(-traceHold))
			}
		}
	}()
	return s
}

func (s *sequencer) add(c sockcall.Call, start, end time.Time, step int) {
	s.mu.Lock()
	s.markLibc(&c)
	s.q = append(s.q, heldCall{c, start, end, step})
	s.mu.Unlock()
}

type libcKey struct {
	endpoint string
	fd       int
}

// nscdPaths are where glibc looks for the name-service cache daemon.
var nscdPaths = map[string]bool{"/var/run/nscd/socket": true, "/run/nscd/socket": true}

// markLibc marks the calls on a socket glibc opened to reach nscd: the
// connect to nscd's path, the socket call before it (still held: it
// returned microseconds earlier), and every later call on that descriptor
// up to its close. The caller holds s.mu.
func (s *sequencer) markLibc(c *sockcall.Call) {
	k := libcKey{c.Endpoint, c.FD}
	if c.Op == "socket" && c.Errno == "" {
		delete(s.libc, k) // the descriptor is a new socket now
		return
	}
	if c.Op == "connect" && (nscdPaths[c.Path] || nscdPaths[c.Args]) {
		if s.libc == nil {
			s.libc = map[libcKey]bool{}
		}
		s.libc[k] = true
		for i := len(s.q) - 1; i >= 0; i-- {
			h := &s.q[i]
			if h.c.Endpoint == c.Endpoint && h.c.FD == c.FD && h.c.Op == "socket" {
				if h.c.Libc == "" {
					h.c.Libc = sockcall.LibcNSCD
					s.libcCalls++
				}
				break
			}
		}
	}
	if s.libc[k] {
		c.Libc = sockcall.LibcNSCD
		s.libcCalls++
		if c.Op == "close" {
			delete(s.libc, k)
		}
	}
}

// ownCalls is how many of n recorded calls were the programs' own, not
// the C library's.
func (s *sequencer) ownCalls(n int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return n - s.libcCalls
}

// release hands on, oldest first, the calls that returned before cutoff
// (all of them for a zero cutoff).
func (s *sequencer) release(cutoff time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock() // also orders releases against each other
	sort.SliceStable(s.q, func(i, j int) bool { return s.q[i].end.Before(s.q[j].end) })
	n := 0
	for n < len(s.q) && (cutoff.IsZero() || s.q[n].end.Before(cutoff)) {
		h := s.q[n]
		s.env.recordTraced(h.c, h.start, h.end, h.step)
		n++
	}
	s.q = append(s.q[:0], s.q[n:]...)
}

// flush hands on every call held.
func (s *sequencer) flush() { s.release(time.Time{}) }

func (s *sequencer) close() {
	s.once.Do(func() { close(s.stop) })
	<-s.done
	s.flush()
}

// holds notes which traced program holds the sockets a call made or used
// (by inode), and forgets a socket its holder closed.
func (e *Env) holds(c *trace.Call, endpoint string) {
	e.kmu.Lock()
	defer e.kmu.Unlock()
	if e.traced == nil {
		e.traced = map[uint64]string{}
	}
	if c.NewInode != 0 && c.Errno == "" {
		e.traced[c.NewInode] = endpoint
	}
	if c.Inode == 0 {
		return
	}
	if c.Name == "close" && c.Errno == "" {
		delete(e.traced, c.Inode)
		return
	}
	if _, ok := e.traced[c.Inode]; !ok {
		e.traced[c.Inode] = endpoint // inherited, or made before the trace saw it
	}
}

// readyWatch says when a program may be taken to be waiting for its peer:
// blocked in accept, recv, recvfrom or poll, or gone.
type readyWatch struct {
	c    chan struct{}
	once sync.Once
	mu   sync.Mutex
	pid  int
	open map[uint64]int // calls that may wait, started and not ended: ID → tid
}

func newReadyWatch() *readyWatch {
	return &readyWatch{c: make(chan struct{}), open: map[uint64]int{}}
}

func (r *readyWatch) fire() { r.once.Do(func() { close(r.c) }) }

func (r *readyWatch) setRoot(pid int) { r.mu.Lock(); r.pid = pid; r.mu.Unlock() }
func (r *readyWatch) root() int       { r.mu.Lock(); defer r.mu.Unlock(); return r.pid }

// waits names the calls after whose start a server is ready for its
// client.
func waits(op string) bool {
	switch op {
	case "accept", "accept4", "recv", "recvfrom", "recvmsg", "recvmmsg", "read", "readv",
		"poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait":
		return true
	}
	return false
}

// started notes a call that may wait; once its thread is asleep in it
// (the kernel says so in /proc), the program is ready.
func (r *readyWatch) started(e trace.Event) {
	if e.Call == nil || !waits(e.Call.Op()) {
		return
	}
	r.mu.Lock()
	r.open[e.Call.ID] = e.Tid
	r.mu.Unlock()
	id, tid := e.Call.ID, e.Tid
	go func() {
		for range 200 { // 1 s at most; a call that does not sleep ends first
			r.mu.Lock()
			_, still := r.open[id]
			r.mu.Unlock()
			if !still {
				return
			}
			if threadSleeping(tid) {
				r.fire()
				return
			}
			time.Sleep(5 * time.Millisecond) // polling /proc: there is no event for "asleep"
		}
	}()
}

func (r *readyWatch) ended(e trace.Event) {
	if e.Call == nil {
		return
	}
	r.mu.Lock()
	delete(r.open, e.Call.ID)
	r.mu.Unlock()
}

// threadSleeping reports whether the thread is in an interruptible sleep
// (state S in /proc/TID/stat): waiting inside a system call.
func threadSleeping(tid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(tid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] == 'S'
}

// lineWriter cuts a program's output into lines and hands each, escaped,
// to emit; an over-long line is cut at 4 KiB.
type lineWriter struct {
	mu   sync.Mutex
	buf  []byte
	emit func(string)
}

var _ io.Writer = (*lineWriter)(nil)

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.buf = append(w.buf, p...)
			if len(w.buf) >= 4096 {
				w.emitLocked()
			}
			break
		}
		w.buf = append(w.buf, p[:i]...)
		p = p[i+1:]
		w.emitLocked()
	}
	return n, nil
}

func (w *lineWriter) emitLocked() {
	line := strings.TrimSuffix(string(w.buf), "\r")
	w.buf = w.buf[:0]
	w.emit(escape.Safe(line)) // safe for a terminal; a backslash the program printed stays one
}

// flush hands over a last line that had no newline.
func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.emitLocked()
	}
}

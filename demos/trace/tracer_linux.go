//go:build linux && (amd64 || arm64)

package trace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Tracer is a command running under trace. Wait for it to end with Wait.
type Tracer struct {
	t    *tracer
	pid  int
	done chan struct{} // closed when every event has been delivered
	// copiers are the goroutines moving Stdin, Stdout and Stderr through
	// pipes (non-*os.File streams).
	copiers sync.WaitGroup
	status  ExitStatus
	err     error
}

// Start runs opts.Args under the tracer and returns once the command is
// running (its execve succeeded), or with the reason it could not start:
// the command does not exist or cannot be executed, ptrace is not allowed,
// or the seccomp filter could not be installed. Cancelling ctx stops the
// traced processes: SIGINT to each, then SIGKILL to those left after 2 s.
func Start(ctx context.Context, opts Options) (*Tracer, error) {
	if len(opts.Args) == 0 {
		return nil, errors.New("trace: no command to run")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	path, err := findCommand(opts.Args[0], opts.Env, opts.Dir)
	if err != nil {
		return nil, err
	}
	if opts.MaxData <= 0 {
		opts.MaxData = 64 << 10
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 1024
	}
	shim := opts.ShimPath
	if shim == "" {
		shim = "/proc/self/exe"
	}
	tr := &Tracer{done: make(chan struct{})}
	files, closeAfter, err := tr.stdio(opts)
	var errR, errW *os.File
	if err == nil {
		errR, errW, err = os.Pipe()
	}
	if err != nil {
		for _, c := range closeAfter {
			c.Close()
		}
		return nil, err
	}
	closeAfter = append(closeAfter, errW)
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	env = append(env[:len(env):len(env)], shimEnv+"="+path)

	t := &tracer{
		opts:    opts,
		shim:    shim,
		threads: map[int]*thread{},
		procs:   map[int]*proc{},
		socks:   map[uint64]*sockInfo{},
		live:    map[int]bool{},
		events:  make(chan []Event, max(1, opts.Buffer/batchSize)),
		kick:    make(chan struct{}, 1),
		started: make(chan error, 1),
		errPipe: errR,
		loopEnd: make(chan struct{}),
	}
	tr.t = t
	attr := &syscall.ProcAttr{
		Dir:   opts.Dir,
		Env:   env,
		Files: append(files, errW.Fd()),
		// A process group of its own: a terminal's Ctrl-C reaches only
		// sockscope, which passes SIGINT on once (cancelOn); in the
		// terminal's group the programs would get it twice.
		Sys: &syscall.SysProcAttr{Ptrace: true, Pdeathsig: syscall.SIGKILL, Setpgid: true},
	}
	// The shim runs as the command would: argv[0] is the command's.
	go t.run(shim, opts.Args, attr, closeAfter)
	go tr.forward()
	if err := <-t.started; err != nil {
		<-tr.done
		tr.copiers.Wait()
		return nil, err
	}
	tr.pid = t.rootPid
	go t.cancelOn(ctx)
	return tr, nil
}

// Pid is the command's process id.
func (tr *Tracer) Pid() int { return tr.pid }

// Wait waits until the command and every process it started have ended and
// every event has been handed to OnEvent, and returns the command's exit
// status. The error is the tracer's own failure, not the command's: a
// command that exits with 1 gives ExitStatus{Code: 1} and nil.
func (tr *Tracer) Wait() (ExitStatus, error) {
	<-tr.done
	tr.copiers.Wait()
	return tr.status, tr.err
}

// Stats are the tracer's counts so far; safe from any goroutine.
func (tr *Tracer) Stats() Stats {
	s := &tr.t.stats
	return Stats{Stops: s.stops.Load(), Calls: s.calls.Load(), NotSocket: s.notSocket.Load(),
		Shim: s.shim.Load(), Restarted: s.restarted.Load(), Events: s.events.Load()}
}

// forward hands events to OnEvent until the tracer goroutine is done.
func (tr *Tracer) forward() {
	t := tr.t
	for batch := range t.events {
		for _, ev := range batch {
			if t.opts.OnEvent != nil {
				t.opts.OnEvent(ev)
			}
			t.stats.events.Add(1)
		}
	}
	tr.status, tr.err = t.rootStatus, t.err
	close(tr.done)
}

// stdio turns Stdin, Stdout and Stderr into descriptors for the shim, as
// os/exec does: files as they are, other streams through pipes.
func (tr *Tracer) stdio(opts Options) (fds []uintptr, closeAfter []io.Closer, err error) {
	add := func(f *os.File) { fds = append(fds, f.Fd()) }
	null := func(flag int) error {
		f, err := os.OpenFile(os.DevNull, flag, 0)
		if err == nil {
			closeAfter = append(closeAfter, f)
			add(f)
		}
		return err
	}
	switch r := opts.Stdin.(type) {
	case nil:
		err = null(os.O_RDONLY)
	case *os.File:
		add(r)
	default:
		pr, pw, perr := os.Pipe()
		if perr != nil {
			return nil, closeAfter, perr
		}
		closeAfter = append(closeAfter, pr)
		add(pr)
		tr.copiers.Add(1)
		go func() {
			defer tr.copiers.Done()
			io.Copy(pw, r)
			pw.Close()
		}()
	}
	for _, w := range []io.Writer{opts.Stdout, opts.Stderr} {
		if err != nil {
			return nil, closeAfter, err
		}
		switch w := w.(type) {
		case nil:
			err = null(os.O_WRONLY)
		case *os.File:
			add(w)
		default:
			pr, pw, perr := os.Pipe()
			if perr != nil {
				return nil, closeAfter, perr
			}
			closeAfter = append(closeAfter, pw)
			add(pw)
			tr.copiers.Add(1)
			go func() {
				defer tr.copiers.Done()
				io.Copy(w, pr)
				pr.Close()
			}()
		}
	}
	return fds, closeAfter, err
}

// tracer is the state the tracer goroutine owns. Only stats, live and
// killing are touched by other goroutines.
type tracer struct {
	opts    Options
	shim    string
	threads map[int]*thread
	procs   map[int]*proc
	socks   map[uint64]*sockInfo
	rootPid int
	// rootStatus and err are written by the tracer goroutine before it
	// closes events, and read after.
	rootStatus ExitStatus
	err        error
	started    chan error // Start's answer, sent once
	isStarted  bool
	errPipe    *os.File // the shim's report when it cannot exec
	loopEnd    chan struct{}

	// Events go to the forwarding goroutine in batches: batch collects
	// them (under bmu); flush sends it (under fmu, which keeps batches in
	// order), when it is full or, from the flusher goroutine, at most
	// flushAfter after its first event.
	events chan []Event
	bmu    sync.Mutex
	batch  []Event
	fmu    sync.Mutex
	kick   chan struct{} // the batch has its first event

	stats struct {
		stops, calls, notSocket, shim, restarted, events atomic.Uint64
	}
	mem     memory
	noGetfd bool
	nextID  uint64
	si      syscallInfo
	path    [64]byte
	link    [64]byte
	file    [64 << 10]byte

	mu      sync.Mutex
	live    map[int]bool // processes to signal when ctx is cancelled
	killing atomic.Bool  // SIGKILL sent: kill new processes on sight
}

// proc is one traced process (thread group).
type proc struct {
	pid    int
	info   *Process // nil until an event needs it; replaced on exec
	pidfd  int      // 0: not opened yet; -1: not available
	fds    map[int]*fdEntry
	target bool // runs the command's code (false: the shim, before its execve)
	forked bool // its Fork event was sent
}

// thread is one traced thread.
type thread struct {
	tid int
	p   *proc
	// fresh: the thread's first stop, a SIGSTOP from the kernel's
	// auto-attach, is still to come and must not be delivered.
	fresh bool
	call  *pending // the traced call it is in, between entry and exit stops
	// held is a call that returned a restart code (a signal came): if
	// the thread's next traced call is its restart, the two are one call.
	held *pending
	// schedstat is the kept /proc/pid/task/tid/schedstat (0: not opened,
	// -1: not available).
	schedstat int
}

func (p *proc) process(t *tracer) *Process {
	if p.info == nil {
		p.info = &Process{Pid: p.pid, Argv: t.cmdline(p.pid)}
	}
	return p.info
}

// run is the tracer goroutine: it starts the shim, then waits for stops
// until no traced thread is left. Its OS thread is the tracer of every
// traced thread, so it is locked and never unlocked (it ends with the
// goroutine).
func (t *tracer) run(shim string, argv []string, attr *syscall.ProcAttr, closeAfter []io.Closer) {
	runtime.LockOSThread()
	flusherDone := make(chan struct{})
	go t.flusher(flusherDone)
	defer func() {
		close(t.loopEnd)
		<-flusherDone
		t.flush()
		if !t.isStarted {
			if t.err == nil {
				t.err = errors.New("trace: the command did not start")
			}
			t.started <- t.err
		}
		close(t.events)
	}()
	pid, err := syscall.ForkExec(shim, argv, attr)
	// The child has its copies: the pipes' ends here must close so that
	// their readers see the end when the traced processes are gone.
	for _, c := range closeAfter {
		c.Close()
	}
	if err != nil {
		t.err = startError(shim, err)
		return
	}
	t.rootPid = pid
	var ws unix.WaitStatus
	for {
		_, err = unix.Wait4(pid, &ws, unix.WALL, nil)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil || !ws.Stopped() {
		t.err = fmt.Errorf("trace: the shim %s did not stop after its exec (%v, status %#x)", shim, err, uint32(ws))
		return
	}
	if err := unix.PtraceSetOptions(pid, traceOptions); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		t.err = fmt.Errorf("trace: PTRACE_SETOPTIONS: %w", err)
		t.loop()
		return
	}
	t.addThread(pid, pid, false, nil)
	ptraceCont(pid, 0)
	t.loop()
}

// loop waits for every stop and exit of the traced threads. __WNOTHREAD:
// only this thread's tracees and children, never another goroutine's child.
func (t *tracer) loop() {
	var ws unix.WaitStatus
	for {
		tid, err := unix.Wait4(-1, &ws, unix.WALL|unix.WNOTHREAD, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil { // ECHILD: nothing left to trace
			return
		}
		switch {
		case ws.Exited() || ws.Signaled():
			t.gone(tid, ws)
		case ws.Stopped():
			t.stopped(tid, ws)
		}
		if t.err != nil && !t.killing.Load() { // a broken tracer kills what it traces
			t.killing.Store(true)
			t.signalAll(unix.SIGKILL)
		}
	}
}

// stopped handles one ptrace stop.
func (t *tracer) stopped(tid int, ws unix.WaitStatus) {
	th := t.threads[tid]
	if th == nil {
		th = t.adopt(tid)
	}
	sig := ws.StopSignal()
	switch {
	case sig == unix.SIGTRAP|0x80:
		t.exitStop(th)
	case sig == unix.SIGTRAP && ws.TrapCause() > 0:
		switch ws.TrapCause() {
		case unix.PTRACE_EVENT_SECCOMP:
			t.seccompStop(th)
		case unix.PTRACE_EVENT_FORK, unix.PTRACE_EVENT_VFORK, unix.PTRACE_EVENT_CLONE:
			t.newChild(th, ws.TrapCause())
		case unix.PTRACE_EVENT_EXEC:
			t.execStop(th)
		default:
			ptraceCont(tid, 0)
		}
	case th.fresh && sig == unix.SIGSTOP:
		th.fresh = false
		ptraceCont(tid, 0)
	default:
		// A signal for the thread (delivered: restart with it), or a
		// group-stop after SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU. Without
		// PTRACE_SEIZE the tracer cannot leave a tracee in group-stop and
		// still see it again, so it is restarted: job control does not
		// stop traced programs (see the package documentation).
		if isGroupStop(tid) {
			ptraceCont(tid, 0)
		} else {
			ptraceCont(tid, int(sig))
		}
	}
}

// addThread records a new thread of process tgid (a new process when tgid
// == tid), inheriting from parent.
func (t *tracer) addThread(tid, tgid int, fresh bool, parent *proc) *thread {
	p := t.procs[tgid]
	if p == nil {
		p = &proc{pid: tgid, fds: map[int]*fdEntry{}, target: true}
		if parent != nil {
			p.target = parent.target
		}
		if tgid == t.rootPid && len(t.procs) == 0 {
			p.target = false // the shim, until it execs the command
		}
		t.procs[tgid] = p
		t.mu.Lock()
		t.live[tgid] = true
		t.mu.Unlock()
		if t.killing.Load() {
			unix.Kill(tgid, unix.SIGKILL)
		}
	}
	th := &thread{tid: tid, p: p, fresh: fresh}
	t.threads[tid] = th
	return th
}

// adopt records a thread whose first stop came before its creator's
// fork/clone event.
func (t *tracer) adopt(tid int) *thread {
	tgid := t.statusField(tid, "Tgid")
	if tgid <= 0 {
		tgid = tid
	}
	var parent *proc
	if tgid == tid {
		parent = t.procs[t.statusField(tid, "PPid")]
	}
	return t.addThread(tid, tgid, true, parent)
}

// newChild handles a PTRACE_EVENT_FORK, _VFORK or _CLONE stop of th.
func (t *tracer) newChild(th *thread, cause int) {
	newTid, err := ptraceEventMsg(th.tid)
	if err == nil && newTid > 0 {
		nt := t.threads[newTid]
		if nt == nil {
			tgid := newTid
			if cause == unix.PTRACE_EVENT_CLONE {
				if g := t.statusField(newTid, "Tgid"); g > 0 {
					tgid = g
				}
			}
			nt = t.addThread(newTid, tgid, true, th.p)
		}
		if np := nt.p; np != th.p && !np.forked {
			np.forked = true
			if np.info == nil && th.p.info != nil {
				np.info = &Process{Pid: np.pid, Argv: th.p.info.Argv} // a fork runs its parent's command
			}
			t.emit(Event{Kind: Fork, Time: time.Now(), Proc: np.process(t), Tid: np.pid, Parent: th.p.pid})
		}
	}
	ptraceCont(th.tid, 0)
}

// execStop handles PTRACE_EVENT_EXEC: the thread that exec'd now has the
// process's pid as its tid, every other thread is gone, and so are the
// descriptors that were close-on-exec.
func (t *tracer) execStop(th *thread) {
	p := th.p
	tid := th.tid
	now := time.Now()
	if former, err := ptraceEventMsg(tid); err == nil && former != tid {
		if old := t.threads[former]; old != nil {
			// th was the old leader's record: the leader is gone and the
			// thread that exec'd took its tid.
			t.dropThread(th, now)
			delete(t.threads, former)
			old.tid = tid
			t.threads[tid] = old
			th = old
		}
	}
	for otid, o := range t.threads {
		if o.p == p && otid != tid {
			t.dropThread(o, now)
		}
	}
	t.endCall(th, now)
	th.closeSchedstat() // its tid may have changed
	th.fresh = false
	t.forgetAll(p)
	p.info = &Process{Pid: p.pid, Argv: t.cmdline(p.pid)}
	first := !p.target
	p.target = true
	ptraceCont(tid, 0)
	if first && p.pid == t.rootPid && !t.isStarted {
		t.isStarted = true
		t.errPipe.Close()
		t.started <- nil
	}
	t.emit(Event{Kind: Exec, Time: now, Proc: p.info, Tid: tid})
}

// dropThread forgets a thread that is gone (its call unfinished).
func (t *tracer) dropThread(th *thread, now time.Time) {
	t.endCall(th, now)
	th.closeSchedstat()
	if t.threads[th.tid] == th {
		delete(t.threads, th.tid)
	}
}

// gone handles a thread's death (reaped by wait4).
func (t *tracer) gone(tid int, ws unix.WaitStatus) {
	th := t.threads[tid]
	if th == nil {
		return // a thread killed by an exec and already forgotten
	}
	now := time.Now()
	t.dropThread(th, now)
	p := th.p
	if tid != p.pid {
		return
	}
	// The leader is reaped last: the process is gone.
	st := ExitStatus{Code: ws.ExitStatus()}
	if ws.Signaled() {
		st = ExitStatus{Signal: int(ws.Signal()), CoreDump: ws.CoreDump()}
	}
	for _, o := range t.threads {
		if o.p == p {
			t.dropThread(o, now)
		}
	}
	t.forgetAll(p)
	delete(t.procs, p.pid)
	t.mu.Lock()
	delete(t.live, p.pid)
	t.mu.Unlock()
	if p.pidfd > 0 {
		unix.Close(p.pidfd)
	}
	if p.pid == t.rootPid {
		t.rootStatus = st
		if !t.isStarted {
			t.isStarted = true
			t.started <- t.shimFailure(st)
			return
		}
	}
	if p.target {
		t.emit(Event{Kind: Exit, Time: now, Proc: p.process(t), Tid: tid, Status: st})
	}
}

// shimFailure explains a shim that ended before it exec'd the command.
func (t *tracer) shimFailure(st ExitStatus) error {
	msg, _ := io.ReadAll(io.LimitReader(t.errPipe, 4096))
	t.errPipe.Close()
	if len(msg) > 0 {
		return fmt.Errorf("trace: %s", msg)
	}
	return fmt.Errorf("trace: the command did not start: the shim (%s) ended with %v before its exec; "+
		"does the program's main call trace.ShimMain first?", t.shim, st)
}

// batchSize and flushAfter bound how many events wait in a batch and for
// how long: handing each event over on its own cost a goroutine wake-up
// (a futex call) per event, on the traced programs' time.
const (
	batchSize  = 128
	flushAfter = 2 * time.Millisecond
)

// emit adds an event to the batch, and sends the batch when it is full
// (waiting when Buffer events are already waiting for OnEvent).
func (t *tracer) emit(ev Event) {
	t.bmu.Lock()
	first := len(t.batch) == 0
	t.batch = append(t.batch, ev)
	full := len(t.batch) >= batchSize
	t.bmu.Unlock()
	if full {
		t.flush()
	} else if first {
		select {
		case t.kick <- struct{}{}:
		default:
		}
	}
}

// flush sends the batch to the forwarding goroutine.
func (t *tracer) flush() {
	t.fmu.Lock()
	defer t.fmu.Unlock()
	t.bmu.Lock()
	b := t.batch
	t.batch = nil
	t.bmu.Unlock()
	if len(b) > 0 {
		t.events <- b
	}
}

// flusher sends each batch at most flushAfter after its first event, so
// that events reach OnEvent while the tracer waits for the next stop.
func (t *tracer) flusher(done chan<- struct{}) {
	defer close(done)
	timer := time.NewTimer(flushAfter)
	timer.Stop()
	for {
		select {
		case <-t.kick:
		case <-t.loopEnd:
			return
		}
		timer.Reset(flushAfter)
		select {
		case <-timer.C:
		case <-t.loopEnd:
			return
		}
		t.flush()
	}
}

func (t *tracer) notice(p *proc, tid int, msg string) {
	t.emit(Event{Kind: Notice, Time: time.Now(), Proc: p.process(t), Tid: tid, Note: msg})
}

// cancelOn stops the traced processes when ctx is cancelled: SIGINT, and
// SIGKILL 2 s later for any still there.
func (t *tracer) cancelOn(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-t.loopEnd:
		return
	}
	t.signalAll(unix.SIGINT)
	timer := time.NewTimer(2 * time.Second)
	defer timer.Stop()
	select {
	case <-timer.C:
		t.killing.Store(true)
		t.signalAll(unix.SIGKILL)
	case <-t.loopEnd:
	}
}

func (t *tracer) signalAll(sig unix.Signal) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for pid := range t.live {
		unix.Kill(pid, sig)
	}
}

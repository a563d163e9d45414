//go:build linux && (amd64 || arm64)

package trace_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockscope/sockscope/demos/trace"
)

// startBlocked starts args and returns once it waits in accept (its
// CallStart event).
func startBlocked(t *testing.T, ctx context.Context, args []string) (*trace.Tracer, *recorder, *trace.Call) {
	t.Helper()
	rec := &recorder{}
	blocked := make(chan *trace.Call, 1)
	rec.watch = func(ev trace.Event) {
		if ev.Kind == trace.CallStart && strings.HasPrefix(ev.Call.Name, "accept") {
			select {
			case blocked <- ev.Call:
			default:
			}
		}
	}
	tr, err := trace.Start(ctx, trace.Options{Args: args, OnEvent: rec.on})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-blocked:
		return tr, rec, c
	case <-time.After(30 * time.Second):
		t.Fatal("no accept CallStart")
	}
	return nil, nil, nil
}

// waitSleeping polls /proc/pid/stat until the process's main thread is in
// state S (sleeping in a system call; a ptrace stop is t). There is no
// event for it.
func waitSleeping(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			t.Fatal(err)
		}
		if f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:])); len(f) > 0 && f[0] == "S" {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("process %d never slept", pid)
}

// endOf finds the CallEnd of call id.
func endOf(rec *recorder, id uint64) *trace.Call {
	for _, ev := range rec.ends() {
		if ev.Call.ID == id {
			return ev.Call
		}
	}
	return nil
}

// TestKilledInAccept: a program killed while it waits in accept. Wait
// returns, the call's start was reported, and its end says it never
// returned.
func TestKilledInAccept(t *testing.T) {
	py := needPython(t)
	tr, rec, start := startBlocked(t, context.Background(), []string{py, testdata("accept_forever.py")})
	if !start.MayBlock || start.FD < 0 {
		t.Errorf("CallStart accept: %+v", start)
	}
	if err := syscall.Kill(tr.Pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	st, err := tr.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if st.Signal != int(syscall.SIGKILL) {
		t.Errorf("status %v, want killed by SIGKILL", st)
	}
	end := endOf(rec, start.ID)
	if end == nil || !end.Unfinished || end.End.Before(start.Start) {
		t.Fatalf("the accept's end: %+v", end)
	}
	if exits := rec.kind(trace.Exit); len(exits) != 1 || exits[0].Status != st {
		t.Errorf("Exit events %v", exits)
	}
}

// TestCancelInterrupts: cancelling the context sends SIGINT; Python's
// KeyboardInterrupt ends the program, and the interrupted accept is
// reported with the EINTR the program saw.
func TestCancelInterrupts(t *testing.T) {
	py := needPython(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr, rec, start := startBlocked(t, ctx, []string{py, testdata("accept_forever.py")})
	// The CallStart says the tracer let accept in; the thread may not
	// have gone to sleep in it yet (then the signal makes it return at
	// once, without sleeping). Wait until it sleeps.
	waitSleeping(t, tr.Pid())
	cancel()
	st, err := tr.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if st.Signal != int(syscall.SIGINT) && st.Code == 0 {
		t.Errorf("status %v, want the end of a KeyboardInterrupt", st)
	}
	end := endOf(rec, start.ID)
	if end == nil || end.Unfinished || end.Errno != "EINTR" || end.Ret != -4 {
		t.Fatalf("the interrupted accept: %+v", end)
	}
	if !end.Slept {
		t.Errorf("the accept waited until the signal, but Slept is false")
	}
}

// TestCancelKillsAfterGrace: a program that ignores SIGINT is killed 2 s
// after the cancel.
func TestCancelKillsAfterGrace(t *testing.T) {
	prog := needGCC(t, testdata("ignore_sigint.c"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr, rec, start := startBlocked(t, ctx, []string{prog})
	cancel()
	st, err := tr.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if st.Signal != int(syscall.SIGKILL) {
		t.Errorf("status %v, want killed by SIGKILL", st)
	}
	// The SIGINT (ignored) interrupted accept, which the kernel restarted:
	// one call, which the SIGKILL ended unfinished.
	var accepts []*trace.Call
	for _, ev := range rec.ends() {
		if ev.Call.Name == "accept" {
			accepts = append(accepts, ev.Call)
		}
	}
	if len(accepts) != 1 || accepts[0].ID != start.ID || !accepts[0].Unfinished {
		for _, c := range accepts {
			t.Logf("accept %d: %s unfinished %v", c.ID, c.Result(), c.Unfinished)
		}
		t.Errorf("accepts after the cancel")
	}
}

// TestCommandNotFound: a command that does not exist is named in the
// error, and nothing is run.
func TestCommandNotFound(t *testing.T) {
	for _, name := range []string{"sockscope-no-such-command", "/nonexistent/sockscope-prog", "./no-such-prog"} {
		tr, err := trace.Start(context.Background(), trace.Options{Args: []string{name, "arg"}})
		if err == nil {
			tr.Wait()
			t.Errorf("%s: no error", name)
			continue
		}
		if !strings.Contains(err.Error(), name) {
			t.Errorf("%s: the error does not name it: %v", name, err)
		}
		t.Logf("%s: %v", name, err)
	}
	// Found, but not executable.
	f := filepath.Join(t.TempDir(), "not-executable")
	if err := os.WriteFile(f, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := trace.Start(context.Background(), trace.Options{Args: []string{f}}); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("a file without x: %v", err)
	}
	if _, err := trace.Start(context.Background(), trace.Options{}); err == nil {
		t.Error("no command: no error")
	}
	// A command the shim cannot exec (no #! line, not ELF): the shim's
	// reason comes back.
	g := filepath.Join(t.TempDir(), "garbage")
	if err := os.WriteFile(g, []byte("\x00\x01\x02 not a program"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := trace.Start(context.Background(), trace.Options{Args: []string{g}})
	if err == nil || !strings.Contains(err.Error(), "exec format error") || !strings.Contains(err.Error(), g) {
		t.Errorf("an unrunnable file: %v", err)
	}
	if errors.Is(err, trace.ErrPtraceDenied) {
		t.Errorf("%v is not a ptrace refusal", err)
	}
}

// TestExitStatus: the command's own exit status comes back from Wait.
func TestExitStatus(t *testing.T) {
	_, st, _ := run(t, []string{"/bin/sh", "-c", "exit 7"}, nil)
	if st.Code != 7 || st.Signal != 0 {
		t.Errorf("status %v, want exit status 7", st)
	}
}

// TestSignalRestart: an accept interrupted by a signal whose handler has
// SA_RESTART is restarted by the kernel and reported as one call (its
// result the connection it then accepted); without SA_RESTART the program
// gets EINTR, and so does the record.
func TestSignalRestart(t *testing.T) {
	prog := needGCC(t, testdata("restart.c"))
	rec := &recorder{}
	starts := make(chan *trace.Call, 4)
	var port = make(chan uint16, 1)
	rec.watch = func(ev trace.Event) {
		switch {
		case ev.Kind == trace.CallStart && ev.Call.Name == "accept":
			starts <- ev.Call
		case ev.Kind == trace.CallEnd && ev.Call.Name == "listen":
			port <- ev.Call.State.Local.AddrPort.Port()
		}
	}
	var out bytes.Buffer
	tr, err := trace.Start(context.Background(), trace.Options{Args: []string{prog}, OnEvent: rec.on, Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	next := func() *trace.Call {
		select {
		case c := <-starts:
			return c
		case <-time.After(30 * time.Second):
			t.Fatal("no accept CallStart")
		}
		return nil
	}
	first := next()
	waitSleeping(t, tr.Pid())
	syscall.Kill(tr.Pid(), syscall.SIGUSR1)
	// Connect only once the signal has been taken and accept sleeps
	// again (restarted); a connection already waiting would let the
	// interrupted accept succeed instead.
	waitSignalTaken(t, tr.Pid())
	waitSleeping(t, tr.Pid())
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", <-port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	second := next()
	waitSleeping(t, tr.Pid())
	syscall.Kill(tr.Pid(), syscall.SIGUSR2)
	st, err := tr.Wait()
	if err != nil || !st.Success() {
		t.Fatalf("%v %v; stdout %q", st, err, out.String())
	}
	var accepts []*trace.Call
	for _, ev := range rec.ends() {
		if ev.Call.Name == "accept" {
			accepts = append(accepts, ev.Call)
		}
	}
	if len(accepts) != 2 {
		for _, c := range accepts {
			t.Logf("accept %d: %s", c.ID, c.Result())
		}
		t.Fatalf("%d accept records, want 2", len(accepts))
	}
	if a := accepts[0]; a.ID != first.ID || a.Errno != "" || a.Ret < 0 || a.State.Peer.AddrPort.String() != conn.LocalAddr().String() || !a.Slept {
		t.Errorf("the restarted accept: %s, peer %v (want %v), slept %v", a.Result(), a.State.Peer, conn.LocalAddr(), a.Slept)
	}
	if a := accepts[1]; a.ID != second.ID || a.Errno != "EINTR" || a.Ret != -4 {
		t.Errorf("the interrupted accept: %s", a.Result())
	}
	if n := tr.Stats().Restarted; n != 1 {
		t.Errorf("%d calls restarted, want 1", n)
	}
}

// waitSignalTaken polls /proc/pid/status until no signal is pending.
func waitSignalTaken(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "\nSigPnd:\t0000000000000000\n") && strings.Contains(string(b), "\nShdPnd:\t0000000000000000\n") {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("process %d never took its signal", pid)
}

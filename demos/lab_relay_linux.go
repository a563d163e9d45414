package demos

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	ossignal "os/signal"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// A binary with file capabilities (the capture setup: setcap
// cap_net_raw,cap_net_admin+ep) starts non-dumpable. The kernel then owns
// its /proc files as root, and so those of a child it clones, until that
// child execs. Go's os/exec writes a new user namespace's uid_map from the
// parent between clone and exec, so for an ordinary user that write fails
// with EACCES and no lab can be made.
//
// Making the parent dumpable (PR_SET_DUMPABLE) while it holds
// CAP_NET_ADMIN would let any process of the same user look into it and, by
// ptracing a thread, use its capabilities; giving them up first needs
// capset on every thread (syscall.AllThreadsSyscall), which Go refuses in
// a binary that links cgo, as a default `go build` does wherever a C
// compiler is installed. So the lab goes through a relay instead:
//
//	parent (capabilities, non-dumpable)
//	  one locked thread: capset(all empty), PR_SET_NO_NEW_PRIVS; starts ──► relay (/proc/self/exe, LabEnv=v1:relay:PID)
//	  and waits; the thread then dies, never running other goroutines        no capabilities (no_new_privs: exec gains
//	                                                                         none), so dumpable; MaybeChild runs the
//	                                                                         usual lab start ──► lab child (userns)
//
// The capabilities never reach a dumpable process. The parent keeps them
// and stays non-dumpable (and the kernel lets no one without them ptrace
// it anyway). The relay has none and gives whoever can ptrace it, the same
// user, nothing that user lacks: stdio and a status pipe. The lab child has
// capabilities only over its own namespaces, as any user namespace that
// user makes. The relay passes the lab child's status line to the parent's
// pipe and exits with the child's status, so the parent sees what it would
// see without the relay.

// dumpable reports whether this process is dumpable (PR_GET_DUMPABLE = 1,
// SUID_DUMP_USER); a binary run with file capabilities is not.
func dumpable() bool {
	v, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
	return err != nil || v == 1 // unknown: assume the ordinary case
}

// dropThreadPrivileges empties the calling thread's capability sets
// (permitted, effective, inheritable; the ambient set follows) and sets
// no_new_privs, so that a program it execs gains no file capabilities. Both
// are per thread: the caller must have locked its OS thread.
func dropThreadPrivileges() error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("giving up this binary's file capabilities before starting the lab: capset: %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("giving up this binary's file capabilities before starting the lab: prctl(PR_SET_NO_NEW_PRIVS): %w", err)
	}
	return nil
}

// runRelay is the relay's whole life (MaybeChild calls it for
// LabEnv=v1:relay): start the lab child with the same arguments, pass its
// status line on to status (the parent's pipe), and exit with its status.
func runRelay(status *os.File, parent int) {
	// The Pdeathsig the parent asked for does not survive our exec: the
	// kernel clears it on exec of a binary with file capabilities, even
	// one that gains none under no_new_privs (a "secure exec"). Ask again,
	// then check the parent did not die before we did: otherwise a killed
	// parent would leave the relay and the lab running.
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0, 0, 0); err != nil || os.Getppid() != parent {
		os.Exit(125)
	}
	report := func(line string) {
		if status != nil {
			fmt.Fprintln(status, line)
		} else {
			fmt.Fprintln(os.Stderr, "sockscope: lab: "+line)
		}
	}
	if !dumpable() {
		report("nsoff " + capsWhy + ", and the copy started without them is still not dumpable (a set-user-ID or set-group-ID binary?)")
		os.Exit(125)
	}
	// Ctrl-C reaches the lab child from the terminal; SIGTERM from the
	// parent is passed on (runChild's Cancel).
	ctx, stop := ossignal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := runChild(ctx, LabOptions{Args: os.Args[1:], Files: labFiles}, "userns", status)
	var se *startError
	if errors.As(err, &se) {
		err = se.classify()
	}
	var ne *NamespaceError
	var xe *ExitError
	switch {
	case err == nil:
		os.Exit(0)
	case errors.As(err, &xe):
		os.Exit(xe.Code)
	case errors.Is(err, errForwarded):
	case errors.As(err, &ne):
		report("nsoff " + oneLine(ne.Why))
	default:
		report("error " + oneLine(err.Error()))
	}
	os.Exit(125)
}

// errForwarded: the lab child's status line, which says what went wrong,
// was passed on to the parent already.
var errForwarded = errors.New("lab: the child's status was passed on")

// capsWhy names the cause when a lab cannot be made because this binary
// has file capabilities.
const capsWhy = "this binary has file capabilities (setcap), which make it non-dumpable, so the kernel refuses the lab's uid_map write"

// startRelay starts cmd (the relay) from a thread of its own that first
// gives up every capability and sets no_new_privs, and returns a function
// that waits for it. The thread is never unlocked: when its goroutine
// returns, after the relay has exited, the runtime ends it, so no other
// goroutine ever runs with its changed credentials. It must live as long
// as the relay, whose Pdeathsig fires when the thread that started it ends.
func startRelay(cmd *exec.Cmd) (wait func() error, err error) {
	started, waited := make(chan error, 1), make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := dropThreadPrivileges(); err != nil {
			started <- err
			return
		}
		if err := cmd.Start(); err != nil {
			started <- &startError{err: err}
			return
		}
		started <- nil
		waited <- cmd.Wait()
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return func() error { return <-waited }, nil
}

package demos

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockscope/sockscope/internal/netns"
)

// statusFD is the child's end of the status pipe (ExtraFiles[0]).
const statusFD = 3

// MaybeChild must be called first thing in main (and in TestMain). In an
// ordinary process it returns false and does nothing else. In a child
// started by RunIsolated it checks that the process is in a new network
// namespace, brings its loopback up, tells the parent, and returns true;
// main then carries on with the same arguments and runs the demo here
// (InLab reports true from then on). If the namespace cannot be set up, it
// tells the parent why and exits with status 125 without printing; the
// parent's RunIsolated returns the error.
func MaybeChild() bool {
	v, ok := os.LookupEnv(LabEnv)
	if !ok {
		return false
	}
	os.Unsetenv(LabEnv) // programs the demo starts are not lab children
	var status *os.File // nil when not started by RunIsolated: report on stderr
	var st unix.Stat_t
	if unix.Fstat(statusFD, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFIFO {
		status = os.NewFile(statusFD, "lab-status")
	}
	if n, err := strconv.Atoi(os.Getenv(LabFilesEnv)); err == nil && n > 0 && n < 64 {
		for i := range n {
			labFiles = append(labFiles, os.NewFile(uintptr(statusFD+1+i), "lab-file-"+strconv.Itoa(i)))
		}
	}
	os.Unsetenv(LabFilesEnv)
	if p, ok := strings.CutPrefix(v, "v1:relay:"); ok {
		parent, _ := strconv.Atoi(p)
		runRelay(status, parent) // starts the lab child; never returns
	}
	if err := setupChild(v); err != nil {
		if status != nil {
			var ne *NamespaceError
			if errors.As(err, &ne) {
				fmt.Fprintf(status, "nsoff %s\n", oneLine(ne.Why))
			} else {
				fmt.Fprintf(status, "error %s\n", oneLine(err.Error()))
			}
		} else {
			fmt.Fprintln(os.Stderr, "sockscope: lab: "+err.Error())
		}
		os.Exit(125)
	}
	if status != nil {
		fmt.Fprintln(status, "ok")
		status.Close()
	}
	inLab = true
	return true
}

// setupChild checks the namespace and brings lo up.
func setupChild(v string) error {
	if v != "v1:netns" && v != "v1:userns" {
		return fmt.Errorf("%s=%q was not set by this version of sockscope", LabEnv, v)
	}
	if !netns.Isolated() {
		return errors.New("not in a new network namespace; refusing to run a demo on the host's network")
	}
	if err := netns.LoopbackUp(); err != nil {
		if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
			why := "bringing up its loopback was refused"
			if readSysctl("kernel/apparmor_restrict_unprivileged_userns") == "1" {
				why = "AppArmor restricts unprivileged user namespaces (sysctl kernel.apparmor_restrict_unprivileged_userns = 1)"
			}
			return &NamespaceError{Why: why, Err: err}
		}
		return err
	}
	if os.Getenv(labSharedTmpEnv) == "1" {
		os.Unsetenv(labSharedTmpEnv)
		return nil // trace: the user's programs see the host's temporary directory
	}
	if err := privateTmp(); err != nil {
		// A security policy may forbid mounts even here. The demos
		// still run; only a SIGKILL could then leave a socket file in
		// the host's temporary directory.
		fmt.Fprintln(os.Stderr, "sockscope: lab: no private temporary directory ("+err.Error()+"); a killed unix-stream demo may leave its socket file behind")
	}
	return nil
}

func readSysctl(name string) string {
	b, err := os.ReadFile("/proc/sys/" + name)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// userNSOff returns why unprivileged user namespaces are off, or "".
func userNSOff() string {
	if readSysctl("kernel/unprivileged_userns_clone") == "0" {
		return "user namespaces are switched off for ordinary users (sysctl kernel.unprivileged_userns_clone = 0)"
	}
	if readSysctl("user/max_user_namespaces") == "0" {
		return "user namespaces are switched off (sysctl user.max_user_namespaces = 0)"
	}
	return ""
}

// RunIsolated re-executes this program (/proc/self/exe) in a new network
// namespace and waits for it: as an ordinary user through a new user
// namespace (CLONE_NEWUSER|CLONE_NEWNET, the caller's uid and gid mapped to
// 0 inside), as root through a plain CLONE_NEWNET (or, where that is not
// allowed, a user namespace too). The program's main must call MaybeChild
// first; the child then runs with opts.Args.
//
// It returns nil when the child exits 0, an *ExitError for another status,
// a *NamespaceError (errors.Is ErrNoNamespace) when no namespace can be
// made here, and ctx's error if ctx was cancelled (the child is sent
// SIGTERM, and SIGKILL 3 s later).
func RunIsolated(ctx context.Context, opts LabOptions) error {
	if inLab {
		return errors.New("lab: already inside the lab")
	}
	if _, ok := os.LookupEnv(LabEnv); ok {
		return errors.New("lab: " + LabEnv + " is set but demos.MaybeChild was not called first in main")
	}
	root := os.Geteuid() == 0
	if !root {
		if why := userNSOff(); why != "" {
			return &NamespaceError{Why: why}
		}
	}
	mode := "netns"
	if !root || forceUserNS {
		mode = "userns"
	}
	if !root && !dumpable() {
		mode = "relay" // file capabilities: see lab_relay_linux.go
	}
	err := runChild(ctx, opts, mode, nil)
	var se *startError
	if root && errors.As(err, &se) && (errors.Is(se.err, unix.EPERM) || errors.Is(se.err, unix.EINVAL)) {
		// Root without CAP_SYS_ADMIN (a container): try a user namespace.
		err = runChild(ctx, opts, "userns", nil)
	}
	if errors.As(err, &se) {
		return se.classify()
	}
	return err
}

// startError is a failure to start the child (clone, uid_map, exec).
type startError struct{ err error }

func (e *startError) Error() string { return "lab: start: " + e.err.Error() }

func (e *startError) classify() error {
	var errno syscall.Errno
	if errors.As(e.err, &errno) {
		switch errno {
		case unix.EPERM, unix.EACCES:
			why := "this process may not create one (" + unix.ErrnoName(errno) + ")"
			if w := userNSOff(); w != "" {
				why = w
			} else if os.Geteuid() != 0 {
				why = "user namespaces are switched off or not allowed here (" + unix.ErrnoName(errno) + ")"
			}
			return &NamespaceError{Why: why, Err: errno}
		case unix.EINVAL:
			return &NamespaceError{Why: "this kernel has no user or network namespaces (EINVAL)", Err: errno}
		case unix.ENOSPC, unix.EUSERS:
			return &NamespaceError{Why: "the limit on user namespaces is reached or zero (" + unix.ErrnoName(errno) + "; sysctl user.max_user_namespaces)", Err: errno}
		}
	}
	return e
}

// runChild starts the lab child (mode "netns" or "userns") or the relay
// that starts it (mode "relay", see lab_relay_linux.go) and waits for it.
// forward, if not nil, gets a copy of the child's status line (the relay
// passes it on to its parent).
func runChild(ctx context.Context, opts LabOptions, mode string, forward io.Writer) error {
	args := opts.Args
	if args == nil {
		args = os.Args[1:]
	}
	// netns.Command: CLONE_NEWNET as root, CLONE_NEWUSER|CLONE_NEWNET with
	// uid and gid mapped to 0 otherwise; Pdeathsig; and the marker that
	// netns.Isolated checks in the child.
	cmd := netns.Command(ctx, "/proc/self/exe", args...)
	if mode == "relay" {
		// The relay stays in this namespace; it makes the lab itself.
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	}
	if mode != "relay" {
		cmd.SysProcAttr.Cloneflags |= syscall.CLONE_NEWNS // see lab_tmp_linux.go
	}
	if mode == "userns" && cmd.SysProcAttr.Cloneflags&syscall.CLONE_NEWUSER == 0 {
		// Root taking the ordinary user's path (a container without
		// CAP_SYS_ADMIN, or the tests).
		attr := cmd.SysProcAttr
		attr.Cloneflags |= syscall.CLONE_NEWUSER
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
		attr.GidMappingsEnableSetgroups = false
	}
	cmd.Args[0] = os.Args[0]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = opts.Stdin, opts.Stdout, opts.Stderr
	if cmd.Stdin == nil {
		cmd.Stdin = os.Stdin
	}
	if cmd.Stdout == nil {
		cmd.Stdout = os.Stdout
	}
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	cmd.Env = append(cmd.Env, opts.Env...)
	if mode == "relay" {
		cmd.Env = append(cmd.Env, LabEnv+"=v1:relay:"+strconv.Itoa(os.Getpid()))
	} else {
		cmd.Env = append(cmd.Env, LabEnv+"=v1:"+mode)
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 3 * time.Second

	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd.ExtraFiles = append([]*os.File{w}, opts.Files...) // fd 3 in the child, then 4, 5 …
	if len(opts.Files) > 0 {
		cmd.Env = append(cmd.Env, LabFilesEnv+"="+strconv.Itoa(len(opts.Files)))
	}
	if opts.SharedTmp {
		cmd.Env = append(cmd.Env, labSharedTmpEnv+"=1")
	}

	// Pdeathsig fires when the thread that started the child exits, so
	// keep this goroutine on its thread until the child is gone.
	wait := cmd.Wait
	if mode == "relay" {
		wait, err = startRelay(cmd)
	} else {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		err = cmd.Start()
		if err != nil {
			err = &startError{err: err}
		}
	}
	w.Close()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}

	// The first line on the pipe says whether the namespace is ready. EOF
	// without a line: the child exited (or exec'd something) without
	// calling MaybeChild.
	line, _ := bufio.NewReader(r).ReadString('\n')
	line = strings.TrimSpace(line)
	if forward != nil && line != "" {
		fmt.Fprintln(forward, line)
	}
	werr := wait()
	switch {
	case line == "ok":
	case forward != nil && line != "":
		return errForwarded
	case strings.HasPrefix(line, "nsoff "):
		return &NamespaceError{Why: strings.TrimPrefix(line, "nsoff "), Err: unix.EPERM}
	case strings.HasPrefix(line, "error "):
		return errors.New("lab: " + strings.TrimPrefix(line, "error "))
	default:
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if werr == nil {
			return errors.New("lab: the child did not set up the lab (does main call demos.MaybeChild first?)")
		}
	}
	if werr == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ee *exec.ExitError
	if errors.As(werr, &ee) {
		code := ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal())
		}
		return &ExitError{Code: code}
	}
	return werr
}

//go:build linux && (amd64 || arm64)

package trace

import (
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// shimEnv marks the shim: its value is the command's path. The shim's
// argv is the command's argv; fd 3 is a pipe to the tracer for the reason
// it could not exec.
const shimEnv = "SOCKSCOPE_TRACE_SHIM"

// shimErrFD is the pipe's descriptor in the shim.
const shimErrFD = 3

// ShimMain is the shim: when the program was started by Start (the marker
// is in its environment) it installs the seccomp filter and executes the
// command, and never returns; otherwise it returns false at once.
//
// A program that uses Start with the default ShimPath (/proc/self/exe)
// must call ShimMain first thing in main, and a test binary first thing in
// TestMain:
//
//	func main() {
//		if trace.ShimMain() { return } // never true: it execs or exits
//		…
//	}
//
// In the shim it locks its OS thread, sets PR_SET_NO_NEW_PRIVS (so that an
// unprivileged process may install a filter; set-uid programs then run
// without their privileges), installs the filter on every thread
// (SECCOMP_FILTER_FLAG_TSYNC), and execve's the command with its argv and
// environment (the marker removed). The tracer has traced the shim since
// before its own execve, so every thread the Go runtime starts is traced
// too, and calls the shim makes after the filter (its fcntl below) are
// seen and let through unrecorded. On failure it writes the reason to the
// tracer and exits with status 127.
func ShimMain() bool {
	path, ok := os.LookupEnv(shimEnv)
	if !ok {
		return false
	}
	runtime.LockOSThread()
	env := make([]string, 0, len(os.Environ()))
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, shimEnv+"=") {
			env = append(env, kv)
		}
	}
	fail := func(what string, err error) {
		unix.Write(shimErrFD, []byte(what+": "+err.Error()))
		os.Exit(127)
	}
	f, err := filter()
	if err != nil {
		fail("seccomp filter", err)
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		fail("prctl(PR_SET_NO_NEW_PRIVS)", err)
	}
	if err := installFilter(f); err != nil {
		fail("cannot install the seccomp filter", err)
	}
	// After the filter: a traced call, which the tracer lets through as
	// the shim's. The pipe closes on a successful exec.
	if _, err := unix.FcntlInt(shimErrFD, unix.F_SETFD, unix.FD_CLOEXEC); err != nil {
		fail("fcntl", err)
	}
	err = unix.Exec(path, os.Args, env)
	fail("cannot run "+path, err)
	return true
}

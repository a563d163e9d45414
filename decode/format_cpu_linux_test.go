//go:build linux

package decode_test

import (
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

// fmtCPUClock reads the calling thread's CPU time, for the formatting
// benchmarks: on a machine shared with other work the wall clock counts
// their time too. The benchmark locks its goroutine to its thread.
type fmtCPUClock struct{}

func newFmtCPUClock() fmtCPUClock { runtime.LockOSThread(); return fmtCPUClock{} }

func (fmtCPUClock) stop() { runtime.UnlockOSThread() }

// now is CLOCK_THREAD_CPUTIME_ID (3); the syscall package has no wrapper.
func (fmtCPUClock) now() time.Duration {
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 3, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}

const fmtCPUUnit = "cpu-ns/packet"

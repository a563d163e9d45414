//go:build linux

package decode_test

import "golang.org/x/sys/unix"

// trackerThreadCPU is the CPU time the calling thread has used, in
// nanoseconds, for BenchmarkTrackerCapture's cpu-ns/packet: on a shared
// machine the wall clock counts other programs' time too, and the
// process's CPU time the collector's background work. The thread's
// clock counts nanoseconds; its rusage only scheduler ticks, too coarse
// for one batch.
func trackerThreadCPU() (int64, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0, false
	}
	return ts.Nano(), true
}

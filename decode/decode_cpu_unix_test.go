//go:build unix

package decode_test

import "syscall"

// decodeProcessCPU is the CPU time the process has used, in nanoseconds,
// for BenchmarkDecodeCapture's cpu-ns/packet: on a shared machine the wall
// clock counts other programs' time too.
func decodeProcessCPU() (int64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}

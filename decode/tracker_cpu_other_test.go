//go:build !linux

package decode_test

// trackerThreadCPU is not measured here: BenchmarkTrackerCapture reports
// the wall clock only.
func trackerThreadCPU() (int64, bool) { return 0, false }

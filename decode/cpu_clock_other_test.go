//go:build !linux

package decode_test

// threadCPU is not read here: cpuClock falls back to the wall clock.
func threadCPU() (int64, bool) { return 0, false }

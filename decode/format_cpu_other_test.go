//go:build !unix

package decode_test

// fmtProcessCPU is not measured here: the benchmarks report wall time only.
func fmtProcessCPU() (int64, bool) { return 0, false }

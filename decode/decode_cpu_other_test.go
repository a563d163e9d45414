//go:build !unix

package decode_test

// decodeProcessCPU is not measured here: BenchmarkDecodeCapture reports
// the wall clock only.
func decodeProcessCPU() (int64, bool) { return 0, false }

//go:build linux && (amd64 || arm64)

package trace_test

import (
	"os"
	"testing"

	"github.com/sockscope/sockscope/demos/trace"
)

// TestMain lets the test binary be the tracer's shim (the default
// ShimPath, /proc/self/exe) and, for TestPtraceDenied, a process that may
// not use ptrace.
func TestMain(m *testing.M) {
	if trace.ShimMain() {
		return
	}
	if os.Getenv(denyPtraceEnv) != "" {
		denyPtraceAndStart()
	}
	os.Exit(m.Run())
}

//go:build !linux

package netns

import (
	"context"
	"errors"
	"os/exec"
	"runtime"
)

var errUnsupported = errors.New("netns: network namespaces exist only on Linux (this is " + runtime.GOOS + ")")

// Isolated is always false: network namespaces exist only on Linux.
func Isolated() bool { return false }

// Command returns a command whose Start fails: network namespaces exist
// only on Linux. Unsupported is true for that error.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Err = errUnsupported
	return cmd
}

// Unsupported reports whether err means namespaces cannot be created here;
// on this system they never can.
func Unsupported(err error) bool { return err != nil }

// LoopbackUp fails: network namespaces exist only on Linux.
func LoopbackUp() error { return errUnsupported }

// TB is the part of testing.TB that ReexecTest uses; *testing.T has it.
type TB interface {
	Helper()
	Name() string
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}

// ReexecTest skips t: network namespaces exist only on Linux.
func ReexecTest(t TB) bool {
	t.Helper()
	t.Skipf("%v", errUnsupported)
	return true
}

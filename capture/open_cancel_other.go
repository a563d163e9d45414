//go:build !linux

package capture

import (
	"errors"
	"os"
)

// openSpecial opens a file that is not a regular file. Elsewhere than Linux
// this is os.Open, which waits for a FIFO's writer: Ctrl-C is not seen
// until one comes.
func openSpecial(path string, _ os.FileMode) (*os.File, bool, error) {
	f, err := os.Open(path)
	return f, false, err
}

// reopen is not available: standard input is read through a goroutine.
func reopen(*os.File) (*os.File, error) {
	return nil, errors.New("capture: no /proc/self/fd")
}

// waitWriter is never needed: openSpecial does not use O_NONBLOCK.
func waitWriter(*os.File) error { return nil }

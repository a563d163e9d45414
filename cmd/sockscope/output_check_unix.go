//go:build unix

package main

import (
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// isTerminalPath reports whether path, a character device, is a terminal.
// It opens the device without making it the controlling terminal and
// writes nothing.
func isTerminalPath(path string) bool {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_NOCTTY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return false // Create reports why it cannot be opened
	}
	defer unix.Close(fd)
	return term.IsTerminal(fd)
}

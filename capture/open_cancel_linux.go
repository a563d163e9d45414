package capture

import (
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// openSpecial opens a file that is not a regular file without waiting: a
// FIFO with O_NONBLOCK (open(2) would wait for a writer; the first Read
// waits instead, see waitWriter), anything else as os.Open does. fifo
// reports whether the first Read must wait for a writer.
func openSpecial(path string, mode os.FileMode) (f *os.File, fifo bool, err error) {
	flag := os.O_RDONLY | syscall.O_NOCTTY
	if mode&os.ModeNamedPipe != 0 {
		flag |= syscall.O_NONBLOCK
		fifo = true
	}
	f, err = os.OpenFile(path, flag, 0)
	return f, fifo, err
}

// reopen opens f's file anew through /proc/self/fd: the same pipe, FIFO or
// terminal, but an open file description of this process's own, so that
// O_NONBLOCK (and Go's poller) do not reach the description a shell shares
// with us. It fails for sockets (ENXIO) and without /proc.
func reopen(f *os.File) (*os.File, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var fd uintptr
	// Control, not Fd: Fd would switch a non-blocking f to blocking.
	if err := rc.Control(func(s uintptr) { fd = s }); err != nil {
		return nil, err
	}
	// O_NONBLOCK: a FIFO whose writer has gone would otherwise make this
	// open wait for the next one (the first Read waits instead).
	return os.OpenFile("/proc/self/fd/"+strconv.Itoa(int(fd)), os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
}

// waitWriter waits, in Go's poller, until f (a FIFO opened with O_NONBLOCK)
// has bytes to read or a writer has come and gone. Before any writer has
// come, read(2) returns 0 — EOF to Go — and poll(2) reports neither POLLIN
// nor POLLHUP (Linux holds the hang-up back until a writer has been seen),
// so poll says when reading makes sense. An anonymous pipe with no writer
// reports POLLHUP at once. It returns os.ErrDeadlineExceeded when f's read
// deadline passes.
func waitWriter(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var perr error
	err = rc.Read(func(fd uintptr) bool {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(pfd, 0)
		for err == unix.EINTR {
			n, err = unix.Poll(pfd, 0)
		}
		if err != nil {
			perr = os.NewSyscallError("poll", err)
			return true
		}
		return n > 0 // false: wait in the poller, then ask again
	})
	if err != nil {
		return err
	}
	return perr
}

//go:build unix

package demos

import (
	"strconv"
	"time"

	"github.com/sockscope/sockscope/demos/sockcall"
	"golang.org/x/sys/unix"
)

// What the blocking lesson adds to Sock: a receive timeout, a recv that
// waits inside the kernel (where that timeout applies), poll for writable,
// and SO_ERROR. Each is a recorded call, like the wrappers in sock.go.

// SetRecvTimeout sets the kernel's receive timeout: setsockopt(SOL_SOCKET,
// SO_RCVTIMEO, d). A recv that waits longer fails with EAGAIN. Python's
// s.settimeout(d) gives the same wait by other means (a non-blocking socket
// and poll inside the library, then TimeoutError('timed out')).
func (s *Sock) SetRecvTimeout(d time.Duration) error {
	s.mark()
	tv := unix.NsecToTimeval(d.Nanoseconds())
	err := unix.SetsockoptTimeval(s.FD, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	t := s.stamp()
	args := "SOL_SOCKET, SO_RCVTIMEO, " + strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
	s.record(t, sockcall.Call{Op: "setsockopt", Args: args}, err, nil)
	return s.fail("setsockopt", err)
}

// RecvTimed is recv(fd, buf, bufsize, 0) on a blocking socket, waiting
// inside the system call itself rather than in poll first (as Recv does),
// so that SO_RCVTIMEO applies: with a timeout set it fails with EAGAIN
// once the timeout has passed with nothing to read. A cancelled lesson
// wakes it by shutting the socket down.
//
// With a timeout set, a signal handler that runs while recv waits makes
// it fail with EINTR: the kernel does not restart a socket call waiting
// under a timeout, SA_RESTART or not (signal(7)), and Go's runtime
// installs handlers, with SA_RESTART, for the signals it uses (SIGURG, its
// preemption signal, among them). Each interrupted attempt is
// recorded as a call of its own, recv = -1 EINTR with no data, as strace
// shows it, and recv is made again, announced afresh, as Python 3.5 and
// later do (PEP 475). The new call waits the whole timeout again: the
// kernel's timeout starts with each call.
func (s *Sock) RecvTimed(bufsize int) ([]byte, error) {
	s.mark()
	args := strconv.Itoa(bufsize)
	buf := make([]byte, bufsize)
	for {
		s.announce("recv", args, "")
		var n int
		var err error
		stop := s.wakeOnCancel()
		waited := sleptDuring(func() { n, _, err = unix.Recvfrom(s.FD, buf, 0) })
		t := s.stamp()
		stop()
		c := sockcall.Call{Op: "recv", Args: args, Len: bufsize, Ret: n, Waited: waited}
		if err == unix.EINTR {
			s.record(t, c, err, nil)
			s.mark()
			continue
		}
		if err != nil {
			s.record(t, c, err, nil)
			return nil, s.fail("recv", err)
		}
		c.Data = append([]byte(nil), buf[:n]...)
		s.record(t, c, nil, nil)
		return buf[:n], nil
	}
}

// PollOut waits until the socket is writable, or has an error or a
// hang-up, for at most timeout: poll([fd, POLLOUT], timeout), Python's
// select.poll() with register(s, POLLOUT) (or select.select([], [s], [])).
// Ret is poll's result (1 ready, 0 timed out) and Flags the revents
// ("POLLOUT|POLLERR|POLLHUP").
func (s *Sock) PollOut(timeout time.Duration) (revents int16, err error) {
	s.mark()
	args := "POLLOUT, " + strconv.FormatInt(timeout.Milliseconds(), 10)
	s.announce("poll", args, "")
	fds := []unix.PollFd{{Fd: int32(s.FD), Events: unix.POLLOUT}}
	deadline := time.Now().Add(timeout)
	var n int
	var werr error
	waited := sleptDuring(func() {
		for {
			if werr = s.ctx.Err(); werr != nil {
				return
			}
			n, err = unix.Poll(fds, 50)
			if err == unix.EINTR {
				continue
			}
			if err != nil || n > 0 || time.Now().After(deadline) {
				return
			}
		}
	})
	if werr != nil {
		return 0, s.fail("poll", werr)
	}
	t := s.stamp()
	revents = fds[0].Revents
	c := sockcall.Call{Op: "poll", Args: args, Ret: n, Flags: sockcall.PollNames(uint32(uint16(revents))), Waited: waited}
	s.record(t, c, err, nil)
	return revents, s.fail("poll", err)
}

// SoError reads and clears the socket's pending error:
// getsockopt(SOL_SOCKET, SO_ERROR), Python's
// s.getsockopt(SOL_SOCKET, SO_ERROR). The value (0, or an errno such as
// 111, ECONNREFUSED) is the call's Ret.
func (s *Sock) SoError() (int, error) {
	s.mark()
	v, err := unix.GetsockoptInt(s.FD, unix.SOL_SOCKET, unix.SO_ERROR)
	t := s.stamp()
	s.record(t, sockcall.Call{Op: "getsockopt", Args: "SOL_SOCKET, SO_ERROR", Ret: v}, err, nil)
	return v, s.fail("getsockopt", err)
}

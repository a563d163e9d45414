package demos

import (
	"runtime"
	"time"

	"github.com/sockscope/sockscope/demos/sockcall"
	"golang.org/x/sys/unix"
)

// sendFlags go with every send and sendto: a peer that has gone gives
// EPIPE, not SIGPIPE (Python ignores SIGPIPE too).
const sendFlags = unix.MSG_NOSIGNAL

// sysSocket is socket(2); the descriptor is close-on-exec, so the programs
// a demo's process may start don't inherit it.
func sysSocket(family, sotype, proto int) (int, error) {
	return unix.Socket(family, sotype|unix.SOCK_CLOEXEC, proto)
}

// sysAccept is accept(2), close-on-exec like sysSocket.
func sysAccept(fd int) (int, error) {
	nfd, _, err := unix.Accept4(fd, unix.SOCK_CLOEXEC)
	return nfd, err
}

// waitQueued waits (up to a second) until at least n bytes are waiting in
// the receive queue. Demos use it where a lesson needs every byte to have
// arrived before the next recv (the 粘包 step): on loopback they nearly
// always have by the time the sender's send returned, and there is no event
// for "n bytes queued" short of SO_RCVLOWAT, which the tutorials don't use.
// Nothing is recorded; the ioctl is an observation, not a socket call.
func (s *Sock) waitQueued(n int) error {
	_, err := observe(s.ctx, time.Second, time.Millisecond, func() bool {
		q, err := unix.IoctlGetInt(s.FD, unix.SIOCINQ)
		return err != nil || q >= n // the recv that follows shows what really arrived
	})
	if err != nil {
		return s.fail("recv", err)
	}
	return nil
}

// state reads the socket's queues and, for TCP, TCP_INFO.
func (s *Sock) state() (sendQ, recvQ int, info *sockcall.TCPInfo) {
	sendQ, recvQ = -1, -1
	if s.FD < 0 {
		return
	}
	if s.proto == "tcp" {
		if ti, err := unix.GetsockoptTCPInfo(s.FD, unix.IPPROTO_TCP, unix.TCP_INFO); err == nil {
			info = &sockcall.TCPInfo{
				State:   TCPStateName(ti.State),
				RTT:     ti.Rtt,
				RTTVar:  ti.Rttvar,
				SndCwnd: ti.Snd_cwnd,
				SndMSS:  ti.Snd_mss,
				RcvMSS:  ti.Rcv_mss,
				SndWnd:  ti.Snd_wnd,
				RcvWnd:  ti.Rcv_wnd,
				Unacked: ti.Unacked,
				Retrans: ti.Retrans,
			}
		}
	}
	sendQ, recvQ, _ = kernelQueues(s.FD, s.proto)
	return
}

// sleptDuring runs f — the part of a call that may wait: poll and the
// system call — on one locked thread, and reports whether that thread
// slept in the kernel meanwhile: its count of voluntary context switches
// (getrusage RUSAGE_THREAD) went up. A thread the scheduler merely
// preempted counts an involuntary switch instead, so a call delayed on a
// busy machine does not pass for one that waited.
func sleptDuring(f func()) bool {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var before, after unix.Rusage
	if unix.Getrusage(unix.RUSAGE_THREAD, &before) != nil {
		f()
		return false
	}
	f()
	if unix.Getrusage(unix.RUSAGE_THREAD, &after) != nil {
		return false
	}
	return after.Nvcsw > before.Nvcsw
}

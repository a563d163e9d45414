//go:build linux && (amd64 || arm64)

package trace

import (
	"unsafe"

	"github.com/sockscope/sockscope/demos/sockcall"
	"golang.org/x/sys/unix"
)

// A traced socket's state, read by the tracer through its own duplicate of
// the descriptor: pidfd_getfd(2) (Linux 5.6) on a pidfd of the process.
// The duplicate shares the open file description, so O_NONBLOCK read
// from it is the tracee's; the tracer closes it as soon as it has read.

// pidfd returns the process's pidfd, opening it the first time; -1 when
// that is not possible.
func (t *tracer) pidfd(p *proc) int {
	if p.pidfd == 0 {
		p.pidfd = -1
		if fd, err := unix.PidfdOpen(p.pid, 0); err == nil {
			p.pidfd = fd
		}
	}
	return p.pidfd
}

// dup duplicates the process's fd into the tracer; -1 when it cannot (the
// first refusal is reported once as a Notice).
func (t *tracer) dup(p *proc, fd int) int {
	if t.noGetfd || fd < 0 {
		return -1
	}
	pfd := t.pidfd(p)
	if pfd < 0 {
		return -1
	}
	nfd, err := unix.PidfdGetfd(pfd, fd, 0)
	switch err {
	case nil:
		return nfd
	case unix.EPERM, unix.ENOSYS, unix.EACCES:
		t.noGetfd = true
		t.notice(p, 0, "socket state is not available: pidfd_getfd was refused ("+err.Error()+
			"); the calls are traced without queues, buffers or TCP_INFO")
	}
	return -1
}

// readState reads the state the lessons record for a socket after a call
// (see demos' Sock.state and kernelQueues): queues, TCP_INFO, buffer sizes,
// names, domain, type and protocol. What cannot have changed since the
// last read is taken from si: the domain, type and protocol always; the
// buffer sizes of a socket that is not TCP until a setsockopt; the names
// after a data call (refreshNames false), unless the TCP state changed or
// the socket had no port yet (a UDP socket's first sendto binds it).
func readState(fd int, si *sockInfo, refreshNames bool) SockState {
	s := noState
	s.Valid = true
	if si.typ == 0 {
		si.domain, _ = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
		si.typ, _ = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
		si.proto, _ = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_PROTOCOL)
	}
	s.Domain, s.Type, s.Protocol = si.domain, si.typ, si.proto
	inet := si.domain == unix.AF_INET || si.domain == unix.AF_INET6
	tcp := inet && si.typ == unix.SOCK_STREAM
	listening := false
	if tcp {
		if ti, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO); err == nil {
			s.TCP = &sockcall.TCPInfo{
				State: sockcall.TCPStateName(ti.State), RTT: ti.Rtt, RTTVar: ti.Rttvar,
				SndCwnd: ti.Snd_cwnd, SndMSS: ti.Snd_mss, RcvMSS: ti.Rcv_mss,
				SndWnd: ti.Snd_wnd, RcvWnd: ti.Rcv_wnd, Unacked: ti.Unacked, Retrans: ti.Retrans,
			}
			if ti.State == 10 { // LISTEN: tcpi_unacked is the accept queue, tcpi_sacked the backlog
				s.SendQ, s.RecvQ = int(ti.Sacked), int(ti.Unacked)
				listening = true
			}
			if ti.State != si.tcpState {
				refreshNames = true
				si.tcpState = ti.State
			}
		}
	}
	if !listening {
		if q, err := unix.IoctlGetInt(fd, unix.SIOCOUTQ); err == nil {
			s.SendQ = q
		}
		if q, err := unix.IoctlGetInt(fd, unix.SIOCINQ); err == nil {
			s.RecvQ = q
		}
	}
	if tcp || !si.bufsOK {
		si.sndbuf, si.rcvbuf = -1, -1
		if v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF); err == nil {
			si.sndbuf = v
		}
		if v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF); err == nil {
			si.rcvbuf = v
		}
		si.bufsOK = true
	}
	s.SndBuf, s.RcvBuf = si.sndbuf, si.rcvbuf
	if refreshNames || !si.namesOK || inet && si.local.AddrPort.Port() == 0 {
		si.local = sockName(fd, unix.SYS_GETSOCKNAME)
		si.peer = sockName(fd, unix.SYS_GETPEERNAME)
		si.namesOK = true
	}
	s.Local, s.Peer = si.local, si.peer
	return s
}

// sockName is getsockname or getpeername decoded like a traced call's
// address (so abstract and unnamed AF_UNIX names read the same).
func sockName(fd int, nr uintptr) Addr {
	var buf [128]byte
	n := uint32(len(buf))
	_, _, e := unix.RawSyscall(nr, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&n)))
	if e != 0 {
		return Addr{}
	}
	return parseSockaddr(buf[:min(int(n), len(buf))])
}

//go:build linux

package trace

import "golang.org/x/sys/unix"

// arm64: the generic system call table. There is no poll, select,
// epoll_wait or dup2 (libc uses ppoll, pselect6, epoll_pwait and dup3);
// send and recv are sendto and recvfrom here as on x86-64.
const (
	auditArch = unix.AUDIT_ARCH_AARCH64
	x32Bit    = 0 // no x32-like ABI to refuse
	// struct epoll_event is naturally aligned on arm64: data u64 at 8.
	epollEventSize   = 16
	epollEventDataAt = 8
)

var nativeSyscalls = map[int]sysKind{
	unix.SYS_SOCKET: kSocket, unix.SYS_SOCKETPAIR: kSocketpair, unix.SYS_BIND: kBind,
	unix.SYS_LISTEN: kListen, unix.SYS_ACCEPT: kAccept, unix.SYS_ACCEPT4: kAccept4,
	unix.SYS_CONNECT: kConnect, unix.SYS_SENDTO: kSendto, unix.SYS_RECVFROM: kRecvfrom,
	unix.SYS_SENDMSG: kSendmsg, unix.SYS_RECVMSG: kRecvmsg, unix.SYS_SENDMMSG: kSendmmsg,
	unix.SYS_RECVMMSG: kRecvmmsg, unix.SYS_READ: kRead, unix.SYS_WRITE: kWrite,
	unix.SYS_READV: kReadv, unix.SYS_WRITEV: kWritev, unix.SYS_SENDFILE: kSendfile,
	unix.SYS_SHUTDOWN: kShutdown, unix.SYS_CLOSE: kClose, unix.SYS_SETSOCKOPT: kSetsockopt,
	unix.SYS_GETSOCKOPT: kGetsockopt, unix.SYS_GETSOCKNAME: kGetsockname,
	unix.SYS_GETPEERNAME: kGetpeername, unix.SYS_FCNTL: kFcntl, unix.SYS_IOCTL: kIoctl,
	unix.SYS_PPOLL: kPpoll, unix.SYS_PSELECT6: kPselect6,
	unix.SYS_EPOLL_PWAIT: kEpollPwait, unix.SYS_EPOLL_PWAIT2: kEpollPwait2,
	unix.SYS_DUP3: kDup3, unix.SYS_CLOSE_RANGE: kCloseRange,
	unix.SYS_RESTART_SYSCALL: kRestart,
}

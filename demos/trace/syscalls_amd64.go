//go:build linux

package trace

import "golang.org/x/sys/unix"

// x86-64: the filter checks AUDIT_ARCH_X86_64 and refuses x32 calls (the
// same arch with bit 30 set in the number), which would otherwise get past
// the number table.
const (
	auditArch = unix.AUDIT_ARCH_X86_64
	x32Bit    = 0x40000000
	// struct epoll_event is packed on x86-64: events u32, data u64 at 4.
	epollEventSize   = 12
	epollEventDataAt = 4
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
	unix.SYS_POLL: kPoll, unix.SYS_PPOLL: kPpoll, unix.SYS_SELECT: kSelect,
	unix.SYS_PSELECT6: kPselect6, unix.SYS_EPOLL_WAIT: kEpollWait,
	unix.SYS_EPOLL_PWAIT: kEpollPwait, unix.SYS_EPOLL_PWAIT2: kEpollPwait2,
	unix.SYS_DUP2: kDup2, unix.SYS_DUP3: kDup3, unix.SYS_CLOSE_RANGE: kCloseRange,
	unix.SYS_RESTART_SYSCALL: kRestart,
}

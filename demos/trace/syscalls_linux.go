//go:build linux && (amd64 || arm64)

package trace

// sysKind is what the tracer does with a system call the filter sends it.
// The numbers differ by architecture (syscalls_amd64.go,
// syscalls_arm64.go); the kinds do not.
type sysKind uint8

const (
	kNone sysKind = iota
	kSocket
	kSocketpair
	kBind
	kListen
	kAccept
	kAccept4
	kConnect
	kSendto
	kRecvfrom
	kSendmsg
	kRecvmsg
	kSendmmsg
	kRecvmmsg
	kRead
	kWrite
	kReadv
	kWritev
	kSendfile
	kShutdown
	kClose
	kSetsockopt
	kGetsockopt
	kGetsockname
	kGetpeername
	kFcntl
	kIoctl // FIONBIO only: the filter lets every other ioctl through
	kPoll
	kPpoll
	kSelect
	kPselect6
	kEpollWait
	kEpollPwait
	kEpollPwait2
	// Not reported: they change which file a descriptor number means, so
	// the socket cache forgets those numbers.
	kDup2
	kDup3
	kCloseRange
	// restart_syscall continues a call that a signal interrupted with
	// ERESTART_RESTARTBLOCK (poll with a timeout): the same call goes on.
	kRestart
	kindCount
)

var kindNames = [kindCount]string{
	kSocket: "socket", kSocketpair: "socketpair", kBind: "bind", kListen: "listen",
	kAccept: "accept", kAccept4: "accept4", kConnect: "connect", kSendto: "sendto",
	kRecvfrom: "recvfrom", kSendmsg: "sendmsg", kRecvmsg: "recvmsg", kSendmmsg: "sendmmsg",
	kRecvmmsg: "recvmmsg", kRead: "read", kWrite: "write", kReadv: "readv", kWritev: "writev",
	kSendfile: "sendfile", kShutdown: "shutdown", kClose: "close", kSetsockopt: "setsockopt",
	kGetsockopt: "getsockopt", kGetsockname: "getsockname", kGetpeername: "getpeername",
	kFcntl: "fcntl", kIoctl: "ioctl", kPoll: "poll", kPpoll: "ppoll", kSelect: "select",
	kPselect6: "pselect6", kEpollWait: "epoll_wait", kEpollPwait: "epoll_pwait",
	kEpollPwait2: "epoll_pwait2", kDup2: "dup2", kDup3: "dup3", kCloseRange: "close_range",
	kRestart: "restart_syscall",
}

func (k sysKind) String() string { return kindNames[k] }

// onAnyFD: the call takes any descriptor; it is reported only when that
// descriptor is a socket.
func (k sysKind) onAnyFD() bool {
	switch k {
	case kRead, kWrite, kReadv, kWritev, kSendfile, kClose, kFcntl, kIoctl:
		return true
	}
	return false
}

// pollFamily: the call waits on several descriptors; it is reported when
// at least one of them is a socket.
func (k sysKind) pollFamily() bool {
	switch k {
	case kPoll, kPpoll, kSelect, kPselect6, kEpollWait, kEpollPwait, kEpollPwait2:
		return true
	}
	return false
}

// sends: the call's bytes are read at entry; recvs: at exit.
func (k sysKind) sends() bool {
	switch k {
	case kSendto, kSendmsg, kSendmmsg, kWrite, kWritev:
		return true
	}
	return false
}

func (k sysKind) recvs() bool {
	switch k {
	case kRecvfrom, kRecvmsg, kRecvmmsg, kRead, kReadv:
		return true
	}
	return false
}

// dataCall: the call moves bytes and cannot change the socket's names
// (but for a UDP socket's first sendto, which binds it: see readState).
func (k sysKind) dataCall() bool {
	return k.sends() || k.recvs() || k == kSendfile
}

// waits: the call may wait on a blocking socket.
func (k sysKind) waits() bool {
	switch k {
	case kAccept, kAccept4, kConnect, kSendfile:
		return true
	}
	return k.sends() || k.recvs()
}

// traced lists every number the filter sends to the tracer, with its kind.
func traced() map[uint32]sysKind {
	m := make(map[uint32]sysKind, len(nativeSyscalls))
	for nr, k := range nativeSyscalls {
		m[uint32(nr)] = k
	}
	return m
}

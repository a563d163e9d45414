package sockcall

import (
	"strconv"
	"strings"
)

// Linux's names for the numbers socket calls take, as C and Python write
// them: one table for the lessons' calls (demos) and for the calls of a
// traced program (demos/trace). The numbers are Linux's, on every
// architecture sockscope traces.

const (
	afUnix  = 1
	afInet  = 2
	afInet6 = 10

	sockStream    = 1
	sockDgram     = 2
	sockRaw       = 3
	sockSeqpacket = 5
	sockNonblock  = 0o4000
	sockCloexec   = 0o2000000

	msgOOB      = 0x1
	msgPeek     = 0x2
	msgDontwait = 0x40
	msgTrunc    = 0x20
	msgCtrunc   = 0x8
	msgWaitall  = 0x100
	msgNosignal = 0x4000
	msgMore     = 0x8000

	oNonblock = 0o4000

	fDupfd        = 0
	fGetfd        = 1
	fSetfd        = 2
	fGetfl        = 3
	fSetfl        = 4
	fDupfdCloexec = 1030

	solSocket   = 1
	ipprotoIP   = 0
	ipprotoTCP  = 6
	ipprotoUDP  = 17
	ipprotoIPv6 = 41

	pollIn    = 0x1
	pollPri   = 0x2
	pollOut   = 0x4
	pollErr   = 0x8
	pollHup   = 0x10
	pollNval  = 0x20
	pollRdHup = 0x2000
)

// FamilyName names an address family: "AF_INET".
func FamilyName(f int) string {
	switch f {
	case afUnix:
		return "AF_UNIX"
	case afInet:
		return "AF_INET"
	case afInet6:
		return "AF_INET6"
	case 16:
		return "AF_NETLINK"
	case 17:
		return "AF_PACKET"
	}
	return "AF_" + strconv.Itoa(f)
}

// TypeName names a socket type with the flags socket(2) takes in it:
// "SOCK_STREAM|SOCK_NONBLOCK".
func TypeName(t int) string {
	var s string
	switch t & 0xf {
	case sockStream:
		s = "SOCK_STREAM"
	case sockDgram:
		s = "SOCK_DGRAM"
	case sockRaw:
		s = "SOCK_RAW"
	case sockSeqpacket:
		s = "SOCK_SEQPACKET"
	default:
		s = strconv.Itoa(t & 0xf)
	}
	if t&sockNonblock != 0 {
		s += "|SOCK_NONBLOCK"
	}
	if t&sockCloexec != 0 {
		s += "|SOCK_CLOEXEC"
	}
	return s
}

// MsgFlagNames names send and recv flags as in C ("MSG_DONTWAIT|MSG_TRUNC").
func MsgFlagNames(flags int) string {
	var names []string
	for _, f := range [...]struct {
		bit  int
		name string
	}{{msgOOB, "MSG_OOB"}, {msgPeek, "MSG_PEEK"}, {msgCtrunc, "MSG_CTRUNC"}, {msgTrunc, "MSG_TRUNC"},
		{msgDontwait, "MSG_DONTWAIT"}, {msgWaitall, "MSG_WAITALL"}, {msgNosignal, "MSG_NOSIGNAL"}, {msgMore, "MSG_MORE"}} {
		if flags&f.bit != 0 {
			names = append(names, f.name)
			flags &^= f.bit
		}
	}
	if flags != 0 {
		names = append(names, "0x"+strconv.FormatInt(int64(flags), 16))
	}
	return strings.Join(names, "|")
}

// ShutName names shutdown's how: "SHUT_WR".
func ShutName(how int) string {
	switch how {
	case 0:
		return "SHUT_RD"
	case 1:
		return "SHUT_WR"
	case 2:
		return "SHUT_RDWR"
	}
	return strconv.Itoa(how)
}

type optKey struct{ level, opt int }

var optNames = map[optKey]string{
	{solSocket, 1}: "SO_DEBUG", {solSocket, 2}: "SO_REUSEADDR", {solSocket, 3}: "SO_TYPE",
	{solSocket, 4}: "SO_ERROR", {solSocket, 5}: "SO_DONTROUTE", {solSocket, 6}: "SO_BROADCAST",
	{solSocket, 7}: "SO_SNDBUF", {solSocket, 8}: "SO_RCVBUF", {solSocket, 9}: "SO_KEEPALIVE",
	{solSocket, 10}: "SO_OOBINLINE", {solSocket, 13}: "SO_LINGER", {solSocket, 15}: "SO_REUSEPORT",
	{solSocket, 18}: "SO_RCVLOWAT", {solSocket, 19}: "SO_SNDLOWAT", {solSocket, 20}: "SO_RCVTIMEO",
	{solSocket, 21}: "SO_SNDTIMEO", {solSocket, 25}: "SO_BINDTODEVICE", {solSocket, 30}: "SO_ACCEPTCONN",
	{solSocket, 38}: "SO_PROTOCOL", {solSocket, 39}: "SO_DOMAIN", {solSocket, 17}: "SO_PEERCRED",
	{ipprotoTCP, 1}: "TCP_NODELAY", {ipprotoTCP, 2}: "TCP_MAXSEG", {ipprotoTCP, 3}: "TCP_CORK",
	{ipprotoTCP, 4}: "TCP_KEEPIDLE", {ipprotoTCP, 5}: "TCP_KEEPINTVL", {ipprotoTCP, 6}: "TCP_KEEPCNT",
	{ipprotoTCP, 9}: "TCP_DEFER_ACCEPT", {ipprotoTCP, 11}: "TCP_INFO", {ipprotoTCP, 12}: "TCP_QUICKACK",
	{ipprotoTCP, 13}: "TCP_CONGESTION", {ipprotoTCP, 18}: "TCP_USER_TIMEOUT", {ipprotoTCP, 23}: "TCP_FASTOPEN",
	{ipprotoIP, 1}: "IP_TOS", {ipprotoIP, 2}: "IP_TTL", {ipprotoIP, 10}: "IP_MTU_DISCOVER",
	{ipprotoIP, 32}: "IP_MULTICAST_IF", {ipprotoIP, 33}: "IP_MULTICAST_TTL", {ipprotoIP, 34}: "IP_MULTICAST_LOOP",
	{ipprotoIP, 35}: "IP_ADD_MEMBERSHIP", {ipprotoIP, 8}: "IP_RECVTTL", {ipprotoIP, 11}: "IP_RECVERR",
	{ipprotoIPv6, 26}: "IPV6_V6ONLY", {ipprotoIPv6, 16}: "IPV6_UNICAST_HOPS",
}

// LevelName names a socket option's level: "SOL_SOCKET".
func LevelName(level int) string {
	switch level {
	case solSocket:
		return "SOL_SOCKET"
	case ipprotoIP:
		return "IPPROTO_IP"
	case ipprotoTCP:
		return "IPPROTO_TCP"
	case ipprotoUDP:
		return "IPPROTO_UDP"
	case ipprotoIPv6:
		return "IPPROTO_IPV6"
	}
	return strconv.Itoa(level)
}

// OptName is "SOL_SOCKET, SO_REUSEADDR", as the lessons write it.
func OptName(level, opt int) string {
	if n, ok := optNames[optKey{level, opt}]; ok {
		return LevelName(level) + ", " + n
	}
	return LevelName(level) + ", " + strconv.Itoa(opt)
}

// FcntlName names an fcntl command: "F_SETFL".
func FcntlName(cmd int) string {
	switch cmd {
	case fDupfd:
		return "F_DUPFD"
	case fGetfd:
		return "F_GETFD"
	case fSetfd:
		return "F_SETFD"
	case fGetfl:
		return "F_GETFL"
	case fSetfl:
		return "F_SETFL"
	case fDupfdCloexec:
		return "F_DUPFD_CLOEXEC"
	}
	return strconv.Itoa(cmd)
}

// OpenFlagNames names the flags F_SETFL sets, as a person reads them.
func OpenFlagNames(fl int) string {
	var names []string
	switch fl & 3 {
	case 0:
		names = append(names, "O_RDONLY")
	case 1:
		names = append(names, "O_WRONLY")
	case 2:
		names = append(names, "O_RDWR")
	}
	fl &^= 3
	if fl&oNonblock != 0 {
		names = append(names, "O_NONBLOCK")
		fl &^= oNonblock
	}
	if fl != 0 {
		names = append(names, "0o"+strconv.FormatInt(int64(fl), 8))
	}
	return strings.Join(names, "|")
}

// PollNames names poll (and epoll: the low bits are the same) events.
func PollNames(ev uint32) string {
	var names []string
	for _, f := range [...]struct {
		bit  uint32
		name string
	}{{pollIn, "POLLIN"}, {pollPri, "POLLPRI"}, {pollOut, "POLLOUT"}, {pollErr, "POLLERR"},
		{pollHup, "POLLHUP"}, {pollNval, "POLLNVAL"}, {pollRdHup, "POLLRDHUP"}} {
		if ev&f.bit != 0 {
			names = append(names, f.name)
			ev &^= f.bit
		}
	}
	if ev&^(1<<31|1<<30|1<<29|1<<28) != 0 { // EPOLLET, EPOLLONESHOT, EPOLLWAKEUP, EPOLLEXCLUSIVE left out
		names = append(names, "0x"+strconv.FormatUint(uint64(ev), 16))
	}
	return strings.Join(names, "|")
}

// tcpStates are the kernel's TCP states (include/net/tcp_states.h, in
// tcpi_state numbering) as ss prints them: the one set of names every view
// uses.
var tcpStates = [...]string{
	1: "ESTAB", 2: "SYN-SENT", 3: "SYN-RECV", 4: "FIN-WAIT-1", 5: "FIN-WAIT-2",
	6: "TIME-WAIT", 7: "UNCONN", 8: "CLOSE-WAIT", 9: "LAST-ACK", 10: "LISTEN",
	11: "CLOSING", 12: "NEW-SYN-RECV", 13: "BOUND-INACTIVE",
}

// TCPStateName names a tcpi_state value as ss does ("ESTAB", "TIME-WAIT";
// TCP_CLOSE is "UNCONN").
func TCPStateName(state uint8) string {
	if int(state) < len(tcpStates) && tcpStates[state] != "" {
		return tcpStates[state]
	}
	return "STATE_" + strconv.Itoa(int(state))
}

package socktable

import (
	"net/netip"
	"strconv"
)

// Proto is a socket's kind as the table names it.
type Proto string

const (
	TCP           Proto = "tcp"
	UDP           Proto = "udp"
	UnixStream    Proto = "unix-stream"
	UnixDgram     Proto = "unix-dgram"
	UnixSeqpacket Proto = "unix-seqpacket"
)

// Unix reports whether p is an AF_UNIX kind.
func (p Proto) Unix() bool { return p == UnixStream || p == UnixDgram || p == UnixSeqpacket }

// State is the kernel's socket state (TCP_ESTABLISHED = 1 … TCP_CLOSING =
// 11), which UDP and AF_UNIX sockets use too.
type State uint8

// The states, numbered as in the kernel's include/net/tcp_states.h.
const (
	Established State = 1
	SynSent     State = 2
	SynRecv     State = 3
	FinWait1    State = 4
	FinWait2    State = 5
	TimeWait    State = 6
	Close       State = 7
	CloseWait   State = 8
	LastAck     State = 9
	Listen      State = 10
	Closing     State = 11
	NewSynRecv  State = 12 // a request socket; sock_diag reports it as SynRecv
)

var stateNames = [...]string{
	Established: "ESTAB",
	SynSent:     "SYN-SENT",
	SynRecv:     "SYN-RECV",
	FinWait1:    "FIN-WAIT-1",
	FinWait2:    "FIN-WAIT-2",
	TimeWait:    "TIME-WAIT",
	Close:       "UNCONN",
	CloseWait:   "CLOSE-WAIT",
	LastAck:     "LAST-ACK",
	Listen:      "LISTEN",
	Closing:     "CLOSING",
	NewSynRecv:  "SYN-RECV",
}

// String names s as ss does: ESTAB, LISTEN, TIME-WAIT, UNCONN (TCP_CLOSE:
// an unconnected UDP or AF_UNIX socket, a TCP socket never connected) …
func (s State) String() string {
	if int(s) < len(stateNames) && stateNames[s] != "" {
		return stateNames[s]
	}
	return "UNKNOWN"
}

// Timer is which of a TCP socket's timers runs (idiag_timer).
type Timer uint8

const (
	NoTimer   Timer = 0
	Retrans   Timer = 1 // retransmission (or loss probe): ss says "on"
	KeepAlive Timer = 2
	TimeWaitT Timer = 3 // TIME-WAIT (or FIN-WAIT-2 after close) runs out
	Persist   Timer = 4 // zero-window probe
)

// String names t as `ss -o` does: on, keepalive, timewait, persist; "off"
// for none and "unknown" for a number the kernel may add later.
func (t Timer) String() string {
	switch t {
	case NoTimer:
		return "off"
	case Retrans:
		return "on"
	case KeepAlive:
		return "keepalive"
	case TimeWaitT:
		return "timewait"
	case Persist:
		return "persist"
	}
	return "unknown"
}

// Entry is one socket.
type Entry struct {
	Proto Proto
	State State
	// RecvQ and SendQ are the kernel's idiag_rqueue and idiag_wqueue (for
	// AF_UNIX, UNIX_DIAG_RQLEN): for a listener, the accept queue's length
	// and its backlog.
	RecvQ, SendQ uint32

	// Local and Peer are a TCP or UDP socket's addresses as the kernel has
	// them (an IPv4-mapped IPv6 address stays mapped); port 0 is "*".
	Local, Peer netip.AddrPort
	// Ifindex is the interface the socket is bound to (SO_BINDTODEVICE),
	// 0 for none.
	Ifindex uint32
	// V6Only is IPV6_V6ONLY on an AF_INET6 socket (set by the kernel too
	// when it binds to a specific IPv6 address): ss shows its wildcard
	// address as [::], and a dual-stack socket's as *.
	V6Only bool

	// Path is an AF_UNIX socket's name: a path, "@name" for an abstract
	// name (the leading NUL shown as @, as ss does), "" when unnamed. The
	// bytes are the kernel's: escape them before printing.
	Path string
	// PeerInode is the inode of the AF_UNIX socket this one is connected
	// to, 0 for none; PeerPath is that socket's name, when List found it.
	PeerInode uint32
	PeerPath  string

	Inode uint32 // 0 for a socket without a file (TIME-WAIT, not yet accepted)
	UID   uint32 // owner, as seen from the reader's user namespace

	Timer   Timer
	TimerMS uint32 // time left on Timer, in milliseconds
	Retrans uint8  // retransmissions (or keep-alive probes) so far
}

// LocalString is the local address as the table shows it:
// "127.0.0.1:8080", "[::1]:8080", "*:8080" (dual-stack wildcard),
// "0.0.0.0:*" (port 0); for AF_UNIX the name or "*". Not escaped.
func (e *Entry) LocalString() string {
	if e.Proto.Unix() {
		if e.Path == "" {
			return "*"
		}
		return e.Path
	}
	return string(e.appendAddr(nil, e.Local, e.Ifindex))
}

// PeerString is the peer address as the table shows it; for AF_UNIX the
// peer's name, or "*" when it has none or there is no peer. Not escaped.
func (e *Entry) PeerString() string {
	if e.Proto.Unix() {
		if e.PeerPath == "" {
			return "*"
		}
		return e.PeerPath
	}
	return string(e.appendAddr(nil, e.Peer, 0))
}

// appendAddr formats an address as ss -n does (inet_addr_print).
func (e *Entry) appendAddr(b []byte, ap netip.AddrPort, ifindex uint32) []byte {
	a := ap.Addr()
	switch {
	case a.Is4():
		b = a.AppendTo(b)
	case !e.V6Only && a == netip.IPv6Unspecified():
		b = append(b, '*')
	case a.IsValid():
		b = append(b, '[')
		b = a.AppendTo(b)
		b = append(b, ']')
	default:
		b = append(b, '*')
	}
	if ifindex != 0 {
		b = append(b, '%')
		b = append(b, interfaceName(ifindex)...)
	}
	b = append(b, ':')
	if ap.Port() == 0 {
		return append(b, '*')
	}
	return strconv.AppendUint(b, uint64(ap.Port()), 10)
}

// TimerString is the timer as `ss -o` prints it, "timer:(timewait,52sec,0)",
// or "" when none runs.
func (e *Entry) TimerString() string {
	if e.Timer == NoTimer {
		return ""
	}
	b := append([]byte("timer:("), e.Timer.String()...)
	b = append(b, ',')
	b = AppendMS(b, e.TimerMS)
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(e.Retrans), 10)
	return string(append(b, ')'))
}

// AppendMS appends a duration in milliseconds as ss's print_ms_timer does:
// "52sec", "1.200ms" (1.2 s), "300ms", "2min5sec", "119min".
func AppendMS(b []byte, ms uint32) []byte {
	secs := ms / 1000
	minutes := secs / 60
	secs %= 60
	msecs := ms % 1000
	if minutes > 0 {
		msecs = 0
		b = strconv.AppendUint(b, uint64(minutes), 10)
		b = append(b, "min"...)
		if minutes > 9 {
			secs = 0
		}
	}
	if secs > 0 {
		if secs > 9 {
			msecs = 0
		}
		b = strconv.AppendUint(b, uint64(secs), 10)
		if msecs > 0 {
			b = append(b, '.')
		} else {
			b = append(b, "sec"...)
		}
	}
	if msecs > 0 {
		if msecs < 100 {
			b = append(b, '0')
		}
		if msecs < 10 {
			b = append(b, '0')
		}
		b = strconv.AppendUint(b, uint64(msecs), 10)
		b = append(b, "ms"...)
	}
	return b
}

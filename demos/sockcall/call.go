package sockcall

import (
	"net/netip"
	"time"
)

// Call is one socket call a demo endpoint made, recorded with its result and
// the socket's state right after it. Demos produce Calls; Correlate ties
// them to the packets that carried their bytes.
type Call struct {
	// Number orders the calls of one run (1-based); Sec and Nsec are the
	// wall-clock time the call returned (the same clock as packet
	// timestamps).
	Number    int
	Sec, Nsec int64
	// StartSec and StartNsec are when the call was made. A timeline puts
	// calls that cause packets (connect, send, close) at their start and
	// calls that wait for them (accept, recv) at their return.
	StartSec, StartNsec int64

	Endpoint string // "client", "server", "receiver-2", …
	Step     int    // the demo step the call belongs to (for explanations)
	FD       int
	Op       string // socket, setsockopt, bind, listen, accept, connect, send, recv, sendto, recvfrom, shutdown, close
	Args     string // the arguments as a person reads them: "AF_INET, SOCK_STREAM", "127.0.0.1:7001", "SHUT_WR"
	Len      int    // bytes offered (send) or asked for (recv); 0 when not a data call
	Ret      int    // the return value: bytes, a new fd, or 0; -1 on error
	Errno    string // the error's name (ECONNREFUSED, EAGAIN, EPIPE, …), "" on success
	// Data is a copy of the bytes sent or received.
	Data []byte

	Proto       string         // "tcp", "udp" or "unix"
	Local, Peer netip.AddrPort // the socket's addresses after the call; Peer is the datagram's source or destination for sendto/recvfrom
	Path        string         // AF_UNIX socket path

	// SendQ is SIOCOUTQ (bytes sent but not yet acknowledged, TCP; bytes not
	// yet sent, UDP) and RecvQ is SIOCINQ (bytes received but not yet read)
	// right after the call; -1 when the socket could not say.
	SendQ, RecvQ int
	TCP          *TCPInfo // TCP_INFO right after the call, TCP sockets only

	// SndBuf and RcvBuf are SO_SNDBUF and SO_RCVBUF as getsockopt returns
	// them right after the call (the kernel doubles what setsockopt asked
	// for); -1 when the socket could not say.
	SndBuf, RcvBuf int
	// Flags are the flags the call passed, as in C: "MSG_DONTWAIT",
	// "MSG_TRUNC" ("" for none; MSG_NOSIGNAL, which every send carries so
	// that a gone peer gives EPIPE as in Python, is left out).
	Flags string
	// Waited says the call slept in the kernel, waiting (for room in the
	// send buffer, for data, for a connection): its thread gave up the CPU
	// of its own accord during the call (a voluntary context switch), which
	// a call merely delayed by the scheduler does not.
	Waited bool
	// Nonblocking says the call could not wait: the socket was in
	// non-blocking mode (Python's setblocking(False)) or the call passed
	// MSG_DONTWAIT.
	Nonblocking bool
	// Inner are the numbers of the calls this one made inside it: a
	// sendall's send calls. Those calls carry the bytes; the sendall only
	// groups them.
	Inner []int
	// Libc names a call the C library made for itself, not the program's
	// own code: "nscd" for glibc asking the name-service cache daemon
	// (getpwuid, getaddrinfo …) before it reads /etc/passwd or /etc/hosts
	// itself. Only traced programs have them; "" for the program's calls.
	Libc string

	// Kernel is what the kernel said about every socket of the lesson
	// right after this call returned (SIOCOUTQ, SIOCINQ, state): the check
	// on any model of the buffers. The sockets were asked one after the
	// other from KernelSec/KernelNsec on, for KernelSpan.
	Kernel                []Sample
	KernelSec, KernelNsec int64
	KernelSpan            time.Duration
}

// Sample is one socket's queues as the kernel reported them.
type Sample struct {
	Endpoint string
	FD       int
	Proto    string // "tcp", "udp" or "unix"
	Listener bool
	// SendQ is SIOCOUTQ and RecvQ SIOCINQ (for a TCP listener, like ss:
	// RecvQ the accept queue and SendQ the backlog; for UDP, RecvQ is the
	// size of the next datagram waiting, not the total); -1 unknown.
	SendQ, RecvQ int
	// Drops counts the datagrams the kernel dropped for this UDP socket
	// because its receive buffer was full (the drops column of
	// /proc/net/udp); -1 when not a UDP socket or unknown.
	Drops int
	// State is the TCP state as ss prints it ("ESTAB"), "" for others.
	State string
}

// Waits say how long a call's bytes waited in the kernel's buffers, from
// the call's times and the frames that carried its bytes; -1 where it does
// not apply or is not known.
type Waits struct {
	// SendBuf: from the call's start until the first segment (or
	// datagram) carrying its bytes left.
	SendBuf time.Duration
	// Ack: from the call's start until the segment acknowledging its last
	// byte.
	Ack time.Duration
	// RecvBuf: from the arrival of the first frame carrying the bytes a
	// recv read until the recv returned them.
	RecvBuf time.Duration
}

// TCPInfo is the part of the kernel's TCP_INFO that the views show.
type TCPInfo struct {
	State   string // ESTABLISHED, SYN_SENT, … as the kernel names it
	RTT     uint32 // smoothed round-trip time, µs
	RTTVar  uint32
	SndCwnd uint32 // congestion window, segments
	SndMSS  uint32
	RcvMSS  uint32
	SndWnd  uint32 // peer's advertised window, bytes (kernel ≥ 5.19; 0 if not reported)
	RcvWnd  uint32 // window this side advertises, bytes (0 if not reported)
	Unacked uint32 // segments sent and not acknowledged
	Retrans uint32 // retransmitted segments outstanding
}

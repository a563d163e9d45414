package decode

import "net/netip"

// Call is one socket call a demo endpoint made, recorded with its result and
// the socket's state right after it. Demos produce Calls; the Correlator ties
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

package demos

import (
	"context"
	"time"

	"golang.org/x/sys/unix"
)

// tcpProgress is the part of TCP_INFO the lessons wait on.
type tcpProgress struct {
	Unacked uint32 // segments sent and not yet acknowledged (tcpi_unacked)
	NotSent uint32 // bytes in the send buffer not sent yet (tcpi_notsent_bytes)
	// Backoff is the retransmission or persist timer's backoff: while
	// the peer's window is 0, the zero-window probes sent so far
	// (tcpi_backoff).
	Backoff uint8
}

// waitTCP polls the TCP_INFO of socket fd (which may belong to another
// endpoint) every 2 ms until ok says so, for at most limit. Like
// waitQueued it is an observation, not a socket call: nothing is
// recorded, and at the limit, or if the socket has gone, it returns nil —
// the calls that follow show what really happened. It returns ctx's error
// if ctx is done first.
func waitTCP(ctx context.Context, fd int, limit time.Duration, ok func(tcpProgress) bool) error {
	_, err := observe(ctx, limit, 2*time.Millisecond, func() bool {
		ti, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO)
		return err != nil || ok(tcpProgress{Unacked: ti.Unacked, NotSent: ti.Notsent_bytes, Backoff: ti.Backoff})
	})
	return err
}

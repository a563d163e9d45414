//go:build linux

package demos

import (
	"context"
	"time"

	"golang.org/x/sys/unix"
)

// What the lessons about errors (peer-close, refused) observe of the
// kernel without a socket call: a TCP socket's state, and the ICMP errors
// the namespace received. Like waitTCP these are observations, not calls:
// nothing is recorded, and they never read SO_ERROR, which would clear the
// error the next call is to report.

// tcpClose is tcpi_state TCP_CLOSE: a socket reset by its peer (ss: UNCONN).
const tcpClose = 7

// waitTCPState polls the TCP_INFO state of socket fd every millisecond
// until it is state, for at most limit. At the limit, or if the socket has
// gone, it returns nil: the calls that follow show what really happened.
// It returns ctx's error if ctx is done first.
func waitTCPState(ctx context.Context, fd int, state uint8, limit time.Duration) error {
	_, err := observe(ctx, limit, time.Millisecond, func() bool {
		ti, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO)
		return err != nil || ti.State == state
	})
	return err
}

// icmpUnreachIn is how many ICMP destination-unreachable messages the lab's
// network namespace has received: InDestUnreachs of /proc/net/snmp (-1 if
// it cannot tell).
func icmpUnreachIn() int {
	return procCounter("/proc/net/snmp", "Icmp:", "InDestUnreachs")
}

// waitICMPUnreach waits (every millisecond, for at most limit) until the
// namespace has received more destination-unreachable messages than
// before, icmpUnreachIn's count when the datagram left. It reports
// whether they came (true as well when the count cannot be read: the calls
// that follow show what happened), or ctx's error if ctx is done first.
func waitICMPUnreach(ctx context.Context, before int, limit time.Duration) (bool, error) {
	return observe(ctx, limit, time.Millisecond, func() bool {
		n := icmpUnreachIn()
		return n < 0 || before < 0 || n > before
	})
}

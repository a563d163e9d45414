package demos

import (
	"context"
	"time"
)

// listenOverflows is how many times a listener of the lab's network
// namespace found its accept queue full and dropped what came: TcpExt
// ListenOverflows of /proc/net/netstat (netstat -s: "times the listen
// queue of a socket overflowed"), -1 if it cannot tell.
func listenOverflows() int {
	return procCounter("/proc/net/netstat", "TcpExt:", "ListenOverflows")
}

// waitListenOverflow waits (every millisecond, for at most limit) until
// the namespace's ListenOverflows count is above before. Like waitTCP it
// is an observation, not a call: nothing is recorded, and at the limit,
// or when the count cannot be read, it returns nil — the wire shows what
// happened. It returns ctx's error if ctx is done first.
func waitListenOverflow(ctx context.Context, before int, limit time.Duration) error {
	_, err := observe(ctx, limit, time.Millisecond, func() bool {
		n := listenOverflows()
		return n < 0 || before < 0 || n > before
	})
	return err
}

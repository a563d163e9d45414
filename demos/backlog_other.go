//go:build unix && !linux

package demos

import (
	"context"
	"time"
)

// listenOverflows and waitListenOverflow have nothing to read without
// Linux's /proc/net/netstat: the demos fail at their first socket call
// there anyway.
func listenOverflows() int { return -1 }

func waitListenOverflow(ctx context.Context, before int, limit time.Duration) error {
	return ctx.Err()
}

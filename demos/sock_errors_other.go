//go:build unix && !linux

package demos

import (
	"context"
	"time"
)

// The observations of sock_errors.go need Linux; the demos fail at their
// first socket call elsewhere anyway (errNotLinux).

const tcpClose = 7

func waitTCPState(ctx context.Context, fd int, state uint8, limit time.Duration) error {
	return ctx.Err()
}

func icmpUnreachIn() int { return -1 }

func waitICMPUnreach(ctx context.Context, before int, limit time.Duration) (bool, error) {
	return false, ctx.Err()
}

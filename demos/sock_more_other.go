//go:build unix && !linux

package demos

import (
	"context"
	"time"
)

// tcpProgress is the part of TCP_INFO the lessons wait on (Linux only).
type tcpProgress struct {
	Unacked uint32
	NotSent uint32
	Backoff uint8
}

// waitTCP has nothing to watch without Linux's TCP_INFO: the demos fail at
// their first socket call there anyway (errNotLinux).
func waitTCP(ctx context.Context, fd int, limit time.Duration, ok func(tcpProgress) bool) error {
	return ctx.Err()
}

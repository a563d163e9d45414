//go:build unix && !linux

package demos

import (
	"context"
	"time"
)

// waitConn has no socket table to read outside Linux: the demos fail at
// their first socket call there anyway (errNotLinux).
func waitConn(ctx context.Context, local, peer uint16, limit time.Duration, ok func(state string, exists bool) bool) error {
	return ctx.Err()
}

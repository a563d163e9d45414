//go:build !linux

package demos

import (
	"context"
	"runtime"
)

// MaybeChild returns false: the lab exists only on Linux.
func MaybeChild() bool { return false }

// RunIsolated fails: network namespaces exist only on Linux.
func RunIsolated(ctx context.Context, opts LabOptions) error {
	return &NamespaceError{Why: "network namespaces exist only on Linux (this is " + runtime.GOOS + ")"}
}

//go:build !linux || !(amd64 || arm64)

package trace

import (
	"context"
	"errors"
	"runtime"
)

// ErrUnsupported is Start's error where the tracer does not exist: it
// needs Linux's ptrace and seccomp on amd64 or arm64.
var ErrUnsupported = errors.New("trace: tracing needs Linux on amd64 or arm64; this is " + runtime.GOOS + "/" + runtime.GOARCH)

// ErrPtraceDenied is wrapped by Start's error when the system does not let
// this process trace the command.
var ErrPtraceDenied = errors.New("ptrace is not allowed here")

// Tracer is a command running under trace (never made here).
type Tracer struct{}

// Start returns ErrUnsupported.
func Start(ctx context.Context, opts Options) (*Tracer, error) { return nil, ErrUnsupported }

// ShimMain returns false: there is no shim here.
func ShimMain() bool { return false }

// Pid is 0.
func (tr *Tracer) Pid() int { return 0 }

// Wait returns ErrUnsupported.
func (tr *Tracer) Wait() (ExitStatus, error) { return ExitStatus{}, ErrUnsupported }

// Stats are zero.
func (tr *Tracer) Stats() Stats { return Stats{} }

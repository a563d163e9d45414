//go:build !linux

package decode_test

import "time"

// fmtCPUClock is the wall clock where no thread CPU clock is read.
type fmtCPUClock struct{ t0 time.Time }

func newFmtCPUClock() fmtCPUClock        { return fmtCPUClock{time.Now()} }
func (fmtCPUClock) stop()                {}
func (c fmtCPUClock) now() time.Duration { return time.Since(c.t0) }

const fmtCPUUnit = "wall-ns/packet"

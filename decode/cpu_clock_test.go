package decode_test

import (
	"runtime"
	"time"
)

// cpuClock reads the CPU time of the calling thread, for the capture
// benchmarks' cpu-ns/packet: on a machine shared with other work the wall
// clock counts their time too, and the process's CPU time the collector's.
// It locks the goroutine to its thread until stop. Where no thread clock
// is read (threadCPU reports false) it is the wall clock, and unit says so.
type cpuClock struct {
	wall bool
	t0   time.Time
}

func newCPUClock() *cpuClock {
	runtime.LockOSThread()
	_, ok := threadCPU()
	return &cpuClock{wall: !ok, t0: time.Now()}
}

func (c *cpuClock) stop() { runtime.UnlockOSThread() }

func (c *cpuClock) now() time.Duration {
	if c.wall {
		return time.Since(c.t0)
	}
	ns, _ := threadCPU()
	return time.Duration(ns)
}

// unit names what now measures, per packet.
func (c *cpuClock) unit() string {
	if c.wall {
		return "wall-ns/packet"
	}
	return "cpu-ns/packet"
}

//go:build linux

package hugepages

import (
	"runtime"
	"runtime/debug"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

const hugePage = 2 << 20

var heapSink []byte // keeps Heap's allocation from being optimised away

// Heap grows the Go heap by size bytes at once, advises the 2 MiB-aligned
// part for huge pages, and frees it (one garbage collection, while the
// heap is still small) for the allocations that follow to reuse: Go
// hands out free heap memory lowest address first and does not map it
// again, so the advice stays. A replay that churns through its batches
// then faults its ~15 MiB heap in a few 2 MiB pages, not in thousands of
// 4 KiB ones. Resident memory is a few MiB higher (a huge page is
// resident whole). For short runs that allocate a lot, not for the UI.
//
// The collector is off while the heap grows, or the allocation would start
// a collection of its own besides the one that frees it: each marks
// gopacket/layers' 5 MiB of tables (about 4 ms), and this one is waited for.
func Heap(size int) {
	old := debug.SetGCPercent(-1)
	b := make([]byte, size)
	p := uintptr(unsafe.Pointer(&b[0]))
	lo := (p + hugePage - 1) &^ (hugePage - 1)
	hi := (p + uintptr(size)) &^ (hugePage - 1)
	if hi > lo {
		syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, unix.MADV_HUGEPAGE)
	}
	heapSink = b
	heapSink = nil
	debug.SetGCPercent(old)
	runtime.GC()
}

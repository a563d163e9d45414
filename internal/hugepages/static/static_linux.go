//go:build linux

package static

import (
	"syscall"
	"unsafe"
)

// anchor lives in the program's zero-initialised static memory, so the
// mapping that holds it is that memory. Having no pointers, it goes in
// .noptrbss, after .bss, past the page the data segment's file part ends
// in.
var anchor [64]byte

// madvHugepage and madvPopulateWrite are MADV_HUGEPAGE and
// MADV_POPULATE_WRITE (Linux 5.14) from <linux/mman.h>.
const (
	madvHugepage      = 14
	madvPopulateWrite = 23
)

// prefill is how much of the static memory, from its start, init has
// the kernel fill in ahead of the packages that write it. The linker lays
// out each of .bss and .noptrbss smallest symbol first, so the first 8 MiB
// hold all of .bss (gopacket/layers' metadata tables at its end) and the
// start of .noptrbss (layers' port and error tables); past it lie only the
// largest symbols, such as crypto's 32 MiB DRBG buffer, which sockscope
// never touches and must not make resident. TestPrefillHoldsTables checks
// that layers' tables lie inside it.
const prefill = 8 << 20

func init() {
	lo, hi, ok := mappingOf(uintptr(unsafe.Pointer(&anchor[0])))
	if !ok {
		return
	}
	// An error (a kernel without transparent huge pages, or with them
	// off) leaves the memory as it was: small pages, slower to fill.
	syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, madvHugepage)
	// The huge pages are allocated and zeroed, and the host backs them,
	// on the other CPU while the packages before gopacket/layers run their
	// inits: layers' init then writes to memory already there (init 13 →
	// 3–8 ms, `sockscope --help` 35 → 28.5 ms, alternating runs, medians
	// of 31). The kernel fills only what is not there yet, leaving what
	// is written as it is; before 5.14 it refuses and the pages come as
	// they are written.
	go syscall.Syscall(syscall.SYS_MADVISE, lo, min(hi, lo+prefill)-lo, madvPopulateWrite)
}

// mappingOf finds, in /proc/self/maps, the mapping that holds addr.
func mappingOf(addr uintptr) (lo, hi uintptr, ok bool) {
	fd, err := syscall.Open("/proc/self/maps", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return 0, 0, false
	}
	defer syscall.Close(fd)
	var buf [16 << 10]byte
	n := 0
	for n < len(buf) {
		k, err := syscall.Read(fd, buf[n:])
		if err != nil || k <= 0 {
			break
		}
		n += k
	}
	return FindMapping(buf[:n], addr)
}

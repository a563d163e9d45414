//go:build linux

package hugepages

import (
	"syscall"
	"unsafe"
)

// anchor lives in the program's zero-initialised static memory, so the
// mapping that holds it is that memory. Having no pointers, it goes in
// .noptrbss, after .bss, past the page the data segment's file part ends
// in.
var anchor [64]byte

// madvHugepage is MADV_HUGEPAGE from <linux/mman.h>.
const madvHugepage = 14

func init() {
	lo, hi, ok := mappingOf(uintptr(unsafe.Pointer(&anchor[0])))
	if !ok {
		return
	}
	// An error (a kernel without transparent huge pages, or with them
	// off) leaves the memory as it was: small pages, slower to fill.
	syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, madvHugepage)
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
	return findMapping(buf[:n], addr)
}

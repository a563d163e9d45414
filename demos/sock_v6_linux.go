package demos

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// v6PeerExtra reads the two fields of an AF_INET6 peer address that
// netip leaves out — sin6_flowinfo and sin6_scope_id, the last two items
// of Python's (host, port, flowinfo, scope_id) — with getpeername(2).
// Nothing is recorded: it is an observation the lesson checks, not a call
// it teaches.
func v6PeerExtra(fd int) (flowinfo, scopeID uint32, err error) {
	var sa unix.RawSockaddrInet6
	n := uint32(unsafe.Sizeof(sa))
	_, _, e := unix.Syscall(unix.SYS_GETPEERNAME, uintptr(fd), uintptr(unsafe.Pointer(&sa)), uintptr(unsafe.Pointer(&n)))
	if e != 0 {
		return 0, 0, e
	}
	if sa.Family != unix.AF_INET6 {
		return 0, 0, unix.EAFNOSUPPORT
	}
	return sa.Flowinfo, sa.Scope_id, nil
}

//go:build linux && (amd64 || arm64)

package trace

import (
	"encoding/binary"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Reading a stopped tracee's memory: process_vm_readv, one system call for
// any number of pieces; /proc/tid/mem when it is refused (a kernel without
// it, or a seccomp policy on the tracer).

// le decodes the tracee's integers: amd64 and arm64 are little-endian.
var le = binary.LittleEndian

// memory reads tracee memory for the tracer goroutine.
type memory struct {
	procMem bool // process_vm_readv failed once with ENOSYS or EPERM
	buf     []byte
}

// remote is one piece of tracee memory.
type remote struct {
	addr uint64
	n    int
}

// read copies up to n bytes at addr into a new slice; it is shorter when
// the memory ends (a fault) before n.
func (m *memory) read(tid int, addr uint64, n int) []byte {
	if n <= 0 || addr == 0 {
		return nil
	}
	return m.gather(tid, []remote{{addr, n}}, n)
}

// gather copies the pieces one after the other into one new slice, at
// most limit bytes in all.
func (m *memory) gather(tid int, pieces []remote, limit int) []byte {
	var rio []unix.RemoteIovec
	total := 0
	for _, p := range pieces {
		if total >= limit {
			break
		}
		n := min(p.n, limit-total)
		if n <= 0 || p.addr == 0 {
			continue
		}
		rio = append(rio, unix.RemoteIovec{Base: uintptr(p.addr), Len: n})
		total += n
	}
	if total == 0 {
		return nil
	}
	out := make([]byte, total)
	if !m.procMem {
		got := 0
		for len(rio) > 0 { // process_vm_readv takes at most IOV_MAX pieces
			batch := rio[:min(len(rio), 1024)]
			want := 0
			for _, r := range batch {
				want += r.Len
			}
			n, err := unix.ProcessVMReadv(tid, []unix.Iovec{{Base: &out[got], Len: uint64(want)}}, batch, 0)
			if err == unix.ENOSYS || err == unix.EPERM {
				m.procMem = true
				break
			}
			if err != nil || n <= 0 {
				return out[:got]
			}
			got += n
			if n < want {
				return out[:got]
			}
			rio = rio[len(batch):]
		}
		if !m.procMem {
			return out[:got]
		}
	}
	return m.procMemRead(tid, rio, out)
}

// procMemRead is gather through /proc/tid/mem.
func (m *memory) procMemRead(tid int, rio []unix.RemoteIovec, out []byte) []byte {
	f, err := os.Open("/proc/" + strconv.Itoa(tid) + "/mem")
	if err != nil {
		return nil
	}
	defer f.Close()
	got := 0
	for _, r := range rio {
		n, _ := f.ReadAt(out[got:got+r.Len], int64(r.Base))
		got += n
		if n < r.Len {
			break
		}
	}
	return out[:got]
}

// u32 and u64 read one integer (0 when unreadable).
func (m *memory) u32(tid int, addr uint64) (uint32, bool) {
	b := m.read(tid, addr, 4)
	if len(b) < 4 {
		return 0, false
	}
	return le.Uint32(b), true
}

// iovecs reads a struct iovec array (base u64, len u64 each), at most
// 1024 of them.
func (m *memory) iovecs(tid int, addr uint64, cnt int) []remote {
	cnt = min(cnt, 1024)
	b := m.read(tid, addr, cnt*16)
	out := make([]remote, 0, len(b)/16)
	for i := 0; i+16 <= len(b); i += 16 {
		out = append(out, remote{le.Uint64(b[i:]), int(min(le.Uint64(b[i+8:]), 1<<31))})
	}
	return out
}

// msghdr is struct msghdr on a 64-bit Linux.
type msghdr struct {
	name       uint64
	namelen    uint32
	iov        uint64
	iovlen     uint64
	control    uint64
	controllen uint64
	flags      int32
}

const msghdrSize = 56 // and struct mmsghdr adds msg_len (u32) and padding: 64

func (m *memory) msghdr(tid int, addr uint64) (msghdr, bool) {
	b := m.read(tid, addr, msghdrSize)
	if len(b) < msghdrSize {
		return msghdr{}, false
	}
	return msghdr{
		name: le.Uint64(b[0:]), namelen: le.Uint32(b[8:]),
		iov: le.Uint64(b[16:]), iovlen: le.Uint64(b[24:]),
		control: le.Uint64(b[32:]), controllen: le.Uint64(b[40:]),
		flags: int32(le.Uint32(b[48:])),
	}, true
}

// sum is the pieces' total length.
func sum(pieces []remote) int {
	n := 0
	for _, p := range pieces {
		n += p.n
	}
	return n
}

// timespec reads a struct timespec (or timeval when usec) as a duration;
// -1 for a NULL pointer (no timeout).
func (m *memory) timeout(tid int, addr uint64, usec bool) int64 {
	if addr == 0 {
		return -1
	}
	b := m.read(tid, addr, 16)
	if len(b) < 16 {
		return -1
	}
	sec, frac := int64(le.Uint64(b)), int64(le.Uint64(b[8:]))
	if usec {
		frac *= 1000
	}
	return sec*1e9 + frac
}

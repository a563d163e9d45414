//go:build linux && (amd64 || arm64)

package trace

import (
	"encoding/binary"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// runFilter runs the filter in x/net/bpf's VM on a seccomp_data. The VM
// loads words big-endian, as from a packet, so the data is written
// big-endian here: the same values the kernel's native loads would see.
func runFilter(t *testing.T, vm *bpf.VM, arch uint32, nr uint32, args ...uint64) uint32 {
	t.Helper()
	d := make([]byte, 64)
	binary.BigEndian.PutUint32(d[0:], nr)
	binary.BigEndian.PutUint32(d[4:], arch)
	for i, a := range args {
		// args[i] as the kernel's native (little-endian) loads see it: low
		// word at the lower offset.
		binary.BigEndian.PutUint32(d[16+8*i:], uint32(a))
		binary.BigEndian.PutUint32(d[16+8*i+4:], uint32(a>>32))
	}
	v, err := vm.Run(d)
	if err != nil {
		t.Fatal(err)
	}
	return uint32(v)
}

func TestFilter(t *testing.T) {
	prog, err := filterProgram()
	if err != nil {
		t.Fatal(err)
	}
	vm, err := bpf.NewVM(prog)
	if err != nil {
		t.Fatal(err)
	}
	for nr, k := range nativeSyscalls {
		want := uint32(unix.SECCOMP_RET_TRACE)
		if k == kIoctl {
			want = unix.SECCOMP_RET_ALLOW // ioctl only with FIONBIO, below
		}
		if got := runFilter(t, vm, auditArch, uint32(nr)); got != want {
			t.Errorf("%s (%d): %#x, want %#x", k, nr, got, want)
		}
	}
	for _, nr := range []uint32{unix.SYS_GETPID, unix.SYS_OPENAT, unix.SYS_FUTEX, unix.SYS_EXECVE, unix.SYS_CLONE, unix.SYS_MMAP} {
		if got := runFilter(t, vm, auditArch, nr); got != unix.SECCOMP_RET_ALLOW {
			t.Errorf("untraced %d: %#x", nr, got)
		}
	}
	if got := runFilter(t, vm, auditArch, unix.SYS_IOCTL, 3, fionbio); got != unix.SECCOMP_RET_TRACE {
		t.Errorf("ioctl FIONBIO: %#x", got)
	}
	if got := runFilter(t, vm, auditArch, unix.SYS_IOCTL, 1, unix.TCGETS); got != unix.SECCOMP_RET_ALLOW {
		t.Errorf("ioctl TCGETS: %#x", got)
	}
	// Another ABI's numbers are not ours: a 32-bit socketcall would be
	// some other 64-bit call.
	if got := runFilter(t, vm, 0x40000003 /* AUDIT_ARCH_I386 */, unix.SYS_READ); got != unix.SECCOMP_RET_ALLOW {
		t.Errorf("foreign arch: %#x", got)
	}
	if x32Bit != 0 {
		if got := runFilter(t, vm, auditArch, x32Bit|uint32(unix.SYS_READ)); got != unix.SECCOMP_RET_ERRNO|uint32(unix.ENOSYS) {
			t.Errorf("x32 read: %#x", got)
		}
	}
	if f, err := filter(); err != nil || len(f) != len(prog) {
		t.Errorf("assembled: %d instructions, %v", len(f), err)
	}
}

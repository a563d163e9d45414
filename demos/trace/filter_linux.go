//go:build linux && (amd64 || arm64)

package trace

import (
	"fmt"
	"slices"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// The seccomp filter the shim installs before it executes the command.
// It returns SECCOMP_RET_TRACE (a stop the tracer sees) for the socket
// calls of nativeSyscalls and SECCOMP_RET_ALLOW for everything else. The
// decision for a number depends on nothing but the number and the
// architecture (ioctl excepted), so the kernel caches ALLOW for every
// other call (its seccomp action cache, Linux 5.11) and they cost nothing.
//
//	ld  arch            ; seccomp_data.arch
//	jne AUDIT_ARCH → allow  (another ABI's numbers mean other calls: not ours)
//	ld  nr
//	jge 0x40000000 → enosys (x86-64 only: x32 numbers are refused)
//	jeq SYS_ioctl → ioctl
//	jeq SYS_socket → trace … one test per traced number
//	allow:  ret ALLOW
//	ioctl:  ld args[1] (low word); jeq FIONBIO → trace
//	        ret ALLOW
//	trace:  ret TRACE
//	enosys: ret ERRNO(ENOSYS)
//
// (classic BPF jumps only forward, hence the order).

const (
	seccompDataNr   = 0
	seccompDataArch = 4
	seccompDataArgs = 16
)

// filterProgram is the filter as BPF instructions, each jump resolved.
func filterProgram() ([]bpf.Instruction, error) {
	var nrs []int
	for nr, k := range nativeSyscalls {
		if k != kIoctl {
			nrs = append(nrs, nr)
		}
	}
	slices.Sort(nrs)

	const (
		lAllow = iota + 1
		lTrace
		lErrno
		lIoctl
	)
	type ins struct {
		in     bpf.Instruction
		label  int // this instruction is the label's target
		jt, jf int // labels to jump to (0: next instruction)
	}
	var p []ins
	p = append(p,
		ins{in: bpf.LoadAbsolute{Off: seccompDataArch, Size: 4}},
		ins{in: bpf.JumpIf{Cond: bpf.JumpEqual, Val: auditArch}, jf: lAllow},
		ins{in: bpf.LoadAbsolute{Off: seccompDataNr, Size: 4}})
	if x32Bit != 0 {
		p = append(p, ins{in: bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: x32Bit}, jt: lErrno})
	}
	p = append(p, ins{in: bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.SYS_IOCTL}, jt: lIoctl})
	for _, nr := range nrs {
		p = append(p, ins{in: bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(nr)}, jt: lTrace})
	}
	p = append(p,
		ins{in: bpf.RetConstant{Val: unix.SECCOMP_RET_ALLOW}, label: lAllow},
		ins{in: bpf.LoadAbsolute{Off: seccompDataArgs + 8, Size: 4}, label: lIoctl},
		ins{in: bpf.JumpIf{Cond: bpf.JumpEqual, Val: fionbio}, jt: lTrace},
		ins{in: bpf.RetConstant{Val: unix.SECCOMP_RET_ALLOW}},
		ins{in: bpf.RetConstant{Val: unix.SECCOMP_RET_TRACE}, label: lTrace},
		ins{in: bpf.RetConstant{Val: unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)}, label: lErrno})

	at := map[int]int{}
	for i, x := range p {
		if x.label != 0 {
			at[x.label] = i
		}
	}
	skip := func(i, label int) (uint8, error) {
		if label == 0 {
			return 0, nil
		}
		d := at[label] - i - 1
		if d < 0 || d > 255 {
			return 0, fmt.Errorf("seccomp filter: jump of %d from %d", d, i)
		}
		return uint8(d), nil
	}
	out := make([]bpf.Instruction, len(p))
	for i, x := range p {
		out[i] = x.in
		if j, ok := x.in.(bpf.JumpIf); ok {
			var err error
			if j.SkipTrue, err = skip(i, x.jt); err != nil {
				return nil, err
			}
			if j.SkipFalse, err = skip(i, x.jf); err != nil {
				return nil, err
			}
			out[i] = j
		}
	}
	return out, nil
}

// filter is the program as the kernel takes it.
func filter() ([]unix.SockFilter, error) {
	prog, err := filterProgram()
	if err != nil {
		return nil, err
	}
	raw, err := bpf.Assemble(prog)
	if err != nil {
		return nil, err
	}
	f := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		f[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	return f, nil
}

// installFilter installs f for every thread of the calling process
// (SECCOMP_FILTER_FLAG_TSYNC). The caller has set PR_SET_NO_NEW_PRIVS.
func installFilter(f []unix.SockFilter) error {
	prog := unix.SockFprog{Len: uint16(len(f)), Filter: &f[0]}
	r, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER,
		unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&prog)))
	if e != 0 {
		return e
	}
	if r != 0 {
		return fmt.Errorf("thread %d could not take the filter", r)
	}
	return nil
}

//go:build linux && (amd64 || arm64)

package trace

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The ptrace requests the tracer makes, all from its one locked thread.
// None of them blocks, so they go through RawSyscall (no scheduler
// hand-off); wait4, which does block, goes through unix.Wait4.

// syscallInfo is struct ptrace_syscall_info (PTRACE_GET_SYSCALL_INFO,
// Linux 5.3): the stop's kind and the call's number and arguments, or its
// result, without touching the architecture's registers.
type syscallInfo struct {
	Op    uint8
	_     uint8
	_     uint16
	Arch  uint32
	IP    uint64
	SP    uint64
	Nr    uint64 // entry and seccomp: nr; exit: rval
	Args  [6]uint64
	Extra uint32 // seccomp: ret_data
	_     uint32
}

// rval and isError read the exit form of the union.
func (s *syscallInfo) rval() int64   { return int64(s.Nr) }
func (s *syscallInfo) isError() bool { return s.Args[0]&0xff != 0 }

func ptraceRaw(req int, tid int, addr, data uintptr) error {
	_, _, e := unix.RawSyscall6(unix.SYS_PTRACE, uintptr(req), uintptr(tid), addr, data, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

func getSyscallInfo(tid int, si *syscallInfo) error {
	return ptraceRaw(unix.PTRACE_GET_SYSCALL_INFO, tid, unsafe.Sizeof(*si), uintptr(unsafe.Pointer(si)))
}

func ptraceCont(tid, sig int) error    { return ptraceRaw(unix.PTRACE_CONT, tid, 0, uintptr(sig)) }
func ptraceSyscall(tid, sig int) error { return ptraceRaw(unix.PTRACE_SYSCALL, tid, 0, uintptr(sig)) }

func ptraceEventMsg(tid int) (int, error) {
	var msg uint64
	err := ptraceRaw(unix.PTRACE_GETEVENTMSG, tid, 0, uintptr(unsafe.Pointer(&msg)))
	return int(msg), err
}

// isGroupStop tells a group-stop from a signal-delivery-stop for a tracee
// that was not seized: PTRACE_GETSIGINFO fails with EINVAL only in a
// group-stop (ptrace(2), "Group-stop").
func isGroupStop(tid int) bool {
	var si [128]byte
	return ptraceRaw(unix.PTRACE_GETSIGINFO, tid, 0, uintptr(unsafe.Pointer(&si[0]))) == unix.EINVAL
}

// traceOptions are set at the command's first stop; every process and
// thread it starts inherits them.
const traceOptions = unix.PTRACE_O_TRACESYSGOOD | unix.PTRACE_O_TRACESECCOMP |
	unix.PTRACE_O_TRACEFORK | unix.PTRACE_O_TRACEVFORK | unix.PTRACE_O_TRACECLONE |
	unix.PTRACE_O_TRACEEXEC | unix.PTRACE_O_EXITKILL

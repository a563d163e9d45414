//go:build linux && (amd64 || arm64)

package trace_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/sockscope/sockscope/demos/trace"
)

// denyPtraceEnv makes the test binary a process for which ptrace fails
// with EPERM (a seccomp filter of its own, as a container's policy would
// be), which then tries to trace /bin/true and prints Start's error.
const denyPtraceEnv = "TRACE_TEST_DENY_PTRACE"

func denyPtraceAndStart() {
	prog, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 0, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.SYS_PTRACE, SkipFalse: 1},
		bpf.RetConstant{Val: unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)},
		bpf.RetConstant{Val: unix.SECCOMP_RET_ALLOW},
	})
	if err != nil {
		panic(err)
	}
	f := make([]unix.SockFilter, len(prog))
	for i, r := range prog {
		f[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		panic(err)
	}
	fprog := unix.SockFprog{Len: uint16(len(f)), Filter: &f[0]}
	if _, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog))); e != 0 {
		panic(e)
	}
	_, err = trace.Start(context.Background(), trace.Options{Args: []string{"/bin/true"}})
	fmt.Println(err)
	os.Exit(0)
}

// TestPtraceDenied: where ptrace is refused, Start says so in one line,
// with what to do.
func TestPtraceDenied(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), denyPtraceEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	msg := strings.TrimSpace(string(out))
	t.Log(msg)
	if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "ptrace is not allowed here") ||
		!strings.Contains(msg, "operation not permitted") || !strings.Contains(msg, "SYS_PTRACE") {
		t.Errorf("the message: %q", msg)
	}
}

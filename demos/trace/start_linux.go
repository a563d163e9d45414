//go:build linux && (amd64 || arm64)

package trace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// findCommand finds the program as the shim's execve will: a name with a
// slash as it is (relative to dir), any other in the PATH of env.
func findCommand(name string, env []string, dir string) (string, error) {
	if name == "" {
		return "", errors.New(`trace: "" is not a command`)
	}
	if strings.Contains(name, "/") {
		p := name
		if !filepath.IsAbs(p) && dir != "" {
			p = filepath.Join(dir, p)
		}
		if err := executable(p); err != nil {
			return "", fmt.Errorf("trace: %s: %w", name, err)
		}
		return name, nil
	}
	pathVar := os.Getenv("PATH")
	if env != nil {
		pathVar = ""
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, "PATH="); ok {
				pathVar = v
			}
		}
	}
	var denied error
	for _, d := range filepath.SplitList(pathVar) {
		if d == "" {
			d = "."
		}
		p := filepath.Join(d, name)
		if !filepath.IsAbs(p) && dir != "" {
			p = filepath.Join(dir, p)
		}
		err := executable(p)
		if err == nil {
			if abs, err := filepath.Abs(p); err == nil {
				p = abs
			}
			return p, nil
		}
		if !errors.Is(err, fs.ErrNotExist) && denied == nil {
			denied = fmt.Errorf("trace: %s: %w", p, err)
		}
	}
	if denied != nil {
		return "", denied
	}
	return "", fmt.Errorf("trace: %s: command not found (not in PATH)", name)
}

// executable says why path cannot be executed, nil if it can.
func executable(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return errNoFile
		}
		return err
	}
	if st.IsDir() {
		return errors.New("is a directory")
	}
	if err := unix.Faccessat(unix.AT_FDCWD, path, unix.X_OK, unix.AT_EACCESS); err != nil {
		return errors.New("permission denied (not executable)")
	}
	return nil
}

// errNoFile is fs.ErrNotExist with fewer words.
var errNoFile = noFile{}

type noFile struct{}

func (noFile) Error() string        { return "no such file" }
func (noFile) Is(target error) bool { return target == fs.ErrNotExist }

// startError explains why the shim could not be started under ptrace.
func startError(shim string, err error) error {
	if errors.Is(err, unix.EPERM) {
		return ptraceDenied(err)
	}
	return fmt.Errorf("trace: cannot start the tracing shim %s: %w", shim, err)
}

// ErrPtraceDenied is wrapped by Start's error when the system does not let
// this process trace the command.
var ErrPtraceDenied = errors.New("ptrace is not allowed here")

func ptraceDenied(err error) error {
	why := "a container or seccomp policy forbids ptrace (docker: --cap-add=SYS_PTRACE, or a seccomp profile that allows it)"
	if b, rerr := os.ReadFile("/proc/sys/kernel/yama/ptrace_scope"); rerr == nil {
		switch scope := strings.TrimSpace(string(b)); scope {
		case "3":
			why = "Yama's kernel.yama.ptrace_scope is 3, which forbids ptrace until the next reboot (boot with it at 1)"
		case "2":
			why = "Yama's kernel.yama.ptrace_scope is 2 (ptrace for CAP_SYS_PTRACE only): run as root, or set it to 1 with sysctl"
		default:
			why += "; kernel.yama.ptrace_scope is " + scope
		}
	}
	return fmt.Errorf("trace: %w (%v): %s", ErrPtraceDenied, err, why)
}

func errNoSyscallInfo(err error) error {
	return fmt.Errorf("trace: PTRACE_GET_SYSCALL_INFO failed (%v): the kernel is older than 5.3", err)
}

// ErrUnsupported is Start's error where the tracer does not exist (other
// systems and architectures); never returned here.
var ErrUnsupported = errors.New("trace: tracing needs Linux on amd64 or arm64")

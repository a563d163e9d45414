//go:build linux

package netns

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// envChild carries the parent's network namespace ("net:[4026531840]") to
// the copy started by Command.
const envChild = "SOCKSCOPE_NETNS_CHILD"

// Isolated reports whether this process was started by Command (or
// ReexecTest) and really runs in a network namespace other than its
// parent's.
func Isolated() bool {
	parent := os.Getenv(envChild)
	if parent == "" {
		return false
	}
	cur, err := current()
	return err == nil && cur != parent
}

// current names this process's network namespace.
func current() (string, error) { return os.Readlink("/proc/self/ns/net") }

// Command returns a command that runs name with args in a new, empty
// network namespace (its loopback is down: the copy calls LoopbackUp). As
// root it uses CLONE_NEWNET; otherwise CLONE_NEWUSER|CLONE_NEWNET with the
// caller's uid and gid mapped to 0 inside. The command's environment is
// this process's plus the marker Isolated looks for; the copy is killed if
// this process dies. ctx kills the copy as exec.CommandContext does.
//
// Errors from Start or Run for which Unsupported is true mean namespaces
// cannot be created here.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	return command(ctx, os.Geteuid() != 0, name, args...)
}

func command(ctx context.Context, userns bool, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	parent, _ := current()
	cmd.Env = append(os.Environ(), envChild+"="+parent)
	attr := &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
	if userns {
		attr.Cloneflags |= syscall.CLONE_NEWUSER
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
		attr.GidMappingsEnableSetgroups = false // required to map gids without privilege
	}
	cmd.SysProcAttr = attr
	return cmd
}

// Unsupported reports whether err, from starting a Command, means that this
// system does not let this user create the namespaces: user namespaces
// disabled for ordinary users (kernel.unprivileged_userns_clone=0,
// user.max_user_namespaces=0), a container or security policy that forbids
// them, or a kernel without them.
func Unsupported(err error) bool {
	for _, e := range []error{unix.EPERM, unix.EACCES, unix.EINVAL, unix.ENOSPC, unix.EUSERS, unix.ENOSYS} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// LoopbackUp brings the loopback interface up (SIOCSIFFLAGS on "lo"); in a
// new namespace it is down, and up it has 127.0.0.1 and ::1. It does nothing
// if lo is already up.
func LoopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("socket", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return os.NewSyscallError("SIOCGIFFLAGS lo", err)
	}
	flags := ifr.Uint16()
	if flags&unix.IFF_UP != 0 {
		return nil
	}
	ifr.SetUint16(flags | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return os.NewSyscallError("SIOCSIFFLAGS lo up", err)
	}
	return nil
}

// TB is the part of testing.TB that ReexecTest uses; *testing.T has it.
// (This package does not import testing, so that the demo lab can link it.)
type TB interface {
	Helper()
	Name() string
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}

// ReexecTest runs the calling test again, alone, in a fresh network
// namespace, and makes the copy's result this test's: a failure in the copy
// fails t with the copy's output, a skip skips t with its reason, and the
// copy's output is logged (go test shows it with -v or on failure). It
// returns true in the parent, which must then return at once, and false in
// the copy, where lo is already up and the test goes on.
//
// It skips t when namespaces cannot be created here, or when the copy has no
// privilege inside its namespace (as with Ubuntu's AppArmor
// restrict_unprivileged_userns). It works for subtests too: the copy runs
// the whole path of t.Name() and the enclosing tests' code runs there again.
func ReexecTest(t TB) bool {
	t.Helper()
	if os.Getenv(envChild) != "" {
		if !Isolated() {
			t.Fatalf("netns: %s is set but this process is not in a namespace of its own; refusing to run on the host's network", envChild)
		}
		if err := LoopbackUp(); err != nil {
			if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
				t.Skipf("netns: no privilege inside the new network namespace (%v); a security policy such as AppArmor's restrict_unprivileged_userns may forbid it", err)
			}
			t.Fatalf("netns: %v", err)
		}
		return false
	}

	args := []string{"-test.run=" + runPattern(t.Name()), "-test.v=true", "-test.count=1"}
	if f := flag.Lookup("test.short"); f != nil && f.Value.String() == "true" {
		args = append(args, "-test.short=true")
	}
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if dl, ok := d.Deadline(); ok {
			args = append(args, "-test.timeout="+max(time.Until(dl)-5*time.Second, 10*time.Second).String())
		}
	}
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	out, err := run(exe, args, os.Geteuid() != 0)
	if err != nil && os.Geteuid() == 0 && isStartError(err) && Unsupported(err) {
		// Root without CAP_SYS_ADMIN (a container): a user namespace may
		// still be allowed.
		out, err = run(exe, args, true)
	}
	if err != nil && isStartError(err) {
		if Unsupported(err) {
			t.Skipf("netns: cannot create a network namespace here (%v): namespaces look disabled for this user (kernel.unprivileged_userns_clone=0, user.max_user_namespaces=0, user.max_net_namespaces=0, or a container/AppArmor policy); run as root, or enable them, to include this test", err)
		}
		t.Fatalf("netns: starting the test in a new namespace: %v", err)
	}
	t.Logf("output of the copy in a fresh network namespace:\n%s", indent(out))
	skipLine := "--- SKIP: " + t.Name() + " ("
	switch {
	case err != nil:
		t.Errorf("netns: %s failed in its network namespace (%v); its output is above", t.Name(), err)
	case bytes.Contains(out, []byte("testing: warning: no tests to run")):
		t.Fatalf("netns: the copy found no test matching %q", runPattern(t.Name()))
	case bytes.Contains(out, []byte(skipLine)):
		t.Skipf("netns: skipped in its network namespace: %s", skipReason(out, skipLine))
	}
	return true
}

// run starts the test binary in a new namespace and returns its combined
// output.
func run(exe string, args []string, userns bool) ([]byte, error) {
	cmd := command(context.Background(), userns, exe, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// isStartError tells a failure to start the copy (clone, uid_map, exec)
// from the copy's own non-zero exit.
func isStartError(err error) bool {
	var ee *exec.ExitError
	return err != nil && !errors.As(err, &ee)
}

// runPattern anchors every element of a (sub)test name for -test.run.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for k, p := range parts {
		parts[k] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// skipReason returns what the copy logged just before the line
// "--- SKIP: NAME (" (go test -v prints a test's log before its verdict):
// the lines back to the previous "=== RUN" or "=== CONT".
func skipReason(out []byte, skipLine string) string {
	lines := strings.Split(string(out[:bytes.Index(out, []byte(skipLine))]), "\n")
	var reason []string
	for k := len(lines) - 1; k >= 0; k-- {
		l := strings.TrimSpace(lines[k])
		if strings.HasPrefix(l, "=== ") {
			break
		}
		if l != "" {
			reason = append([]string{l}, reason...)
		}
	}
	return strings.Join(reason, "; ")
}

func indent(b []byte) string {
	s := strings.TrimRight(string(b), "\n")
	return "\t" + strings.ReplaceAll(s, "\n", "\n\t")
}

//go:build linux

package main

import (
	bin "encoding/binary"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// nobody is the ordinary user the file-capability tests run the binary as.
const nobody = 65534

// copyForEveryone copies the sockscope binary into a directory everyone
// may read and enter, so that it can run as nobody.
func copyForEveryone(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: running the binary as another user (CI runs the tests as root)")
	}
	dir, err := os.MkdirTemp("", "sockscope-setcap-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for d := filepath.Dir(dir); d != "/"; d = filepath.Dir(d) {
		if st, err := os.Stat(d); err != nil || st.Mode().Perm()&0o001 == 0 {
			t.Skipf("%s is not searchable by other users; cannot run the binary as uid %d", d, nobody)
		}
	}
	exe := filepath.Join(dir, "sockscope")
	in, err := os.Open(sockscopeBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(exe, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return exe
}

// pcapGroup stands for the group the capture setup lets capture; no entry
// in /etc/group is needed for a number.
const pcapGroup = 4242

// capableCopy is copyForEveryone set up as "sockscope capture --help"
// advises: group pcapGroup, mode 750, then file capabilities (cap_net_raw
// and cap_net_admin, permitted and effective). It writes the
// security.capability xattr itself (struct vfs_cap_data,
// VFS_CAP_REVISION_2), so the test needs no setcap.
func capableCopy(t *testing.T) string {
	t.Helper()
	exe := copyForEveryone(t)
	if err := os.Chown(exe, 0, pcapGroup); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(exe, 0o750); err != nil {
		t.Fatal(err)
	}
	// linux/capability.h: VFS_CAP_REVISION_2, VFS_CAP_FLAGS_EFFECTIVE,
	// XATTR_CAPS_SZ_2 (magic_etc, then {permitted, inheritable} × 2).
	const revision2, flagsEffective, size2 = 0x02000000, 0x000001, 20
	caps := make([]byte, size2)
	bin.LittleEndian.PutUint32(caps[0:], revision2|flagsEffective)
	bin.LittleEndian.PutUint32(caps[4:], 1<<unix.CAP_NET_RAW|1<<unix.CAP_NET_ADMIN)
	if err := unix.Setxattr(exe, "security.capability", caps, 0); err != nil {
		t.Skipf("cannot give %s file capabilities here (%v)", exe, err)
	}
	return exe
}

// asNobody returns a command that runs exe as uid and gid 65534, a member
// of pcapGroup.
func asNobody(exe string, args ...string) *exec.Cmd {
	cmd := exec.Command(exe, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{pcapGroup}}}
	cmd.Env = append(os.Environ(), "HOME=/", "TMPDIR=/tmp")
	cmd.Dir = "/"
	return cmd
}

// skipWithoutUserNamespaces skips when an ordinary user cannot make the
// lab here at all, whatever the binary: it runs a plain copy as nobody.
func skipWithoutUserNamespaces(t *testing.T) {
	t.Helper()
	out, err := asNobody(copyForEveryone(t), "demo", "udp-echo", "--no-ui", "--pace", "0").CombinedOutput()
	if err != nil {
		t.Skipf("an ordinary user cannot run the demos here even without file capabilities (%v): %s", err, strings.TrimSpace(string(out)))
	}
}

// TestDemoFromBinaryWithFileCapabilities: the capture setup the README
// advises (file capabilities on the binary) must not break the demos for
// an ordinary user. Such a binary is not dumpable, and the kernel refuses
// to let the lab's parent write the child's uid_map unless sockscope first
// gives the capabilities up.
func TestDemoFromBinaryWithFileCapabilities(t *testing.T) {
	exe := capableCopy(t)
	skipWithoutUserNamespaces(t)
	// -w into the temporary directory: the file must reach the host's,
	// through the relay and past the lab's private one.
	outDir := filepath.Join(filepath.Dir(exe), "out")
	if err := os.Mkdir(outDir, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(outDir, 0o777)
	pcap := filepath.Join(outDir, "echo.pcapng")
	out, err := asNobody(exe, "demo", "tcp-echo", "--no-ui", "--pace", "0", "-w", pcap).CombinedOutput()
	if err != nil {
		t.Fatalf("sockscope demo tcp-echo, as uid %d from a binary with file capabilities: %v\n%s", nobody, err, out)
	}
	if st, err := os.Stat(pcap); err != nil || st.Size() == 0 {
		t.Errorf("-w %s: %v", pcap, err)
	}
	for _, want := range []string{"tcp-echo", "connect(127.0.0.1:7001) = 0", "SYN"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

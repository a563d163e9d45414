//go:build linux

package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestUnixStreamLeavesNoFileWhenKilled: unix-stream binds a socket file;
// SIGKILL gives no process a chance to remove it, yet nothing may be left
// in TMPDIR, whichever process is killed: the command, or its child (the
// lab child that runs the demo, or the relay that starts it); and no
// process may be left running.
func TestUnixStreamLeavesNoFileWhenKilled(t *testing.T) {
	for _, c := range []struct{ user, victim string }{
		{"root", "command"}, {"root", "child"}, // a plain network namespace
		{"nobody", "command"}, {"nobody", "child"}, // a user namespace
		// The binary has file capabilities: the command's child is the
		// relay that makes the lab (demos/lab_relay_linux.go).
		{"nobody_setcap", "command"}, {"nobody_setcap", "child"},
	} {
		victim := c.victim
		t.Run(c.user+"/"+victim, func(t *testing.T) {
			tmp := t.TempDir()
			cmd := exec.Command(sockscopeBinary(t), "demo", "unix-stream", "--no-ui", "--pace", "1h")
			if strings.HasPrefix(c.user, "nobody") {
				exe := copyForEveryone(t)
				if c.user == "nobody_setcap" {
					exe = capableCopy(t)
				}
				skipWithoutUserNamespaces(t)
				cmd = asNobody(exe, "demo", "unix-stream", "--no-ui", "--pace", "1h")
				// TMPDIR must be nobody's to write in, or the demo could
				// not leave anything there even without a lab.
				var err error
				if tmp, err = os.MkdirTemp("", "sockscope-tmpdir-"); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { os.RemoveAll(tmp) })
				if err := os.Chmod(tmp, 0o777); err != nil {
					t.Fatal(err)
				}
				for d := filepath.Dir(tmp); d != "/"; d = filepath.Dir(d) {
					if st, err := os.Stat(d); err != nil || st.Mode().Perm()&0o001 == 0 {
						t.Skipf("%s is not searchable by nobody", d)
					}
				}
			} else if os.Geteuid() != 0 {
				t.Skip("runs as root in CI; the nobody cases cover an ordinary user")
			}
			cmd.Env = append(cmd.Environ(), "TMPDIR="+tmp)
			// A descendant left running holds stderr open; Wait must not
			// wait for it forever (the check below reports it).
			cmd.WaitDelay = 5 * time.Second
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			// The demo pauses an hour before step 2; it has bound its
			// socket file once it prints its listen call.
			lines := bufio.NewScanner(out)
			listening := false
			for !listening && lines.Scan() {
				listening = strings.Contains(lines.Text(), "listen(")
			}
			if !listening {
				cmd.Wait()
				if strings.Contains(stderr.String(), "user namespaces") {
					t.Skipf("no lab here: %s", stderr.String())
				}
				t.Fatalf("the demo ended before it listened: %s", stderr.String())
			}
			child := onlyChild(t, cmd.Process.Pid)
			descendants := []int{child}
			if c.user == "nobody_setcap" {
				descendants = append(descendants, onlyChild(t, child)) // the lab child
				// The relay is dumpable (the same user may ptrace it), so
				// it must hold no capability and gain none by exec.
				st, err := os.ReadFile("/proc/" + strconv.Itoa(child) + "/status")
				if err != nil {
					t.Fatal(err)
				}
				for _, want := range []string{"CapPrm:\t0000000000000000", "CapEff:\t0000000000000000", "CapAmb:\t0000000000000000", "NoNewPrivs:\t1"} {
					if !strings.Contains(string(st), want+"\n") {
						t.Errorf("the relay's /proc/PID/status lacks %q:\n%s", want, st)
					}
				}
			}
			var gone []unix.PollFd
			for _, d := range descendants {
				fd, err := unix.PidfdOpen(d, 0)
				if err != nil {
					t.Skipf("pidfd_open: %v", err)
				}
				defer unix.Close(fd)
				// Through the pidfd, never a reused pid: nothing of a
				// failed run is left running.
				defer unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
				gone = append(gone, unix.PollFd{Fd: int32(fd), Events: unix.POLLIN})
			}
			pid := cmd.Process.Pid
			if victim == "child" {
				pid = child
			}
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait() // killed, or ended because its child was
			// A pidfd polls readable when its process has exited: the
			// child dies of its parent-death signal if the command was
			// killed (and the lab child, if this is the relay, of its).
			for k, d := range descendants {
				if n, err := unix.Poll(gone[k:k+1], 30_000); n != 1 {
					t.Fatalf("process %d (of %v, the command's descendants) still runs after the %s was killed (%v)", d, descendants, victim, err)
				}
			}
			entries, err := os.ReadDir(tmp)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				t.Errorf("left in TMPDIR after SIGKILL of the %s: %s", victim, e.Name())
			}
		})
	}
}

// onlyChild returns the pid of pid's one child process. The kernel lists
// children per thread, and the lab is started from a locked thread.
func onlyChild(t *testing.T, pid int) int {
	t.Helper()
	tasks, err := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	if err != nil || len(tasks) == 0 {
		t.Skipf("cannot list the children of process %d (%v)", pid, err)
	}
	var f []string
	for _, task := range tasks {
		b, _ := os.ReadFile(task)
		f = append(f, strings.Fields(string(b))...)
	}
	if len(f) != 1 {
		t.Fatalf("process %d has children %q; want one, the lab", pid, f)
	}
	c, _ := strconv.Atoi(f[0])
	return c
}

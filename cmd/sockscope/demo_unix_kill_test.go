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

	"golang.org/x/sys/unix"
)

// TestUnixStreamLeavesNoFileWhenKilled: unix-stream binds a socket file;
// SIGKILL gives no process a chance to remove it, yet nothing may be left
// in TMPDIR, whichever process is killed: the command, or the lab child
// that runs the demo.
func TestUnixStreamLeavesNoFileWhenKilled(t *testing.T) {
	for _, c := range []struct{ user, victim string }{
		{"root", "command"}, {"root", "lab child"}, // a plain network namespace
		{"nobody", "command"}, {"nobody", "lab child"}, // a user namespace
	} {
		victim := c.victim
		t.Run(c.user+"/"+strings.ReplaceAll(victim, " ", "_"), func(t *testing.T) {
			tmp := t.TempDir()
			cmd := exec.Command(sockscopeBinary(t), "demo", "unix-stream", "--no-ui", "--pace", "1h")
			if c.user == "nobody" {
				skipWithoutUserNamespaces(t)
				cmd = asNobody(copyForEveryone(t), "demo", "unix-stream", "--no-ui", "--pace", "1h")
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
			lab := onlyChild(t, cmd.Process.Pid)
			labGone, err := unix.PidfdOpen(lab, 0)
			if err != nil {
				t.Skipf("pidfd_open: %v", err)
			}
			defer unix.Close(labGone)
			pid := cmd.Process.Pid
			if victim == "lab child" {
				pid = lab
			}
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait() // killed, or ended because its lab child was
			// A pidfd polls readable when its process has exited: the lab
			// child dies of its parent-death signal if the command was
			// killed.
			if n, err := unix.Poll([]unix.PollFd{{Fd: int32(labGone), Events: unix.POLLIN}}, 30_000); n != 1 {
				t.Fatalf("the lab child %d is still running after the command ended (%v)", lab, err)
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

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tmuxTerm is a terminal of tmux's, with a plain sh at a known prompt, for
// driving the real binary as a person does.
type tmuxTerm struct {
	t          *testing.T
	tmux, sock string
	cred       *syscall.Credential // the user tmux runs as; nil: as this process
}

func newTmux(t *testing.T, tmux string, width, height int) *tmuxTerm {
	term := &tmuxTerm{t: t, tmux: tmux, sock: filepath.Join(t.TempDir(), "tmux.sock")}
	term.start(width, height)
	return term
}

// start opens the width×height session with its shell, and kills the
// server when the test ends.
func (m *tmuxTerm) start(width, height int) {
	m.run("new-session", "-d", "-x", itoa(width), "-y", itoa(height),
		"env -i PATH=/usr/bin:/bin HOME=/tmp LANG=C.UTF-8 TERM=screen-256color PS1='PROMPT$ ' sh")
	m.t.Cleanup(func() {
		m.command("kill-server").Run()
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// command is a tmux command against this terminal. tmux starts a pane's
// command with the default shell: $SHELL, or else the user's login shell,
// which for uid nobody is nologin — so SHELL is always set (CI runs with
// a bare environment, where it is not).
func (m *tmuxTerm) command(args ...string) *exec.Cmd {
	c := exec.Command(m.tmux, append([]string{"-u", "-f", "/dev/null", "-S", m.sock}, args...)...)
	c.SysProcAttr = &syscall.SysProcAttr{Credential: m.cred}
	c.Env = append(os.Environ(), "SHELL=/bin/sh")
	return c
}

// run runs a tmux command against this terminal and returns its output.
func (m *tmuxTerm) run(args ...string) string {
	m.t.Helper()
	out, err := m.command(args...).CombinedOutput()
	if err != nil {
		m.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys types keys into the terminal.
func (m *tmuxTerm) keys(k ...string) { m.run(append([]string{"send-keys", "-t", "0"}, k...)...) }

// waitFor polls the screen until cond holds (20 s at most) and returns it.
func (m *tmuxTerm) waitFor(what string, cond func(string) bool) string {
	m.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := m.run("capture-pane", "-p", "-t", "0")
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("waited 20s for %s; the pane:\n%s", what, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// paneHas is a condition: the screen shows every one of subs.
func paneHas(subs ...string) func(string) bool {
	return func(s string) bool {
		for _, sub := range subs {
			if !strings.Contains(s, sub) {
				return false
			}
		}
		return true
	}
}

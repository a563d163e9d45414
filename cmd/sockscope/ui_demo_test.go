//go:build linux

package main

import (
	"context"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/internal/netns"
)

// TestDemoUITmux drives the real binary in a real terminal (tmux): a
// person types `sockscope demo tcp-echo` at a shell prompt, watches the
// handshake, pauses, steps with n, opens the help, quits — and gets the
// shell back with the screen restored and exit status 0.
func TestDemoUITmux(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the binary in tmux")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed")
	}
	if err := netns.Command(context.Background(), "true").Run(); err != nil && netns.Unsupported(err) {
		t.Skipf("no network namespaces here for the demo's lab: %v", err)
	}
	bin := sockscopeBinary(t)

	term := newTmux(t, tmux, 200, 60)
	waitFor, keys := term.waitFor, term.keys

	waitFor("the prompt", paneHas("PROMPT$"))
	keys(bin+" demo tcp-echo", "Enter")

	// The handshake, with the lanes and the buffers' bars.
	s := waitFor("the handshake", paneHas("SYN seq=0 len=0", "SYN/ACK seq=0 ack=1 len=0", "ACK seq=1 ack=1 len=0", "Send-Q 0 B / "))
	if !strings.Contains(s, "server") || !strings.Contains(s, "client") {
		t.Errorf("no lanes server and client:\n%s", s)
	}

	// Pause: the demo holds before its next step; n lets exactly one in.
	keys("Space")
	held := regexp.MustCompile(`paused — n: step (\d)`)
	s = waitFor("the demo to hold", func(s string) bool { return held.MatchString(s) || strings.Contains(s, "■ finished") })
	if m := held.FindStringSubmatch(s); m != nil {
		next, _ := strconv.Atoi(m[1])
		t.Logf("paused, holding step %d; pressing n", next)
		keys("n")
		want := "step " + strconv.Itoa(next) + "/7"
		s = waitFor(want, paneHas(want))
		if next < 7 {
			waitFor("the demo to hold again", paneHas("paused — n: step "+strconv.Itoa(next+1)))
		}
	} else {
		t.Logf("the demo finished before it could be paused")
	}

	// Help, then quit from it.
	keys("?")
	waitFor("the help", paneHas("other key closes this help", "pause / resume"))
	keys("q")
	s = waitFor("the shell prompt again", func(s string) bool {
		lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
		return strings.TrimSpace(lines[len(lines)-1]) == "PROMPT$"
	})
	if strings.Contains(s, "sockscope ·") || strings.Contains(s, "SYN/ACK") {
		t.Errorf("the UI is still on the screen after q:\n%s", s)
	}
	if !strings.Contains(s, "PROMPT$ "+bin+" demo tcp-echo") {
		t.Errorf("the screen before the UI (the command line) was not restored:\n%s", s)
	}
	keys("echo status=$?", "Enter")
	waitFor("the exit status", paneHas("status=0"))
}

//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
)

// TestReplayUITmux drives the real binary in a real terminal (tmux): a
// person types `sockscope replay FILE` at a shell prompt, sees the packet
// list, moves with n, opens the help, quits — and gets the shell back with
// the screen restored and exit status 0. It skips until replay.go opens
// the inspector (runReplayUI).
func TestReplayUITmux(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the binary in tmux")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	pcap := filepath.Join(t.TempDir(), "two.pcap")
	w, err := capture.Create(pcap, capture.LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		// Ethernet, IPv4, UDP 1234 > 53 with a payload that would clear
		// the screen if it reached the terminal.
		d := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0,
			0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
			0x04, 0xd2, 0x1f, 0x90, 0, 12, 0, 0, 0x1b, '[', '2', 'J'}
		if err := w.WriteFrame(&capture.Frame{Sec: 1700000000 + int64(i), Len: len(d), LinkType: capture.LinkEthernet, Data: d}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	// At the smallest screen the views are laid out for and a large one:
	// the hints end the status line, the help's box is whole.
	// As an ordinary user (uid nobody when the tests run as root, as the
	// demo view's tmux tests do), with the capture where that user may
	// read it.
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(strconv.Itoa(size[0])+"x"+strconv.Itoa(size[1]), func(t *testing.T) {
			term, bin := newUserTerm(t, size[0], size[1])
			file := pcap
			if term.cred != nil {
				data, err := os.ReadFile(pcap)
				if err != nil {
					t.Fatal(err)
				}
				file = filepath.Join(filepath.Dir(bin), "two-"+strconv.Itoa(size[0])+".pcap")
				if err := os.WriteFile(file, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			replayUITmux(t, term, bin, file)
		})
	}
}

func replayUITmux(t *testing.T, term *tmuxTerm, bin, pcap string) {
	waitFor, keys := term.waitFor, term.keys

	waitFor("the prompt", paneHas("PROMPT$"))
	keys(bin+" replay "+pcap, "Enter")
	waitFor("the packet list", paneHas("No.", "Protocol", "10.0.0.1", "2 packets", "Frame 1:", "? keys"))
	keys("n")
	s := waitFor("packet 2 selected", paneHas("Frame 2:"))
	if !strings.Contains(s, ".[2J") {
		t.Errorf("the payload is not shown with dots:\n%s", s)
	}
	keys("?")
	s = waitFor("the help", paneHas("sockscope inspector — keys", "┌ Keys", "┘"))
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "  n ") && strings.Contains(l, "next packet") && strings.Count(l, "│") < 2 {
			t.Errorf("a line of the help has no side border: %q", l)
		}
	}
	keys("q")
	s = waitFor("the shell prompt again", func(s string) bool {
		lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
		return strings.TrimSpace(lines[len(lines)-1]) == "PROMPT$"
	})
	if strings.Contains(s, "Protocol") {
		t.Errorf("the UI is still on the screen after q:\n%s", s)
	}
	keys("echo status=$?", "Enter")
	waitFor("the exit status", paneHas("status=0"))
}

//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sockscope/sockscope/internal/netns"
	"github.com/sockscope/sockscope/internal/textcol"
)

// The demo view in a real terminal (tmux), driven as a person does, as an
// ordinary user: the tests run as whoever runs them, and when that is root
// (CI) they copy the binary where everyone may run it and drive tmux, the
// shell and sockscope as uid nobody — the lab's user namespace is then
// what an ordinary user gets. Where that cannot work (user namespaces
// disabled for ordinary users) they skip and say why.

// newUserTerm starts a width×height terminal as an ordinary user and
// returns it with the sockscope binary that user may run.
func newUserTerm(t *testing.T, width, height int) (*tmuxTerm, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("drives the binary in tmux")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed")
	}
	term := &tmuxTerm{t: t, tmux: tmux}
	bin := sockscopeBinary(t)
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		bin = copyForEveryone(t) // skips unless every directory above it is searchable
		dir, err = os.MkdirTemp(filepath.Dir(bin), "tmux-")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, nobody, nobody); err != nil {
			t.Fatal(err)
		}
		term.cred = &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}}
	}
	// The lab as this user: a lesson run without the view.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	probe := exec.CommandContext(ctx, bin, "demo", "refused", "--no-ui", "--pace", "0")
	probe.SysProcAttr = &syscall.SysProcAttr{Credential: term.cred}
	probe.Dir = dir
	if out, err := probe.CombinedOutput(); err != nil {
		if netns.Unsupported(err) || strings.Contains(string(out), "namespace") {
			t.Skipf("the demo's lab does not start as an ordinary user here: %v\n%s", err, out)
		}
		t.Fatalf("sockscope demo refused --no-ui as an ordinary user: %v\n%s", err, out)
	}
	term.sock = filepath.Join(dir, "tmux.sock")
	term.start(width, height)
	term.waitFor("the prompt", paneHas("PROMPT$"))
	if term.cred != nil {
		term.keys("id -u", "Enter")
		term.waitFor("the shell's uid", paneHas("\n"+strconv.Itoa(nobody)+"\n"))
		term.keys("clear", "Enter")
		term.waitFor("a clear screen", func(s string) bool { return strings.TrimSpace(s) == "PROMPT$" })
	}
	return term, bin
}

// checkPane checks what a screen of the demo view must never show: a line
// wider than the terminal, a line starting with closing CJK punctuation,
// a packet's label cut without "…".
func checkPane(t *testing.T, where string, s string, width int) {
	t.Helper()
	label := regexp.MustCompile(`(SYN|ACK|FIN|PSH|RST)[A-Z/]* seq=\S*`)
	for i, l := range strings.Split(s, "\n") {
		if w := textcol.Width(l); w > width {
			t.Errorf("%s: line %d is %d columns wide: %q", where, i, w, l)
		}
		inner := strings.TrimLeft(l, " │")
		if r, _ := utf8.DecodeRuneInString(inner); r >= 0x3000 && textcol.NoLineStart(r) {
			t.Errorf("%s: line %d starts with %q: %q", where, i, string(r), l)
		}
		// A label on an arrow is whole ("seq=1 ack=1 len=5 …") or cut with …
		if m := label.FindStringIndex(l); m != nil && strings.Contains(l, "─") {
			rest := l[m[0]:]
			if end := strings.IndexAny(rest, "─▶┤├◀"); end >= 0 {
				rest = rest[:end]
			}
			if !strings.Contains(rest, "len=") && !strings.Contains(rest, "…") {
				t.Errorf("%s: line %d: a packet's label cut without …: %q", where, i, strings.TrimSpace(l))
			}
		}
	}
}

// TestDemoUITmux: a person types `sockscope demo tcp-echo` at a shell
// prompt, at 80×24 and at 160×48, watches the handshake, pauses, steps
// with n, opens the help (its box whole), quits — and gets the shell back
// with the screen restored and exit status 0.
func TestDemoUITmux(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			term, bin := newUserTerm(t, size[0], size[1])
			waitFor, keys := term.waitFor, term.keys
			where := fmt.Sprintf("%d×%d", size[0], size[1])
			keys(bin+" demo tcp-echo", "Enter")

			// The handshake, with the lanes and the buffers' bars.
			s := waitFor("the handshake", paneHas("SYN", "ACK seq=1 ack=1", "Send-Q 0 B", "["))
			if !strings.Contains(s, "server") || !strings.Contains(s, "client") {
				t.Errorf("no lanes server and client:\n%s", s)
			}
			checkPane(t, where, s, size[0])

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
					s = waitFor("the demo to hold again", paneHas("paused — n: step "+strconv.Itoa(next+1)))
				}
			} else {
				t.Logf("the demo finished before it could be paused")
			}
			checkPane(t, where, s, size[0])

			// Help: its box whole (corners, sides); then quit from it.
			keys("?")
			s = waitFor("the help", paneHas("other key closes this help", "pause / resume"))
			checkHelpPane(t, where, s)
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
		})
	}
}

// checkHelpPane checks the help's box on a captured screen: a top border
// with both corners, a bottom one under it, a side on every line between.
func checkHelpPane(t *testing.T, where, s string) {
	t.Helper()
	lines := strings.Split(s, "\n")
	top, bottom := -1, -1
	for i, l := range lines {
		if strings.Contains(l, "┌") && top < 0 {
			top = i
		}
		if strings.Contains(l, "└") && strings.Contains(l, "┘") {
			bottom = i
		}
	}
	if top < 0 || bottom <= top {
		t.Errorf("%s: no whole help box:\n%s", where, s)
		return
	}
	col := func(l, sub string) int { return textcol.Width(l[:strings.Index(l, sub)]) }
	left, right := col(lines[top], "┌"), col(lines[top], "┐")
	if !strings.Contains(lines[top], "┐") || !strings.Contains(lines[bottom], "┘") || col(lines[bottom], "└") != left || col(lines[bottom], "┘") != right {
		t.Errorf("%s: the help box's corners do not line up:\n%s", where, s)
		return
	}
	for y := top + 1; y < bottom; y++ {
		if cellAt(lines[y], left) != "│" || cellAt(lines[y], right) != "│" {
			t.Errorf("%s: the help box's side is missing on line %d: %q", where, y, lines[y])
			return
		}
	}
}

// cellAt is the character at column c of a captured line ("" inside a
// wide character or past the end).
func cellAt(l string, c int) string {
	x := 0
	for _, r := range l {
		if x == c {
			return string(r)
		}
		x += textcol.Width(string(r))
		if x > c {
			return ""
		}
	}
	return ""
}

// TestDemoUITmuxThreads: tcp-multi at 160×48 (English) and 80×24 (中文):
// the handler threads' lanes sit right after the server's, each named
// under it, and their packets end on their own lanes.
func TestDemoUITmuxThreads(t *testing.T) {
	for _, c := range []struct {
		w, h int
		lang string
	}{{160, 48, "en"}, {80, 24, "zh"}} {
		t.Run(fmt.Sprintf("%dx%d-%s", c.w, c.h, c.lang), func(t *testing.T) {
			term, bin := newUserTerm(t, c.w, c.h)
			term.keys(bin+" demo tcp-multi --pace 0 --lang "+c.lang, "Enter")
			done := "■ finished"
			if c.lang == "zh" {
				done = "■ 演示结束"
			}
			s := term.waitFor("the lesson's end", paneHas(done))
			where := fmt.Sprintf("%d×%d %s", c.w, c.h, c.lang)
			checkPane(t, where, s, c.w)
			var heads string
			for _, l := range strings.Split(s, "\n") {
				if strings.Contains(l, "server") && strings.Contains(l, "└ handle") {
					heads = l
				}
			}
			srv, h, cli := strings.Index(heads, "server"), strings.Index(heads, "└ handle"), strings.Index(heads, "client")
			if heads == "" || !(srv < h && (cli < 0 || h < cli)) {
				t.Errorf("%s: the handlers' lanes are not right after the server's: %q\n%s", where, heads, s)
			}
			if c.w >= 160 {
				// handler-1 … handler-3 in order, and a handler's FIN ends
				// on its own lane: the teardown's rows name the handler.
				if !(strings.Index(heads, "└ handler-1") < strings.Index(heads, "└ handler-2") && strings.Index(heads, "└ handler-2") < strings.Index(heads, "└ handler-3")) {
					t.Errorf("%s: the handlers are not in order: %q", where, heads)
				}
			}
			term.keys("q")
			term.waitFor("the shell prompt again", func(s string) bool {
				lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
				return strings.TrimSpace(lines[len(lines)-1]) == "PROMPT$"
			})
		})
	}
}

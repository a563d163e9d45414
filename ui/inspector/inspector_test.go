package inspector

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/capture/filter"
	"github.com/sockscope/sockscope/decode/store"
	"github.com/sockscope/sockscope/ui/internal/simtest"
)

// Headless tests of the inspector: RunFile (or runInspector over a fake
// live source) on a tcell SimulationScreen, keys injected, the screen's
// cells read inside app.QueueUpdate and polled until what a test waits for
// shows or a deadline passes (a read right after InjectKey is stale).

const simW, simH = 200, 60

type insHarness struct {
	t    *testing.T
	sim  tcell.SimulationScreen
	app  *tview.Application
	ins  *inspector
	done chan error
	stop context.CancelFunc
}

// newHarness runs run (RunFile or friends, given opts) in the background
// and returns once the inspector exists.
func newHarness(t *testing.T, opts Options, run func(ctx context.Context, opts Options) error) *insHarness {
	t.Helper()
	return newHarnessSize(t, simW, simH, opts, run)
}

// newHarnessSize is newHarness on a w×hh screen.
func newHarnessSize(t *testing.T, w, hh int, opts Options, run func(ctx context.Context, opts Options) error) *insHarness {
	t.Helper()
	h := &insHarness{t: t, sim: tcell.NewSimulationScreen("UTF-8"), done: make(chan error, 1)}
	ready := make(chan struct{})
	opts.Screen = h.sim
	opts.started = func(app *tview.Application, ins *inspector) {
		h.app, h.ins = app, ins
		h.sim.SetSize(w, hh)
		close(ready)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.stop = cancel
	go func() { h.done <- run(ctx, opts) }()
	select {
	case <-ready:
	case err := <-h.done:
		t.Fatalf("the inspector ended before it started: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("the inspector did not start")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-h.done:
		case <-time.After(5 * time.Second):
			t.Error("the inspector did not stop")
		}
	})
	return h
}

func runFileHarness(t *testing.T, path string, opts Options) *insHarness {
	return newHarness(t, opts, func(ctx context.Context, opts Options) error { return RunFile(ctx, path, opts) })
}

// followHasBlankLine reports whether the row holding a is followed by a
// blank row (inside the pane's border) and then the row holding b.
func followHasBlankLine(rows []string, a, b string) bool {
	for i := 0; i+2 < len(rows); i++ {
		if strings.Contains(rows[i], a) && strings.Trim(rows[i+1], " ║│") == "" && strings.Contains(rows[i+2], b) {
			return true
		}
	}
	return false
}

// shared is the simulation-screen harness of ui/internal/simtest over this
// inspector's screen and application.
func (h *insHarness) shared() *simtest.Harness {
	return &simtest.Harness{T: h.t, Sim: h.sim, App: h.app}
}

// screen returns the screen's rows as text, read in the event loop.
func (h *insHarness) screen() []string { return h.shared().Rows() }

// waitFor polls the screen until ok holds, and returns it.
func (h *insHarness) waitFor(what string, ok func(screen string) bool) string {
	h.t.Helper()
	return h.shared().WaitFor(what, ok)
}

func (h *insHarness) waitText(texts ...string) string {
	h.t.Helper()
	return h.shared().WaitText(texts...)
}

func (h *insHarness) waitGone(text string) string {
	h.t.Helper()
	return h.waitFor("no "+text, func(s string) bool { return !strings.Contains(s, text) })
}

func (h *insHarness) key(r rune) { h.shared().Key(r) }

func (h *insHarness) special(k tcell.Key) { h.shared().Special(k, tcell.ModNone) }

func (h *insHarness) typeText(s string) {
	for _, r := range s {
		h.key(r)
	}
}

// settle lets the event loop take the injected event (simtest.Harness.Settle).
func (h *insHarness) settle() { h.shared().Settle() }

// line returns the screen row holding text.
func line(screen, text string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	return ""
}

// selectedNo returns the frame number the details pane shows.
func selectedNo(screen string) string {
	l := line(screen, "Frame ")
	i := strings.Index(l, "Frame ")
	if i < 0 {
		return ""
	}
	rest := l[i+len("Frame "):]
	j := strings.IndexByte(rest, ':')
	if j < 0 {
		return ""
	}
	return rest[:j]
}

func TestInspectorFileFlow(t *testing.T) {
	path := writeCapture(t, testConversation())
	h := runFileHarness(t, path, Options{})

	// The list, the first packet's details and bytes, the status bar.
	s := h.waitText("No.", "Protocol", "Info", "10 packets", "Frame 1:", "192.0.2.1", "Flags [S]", "speed max")
	if selectedNo(s) != "1" {
		t.Errorf("details show frame %q, want 1", selectedNo(s))
	}

	// n and p move the selection; details and bytes follow.
	h.key('n')
	h.key('n')
	h.key('n')
	s = h.waitText("Frame 4:")
	if !strings.Contains(s, "Transmission Control Protocol, Src Port: 40000, Dst Port: 9000, Seq: 1, Ack: 1") {
		t.Errorf("no TCP line for frame 4:\n%s", s)
	}
	h.key('p')
	h.waitText("Frame 3:")
	h.key('n')
	s = h.waitText("Frame 4:")

	// The payload's escape sequences are dots in the hex dump; the tag is
	// text; nothing on screen holds ESC or BEL.
	if !strings.Contains(hexASCII(s), "GET /.]0;pwned. .[2J [red]alert[-] ok..") {
		t.Errorf("the payload's ASCII column is not shown with dots:\n%s", hexASCII(s))
	}
	if strings.ContainsAny(s, "\x1b\x07") {
		t.Errorf("control characters reached the screen")
	}

	// The retransmission is flagged in the list.
	h.key('n')
	s = h.waitText("Frame 5:", "[TCP Retransmission]")

	// Mouse: a click on the row of frame 2 selects it.
	s = h.screen2()
	y := rowOf(s, " 2 ")
	h.sim.InjectMouse(5, y, tcell.Button1, tcell.ModNone)
	h.settle()
	h.sim.InjectMouse(5, y, tcell.ButtonNone, tcell.ModNone)
	h.settle()
	h.waitText("Frame 2:")

	// / applies a display filter.
	h.key('/')
	h.waitText("Display filter:")
	h.typeText("tcp.len > 0 && tcp.port == 9000")
	h.special(tcell.KeyEnter)
	s = h.waitText("filter: tcp.len > 0 && tcp.port == 9000 (3 shown)")
	if strings.Contains(s, "Flags [S]") {
		t.Errorf("the SYN passed the filter:\n%s", s)
	}
	// A bad filter says why and keeps the input open.
	h.key('/')
	h.special(tcell.KeyCtrlU)
	h.typeText("tcp.bogus == 1")
	h.special(tcell.KeyEnter)
	h.waitText(`unknown field "tcp.bogus"`)
	h.special(tcell.KeyEscape)
	// An empty filter shows everything again.
	h.key('/')
	h.special(tcell.KeyCtrlU)
	h.special(tcell.KeyEnter)
	h.waitText("10 packets")
	h.waitGone("filter:")

	// f follows the selected packet's conversation.
	h.key('n')
	h.key('f')
	// Control bytes escaped as replay --follow prints them, and every
	// line kept: the blank one after the response's header too.
	s = h.waitText("Follow TCP stream 0", `GET /\x1b]0;pwned\x07 \x1b[2J [red]alert[-] ok`, "HTTP/1.0 200 OK", "hello", "A sent 39 payload bytes")
	if strings.ContainsAny(s, "\x1b\x07") {
		t.Errorf("control characters reached the screen in Follow")
	}
	if rows := strings.Split(s, "\n"); !followHasBlankLine(rows, "HTTP/1.0 200 OK", "hello") {
		t.Errorf("Follow lost the blank line between the header and the body:\n%s", s)
	}
	h.key('f')
	h.waitText("Details")

	// c lists the conversations; Enter makes one current.
	h.key('c')
	h.waitText("Conversations (2)", "tcp 0", "udp 0", "192.0.2.1:40000", "192.0.2.2:9000")
	h.special(tcell.KeyDown)
	h.special(tcell.KeyDown)
	h.special(tcell.KeyEnter)
	h.waitText("udp conversation 0 is current")
	h.special(tcell.KeyEscape)
	h.waitText("Frame 10:")

	// l draws the ladder of the current conversation (the selected
	// packet's): pick the SYN's.
	h.special(tcell.KeyHome)
	h.key('g')
	h.waitText("Frame 1:")
	h.key('l')
	h.waitText("tcp conversation 0: A 192.0.2.1:40000 (client), B 192.0.2.2:9000 (server)", "|-- SYN seq=0", "|<-- SYN, ACK")
	h.special(tcell.KeyEscape)

	// ? shows the keys; any key closes the overlay.
	h.key('?')
	h.waitText("sockscope inspector — keys", "display filter over the JSON field names")
	h.key('x')
	h.waitGone("sockscope inspector — keys")

	// space pauses.
	h.key(' ')
	h.waitText("PAUSED")
	h.key(' ')
	h.waitGone("PAUSED")

	// + and - change the replay speed.
	h.key('-')
	h.waitText("speed 1024x")
	h.key('+')
	h.waitText("speed max")

	// q quits and RunFile returns nil.
	h.sim.InjectKey(tcell.KeyRune, 'q', tcell.ModNone) // no settle: the loop stops
	select {
	case err := <-h.done:
		if err != nil {
			t.Errorf("RunFile: %v", err)
		}
		h.done <- nil
	case <-time.After(5 * time.Second):
		t.Fatal("q did not quit")
	}
}

func (h *insHarness) screen2() string { return strings.Join(h.screen(), "\n") }

// rowOf returns the screen row of the list whose text starts with no.
func rowOf(screen, no string) int {
	for y, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(strings.TrimLeft(l, "│║ "), strings.TrimSpace(no)+" ") && strings.Contains(l, "192.0.2") {
			return y
		}
	}
	return -1
}

// TestInspectorHostilePayloadCells reads the cells of the hex dump: every
// byte of the payload outside printable ASCII is a '.', the tag is
// literal text.
func TestInspectorHostilePayloadCells(t *testing.T) {
	path := writeCapture(t, testConversation())
	h := runFileHarness(t, path, Options{})
	h.waitText("Frame 1:")
	for i := 0; i < 3; i++ {
		h.key('n')
	}
	s := h.waitText("Frame 4:")
	joined := strings.ReplaceAll(s, "\n", "")
	for _, want := range []string{"GET /.]0;pwn", ".[2J [red]alert[-] ok.."} {
		if !strings.Contains(hexASCII(s), want) {
			t.Errorf("ASCII column lacks %q:\n%s", want, hexASCII(s))
		}
	}
	if strings.ContainsAny(joined, "\x1b\x07\r") {
		t.Errorf("a control character is on screen")
	}
	// The tag did not colour anything: "[red]" is on screen as text.
	if !strings.Contains(joined, "[red]") {
		t.Errorf("the tag text is not on screen")
	}
}

// hexASCII concatenates the ASCII columns of the hex dump's lines: after
// a border, a 4-digit offset, two spaces, 16 byte columns (49 cells) and
// two spaces.
func hexASCII(screen string) string {
	var b strings.Builder
	for _, l := range strings.Split(screen, "\n") {
		r := []rune(l)
		for i := 0; i+58 <= len(r); i++ {
			if (r[i] == '│' || r[i] == '║') && isHex(string(r[i+1:i+5])) && string(r[i+5:i+7]) == "  " && string(r[i+56:i+58]) == "  " {
				end := min(i+58+16, len(r))
				b.WriteString(strings.TrimRight(string(r[i+58:end]), " │║"))
				break
			}
		}
	}
	return b.String()
}

// fakeLive is a live source that hands out frames as the test sends them.
type fakeLive struct{ ch chan capture.Frame }

func (f *fakeLive) Next(ctx context.Context, fr *capture.Frame) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case x := <-f.ch:
		*fr = x
		return nil
	}
}

// TestInspectorLiveFlow: a live store fills while the view shows it;
// paused, the view stands still while the capture goes on; a bound
// evicts and says so; the selection follows the newest packet.
func TestInspectorLiveFlow(t *testing.T) {
	src := &fakeLive{ch: make(chan capture.Frame)}
	frames := testConversation()
	var h *insHarness
	h = newHarness(t, Options{MaxPackets: 6}, func(ctx context.Context, opts Options) error {
		s := store.NewMem("fake0", true, opts.maxPackets(), opts.maxBytes())
		return runInspector(ctx, s, opts, func(ctx context.Context) error { return store.CaptureLive(ctx, s, src, nil) }, nil)
	})
	send := func(n int) {
		for i := 0; i < n; i++ {
			src.ch <- frames[i%len(frames)]
		}
	}
	send(3)
	s := h.waitText("fake0", "3 packets", "LIVE", "Frame 3:")
	_ = s
	h.key(' ')
	h.waitText("PAUSED")
	send(2)
	h.waitText("3 of 5 packets")
	h.key(' ')
	h.waitText("5 packets", "Frame 5:")
	send(4)
	h.waitText("6 packets", "evicted 3", "Frame 9:")
}

func isHex(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return s != ""
}

// TestInspectorCaptureFilterAndPanes: a capture filter keeps the frame
// numbers of the file; Tab goes through the panes; Enter in the details
// opens a line and the bytes it covers are highlighted.
func TestInspectorCaptureFilterAndPanes(t *testing.T) {
	path := writeCapture(t, testConversation())
	m, err := filter.NewMatcher("tcp[tcpflags] & tcp-fin != 0 or udp")
	if err != nil {
		t.Fatal(err)
	}
	h := runFileHarness(t, path, Options{Filter: m})
	s := h.waitText("3 packets", "Frame 7:")
	if line(s, "Flags [S]") != "" {
		t.Errorf("the SYN passed the capture filter:\n%s", s)
	}
	h.key('G')
	h.waitText("Frame 10:", "User Datagram Protocol")
	// Tab to the details, down to the Ethernet line, Enter opens it.
	h.special(tcell.KeyTab)
	h.special(tcell.KeyDown)
	h.special(tcell.KeyEnter)
	h.waitText("Destination: 02:00:00:00:00:02", "Type: IPv4 (0x0800)")
	h.special(tcell.KeyDown)
	h.waitState("the destination MAC (6 bytes) highlighted", func() bool { return h.ins.hex.hiOff == 0 && h.ins.hex.hiLen == 6 })
	h.special(tcell.KeyTab)
	h.waitState("the bytes pane focused", func() bool { return h.ins.hex.HasFocus() })
	h.special(tcell.KeyTab)
	h.waitState("the list focused again", func() bool { return h.ins.list.HasFocus() })
}

// waitState polls ok in the event loop until it holds.
func (h *insHarness) waitState(what string, ok func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var done bool
		h.app.QueueUpdate(func() { done = ok() })
		if done {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

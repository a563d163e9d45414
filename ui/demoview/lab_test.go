//go:build linux

package demoview

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"github.com/rivo/uniseg"

	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/demos/timeline"
	"github.com/sockscope/sockscope/internal/netns"
)

// These tests run Run on a real demo with a live capture, headless on
// a tcell SimulationScreen, inside a private network namespace: the test
// binary re-executes itself there (netns.ReexecTest). They read the
// screen's cells, polled inside app.QueueUpdate until what they wait for
// shows or a deadline passes (a read right after InjectKey is stale).

const demoSimW, demoSimH = 200, 60

// demoHarness drives one Run.
type demoHarness struct {
	t    *testing.T
	sim  tcell.SimulationScreen
	app  *tview.Application
	view *View
	done chan error
}

func startDemo(t *testing.T, name string, opts Options) *demoHarness {
	t.Helper()
	return startDemoSize(t, name, opts, demoSimW, demoSimH)
}

func startDemoSize(t *testing.T, name string, opts Options, w, hh int) *demoHarness {
	t.Helper()
	d, ok := demos.Get(name)
	if !ok {
		t.Fatalf("no demo %q", name)
	}
	h := &demoHarness{t: t, sim: tcell.NewSimulationScreen("UTF-8"), done: make(chan error, 1)}
	ready := make(chan struct{})
	opts.Screen = h.sim
	opts.started = func(app *tview.Application, v *View) {
		h.sim.SetSize(w, hh) // after SetScreen, whose Init sets 80×25
		h.app, h.view = app, v
		close(ready)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	t.Cleanup(cancel)
	go func() { h.done <- Run(ctx, d, opts) }()
	select {
	case <-ready:
	case err := <-h.done:
		t.Fatalf("Run returned at once: %v", err)
	}
	return h
}

// screen reads the screen inside the application's goroutine.
func (h *demoHarness) screen() []demoScreenLine {
	var lines []demoScreenLine
	read := make(chan struct{})
	go func() {
		h.app.QueueUpdate(func() {
			lines = screenLines(h.sim)
		})
		close(read)
	}()
	select {
	case <-read:
	case err := <-h.done:
		h.t.Fatalf("the view closed: %v", err)
	case <-time.After(5 * time.Second):
		h.t.Fatal("the application did not run an update for 5s")
	}
	return lines
}

// waitFor polls the screen until cond holds (10s at most).
func (h *demoHarness) waitFor(what string, cond func([]demoScreenLine) bool) []demoScreenLine {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		lines := h.screen()
		if cond(lines) {
			return lines
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("waited 10s for %s; the screen:\n%s", what, demoDump(lines))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitText waits until every text shows, and returns the screen.
func (h *demoHarness) waitText(texts ...string) []demoScreenLine {
	h.t.Helper()
	return h.waitFor(strings.Join(texts, " and "), func(lines []demoScreenLine) bool {
		for _, s := range texts {
			if demoFindLine(lines, s) < 0 {
				return false
			}
		}
		return true
	})
}

// demoLaneHeads is the index of the line with the lanes' names: the one
// under the ladder's rule.
func demoLaneHeads(lines []demoScreenLine) int {
	for i, l := range lines {
		if strings.HasPrefix(l.text, "─ Ladder ") || strings.HasPrefix(l.text, "─ 时序图 ") {
			return i + 1
		}
	}
	return -1
}

func (h *demoHarness) key(r rune) { h.sim.InjectKey(tcell.KeyRune, r, tcell.ModNone) }

func (h *demoHarness) special(k tcell.Key) { h.sim.InjectKey(k, 0, tcell.ModNone) }

// quit presses q and waits for Run to return.
func (h *demoHarness) quit() {
	h.t.Helper()
	h.key('q')
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		h.t.Fatal("q did not end Run within 10s")
	}
}

// demoCursorLine is the index of the first line drawn reversed (the cursor's
// row, in the ladder), or -1.
func demoCursorLine(lines []demoScreenLine) int {
	for i, l := range lines {
		if len(l.styles) == 0 {
			continue
		}
		if _, _, attr := l.styles[0].Decompose(); attr&tcell.AttrReverse != 0 {
			return i
		}
	}
	return -1
}

// span returns the text of columns [from, to) of a line.
func (l demoScreenLine) span(from, to int) string {
	var b strings.Builder
	for i, c := range l.cols {
		if c >= from && c < to {
			b.WriteByte(l.text[i])
		}
	}
	return b.String()
}

var demoBarRE = regexp.MustCompile(`^(Send-Q|Recv-Q) (\d+) B / (\d+) B`)

// demoBar reads a buffer's bar in the lane heads, in the lane's column
// [x, end): "Recv-Q 5 B / 131072 B" gives "5", "131072" and the bar's whole
// line in the column (the first such bar of the lane: a listener has none).
func demoBar(lines []demoScreenLine, heads, x, end int, what string) (value, size, line string) {
	for i := heads + 1; i < len(lines) && i < heads+14; i++ {
		l := strings.TrimSpace(lines[i].span(x, end))
		if m := demoBarRE.FindStringSubmatch(l); m != nil && m[1] == what {
			return m[2], m[3], l
		}
	}
	return "?", "?", ""
}

// sockAt returns, from the view's model, the socket of lane lane (not a
// listener) as it is after the first row of kind kind whose text has text.
func (h *demoHarness) sockAt(kind timeline.Kind, text string, lane int) timeline.Sock {
	h.t.Helper()
	h.view.mu.Lock()
	defer h.view.mu.Unlock()
	for _, r := range h.view.tl.Rows {
		if r.Kind != kind || !strings.Contains(r.Text, text) {
			continue
		}
		for _, s := range r.Socks {
			if s.Lane == lane && !s.Listener {
				return s
			}
		}
	}
	h.t.Fatalf("no row %q with a socket in lane %d", text, lane)
	return timeline.Sock{}
}

// moveTo presses key until the cursor's line has every text (40 presses
// at most), and returns the screen.
func (h *demoHarness) moveTo(key rune, texts ...string) []demoScreenLine {
	h.t.Helper()
	on := func(l []demoScreenLine) bool {
		c := demoCursorLine(l)
		if c < 0 {
			return false
		}
		for _, s := range texts {
			if !strings.Contains(l[c].text, s) {
				return false
			}
		}
		return true
	}
	for range 40 {
		lines := h.screen()
		if on(lines) {
			return lines
		}
		before := demoCursorLine(lines)
		beforeText := ""
		if before >= 0 {
			beforeText = lines[before].text
		}
		h.key(key)
		h.waitFor("the cursor to move", func(l []demoScreenLine) bool {
			c := demoCursorLine(l)
			return c != before || c >= 0 && l[c].text != beforeText
		})
	}
	lines := h.screen()
	if !on(lines) {
		h.t.Fatalf("could not put the cursor on %q:\n%s", texts, demoDump(lines))
	}
	return lines
}

func demoBgAt(l demoScreenLine, sub string) tcell.Color {
	i := strings.Index(l.text, sub)
	if i < 0 {
		return tcell.ColorDefault
	}
	_, bg, _ := l.styles[i].Decompose()
	return bg
}

func TestDemoViewTCPEcho(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	h := startDemo(t, "tcp-echo", Options{Paused: true})

	// Step 1 runs; the demo then waits for n.
	lines := h.waitText("1/7  Server: socket, SO_REUSEADDR, bind, listen", "listen(5) = 0", "paused — n: step 2")
	if demoFindLine(lines, "SYN") >= 0 {
		t.Errorf("a paused demo went on to the handshake:\n%s", demoDump(lines))
	}

	// n: the handshake, SYN then SYN/ACK then ACK, between the lanes.
	h.key('n')
	// Until connect() returns (after its handshake) the client's address is
	// unknown and its packets have no lane yet: wait for connect's row.
	lines = h.waitText("2/7  Client: connect — the three-way handshake", "ACK seq=1 ack=1 len=0", "connect(127.0.0.1:7001) = 0")
	heads := demoLaneHeads(lines)
	if heads < 0 || lines[heads].col("server") < 0 || lines[heads].col("client") < 0 {
		t.Fatalf("no lane headers \"server\" and \"client\" on one line:\n%s", demoDump(lines))
	}
	srvX, cliX := lines[heads].col("server"), lines[heads].col("client")
	syn, synack, ack := demoFindLine(lines, "SYN seq=0 len=0"), demoFindLine(lines, "SYN/ACK seq=0 ack=1"), demoFindLine(lines, "ACK seq=1 ack=1 len=0")
	if !(syn >= 0 && syn < synack && synack < ack) {
		t.Errorf("want SYN, SYN/ACK, ACK in that order (lines %d, %d, %d):\n%s", syn, synack, ack, demoDump(lines))
	}
	// The SYN goes from the client's lane to the server's: its head at the server.
	if l := lines[syn]; !(l.at(srvX+1) == "◀" && l.at(cliX) == "┤" || l.at(srvX-1) == "▶" && l.at(cliX) == "├") {
		t.Errorf("the SYN arrow does not run client → server: %q", strings.TrimSpace(l.text))
	}
	if l := lines[synack]; !(l.at(cliX-1) == "▶" || l.at(cliX+1) == "◀") {
		t.Errorf("the SYN/ACK arrow has no head at the client's lane: %q", strings.TrimSpace(l.text))
	}

	// n: three sends beside the client's lane; bars; the explanation.
	h.key('n')
	lines = h.waitText("3/7  Client: three send() calls in a row", `send("hello") = 5`, `send("world") = 5`,
		"Each send returns as soon as the kernel has copied the bytes into the socket's send buffer")
	// Lanes are as wide as what they show needs, so they may move when
	// the step changes: find them again on this screen.
	if h := demoLaneHeads(lines); h >= 0 && lines[h].col("server") >= 0 && lines[h].col("client") >= 0 {
		srvX, cliX = lines[h].col("server"), lines[h].col("client")
	}
	send := demoFindLine(lines, `send("hello") = 5`)
	if l := lines[send]; l.at(cliX) != "●" || l.col(`send("hello") = 5`) != cliX+2 {
		t.Errorf("send(\"hello\") is not beside the client's lane (column %d): %q", cliX, strings.TrimSpace(l.text))
	}

	// Select the send: the segment that carried "hello" lights up. On a
	// loaded machine the send may have slept in the kernel (its thread gave
	// up the CPU during the call): the view then shows it where it was made
	// ("blocked") and again where it returned, and counts its bytes in the
	// send buffer from its return; the cursor goes to where it was made.
	blocked := strings.Contains(lines[send].text, "blocked")
	at := `send("hello")`
	if blocked {
		at = `send("hello") = 5  blocked`
	}
	lines = h.moveTo('k', at)
	// The bars at the send's moment: "hello" is in the client's send
	// buffer, 5 bytes of its SO_SNDBUF (not yet counted while it blocks).
	cli := h.sockAt(timeline.KindCall, `send("hello")`, 1)
	if v, size, l := demoBar(lines, demoLaneHeads(lines), cliX, demoSimW, "Send-Q"); (v != "5" && !(blocked && v == "0")) || size != strconv.Itoa(cli.SndBuf) || cli.SndBuf <= 0 {
		t.Errorf("at send(\"hello\") the client's send bar reads %q, want Send-Q 5 B / %d B (its SndBuf):\n%s", l, cli.SndBuf, demoDump(lines))
	}
	h.special(tcell.KeyEnter)
	lines = h.waitFor("the segment of send(\"hello\") to light up", func(l []demoScreenLine) bool {
		i := demoFindLine(l, `PSH/ACK seq=1 ack=1 len=5 "hello"`)
		return i >= 0 && demoBgAt(l[i], "PSH/ACK") == demoLinkedBG
	})
	if i := demoFindLine(lines, `PSH/ACK seq=6 ack=1 len=6`); i >= 0 && demoBgAt(lines[i], "PSH/ACK") == demoLinkedBG {
		t.Errorf("the segment of another send lit up too")
	}
	if demoFindLine(lines, "→ bytes 1–5 → frame 4, acked by frame 5") < 0 {
		t.Errorf("the details do not show the send's links:\n%s", demoDump(lines))
	}
	h.key('j') // onto the segment: the bytes wait in the server's receive buffer
	lines = h.waitFor("the cursor on the segment", func(l []demoScreenLine) bool {
		c := demoCursorLine(l)
		return c >= 0 && strings.Contains(l[c].text, `"hello"`) && strings.Contains(l[c].text, "PSH/ACK")
	})
	srv := h.sockAt(timeline.KindFrame, `"hello"`, 0)
	if v, size, l := demoBar(lines, demoLaneHeads(lines), srvX, cliX-1, "Recv-Q"); v != "5" || size != strconv.Itoa(srv.RcvBuf) || srv.RcvBuf <= 0 || !strings.Contains(l, `"hello"`) {
		t.Errorf("at the segment the server's receive bar reads %q, want Recv-Q 5 B / %d B (its RcvBuf) and \"hello\":\n%s", l, srv.RcvBuf, demoDump(lines))
	}
	h.key('j') // onto its ACK: the client's send buffer is empty again
	lines = h.waitFor("the cursor on the ACK", func(l []demoScreenLine) bool {
		c := demoCursorLine(l)
		return c >= 0 && strings.Contains(l[c].text, "ACK seq=1 ack=6")
	})
	if v, size, l := demoBar(lines, demoLaneHeads(lines), cliX, demoSimW, "Send-Q"); v != "0" || size != strconv.Itoa(cli.SndBuf) {
		t.Errorf("after the ACK the client's send bar reads %q, want Send-Q 0 B / %d B", l, cli.SndBuf)
	}
	// After the three segments the 16 bytes wait in the server's receive
	// buffer, all of them: "hello你好world".
	lines = h.moveTo('j', "PSH/ACK seq=12", `"world"`)
	if v, size, l := demoBar(lines, demoLaneHeads(lines), srvX, cliX-1, "Recv-Q"); v != "16" || size != strconv.Itoa(srv.RcvBuf) || !strings.Contains(l, `"hello你好world"`) {
		t.Errorf("after the third segment the server's receive bar reads %q, want Recv-Q 16 B / %d B and \"hello你好world\":\n%s", l, srv.RcvBuf, demoDump(lines))
	}
	// The server's receive buffer over time: filling, 5, 11, 16 bytes.
	heads = demoLaneHeads(lines)
	strip := ""
	for i := heads + 1; i < heads+14 && i < len(lines); i++ {
		if l := strings.TrimSpace(lines[i].span(srvX, cliX-1)); strings.HasPrefix(l, "Send-Q ") && strings.Contains(l, "Recv-Q ") && strings.Contains(l, "peak") {
			strip = l[strings.Index(l, "Recv-Q "):]
		}
	}
	if !strings.ContainsAny(strip, "▂▃▄▅▆▇") || !strings.Contains(strip, "█") || !strings.Contains(strip, "peak 16 B") {
		t.Errorf("no strip of the server's receive buffer filling to 16 B: %q\n%s", strip, demoDump(lines))
	}

	// p looks back at step 2, n comes forward again.
	h.key('p')
	lines = h.waitText("2/7  Client: connect — the three-way handshake", "looking back")
	if demoFindLine(lines, `send("hello")`) >= 0 {
		t.Errorf("looking back at step 2 still shows step 3's calls:\n%s", demoDump(lines))
	}
	h.key('n')
	h.waitText("3/7  Client: three send() calls in a row", `send("hello") = 5`)

	// ? opens the help; any key closes it.
	h.key('?')
	h.waitText("other key closes this help", "pause / resume playing the steps")
	h.special(tcell.KeyEscape)
	h.waitFor("the help to close", func(l []demoScreenLine) bool { return demoFindLine(l, "other key closes this help") < 0 })

	// Play the rest: the teardown, then finished.
	h.key(' ')
	lines = h.waitText("■ finished", "7/7", "FIN/ACK")
	if demoFindLine(lines, "TIME-WAIT") < 0 {
		t.Errorf("the client's TIME-WAIT is not shown:\n%s", demoDump(lines))
	}
	for _, old := range []string{"TIME_WAIT", "FIN_WAIT", "CLOSE_WAIT", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "LAST_ACK"} {
		for i, l := range lines {
			if strings.Contains(l.text, old) && i > demoLaneHeads(lines) { // the explanation is the lesson's words
				t.Errorf("a TCP state not as ss names it: %q", strings.TrimSpace(l.text))
			}
		}
	}
	if demoFindLine(lines, "▸ ") < 0 {
		t.Errorf("no step's outcome is shown:\n%s", demoDump(lines))
	}
	// The server's recv: its bytes waited in the receive buffer.
	h.key('g')
	lines = h.moveTo('j', "recv(1024) = 16", "#11")
	if demoFindLine(lines, "in the receive buffer") < 0 || !regexp.MustCompile(`waited \d+(\.\d+)? (µs|ms|s) in the receive buffer`).MatchString(demoDump(lines)) {
		t.Errorf("the selected recv does not say how long its bytes waited in the receive buffer:\n%s", demoDump(lines))
	}
	if demoFindLine(lines, "kernel right after it: Send-Q 0 Recv-Q 0  ESTAB") < 0 {
		t.Errorf("the selected recv does not show the kernel's figures right after it:\n%s", demoDump(lines))
	}
	t.Logf("the screen at the end:\n%s", demoDump(lines))
	h.quit()
}

func TestDemoViewBroadcast(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	h := startDemo(t, "udp-broadcast", Options{})
	lines := h.waitText("■ finished", "broadcast UDP len=", "recvfrom(1024)")
	heads := demoLaneHeads(lines)
	if heads < 0 {
		t.Fatalf("no lane header receiver-1:\n%s", demoDump(lines))
	}
	var recvX []int
	for _, name := range []string{"receiver-1", "receiver-2", "receiver-3"} {
		x := lines[heads].col(name)
		if x < 0 {
			t.Fatalf("no lane %s on the header line %q", name, lines[heads].text)
		}
		recvX = append(recvX, x)
	}
	sendX := lines[heads].col("sender")
	if sendX < 0 {
		t.Fatalf("no sender lane: %q", lines[heads].text)
	}
	n := 0
	for _, l := range lines {
		if !strings.Contains(l.text, "UDP len=") {
			continue
		}
		n++
		for k, x := range recvX {
			if l.at(x+1) != "◀" && l.at(x-1) != "▶" {
				t.Errorf("the datagram has no head at receiver-%d's lane (column %d): %q", k+1, x, strings.TrimSpace(l.text))
			}
		}
		if got := l.at(sendX); got != "┤" && got != "├" {
			t.Errorf("the datagram does not start at the sender's lane: %q", got)
		}
	}
	if n != 1 {
		t.Errorf("%d datagram rows, want one datagram fanning out:\n%s", n, demoDump(lines))
	}
	// A click on the datagram selects it: the details name its three receivers.
	dg := demoFindLine(lines, "broadcast UDP len=")
	h.sim.InjectMouse(recvX[0]+3, dg, tcell.Button1, tcell.ModNone)
	h.sim.InjectMouse(recvX[0]+3, dg, tcell.ButtonNone, tcell.ModNone)
	h.waitText("[1] sender → receiver-1, receiver-2, receiver-3  broadcast UDP len=25", "IP 127.0.0.1.")
	if demoFindLine(lines, "= -1 EACCES") < 0 {
		t.Errorf("the refused sendto is not shown:\n%s", demoDump(lines))
	}
	t.Logf("the screen:\n%s", demoDump(lines))
	h.quit()
}

func TestDemoViewUnixZH(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	h := startDemo(t, "unix-stream", Options{Lang: "zh"})
	lines := h.waitText("■ 演示结束", "AF_UNIX：没有数据包", "recv(1024) = 16", "0 个数据包", "Send-Q")
	d, _ := demos.Get("unix-stream")
	last := len(d.Steps)
	title := demoFindLine(lines, fmt.Sprintf("%d/%d  %s", last, last, d.Steps[last-1].TitleZH))
	if title < 0 {
		t.Errorf("no Chinese step title:\n%s", demoDump(lines))
	}
	for i, l := range lines {
		if w := uniseg.StringWidth(strings.TrimRight(l.text, " ")); w > demoSimW {
			t.Errorf("line %d is %d columns wide: %q", i, w, l.text)
		}
	}
	// The explanation wraps by columns: Chinese characters take two.
	for i := title + 1; i < title+4 && i < len(lines); i++ {
		if strings.HasPrefix(strings.TrimSpace(lines[i].text), "。") {
			t.Errorf("line %d begins with 。: %q", i, lines[i].text)
		}
	}
	t.Logf("the screen:\n%s", demoDump(lines))
	h.quit()
}

// At 80×24 the whole lesson plays and the cursor moves through it without
// a panic, and no line runs past the screen.
func TestDemoViewSmall(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	h := startDemoSize(t, "tcp-echo", Options{}, 80, 24)
	h.waitText("■ finished")
	h.moveTo('k', `send("hello")`)
	h.key('?')
	h.waitText("other key closes this help")
	h.key('x') // any key but Esc, which would clear the cursor too
	h.waitFor("the help to close", func(l []demoScreenLine) bool { return demoFindLine(l, "other key closes this help") < 0 })
	lines := h.moveTo('j', "PSH/ACK seq=1 ack=1") // the label is cut at 80 columns
	for i, l := range lines {
		if w := uniseg.StringWidth(strings.TrimRight(l.text, " ")); w > 80 {
			t.Errorf("line %d is %d columns wide: %q", i, w, l.text)
		}
	}
	if demoFindLine(lines, "Recv-Q 5 B / ") < 0 {
		t.Errorf("no receive buffer holding \"hello\" at 80×24:\n%s", demoDump(lines))
	}
	t.Logf("the screen:\n%s", demoDump(lines))
	h.quit()
}

//go:build linux

package ui

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"github.com/rivo/uniseg"

	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/internal/netns"
)

// These tests run RunDemo on a real demo with a live capture, headless on
// a tcell SimulationScreen, inside a private network namespace: the test
// binary re-executes itself there (netns.ReexecTest). They read the
// screen's cells, polled inside app.QueueUpdate until what they wait for
// shows or a deadline passes (a read right after InjectKey is stale).

const demoSimW, demoSimH = 200, 60

// demoHarness drives one RunDemo.
type demoHarness struct {
	t    *testing.T
	sim  tcell.SimulationScreen
	app  *tview.Application
	view *DemoView
	done chan error
}

// demoScreenLine is one row of the screen: the text, and for each byte offset
// of the text the column it is drawn at.
type demoScreenLine struct {
	text   string
	cols   []int // cols[i]: the column of text[i:]
	styles []tcell.Style
}

// col returns the column where sub starts in the line, or -1.
func (l demoScreenLine) col(sub string) int {
	i := strings.Index(l.text, sub)
	if i < 0 {
		return -1
	}
	return l.cols[i]
}

// at returns the cell text at column c.
func (l demoScreenLine) at(c int) string {
	for i, cc := range l.cols {
		if cc == c {
			_, rest, _, _ := uniseg.FirstGraphemeClusterInString(l.text[i:], -1)
			return l.text[i : len(l.text)-len(rest)]
		}
	}
	return ""
}

func startDemo(t *testing.T, name string, opts DemoViewOptions) *demoHarness {
	t.Helper()
	d, ok := demos.Get(name)
	if !ok {
		t.Fatalf("no demo %q", name)
	}
	h := &demoHarness{t: t, sim: tcell.NewSimulationScreen("UTF-8"), done: make(chan error, 1)}
	ready := make(chan struct{})
	opts.Screen = h.sim
	opts.started = func(app *tview.Application, v *DemoView) {
		h.sim.SetSize(demoSimW, demoSimH) // after SetScreen, whose Init sets 80×25
		h.app, h.view = app, v
		close(ready)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	t.Cleanup(cancel)
	go func() { h.done <- RunDemo(ctx, d, opts) }()
	select {
	case <-ready:
	case err := <-h.done:
		t.Fatalf("RunDemo returned at once: %v", err)
	}
	return h
}

// screen reads the screen inside the application's goroutine.
func (h *demoHarness) screen() []demoScreenLine {
	var lines []demoScreenLine
	read := make(chan struct{})
	go func() {
		h.app.QueueUpdate(func() {
			cells, w, hh := h.sim.GetContents()
			for y := 0; y < hh; y++ {
				var l demoScreenLine
				for x := 0; x < w; x++ {
					c := cells[y*w+x]
					s := string(c.Runes)
					if s == "" || s == "\x00" {
						s = " "
					}
					for range len(s) {
						l.cols = append(l.cols, x)
						l.styles = append(l.styles, c.Style)
					}
					l.text += s
					if uniseg.StringWidth(s) == 2 {
						x++ // the wide character's second cell
					}
				}
				lines = append(lines, l)
			}
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

func demoDump(lines []demoScreenLine) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(strings.TrimRight(l.text, " "))
		b.WriteByte('\n')
	}
	return b.String()
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
		if strings.HasPrefix(l.text, "─ Ladder ") || strings.HasPrefix(l.text, "─ 梯形图 ") {
			return i + 1
		}
	}
	return -1
}

func demoFindLine(lines []demoScreenLine, s string) int {
	for i, l := range lines {
		if strings.Contains(l.text, s) {
			return i
		}
	}
	return -1
}

func (h *demoHarness) key(r rune) { h.sim.InjectKey(tcell.KeyRune, r, tcell.ModNone) }

func (h *demoHarness) special(k tcell.Key) { h.sim.InjectKey(k, 0, tcell.ModNone) }

// quit presses q and waits for RunDemo to return.
func (h *demoHarness) quit() {
	h.t.Helper()
	h.key('q')
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Fatalf("RunDemo: %v", err)
		}
	case <-time.After(10 * time.Second):
		h.t.Fatal("q did not end RunDemo within 10s")
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

var demoGaugeRE = regexp.MustCompile(`Send-Q ▕[^▏]*▏(\S+)\s+Recv-Q ▕[^▏]*▏(\S+)`)

// demoGauges reads the Send-Q and Recv-Q numbers of the socket whose line, in
// the lane's column [x, end), contains sock.
func demoGauges(lines []demoScreenLine, heads, x, end int, sock string) (send, recv string) {
	for i := heads + 1; i+1 < len(lines) && i < heads+8; i++ {
		if strings.Contains(lines[i].span(x, end), sock) {
			if m := demoGaugeRE.FindStringSubmatch(lines[i+1].span(x, end)); m != nil {
				return m[1], m[2]
			}
		}
	}
	return "?", "?"
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
	h := startDemo(t, "tcp-echo", DemoViewOptions{Paused: true})

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

	// n: three sends beside the client's lane; gauges; the explanation.
	h.key('n')
	lines = h.waitText("3/7  Client: three send() calls in a row", `send("hello") = 5`, `send("world") = 5`,
		"Each send returns as soon as the kernel has copied the bytes into the socket's send buffer")
	send := demoFindLine(lines, `send("hello") = 5`)
	if l := lines[send]; l.at(cliX) != "●" || l.col(`send("hello") = 5`) != cliX+2 {
		t.Errorf("send(\"hello\") is not beside the client's lane (column %d): %q", cliX, strings.TrimSpace(l.text))
	}
	if demoFindLine(lines, "Send-Q ▕") < 0 || demoFindLine(lines, "Recv-Q ▕") < 0 {
		t.Errorf("no Send-Q / Recv-Q gauges:\n%s", demoDump(lines))
	}

	// Select the send: the segment that carried "hello" lights up.
	for range 40 {
		lines = h.screen()
		if c := demoCursorLine(lines); c >= 0 && strings.Contains(lines[c].text, `send("hello")`) {
			break
		}
		before := demoCursorLine(lines)
		h.key('k')
		h.waitFor("the cursor to move", func(l []demoScreenLine) bool { return demoCursorLine(l) != before })
	}
	if c := demoCursorLine(lines); c < 0 || !strings.Contains(lines[c].text, `send("hello")`) {
		t.Fatalf("could not put the cursor on send(\"hello\"):\n%s", demoDump(lines))
	}
	// The gauges at the send's moment: "hello" is in the client's
	// Send-Q; at the segment's, in the server's Recv-Q.
	if send, _ := demoGauges(lines, demoLaneHeads(lines), cliX, demoSimW, "ESTAB"); send != "5" {
		t.Errorf("at send(\"hello\") the client's Send-Q shows %s, want 5:\n%s", send, demoDump(lines))
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
	h.key('j') // onto the segment: the bytes wait in the server's Recv-Q
	lines = h.waitFor("the cursor on the segment", func(l []demoScreenLine) bool {
		c := demoCursorLine(l)
		return c >= 0 && strings.Contains(l[c].text, `"hello"`) && strings.Contains(l[c].text, "PSH/ACK")
	})
	if _, recv := demoGauges(lines, demoLaneHeads(lines), srvX, cliX-1, "ESTAB"); recv != "5" {
		t.Errorf("at the segment the server's Recv-Q shows %s, want 5:\n%s", recv, demoDump(lines))
	}
	h.key('j') // onto its ACK: the client's Send-Q is empty again
	lines = h.waitFor("the cursor on the ACK", func(l []demoScreenLine) bool {
		c := demoCursorLine(l)
		return c >= 0 && strings.Contains(l[c].text, "ACK seq=1 ack=6")
	})
	if send, _ := demoGauges(lines, demoLaneHeads(lines), cliX, demoSimW, "ESTAB"); send != "0" {
		t.Errorf("after the ACK the client's Send-Q shows %s, want 0", send)
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
	h.waitText("any key closes this help", "pause / resume playing the steps")
	h.special(tcell.KeyEscape)
	h.waitFor("the help to close", func(l []demoScreenLine) bool { return demoFindLine(l, "any key closes this help") < 0 })

	// Play the rest: the teardown, then finished.
	h.key(' ')
	lines = h.waitText("■ finished", "7/7", "FIN/ACK")
	if demoFindLine(lines, "TIME-WAIT") < 0 {
		t.Errorf("the client's TIME-WAIT is not shown:\n%s", demoDump(lines))
	}
	t.Logf("the screen at the end:\n%s", demoDump(lines))
	h.quit()
}

func TestDemoViewBroadcast(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	h := startDemo(t, "udp-broadcast", DemoViewOptions{})
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
	h.waitText("[1] sender → receiver-1, receiver-2, receiver-3  IP 127.0.0.1.")
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
	h := startDemo(t, "unix-stream", DemoViewOptions{Lang: "zh"})
	lines := h.waitText("■ 演示结束", "AF_UNIX：没有数据包", "recv(1024) = 16", "0 个数据包", "Send-Q")
	title := demoFindLine(lines, "5/5  关闭两端，删除套接字文件")
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

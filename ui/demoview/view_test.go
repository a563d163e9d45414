package demoview

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/uniseg"

	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/demos/timeline"
	"github.com/sockscope/sockscope/internal/textcol"
	"github.com/sockscope/sockscope/ui/widgets"
)

// Drawing tests on a hand-made timeline (the model itself is tested in
// demos/timeline): the buffers' bars against their sizes, the strip of a
// queue over time, a kernel sample that differs, calls inside a sendall,
// a blocked call's return, a step's outcome, and every size of screen.

const synthOutcome = "the three sends arrived as one run of 16 bytes in the server's receive buffer, and one recv took them all: TCP keeps no message boundaries, so the program has to mark them itself with a length prefix or a delimiter"

// synthTimeline is tcp-echo's sends and the server's reply, made by hand:
// the server's receive buffer fills (5, 11, 16 B) and drains (0), the
// kernel's sample after the third send differs (11), the sendall's send
// blocks for 1.5 s.
func synthTimeline() (*demos.Demo, *timeline.Timeline) {
	d := &demos.Demo{Name: "synthetic", Title: "synthetic", Steps: []demos.Step{{Title: "three sends"}, {Title: "one recv"}}}
	srv := netip.MustParseAddrPort("127.0.0.1:7001")
	cli := netip.MustParseAddrPort("127.0.0.1:40000")
	t0 := time.Unix(1_700_000_000, 0)
	call := func(n int, ep string, fd int, op, args string, ret int, data string) sockcall.Call {
		at := t0.Add(time.Duration(n) * time.Millisecond)
		return sockcall.Call{Number: n, Endpoint: ep, FD: fd, Op: op, Args: args, Ret: ret, Data: []byte(data), Proto: "tcp",
			Sec: at.Unix(), Nsec: int64(at.Nanosecond()), StartSec: at.Unix(), StartNsec: int64(at.Nanosecond()),
			SendQ: 0, RecvQ: 0, SndBuf: 2626560, RcvBuf: 131072, TCP: &sockcall.TCPInfo{State: "ESTAB"}}
	}
	calls := []sockcall.Call{
		call(1, "client", 4, "send", `"hello"`, 5, "hello"),
		call(2, "client", 4, "send", `"你好"`, 6, "你好"),
		call(3, "client", 4, "send", `"world"`, 5, "world"),
		call(4, "server", 5, "recv", "1024", 16, "hello你好world"),
		call(5, "server", 5, "sendall", `"hello你好world"`, 16, "hello你好world"),
		call(6, "server", 5, "send", `"hello你好world"`, 16, "hello你好world"),
	}
	calls[4].Inner = []int{6}
	tl := &timeline.Timeline{Demo: d, Lanes: []string{"server", "client"}, Run: sockcall.NewRun(calls, nil),
		Waits:   map[int]sockcall.Waits{4: {SendBuf: -1, Ack: -1, RecvBuf: 1200 * time.Millisecond}},
		StepRow: map[int]int{1: 0, 2: 5}, Within: map[int]int{6: 5}, MaxSocks: 1, Finished: true}
	sock := func(id, lane, fd int, local netip.AddrPort, sendQ, recvQ int, data string) timeline.Sock {
		s := timeline.Sock{ID: id, Lane: lane, Endpoint: tl.Lanes[lane], FD: fd, Proto: "tcp", Local: local, State: "ESTAB"}
		s.SendQ, s.Unsent, s.RecvQ, s.SndBuf, s.RcvBuf, s.Window = sendQ, 0, recvQ, 2626560, 131072, 65483
		if lane == 1 {
			s.RcvBuf = -1 // not known: the bar's scale is the largest value seen
		}
		if data != "" {
			s.RecvData = []byte(data)
		}
		return s
	}
	socks := func(srvSend, srvRecv int, srvData string, cliSend int) []timeline.Sock {
		return []timeline.Sock{sock(0, 0, 5, srv, srvSend, srvRecv, srvData), sock(1, 1, 4, cli, cliSend, 0, "")}
	}
	rows := []timeline.Row{
		{Kind: timeline.KindStep, Num: 1, Step: 1, Lane: -1, Text: "three sends", Socks: socks(0, 0, "", 0)},
		{Kind: timeline.KindCall, Num: 1, Index: 0, Step: 1, Lane: 1, Text: `send("hello") = 5`, Socks: socks(0, 5, "hello", 5)},
		{Kind: timeline.KindCall, Num: 2, Index: 1, Step: 1, Lane: 1, Text: `send("你好") = 6`, Socks: socks(0, 11, "hello你好", 6)},
		{Kind: timeline.KindCall, Num: 3, Index: 2, Step: 1, Lane: 1, Text: `send("world") = 5`, Socks: socks(0, 16, "hello你好world", 5)},
		{Kind: timeline.KindOutcome, Num: 1, Step: 1, Lane: -1, Text: synthOutcome, Socks: socks(0, 16, "hello你好world", 5)},
		{Kind: timeline.KindStep, Num: 2, Step: 2, Lane: -1, Text: "one recv", Socks: socks(0, 16, "hello你好world", 0)},
		{Kind: timeline.KindCall, Num: 4, Index: 3, Step: 2, Lane: 0, Text: "recv(1024) = 16", Socks: socks(0, 0, "", 0)},
		{Kind: timeline.KindCall, Num: 5, Index: 4, Step: 2, Lane: 0, Text: `sendall("hello你好world") = 16`, Socks: socks(0, 0, "", 0)},
		{Kind: timeline.KindCall, Num: 6, Index: 5, Step: 2, Lane: 0, Text: `send("hello你好world") = 16`, Inner: true, Blocked: 1500 * time.Millisecond, Socks: socks(10, 0, "", 0)},
		{Kind: timeline.KindReturn, Num: 6, Index: 5, Step: 2, Lane: 0, Text: `send("hello你好world") = 16`, Inner: true, Blocked: 1500 * time.Millisecond, Socks: socks(16, 0, "", 0)},
		{Kind: timeline.KindOutcome, Num: 2, Step: 2, Lane: -1, Text: "one recv took all 16 bytes", Socks: socks(16, 0, "", 0)},
	}
	// The kernel's sample after the third send: Recv-Q 11, where the
	// model has 16; after the recv, agreement.
	rows[3].Socks[0].Kernel = &timeline.KernelSample{Call: 3, SendQ: 0, RecvQ: 11, Drops: -1, Differs: "kernel Recv-Q 11 (a test's reason)"}
	rows[6].Socks[0].Kernel = &timeline.KernelSample{Call: 4, Drops: -1}
	rows[8].Socks[0].Blocked = 6 // until its return: Send-Q is a lower bound
	tl.Checks = []timeline.Check{
		{Call: 3, Endpoint: "server", FD: 5, Proto: "tcp", What: "Send-Q", Model: 0, Kernel: 0, Agree: true},
		{Call: 3, Endpoint: "server", FD: 5, Proto: "tcp", What: "Recv-Q", Model: 16, Kernel: 11, Reason: "a test's reason"},
		{Call: 4, Endpoint: "server", FD: 5, Proto: "tcp", What: "Send-Q", Agree: true},
		{Call: 4, Endpoint: "server", FD: 5, Proto: "tcp", What: "Recv-Q", Agree: true},
	}
	for i := range rows {
		rows[i].At = t0.Add(time.Duration(i) * time.Millisecond)
	}
	tl.Rows = rows
	tl.CallRows = []int{1, 2, 3, 6, 7, 8}
	return d, tl
}

// drawSynth draws view v on a w×h SimulationScreen and returns the screen.
func drawSynth(t *testing.T, v *View, w, h int) []demoScreenLine {
	t.Helper()
	sim := tcell.NewSimulationScreen("UTF-8")
	if err := sim.Init(); err != nil {
		t.Fatal(err)
	}
	defer sim.Fini()
	sim.SetSize(w, h)
	v.SetRect(0, 0, w, h)
	v.Draw(sim)
	sim.Show()
	return screenLines(sim)
}

// synthView is a view showing the hand-made timeline with the cursor on
// row (-1: none).
func synthView(lang string, row int) *View {
	d, tl := synthTimeline()
	v := New(d, Options{Lang: lang})
	v.tl, v.built = tl, true
	v.viewStep, v.entered = 2, 2
	if row >= 0 {
		v.cursor = demoSel{tl.Rows[row].Kind, tl.Rows[row].Num}
	}
	return v
}

func TestDemoDrawBuffers(t *testing.T) {
	v := synthView("en", 3) // the third send: 16 B wait in the server's receive buffer
	lines := drawSynth(t, v, 200, 60)
	dump := demoDump(lines)
	recv := demoFindLine(lines, "Recv-Q 16 B / 131072 B")
	if recv < 0 {
		t.Fatalf("no \"Recv-Q 16 B / 131072 B\" bar:\n%s", dump)
	}
	l := lines[recv]
	// 16 B of 128 KiB: less than an eighth of a cell, shown as one eighth.
	if bar := l.col("["); bar < 0 || !strings.Contains(l.text, "[▏·") {
		t.Errorf("the receive bar does not show 16 B as an eighth of a cell: %q", strings.TrimSpace(l.text))
	}
	for _, want := range []string{"win 65483", `"hello你好world"`, "≠ kernel 11"} {
		if !strings.Contains(l.text, want) {
			t.Errorf("the receive bar's line lacks %q: %q", want, strings.TrimSpace(l.text))
		}
	}
	if fg, _, _ := l.style("≠ kernel 11").Decompose(); fg != tcell.ColorOrangeRed {
		t.Errorf("≠ kernel is not in the warning colour: %v", fg)
	}
	if send := demoFindLine(lines, "Send-Q 0 B / 2626560 B"); send < 0 || !strings.Contains(lines[send].text, "✓ kernel") {
		t.Errorf("no server Send-Q bar agreeing with the kernel:\n%s", dump)
	}
	// The client's send buffer: 5 B of its SO_SNDBUF; its receive buffer's
	// size is not known, and the figures say so.
	if i := demoFindLine(lines, "Send-Q 5 B / 2626560 B"); i < 0 {
		t.Errorf("no client Send-Q 5 B / 2626560 B:\n%s", dump)
	}
	if i := demoFindLine(lines, "Recv-Q 0 B / max 0 B"); i < 0 || !strings.Contains(lines[i].text, "(size unknown)") {
		t.Errorf("a buffer of unknown size does not say so:\n%s", dump)
	}
	if demoFindLine(lines, "fd 5 127.0.0.1:7001 ESTAB  model") < 0 {
		t.Errorf("the socket's label does not say its bars are the model's:\n%s", dump)
	}
	// The details: the call, the kernel right after it, and why the
	// sample differs.
	for _, want := range []string{`#3 client fd 4  send("world") = 5`, "kernel right after it: Send-Q 0 Recv-Q 0  ESTAB",
		"≠ server fd 5: the model has Send-Q 0 Recv-Q 16; kernel Recv-Q 11 (a test's reason)"} {
		if demoFindLine(lines, want) < 0 {
			t.Errorf("the details lack %q:\n%s", want, dump)
		}
	}
}

func TestDemoDrawStrip(t *testing.T) {
	v := synthView("en", 3)
	lines := drawSynth(t, v, 200, 60)
	i := demoFindLine(lines, "peak 16 B")
	if i < 0 {
		t.Fatalf("no strip of the server's receive buffer:\n%s", demoDump(lines))
	}
	l := lines[i]
	from := strings.Index(l.text, "Recv-Q ")
	to := from + strings.Index(l.text[max(from, 0):], " peak 16 B")
	if from < 0 || to < from {
		t.Fatalf("strip line %q", l.text)
	}
	// One cell per row: empty, 5, 11, 16, 16 (the outcome), 16 (step 2),
	// then drained.
	strip := l.text[from+len("Recv-Q ") : to]
	if want := "▁▄▆███▁▁▁▁▁"; strip != want {
		t.Errorf("the receive buffer over time is %q, want %q", strip, want)
	}
	// The cursor's row (3) is reversed, the rows after it dim.
	cells := []int{}
	for k := from + len("Recv-Q "); k < to; {
		cells = append(cells, k)
		_, rest, _, _ := uniseg.FirstGraphemeClusterInString(l.text[k:], -1)
		k = len(l.text) - len(rest)
	}
	for c, k := range cells {
		_, _, attr := l.styles[k].Decompose()
		fg, _, _ := l.styles[k].Decompose()
		switch {
		case c == 3 && attr&tcell.AttrReverse == 0:
			t.Errorf("the cursor's cell %d is not reversed", c)
		case c != 3 && attr&tcell.AttrReverse != 0:
			t.Errorf("cell %d is reversed, only the cursor's should be", c)
		case c > 3 && fg != tcell.ColorGray:
			t.Errorf("cell %d, after the cursor, is not dim", c)
		}
	}
	// Moving the cursor moves the mark: on the recv (row 6) the buffer
	// is empty again.
	v.cursor = demoSel{timeline.KindCall, 4}
	lines = drawSynth(t, v, 200, 60)
	if demoFindLine(lines, "Recv-Q 0 B / 131072 B") < 0 {
		t.Errorf("at the recv the server's receive buffer is not empty:\n%s", demoDump(lines))
	}
	if demoFindLine(lines, "bytes: waited 1.20 s in the receive buffer") < 0 {
		t.Errorf("the recv's details do not say how long its bytes waited:\n%s", demoDump(lines))
	}
}

func TestDemoDrawRows(t *testing.T) {
	v := synthView("en", -1)
	lines := drawSynth(t, v, 200, 60)
	dump := demoDump(lines)
	send := demoFindLine(lines, `sendall("hello你好world") = 16`)
	inner := demoFindLine(lines, `└ send("hello你好world") = 16  blocked 1.50 s`)
	ret := demoFindLine(lines, `└ send("hello你好world") = 16  returned after 1.50 s`)
	if send < 0 || inner != send+1 || ret != inner+1 {
		t.Errorf("want the sendall, its send indented under it (blocked), and the send's return (lines %d %d %d):\n%s", send, inner, ret, dump)
	}
	if ret >= 0 {
		if fg, _, _ := lines[ret].style("└ send").Decompose(); fg != tcell.ColorGray {
			t.Errorf("a return is not drawn dim")
		}
		if !strings.Contains(lines[ret].text, "#6") || !strings.Contains(lines[ret].text, "○") {
			t.Errorf("the return row %q lacks #6 or its mark", lines[ret].text)
		}
	}
	o := demoFindLine(lines, "▸ This run: the three sends arrived")
	if o < 0 {
		t.Fatalf("no outcome line:\n%s", dump)
	}
	if fg, _, _ := lines[o].style("▸ This run").Decompose(); fg != tcell.ColorYellow {
		t.Errorf("the outcome is not in the step's colour")
	}
	// At 80 columns the outcome wraps, at most three lines, the last cut.
	v = synthView("en", -1)
	lines = drawSynth(t, v, 80, 40)
	o = demoFindLine(lines, "▸ This run: the three sends")
	if o < 0 || !strings.HasPrefix(strings.TrimSpace(lines[o+1].text), "arrived") && !strings.Contains(lines[o+1].text, "           ") {
		t.Errorf("the outcome does not wrap at 80 columns:\n%s", demoDump(lines))
	}
	if o >= 0 && !strings.Contains(lines[o+2].text, "…") {
		t.Errorf("an outcome longer than three lines is not cut with …:\n%s", demoDump(lines))
	}
	// While the send is blocked its socket's Send-Q is a lower bound.
	v = synthView("en", 8)
	lines = drawSynth(t, v, 200, 60)
	if i := demoFindLine(lines, "Send-Q ≥ 10 B / 2626560 B"); i < 0 || !strings.Contains(lines[i].text, "send #6 blocked") {
		t.Errorf("a blocked send's Send-Q is not shown as a lower bound:\n%s", demoDump(lines))
	}
	if demoFindLine(lines, "blocked for 1.50 s") < 0 {
		t.Errorf("the blocked send's details do not say how long it blocked:\n%s", demoDump(lines))
	}
	// Selected, the outcome shows whole in the details.
	v = synthView("en", 4)
	lines = drawSynth(t, v, 80, 40)
	if demoFindLine(lines, "a length prefix or a delimiter") < 0 {
		t.Errorf("the selected outcome is not shown whole:\n%s", demoDump(lines))
	}
}

func TestDemoDrawZH(t *testing.T) {
	v := synthView("zh", 3)
	lines := drawSynth(t, v, 200, 60)
	dump := demoDump(lines)
	for _, want := range []string{"模型", "≠ 内核 11", "调用刚返回时内核：Send-Q 0 Recv-Q 0", "峰值 16 B", "▸ 本次运行：", "（大小未知）"} {
		if demoFindLine(lines, want) < 0 {
			t.Errorf("no %q:\n%s", want, dump)
		}
	}
	for _, en := range []string{"model", "This run", "returned after", "peak", "size unknown", "kernel right"} {
		if i := demoFindLine(lines, en); i >= 0 {
			t.Errorf("English %q in the Chinese view: %q", en, lines[i].text)
		}
	}
}

// Every size of screen draws without a panic, and no line runs past the
// screen's width.
func TestDemoDrawSizes(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}, {120, 40}, {60, 16}, {40, 10}, {20, 5}, {10, 3}, {1, 1}} {
		for _, row := range []int{-1, 1, 3, 4, 8, 9} {
			for _, help := range []bool{false, true} {
				v := synthView("en", row)
				v.help = help
				lines := drawSynth(t, v, size[0], size[1])
				for i, l := range lines {
					if w := uniseg.StringWidth(strings.TrimRight(l.text, " ")); w > size[0] {
						t.Errorf("%dx%d: line %d is %d columns: %q", size[0], size[1], i, w, l.text)
					}
				}
			}
		}
	}
	// At 80×24 the lanes keep their bars (and the strips) and the ladder
	// keeps rows.
	v := synthView("en", 3)
	lines := drawSynth(t, v, 80, 24)
	for _, want := range []string{"Recv-Q 16 B / 131072 B", "send(\"world\") = 5"} {
		if demoFindLine(lines, want) < 0 {
			t.Errorf("80×24 lacks %q:\n%s", want, demoDump(lines))
		}
	}
}

func TestWrapText(t *testing.T) {
	for _, tc := range []struct {
		s     string
		width int
	}{
		{"The client calls send three times: b\"hello\", \"你好\".encode() (6 bytes in UTF-8) and b\"world\".", 20},
		{"服务器调用 recv(1024)，一次就拿到了全部 16 个字节：\"hello你好world\"。TCP 是字节流：它保证字节的顺序，却不保留每次 send 之间的边界。", 17},
		{"averyveryveryverylongwordwithoutanyspaceatall", 10},
	} {
		lines := textcol.Wrap(tc.s, tc.width)
		joined := ""
		for _, l := range lines {
			if w := textcol.Width(l); w > tc.width {
				t.Errorf("line %q is %d columns, want ≤ %d", l, w, tc.width)
			}
			joined += l
		}
		if strip := func(s string) string { return strings.ReplaceAll(s, " ", "") }; strip(joined) != strip(tc.s) {
			t.Errorf("wrap lost text:\n%q\n%q", joined, tc.s)
		}
	}
	for _, l := range textcol.Wrap("一二。三四。", 4) {
		if strings.HasPrefix(l, "。") {
			t.Errorf(`wrapText("一二。三四。", 4) has a line %q: "。" must not begin a line`, l)
		}
	}
	if got := textcol.Truncate("你好world", 5); got != "你好…" || textcol.Width(got) != 5 {
		t.Errorf("truncate = %q", got)
	}
	if got := widgets.SafeCluster("\x1b"); got != `\x1b` {
		t.Errorf("ESC printed as %q", got)
	}
}

func TestStepper(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s := newDemoStepper(0, true)
	if err := s.wait(ctx, 1); err != nil {
		t.Fatal("step 1 must pass a paused gate")
	}
	s.enter(1)
	passed := make(chan int, 1)
	go func() {
		if s.wait(ctx, 2) == nil {
			passed <- 2
		}
	}()
	select {
	case <-passed:
		t.Fatal("a paused gate let step 2 in")
	case <-time.After(50 * time.Millisecond):
	}
	if s.holding() != 2 {
		t.Errorf("holding %d, want 2", s.holding())
	}
	s.next()
	select {
	case <-passed:
	case <-time.After(2 * time.Second):
		t.Fatal("n did not release step 2")
	}
	s.enter(2)
	// Playing at a pace: step 3 waits about the pace.
	s.pace = 100 * time.Millisecond
	s.setPaused(false)
	start := time.Now()
	if err := s.wait(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("step 3 came after %v, want about the pace (100ms)", d)
	}
	// Cancel while held.
	s.setPaused(true)
	c2, cancel2 := context.WithCancel(ctx)
	go func() { time.Sleep(20 * time.Millisecond); cancel2() }()
	if err := s.wait(c2, 4); err == nil {
		t.Fatal("a cancelled gate returned nil")
	}
}

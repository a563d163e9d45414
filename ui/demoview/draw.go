package demoview

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gdamore/tcell/v2"

	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/demos/timeline"
	"github.com/sockscope/sockscope/internal/textcol"
	"github.com/sockscope/sockscope/ui/widgets"
)

// The demo view's screen, top to bottom:
//
//	header     demo name and title; step n/N and playing / paused / finished
//	step       the shown step's title and its explanation, wrapped
//	ladder     lane heads (each endpoint's sockets at the cursor's row: fd,
//	           address, TCP state, the send and receive buffers as bars in
//	           bytes against their sizes, and each buffer over time), then
//	           one line per step rule, call, blocked call's return,
//	           packet and socket table (what it changed), and the lines of
//	           each step's outcome
//	details    the cursor's row in full: links, the kernel's figures,
//	           waits, where the model and the kernel differ; with s, the
//	           socket table in force at the cursor's row, whole if there
//	           is room
//	calls      the calls with what the kernel said right after each
//	keys       the key line
//
// Everything comes from demos/timeline's Timeline (v.tl), and is printed
// cell by cell (widgets.PrintCells): no tview tags.

var (
	demoStyleDefault = tcell.StyleDefault
	demoStyleDim     = tcell.StyleDefault.Foreground(tcell.ColorGray)
	demoStyleBold    = tcell.StyleDefault.Bold(true)
	demoStyleBar     = tcell.StyleDefault.Background(tcell.ColorNavy).Foreground(tcell.ColorWhite)
	demoStyleTitle   = tcell.StyleDefault.Foreground(tcell.ColorYellow).Bold(true)
	demoStyleNote    = tcell.StyleDefault.Foreground(tcell.ColorYellow)
	demoStyleError   = tcell.StyleDefault.Foreground(tcell.ColorRed).Bold(true)
	demoStyleControl = tcell.StyleDefault.Foreground(tcell.ColorFuchsia)
	demoStyleData    = tcell.StyleDefault.Foreground(tcell.ColorWhite).Bold(true)
	demoStyleAck     = tcell.StyleDefault.Foreground(tcell.ColorSilver)
	demoStyleDgram   = tcell.StyleDefault.Foreground(tcell.ColorAqua)
	demoStyleExpert  = tcell.StyleDefault.Foreground(tcell.ColorRed)
	demoStyleState   = tcell.StyleDefault.Foreground(tcell.ColorLime)
	// demoStyleWarn marks where the model and the kernel's sample differ.
	demoStyleWarn = tcell.StyleDefault.Foreground(tcell.ColorOrangeRed).Bold(true)
	// demoStyleAgree marks a kernel sample that agrees with the model.
	demoStyleAgree = tcell.StyleDefault.Foreground(tcell.ColorGreen)
	// demoStyleOutcome is a step's outcome ("▸ this run: …"), in the step
	// rule's colour.
	demoStyleOutcome = tcell.StyleDefault.Foreground(tcell.ColorYellow)
	// demoLinkedBG marks the rows tied to the selection.
	demoLinkedBG   = tcell.ColorDarkSlateGray
	demoLaneColors = []tcell.Color{tcell.ColorAqua, tcell.ColorLime, tcell.ColorOrange, tcell.ColorFuchsia, tcell.ColorYellow, tcell.ColorLightSkyBlue}
)

func demoLaneStyle(i int) tcell.Style {
	if i < 0 {
		return demoStyleDim
	}
	return tcell.StyleDefault.Foreground(demoLaneColors[i%len(demoLaneColors)])
}

// demoGeometry remembers where the last draw put the rows, for the mouse.
type demoGeometry struct {
	rowsY, rowsH [2]int
	shown        [2][]int // per screen line of each pane: the row index, -1 for none
}

const demoGutter = 6 // "  #12 " / " [34] "

// demoOutcomeLines is the most lines a step's outcome takes in the ladder;
// longer ones are cut with "…" and shown whole in the details.
const demoOutcomeLines = 3

// Draw draws the view.
func (v *View) Draw(screen tcell.Screen) {
	v.Box.DrawForSubclass(screen, v)
	x, y, w, h := v.GetInnerRect()
	if w <= 0 || h <= 0 {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.sync()
	v.draw(screen, x, y, w, h)
}

func (v *View) tr(en, zh string) string {
	if v.zh {
		return zh
	}
	return en
}

// stepText returns the shown step's heading and explanation (before the
// first step: the demo's title and summary).
func (v *View) stepText() (head, explain string) {
	d := v.demo
	if v.viewStep < 1 || v.viewStep > len(d.Steps) {
		title, summary := d.Title, d.Summary
		if v.zh {
			title, summary = d.TitleZH, d.SummaryZH
		}
		return title, summary
	}
	title, explain, _ := v.tl.StepWords(v.viewStep)
	return fmt.Sprintf("%d/%d  %s", v.viewStep, len(d.Steps), title), explain
}

// demoLine is one screen line of the ladder: a row, and which of its lines
// (an outcome may take several).
type demoLine struct {
	row, sub int
	text     string // an outcome's line
}

// ladderLines lays rows [0, end) out in screen lines at width w.
func (v *View) ladderLines(end, x, maxX int) []demoLine {
	out := make([]demoLine, 0, end+8)
	for i := 0; i < end; i++ {
		r := &v.tl.Rows[i]
		if r.Kind != timeline.KindOutcome {
			out = append(out, demoLine{row: i})
			continue
		}
		for k, l := range v.outcomeLines(r, maxX-1-(x+demoGutter)) {
			out = append(out, demoLine{row: i, sub: k, text: l})
		}
	}
	return out
}

// outcomeHead is what an outcome's first line begins with: "▸ This run: ",
// or only "▸ " when the words already say so (the text timeline's rule).
func (v *View) outcomeHead(text string) string {
	return "▸ " + timeline.OutcomeLead(text, v.zh)
}

// outcomeLines wraps a step's outcome to width columns, on at most
// demoOutcomeLines lines (the last cut with "…" if it is longer).
func (v *View) outcomeLines(r *timeline.Row, width int) []string {
	head := v.outcomeHead(r.Text)
	if width <= textcol.Width(head)+4 {
		return []string{textcol.Truncate(head+r.Text, max(width, 1))}
	}
	lines := textcol.Wrap(r.Text, width-textcol.Width(head))
	if len(lines) > demoOutcomeLines {
		rest := strings.Join(lines[demoOutcomeLines-1:], " ")
		if v.zh {
			rest = strings.Join(lines[demoOutcomeLines-1:], "")
		}
		lines = append(lines[:demoOutcomeLines-1], textcol.Truncate(rest+" …", width-textcol.Width(head)))
		last := lines[len(lines)-1]
		if !strings.HasSuffix(last, "…") {
			lines[len(lines)-1] = textcol.Truncate(last+"…", width-textcol.Width(head))
		}
	}
	for k := range lines {
		if k == 0 {
			lines[k] = head + lines[k]
		} else {
			lines[k] = strings.Repeat(" ", textcol.Width(head)) + lines[k]
		}
	}
	return lines
}

// demoLayout is how many screen lines each part of the view gets.
type demoLayout struct {
	explH, laneHead, perSock, socks, detailsH, callsH, rowsH int
}

// layout shares h lines between the parts: the ladder's rows first, then
// the lane heads (each socket's label, bars and strip, in that order of
// need), the details and the call list. The details grow to want lines
// (the socket table) while the ladder keeps 6.
func (v *View) layout(h, explLines, want int) demoLayout {
	l := demoLayout{socks: min(max(v.headSocks, 1), 3), perSock: 4}
	if h >= 30 { // below that the ladder needs the room
		l.callsH = min(10, max(5, h/6))
	}
	switch {
	case h >= 40:
		l.detailsH = 4
	case h >= 16:
		l.detailsH = 2
	}
	l.explH = min(explLines, max(1, h/8))
	if v.explFull { // e: the explanation whole, the rest makes room
		l.explH = min(explLines, max(1, h-8))
	}
	rows := func() int {
		l.laneHead = 1 + l.socks*l.perSock
		// header, step title, explanation, ladder rule, lane heads,
		// details, calls, keys
		l.rowsH = h - 1 - 1 - l.explH - 1 - l.laneHead - l.detailsH - l.callsH - 1
		return l.rowsH
	}
	for rows() < 5 && l.explH > 1 && !v.explFull {
		l.explH--
	}
	if rows() < 5 && l.callsH > 0 {
		l.callsH = 0
	}
	if v.strips == 0 { // no room for the strips: three lines a socket
		l.perSock = 3
	}
	for _, per := range []int{3, 1} {
		if rows() < 4 {
			l.perSock = min(l.perSock, per)
		}
	}
	for rows() < 3 && l.socks > 1 {
		l.socks--
	}
	if rows() < 3 {
		l.detailsH = 0
	}
	if rows() < 2 {
		l.socks, l.perSock = 0, 0
	}
	if rows() < 1 {
		l.explH = 0
	}
	for l.detailsH < want && rows() > 6 {
		l.detailsH++
	}
	rows()
	l.rowsH = max(l.rowsH, 0)
	return l
}

func (v *View) draw(screen tcell.Screen, x, y, w, h int) {
	maxX := x + w
	x0, y0 := x, y
	tl := v.tl
	v.geo = demoGeometry{}

	head, explain := v.stepText()
	explLines := textcol.Wrap(explain, max(w-4, 1))
	end := v.visibleEnd()
	cur := v.rowOf(v.cursor)
	details := v.detailLines(cur, end, w-2)
	want := 0
	if v.tables || cur >= 0 && cur < end && tl.Rows[cur].Kind == timeline.KindOutcome {
		want = len(details) // the table or the outcome whole, if there is room
	}
	v.placeLanes(x, maxX, end)
	v.stripsFor(end)
	v.headSocks = v.socksShown(cur, end)
	keyRows := v.keyRows(w)
	l := v.layout(h-(len(keyRows)-1), len(explLines), want)
	if l.callsH == 0 {
		v.focus = demoPaneLadder
	}

	bottom := y + h
	v.drawHeader(screen, x, y, w)
	y++
	bottom -= len(keyRows)
	v.drawKeys(screen, x, bottom, w, keyRows)
	if y >= bottom {
		return
	}

	// The step.
	widgets.PrintFit(screen, x+1, y, maxX-1, head, demoStyleTitle)
	if !v.following() {
		widgets.PrintFit(screen, x+2+textcol.Width(head), y, maxX-1, v.tr(fmt.Sprintf("  (looking back: the demo is at step %d; n goes forward)", v.entered),
			fmt.Sprintf("（回看：演示已到第 %d 步；按 n 向后）", v.entered)), demoStyleDim)
	}
	if v.explFull {
		widgets.PrintCells(screen, maxX-textcol.Width(v.tr("e: short ", "e：收起 ")), y, maxX, v.tr("e: short ", "e：收起 "), demoStyleDim)
	}
	y++
	for i := 0; i < l.explH && y < bottom; i++ {
		line := explLines[i]
		if i == l.explH-1 && l.explH < len(explLines) {
			// Cut: the rest is one key away.
			more := v.tr(" (e: more)", "（e：全文）")
			line = textcol.Truncate(line, w-4-textcol.Width(more)-2)
			if !strings.HasSuffix(line, "…") { // it fitted: the cut is after it
				line += " …"
			}
			line += more
		}
		widgets.PrintCells(screen, x+2, y, maxX, line, demoStyleDefault)
		y++
	}
	if y >= bottom {
		return
	}

	// The ladder.
	counts := v.tr(fmt.Sprintf(" %d calls · %d packets ", len(tl.Run.Calls), len(tl.Run.Packets)),
		fmt.Sprintf(" %d 次调用 · %d 个数据包 ", len(tl.Run.Calls), len(tl.Run.Packets)))
	legend := v.tr(" bars: the model's queues in bytes of the buffer's size · ✓/≠ kernel: its own sample ·",
		" 条形图：模型推算的队列，以字节计，满格为缓冲区容量 · ✓/≠ 内核：内核自己的采样 ·")
	right := counts
	if textcol.Width(legend+counts)+14 < w {
		right = legend + counts
	}
	title := demoPanes[demoPaneLadder].title.In(v.zh)
	if v.wide {
		title += v.tr("· labels whole (w) ", "·完整标签（w）")
	}
	v.drawRule(screen, x, y, w, title, v.focus == demoPaneLadder, right)
	y++
	laneX := v.laneX
	moment := cur
	if moment < 0 || moment >= end {
		moment = end - 1
	}
	v.tableRow = -1
	if v.tables {
		v.tableRow = tl.TableAt(moment)
	}
	v.drawLaneHeads(screen, laneX, y, maxX, l, moment, end)
	y += l.laneHead

	rowsY := y
	nRows := max(bottom-l.callsH-l.detailsH-rowsY, 0)
	if tl.UnixOnly && nRows > 4 {
		note := v.tr("AF_UNIX: no packets. The bytes go from one socket's buffer straight into the other's inside the kernel; no network interface is involved, so the capture on lo sees nothing — there are only the calls and the buffers.",
			"AF_UNIX：没有数据包。字节在内核里从一个套接字的缓冲区直接进入另一个的缓冲区，不经过任何网卡，所以 lo 上的抓包什么也看不到——只有调用和缓冲区。")
		lines := textcol.Wrap(note, max(w-4, 1))
		lines = lines[:min(len(lines), 3, nRows-2)]
		for _, ln := range lines {
			widgets.PrintCells(screen, x+2, rowsY, maxX, ln, demoStyleNote)
			rowsY++
			nRows--
		}
	}
	anchor := v.cursor
	if v.pin.kind != 0 {
		anchor = v.pin
	}
	lcalls, lframes := tl.Linked(anchor.kind, anchor.num)
	lines := v.ladderLines(end, x, maxX)
	curLine, curLines := -1, 0
	for k, ln := range lines {
		if ln.row == cur {
			if curLine < 0 {
				curLine = k
			}
			curLines++
		}
	}
	top := v.scrollLines(demoPaneLadder, curLine, curLines, len(lines), nRows)
	v.geo.rowsY[demoPaneLadder], v.geo.rowsH[demoPaneLadder] = rowsY, nRows
	for k := 0; k < nRows; k++ {
		i := top + k
		if i >= len(lines) {
			v.geo.shown[demoPaneLadder] = append(v.geo.shown[demoPaneLadder], -1)
			continue
		}
		ln := lines[i]
		v.geo.shown[demoPaneLadder] = append(v.geo.shown[demoPaneLadder], ln.row)
		r := &tl.Rows[ln.row]
		linked := (r.Kind == timeline.KindCall || r.Kind == timeline.KindReturn) && lcalls[r.Num] || r.Kind == timeline.KindFrame && lframes[r.Num]
		pinned := anchor.kind == r.Kind && anchor.num == r.Num && v.pin.kind != 0
		v.drawRow(screen, r, ln, x, rowsY+k, maxX, laneX, ln.row == cur, linked, pinned)
	}
	y = rowsY + nRows

	// Details of the cursor's row.
	if l.detailsH > 0 {
		v.drawDetails(screen, x, y, maxX, l.detailsH, details)
		y += l.detailsH
	}
	// The call list.
	if l.callsH > 0 {
		v.drawCalls(screen, x, y, w, l.callsH, end, cur, lcalls)
	}
	if v.help {
		v.drawHelp(screen, x0, y0, w, h)
	}
}

// socksShown is the most sockets one lane has, at the cursor's row (or
// the last row shown) or at any row of the step shown: the lane heads
// make room for that many, so that they keep their place while the cursor
// moves within a step.
func (v *View) socksShown(cur, end int) int {
	tl := v.tl
	from := 0
	if i, ok := tl.StepRow[v.viewStep]; ok {
		from = i
	}
	moment := cur
	if moment < 0 || moment >= end {
		moment = end - 1
	}
	most := 0
	count := func(r int) {
		if r < 0 || r >= len(tl.Rows) {
			return
		}
		per := map[int]int{}
		for _, s := range tl.Rows[r].Socks {
			per[s.Lane]++
			most = max(most, per[s.Lane])
		}
	}
	for r := from; r < end; r++ {
		count(r)
	}
	count(moment)
	return most
}

// scrollLines returns the first line a pane shows: the cursor's lines
// (from cur, n of them) stay in view; with no cursor the newest lines are
// shown.
func (v *View) scrollLines(pane, cur, n, total, height int) int {
	top := v.tops[pane]
	switch {
	case height <= 0:
		return 0
	case cur < 0:
		top = total - height
	case cur < top:
		top = cur
	case cur+max(min(n, height), 1) > top+height:
		top = cur + max(min(n, height), 1) - height
	}
	top = max(0, min(top, total-height))
	v.tops[pane] = top
	return top
}

func (v *View) drawHeader(screen tcell.Screen, x, y, w int) {
	maxX := x + w
	widgets.FillCells(screen, x, y, maxX, ' ', demoStyleBar)
	title := v.demo.Title
	if v.zh && v.demo.TitleZH != "" {
		title = v.demo.TitleZH
	}
	var status string
	st := demoStyleBar
	switch {
	case v.done && v.err != nil:
		status = v.tr("✗ error: ", "✗ 出错：") + v.err.Error()
		st = demoStyleBar.Foreground(tcell.ColorRed).Bold(true)
	case v.done:
		status = v.tr("■ finished", "■ 演示结束")
	case v.step.isPaused():
		status = v.tr("❚❚ paused", "❚❚ 已暂停")
		if n := v.step.holding(); n > 0 {
			status += v.tr(fmt.Sprintf(" — n: step %d", n), fmt.Sprintf("——按 n 进入第 %d 步", n))
		}
	default:
		status = v.tr("▶ playing", "▶ 播放中")
	}
	if v.viewStep > 0 {
		status = v.tr(fmt.Sprintf("step %d/%d  ", v.viewStep, len(v.demo.Steps)), fmt.Sprintf("第 %d/%d 步  ", v.viewStep, len(v.demo.Steps))) + status
	}
	status = textcol.Truncate(status, max(w/2, 10))
	sx := maxX - textcol.Width(status) - 1
	widgets.PrintFit(screen, x+1, y, sx-1, "sockscope · "+v.demo.Name+" — "+title, demoStyleBar.Bold(true))
	widgets.PrintCells(screen, sx, y, maxX, status, st)
}

// keyRows splits the key hints into the lines they take at width w: one,
// or two when they do not fit on one (never dropped); on a screen too
// short for two, the hints that fit on one.
func (v *View) keyRows(w int) [][][2]string {
	hints := v.keys.Hints(v.zh)
	if widgets.HintsWidth(hints)+2 <= w {
		return [][][2]string{hints}
	}
	_, _, _, h := v.GetInnerRect()
	if h < 16 {
		return [][][2]string{hints}
	}
	for k := len(hints) - 1; k > 0; k-- {
		if widgets.HintsWidth(hints[:k])+2 <= w {
			return [][][2]string{hints[:k], hints[k:]}
		}
	}
	return [][][2]string{hints}
}

// drawKeys draws the key hints on their lines from row y, and how many
// events were dropped, if any.
func (v *View) drawKeys(screen tcell.Screen, x, y, w int, rows [][][2]string) {
	maxX := x + w
	cx := 0
	for k, hints := range rows {
		widgets.FillCells(screen, x, y+k, maxX, ' ', demoStyleBar)
		cx = widgets.DrawHints(screen, x+1, y+k, maxX, hints, demoStyleBar.Bold(true).Foreground(tcell.ColorYellow), demoStyleBar) + 2
	}
	v.inMu.Lock()
	dropped := v.dropped
	v.inMu.Unlock()
	if dropped > 0 {
		widgets.PrintFit(screen, cx, y+len(rows)-1, maxX, v.tr(fmt.Sprintf("(%d events dropped)", dropped), fmt.Sprintf("（丢弃了 %d 个事件）", dropped)), demoStyleBar.Foreground(tcell.ColorRed))
	}
}

// drawRule draws a pane's title rule.
func (v *View) drawRule(screen tcell.Screen, x, y, w int, title string, focused bool, right string) {
	maxX := x + w
	widgets.FillCells(screen, x, y, maxX, '─', demoStyleDim)
	st := demoStyleDim
	if focused {
		st = demoStyleTitle
	}
	cx := widgets.PrintCells(screen, x+1, y, maxX, title, st)
	if right != "" && cx+textcol.Width(right)+2 < maxX {
		widgets.PrintCells(screen, maxX-textcol.Width(right)-1, y, maxX, right, demoStyleDim)
	}
}

// drawRow draws one ladder line: a step's rule, a call beside its lane (a
// sendall's sends indented under it), a blocked call's return, a packet's
// arrow, or a line of a step's outcome.
func (v *View) drawRow(screen tcell.Screen, r *timeline.Row, ln demoLine, x, y, maxX int, laneX []int, cursor, linked, pinned bool) {
	look := func(s tcell.Style) tcell.Style {
		switch {
		case cursor:
			return s.Reverse(true)
		case linked:
			return s.Background(demoLinkedBG)
		}
		return s
	}
	if cursor || linked {
		widgets.FillCells(screen, x, y, maxX, ' ', look(demoStyleDefault))
	}
	switch r.Kind {
	case timeline.KindStep:
		st := demoStyleDim
		if r.Num == v.viewStep {
			st = demoStyleTitle
		}
		widgets.FillCells(screen, x, y, maxX, '─', look(demoStyleDim))
		widgets.PrintFit(screen, x+2, y, maxX-2, fmt.Sprintf(" %d/%d %s ", r.Num, len(v.demo.Steps), r.Text), look(st))
		return
	case timeline.KindSockets:
		if pinned {
			widgets.PrintCells(screen, x, y, maxX, "▶", look(demoStyleTitle))
		}
		st := demoStyleDim
		if ln.row == v.tableRow {
			st = demoStyleTitle // the table the details show
		}
		text := fmt.Sprintf(v.tr("▤ sockets after step %d: %d", "▤ 第 %d 步结束时的套接字：%d 个"), r.Sockets.Step, len(r.Sockets.Entries))
		if r.Sockets.AfterCall > 0 {
			// Read after call n returned: where it sorts, another
			// endpoint's call may come between them.
			text = fmt.Sprintf(v.tr("▤ sockets: %d", "▤ 套接字：%d 个"), len(r.Sockets.Entries))
		}
		if ch := v.tl.TableChanges(ln.row); len(ch) > 0 {
			text += " — " + strings.Join(ch, v.tr(" · ", " · "))
		} else if v.tableRow < 0 {
			text += v.tr("  (s: the table at the cursor)", "（按 s 显示光标处的套接字表）")
		}
		widgets.PrintFit(screen, x+demoGutter, y, maxX-1, demoSafeString([]byte(text)), look(st))
		return
	case timeline.KindOutcome:
		st := demoStyleOutcome
		if r.Num == v.viewStep {
			st = st.Bold(true)
		}
		if pinned && ln.sub == 0 {
			widgets.PrintCells(screen, x, y, maxX, "▶", look(demoStyleTitle))
		}
		widgets.PrintCells(screen, x+demoGutter, y, maxX, ln.text, look(st))
		return
	}
	// Gutter: #call or [frame]; ▶ marks the pinned selection.
	g := "#" + strconv.Itoa(r.Num)
	switch r.Kind {
	case timeline.KindFrame:
		g = "[" + strconv.Itoa(r.Num) + "]"
	case timeline.KindWaiting:
		g = "#?" // numbered when it returns
	}
	if pinned {
		widgets.PrintCells(screen, x, y, maxX, "▶", look(demoStyleTitle))
	}
	widgets.PrintCells(screen, x+max(demoGutter-1-len(g), 1), y, maxX, g, look(demoStyleDim))
	for i, lx := range laneX {
		screen.Put(lx, y, "│", look(demoLaneStyle(i).Dim(true)))
	}
	switch r.Kind {
	case timeline.KindCall, timeline.KindReturn, timeline.KindWaiting:
		v.drawCallRow(screen, r, x, y, maxX, laneX, look)
	case timeline.KindFrame:
		v.drawArrow(screen, r, x, y, maxX, laneX, look)
	}
}

// drawCallRow writes a call (or a blocked call's return) beside its lane:
// to the right; where that is too narrow (the last lane) and the left has
// more room, to the left. A label cut short keeps its result:
// "sendto("…) = -1 EACCES".
func (v *View) drawCallRow(screen tcell.Screen, r *timeline.Row, x, y, maxX int, laneX []int, look func(tcell.Style) tcell.Style) {
	var c *sockcall.Call
	if r.Kind != timeline.KindWaiting {
		c = v.tl.Run.Call(r.Num)
	}
	ret := r.Kind == timeline.KindReturn
	waiting := r.Kind == timeline.KindWaiting
	st := demoStyleDefault
	switch {
	case r.Fail:
		st = demoStyleError
	case ret, waiting:
		st = demoStyleDim
	}
	prefix := ""
	if r.Inner {
		prefix = "└ "
	}
	var suffix string
	switch {
	case waiting:
		suffix = "  " + v.tr("waiting: not returned yet", "等待中：尚未返回")
	case ret:
		suffix = "  " + v.tr("returned after ", "返回，用时 ") + sockcall.FormatDuration(r.Blocked)
	case r.Blocked > 0:
		suffix = "  " + v.tr("blocked ", "阻塞 ") + sockcall.FormatDuration(r.Blocked)
	}
	label := func(width int) string {
		width -= textcol.Width(prefix) + textcol.Width(suffix)
		if c == nil {
			return prefix + textcol.Truncate(r.Text, max(width, 1))
		}
		return prefix + demoCallLabel(c, max(width, 1))
	}
	if r.Lane < 0 || r.Lane >= len(laneX) {
		cx := widgets.PrintCells(screen, x+demoGutter, y, maxX-1, label(maxX-1-x-demoGutter), look(st))
		widgets.PrintFit(screen, cx, y, maxX-1, suffix, look(demoStyleDim))
		return
	}
	lx := laneX[r.Lane]
	mark := "●"
	switch {
	case ret:
		mark = "○"
	case waiting:
		mark = "◌"
	}
	screen.Put(lx, y, mark, look(demoLaneStyle(r.Lane).Bold(!ret)))
	note := ""
	if r.Note != "" {
		note = "→ " + r.Note
	}
	full := prefix + r.Text + suffix
	if c != nil {
		full = prefix + string(sockcall.AppendCallLabel(nil, c)) + suffix
	}
	// The call stays between its lane's line and the next one (w: to the
	// screen's edge); where the room to the right is too short and the
	// gap left of the line is wider, it goes there.
	rightEnd := v.laneEnd[r.Lane]
	if v.wide {
		rightEnd = maxX - 1
	}
	leftX := v.laneLeft(r.Lane, x) + 1
	right, left := rightEnd-(lx+2), lx-1-leftX
	if textcol.Width(full) > right && left > right && !v.wide {
		if left-textcol.Width(suffix) < 12 {
			suffix = ""
		}
		text := label(left)
		cx := lx - 1 - textcol.Width(text) - textcol.Width(suffix)
		cx = widgets.PrintCells(screen, cx, y, lx-1, text, look(st))
		widgets.PrintCells(screen, cx, y, lx-1, suffix, look(demoStyleDim))
		return
	}
	if textcol.Width(full) > right {
		// Cut: the label keeps its result, the suffix goes first.
		if w := textcol.Width(suffix); right-w < 12 {
			suffix = ""
		}
	}
	cx := widgets.PrintCells(screen, lx+2, y, rightEnd, label(right), look(st))
	cx = widgets.PrintFit(screen, cx, y, rightEnd, suffix, look(demoStyleDim))
	if note != "" && rightEnd-(cx+2) >= 4 {
		widgets.PrintFit(screen, cx+2, y, rightEnd, note, look(demoStyleState))
	}
}

// drawArrow draws a packet: an arrow from the sender's lane to each
// receiver's (a broadcast fans out, with a head at every receiver),
// labelled in its widest gap; states that changed are noted after it.
func (v *View) drawArrow(screen tcell.Screen, r *timeline.Row, x, y, maxX int, laneX []int, look func(tcell.Style) tcell.Style) {
	st := demoStyleData
	switch {
	case r.Expert:
		st = demoStyleExpert
	case r.Control:
		st = demoStyleControl
	case r.PureAck:
		st = demoStyleAck
	case r.Broadcast || strings.HasPrefix(r.Text, "UDP"):
		st = demoStyleDgram
	}
	valid := r.Lane >= 0 && r.Lane < len(laneX) && len(r.To) > 0
	for _, t := range r.To {
		valid = valid && t >= 0 && t < len(laneX)
	}
	if !valid {
		widgets.PrintFit(screen, x+demoGutter, y, maxX-1, r.Text, look(st))
		return
	}
	src := laneX[r.Lane]
	points := []int{src}
	heads := map[int]bool{}
	for _, t := range r.To {
		points = append(points, laneX[t])
		heads[laneX[t]] = true
	}
	lo, hi := src, src
	for _, p := range points {
		lo, hi = min(lo, p), max(hi, p)
	}
	if lo == hi {
		widgets.PrintFit(screen, x+demoGutter, y, maxX-1, r.Text, look(st))
		return
	}
	for cx := lo; cx <= hi; cx++ {
		screen.Put(cx, y, "─", look(st))
	}
	// The lanes the arrow crosses, its ends and heads.
	for _, lx := range laneX {
		if lx > lo && lx < hi && !heads[lx] && lx != src {
			screen.Put(lx, y, "┼", look(st))
		}
	}
	if src == lo {
		screen.Put(src, y, "├", look(st))
	} else if src == hi {
		screen.Put(src, y, "┤", look(st))
	} else {
		screen.Put(src, y, "┼", look(st))
	}
	for hx := range heads {
		if hx > src {
			screen.Put(hx-1, y, "▶", look(st))
			screen.Put(hx, y, "┤", look(st))
		} else {
			screen.Put(hx+1, y, "◀", look(st))
			screen.Put(hx, y, "├", look(st))
		}
	}
	// The label goes between two lane lines the arrow spans — next to
	// the sender if it fits whole there, else in the widest gap — and is
	// cut with "…" (w: over the whole arrow; the details show it whole).
	var lines []int
	for _, lx := range laneX {
		if lx >= lo && lx <= hi {
			lines = append(lines, lx)
		}
	}
	slices.Sort(lines)
	gapL, gapR := lines[0], lines[1]
	for i := 1; i+1 < len(lines); i++ {
		if lines[i+1]-lines[i] > gapR-gapL {
			gapL, gapR = lines[i], lines[i+1]
		}
	}
	need := textcol.Width(r.Text) + 7
	for i := 0; i+1 < len(lines); i++ {
		if (lines[i] == src || lines[i+1] == src) && lines[i+1]-lines[i] >= need {
			gapL, gapR = lines[i], lines[i+1]
		}
	}
	if v.wide {
		gapL, gapR = lo, hi
	}
	room := gapR - gapL - 5 // two dashes and the head each side, and spaces
	label := " " + textcol.Truncate(r.Text, room) + " "
	if room >= 3 {
		lx := gapL + 2 + max((gapR-gapL-3-textcol.Width(label))/2, 0)
		widgets.PrintCells(screen, lx, y, gapR-1, label, look(st.Bold(true)))
	}
	// The states it changed: beside the arrow, between the lane lines
	// (right of it, else left of it, wherever it fits; cut with "…").
	if r.Note == "" {
		return
	}
	rx, rend := hi+2, v.lineRight(hi, maxX-1)-1
	lend := lo - 1
	lx0 := v.lineLeft(lo, x) + 2
	if v.wide {
		rend = maxX - 1
	}
	nw := textcol.Width(r.Note)
	switch {
	case rend-rx >= nw || rend-rx >= lend-lx0:
		if rend-rx >= 4 {
			widgets.PrintFit(screen, rx, y, rend, r.Note, look(demoStyleState))
		}
	case lend-lx0 >= 4:
		text := textcol.Truncate(r.Note, lend-lx0)
		widgets.PrintCells(screen, lend-textcol.Width(text), y, lend, text, look(demoStyleState))
	}
}

// demoCallLabel is the call's label in at most width columns: the
// arguments are cut first, so that the result and the error stay.
func demoCallLabel(c *sockcall.Call, width int) string {
	full := string(sockcall.AppendCallLabel(nil, c))
	if textcol.Width(full) <= width {
		return full
	}
	short := *c
	short.Args = ""
	short.Len = 0
	bare := string(sockcall.AppendCallLabel(nil, &short)) // "sendto() = -1 EACCES"
	room := width - textcol.Width(bare)
	if room < 2 || c.Args == "" {
		return textcol.Truncate(full, width)
	}
	short.Args = textcol.Truncate(c.Args, room)
	return string(sockcall.AppendCallLabel(nil, &short))
}

// demoAppendQueues appends what the kernel said right after the call:
// "Send-Q 0 Recv-Q 16  ESTAB".
func demoAppendQueues(b []byte, c *sockcall.Call) []byte {
	q := func(n int) string {
		if n < 0 {
			return "–"
		}
		return strconv.Itoa(n)
	}
	b = fmt.Appendf(b, "Send-Q %s Recv-Q %s", q(c.SendQ), q(c.RecvQ))
	if c.TCP != nil && c.TCP.State != "" {
		b = append(b, ' ', ' ')
		b = append(b, c.TCP.State...) // as ss names it
	}
	return b
}

// demoSafeString makes bytes printable text: invalid UTF-8 becomes U+FFFD
// (widgets.PrintCells turns control characters into escapes).
func demoSafeString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// drawCalls draws the call list: each call with what the kernel said
// right after it and where its bytes went.
func (v *View) drawCalls(screen tcell.Screen, x, y, w, h, end, cur int, lcalls map[int]bool) {
	maxX := x + w
	tl := v.tl
	v.drawRule(screen, x, y, w, demoPanes[demoPaneCalls].title.In(v.zh), v.focus == demoPaneCalls, demoPanes[demoPaneCalls].note.In(v.zh))
	y++
	h--
	rows := v.selectable(demoPaneCalls)
	// Scroll: keep the cursor's call in view (or, on another row, the
	// call before it), else show the newest.
	at := -1
	for k, i := range rows {
		if cur >= 0 && i <= cur {
			at = k
		}
	}
	if cur >= 0 && at < 0 && len(rows) > 0 {
		at = 0
	}
	top := v.scrollLines(demoPaneCalls, at, 1, len(rows), h)
	v.geo.rowsY[demoPaneCalls], v.geo.rowsH[demoPaneCalls] = y, h
	// The endpoint column fits the longest lane name (a traced program's
	// "python3 server.py [412]" is longer than a lesson's "handler-3"),
	// within reason; longer names are cut.
	epW := 11
	for _, l := range tl.Lanes {
		epW = max(epW, textcol.Width(l)+1)
	}
	epW = min(epW, max(12, w/5))
	// The label column fits the longest call whole when the kernel's
	// figures still fit after it ("#12  handler-1  " before, about 30
	// columns of Send-Q, Recv-Q and state after); a longer one ends in "…"
	// and the details show it whole.
	widest := 0
	for _, i := range rows {
		if c := tl.Run.Call(tl.Rows[i].Num); c != nil {
			lw := textcol.Width(string(sockcall.AppendCallLabel(nil, c)))
			if tl.Rows[i].Inner {
				lw += 2
			}
			widest = max(widest, lw)
		}
	}
	labelW := max(12, min(widest, max(20, w-7-epW-2-30), 64))
	for k := 0; k < h; k++ {
		if top+k >= len(rows) {
			v.geo.shown[demoPaneCalls] = append(v.geo.shown[demoPaneCalls], -1)
			continue
		}
		i := rows[top+k]
		v.geo.shown[demoPaneCalls] = append(v.geo.shown[demoPaneCalls], i)
		r := &tl.Rows[i]
		c := tl.Run.Call(r.Num)
		if c == nil {
			continue
		}
		base := demoStyleDefault
		switch {
		case i == cur:
			base = base.Reverse(true)
		case lcalls[c.Number]:
			base = base.Background(demoLinkedBG)
		}
		if i == cur || lcalls[c.Number] {
			widgets.FillCells(screen, x, y+k, maxX, ' ', base)
		}
		cx := widgets.PrintCells(screen, x, y+k, maxX, fmt.Sprintf("%5s  ", "#"+strconv.Itoa(c.Number)), base.Foreground(tcell.ColorGray))
		cx = widgets.PrintCells(screen, cx, y+k, maxX, textcol.Pad(shortLane(c.Endpoint, epW-1), epW), base.Foreground(demoLaneColors[max(r.Lane, 0)%len(demoLaneColors)]))
		st := base
		if c.Errno != "" {
			st = base.Foreground(tcell.ColorRed).Bold(true)
		}
		label := demoCallLabel(c, labelW)
		if r.Inner {
			label = "└ " + demoCallLabel(c, labelW-2)
		}
		cx = widgets.PrintCells(screen, cx, y+k, maxX, textcol.Pad(label, labelW), st)
		cx = widgets.PrintFit(screen, cx+2, y+k, maxX-1, string(demoAppendQueues(nil, c)), base)
		if links := sockcall.AppendCallLinks(nil, c, tl.Run.Links.Call(c.Number), v.zh); len(links) > 0 && maxX-1-(cx+2) >= 4 {
			widgets.PrintFit(screen, cx+2, y+k, maxX-1, "→ "+string(links), base.Foreground(tcell.ColorSilver))
		}
	}
}

// drawHelp draws the key table's help over the view in a box with its
// whole border, nothing of the view showing beside or under it; a help
// longer than the box scrolls (↑ ↓) and says so on its bottom border.
func (v *View) drawHelp(screen tcell.Screen, x, y, w, h int) {
	bw := min(w, 84)
	if bw < 6 || h < 4 {
		return
	}
	box := demoStyleDefault.Background(tcell.ColorNavy).Foreground(tcell.ColorWhite)
	key := box.Bold(true).Foreground(tcell.ColorYellow)
	lines := v.keys.HelpLines(v.zh, bw-4, key, box, key)[2:] // the title goes on the border
	bh := min(h, len(lines)+3)
	bx, by := x+(w-bw)/2, y+(h-bh)/2
	for yy := by; yy < by+bh; yy++ {
		// A wide character of the view straddling the border would
		// cover it.
		widgets.ClearWideBefore(screen, bx, yy)
		widgets.FillCells(screen, bx, yy, bx+bw, ' ', box)
		screen.SetContent(bx, yy, '│', nil, box)
		screen.SetContent(bx+bw-1, yy, '│', nil, box)
	}
	widgets.FillCells(screen, bx+1, by, bx+bw-1, '─', box)
	widgets.FillCells(screen, bx+1, by+bh-1, bx+bw-1, '─', box)
	screen.SetContent(bx, by, '┌', nil, box)
	screen.SetContent(bx+bw-1, by, '┐', nil, box)
	screen.SetContent(bx, by+bh-1, '└', nil, box)
	screen.SetContent(bx+bw-1, by+bh-1, '┘', nil, box)
	widgets.PrintCells(screen, bx+2, by, bx+bw-1, v.tr(" Keys ", " 按键 "), key)
	rows := bh - 3 // the borders and the closing line
	v.helpTop = max(0, min(v.helpTop, len(lines)-rows))
	for k := 0; k < rows && v.helpTop+k < len(lines); k++ {
		l := lines[v.helpTop+k]
		cx := widgets.PrintCells(screen, bx+2, by+1+k, bx+bw-1, l.Text[:l.Key], key)
		widgets.PrintCells(screen, cx, by+1+k, bx+bw-1, l.Text[l.Key:], box)
	}
	closing := v.tr("any other key closes this help", "按其他任意键关闭")
	if len(lines) > rows {
		closing = v.tr("↑ ↓ more · ", "↑ ↓ 更多 · ") + closing
	}
	widgets.PrintCells(screen, bx+2, by+bh-2, bx+bw-1, closing, box.Foreground(tcell.ColorSilver))
}

// shortLane cuts a lane name to width, keeping a traced program's
// " [pid]" (or " [pid] thread tid") at its end: "python3 echo_se… [412]".
func shortLane(name string, width int) string {
	if textcol.Width(name) <= width {
		return name
	}
	if i := strings.LastIndex(name, " ["); i > 0 {
		tail := name[i:]
		if w := width - textcol.Width(tail); w >= 6 {
			return textcol.Truncate(name[:i], w) + tail
		}
	}
	return textcol.Truncate(name, width)
}

package ui

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gdamore/tcell/v2"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/internal/textcol"
)

// The demo view's screen, top to bottom:
//
//	header     demo name and title; step n/N and playing / paused / finished
//	step       the shown step's title and its explanation, wrapped
//	ladder     lane headers (each endpoint's sockets: fd, address, TCP
//	           state, Send-Q and Recv-Q gauges at the cursor's moment),
//	           then one row per step rule, call and packet
//	details    the cursor's call or packet in full, with its links
//	calls      the calls with what the kernel said right after each
//	keys       the key line
//
// Everything is printed cell by cell (printCells): no tview tags.

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

// Draw draws the view.
func (v *DemoView) Draw(screen tcell.Screen) {
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

func (v *DemoView) tr(en, zh string) string {
	if v.zh {
		return zh
	}
	return en
}

// stepText returns the shown step's heading and explanation (before the
// first step: the demo's title and summary).
func (v *DemoView) stepText() (head, explain string) {
	d := v.demo
	if v.viewStep < 1 || v.viewStep > len(d.Steps) {
		title, summary := d.Title, d.Summary
		if v.zh {
			title, summary = d.TitleZH, d.SummaryZH
		}
		return title, summary
	}
	s := d.Steps[v.viewStep-1]
	title, explain := s.Title, s.Explain
	if v.zh && s.TitleZH != "" {
		title, explain = s.TitleZH, s.ExplainZH
	}
	return fmt.Sprintf("%d/%d  %s", v.viewStep, len(d.Steps), title), explain
}

func (v *DemoView) draw(screen tcell.Screen, x, y, w, h int) {
	maxX := x + w
	x0, y0 := x, y
	lad := v.lad
	v.geo = demoGeometry{}

	// Heights.
	head, explain := v.stepText()
	explLines := textcol.Wrap(explain, w-4)
	socks := min(max(lad.maxSocks, 1), 3)
	laneHead := 1 + 2*socks
	callsH, detailsH := 0, 0
	if h >= 30 { // below that the ladder needs the room
		callsH = min(12, max(5, h/5))
	}
	if h >= 16 {
		detailsH = 2
	}
	explH := min(len(explLines), max(1, h/8))
	rowsH := func() int { return h - 1 - 1 - 1 - explH - 1 - laneHead - detailsH - callsH }
	for rowsH() < 4 && explH > 1 {
		explH--
	}
	if rowsH() < 3 {
		callsH = 0
	}
	if callsH == 0 {
		v.focus = demoPaneLadder
	}
	if rowsH() < 3 {
		detailsH = 0
	}
	for rowsH() < 2 && laneHead > 1 {
		laneHead--
	}
	if rowsH() < 1 {
		explH = 0
	}

	bottom := y + h
	v.drawHeader(screen, x, y, w)
	y++
	v.drawKeys(screen, x, bottom-1, w)
	bottom--

	// The step.
	printCells(screen, x+1, y, maxX, head, demoStyleTitle)
	if !v.following() {
		printCells(screen, x+2+textcol.Width(head), y, maxX, v.tr(fmt.Sprintf("  (looking back: the demo is at step %d; n goes forward)", v.entered),
			fmt.Sprintf("（回看：演示已到第 %d 步；按 n 向后）", v.entered)), demoStyleDim)
	}
	y++
	for i := 0; i < explH; i++ {
		line := explLines[i]
		if i == explH-1 && explH < len(explLines) {
			line = textcol.Truncate(line+" …", w-4)
		}
		printCells(screen, x+2, y, maxX, line, demoStyleDefault)
		y++
	}

	// The ladder.
	ladderTitle := v.tr(" Ladder ", " 梯形图 ")
	v.drawRule(screen, x, y, w, ladderTitle, v.focus == demoPaneLadder,
		v.tr(fmt.Sprintf(" %d calls · %d packets ", len(v.data.calls), len(v.data.packets)),
			fmt.Sprintf(" %d 次调用 · %d 个数据包 ", len(v.data.calls), len(v.data.packets))))
	y++
	laneX := v.laneXs(x, w)
	end := v.visibleEnd()
	cur := v.rowOf(v.cursor)
	moment := cur
	if moment < 0 || moment >= end {
		moment = end - 1
	}
	v.drawLaneHeads(screen, laneX, y, maxX, laneHead, moment)
	y += laneHead

	rowsY := y
	nRows := max(bottom-callsH-detailsH-rowsY, 0)
	if lad.unixOnly && nRows > 4 {
		note := v.tr("AF_UNIX: no packets. The bytes go from one socket's buffer straight into the other's inside the kernel; no network interface is involved, so the capture on lo sees nothing — there are only the calls and the buffers.",
			"AF_UNIX：没有数据包。字节在内核里从一个套接字的缓冲区直接进入另一个的缓冲区，不经过任何网卡，所以 lo 上的抓包什么也看不到——只有调用和缓冲区。")
		lines := textcol.Wrap(note, w-4)
		lines = lines[:min(len(lines), 3)]
		for _, l := range lines {
			printCells(screen, x+2, rowsY, maxX, l, demoStyleNote)
			rowsY++
			nRows--
		}
	}
	anchor := v.cursor
	if v.pin.kind != 0 {
		anchor = v.pin
	}
	lcalls, lframes := lad.linked(anchor.kind, anchor.num)
	top := v.scroll(demoPaneLadder, cur, end, nRows)
	v.geo.rowsY[demoPaneLadder], v.geo.rowsH[demoPaneLadder] = rowsY, nRows
	for k := 0; k < nRows; k++ {
		i := top + k
		if i >= end {
			v.geo.shown[demoPaneLadder] = append(v.geo.shown[demoPaneLadder], -1)
			continue
		}
		v.geo.shown[demoPaneLadder] = append(v.geo.shown[demoPaneLadder], i)
		r := &lad.rows[i]
		linked := r.kind == demoRowCall && lcalls[r.num] || r.kind == demoRowPacket && lframes[r.num]
		v.drawRow(screen, r, x, rowsY+k, maxX, laneX, i == cur, linked, anchor.kind == r.kind && anchor.num == r.num && v.pin.kind != 0)
	}
	y = rowsY + nRows

	// Details of the cursor's row.
	if detailsH > 0 {
		v.drawDetails(screen, x, y, maxX, cur)
		y += detailsH
	}
	// The call list.
	if callsH > 0 {
		v.drawCalls(screen, x, y, w, callsH, end, cur, lcalls)
	}
	if v.help {
		v.drawHelp(screen, x0, y0, w, h)
	}
}

// scroll returns the first row a pane shows: the cursor's row stays in
// view; with no cursor the newest rows are shown.
func (v *DemoView) scroll(pane, cur, end, height int) int {
	top := v.tops[pane]
	switch {
	case height <= 0:
		return 0
	case cur < 0:
		top = end - height
	case cur < top:
		top = cur
	case cur >= top+height:
		top = cur - height + 1
	}
	top = max(0, min(top, end-height))
	v.tops[pane] = top
	return top
}

// laneXs places the lanes: each has an equal column, its line at the
// column's second cell; calls are written to the right of the line.
func (v *DemoView) laneXs(x, w int) []int {
	n := max(len(v.lad.lanes), 1)
	colW := max((w-demoGutter)/n, 1)
	xs := make([]int, len(v.lad.lanes))
	for i := range xs {
		xs[i] = x + demoGutter + i*colW + 1
	}
	return xs
}

func demoLaneEnd(laneX []int, i, maxX int) int {
	if i+1 < len(laneX) {
		return laneX[i+1] - 1
	}
	return maxX
}

func (v *DemoView) drawHeader(screen tcell.Screen, x, y, w int) {
	maxX := x + w
	fillCells(screen, x, y, maxX, ' ', demoStyleBar)
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
	printCells(screen, x+1, y, sx-1, "sockscope · "+v.demo.Name+" — "+title, demoStyleBar.Bold(true))
	printCells(screen, sx, y, maxX, status, st)
}

func (v *DemoView) drawKeys(screen tcell.Screen, x, y, w int) {
	keys := [][2]string{{"n", "next"}, {"p", "previous"}, {"space", "pause"}, {"j/k", "move"}, {"Enter", "select"}, {"Tab", "pane"}, {"?", "help"}, {"q", "quit"}}
	if v.zh {
		keys = [][2]string{{"n", "下一步"}, {"p", "上一步"}, {"空格", "暂停"}, {"j/k", "移动"}, {"回车", "选中"}, {"Tab", "切换"}, {"?", "帮助"}, {"q", "退出"}}
	}
	maxX := x + w
	fillCells(screen, x, y, maxX, ' ', demoStyleBar)
	cx := x + 1
	for _, k := range keys {
		cx = printCells(screen, cx, y, maxX, k[0], demoStyleBar.Bold(true).Foreground(tcell.ColorYellow))
		cx = printCells(screen, cx, y, maxX, " "+k[1]+"  ", demoStyleBar)
	}
	v.inMu.Lock()
	dropped := v.dropped
	v.inMu.Unlock()
	if dropped > 0 {
		printCells(screen, cx, y, maxX, fmt.Sprintf("(%d events dropped)", dropped), demoStyleBar.Foreground(tcell.ColorRed))
	}
}

// drawRule draws a pane's title rule.
func (v *DemoView) drawRule(screen tcell.Screen, x, y, w int, title string, focused bool, right string) {
	maxX := x + w
	fillCells(screen, x, y, maxX, '─', demoStyleDim)
	st := demoStyleDim
	if focused {
		st = demoStyleTitle
	}
	cx := printCells(screen, x+1, y, maxX, title, st)
	if right != "" && cx+textcol.Width(right)+2 < maxX {
		printCells(screen, maxX-textcol.Width(right)-1, y, maxX, right, demoStyleDim)
	}
}

// drawLaneHeads draws each lane's name and its sockets at the moment of
// row moment: fd, address, TCP state, and the Send-Q and Recv-Q gauges.
func (v *DemoView) drawLaneHeads(screen tcell.Screen, laneX []int, y, maxX, height, moment int) {
	lad := v.lad
	var socks []demoSock
	if moment >= 0 && moment < len(lad.rows) {
		socks = lad.rows[moment].socks
	}
	for i, name := range lad.lanes {
		lx, lend := laneX[i], demoLaneEnd(laneX, i, maxX)
		printCells(screen, lx, y, lend, name, demoLaneStyle(i).Bold(true))
		var mine []demoSock
		for _, s := range socks {
			if s.lane == i {
				mine = append(mine, s)
			}
		}
		room := (height - 1) / 2
		if len(mine) > room && room > 0 {
			printCells(screen, lx+textcol.Width(name)+1, y, lend, v.tr(fmt.Sprintf("(+%d more)", len(mine)-room), fmt.Sprintf("（另有 %d 个）", len(mine)-room)), demoStyleDim)
			mine = mine[len(mine)-room:]
		}
		for k, s := range mine {
			ly := y + 1 + 2*k
			cx := printCells(screen, lx, ly, lend, demoSockLabel(&s, v.zh), demoStyleDefault)
			if s.state != "" {
				printCells(screen, cx+1, ly, lend, s.state, demoStyleState)
			}
			if ly+1 < y+height {
				demoDrawGauges(screen, lx, ly+1, lend, &s, lad, demoLaneStyle(i))
			}
		}
	}
}

// demoDrawGauges draws "Send-Q ▕███   ▏ 5  Recv-Q ▕     ▏ 0".
func demoDrawGauges(screen tcell.Screen, x, y, maxX int, s *demoSock, lad *demoLadder, color tcell.Style) {
	sendScale, recvScale := lad.sendScale, lad.recvScale
	if s.listener { // the backlog is the scale of both
		sendScale, recvScale = max(s.sendQ, 1), max(s.sendQ, 1)
	}
	avail := maxX - x - 1
	const numW = 5
	barW := min((avail-2*(len("Send-Q ")+2+1+numW)-2)/2, 24)
	for k, g := range []struct {
		label        string
		value, scale int
	}{{"Send-Q", s.sendQ, sendScale}, {"Recv-Q", s.recvQ, recvScale}} {
		if k > 0 {
			x = printCells(screen, x, y, maxX, "  ", demoStyleDefault)
		}
		x = printCells(screen, x, y, maxX, g.label+" ", demoStyleDim)
		if barW >= 3 {
			x = printCells(screen, x, y, maxX, "▕", demoStyleDim)
			x = demoDrawBar(screen, x, y, maxX, barW, g.value, g.scale, color)
			x = printCells(screen, x, y, maxX, "▏", demoStyleDim)
		}
		num := "–"
		if g.value >= 0 {
			num = strconv.Itoa(g.value)
		}
		x = printCells(screen, x, y, maxX, textcol.Pad(num, numW), demoStyleBold)
	}
}

// demoDrawBar draws value/scale as a bar of width cells, in eighths.
func demoDrawBar(screen tcell.Screen, x, y, maxX, width, value, scale int, color tcell.Style) int {
	eighths := 0
	if value > 0 && scale > 0 {
		eighths = max(1, min(width*8, value*width*8/scale))
	}
	partial := []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}
	for i := 0; i < width && x < maxX; i++ {
		switch n := eighths - 8*i; {
		case n >= 8:
			screen.Put(x, y, "█", color)
		case n > 0:
			screen.Put(x, y, partial[n], color)
		default:
			screen.Put(x, y, "·", demoStyleDim)
		}
		x++
	}
	return x
}

// drawRow draws one ladder row.
func (v *DemoView) drawRow(screen tcell.Screen, r *demoRow, x, y, maxX int, laneX []int, cursor, linked, pinned bool) {
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
		fillCells(screen, x, y, maxX, ' ', look(demoStyleDefault))
	}
	if r.kind == demoRowStep {
		st := demoStyleDim
		if r.num == v.viewStep {
			st = demoStyleTitle
		}
		fillCells(screen, x, y, maxX, '─', look(demoStyleDim))
		printCells(screen, x+2, y, maxX, fmt.Sprintf(" %d/%d %s ", r.num, len(v.demo.Steps), r.text), look(st))
		return
	}
	// Gutter: #call or [frame]; ▶ marks the pinned selection.
	g := "#" + strconv.Itoa(r.num)
	if r.kind == demoRowPacket {
		g = "[" + strconv.Itoa(r.num) + "]"
	}
	if pinned {
		printCells(screen, x, y, maxX, "▶", look(demoStyleTitle))
	}
	printCells(screen, x+max(demoGutter-1-len(g), 1), y, maxX, g, look(demoStyleDim))
	for i, lx := range laneX {
		screen.Put(lx, y, "│", look(demoLaneStyle(i).Dim(true)))
	}
	switch r.kind {
	case demoRowCall:
		if r.lane < 0 || r.lane >= len(laneX) {
			printCells(screen, x+demoGutter, y, maxX, r.text, look(demoStyleDefault))
			return
		}
		lx := laneX[r.lane]
		screen.Put(lx, y, "●", look(demoLaneStyle(r.lane).Bold(true)))
		st := demoStyleDefault
		if r.fail {
			st = demoStyleError
		}
		// Beside the lane, to the right; where that is too narrow (the
		// last lane) and the left has more room, to the left. A label
		// cut short keeps its result: "sendto("…) = -1 EACCES".
		c := &v.data.calls[r.index]
		text := r.text
		if r.note != "" {
			text += "  → " + r.note
		}
		right, left := maxX-lx-2, lx-(x+demoGutter)-1
		if textcol.Width(text) > right && left > right {
			label := demoCallLabel(c, left)
			printCells(screen, lx-1-textcol.Width(label), y, lx-1, label, look(st))
			return
		}
		cx := printCells(screen, lx+2, y, maxX, demoCallLabel(c, right), look(st))
		if r.note != "" {
			printCells(screen, cx+2, y, maxX, "→ "+r.note, look(demoStyleState))
		}
	case demoRowPacket:
		v.drawArrow(screen, r, x, y, maxX, laneX, look)
	}
}

// drawArrow draws a packet: an arrow from the sender's lane to each
// receiver's (a broadcast fans out, with a head at every receiver),
// labelled in its widest gap; states that changed are noted after it.
func (v *DemoView) drawArrow(screen tcell.Screen, r *demoRow, x, y, maxX int, laneX []int, look func(tcell.Style) tcell.Style) {
	st := demoStyleData
	switch {
	case r.expert:
		st = demoStyleExpert
	case r.control:
		st = demoStyleControl
	case r.pureAck:
		st = demoStyleAck
	case r.kind == demoRowPacket && r.broadcast || strings.HasPrefix(r.text, "UDP"):
		st = demoStyleDgram
	}
	valid := r.lane >= 0 && r.lane < len(laneX) && len(r.to) > 0
	for _, t := range r.to {
		valid = valid && t >= 0 && t < len(laneX)
	}
	if !valid {
		printCells(screen, x+demoGutter, y, maxX, r.text, look(st))
		return
	}
	src := laneX[r.lane]
	points := []int{src}
	heads := map[int]bool{}
	for _, t := range r.to {
		points = append(points, laneX[t])
		heads[laneX[t]] = true
	}
	lo, hi := src, src
	for _, p := range points {
		lo, hi = min(lo, p), max(hi, p)
	}
	if lo == hi {
		printCells(screen, x+demoGutter, y, maxX, r.text, look(st))
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
	// The label, in the widest gap between points.
	sorted := append([]int(nil), points...)
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && sorted[j] < sorted[j-1]; j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	// The label goes in the widest gap between points — or, if as good,
	// the gap next to the sender, where the packet starts.
	gapL, gapR := sorted[0], sorted[1]
	for i := 1; i+1 < len(sorted); i++ {
		if sorted[i+1]-sorted[i] > gapR-gapL {
			gapL, gapR = sorted[i], sorted[i+1]
		}
	}
	need := textcol.Width(r.text) + 7
	for i := 0; i+1 < len(sorted); i++ {
		if (sorted[i] == src || sorted[i+1] == src) && sorted[i+1]-sorted[i] >= min(need, gapR-gapL) {
			gapL, gapR = sorted[i], sorted[i+1]
		}
	}
	room := gapR - gapL - 5 // two dashes and the head each side, and spaces
	label := " " + textcol.Truncate(r.text, room) + " "
	if room >= 3 {
		lx := gapL + 2 + max((gapR-gapL-3-textcol.Width(label))/2, 0)
		printCells(screen, lx, y, gapR-1, label, look(st.Bold(true)))
	}
	if r.note != "" && hi+3 < maxX {
		printCells(screen, hi+3, y, maxX, r.note, look(demoStyleState))
	}
}

// drawDetails writes the cursor's call or packet in full, with its links.
func (v *DemoView) drawDetails(screen tcell.Screen, x, y, maxX, cur int) {
	lad := v.lad
	if cur < 0 {
		printCells(screen, x+1, y, maxX, v.tr("j/k: move the cursor · Enter: select — a call lights up the packets that carried its bytes and the calls at the other end; a packet lights up its calls",
			"j/k：移动光标 · 回车：选中——调用会点亮承载其字节的数据包和对端的调用；数据包会点亮它的调用"), demoStyleDim)
		return
	}
	r := &lad.rows[cur]
	var line, second []byte
	switch r.kind {
	case demoRowCall:
		c := &v.data.calls[r.index]
		line = fmt.Appendf(line, "#%d %s fd %d  ", c.Number, c.Endpoint, c.FD)
		line = sockcall.AppendCallLabel(line, c)
		line = demoAppendQueues(line, c)
		if links := sockcall.AppendCallLinks(nil, c, lad.links.Call(c.Number)); len(links) > 0 {
			line = append(line, "  → "...)
			line = append(line, links...)
		}
		if len(c.Data) > 0 {
			second = append(second, v.tr("data: ", "数据：")...)
			second = append(second, demoQuote(c.Data, 96)...)
		}
	case demoRowPacket:
		p := &v.data.packets[r.index]
		line = fmt.Appendf(line, "[%d] ", p.Number)
		if r.lane >= 0 && len(r.to) > 0 {
			line = append(line, lad.lanes[r.lane]...)
			line = append(line, " → "...)
			for k, t := range r.to {
				if k > 0 {
					line = append(line, ", "...)
				}
				line = append(line, lad.lanes[t]...)
			}
			line = append(line, "  "...)
		}
		line = decode.AppendSummary(line, p)
		line = decode.AppendAnalysisMarkers(line, p)
		if calls := lad.links.FrameCalls(p.Number); len(calls) > 0 {
			line = append(line, "  ← "...)
			for k, n := range calls {
				if k > 0 {
					line = append(line, ", "...)
				}
				line = fmt.Appendf(line, "#%d", n)
				if n >= 1 && n <= len(v.data.calls) {
					line = append(line, ' ')
					line = append(line, v.data.calls[n-1].Op...)
				}
			}
		}
		if pv := v.data.previews[r.index]; pv != "" {
			second = append(second, v.tr("payload: ", "载荷：")...)
			second = append(second, pv...)
		}
	}
	printCells(screen, x+1, y, maxX, demoSafeString(line), demoStyleDefault)
	printCells(screen, x+1, y+1, maxX, demoSafeString(second), demoStyleDim)
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

// demoAppendQueues appends what the kernel said right after the call.
func demoAppendQueues(b []byte, c *sockcall.Call) []byte {
	q := func(n int) string {
		if n < 0 {
			return "–"
		}
		return strconv.Itoa(n)
	}
	b = fmt.Appendf(b, "  Send-Q %s Recv-Q %s", q(c.SendQ), q(c.RecvQ))
	if c.TCP != nil {
		b = append(b, ' ', ' ')
		b = append(b, demoKernelState(c.TCP.State)...)
	}
	return b
}

// demoSafeString makes bytes printable text: invalid UTF-8 becomes U+FFFD
// (printCells turns control characters into dots).
func demoSafeString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// drawCalls draws the call list: each call with what the kernel said
// right after it and where its bytes went.
func (v *DemoView) drawCalls(screen tcell.Screen, x, y, w, h, end, cur int, lcalls map[int]bool) {
	maxX := x + w
	lad := v.lad
	v.drawRule(screen, x, y, w, v.tr(" Calls ", " 调用 "), v.focus == demoPaneCalls,
		v.tr(" Send-Q, Recv-Q and state as the kernel reported them right after each call ", " Send-Q、Recv-Q 和状态：每次调用刚返回时内核报告的值 "))
	y++
	h--
	var rows []int
	for _, i := range lad.callRows {
		if i < end {
			rows = append(rows, i)
		}
	}
	// Scroll: keep the cursor's call in view, else show the newest.
	at := -1
	for k, i := range rows {
		if i == cur {
			at = k
		}
	}
	top := v.scroll(demoPaneCalls, at, len(rows), h)
	v.geo.rowsY[demoPaneCalls], v.geo.rowsH[demoPaneCalls] = y, h
	labelW := min(max(w/4, 20), 44)
	for k := 0; k < h; k++ {
		if top+k >= len(rows) {
			v.geo.shown[demoPaneCalls] = append(v.geo.shown[demoPaneCalls], -1)
			continue
		}
		i := rows[top+k]
		v.geo.shown[demoPaneCalls] = append(v.geo.shown[demoPaneCalls], i)
		r := &lad.rows[i]
		c := &v.data.calls[r.index]
		base := demoStyleDefault
		switch {
		case i == cur:
			base = base.Reverse(true)
		case lcalls[c.Number]:
			base = base.Background(demoLinkedBG)
		}
		if i == cur || lcalls[c.Number] {
			fillCells(screen, x, y+k, maxX, ' ', base)
		}
		var b []byte
		b = fmt.Appendf(b, "%5s  ", "#"+strconv.Itoa(c.Number))
		cx := printCells(screen, x, y+k, maxX, string(b), base.Foreground(tcell.ColorGray))
		cx = printCells(screen, cx, y+k, maxX, textcol.Pad(c.Endpoint, 11), base.Foreground(demoLaneColors[max(r.lane, 0)%len(demoLaneColors)]))
		st := base
		if c.Errno != "" {
			st = base.Foreground(tcell.ColorRed).Bold(true)
		}
		cx = printCells(screen, cx, y+k, maxX, textcol.Pad(demoCallLabel(c, labelW), labelW), st)
		cx = printCells(screen, cx, y+k, maxX, string(demoAppendQueues(nil, c)), base)
		if links := sockcall.AppendCallLinks(nil, c, lad.links.Call(c.Number)); len(links) > 0 {
			printCells(screen, cx+2, y+k, maxX, "→ "+string(links), base.Foreground(tcell.ColorSilver))
		}
	}
}

// drawHelp draws the key list over the view.
func (v *DemoView) drawHelp(screen tcell.Screen, x, y, w, h int) {
	keys := DemoKeys(v.opts.Lang)
	bw := min(w-2, 80)
	bh := min(h-2, len(keys)+4)
	bx, by := x+(w-bw)/2, y+(h-bh)/2
	box := demoStyleDefault.Background(tcell.ColorNavy).Foreground(tcell.ColorWhite)
	for yy := by; yy < by+bh; yy++ {
		fillCells(screen, bx, yy, bx+bw, ' ', box)
	}
	fillCells(screen, bx, by, bx+bw, '─', box)
	fillCells(screen, bx, by+bh-1, bx+bw, '─', box)
	printCells(screen, bx+2, by, bx+bw, v.tr(" Keys ", " 按键 "), box.Bold(true).Foreground(tcell.ColorYellow))
	for k, kv := range keys {
		if 2+k >= bh-1 {
			break
		}
		printCells(screen, bx+3, by+1+k, bx+bw, kv[0], box.Bold(true).Foreground(tcell.ColorYellow))
		printCells(screen, bx+14, by+1+k, bx+bw-1, kv[1], box)
	}
	printCells(screen, bx+3, by+bh-2, bx+bw-1, v.tr("any key closes this help", "按任意键关闭"), box.Foreground(tcell.ColorSilver))
}

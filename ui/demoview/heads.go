package demoview

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gdamore/tcell/v2"

	"github.com/sockscope/sockscope/demos/timeline"
	"github.com/sockscope/sockscope/internal/textcol"
	"github.com/sockscope/sockscope/ui/widgets"
)

// The lane heads: each endpoint's name and its sockets as they are at the
// cursor's row (Row.Socks), each socket on up to four lines:
//
//	fd 9 127.0.0.1:7001 ESTAB  model
//	Send-Q 0 B / 2626560 B  [························] ✓ kernel
//	Recv-Q 5 B / 131072 B   [▏·······················] win 65483  "hello"
//	Send-Q ▁▁▁▁▁▁▁▁ peak 0 B   Recv-Q ▁▁▁▂▅█▁▁ peak 16 B
//
// The bars are the model's queues in bytes, their full width the buffer's
// size (SO_SNDBUF, SO_RCVBUF; the largest value seen when the size is not
// known, and the figures say so); a queue that is not empty always shows
// at least an eighth of a cell. The last line is each queue over the rows
// shown, scaled to its peak, with the cursor's row reversed and the rows
// after it dim.

// demoSparks are the sparkline's levels, lowest first.
var demoSparks = []string{"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}

// drawLaneHeads draws each lane's name and its sockets at row moment;
// the strips cover rows [0, end).
func (v *View) drawLaneHeads(screen tcell.Screen, laneX []int, y, maxX int, l demoLayout, moment, end int) {
	tl := v.tl
	if l.laneHead <= 0 {
		return
	}
	var socks []timeline.Sock
	if moment >= 0 && moment < len(tl.Rows) {
		socks = tl.Rows[moment].Socks
	}
	for i := range tl.Lanes {
		lx, lend := laneX[i], v.laneEnd[i]
		cx := widgets.PrintFit(screen, lx, y, lend, v.laneName(i), demoLaneStyle(i).Bold(true))
		if l.perSock == 0 || l.socks == 0 {
			continue
		}
		var mine []*timeline.Sock
		for k := range socks {
			if socks[k].Lane == i {
				mine = append(mine, &socks[k])
			}
		}
		if len(mine) > l.socks {
			widgets.PrintFit(screen, cx+1, y, lend, v.tr(fmt.Sprintf("(+%d more)", len(mine)-l.socks), fmt.Sprintf("（另有 %d 个）", len(mine)-l.socks)), demoStyleDim)
			mine = mine[len(mine)-l.socks:]
		}
		for k, s := range mine {
			v.drawSock(screen, lx, y+1+k*l.perSock, lend, l.perSock, s, moment, end)
		}
	}
}

// stripsFor sets how many strips of the buffers over time each socket
// gets (v.strips: 2, the send and the receive buffer's; 1, the receive
// buffer's; 0, none) and their width for rows [0, end): one width for
// every strip, from the narrowest lane with sockets, so that a row is the
// same column in every strip.
func (v *View) stripsFor(end int) {
	laneW := 1 << 20
	for i := range v.tl.Lanes {
		if v.laneHasSocks(i) {
			laneW = min(laneW, v.laneEnd[i]-v.laneX[i])
		}
	}
	if room := (laneW - 2*demoStripLabelW - 2*v.peakWidth() - 3) / 2; room >= 4 {
		v.strips, v.stripW = 2, min(end, room)
		return
	}
	if room := laneW - demoStripLabelW - v.peakWidth() - 1; room >= 4 {
		v.strips, v.stripW = 1, min(end, room)
		return
	}
	v.strips, v.stripW = 0, 0
}

// laneHasSocks reports whether lane i has a socket at some row.
func (v *View) laneHasSocks(i int) bool {
	for r := range v.tl.Rows {
		for _, s := range v.tl.Rows[r].Socks {
			if s.Lane == i {
				return true
			}
		}
	}
	return false
}

// demoSockLabel names a socket in a lane's head: "fd 9 127.0.0.1:7001".
func demoSockLabel(s *timeline.Sock, zh bool) string {
	var b strings.Builder
	switch {
	case s.FD > 0:
		b.WriteString("fd ")
		b.WriteString(strconv.Itoa(s.FD))
	case zh:
		b.WriteString("（待 accept）")
	default:
		b.WriteString("(not accepted)")
	}
	switch {
	case s.Path != "":
		b.WriteString(" ")
		b.WriteString(filepath.Base(s.Path))
	case s.Local.IsValid():
		b.WriteString(" ")
		b.WriteString(s.Local.String())
	}
	if s.Proto == "udp" {
		b.WriteString(" UDP")
	}
	if s.Listener && s.State == "" {
		if zh {
			b.WriteString(" 监听中")
		} else {
			b.WriteString(" listening")
		}
	}
	if s.Closed {
		if zh {
			b.WriteString(" 已关闭")
		} else {
			b.WriteString(" closed")
		}
	}
	return b.String()
}

// drawSock draws one socket on per lines from (x, y), up to maxX.
func (v *View) drawSock(screen tcell.Screen, x, y, maxX, per int, s *timeline.Sock, moment, end int) {
	lane := demoLaneStyle(s.Lane)
	cx := widgets.PrintFit(screen, x, y, maxX, demoSockLabel(s, v.zh), demoStyleDefault)
	if s.State != "" {
		cx = widgets.PrintFit(screen, cx+1, y, maxX, s.State, demoStyleState) // as ss names it
	}
	send, recv := v.sockSeries(s.ID, end)
	peakSend, peakRecv := demoPeak(send), demoPeak(recv)
	hasBars := !s.Closed && (s.SendQ >= 0 || s.RecvQ >= 0)
	if hasBars {
		tag, st := v.tr("model", "模型"), demoStyleDim
		if s.FromKernel {
			tag, st = v.tr("kernel's figures", "内核的数值"), demoStyleNote
		}
		cx = widgets.PrintFit(screen, cx+2, y, maxX, tag, st)
	}
	if s.Kernel != nil && s.Kernel.Differs != "" && !v.hasCheck(s, "Send-Q") && !v.hasCheck(s, "Recv-Q") {
		widgets.PrintFit(screen, cx+2, y, maxX, v.tr("≠ kernel", "≠ 内核"), demoStyleWarn)
	}
	if per == 1 {
		if hasBars {
			widgets.PrintFit(screen, cx+2, y, maxX, v.compactQueues(s), demoStyleDim)
		}
		return
	}
	if !hasBars {
		return
	}
	// The bars.
	if s.Listener {
		fig := v.tr("accept queue ", "监听队列 ") + strconv.Itoa(max(s.RecvQ, 0))
		short := v.tr("accept ", "监听队列 ") + strconv.Itoa(max(s.RecvQ, 0))
		scale := peakRecv
		if s.SendQ > 0 {
			fig += v.tr(" / backlog ", " / backlog ") + strconv.Itoa(s.SendQ)
			short += "/" + strconv.Itoa(s.SendQ)
			scale = s.SendQ
		}
		for _, f := range []string{short, strconv.Itoa(max(s.RecvQ, 0)) + "/" + strconv.Itoa(max(s.SendQ, 0))} {
			if demoBarWidth(maxX-x-textcol.Width(fig)-2, 12) < 3 {
				fig = f // a narrow lane: the bar before the words
			}
		}
		bx := widgets.PrintFit(screen, x, y+1, maxX, fig, demoStyleBold)
		bx = v.drawBar(screen, bx+2, y+1, maxX, demoBarWidth(maxX-bx-2, 12), s.RecvQ, scale, lane)
		v.drawKernelMark(screen, bx+1, y+1, maxX, s, "Recv-Q")
	} else {
		sendFig, sendScale, sendGuess := v.figures(s.SendQ, s.SndBuf, peakSend)
		recvFig, recvScale, recvGuess := v.figures(s.RecvQ, s.RcvBuf, peakRecv)
		if s.Blocked != 0 && s.SendQ >= 0 { // a send still blocked: more may be in
			sendFig = "≥ " + sendFig
		}
		sendFig, recvFig = "Send-Q "+sendFig, "Recv-Q "+recvFig
		figW := max(textcol.Width(sendFig), textcol.Width(recvFig))
		gap := 2 // between the figure and its bar
		// Room after the bars for the kernel's mark and what follows
		// (TCP's window, UDP's datagrams and drops) while the lane has it.
		after := 0
		if v.hasCheck(s, "Send-Q") || v.hasCheck(s, "Recv-Q") {
			after += 1 + textcol.Width(v.tr("≠ kernel 123456", "≠ 内核 123456"))
		}
		switch {
		case s.Proto == "udp":
			after += 2 + textcol.Width(v.tr(fmt.Sprintf("%d datagrams", s.Datagrams), fmt.Sprintf("%d 个数据报", s.Datagrams)))
			after += 2 + textcol.Width(v.tr(fmt.Sprintf("dropped %d", s.Dropped), fmt.Sprintf("已丢弃 %d", s.Dropped)))
		case s.Window >= 0 && s.Proto == "tcp":
			after += 2 + textcol.Width("win "+strconv.Itoa(s.Window))
		}
		barW := demoBarWidth(maxX-x-figW-2, after)
		if barW < 3 {
			// A narrow lane: the values and their bars, the buffers'
			// sizes in the details.
			sendFig, recvFig = "Send-Q "+v.bytesFig(s.SendQ), "Recv-Q "+v.bytesFig(s.RecvQ)
			if s.Blocked != 0 && s.SendQ >= 0 {
				sendFig = "Send-Q ≥ " + v.bytesFig(s.SendQ)
			}
			figW = max(textcol.Width(sendFig), textcol.Width(recvFig))
			barW = demoBarWidth(maxX-x-figW-2, after)
		}
		if barW < 3 {
			// Narrower still: "S 5", "R 16" (the legend and the details
			// say which is which).
			sendFig, recvFig = "S "+v.bytesNum(s.SendQ), "R "+v.bytesNum(s.RecvQ)
			figW = max(textcol.Width(sendFig), textcol.Width(recvFig))
			gap = 1
			barW = min(maxX-x-figW-gap-2, 24) // 1 or 2 cells if need be

		}
		for k, q := range []struct {
			fig          string
			value, scale int
			guess        bool
			what         string
		}{{sendFig, s.SendQ, sendScale, sendGuess, "Send-Q"}, {recvFig, s.RecvQ, recvScale, recvGuess, "Recv-Q"}} {
			ly := y + 1 + k
			bx := widgets.PrintFit(screen, x, ly, maxX, textcol.Pad(q.fig, figW), demoStyleBold)
			bx = v.drawBar(screen, bx+gap, ly, maxX, barW, q.value, q.scale, lane)
			bx = v.drawKernelMark(screen, bx+1, ly, maxX, s, q.what)
			if q.guess {
				bx = widgets.PrintFit(screen, bx+2, ly, maxX, v.tr("(size unknown)", "（大小未知）"), demoStyleDim)
			}
			if k == 0 {
				if s.Blocked != 0 {
					bx = widgets.PrintFit(screen, bx+2, ly, maxX, v.tr(s.BlockedSend(false)+" blocked: only the kernel knows how much of it is in",
						s.BlockedSend(true)+" 阻塞中：已放进多少只有内核知道"), demoStyleNote)
				}
				if s.Unsent > 0 {
					widgets.PrintFit(screen, bx+2, ly, maxX, v.tr(fmt.Sprintf("%d not sent yet", s.Unsent), fmt.Sprintf("%d 字节尚未发出", s.Unsent)), demoStyleDim)
				}
				continue
			}
			v.drawRecvExtras(screen, bx, ly, maxX, s)
		}
	}
	if per < 4 || v.strips == 0 {
		return
	}
	// Each queue over time: the same columns in every strip (labels and
	// peaks padded), so that one row is one column all down the heads.
	sy := y + 3
	peak := func(n int, unit string) string {
		return textcol.Pad(v.tr("peak ", "峰值 ")+strconv.Itoa(n)+unit, v.peakWidth())
	}
	if s.Listener {
		sy = y + 2
		bx := widgets.PrintCells(screen, x, sy, maxX, textcol.Pad("accept", demoStripLabelW), demoStyleDim)
		bx = demoDrawStrip(screen, bx, sy, maxX, recv, v.stripW, peakRecv, moment, lane)
		widgets.PrintCells(screen, bx+1, sy, maxX, peak(peakRecv, ""), demoStyleDim)
		return
	}
	if v.strips < 2 { // room for one: the receive buffer's
		bx := widgets.PrintCells(screen, x, sy, maxX, "Recv-Q ", demoStyleDim)
		bx = demoDrawStrip(screen, bx, sy, maxX, recv, v.stripW, peakRecv, moment, lane)
		widgets.PrintCells(screen, bx+1, sy, maxX, peak(peakRecv, " B"), demoStyleDim)
		return
	}
	bx := widgets.PrintCells(screen, x, sy, maxX, "Send-Q ", demoStyleDim)
	bx = demoDrawStrip(screen, bx, sy, maxX, send, v.stripW, peakSend, moment, lane)
	bx = widgets.PrintCells(screen, bx+1, sy, maxX, peak(peakSend, " B"), demoStyleDim)
	bx = widgets.PrintFit(screen, bx+2, sy, maxX, "Recv-Q ", demoStyleDim)
	bx = demoDrawStrip(screen, bx, sy, maxX, recv, v.stripW, peakRecv, moment, lane)
	widgets.PrintCells(screen, bx+1, sy, maxX, peak(peakRecv, " B"), demoStyleDim)
}

// bytesNum is a queue's value as a bare number, or "–".
func (v *View) bytesNum(n int) string {
	if n < 0 {
		return "–"
	}
	return strconv.Itoa(n)
}

// bytesFig is a queue's value alone: "5 B", or "–" when not known.
func (v *View) bytesFig(n int) string {
	if n < 0 {
		return "–"
	}
	return strconv.Itoa(n) + " B"
}

// demoStripLabelW is the width of a strip's label ("Send-Q ", "accept ").
const demoStripLabelW = 7

// peakWidth is the width a strip's "peak 123456 B" is padded to.
func (v *View) peakWidth() int { return textcol.Width(v.tr("peak ", "峰值 ")) + 9 }

// figures are a queue's "5 B / 131072 B" against the buffer's size, or,
// when the size is not known, against the largest value seen (guess).
func (v *View) figures(value, size, peak int) (text string, scale int, guess bool) {
	if value < 0 {
		return "–", 0, false
	}
	if size > 0 {
		return fmt.Sprintf("%d B / %d B", value, size), size, false
	}
	return fmt.Sprintf(v.tr("%d B / max %d B", "%d B / 最大 %d B"), value, peak), peak, true
}

// compactQueues is a socket's queues on its label line, when there is no
// room for bars.
func (v *View) compactQueues(s *timeline.Sock) string {
	q := func(n int) string {
		if n < 0 {
			return "–"
		}
		return strconv.Itoa(n) + " B"
	}
	if s.Listener {
		return v.tr("accept queue ", "监听队列 ") + strconv.Itoa(max(s.RecvQ, 0))
	}
	return "Send-Q " + q(s.SendQ) + " · Recv-Q " + q(s.RecvQ)
}

// demoBarWidth is a bar's width in room columns: at most 24, with after
// columns left after it for what follows while there is room for a bar of
// 8; narrower, a bar of 8 (or what there is).
func demoBarWidth(room, after int) int {
	if room-2 >= 24+after {
		return 24
	}
	if w := room - 2 - after; w >= 8 {
		return w
	}
	return max(min(room-2, 8), 0) // a short bar, and what follows cut with …
}

// drawRecvExtras writes what a receive bar has beside it: the window the
// socket advertises, UDP's datagrams waiting and dropped, and the bytes
// waiting (escaped and cut with "…").
func (v *View) drawRecvExtras(screen tcell.Screen, x, y, maxX int, s *timeline.Sock) int {
	if s.Proto == "udp" {
		n := fmt.Sprintf("%d datagrams", s.Datagrams)
		if s.Datagrams == 1 {
			n = "1 datagram"
		}
		x = widgets.PrintFit(screen, x+2, y, maxX, v.tr(n, fmt.Sprintf("%d 个数据报", s.Datagrams)), demoStyleDefault)
		st := demoStyleDim
		if s.Dropped > 0 {
			st = demoStyleWarn
		}
		x = widgets.PrintFit(screen, x+2, y, maxX, v.tr(fmt.Sprintf("dropped %d", s.Dropped), fmt.Sprintf("已丢弃 %d", s.Dropped)), st)
	}
	if s.Window >= 0 && s.Proto == "tcp" {
		x = widgets.PrintFit(screen, x+2, y, maxX, "win "+strconv.Itoa(s.Window), demoStyleDim)
	}
	if len(s.RecvData) > 0 && maxX-x-2 >= 4 {
		q := textcol.Truncate(timeline.Quote(s.RecvData, 64), maxX-x-2)
		x = widgets.PrintCells(screen, x+2, y, maxX, q, demoStyleData)
	}
	return x
}

// drawBar draws value/scale as a bar of width cells between [ and ], in
// eighths: a value above zero shows at least one eighth. The end marks are
// no block glyph, so that an eighth (▏) can never be taken for an end.
func (v *View) drawBar(screen tcell.Screen, x, y, maxX, width, value, scale int, color tcell.Style) int {
	if width < 1 || maxX-x < width+2 {
		return x
	}
	x = widgets.PrintCells(screen, x, y, maxX, "[", demoStyleDim)
	x = demoDrawBar(screen, x, y, maxX, width, value, scale, color)
	return widgets.PrintCells(screen, x, y, maxX, "]", demoStyleDim)
}

// demoDrawBar draws value/scale as a bar of width cells, in eighths.
func demoDrawBar(screen tcell.Screen, x, y, maxX, width, value, scale int, color tcell.Style) int {
	eighths := 0
	if value > 0 && scale > 0 {
		eighths = max(1, min(width*8, int(int64(value)*int64(width)*8/int64(scale))))
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

// check finds the comparison of the socket's kernel sample for one queue
// ("Send-Q" or "Recv-Q"), or nil.
func (v *View) check(s *timeline.Sock, what string) *timeline.Check {
	if s.Kernel == nil {
		return nil
	}
	for i := range v.tl.Checks {
		c := &v.tl.Checks[i]
		if c.Call == s.Kernel.Call && c.FD == s.FD && c.Proto == s.Proto && c.Endpoint == s.Endpoint && c.What == what {
			return c
		}
	}
	return nil
}

func (v *View) hasCheck(s *timeline.Sock, what string) bool { return v.check(s, what) != nil }

// drawKernelMark writes how the kernel's sample at this row compares with
// the model for one queue: "✓ kernel", or "≠ kernel 3" in the warning
// colour (the details say why).
func (v *View) drawKernelMark(screen tcell.Screen, x, y, maxX int, s *timeline.Sock, what string) int {
	c := v.check(s, what)
	switch {
	case c == nil || maxX-x < 3: // no room: the details say it
		return x
	case c.Agree:
		return widgets.PrintFit(screen, x, y, maxX, v.tr("✓ kernel", "✓ 内核"), demoStyleAgree)
	}
	return widgets.PrintFit(screen, x, y, maxX, v.tr("≠ kernel ", "≠ 内核 ")+strconv.Itoa(c.Kernel), demoStyleWarn)
}

// sockSeries returns a socket's Send-Q and Recv-Q after each of rows
// [0, end): -2 where it does not exist, -1 where not known.
func (v *View) sockSeries(id, end int) (send, recv []int) {
	send, recv = make([]int, end), make([]int, end)
	for i := 0; i < end && i < len(v.tl.Rows); i++ {
		send[i], recv[i] = -2, -2
		for k := range v.tl.Rows[i].Socks {
			if s := &v.tl.Rows[i].Socks[k]; s.ID == id {
				send[i], recv[i] = s.SendQ, s.RecvQ
				if s.Listener {
					send[i] = -1 // the backlog, not a queue
				}
				break
			}
		}
	}
	return send, recv
}

func demoPeak(vals []int) int {
	p := 0
	for _, x := range vals {
		p = max(p, x)
	}
	return p
}

// demoDrawStrip draws vals as a sparkline of width cells (several rows to
// a cell, their largest value, when there are more rows than cells),
// scaled to peak: a cell is empty where the socket did not exist, ▁ (dim)
// for an empty queue, ▂ … █ for one holding bytes, – (dim) where the
// queue is not known. The cell of row moment
// is reversed; the cells after it are dim.
func demoDrawStrip(screen tcell.Screen, x, y, maxX int, vals []int, width, peak, moment int, color tcell.Style) int {
	n := len(vals)
	if n == 0 || width <= 0 {
		return x
	}
	width = min(width, n)
	for c := 0; c < width && x < maxX; c++ {
		from, to := c*n/width, (c+1)*n/width
		val := -2
		for i := from; i < to; i++ {
			val = max(val, vals[i])
		}
		glyph, st := " ", color
		switch {
		case val == -1: // not known (an AF_UNIX send queue)
			glyph, st = "–", demoStyleDim
		case val < 0:
		case val == 0 || peak <= 0:
			glyph, st = demoSparks[0], demoStyleDim
		default:
			glyph = demoSparks[max(1, min(7, (val*7+peak-1)/peak))]
		}
		if from > moment {
			st = demoStyleDim
		}
		if moment >= from && moment < to {
			st = st.Reverse(true)
		}
		screen.Put(x, y, glyph, st)
		x++
	}
	return x
}

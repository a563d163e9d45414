package demoview

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/demos/timeline"
	"github.com/sockscope/sockscope/internal/socktable"
	"github.com/sockscope/sockscope/internal/textcol"
	"github.com/sockscope/sockscope/ui/widgets"
)

// demoDetail is one line of the details pane.
type demoDetail struct {
	text  string
	style tcell.Style
}

// drawDetails writes the details' lines (detailLines) on h lines, each
// wrapped to the width (what follows a wrap is indented); when they take
// more than h lines, the last one shown ends in "…".
func (v *View) drawDetails(screen tcell.Screen, x, y, maxX, h int, lines []demoDetail) {
	width := maxX - x - 2
	if width < 4 {
		return
	}
	var out []demoDetail
	for _, ln := range lines {
		text := demoSafeString([]byte(ln.text))
		for k, w := range textcol.Wrap(text, width) {
			if k > 0 {
				w = "  " + w
			}
			out = append(out, demoDetail{w, ln.style})
		}
	}
	for k := 0; k < h && k < len(out); k++ {
		text := out[k].text
		if k == h-1 && len(out) > h && !strings.HasSuffix(text, "…") {
			text = textcol.Truncate(text+" …", width)
			if !strings.HasSuffix(text, "…") {
				text = textcol.Truncate(text, textcol.Width(text)-1)
			}
		}
		widgets.PrintFit(screen, x+1, y+k, maxX-1, text, out[k].style)
	}
}

// detailLines are the details of row cur, most important first: a call
// with its links, the kernel's figures right after it, how long it
// blocked and how long its bytes waited in the buffers; a packet with its
// route, label and calls; a step's outcome whole; a socket table; and
// wherever the kernel's sample differs from the model, why. With the
// socket table shown (s) they are the table in force at the cursor's row
// (end: the rows shown), unless the cursor is on a table.
func (v *View) detailLines(cur, end, width int) []demoDetail {
	tl := v.tl
	if v.tables && (cur < 0 || cur >= len(tl.Rows) || tl.Rows[cur].Kind != timeline.KindSockets) {
		moment := cur
		if moment < 0 || moment >= end {
			moment = end - 1
		}
		return v.tableLines(tl.TableAt(moment), true, width)
	}
	if cur < 0 || cur >= len(tl.Rows) {
		return []demoDetail{{v.tr("j/k: move the cursor · Enter: select — a call lights up the packets that carried its bytes and the calls at the other end; a packet lights up its calls",
			"j/k：移动光标 · 回车：选中——调用会高亮承载其字节的报文段和对端的调用；报文段会高亮它的调用"), demoStyleDim}}
	}
	r := &tl.Rows[cur]
	var out, last []demoDetail
	switch r.Kind {
	case timeline.KindCall, timeline.KindReturn:
		c := tl.Run.Call(r.Num)
		if c == nil {
			return nil
		}
		out = v.callDetails(r, c)
		if len(c.Data) > 0 {
			last = append(last, demoDetail{v.tr("data: ", "数据：") + timeline.Quote(c.Data, 96), demoStyleDim})
		}
	case timeline.KindWaiting:
		c := r.Waiting
		return []demoDetail{
			{c.Endpoint + " fd " + strconv.Itoa(c.FD) + "  " + r.Text, demoStyleDefault},
			{v.tr("made at ", "调用于 ") + time.Unix(c.StartSec, c.StartNsec).Format("15:04:05.000000") +
				v.tr(", not returned yet: it waits (numbered when it returns)", "，尚未返回：在等待（返回时才编号）"), demoStyleDim},
		}
	case timeline.KindFrame:
		out = v.frameDetails(r)
	case timeline.KindSockets:
		return v.tableLines(cur, false, width)
	case timeline.KindOutcome:
		for _, l := range v.outcomeLines(r, 1<<20) {
			for k, w := range textcol.Wrap(l, max(width, 10)) {
				if k > 0 {
					w = "  " + w
				}
				out = append(out, demoDetail{w, demoStyleOutcome})
			}
		}
		return out
	}
	out = append(out, v.bufferLines(cur)...)
	out = append(out, v.differsLines(r)...)
	return append(out, last...)
}

// tableLines show the socket table of row i (-1: none read yet): which
// table it is, what changed since the one before it, and the table as ss
// -tuanoi prints it. asOf: it is shown for the cursor's row, which is not
// the table's own.
func (v *View) tableLines(i int, asOf bool, width int) []demoDetail {
	tl := v.tl
	if i < 0 {
		return []demoDetail{{v.tr("▤ no socket table yet at this row: one is read after each call that changes a socket, and as each step ends (s hides this)",
			"▤ 这一行时还没有读过套接字表：每次有调用改变了套接字之后、以及每一步结束时各读一次（按 s 隐藏）"), demoStyleDim}}
	}
	r := &tl.Rows[i]
	tb := r.Sockets
	var which string
	if n := tb.AfterCall; n > 0 {
		which = fmt.Sprintf(v.tr("read after call #%d returned", "第 %d 次调用返回之后读取"), n)
		if c := tl.Run.Call(n); c != nil {
			which = fmt.Sprintf(v.tr("read after call #%d returned: %s %s", "第 %d 次调用返回之后读取：%s %s"), n, c.Endpoint, sockcall.AppendCallLabel(nil, c))
		}
	} else {
		which = fmt.Sprintf(v.tr("after step %d", "第 %d 步结束时"), tb.Step)
	}
	head := fmt.Sprintf(v.tr("sockets in the lab %s, as ss -tuanoi shows them (no Endpoint: no program holds a descriptor for it — TIME-WAIT, not accepted yet):",
		"实验室里的套接字（%s），与 ss -tuanoi 一致（Endpoint 为空：没有程序持有它的描述符——TIME-WAIT、尚未 accept）："), which)
	if asOf {
		head = v.tr("▤ as of the cursor's row (s hides this): ", "▤ 光标所在行时（按 s 隐藏）：") + head
	}
	out := []demoDetail{{head, demoStyleDefault}}
	if ch := tl.TableChanges(i); len(ch) > 0 {
		sep := v.tr("; ", "；")
		for k, l := range textcol.Wrap(v.tr("changed: ", "变化：")+strings.Join(ch, sep), max(width, 10)) {
			if k > 0 {
				l = "  " + l
			}
			out = append(out, demoDetail{l, demoStyleNote})
		}
	}
	if len(tb.Entries) == 0 {
		return append(out, demoDetail{v.tr(" (none)", " （没有）"), demoStyleDim})
	}
	table := socktable.AppendTableOwned(nil, tb.Entries, "Endpoint", tb.Owner)
	for _, line := range strings.Split(strings.TrimRight(string(table), "\n"), "\n") {
		out = append(out, demoDetail{" " + line, demoStyleDefault})
	}
	return out
}

// bufferLines say what the row changed in each socket's buffers, as the
// text timeline does: "server fd 9  Recv-Q 0 → 5 B / 131072  "hello"" (with
// the kernel's figure where its sample differs).
func (v *View) bufferLines(row int) []demoDetail {
	r := &v.tl.Rows[row]
	var out []demoDetail
	for _, i := range r.Changed {
		if i < 0 || i >= len(r.Socks) {
			continue
		}
		s := &r.Socks[i]
		b := fmt.Appendf(nil, "%s fd %d", s.Endpoint, s.FD)
		if s.FD == 0 {
			b = fmt.Appendf(nil, "%s %s", s.Endpoint, v.tr("(not accepted)", "（待 accept）"))
		}
		n := len(b)
		b = timeline.AppendBufferChange(b, v.tl.Before(row, s.ID), s, v.zh)
		if len(b) == n {
			continue // nothing it shows changed
		}
		st := demoStyleDefault
		if s.Kernel != nil && s.Kernel.Differs != "" {
			st = demoStyleWarn
		}
		out = append(out, demoDetail{string(b), st})
	}
	return out
}

func (v *View) callDetails(r *timeline.Row, c *sockcall.Call) []demoDetail {
	tl := v.tl
	var line []byte
	line = fmt.Appendf(line, "#%d %s fd %d  ", c.Number, c.Endpoint, c.FD)
	if r.Inner {
		line = append(line, "└ "...)
	}
	line = sockcall.AppendCallLabel(line, c)
	if outer, ok := tl.Within[c.Number]; ok {
		line = fmt.Appendf(line, v.tr("  (inside sendall #%d)", "（在 sendall #%d 之内）"), outer)
	}
	if links := sockcall.AppendCallLinks(nil, c, tl.Run.Links.Call(c.Number), v.zh); len(links) > 0 {
		line = append(line, "  → "...)
		line = append(line, links...)
	}
	out := []demoDetail{{string(line), demoStyleDefault}}

	// The kernel right after it, and how long it took.
	k := []byte(v.tr("kernel right after it: ", "调用刚返回时内核："))
	k = demoAppendQueues(k, c)
	if c.SndBuf > 0 {
		k = fmt.Appendf(k, "  SO_SNDBUF %d B", c.SndBuf)
	}
	if c.RcvBuf > 0 {
		k = fmt.Appendf(k, "  SO_RCVBUF %d B", c.RcvBuf)
	}
	if r.Blocked > 0 {
		k = append(k, "  · "...)
		k = append(k, v.tr("blocked for ", "阻塞了 ")...)
		k = append(k, sockcall.FormatDuration(r.Blocked)...)
		if r.Kind == timeline.KindCall {
			k = append(k, v.tr(" (its return is a row further down)", "（返回在下面另一行）")...)
		} else {
			k = append(k, v.tr(" before it returned here", "，在这里返回")...)
		}
	}
	if c.Nonblocking {
		k = append(k, v.tr("  · non-blocking", "  · 非阻塞")...)
	}
	out = append(out, demoDetail{string(k), demoStyleDefault})

	// What its outcome means (the one catalogue, sockcall.Meanings).
	if m := sockcall.MeaningOf(c); m != nil {
		out = append(out, demoDetail{"ⓘ " + m.Key + " → " + m.Python, demoStyleNote},
			demoDetail{"  " + m.Text(v.zh), demoStyleDim})
	}

	// How long its bytes waited.
	if w := tl.WaitsText(c); w != "" {
		out = append(out, demoDetail{w, demoStyleNote})
	}
	return out
}

func (v *View) frameDetails(r *timeline.Row) []demoDetail {
	tl := v.tl
	p := tl.Run.Frame(r.Num)
	if p == nil {
		return nil
	}
	var line []byte
	line = fmt.Appendf(line, "[%d] ", p.Number)
	if r.Lane >= 0 && r.Lane < len(tl.Lanes) && len(r.To) > 0 {
		line = append(line, tl.Lanes[r.Lane]...)
		line = append(line, " → "...)
		for k, t := range r.To {
			if k > 0 {
				line = append(line, ", "...)
			}
			if t >= 0 && t < len(tl.Lanes) {
				line = append(line, tl.Lanes[t]...)
			}
		}
		line = append(line, "  "...)
	}
	first := string(line) + r.Text
	if calls := tl.Run.Links.FrameCalls(p.Number); len(calls) > 0 {
		first += "  ← "
		for k, n := range calls {
			if k > 0 {
				first += ", "
			}
			first += fmt.Sprintf("#%d", n)
			if c := tl.Run.Call(n); c != nil {
				first += " " + c.Op
			}
		}
	}
	if r.Note != "" {
		first += "  {" + r.Note + "}"
	}
	// The tracker's own state markers name states as RFC 9293 does; a
	// lesson names them as ss does, in the row's note.
	q := *p
	q.Analysis.SrcChanged, q.Analysis.DstChanged = false, false
	return []demoDetail{{first, demoStyleDefault}, {string(decode.AppendSummary(nil, &q)), demoStyleDim}}
}

// differsLines say, for every socket whose kernel sample at this row
// differs from the model, how and why.
func (v *View) differsLines(r *timeline.Row) []demoDetail {
	var out []demoDetail
	for k := range r.Socks {
		s := &r.Socks[k]
		if s.Kernel == nil || s.Kernel.Differs == "" || slices.Contains(r.Changed, k) { // a changed socket's line says it
			continue
		}
		out = append(out, demoDetail{fmt.Sprintf(v.tr("≠ %s fd %d: the model has Send-Q %d Recv-Q %d; %s", "≠ %s fd %d：模型为 Send-Q %d Recv-Q %d；%s"),
			s.Endpoint, s.FD, s.SendQ, s.RecvQ, s.Kernel.Differs), demoStyleWarn})
	}
	return out
}

package inspector

import (
	"bytes"
	"context"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/store"
	"github.com/sockscope/sockscope/internal/textcol"
	"github.com/sockscope/sockscope/ui/widgets"
)

// The ladder pane (l): the current conversation as a sequence diagram, as
// `sockscope replay --ladder` draws it, with its arrows fitted to the pane
// so that both lanes stay in view (a label that does not fit ends in "…");
// w shows the full labels, and ← → scroll sideways.

const paneLadder = "ladder"

func init() {
	registerPane(paneSpec{
		name: paneLadder, order: 3, key: 'l',
		help: widgets.Text{"ladder (sequence diagram) of the current conversation; ← → scroll it sideways when it is wider than the pane (l again: back)", "当前会话的时序图；比窗格宽时用 ← → 左右滚动（再按 l 返回）"},
		hint: widgets.Text{"ladder", "时序图"},
		make: newLadderPane,
	})
}

type ladderPane struct {
	ins  *inspector
	view *ladderView
}

func newLadderPane(ins *inspector) pane {
	ins.ladder = widgets.NewLinesView(ins.tr("Ladder", "时序图"))
	p := &ladderPane{ins: ins, view: &ladderView{LinesView: ins.ladder, fitW: -1}}
	ins.ladderFit = p.view
	return p
}

func (p *ladderPane) root() tview.Primitive         { return p.view }
func (p *ladderPane) focusables() []tview.Primitive { return []tview.Primitive{p.ins.ladder} }
func (p *ladderPane) hide()                         {}

func (p *ladderPane) show() {
	ins := p.ins
	ins.startConvJob(ins.ladder, paneLadder, func(ref decode.ConvRef) string {
		if ref.Proto == "" {
			return ins.tr("Ladder", "时序图")
		}
		return ins.tr("Ladder of "+ref.String(), ref.String()+" 的时序图")
	}, func(ref decode.ConvRef) func(context.Context) {
		return func(ctx context.Context) { ins.runLadder(ctx, ref) }
	})
	p.view.base = strings.TrimSpace(ins.ladder.GetTitle())
	p.view.zh = ins.zh
}

// runLadder is the ladder job: decode.LadderBuilder over the
// conversation's packets, with the roles and events of a tracker that sees
// just this conversation (its analysis only ever depends on the
// conversation's own packets), drawn as decode.Ladder.WriteText draws it.
func (ins *inspector) runLadder(ctx context.Context, ref decode.ConvRef) {
	pkts := ins.convPackets(ref)
	b := decode.NewLadderBuilder(ref)
	rd := store.NewReader()
	fresh := decode.NewDecoder()
	var p decode.Packet
	for i, abs := range pkts {
		if i&1023 == 0 && ctx.Err() != nil {
			return
		}
		if !ins.store.Load(abs, rd) {
			continue
		}
		b.Add(&rd.Packet)
		fresh.Decode(&rd.Frame, rd.Packet.Number, &p)
	}
	var lines []widgets.Line
	if len(pkts) == 0 {
		lines = []widgets.Line{{Text: ins.tr("No packets of "+ref.String()+" are held.", "没有保留 "+ref.String()+" 的数据包。"), Style: insStyleDim}}
	} else {
		if conv, ok := fresh.Seq.TCPConversation(0); ok && ref.Proto == "tcp" {
			b.Summarize(&conv)
		}
		var buf bytes.Buffer
		b.Ladder().WriteText(&buf)
		for i, l := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
			st := insStyleDefault
			switch {
			case i < 2:
				st = insStyleTitle
			case strings.Contains(l, "|<-- "):
				st = insStyleB
			case strings.Contains(l, "|-- "):
				st = insStyleA
			case strings.Contains(l, "* "):
				st = insStyleDim
			}
			lines = append(lines, widgets.Line{Text: l, Style: st})
		}
	}
	ins.queueDraw(ctx, func() {
		if ins.paneRef == ref {
			ins.ladderFit.set(lines)
			ins.ladder.EmptyText = ""
		}
	})
}

// ladderView draws the ladder's lines fitted to its width (fitLadder), or
// as they are when wide is set.
type ladderView struct {
	*widgets.LinesView
	full []widgets.Line
	fitW int // the width Lines were fitted to; -1: not yet
	wide bool
	base string // the title, without the mode
	zh   bool
}

func (v *ladderView) set(lines []widgets.Line) {
	v.full, v.fitW = lines, -1
	v.SetLines(lines)
}

// toggleWide switches between fitted arrows and full labels.
func (v *ladderView) toggleWide() {
	v.wide = !v.wide
	v.fitW = -1
}

// Draw fits the lines to the width, then draws them.
func (v *ladderView) Draw(screen tcell.Screen) {
	_, _, w, _ := v.GetInnerRect()
	if v.wide {
		w = 0
	}
	if w != v.fitW {
		v.fitW = w
		v.Lines = v.full
		if !v.wide {
			v.Lines = fitLadder(v.full, w)
		}
	}
	mode := widgets.Text{" (w: full labels, ← → scroll)", "（w：完整标签，← → 滚动）"}
	if v.wide {
		mode = widgets.Text{" (full labels, ← → scroll; w: fit to the pane)", "（完整标签，← → 滚动；w：适应窗格）"}
	}
	v.SetTitle(" " + v.base + mode.In(v.zh) + " ")
	v.LinesView.Draw(screen)
}

// fitLadder narrows the arrows of decode.Ladder.WriteText's lines so that
// a line, B's state included, fits width columns: every arrow starts at
// the same column and has the same length, and a label that no longer fits
// ends in "…". Arrows are never made shorter than 24 columns; the lines
// scroll sideways then.
func fitLadder(lines []widgets.Line, width int) []widgets.Line {
	laneCol, arrowW := -1, 0
	for _, l := range lines {
		i := strings.Index(l.Text, "|-- ")
		if i < 0 {
			i = strings.Index(l.Text, "|<-- ")
		}
		if i < 0 {
			continue
		}
		j := strings.Index(l.Text[i:], ">|")
		if k := strings.Index(l.Text[i:], "-|"); j < 0 || k >= 0 && k < j {
			j = k
		}
		if j < 0 {
			continue
		}
		laneCol, arrowW = i, j+2
		break
	}
	if laneCol < 0 {
		return lines
	}
	widest := 0
	tail := 0 // room after B's bar
	for _, l := range lines {
		widest = max(widest, textcol.Width(l.Text))
		if strings.HasSuffix(l.Text, "  B state") {
			tail = 2 + len("SYN_RECEIVED")
		}
	}
	if widest <= width {
		return lines
	}
	newW := max(24, width-laneCol-tail)
	if newW >= arrowW {
		return lines
	}
	out := make([]widgets.Line, len(lines))
	for i, l := range lines {
		out[i] = l
		t := l.Text
		if len(t) < laneCol+arrowW {
			continue
		}
		arrow, rest := t[laneCol:laneCol+arrowW], t[laneCol+arrowW:]
		switch {
		case arrow[0] == 'A' && arrow[arrowW-1] == 'B': // the header
			out[i].Text = t[:laneCol] + "A" + strings.Repeat(" ", newW-2) + "B" + rest
		case strings.HasPrefix(arrow, "|-- ") && strings.HasSuffix(arrow, ">|"):
			out[i].Text = t[:laneCol] + fitArrow("|-- ", arrow[4:arrowW-2], ">|", newW) + rest
		case strings.HasPrefix(arrow, "|<-- ") && strings.HasSuffix(arrow, "-|"):
			out[i].Text = t[:laneCol] + fitArrow("|<-- ", arrow[5:arrowW-2], "-|", newW) + rest
		}
	}
	return out
}

// fitArrow is an arrow of width columns: head, the label (cut with "…"),
// a space, dashes, end.
func fitArrow(head, label, end string, width int) string {
	label = strings.TrimRight(strings.TrimRight(label, "-"), " ")
	room := width - len(head) - len(end) - 2 // a space and at least one dash
	label = textcol.Truncate(label, room)
	dashes := width - len(head) - textcol.Width(label) - 1 - len(end)
	return head + label + " " + strings.Repeat("-", max(dashes, 0)) + end
}

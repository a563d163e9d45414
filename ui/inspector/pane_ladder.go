package inspector

import (
	"bytes"
	"context"
	"strings"

	"github.com/rivo/tview"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/store"
	"github.com/sockscope/sockscope/ui/widgets"
)

// The ladder pane (l): the current conversation as a sequence diagram, as
// `sockscope replay --ladder` draws it; wider than the screen, it scrolls
// sideways with ← and →.

const paneLadder = "ladder"

func init() {
	registerPane(paneSpec{
		name: paneLadder, order: 3, key: 'l',
		help: widgets.Text{"ladder (sequence diagram) of the current conversation; ← → scroll it sideways when it is wider than the pane (l again: back)", "当前会话的时序图；比窗格宽时用 ← → 左右滚动（再按 l 返回）"},
		hint: widgets.Text{"ladder", "时序图"},
		make: newLadderPane,
	})
}

type ladderPane struct{ ins *inspector }

func newLadderPane(ins *inspector) pane {
	ins.ladder = widgets.NewLinesView(ins.tr("Ladder", "时序图"))
	return &ladderPane{ins: ins}
}

func (p *ladderPane) root() tview.Primitive         { return p.ins.ladder }
func (p *ladderPane) focusables() []tview.Primitive { return []tview.Primitive{p.ins.ladder} }
func (p *ladderPane) hide()                         {}

func (p *ladderPane) show() {
	ins := p.ins
	ins.startConvJob(ins.ladder, paneLadder, func(ref decode.ConvRef) string {
		if ref.Proto == "" {
			return ins.tr("Ladder", "时序图")
		}
		return ins.tr("Ladder of "+ref.String()+" (← → scroll)", ref.String()+" 的时序图（← → 滚动）")
	}, func(ref decode.ConvRef) func(context.Context) {
		return func(ctx context.Context) { ins.runLadder(ctx, ref) }
	})
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
		lines = []widgets.Line{{Text: "No packets of " + ref.String() + " are held.", Style: insStyleDim}}
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
			ins.ladder.SetLines(lines)
			ins.ladder.EmptyText = ""
		}
	})
}

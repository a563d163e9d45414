package inspector

import (
	"strconv"
	"time"

	"github.com/rivo/tview"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/store"
	"github.com/sockscope/sockscope/ui/widgets"
)

// The conversations pane (c): every flow the tracker has seen, one row
// each; Enter makes one the current conversation and selects its first
// packet.

const paneConvs = "conversations"

func init() {
	registerPane(paneSpec{
		name: paneConvs, order: 1, key: 'c',
		help: widgets.Text{"conversations: every flow, its packets and frame bytes (headers included) each way (c again: back)", "会话列表：每个流双向的数据包数和帧字节数（含首部）（再按 c 返回）"},
		hint: widgets.Text{"convs", "会话"},
		make: newConvPane,
	})
}

type convPane struct{ ins *inspector }

func newConvPane(ins *inspector) pane {
	ins.convs = &convContent{zh: ins.zh}
	ins.convTable = tview.NewTable().SetContent(ins.convs).SetFixed(1, 0).SetSelectable(true, false)
	ins.convTable.SetSelectedStyle(insStyleSelected)
	ins.convTable.SetBorder(true).SetTitle(ins.tr(" Conversations ", " 会话 ")).SetTitleAlign(tview.AlignLeft)
	ins.convTable.SetSelectedFunc(func(row, _ int) { ins.onConvEnter(row) })
	return &convPane{ins: ins}
}

func (p *convPane) root() tview.Primitive { return p.ins.convTable }

func (p *convPane) focusables() []tview.Primitive { return []tview.Primitive{p.ins.convTable} }

func (p *convPane) show() {
	p.ins.store.WantConvs(true)
	p.ins.refreshConvs()
}

func (p *convPane) hide() { p.ins.store.WantConvs(false) }

// convContent is the conversations table.
type convContent struct {
	tview.TableContentReadOnly
	rows store.ConvList
	t0   int64
	zh   bool
}

// convHeader names the columns. Bytes are frame bytes, headers included
// (Wireshark's Conversations count the same); Follow counts payload.
var convHeader = [...]widgets.Text{
	{"Conv", "会话"}, {"A", "A"}, {"B", "B"}, {"State", "状态"},
	{"Packets A→B", "数据包 A→B"}, {"Packets B→A", "数据包 B→A"},
	{"Frame bytes A→B", "帧字节 A→B"}, {"Frame bytes B→A", "帧字节 B→A"},
	{"Start", "开始"}, {"Duration", "时长"}, {"Retrans", "重传"}, {"Opened / closed", "建立 / 关闭"},
}

func (c *convContent) GetRowCount() int    { return c.rows.Len() + 1 }
func (c *convContent) GetColumnCount() int { return len(convHeader) }

func (c *convContent) GetCell(row, col int) *tview.TableCell {
	if col < 0 || col >= len(convHeader) {
		return nil
	}
	if row == 0 {
		return tview.NewTableCell(convHeader[col].In(c.zh)).SetSelectable(false).SetStyle(insStyleTitle)
	}
	if row > c.rows.Len() {
		return nil
	}
	rr := c.rows.At(row - 1)
	r := &rr
	var text string
	right := false
	switch col {
	case 0:
		text = convName(r)
	case 1:
		text = r.A.String()
	case 2:
		text = r.B.String()
	case 3:
		text = r.State
	case 4:
		text, right = thousands(r.PktsAB), true
	case 5:
		text, right = thousands(r.PktsBA), true
	case 6:
		text, right = thousands(r.BytesAB), true
	case 7:
		text, right = thousands(r.BytesBA), true
	case 8:
		text, right = seconds(time.Duration(r.StartNS-c.t0)), true
	case 9:
		text, right = seconds(r.Dur), true
	case 10:
		if r.Proto == 6 {
			text, right = strconv.Itoa(r.Retrans), true
		}
	case 11:
		if r.Proto == 6 {
			text = r.Handshake.String() + " / " + r.Teardown.String()
			if r.ClosedBy != decode.RoleNone {
				text += " by " + r.ClosedBy.String()
			}
		}
	}
	st := rowTCP
	if r.Proto == 17 {
		st = rowUDP
	}
	if r.Retrans > 0 || r.Teardown == decode.TeardownReset {
		st = rowBad
	}
	cl := tview.NewTableCell(tview.Escape(text)).SetStyle(st)
	if right {
		cl.SetAlign(tview.AlignRight)
	}
	return cl
}

func convName(r *store.ConvRow) string {
	if r.Proto == 17 {
		return "udp " + strconv.Itoa(r.ID)
	}
	return "tcp " + strconv.Itoa(r.ID)
}

func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 6, 64)
}

// refreshConvs shows the store's latest conversation snapshot.
func (ins *inspector) refreshConvs() {
	s := ins.store
	ins.convs.rows, ins.convs.t0 = s.Convs()
	n := thousands(uint64(ins.convs.rows.Len()))
	ins.convTable.SetTitle(ins.tr(" Conversations ("+n+") — bytes are frame bytes; Enter: make current, jump to its first packet ",
		" 会话（"+n+"）——字节为帧字节；回车：设为当前会话并跳到它的第一个数据包 "))
}

// onConvEnter makes the conversation under the cursor the current one and
// selects its first packet.
func (ins *inspector) onConvEnter(row int) {
	if row < 1 || row > ins.convs.rows.Len() {
		return
	}
	rr := ins.convs.rows.At(row - 1)
	r := &rr
	ins.conv = decode.ConvRef{Proto: "tcp", Stream: r.ID}
	if r.Proto == 17 {
		ins.conv.Proto = "udp"
	}
	ins.hasConv = true
	if abs, ok := ins.store.Find(r.FirstFrame); ok {
		if vr, exact := ins.snap.row(abs); exact {
			ins.tail = false
			ins.list.selectRow(vr)
		}
	}
	ins.setMessage(ins.tr(ins.conv.String()+" is current: f follows it, l draws its ladder", ins.conv.String()+" 是当前会话：按 f 跟踪它，按 l 画出它的时序图"), false)
}

package inspector

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// The packet pane: the selected packet's layer tree (details) and its
// bytes, side by side when both fit (a dump line is 73 columns), else one
// above the other. It is the default pane: no key opens it, Esc comes
// back to it.

// hexPaneWidth is the bytes pane's width beside the details: a dump line
// and the borders.
const hexPaneWidth = 75

const panePacket = "packet"

func init() {
	registerPane(paneSpec{name: panePacket, order: 0, make: newPacketPane})
}

type packetPane struct {
	ins  *inspector
	flex *tview.Flex
}

func newPacketPane(ins *inspector) pane {
	ins.details = tview.NewTreeView()
	ins.details.SetBorder(true).SetTitle(ins.tr(" Details ", " 详细信息 ")).SetTitleAlign(tview.AlignLeft)
	ins.details.SetChangedFunc(func(n *tview.TreeNode) { ins.onDetailLine(n) })
	ins.details.SetSelectedFunc(func(n *tview.TreeNode) { ins.toggleDetail(n) })
	ins.hex = newHexView(ins.tr(" Bytes ", " 字节 "))
	p := &packetPane{ins: ins, flex: tview.NewFlex().AddItem(ins.details, 0, 3, false).AddItem(ins.hex, 0, 2, false)}
	return p
}

func (p *packetPane) root() tview.Primitive { return p.flex }

func (p *packetPane) focusables() []tview.Primitive {
	return []tview.Primitive{p.ins.details, p.ins.hex}
}

func (p *packetPane) show() {}
func (p *packetPane) hide() {}

// layout puts the details and the bytes side by side on a wide screen.
func (p *packetPane) layout(screen tcell.Screen) {
	w, _ := screen.Size()
	if w >= 140 {
		p.flex.SetDirection(tview.FlexColumn)
		p.flex.ResizeItem(p.ins.hex, hexPaneWidth, 0)
	} else {
		p.flex.SetDirection(tview.FlexRow)
		p.flex.ResizeItem(p.ins.hex, 0, 2)
	}
}

package inspector

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"github.com/sockscope/sockscope/ui/widgets"
)

// hexView is the hex and ASCII dump of the selected frame, 16 bytes a
// line:
//
//	0000  45 00 00 3c 1c 46 40 00  40 06 b1 e6 ac 10 00 01   E..<.F@.@.......
//
// Every byte outside printable ASCII (0x20–0x7e) shows as '.', and the
// dump is put on the screen cell by cell, so a payload can never move the
// cursor, change colours, retitle the terminal or pass for a tview tag.
// The bytes of the detail line selected are highlighted.
type hexView struct {
	*tview.Box
	data       []byte
	hiOff      int
	hiLen      int
	top        int
	lastHeight int
}

func newHexView(title string) *hexView {
	v := &hexView{Box: tview.NewBox()}
	v.SetBorder(true).SetTitle(title).SetTitleAlign(tview.AlignLeft)
	return v
}

func (v *hexView) setData(b []byte) {
	v.data = append(v.data[:0], b...)
	v.top, v.hiOff, v.hiLen = 0, 0, 0
}

// highlight marks bytes [off, off+n) and scrolls them into view.
func (v *hexView) highlight(off, n int) {
	v.hiOff, v.hiLen = off, n
	if n > 0 && v.lastHeight > 0 {
		line := off / 16
		if line < v.top || line >= v.top+v.lastHeight {
			v.top = max(0, line-1)
		}
	}
}

const hexDigitsLower = "0123456789abcdef"

// hexLine formats line i (16 bytes from i*16) into cells: the text and,
// per column, the index of the byte it shows (-1 for none).
func hexLine(data []byte, i int, text []byte, idx []int) ([]byte, []int) {
	text, idx = text[:0], idx[:0]
	put := func(c byte, b int) {
		text = append(text, c)
		idx = append(idx, b)
	}
	off := i * 16
	for s := 12; s >= 0; s -= 4 {
		put(hexDigitsLower[off>>s&0xf], -1)
	}
	put(' ', -1)
	put(' ', -1)
	for j := 0; j < 16; j++ {
		b := off + j
		if j == 8 {
			put(' ', -1)
		}
		if b < len(data) {
			put(hexDigitsLower[data[b]>>4], b)
			put(hexDigitsLower[data[b]&0xf], b)
		} else {
			put(' ', -1)
			put(' ', -1)
		}
		put(' ', -1)
	}
	put(' ', -1)
	put(' ', -1)
	for j := 0; j < 16 && off+j < len(data); j++ {
		c := data[off+j]
		if c < 0x20 || c > 0x7e {
			c = '.'
		}
		put(c, off+j)
	}
	return text, idx
}

// Draw draws the visible lines.
func (v *hexView) Draw(screen tcell.Screen) {
	v.DrawForSubclass(screen, v)
	x, y, w, h := v.GetInnerRect()
	v.lastHeight = h
	lines := (len(v.data) + 15) / 16
	v.top = max(0, min(v.top, lines-h))
	var text []byte
	var idx []int
	for row := 0; row < h && v.top+row < lines; row++ {
		text, idx = hexLine(v.data, v.top+row, text, idx)
		for col := 0; col < len(text) && col < w; col++ {
			st := insStyleDefault
			if col < 4 {
				st = insStyleHexOff
			}
			if b := idx[col]; b >= 0 && b >= v.hiOff && b < v.hiOff+v.hiLen {
				st = insStyleHexHi
			}
			screen.Put(x+col, y+row, asciiCells[text[col]&0x7f], st)
		}
	}
}

// InputHandler scrolls.
func (v *hexView) InputHandler() func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
	return v.WrapInputHandler(func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
		switch event.Key() {
		case tcell.KeyDown:
			v.top++
		case tcell.KeyUp:
			v.top--
		case tcell.KeyPgDn:
			v.top += max(1, v.lastHeight-1)
		case tcell.KeyPgUp:
			v.top -= max(1, v.lastHeight-1)
		case tcell.KeyHome:
			v.top = 0
		case tcell.KeyEnd:
			v.top = len(v.data)
		case tcell.KeyRune:
			switch event.Rune() {
			case 'j':
				v.top++
			case 'k':
				v.top--
			case 'g':
				v.top = 0
			case 'G':
				v.top = len(v.data)
			}
		}
		v.top = max(0, v.top)
	})
}

// MouseHandler scrolls with the wheel and takes the focus on a click.
func (v *hexView) MouseHandler() func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (bool, tview.Primitive) {
	return widgets.ScrollMouse(v, v.Box, &v.top)
}

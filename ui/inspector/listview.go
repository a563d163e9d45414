package inspector

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"github.com/rivo/uniseg"
	"github.com/sockscope/sockscope/internal/textcol"
	"github.com/sockscope/sockscope/ui/widgets"
)

// packetList is the packet list: a virtual table over the store — it asks
// packetTable only for the rows on screen — drawn cell by cell. It is not
// a tview.Table: that one measures and prints every cell through tview's
// tag parser and uniseg's word and line-break rules, 4 ms of a 200×60
// frame; this one prints ASCII rows byte by byte (other rows by grapheme
// cluster), with column widths taken from the rows on screen.
//
// Rows are 0-based below the header; sel is the selected row (-1: none).
type packetList struct {
	*tview.Box
	t        *packetTable
	sel      int
	offset   int
	height   int              // rows shown at the last draw
	scrolled bool             // the wheel moved the rows: the selection may be off screen
	titles   *[numCols]string // the column titles, in the inspector's language
	changed  func(row int)
	enter    func(row int)
}

func newPacketList(t *packetTable, title string) *packetList {
	l := &packetList{Box: tview.NewBox(), t: t, sel: -1, titles: &colTitles}
	l.SetBorder(true).SetTitle(title).SetTitleAlign(tview.AlignLeft)
	return l
}

func (l *packetList) rows() int {
	if l.t.snap == nil {
		return 0
	}
	return l.t.snap.rows
}

// selectRow selects row r (clamped) and reports the change.
func (l *packetList) selectRow(r int) {
	n := l.rows()
	if n == 0 {
		l.sel = -1
	} else {
		l.sel = max(0, min(n-1, r))
	}
	l.scrolled = false
	if l.changed != nil {
		l.changed(l.sel)
	}
}

// shiftOffset moves the rows shown up by n (older rows went away).
func (l *packetList) shiftOffset(n int) { l.offset = max(0, l.offset-n) }

// Draw draws the header and the visible rows.
func (l *packetList) Draw(screen tcell.Screen) {
	l.DrawForSubclass(screen, l)
	x, y, w, h := l.GetInnerRect()
	if w <= 0 || h <= 0 {
		return
	}
	n := l.rows()
	body := h - 1
	l.height = max(body, 1)
	// Keep the selection on screen; no empty rows below the last.
	if l.sel >= 0 && !l.scrolled {
		if l.sel < l.offset {
			l.offset = l.sel
		}
		if l.sel >= l.offset+body {
			l.offset = l.sel - body + 1
		}
	}
	l.offset = max(0, min(l.offset, n-body))

	rows := make([]*pktRow, 0, body)
	for i := 0; i < body && l.offset+i < n; i++ {
		rows = append(rows, l.t.row(l.t.snap.abs(l.offset+i)))
	}
	// Column widths: the widest text on screen (the header included), the
	// addresses at most 39 columns (IPv6); Info takes the rest.
	var widths [numCols]int
	for c := 0; c < colInfo; c++ {
		widths[c] = textcol.Width(l.titles[c])
		for _, r := range rows {
			widths[c] = max(widths[c], textCols(r.text[c], r.ascii))
		}
		if c == colSrc || c == colDst {
			widths[c] = min(widths[c], 39)
		}
	}
	right := [numCols]bool{colNo: true, colTime: true, colLen: true}
	drawRow := func(yy int, text *[numCols]string, ascii bool, st tcell.Style) {
		cx := x
		for c := 0; c < numCols && cx < x+w; c++ {
			cw := widths[c]
			if c == colInfo {
				cw = x + w - cx
			}
			end := min(cx+cw, x+w)
			s := text[c]
			if right[c] {
				if tw := textCols(s, ascii); tw < cw {
					widgets.FillCells(screen, cx, yy, cx+cw-tw, ' ', st)
					cx += cw - tw
				}
			}
			nx := cx
			cut := textCols(s, ascii) > end-cx // ends in "…"
			if ascii && !cut {
				for i := 0; i < len(s) && nx < end; i++ {
					screen.Put(nx, yy, s[i:i+1], st) // a substring: no allocation
					nx++
				}
			} else {
				if cut {
					s = textcol.Truncate(s, end-cx)
				}
				nx = widgets.PrintCells(screen, cx, yy, end, s, st)
			}
			widgets.FillCells(screen, nx, yy, end, ' ', st)
			cx = end
			if c < numCols-1 && cx < x+w {
				screen.Put(cx, yy, " ", st)
				cx++
			}
		}
	}
	drawRow(y, l.titles, l.titles == &colTitles, insStyleTitle)
	for i, r := range rows {
		st := r.style
		if l.offset+i == l.sel {
			st = st.Reverse(true)
			if l.HasFocus() {
				st = insStyleSelected.Bold(true)
			}
		}
		drawRow(y+1+i, &r.text, r.ascii, st)
	}
}

// textCols is the number of columns s takes.
func textCols(s string, ascii bool) int {
	if ascii {
		return len(s)
	}
	return uniseg.StringWidth(s)
}

// InputHandler moves the selection.
func (l *packetList) InputHandler() func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
	return l.WrapInputHandler(func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
		page := max(1, l.height-1)
		switch event.Key() {
		case tcell.KeyDown:
			l.selectRow(l.sel + 1)
		case tcell.KeyUp:
			l.selectRow(l.sel - 1)
		case tcell.KeyPgDn, tcell.KeyCtrlF:
			l.selectRow(l.sel + page)
		case tcell.KeyPgUp, tcell.KeyCtrlB:
			l.selectRow(l.sel - page)
		case tcell.KeyHome:
			l.selectRow(0)
		case tcell.KeyEnd:
			l.selectRow(l.rows() - 1)
		case tcell.KeyEnter:
			if l.enter != nil && l.sel >= 0 {
				l.enter(l.sel)
			}
		case tcell.KeyRune:
			switch event.Rune() {
			case 'j':
				l.selectRow(l.sel + 1)
			case 'k':
				l.selectRow(l.sel - 1)
			case 'g':
				l.selectRow(0)
			case 'G':
				l.selectRow(l.rows() - 1)
			}
		}
	})
}

// MouseHandler: a click selects a row, the wheel scrolls.
func (l *packetList) MouseHandler() func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (bool, tview.Primitive) {
	return l.WrapMouseHandler(func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (bool, tview.Primitive) {
		mx, my := event.Position()
		if !l.InRect(mx, my) {
			return false, nil
		}
		switch action {
		case tview.MouseLeftClick:
			setFocus(l)
			_, y, _, _ := l.GetInnerRect()
			if r := l.offset + my - y - 1; my > y && r < l.rows() {
				l.selectRow(r)
			}
		case tview.MouseLeftDoubleClick:
			if l.enter != nil && l.sel >= 0 {
				l.enter(l.sel)
			}
		case tview.MouseScrollDown:
			l.offset += 3
			l.scrolled = true
		case tview.MouseScrollUp:
			l.offset = max(0, l.offset-3)
			l.scrolled = true
		default:
			return false, nil
		}
		return true, nil
	})
}

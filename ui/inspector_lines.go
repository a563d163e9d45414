package ui

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// Styles of the inspector (the demo view has its own).
var (
	insStyleDefault  = tcell.StyleDefault
	insStyleDim      = tcell.StyleDefault.Foreground(tcell.ColorGray)
	insStyleTitle    = tcell.StyleDefault.Foreground(tcell.ColorYellow).Bold(true)
	insStyleBar      = tcell.StyleDefault.Background(tcell.ColorNavy).Foreground(tcell.ColorWhite)
	insStyleBarWarn  = tcell.StyleDefault.Background(tcell.ColorNavy).Foreground(tcell.ColorYellow).Bold(true)
	insStyleError    = tcell.StyleDefault.Foreground(tcell.ColorRed).Bold(true)
	insStyleA        = tcell.StyleDefault.Foreground(tcell.ColorLightCoral)
	insStyleB        = tcell.StyleDefault.Foreground(tcell.ColorLightSkyBlue)
	insStyleHexHi    = tcell.StyleDefault.Background(tcell.ColorDarkCyan).Foreground(tcell.ColorWhite)
	insStyleHexOff   = tcell.StyleDefault.Foreground(tcell.ColorGray)
	insStyleSelected = tcell.StyleDefault.Background(tcell.ColorDarkBlue).Foreground(tcell.ColorWhite)
)

// styledLine is one line of a linesView.
type styledLine struct {
	text  string
	style tcell.Style
}

// linesView shows lines of text, scrolled with the keys and the wheel. It
// prints cell by cell (printText): no tview tags are read, and control
// characters show as '.', so text from packets is shown as it is.
type linesView struct {
	*tview.Box
	lines      []styledLine
	top, left  int
	emptyText  string
	lastHeight int
}

func newLinesView(title string) *linesView {
	v := &linesView{Box: tview.NewBox()}
	v.SetBorder(true).SetTitle(" " + title + " ").SetTitleAlign(tview.AlignLeft)
	return v
}

func (v *linesView) setLines(lines []styledLine) {
	v.lines = lines
	v.top, v.left = 0, 0
}

// Draw draws the visible lines.
func (v *linesView) Draw(screen tcell.Screen) {
	v.DrawForSubclass(screen, v)
	x, y, w, h := v.GetInnerRect()
	v.lastHeight = h
	if len(v.lines) == 0 && v.emptyText != "" {
		printCells(screen, x, y, x+w, v.emptyText, insStyleDim)
		return
	}
	v.top = max(0, min(v.top, len(v.lines)-h))
	for i := 0; i < h && v.top+i < len(v.lines); i++ {
		l := v.lines[v.top+i]
		printCells(screen, x, y+i, x+w, skipColumns(l.text, v.left), l.style)
	}
}

// skipColumns drops the first n bytes of s (the views scroll ASCII text
// sideways; a multi-byte character cut in two shows as '.').
func skipColumns(s string, n int) string {
	if n >= len(s) {
		return ""
	}
	return s[n:]
}

// InputHandler scrolls.
func (v *linesView) InputHandler() func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
	return v.WrapInputHandler(func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
		page := max(1, v.lastHeight-1)
		switch event.Key() {
		case tcell.KeyDown:
			v.top++
		case tcell.KeyUp:
			v.top--
		case tcell.KeyPgDn, tcell.KeyCtrlF:
			v.top += page
		case tcell.KeyPgUp, tcell.KeyCtrlB:
			v.top -= page
		case tcell.KeyHome:
			v.top = 0
		case tcell.KeyEnd:
			v.top = len(v.lines)
		case tcell.KeyLeft:
			v.left = max(0, v.left-8)
		case tcell.KeyRight:
			v.left += 8
		case tcell.KeyRune:
			switch event.Rune() {
			case 'j':
				v.top++
			case 'k':
				v.top--
			case 'g':
				v.top = 0
			case 'G':
				v.top = len(v.lines)
			case 'h':
				v.left = max(0, v.left-8)
			}
		}
		v.top = max(0, v.top)
	})
}

// MouseHandler scrolls with the wheel and takes the focus on a click.
func (v *linesView) MouseHandler() func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (bool, tview.Primitive) {
	return scrollMouse(v, v.Box, &v.top)
}

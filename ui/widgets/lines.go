package widgets

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"github.com/sockscope/sockscope/internal/textcol"
)

// Line is one line of a LinesView.
type Line struct {
	Text  string
	Style tcell.Style
	// Key, if not 0, is how many bytes at the start of Text are a key
	// name, drawn bold in yellow (help screens).
	Key int
}

// LinesView shows lines of text, scrolled with the keys and the wheel. It
// prints cell by cell (printText): no tview tags are read, and control
// characters show as '.', so text from packets is shown as it is.
type LinesView struct {
	*tview.Box
	Lines      []Line
	top, left  int
	EmptyText  string // shown when there are no lines
	lastHeight int
}

func NewLinesView(title string) *LinesView {
	v := &LinesView{Box: tview.NewBox()}
	v.SetBorder(true).SetTitle(" " + title + " ").SetTitleAlign(tview.AlignLeft)
	return v
}

func (v *LinesView) SetLines(lines []Line) {
	v.Lines = lines
	v.top, v.left = 0, 0
}

// Top is the first line shown.
func (v *LinesView) Top() int { return v.top }

// SetTop scrolls to line top.
func (v *LinesView) SetTop(top int) { v.top = max(0, top) }

// Draw draws the visible lines.
func (v *LinesView) Draw(screen tcell.Screen) {
	v.DrawForSubclass(screen, v)
	x, y, w, h := v.GetInnerRect()
	v.lastHeight = h
	if len(v.Lines) == 0 && v.EmptyText != "" {
		PrintCells(screen, x, y, x+w, v.EmptyText, StyleDim)
		return
	}
	v.top = max(0, min(v.top, len(v.Lines)-h))
	for i := 0; i < h && v.top+i < len(v.Lines); i++ {
		l := v.Lines[v.top+i]
		text := SkipColumns(l.Text, v.left)
		if textcol.Width(text) > w {
			text = textcol.Truncate(text, w) // a cut line ends in "…"
		}
		if k := l.Key - v.left; k > 0 && k <= len(text) {
			cx := PrintCells(screen, x, y+i, x+w, text[:k], StyleKey)
			PrintCells(screen, cx, y+i, x+w, text[k:], l.Style)
			continue
		}
		PrintCells(screen, x, y+i, x+w, text, l.Style)
	}
}

// SkipColumns drops the first n bytes of s (the views scroll ASCII text
// sideways; a multi-byte character cut in two shows as '.').
func SkipColumns(s string, n int) string {
	if n >= len(s) {
		return ""
	}
	return s[n:]
}

// InputHandler scrolls.
func (v *LinesView) InputHandler() func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
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
			v.top = len(v.Lines)
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
				v.top = len(v.Lines)
			case 'h':
				v.left = max(0, v.left-8)
			}
		}
		v.top = max(0, v.top)
	})
}

// MouseHandler scrolls with the wheel and takes the focus on a click.
func (v *LinesView) MouseHandler() func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (bool, tview.Primitive) {
	return ScrollMouse(v, v.Box, &v.top)
}

// StyleDim is the style of a LinesView's empty text.
var StyleDim = tcell.StyleDefault.Foreground(tcell.ColorGray)

// StyleKey is the style of a key's name in a help line.
var StyleKey = tcell.StyleDefault.Foreground(tcell.ColorYellow).Bold(true)

package widgets

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// ScrollMouse is the mouse handler of a pane that scrolls by its top row:
// the wheel moves *top three rows, a click gives p the focus.
func ScrollMouse(p tview.Primitive, box *tview.Box, top *int) func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (bool, tview.Primitive) {
	return box.WrapMouseHandler(func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (bool, tview.Primitive) {
		if !box.InRect(event.Position()) {
			return false, nil
		}
		switch action {
		case tview.MouseScrollDown:
			*top += 3
		case tview.MouseScrollUp:
			*top = max(0, *top-3)
		case tview.MouseLeftClick:
			setFocus(p)
		default:
			return false, nil
		}
		return true, nil
	})
}

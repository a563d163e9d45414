package ui

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/uniseg"
)

// The inspector puts text on the screen cell by cell, never through
// tview's tag parser, and every control character (C0, DEL, C1, line and
// paragraph separators) shows as '.': text that came from packets can
// neither pass for a tag nor reach the terminal as a control sequence.

// insSafe replaces a grapheme cluster holding a control character by '.'.
func insSafe(c string) string {
	for _, r := range c {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == '\u2028' || r == '\u2029' {
			return "."
		}
	}
	return c
}

// insPrint prints s at (x, y) without going past column maxX (exclusive)
// and returns the column after the last cell printed.
func insPrint(screen tcell.Screen, x, y, maxX int, s string, style tcell.Style) int {
	state := -1
	for s != "" && x < maxX {
		var c string
		var w int
		c, s, w, state = uniseg.FirstGraphemeClusterInString(s, state)
		if safe := insSafe(c); safe != c {
			c, w = safe, 1
		}
		if w == 0 {
			continue
		}
		if x+w > maxX {
			break
		}
		screen.Put(x, y, c, style)
		x += w
	}
	return x
}

// insFill paints cells [x, maxX) of row y with r.
func insFill(screen tcell.Screen, x, y, maxX int, r rune, style tcell.Style) {
	s := string(r)
	for ; x < maxX; x++ {
		screen.Put(x, y, s, style)
	}
}

// asciiCells holds a one-character string for each byte below 0x80, so
// that putting ASCII on the screen allocates nothing.
var asciiCells = func() (t [128]string) {
	for i := range t {
		t[i] = string(rune(i))
	}
	return t
}()

// insPad pads s with spaces to width columns.
func insPad(s string, width int) string {
	for n := uniseg.StringWidth(s); n < width; n++ {
		s += " "
	}
	return s
}

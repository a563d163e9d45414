package ui

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/uniseg"
)

// Every view puts text on the screen cell by cell, never through tview's
// tag parser, and every control character (C0, DEL, C1, line and paragraph
// separators) shows as '.': text that came from packets or from what a demo
// sent ("[red]" is a fine payload) can neither pass for a tag nor reach the
// terminal as a control sequence. Widths are terminal columns as uniseg
// counts them (a CJK character takes two).

// safeCluster replaces a grapheme cluster holding a control character by '.'.
func safeCluster(c string) string {
	for _, r := range c {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == '\u2028' || r == '\u2029' {
			return "."
		}
	}
	return c
}

// printCells prints s at (x, y) in style without going past column maxX
// (exclusive) and returns the column after the last cell printed. A wide
// character that would straddle maxX is left out.
func printCells(screen tcell.Screen, x, y, maxX int, s string, style tcell.Style) int {
	state := -1
	for s != "" && x < maxX {
		var c string
		var w int
		c, s, w, state = uniseg.FirstGraphemeClusterInString(s, state)
		if safe := safeCluster(c); safe != c {
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

// fillCells paints cells [x, maxX) of row y with r.
func fillCells(screen tcell.Screen, x, y, maxX int, r rune, style tcell.Style) {
	for ; x < maxX; x++ {
		screen.SetContent(x, y, r, nil, style)
	}
}

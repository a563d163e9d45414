package widgets

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/uniseg"

	"github.com/sockscope/sockscope/internal/escape"
	"github.com/sockscope/sockscope/internal/textcol"
)

// Every view puts text on the screen cell by cell, never through tview's
// tag parser, and every character a terminal could act on (C0, DEL, C1,
// bidi and other format characters, line and paragraph separators) and
// every invalid byte shows as sockscope's one escape (internal/escape:
// `\x1b`, `\u202e`, `\xff`): text that came from packets or from what a
// demo sent ("[red]" is a fine payload) can neither pass for a tag nor
// reach the terminal as a control sequence, and the screen shows what the
// text printer prints. Wire bytes are escaped where they become text
// (decode); this is the last check, so it leaves backslashes alone
// (escape.AppendSafe) and text escaped at its source shows unchanged.
// Widths are terminal columns as uniseg counts them (a CJK character takes
// two).

// SafeCluster returns a grapheme cluster as it may be shown: itself, or
// its escape when it holds a dangerous character or an invalid byte.
func SafeCluster(c string) string { return escape.Safe(c) }

// PrintCells prints s at (x, y) in style without going past column maxX
// (exclusive) and returns the column after the last cell printed. A wide
// character that would straddle maxX is left out.
func PrintCells(screen tcell.Screen, x, y, maxX int, s string, style tcell.Style) int {
	state := -1
	for s != "" && x < maxX {
		var c string
		var w int
		c, s, w, state = uniseg.FirstGraphemeClusterInString(s, state)
		if safe := SafeCluster(c); safe != c {
			// The escape is printable text: print it cluster by cluster.
			x = PrintCells(screen, x, y, maxX, safe, style)
			continue
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

// FillCells paints cells [x, maxX) of row y with r.
func FillCells(screen tcell.Screen, x, y, maxX int, r rune, style tcell.Style) {
	for ; x < maxX; x++ {
		screen.SetContent(x, y, r, nil, style)
	}
}

// ClearWideBefore blanks the cell left of (x, y) when it holds a wide
// character: its second half is column x, and a terminal would draw it over
// whatever goes at x (a pop-up's border).
func ClearWideBefore(screen tcell.Screen, x, y int) {
	if x <= 0 {
		return
	}
	if _, _, _, w := screen.GetContent(x-1, y); w > 1 {
		screen.SetContent(x-1, y, ' ', nil, tcell.StyleDefault)
	}
}

// PrintFit is PrintCells for text that may not fit: cut at maxX, it ends
// in "…".
func PrintFit(screen tcell.Screen, x, y, maxX int, s string, style tcell.Style) int {
	if x >= maxX {
		return x
	}
	return PrintCells(screen, x, y, maxX, textcol.Truncate(s, maxX-x), style)
}

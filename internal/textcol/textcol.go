package textcol

import (
	"strings"

	"github.com/rivo/uniseg"
)

// Width is the number of terminal columns s takes.
func Width(s string) int { return uniseg.StringWidth(s) }

// Truncate cuts s to at most width columns, ending it with "…" when cut.
func Truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if Width(s) <= width {
		return s
	}
	var b strings.Builder
	w, state := 0, -1
	for s != "" {
		var c string
		var cw int
		c, s, cw, state = uniseg.FirstGraphemeClusterInString(s, state)
		if w+cw > width-1 {
			break
		}
		b.WriteString(c)
		w += cw
	}
	b.WriteString("…")
	return b.String()
}

// Wrap breaks s into lines of at most width columns at the line-break
// opportunities of Unicode's line breaking algorithm (UAX #14): between
// words in English, between characters in Chinese (but not before "，" or
// "。"). A newline always breaks. A word longer than a line is cut.
func Wrap(s string, width int) []string {
	if width <= 0 {
		return nil
	}
	var lines []string
	var line strings.Builder
	lineW := 0
	flush := func() {
		lines = append(lines, strings.TrimRight(line.String(), " "))
		line.Reset()
		lineW = 0
	}
	state := -1
	for s != "" {
		var seg string
		var must bool
		seg, s, must, state = uniseg.FirstLineSegmentInString(s, state)
		text := strings.TrimRight(seg, "\r\n")
		visible := Width(strings.TrimRight(text, " "))
		if lineW > 0 && lineW+visible > width {
			flush()
		}
		if lineW == 0 {
			text = strings.TrimLeft(text, " ")
			visible = Width(strings.TrimRight(text, " "))
		}
		for visible > width { // a word wider than the line: cut it
			head := CutColumns(text, width)
			line.WriteString(head)
			flush()
			text = text[len(head):]
			visible = Width(strings.TrimRight(text, " "))
		}
		line.WriteString(text)
		lineW += Width(text)
		if must {
			flush()
		}
	}
	if line.Len() > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// CutColumns returns the longest prefix of s that takes at most width
// columns (at least one grapheme, so that progress is made).
func CutColumns(s string, width int) string {
	n, w, state := 0, 0, -1
	rest := s
	for rest != "" {
		var c string
		var cw int
		c, rest, cw, state = uniseg.FirstGraphemeClusterInString(rest, state)
		if w+cw > width && n > 0 {
			break
		}
		n += len(c)
		w += cw
	}
	return s[:n]
}

// Pad pads s with spaces to width columns.
func Pad(s string, width int) string {
	if w := Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

package textcol

import (
	"strings"
	"unicode/utf8"

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
// words in English, between characters in Chinese, never before closing
// punctuation ("，", "。", "：", "）" …) nor after opening punctuation ("（",
// "“" …). A newline always breaks. A word longer than a line is cut, and
// the cut too keeps closing punctuation off the start of a line and
// opening punctuation off its end (see cutForLine). Every view that wraps
// a lesson's words — the text timeline, the demo view, the help — wraps
// through Wrap.
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
		for !must && s != "" && joinsName(seg, s) { // TIME-WAIT, SYN/ACK: one word
			var more string
			more, s, must, state = uniseg.FirstLineSegmentInString(s, state)
			seg += more
		}
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
			head := cutForLine(text, width)
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

// joinsName reports whether the break between seg and rest falls inside a
// name of capitals joined by "-" or "/" — TIME-WAIT, FIN-WAIT-2, SYN/ACK,
// RST/ACK — that UAX #14 would let break after the hyphen or slash. Wrap
// keeps such a name whole (a tailoring UAX #14 allows): a TCP state cut
// in two reads as two words.
func joinsName(seg, rest string) bool {
	n := len(seg)
	if n < 2 || (seg[n-1] != '-' && seg[n-1] != '/') || !isCapital(seg[n-2]) || rest == "" {
		return false
	}
	return isCapital(rest[0]) || rest[0] >= '0' && rest[0] <= '9'
}

func isCapital(b byte) bool { return b >= 'A' && b <= 'Z' }

// cutForLine is CutColumns for a word (a segment between two line-break
// opportunities) wider than the line, such as "127.0.0.1:7035，": it gives
// back graphemes until the rest does not start with closing punctuation
// and the head does not end with opening punctuation, so that the cut
// obeys the rules a break does. When no such cut exists it cuts where
// CutColumns does.
func cutForLine(s string, width int) string {
	head := CutColumns(s, width)
	for cut := head; cut != ""; {
		rest := s[len(cut):]
		if rest == "" || !breaksBadly(cut, rest) {
			return cut
		}
		cut = dropLastGrapheme(cut)
	}
	return head
}

// breaksBadly reports whether a line ending with head followed by one
// starting with rest breaks a rule.
func breaksBadly(head, rest string) bool {
	first, _ := utf8.DecodeRuneInString(strings.TrimLeft(rest, " "))
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(head, " "))
	return NoLineStart(first) || NoLineEnd(last)
}

func dropLastGrapheme(s string) string {
	n, state, rest := 0, -1, s
	last := 0
	for rest != "" {
		var c string
		c, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		last = n
		n += len(c)
	}
	return s[:last]
}

// noLineStart is the punctuation no line may start with: closing
// brackets and quotes, and the marks that end a clause or sentence, in
// their full-width and ASCII forms.
const noLineStart = "，。、；：！？）」』】》〉〕”’" + ",.;:!?)]}"

// noLineEnd is the punctuation no line may end with: opening brackets and
// quotes.
const noLineEnd = "（「『【《〈〔“‘" + "([{"

// NoLineStart reports whether r may not begin a line (closing punctuation
// such as "，", "。", "：", "）").
func NoLineStart(r rune) bool { return r != utf8.RuneError && strings.ContainsRune(noLineStart, r) }

// NoLineEnd reports whether r may not end a line (opening punctuation such
// as "（", "“").
func NoLineEnd(r rune) bool { return r != utf8.RuneError && strings.ContainsRune(noLineEnd, r) }

// BadBreak returns the index of the first of lines (as Wrap returns them,
// one screen or text line each) that starts with closing punctuation or
// whose predecessor ends with opening punctuation, or -1. A line after an
// empty one starts a paragraph and is not checked for its first rune.
func BadBreak(lines []string) int {
	for i := 1; i < len(lines); i++ {
		prev, line := strings.TrimRight(lines[i-1], " "), strings.TrimLeft(lines[i], " ")
		if prev == "" || line == "" {
			continue
		}
		if breaksBadly(prev, line) {
			return i
		}
	}
	return -1
}

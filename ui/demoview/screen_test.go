package demoview

import (
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/uniseg"
)

// demoScreenLine is one row of a SimulationScreen: the text, and for each
// byte offset of the text the column it is drawn at and the cell's style.
type demoScreenLine struct {
	text   string
	cols   []int // cols[i]: the column of text[i:]
	styles []tcell.Style
}

// screenLines reads what a SimulationScreen shows (a wide character takes
// two columns and appears once).
func screenLines(sim tcell.SimulationScreen) []demoScreenLine {
	cells, w, h := sim.GetContents()
	var lines []demoScreenLine
	for y := 0; y < h; y++ {
		var l demoScreenLine
		for x := 0; x < w; x++ {
			c := cells[y*w+x]
			s := string(c.Runes)
			if s == "" || s == "\x00" {
				s = " "
			}
			for range len(s) {
				l.cols = append(l.cols, x)
				l.styles = append(l.styles, c.Style)
			}
			l.text += s
			if uniseg.StringWidth(s) == 2 {
				x++ // the wide character's second cell
			}
		}
		lines = append(lines, l)
	}
	return lines
}

// col returns the column where sub starts in the line, or -1.
func (l demoScreenLine) col(sub string) int {
	i := strings.Index(l.text, sub)
	if i < 0 {
		return -1
	}
	return l.cols[i]
}

// style returns the style of the cell where sub starts.
func (l demoScreenLine) style(sub string) tcell.Style {
	i := strings.Index(l.text, sub)
	if i < 0 {
		return tcell.StyleDefault
	}
	return l.styles[i]
}

// at returns the cell text at column c.
func (l demoScreenLine) at(c int) string {
	for i, cc := range l.cols {
		if cc == c {
			_, rest, _, _ := uniseg.FirstGraphemeClusterInString(l.text[i:], -1)
			return l.text[i : len(l.text)-len(rest)]
		}
	}
	return ""
}

func demoDump(lines []demoScreenLine) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(strings.TrimRight(l.text, " "))
		b.WriteByte('\n')
	}
	return b.String()
}

func demoFindLine(lines []demoScreenLine, s string) int {
	for i, l := range lines {
		if strings.Contains(l.text, s) {
			return i
		}
	}
	return -1
}

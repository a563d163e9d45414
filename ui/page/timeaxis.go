package page

import (
	"math"
	"strconv"
	"time"
)

// The geometry of the picture, in SVG user units (CSS pixels).
const (
	rowH    = 24.0  // every row's own height
	headH   = 64.0  // lane heads and chart titles
	timeW   = 96.0  // the time column
	laneW   = 300.0 // one lane's column
	colW    = 84.0  // one chart column (send or recv)
	chartGp = 18.0  // between two sockets' charts
	bandH   = 56.0  // the band that counts the rows not drawn
	footH   = 40.0
	charW   = 6.6 // a character of the 11 px monospace font, about
)

// gapFor is the height a wait of d adds before a row: 0 for no wait,
// growing with the logarithm of d, so that the axis is monotone (a
// longer wait is never drawn shorter) and compressed (a 60 s wait is
// about 2.5 times a 1 ms one, not 60,000 times).
func gapFor(d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return 24 * math.Log10(1+float64(d)/float64(20*time.Microsecond))
}

// axis places the rows: y of each drawn row (NaN for a row summarised),
// the band of the rows not drawn, and the waits worth a label.
type axis struct {
	y          []float64
	skipFrom   int // rows [skipFrom, skipTo) are summarised in the band
	skipTo     int
	bandY      float64
	height     float64
	gaps       []gapMark
	lastDrawnY float64
}

// gapMark is a wait of 1 ms or more before a row, labelled on the time
// axis.
type gapMark struct {
	y0, y1 float64
	d      time.Duration
}

func newAxis(p *Page) *axis {
	n := len(p.Rows)
	a := &axis{y: make([]float64, n), skipFrom: n, skipTo: n}
	if n > p.MaxRows {
		h := p.MaxRows / 2
		a.skipFrom, a.skipTo = h, n-h
	}
	y := headH + rowH
	for i := range p.Rows {
		if i >= a.skipFrom && i < a.skipTo {
			a.y[i] = math.NaN()
			if i == a.skipFrom {
				a.bandY = y + rowH/2
				y += bandH
			}
			continue
		}
		if i > 0 && i != a.skipTo {
			d := p.Rows[i].At.Sub(p.Rows[i-1].At)
			g := gapFor(d)
			if d >= time.Millisecond {
				// Between the row before (its text ends about 8 below
				// its y) and this one (its text starts about 12 above).
				a.gaps = append(a.gaps, gapMark{y0: y + 8, y1: y + g + rowH - 14, d: d})
			}
			y += g + rowH
		} else if i > 0 {
			y += rowH
		}
		a.y[i] = y
		a.lastDrawnY = y
	}
	a.height = y + rowH + footH
	return a
}

// drawn reports whether row i is drawn.
func (a *axis) drawn(i int) bool { return i >= 0 && i < len(a.y) && !math.IsNaN(a.y[i]) }

// fmtSince writes the time of a row since the page's start: "0.000 ms",
// "41.279 ms", "1.204 s".
func fmtSince(d time.Duration) string {
	if d < 10*time.Second && d > -10*time.Second {
		return strconv.FormatFloat(float64(d)/1e6, 'f', 3, 64) + " ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) + " s"
}

// fmtWait writes a wait: "40.1 ms", "1.20 s", "820 µs".
func fmtWait(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return strconv.FormatInt(d.Microseconds(), 10) + " µs"
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
}

// fmtBytes writes a byte count for an axis: "512", "8 KiB", "2.5 MiB".
func fmtBytes(n int) string {
	switch {
	case n < 1024:
		return strconv.Itoa(n)
	case n < 1<<20:
		return trimZero(strconv.FormatFloat(float64(n)/1024, 'f', 1, 64)) + " KiB"
	}
	return trimZero(strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64)) + " MiB"
}

func trimZero(s string) string {
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		return s[:len(s)-2]
	}
	return s
}

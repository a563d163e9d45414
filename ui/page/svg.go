package page

import (
	"fmt"
	"strconv"
	"strings"
)

// svgStyle is the picture's own style sheet (the standalone SVG carries
// it; the page has the same rules in its own).
const svgStyle = `
.sk text{font:11px ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;fill:#222}
.sk .lane{stroke:#888;stroke-width:1.2}
.sk .lanehead rect{fill:#eef2f7;stroke:#7a8899}
.sk .lanehead text{font-weight:bold;text-anchor:middle}
.sk .lanehead.extra rect{fill:#f6f6f6;stroke-dasharray:3 2}
.sk .t{fill:#667;text-anchor:end}
.sk .gap line{stroke:#c33;stroke-width:2}
.sk .gap text{fill:#c33;text-anchor:end;font-weight:bold}
.sk .gap rect{fill:#fff4f0}
.sk .step rect{fill:#f3f0e6}
.sk .step text{font-weight:bold}
.sk .arrow{stroke:#2a5db0;stroke-width:1.4;fill:none}
.sk .frame text{fill:#1b3f7a}
.sk .frame.ctl .arrow{stroke:#6a3fa0}.sk .frame.ctl text{fill:#4b2a78}
.sk .frame.ack .arrow{stroke:#8aa;stroke-dasharray:4 2}.sk .frame.ack text{fill:#567}
.sk .frame.expert .arrow{stroke:#c0392b;stroke-width:2}.sk .frame.expert text{fill:#a3261b;font-weight:bold}
.sk .call circle{fill:#1e7d4f}.sk .call text{fill:#145a38}
.sk .call.fail circle{fill:#c0392b}.sk .call.fail text{fill:#a3261b}
.sk .call.inner text{fill:#6b8f7c}
.sk .ret text{fill:#145a38;font-style:italic}
.sk .span{stroke:#1e7d4f;stroke-width:6;stroke-opacity:.25}
.sk .waiting text{fill:#777;font-style:italic}.sk .waiting circle{fill:none;stroke:#777}
.sk .event text{fill:#555;font-style:italic;text-anchor:middle}
.sk .state rect{fill:#fff8d6;stroke:#c9a400}.sk .state text{fill:#6d5800}
.sk .band rect{fill:#f0f0f0;stroke:#aaa;stroke-dasharray:4 3}.sk .band text{text-anchor:middle;fill:#444}
.sk .chart .frame{fill:#fafbfc;stroke:#dde}
.sk .chart .title{font-weight:bold;text-anchor:middle}
.sk .chart .sub{text-anchor:middle;fill:#556}
.sk .chart .tick{fill:#889;font-size:9px}
.sk .chart .cap{stroke:#b03030;stroke-dasharray:5 3;fill:none}
.sk .chart .sendq{stroke:#2a5db0;stroke-width:1.6;fill:none}
.sk .chart .recvq{stroke:#1e7d4f;stroke-width:1.6;fill:none}
.sk .chart .window{stroke:#d07000;stroke-width:1.2;stroke-dasharray:3 2;fill:none}
.sk .chart circle.sendq{fill:#2a5db0;stroke:none}.sk .chart circle.recvq{fill:#1e7d4f;stroke:none}.sk .chart circle.window{fill:#d07000;stroke:none}
.sk .hl text{fill:#d35400!important;font-weight:bold}.sk .hl .arrow{stroke:#d35400!important;stroke-width:3}.sk .hl circle{fill:#d35400!important}
`

// geometry of one page's picture.
type geometry struct {
	ax      *axis
	lanes   int
	ladderW float64
	chartX  float64
	width   float64
}

func laneX(i int) float64 { return timeW + laneW*float64(i) + laneW/2 }

func newGeometry(p *Page) *geometry {
	g := &geometry{ax: newAxis(p), lanes: len(p.Lanes)}
	g.ladderW = timeW + laneW*float64(max(g.lanes, 1))
	g.chartX = g.ladderW + 24
	g.width = g.chartX + float64(len(p.Charts))*(2*colW+chartGp) + 8
	return g
}

// appendSVG draws the ladder and the charts as one <svg> element;
// standalone adds the XML namespace's prologue.
func (p *Page) appendSVG(b []byte, standalone bool) []byte {
	g := newGeometry(p)
	s := &svgBuf{b: b}
	s.raw(`<svg class="sk" xmlns="http://www.w3.org/2000/svg" version="1.1"`)
	s.num("width", g.width)
	s.num("height", g.ax.height)
	s.raw(` viewBox="0 0 `)
	s.b = appendNum(s.b, g.width)
	s.raw(" ")
	s.b = appendNum(s.b, g.ax.height)
	s.raw(`" role="img"`)
	s.attr("aria-label", p.Title)
	s.raw(">\n")
	s.raw("<title>")
	s.text(p.Title)
	s.raw("</title>\n")
	if standalone {
		s.raw("<style>")
		s.raw(svgStyle)
		s.raw("</style>\n")
	}
	s.raw(`<defs><marker id="ah" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="context-stroke"/></marker></defs>` + "\n")
	s.raw(`<rect x="0" y="0" width="100%" height="100%" fill="#fff"/>` + "\n")
	p.drawLanes(s, g)
	p.drawGaps(s, g)
	for i := range p.Rows {
		if g.ax.drawn(i) {
			p.drawRow(s, g, i)
		}
	}
	p.drawBand(s, g)
	for i := range p.Charts {
		p.drawChart(s, g, i)
	}
	s.raw("</svg>\n")
	return s.b
}

func (p *Page) drawLanes(s *svgBuf, g *geometry) {
	bottom := g.ax.height - footH
	s.raw(`<text class="t"`)
	s.num("x", timeW-8)
	s.num("y", headH-22)
	s.raw(">")
	s.text(word(p.ZH, "time"))
	s.raw("</text>\n")
	for i, l := range p.Lanes {
		x := laneX(i)
		s.raw(`<line class="lane"`)
		s.num("x1", x)
		s.num("y1", headH-8)
		s.num("x2", x)
		s.num("y2", bottom)
		s.raw("/>\n")
		cls := "lanehead"
		if l.Extra {
			cls += " extra"
		}
		for _, y := range []float64{headH - 40, bottom} {
			s.raw(`<g`)
			s.attr("class", cls)
			s.attr("data-lane", l.Name)
			if y != headH-40 {
				s.raw(` data-foot="1"`)
			}
			s.raw(`><rect rx="4"`)
			s.num("x", x-laneW/2+10)
			s.num("y", y)
			s.num("width", laneW-20)
			s.num("height", 26)
			s.raw(`/><text`)
			s.num("x", x)
			s.num("y", y+17)
			s.raw(">")
			s.text(cut(l.Name, chars(laneW-32)))
			s.raw("</text><title>")
			s.text(l.Name)
			s.raw("</title></g>\n")
		}
	}
}

// drawGaps marks every wait of 1 ms or more on the time axis: a red bar
// as long as the wait is drawn, and its length in words.
func (p *Page) drawGaps(s *svgBuf, g *geometry) {
	for _, m := range g.ax.gaps {
		s.raw(`<g class="gap"><rect x="0"`)
		s.num("y", m.y0)
		s.num("width", g.ladderW)
		s.num("height", m.y1-m.y0)
		s.raw(`/><line`)
		s.num("x1", timeW-4)
		s.num("y1", m.y0)
		s.num("x2", timeW-4)
		s.num("y2", m.y1)
		s.raw(`/><text`)
		s.num("x", timeW-8)
		s.num("y", (m.y0+m.y1)/2+4)
		s.raw(">")
		s.text("+" + fmtWait(m.d))
		s.raw("</text></g>\n")
	}
}

func (p *Page) drawBand(s *svgBuf, g *geometry) {
	ax := g.ax
	if ax.skipFrom >= ax.skipTo {
		return
	}
	frames, calls := 0, 0
	for _, r := range p.Rows[ax.skipFrom:ax.skipTo] {
		switch r.Kind {
		case RowFrame:
			frames++
		case RowCall:
			calls++
		}
	}
	s.raw(`<g class="band"><rect`)
	s.num("x", 4)
	s.num("y", ax.bandY)
	s.num("width", g.width-8)
	s.num("height", bandH-rowH/2)
	s.raw(`/><text`)
	s.num("x", g.ladderW/2)
	s.num("y", ax.bandY+(bandH-rowH/2)/2+4)
	s.raw(">")
	s.text(bandWords(p, ax.skipTo-ax.skipFrom, frames, calls))
	s.raw("</text></g>\n")
}

// bandWords counts the rows the picture does not draw.
func bandWords(p *Page, rows, frames, calls int) string {
	from, to := p.Rows[p.MaxRows/2].At.Sub(p.Start), p.Rows[len(p.Rows)-p.MaxRows/2-1].At.Sub(p.Start)
	if p.ZH {
		return strconv.Itoa(rows) + " 行未画出（" + strconv.Itoa(frames) + " 个数据包，" + strconv.Itoa(calls) + " 次调用，" + fmtSince(from) + " – " + fmtSince(to) + "）：超过 " + strconv.Itoa(p.MaxRows) + " 行时只画开头和结尾各 " + strconv.Itoa(p.MaxRows/2) + " 行；下方表格列出每一行"
	}
	return strconv.Itoa(rows) + " rows not drawn (" + strconv.Itoa(frames) + " packets, " + strconv.Itoa(calls) + " calls, " + fmtSince(from) + " – " + fmtSince(to) + "): past " + strconv.Itoa(p.MaxRows) + " rows the ladder draws the first and last " + strconv.Itoa(p.MaxRows/2) + "; the tables below list every row"
}

// side is where a lane's call labels go: right of the lane (+1), or left
// for the last of several lanes (-1); state tags go on the other side.
func side(lane, lanes int) float64 {
	if lane == lanes-1 && lanes > 1 {
		return -1
	}
	return 1
}

func (p *Page) drawRow(s *svgBuf, g *geometry, i int) {
	r := &p.Rows[i]
	y := g.ax.y[i]
	if i == 0 || !g.ax.drawn(i-1) || !r.At.Equal(p.Rows[i-1].At) {
		s.raw(`<text class="t"`)
		s.num("x", timeW-8)
		s.num("y", y+4)
		s.raw(">")
		s.text(fmtSince(r.At.Sub(p.Start)))
		s.raw("</text>\n")
	}
	switch r.Kind {
	case RowStep:
		s.raw(`<g class="step"`)
		s.attr("id", r.ID)
		s.attr("data-id", r.ID)
		s.raw(`><rect`)
		s.num("x", timeW)
		s.num("y", y-14)
		s.num("width", g.ladderW-timeW)
		s.num("height", 20)
		s.raw(`/><text`)
		s.num("x", timeW+8)
		s.num("y", y)
		s.raw(">")
		s.text(word(p.ZH, "Step") + " " + strconv.Itoa(r.Step) + ": " + r.Label)
		s.raw("</text></g>\n")
	case RowCall, RowWaiting, RowReturn:
		p.drawCall(s, g, i)
	case RowFrame:
		p.drawFrame(s, g, i)
	case RowEvent:
		s.raw(`<g class="event"`)
		s.attr("data-id", r.ID)
		s.attr("data-links", strings.Join(r.Links, " "))
		s.raw(`><text`)
		s.num("x", (laneX(0)+laneX(g.lanes-1))/2)
		s.num("y", y+4)
		s.raw(">* ")
		s.text(r.Label)
		s.raw("</text></g>\n")
	}
	for _, st := range r.States {
		w := float64(len(st.State))*charW + 10
		x := laneX(st.Lane) - side(st.Lane, g.lanes)*(10+w/2)
		s.raw(`<g class="state"`)
		s.attr("data-lane", p.Lanes[st.Lane].Name)
		s.raw(`><rect rx="3"`)
		s.num("x", x-w/2)
		s.num("y", y+3)
		s.num("width", w)
		s.num("height", 15)
		s.raw(`/><text text-anchor="middle"`)
		s.num("x", x)
		s.num("y", y+14)
		s.raw(">")
		s.text(st.State)
		s.raw("</text></g>\n")
	}
}

func (p *Page) drawCall(s *svgBuf, g *geometry, i int) {
	r := &p.Rows[i]
	y := g.ax.y[i]
	x := laneX(r.Lane)
	dir := side(r.Lane, g.lanes)
	cls := "call"
	label := "#" + r.ID[1:] + " " + r.Label
	switch r.Kind {
	case RowWaiting:
		cls, label = "waiting", r.Label
	case RowReturn:
		cls = "ret"
		label = "↩ #" + r.ID[1:] + " " + word(p.ZH, "blocked") + " " + fmtWait(r.Blocked)
		if r.CallRow >= 0 && g.ax.drawn(r.CallRow) {
			s.raw(`<line class="span"`)
			s.num("x1", x)
			s.num("y1", g.ax.y[r.CallRow])
			s.num("x2", x)
			s.num("y2", y)
			s.raw("/>\n")
		}
	}
	if r.Fail {
		cls += " fail"
	}
	if r.Inner {
		cls += " inner"
	}
	s.raw(`<g`)
	s.attr("class", cls)
	if r.Kind == RowCall {
		s.attr("id", r.ID)
	}
	s.attr("data-id", r.ID)
	if len(r.Links) > 0 {
		s.attr("data-links", strings.Join(r.Links, " "))
	}
	s.raw(`><title>`)
	s.text(p.Lanes[r.Lane].Name + ": " + r.Label)
	if r.Tied != "" {
		s.text(" — " + word(p.ZH, "tied to") + " " + r.Tied)
	}
	s.raw(`</title><circle r="4"`)
	s.num("cx", x)
	s.num("cy", y)
	s.raw(`/><text`)
	s.num("x", x+dir*9)
	s.num("y", y+4)
	if dir < 0 {
		s.raw(` text-anchor="end"`)
	}
	s.raw(">")
	s.text(cut(label, chars(laneW*1.5)))
	s.raw("</text></g>\n")
}

func (p *Page) drawFrame(s *svgBuf, g *geometry, i int) {
	r := &p.Rows[i]
	y := g.ax.y[i]
	cls := "frame"
	switch {
	case r.Expert:
		cls += " expert"
	case r.Control:
		cls += " ctl"
	case r.PureAck:
		cls += " ack"
	}
	s.raw(`<g`)
	s.attr("class", cls)
	s.attr("id", r.ID)
	s.attr("data-id", r.ID)
	if len(r.Links) > 0 {
		s.attr("data-links", strings.Join(r.Links, " "))
	}
	s.raw(`><title>`)
	s.text("#" + r.ID[1:] + " " + p.Lanes[r.Lane].Name + " → ")
	for k, to := range r.To {
		if k > 0 {
			s.text(", ")
		}
		s.text(p.Lanes[to].Name)
	}
	s.text(": " + r.Label)
	if r.Tied != "" {
		s.text(" — " + word(p.ZH, "tied to") + " " + r.Tied)
	}
	s.raw(`</title>`)
	x0 := laneX(r.Lane)
	lo, hi := x0, x0
	for _, to := range r.To {
		x1 := laneX(to)
		if to == r.Lane { // to itself: a small loop
			x1 = x0 + 40
		}
		lo, hi = min(lo, x1), max(hi, x1)
		s.raw(`<line class="arrow" marker-end="url(#ah)"`)
		s.num("x1", x0)
		s.num("y1", y)
		s.num("x2", x1)
		s.num("y2", y)
		s.raw("/>")
	}
	// The label above the arrow, from its start, as far as it goes.
	// It may run past the far lane into the margin (state tags sit
	// below the arrow, not beside its label).
	n := chars(hi - lo - 16 + laneW/2 - 10)
	lx, anchor := lo+8, ""
	if r.To[0] < r.Lane {
		lx, anchor = hi-8, ` text-anchor="end"`
	}
	s.raw(`<text`)
	s.num("x", lx)
	s.num("y", y-4)
	s.raw(anchor)
	s.raw(">")
	s.text(cut("#"+r.ID[1:]+" "+r.Label, n))
	s.raw("</text></g>\n")
}

// chartCols returns the x of a chart's send and recv columns.
func (g *geometry) chartCols(ci int) (send, recv float64) {
	x := g.chartX + float64(ci)*(2*colW+chartGp)
	return x, x + colW
}

// scale is a chart column's bytes at full width: its largest value or
// capacity.
func colScale(c *Chart, recv bool) int {
	m := 1
	for _, pts := range [][]Point{c.Points, c.Lines} {
		for _, pt := range pts {
			if recv {
				m = max(m, pt.RecvQ, pt.Window, pt.RcvBuf)
			} else {
				m = max(m, pt.SendQ)
				if !c.Listener {
					m = max(m, pt.SndBuf)
				}
			}
		}
	}
	return m
}

// chartX maps a byte count to x in a column starting at x0.
func chartXOf(x0 float64, v, scale int) float64 {
	return x0 + 4 + float64(v)*(colW-10)/float64(scale)
}

func (p *Page) drawChart(s *svgBuf, g *geometry, ci int) {
	c := &p.Charts[ci]
	sx, rx := g.chartCols(ci)
	ss, rs := colScale(c, false), colScale(c, true)
	top, bottom := headH-8, g.ax.height-footH
	s.raw(`<g class="chart"`)
	s.attr("data-endpoint", c.Endpoint)
	s.int("data-fd", c.FD)
	s.int("data-sock", c.Sock)
	s.attr("data-proto", c.Proto)
	s.int("data-send-max", ss)
	s.int("data-recv-max", rs)
	s.num("data-send-x", sx+4)
	s.num("data-recv-x", rx+4)
	s.num("data-w", colW-10)
	s.raw(">\n")
	for k, x := range []float64{sx, rx} {
		s.raw(`<rect class="frame"`)
		s.num("x", x+1)
		s.num("y", top)
		s.num("width", colW-2)
		s.num("height", bottom-top)
		s.raw("/>")
		sub := word(p.ZH, "send")
		full := ss
		if k == 1 {
			sub, full = word(p.ZH, "recv"), rs
		}
		if c.Capture {
			sub = word(p.ZH, "in flight")
			if k == 1 {
				sub = word(p.ZH, "window")
			}
		}
		if c.Listener {
			sub = word(p.ZH, "backlog")
			if k == 1 {
				sub = word(p.ZH, "accept q")
			}
		}
		s.raw(`<text class="sub"`)
		s.num("x", x+colW/2)
		s.num("y", headH-14)
		s.raw(">")
		s.text(sub)
		s.raw(`</text><text class="tick"`)
		s.num("x", x+colW-4)
		s.num("y", top+10)
		s.raw(` text-anchor="end">`)
		s.text(fmtBytes(full))
		s.raw("</text>\n")
	}
	s.raw(`<text class="title"`)
	s.num("x", sx+colW)
	s.num("y", headH-30)
	s.raw(">")
	s.text(cut(c.Title, chars(2*colW)))
	s.raw("<title>")
	s.text(c.Title)
	s.raw("</title></text>\n")

	end := g.ax.lastDrawnY
	if g.ax.drawn(c.Until) {
		end = g.ax.y[c.Until]
	}
	line := func(cls string, x0 float64, scale int, val func(*Point) int) {
		var b []byte
		prev := -1.0
		pts := c.Lines
		if pts == nil {
			pts = c.Points
		}
		for k := range pts {
			pt := &pts[k]
			if !g.ax.drawn(pt.Row) {
				continue
			}
			v := val(pt)
			y := g.ax.y[pt.Row]
			if v < 0 {
				if prev >= 0 {
					b = appendPoint(b, prev, y)
				}
				prev = -1
				continue
			}
			x := chartXOf(x0, v, scale)
			if prev >= 0 {
				b = appendPoint(b, prev, y)
			}
			b = appendPoint(b, x, y)
			prev = x
		}
		if prev >= 0 {
			b = appendPoint(b, prev, end)
		}
		if len(b) == 0 {
			return
		}
		s.raw(`<polyline`)
		s.attr("class", cls)
		s.raw(` points="`)
		s.b = append(s.b, b...)
		s.raw(`"/>` + "\n")
	}
	if !c.Listener && !c.Capture {
		line("cap sndbuf", sx, ss, func(pt *Point) int { return pt.SndBuf })
		line("cap rcvbuf", rx, rs, func(pt *Point) int { return pt.RcvBuf })
	}
	line("sendq", sx, ss, func(pt *Point) int { return pt.SendQ })
	line("recvq", rx, rs, func(pt *Point) int { return pt.RecvQ })
	line("window", rx, rs, func(pt *Point) int { return pt.Window })
	skipped := 0
	for k := range c.Points {
		pt := &c.Points[k]
		if !g.ax.drawn(pt.Row) {
			skipped++
			continue
		}
		y := g.ax.y[pt.Row]
		s.raw(`<g class="pt"`)
		s.attr("data-after", pt.After)
		if !c.Capture {
			s.attr("data-endpoint", pt.Endpoint)
			s.int("data-fd", pt.FD)
		}
		s.attr("data-row", p.Rows[pt.Row].ID)
		s.attr("data-time", strconv.FormatInt(pt.At.Unix(), 10)+"."+fmt.Sprintf("%09d", pt.At.Nanosecond()))
		s.int("data-sendq", pt.SendQ)
		s.int("data-unsent", pt.Unsent)
		s.int("data-recvq", pt.RecvQ)
		s.int("data-sndbuf", pt.SndBuf)
		s.int("data-rcvbuf", pt.RcvBuf)
		s.int("data-window", pt.Window)
		if c.Proto == "udp" {
			s.int("data-datagrams", pt.Datagrams)
			s.int("data-dropped", pt.Dropped)
		}
		s.raw(`><title>`)
		s.text(pointWords(p, c, pt))
		s.raw(`</title>`)
		for _, d := range []struct {
			cls   string
			x0    float64
			v, sc int
		}{{"sendq", sx, pt.SendQ, ss}, {"recvq", rx, pt.RecvQ, rs}, {"window", rx, pt.Window, rs}} {
			if d.v < 0 {
				continue
			}
			s.raw(`<circle r="2.2"`)
			s.attr("class", d.cls)
			s.num("cx", chartXOf(d.x0, d.v, d.sc))
			s.num("cy", y)
			s.raw("/>")
		}
		s.raw("</g>\n")
	}
	if skipped > 0 {
		s.raw(`<text class="tick"`)
		s.num("x", sx+colW)
		s.num("y", g.ax.bandY+bandH/2+16)
		s.raw(` text-anchor="middle">`)
		s.text(strconv.Itoa(skipped) + " …")
		s.raw("</text>\n")
	}
	s.raw("</g>\n")
}

func appendPoint(b []byte, x, y float64) []byte {
	if len(b) > 0 {
		b = append(b, ' ')
	}
	b = appendNum(b, x)
	b = append(b, ',')
	return appendNum(b, y)
}

// pointWords is a point's tooltip.
func pointWords(p *Page, c *Chart, pt *Point) string {
	var b strings.Builder
	b.WriteString(c.Title)
	b.WriteString(" — ")
	b.WriteString(pt.After)
	if c.Capture {
		b.WriteString(": " + word(p.ZH, "in flight") + " " + strconv.Itoa(pt.SendQ))
		if pt.Window >= 0 {
			b.WriteString(", " + word(p.ZH, "window") + " " + strconv.Itoa(pt.Window))
		}
		return b.String()
	}
	b.WriteString(": Send-Q " + strconv.Itoa(pt.SendQ))
	if pt.SndBuf >= 0 {
		b.WriteString("/" + strconv.Itoa(pt.SndBuf))
	}
	if pt.Unsent > 0 {
		b.WriteString(" (unsent " + strconv.Itoa(pt.Unsent) + ")")
	}
	b.WriteString(", Recv-Q " + strconv.Itoa(pt.RecvQ))
	if pt.RcvBuf >= 0 {
		b.WriteString("/" + strconv.Itoa(pt.RcvBuf))
	}
	if pt.Window >= 0 {
		b.WriteString(", window " + strconv.Itoa(pt.Window))
	}
	if c.Proto == "udp" {
		b.WriteString(", datagrams " + strconv.Itoa(pt.Datagrams) + ", dropped " + strconv.Itoa(pt.Dropped))
	}
	return b.String()
}

// chars is how many characters fit in width w.
func chars(w float64) int { return int(w / charW) }

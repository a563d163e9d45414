package page

import (
	"sort"
	"strconv"
	"strings"

	"github.com/sockscope/sockscope/demos/timeline"
)

// Lesson returns the page of a lesson run or a trace: t's rows, its
// lanes, its steps, and a chart per socket with a point wherever a row
// changed that socket's buffers (the rows and values of the JSON's
// "buffer" objects).
func Lesson(t *timeline.Timeline, o Options) *Page {
	p := &Page{What: "lesson", ZH: o.ZH, MaxRows: maxRows(o)}
	if d := t.Demo; d != nil {
		p.Title, p.Summary = d.Name+" — "+d.Title, d.Summary
		if o.ZH && d.TitleZH != "" {
			p.Title = d.Name + " — " + d.TitleZH
		}
		if o.ZH && d.SummaryZH != "" {
			p.Summary = d.SummaryZH
		}
		if d.Name == "trace" {
			p.What = "trace"
		}
	}
	for _, n := range t.Lanes {
		p.Lanes = append(p.Lanes, Lane{Name: n})
	}
	extra := -1
	extraLane := func() int {
		if extra < 0 {
			extra = len(p.Lanes)
			p.Lanes = append(p.Lanes, Lane{Name: word(o.ZH, "no socket of the run"), Extra: true})
		}
		return extra
	}
	charts := map[int]int{} // socket ID → index in p.Charts
	lastSeen := map[int]int{}
	lines := map[int][]Point{} // socket ID → its states where they changed
	callRow := map[int]int{}
	steps := map[int]int{} // step number → index in p.Steps
	stepOf := func(n int) *Step {
		if i, ok := steps[n]; ok {
			return &p.Steps[i]
		}
		title, explain, ok := t.StepWords(n)
		if !ok {
			title = word(o.ZH, "Before the first step")
		}
		steps[n] = len(p.Steps)
		p.Steps = append(p.Steps, Step{Num: n, Title: title, Explain: explain})
		return &p.Steps[len(p.Steps)-1]
	}
	for i := range t.Rows {
		r := &t.Rows[i]
		if p.Start.IsZero() || r.At.Before(p.Start) {
			p.Start = r.At
		}
		row := Row{At: r.At, Step: r.Step, Lane: r.Lane, Label: r.Text, CallRow: -1}
		var after string
		switch r.Kind {
		case timeline.KindStep:
			row.Kind, row.ID = RowStep, "s"+strconv.Itoa(r.Num)
			stepOf(r.Num)
		case timeline.KindOutcome:
			stepOf(r.Num).Outcome = r.Text
			continue
		case timeline.KindSockets:
			continue
		case timeline.KindCall:
			row.Kind, row.ID = RowCall, "c"+strconv.Itoa(r.Num)
			row.Fail, row.Inner, row.Blocked = r.Fail, r.Inner, r.Blocked
			calls, frames := t.Linked(r.Kind, r.Num)
			row.Links, row.Tied = links(o.ZH, calls, frames)
			callRow[r.Num] = len(p.Rows)
			after = "call " + strconv.Itoa(r.Num)
		case timeline.KindReturn:
			row.Kind, row.ID = RowReturn, "r"+strconv.Itoa(r.Num)
			row.Blocked = r.Blocked
			row.Label = word(o.ZH, "returned: ") + r.Text
			if j, ok := callRow[r.Num]; ok {
				row.CallRow = j
				row.Blocked = r.At.Sub(p.Rows[j].At)
			}
			row.Links = []string{"c" + strconv.Itoa(r.Num)}
			row.Tied = word(o.ZH, "call ") + strconv.Itoa(r.Num)
			after = "call " + strconv.Itoa(r.Num)
		case timeline.KindWaiting:
			row.Kind, row.ID = RowWaiting, "w"+strconv.Itoa(r.Num)
			if row.Lane < 0 {
				row.Lane = extraLane()
			}
		case timeline.KindFrame:
			row.Kind, row.ID = RowFrame, "f"+strconv.Itoa(r.Num)
			row.Expert, row.Control, row.PureAck, row.Broadcast = r.Expert, r.Control, r.PureAck, r.Broadcast
			row.To = append([]int(nil), r.To...)
			if row.Lane < 0 {
				row.Lane = extraLane()
			}
			if len(row.To) == 0 {
				row.To = []int{extraLane()}
			}
			calls, frames := t.Linked(r.Kind, r.Num)
			row.Links, row.Tied = links(o.ZH, calls, frames)
			after = "frame " + strconv.Itoa(r.Num)
		default:
			continue
		}
		row.States = stateNotes(r.Note, t.Lanes)
		ri := len(p.Rows)
		if row.Kind != RowStep {
			st := stepOf(row.Step)
			st.Rows = append(st.Rows, ri)
		}
		p.Rows = append(p.Rows, row)
		for k := range r.Socks {
			s := &r.Socks[k]
			if s.Closed {
				continue
			}
			lastSeen[s.ID] = ri
			l := lines[s.ID]
			if n := len(l); n == 0 || l[n-1].SendQ != s.SendQ || l[n-1].RecvQ != s.RecvQ || l[n-1].Window != s.Window ||
				l[n-1].SndBuf != s.SndBuf || l[n-1].RcvBuf != s.RcvBuf {
				lines[s.ID] = append(l, Point{Row: ri, At: r.At, SendQ: s.SendQ, Unsent: s.Unsent, RecvQ: s.RecvQ,
					SndBuf: s.SndBuf, RcvBuf: s.RcvBuf, Window: s.Window, Endpoint: s.Endpoint, FD: s.FD})
			}
		}
		if after == "" {
			continue
		}
		// The same sockets and values as the JSON's "buffer" objects
		// (timeline.AppendJSON: rows of calls, returns and frames).
		for _, k := range r.Changed {
			s := &r.Socks[k]
			ci, ok := charts[s.ID]
			if !ok {
				ci = len(p.Charts)
				charts[s.ID] = ci
				p.Charts = append(p.Charts, Chart{Endpoint: s.Endpoint, FD: s.FD, Sock: s.ID, Lane: s.Lane, Proto: s.Proto, Listener: s.Listener,
					Title: s.Endpoint + " fd " + strconv.Itoa(s.FD)})
			}
			if c := &p.Charts[ci]; s.FD > 0 && c.FD != s.FD {
				c.FD, c.Endpoint, c.Lane = s.FD, s.Endpoint, s.Lane
				c.Title = s.Endpoint + " fd " + strconv.Itoa(s.FD)
			}
			p.Charts[ci].Points = append(p.Charts[ci].Points, Point{Row: ri, After: after, At: r.At, Endpoint: s.Endpoint, FD: s.FD,
				SendQ: s.SendQ, Unsent: s.Unsent, RecvQ: s.RecvQ, SndBuf: s.SndBuf, RcvBuf: s.RcvBuf, Window: s.Window,
				Datagrams: s.Datagrams, Dropped: s.Dropped})
		}
	}
	for i := range p.Charts {
		c := &p.Charts[i]
		c.Until = max(lastSeen[c.Sock], c.Points[len(c.Points)-1].Row)
		// From the chart's first point on (before it the socket's
		// buffers were empty, and a listener's window is no one's).
		for _, pt := range lines[c.Sock] {
			if pt.Row >= c.Points[0].Row {
				c.Lines = append(c.Lines, pt)
			}
		}
	}
	sort.SliceStable(p.Steps, func(i, j int) bool { return p.Steps[i].Num < p.Steps[j].Num })
	return p
}

func maxRows(o Options) int {
	if o.MaxRows > 0 {
		return max(o.MaxRows, 2)
	}
	return DefaultMaxRows
}

// links returns the IDs and the words of what a call or frame is tied to.
func links(zh bool, calls, frames map[int]bool) ([]string, string) {
	cs, fs := sortedKeys(calls), sortedKeys(frames)
	var ids []string
	var words []string
	if len(cs) > 0 {
		var b strings.Builder
		b.WriteString(word(zh, "calls "))
		for i, n := range cs {
			ids = append(ids, "c"+strconv.Itoa(n))
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Itoa(n))
		}
		words = append(words, b.String())
	}
	if len(fs) > 0 {
		var b strings.Builder
		b.WriteString(word(zh, "frames "))
		for i, n := range fs {
			ids = append(ids, "f"+strconv.Itoa(n))
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Itoa(n))
		}
		words = append(words, b.String())
	}
	return ids, strings.Join(words, "; ")
}

func sortedKeys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// stateNotes splits a row's note ("client FIN-WAIT-1 · server
// CLOSE-WAIT") into the lanes' new states: each part starts with a lane's
// name (the longest that fits, as names may hold spaces).
func stateNotes(note string, lanes []string) []StateNote {
	if note == "" {
		return nil
	}
	var out []StateNote
	for _, part := range strings.Split(note, " · ") {
		best := -1
		for i, l := range lanes {
			if strings.HasPrefix(part, l+" ") && (best < 0 || len(l) > len(lanes[best])) {
				best = i
			}
		}
		if best >= 0 {
			out = append(out, StateNote{Lane: best, State: strings.TrimPrefix(part, lanes[best]+" ")})
		}
	}
	return out
}

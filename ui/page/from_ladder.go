package page

import (
	"strconv"
	"time"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/timeline"
)

// PreviewBytes is how much of a segment's payload a connection's page
// shows (quoted, as the lessons' ladder does).
const PreviewBytes = 32

// Connection returns the page of one conversation of a capture: two
// lanes, an arrow per row with its payload preview (previews[i] is row
// i's payload start, or nil), the states where they change, the
// connection's named events, and per endpoint a chart of the bytes it
// had in flight (sent and not yet acknowledged by the other side) and of
// the window it advertised. A capture has no socket calls and no socket
// buffers: the page says so.
func Connection(l *decode.Ladder, previews [][]byte, o Options) *Page {
	p := &Page{What: "connection", ZH: o.ZH, MaxRows: maxRows(o)}
	p.Title = l.Conv.String()
	for i := range l.Lanes {
		name := string("AB"[i]) + " " + l.Lanes[i]
		if r := l.Roles[i]; r == decode.RoleClient || r == decode.RoleServer {
			name += " (" + r.String() + ")"
		}
		p.Lanes = append(p.Lanes, Lane{Name: name})
	}
	p.Summary = p.Lanes[0].Name + " ↔ " + p.Lanes[1].Name
	p.Note = word(o.ZH, "From a capture: no socket calls and no socket buffers; the charts show each endpoint's bytes in flight and the window it advertised.")
	p.Steps = []Step{{Num: 1, Title: word(o.ZH, "The connection"), Explain: ""}}
	tcp := l.TCP()
	var charts [2]Chart
	for i := range charts {
		charts[i] = Chart{Title: p.Lanes[i].Name, Endpoint: p.Lanes[i].Name, Lane: i, Proto: l.Conv.Proto, Capture: true}
	}
	var next [2]uint32 // highest seq+len sent (relative), per side
	var acked [2]uint32
	var sent [2]bool
	var win [2]int
	win[0], win[1] = -1, -1
	for i := range l.Rows {
		r := &l.Rows[i]
		at := time.Unix(r.Sec, r.Nsec)
		if i == 0 {
			p.Start = at
		}
		row := Row{Kind: RowFrame, ID: "f" + strconv.Itoa(r.Frame), At: at, Step: 1, Lane: r.Dir, To: []int{1 - r.Dir}, CallRow: -1}
		row.Label = r.Label
		if i < len(previews) && len(previews[i]) > 0 {
			row.Label += " " + timeline.Quote(previews[i], PreviewBytes)
		}
		row.Expert = r.Expert != 0
		row.Control = r.Flags&(decode.TCPSyn|decode.TCPFin|decode.TCPRst) != 0
		row.PureAck = tcp && !row.Control && r.Len == 0
		for side := range 2 {
			if r.Changed[side] {
				row.States = append(row.States, StateNote{Lane: side, State: r.State[side].String()})
			}
		}
		ri := len(p.Rows)
		p.Steps[0].Rows = append(p.Steps[0].Rows, ri)
		p.Rows = append(p.Rows, row)
		for _, e := range l.Events {
			if e.Frame == r.Frame {
				ev := Row{Kind: RowEvent, ID: "e" + strconv.Itoa(len(p.Rows)), At: at, Step: 1, Lane: -1, Label: e.String(), CallRow: -1,
					Links: []string{row.ID}, Tied: word(o.ZH, "frames ") + strconv.Itoa(r.Frame)}
				p.Steps[0].Rows = append(p.Steps[0].Rows, len(p.Rows))
				p.Rows = append(p.Rows, ev)
			}
		}
		if !tcp {
			continue
		}
		d := r.Dir
		end := r.Seq + uint32(r.Len)
		if r.Flags&(decode.TCPSyn|decode.TCPFin) != 0 {
			end++
		}
		if !sent[d] || int32(end-next[d]) > 0 {
			next[d] = end
		}
		if !sent[d] {
			acked[d] = r.Seq
			sent[d] = true
		}
		if r.HasAck {
			if o := 1 - d; sent[o] && int32(r.Ack-acked[o]) > 0 {
				acked[o] = r.Ack
			}
			win[d] = int(r.Window)
		}
		after := "frame " + strconv.Itoa(r.Frame)
		for side := range 2 {
			if !sent[side] {
				continue
			}
			fl := int(int32(next[side] - acked[side]))
			pt := Point{Row: ri, After: after, At: at, SendQ: max(fl, 0), Unsent: -1, RecvQ: -1, SndBuf: -1, RcvBuf: -1, Window: win[side], Datagrams: -1, Dropped: -1}
			c := &charts[side]
			if n := len(c.Points); n > 0 && c.Points[n-1].SendQ == pt.SendQ && c.Points[n-1].Window == pt.Window {
				continue
			}
			c.Points = append(c.Points, pt)
		}
	}
	for i := range charts {
		if len(charts[i].Points) > 0 {
			charts[i].Until = len(p.Rows) - 1
			p.Charts = append(p.Charts, charts[i])
		}
	}
	return p
}

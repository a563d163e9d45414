package demoview

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/demos/timeline"
	"github.com/sockscope/sockscope/internal/textcol"
)

// Where the lanes go: the threads of one program sit next to it, right
// after it (a lesson's handler-1 … handler-3 after its server: a socket the
// server accepted moves to the thread that uses it, and its packets with
// it; a traced program's "python3 s.py [412] thread 415" after
// "python3 s.py [412]"); and each lane is as wide as its calls and its
// sockets need, while the screen has room, else they share it evenly
// (narrow lanes no narrower than demoMinLane, wide ones cut first).

// demoMinLane is the narrowest a lane is made while others are wider.
const demoMinLane = 14

// demoMaxLane is the most a lane asks for.
const demoMaxLane = 64

// laneParents returns, for each lane, the lane of the program it is a
// thread of, or -1.
func laneParents(tl *timeline.Timeline) []int {
	parent := make([]int, len(tl.Lanes))
	for i := range parent {
		parent[i] = -1
	}
	byName := map[string]int{}
	for i, n := range tl.Lanes {
		byName[n] = i
	}
	// A traced program's thread: "name [pid] thread tid".
	for i, n := range tl.Lanes {
		if k := strings.LastIndex(n, " thread "); k > 0 {
			if p, ok := byName[n[:k]]; ok && p != i {
				parent[i] = p
			}
		}
	}
	// A socket one endpoint had and another then used (a descriptor
	// handed to a thread): the second is a thread of the first.
	first := map[int]int{}
	for r := range tl.Rows {
		for _, s := range tl.Rows[r].Socks {
			if s.Lane < 0 || s.Lane >= len(parent) {
				continue
			}
			f, ok := first[s.ID]
			if !ok {
				first[s.ID] = s.Lane
				continue
			}
			if f != s.Lane && parent[s.Lane] < 0 && parent[f] != s.Lane {
				parent[s.Lane] = f
			}
		}
	}
	// One level: a thread of a thread belongs to the program.
	for i := range parent {
		for k := 0; parent[i] >= 0 && parent[parent[i]] >= 0 && k < len(parent); k++ {
			parent[i] = parent[parent[i]]
		}
		if parent[i] == i {
			parent[i] = -1
		}
	}
	return parent
}

// laneOrder is the lanes (named names) in the order they are drawn: each
// program in the order of its first call, then its threads by name.
func laneOrder(parent []int, names []string) []int {
	order := make([]int, 0, len(parent))
	for i, p := range parent {
		if p >= 0 {
			continue
		}
		order = append(order, i)
		var kids []int
		for k, q := range parent {
			if q == i {
				kids = append(kids, k)
			}
		}
		// handler-1 before handler-2 whichever called first, handler-9
		// before handler-10.
		slices.SortStableFunc(kids, func(a, b int) int {
			na, nb := names[a], names[b]
			if len(na) != len(nb) {
				return len(na) - len(nb)
			}
			return strings.Compare(na, nb)
		})
		order = append(order, kids...)
	}
	return order
}

// laneName is how a lane's head names it: a thread's name begins with
// "└ " (under its program, at its left).
func (v *View) laneName(i int) string {
	if i < len(v.parents) && v.parents[i] >= 0 {
		return "└ " + v.tl.Lanes[i]
	}
	return v.tl.Lanes[i]
}

// laneNeeds is the width each lane would like: its name, its sockets'
// labels and bars, and the calls beside it in rows [0, end).
func (v *View) laneNeeds(end int) []int {
	tl := v.tl
	need := make([]int, len(tl.Lanes))
	for i := range need {
		need[i] = textcol.Width(v.laneName(i)) + 2
	}
	for r := 0; r < end && r < len(tl.Rows); r++ {
		row := &tl.Rows[r]
		for k := range row.Socks {
			s := &row.Socks[k]
			if s.Lane >= 0 && s.Lane < len(need) {
				// The label line ("fd 9 127.0.0.1:7001 ESTAB  model"),
				// and a queue's line: "Recv-Q 16 B / 131072 B", a bar of
				// 12, "✓ kernel" and what follows (UDP's datagrams and
				// drops, TCP's window).
				w := textcol.Width(demoSockLabel(s, v.zh)) + textcol.Width(s.State) + 10
				q := textcol.Width(fmt.Sprintf("Recv-Q %d B / %d B", max(s.RecvQ, s.SendQ, 0), max(s.RcvBuf, s.SndBuf, 0))) + 2 + 14 + 10
				switch s.Proto {
				case "udp":
					q += 24
				case "tcp":
					q += 11
				}
				need[s.Lane] = max(need[s.Lane], w, q)
			}
		}
		switch row.Kind {
		case timeline.KindCall, timeline.KindReturn, timeline.KindWaiting:
			if row.Lane < 0 || row.Lane >= len(need) {
				continue
			}
			w := textcol.Width(row.Text)
			if c := tl.Run.Call(row.Num); c != nil && row.Kind != timeline.KindWaiting {
				w = textcol.Width(string(sockcall.AppendCallLabel(nil, c)))
			}
			if row.Inner {
				w += 2
			}
			switch {
			case row.Kind == timeline.KindWaiting:
				w += 28
			case row.Blocked > 0:
				w += 18
			}
			need[row.Lane] = max(need[row.Lane], w+3)
		}
	}
	for i := range need {
		need[i] = min(need[i], demoMaxLane)
	}
	return need
}

// placeLanes sets v.laneX (each lane's line, by lane index) and v.laneEnd
// (the column its text stops before) for lanes drawn from x+demoGutter to
// maxX, with the rows [0, end) shown.
func (v *View) placeLanes(x, maxX, end int) {
	tl := v.tl
	n := len(tl.Lanes)
	v.parents = laneParents(tl)
	order := laneOrder(v.parents, tl.Lanes)
	v.laneX, v.laneEnd = make([]int, n), make([]int, n)
	if n == 0 {
		return
	}
	avail := max(maxX-x-demoGutter-1, n) // the last column is the screen's margin
	need := v.laneNeeds(end)
	width := make([]int, n)
	sum := 0
	for _, w := range need {
		sum += w
	}
	if sum <= avail {
		// Room for all: the rest shared evenly.
		extra := avail - sum
		for k, i := range order {
			width[i] = need[i] + extra/n
			if k < extra%n {
				width[i]++
			}
		}
	} else {
		// Water-filling: a cap c such that min(need, c) fills the room,
		// no lane under demoMinLane (or an even share, if less).
		floor := min(demoMinLane, avail/n)
		c := floor
		for c < demoMaxLane {
			s := 0
			for _, w := range need {
				s += max(min(w, c+1), floor)
			}
			if s > avail {
				break
			}
			c++
		}
		used := 0
		for _, i := range order {
			width[i] = max(min(need[i], c), floor)
			used += width[i]
		}
		// What is left after the cap goes to the lanes that wanted more.
		for left := avail - used; left > 0; {
			gave := false
			for _, i := range order {
				if left > 0 && width[i] < need[i] {
					width[i]++
					left--
					gave = true
				}
			}
			if !gave {
				width[order[len(order)-1]] += left
				break
			}
		}
	}
	cx := x + demoGutter
	for _, i := range order {
		v.laneX[i] = cx + 1
		cx += width[i]
	}
	for k, i := range order {
		if k+1 < len(order) {
			v.laneEnd[i] = v.laneX[order[k+1]] - 1
		} else {
			v.laneEnd[i] = maxX - 1
		}
	}
}

// laneLeft is the column after the line left of lane i's (the gutter's
// edge for the first lane).
func (v *View) laneLeft(i, x int) int {
	best := x + demoGutter - 1
	for _, lx := range v.laneX {
		if lx < v.laneX[i] && lx > best {
			best = lx
		}
	}
	return best + 1
}

// lineRight is the first lane line right of column c, or maxX.
func (v *View) lineRight(c, maxX int) int {
	best := maxX
	for _, lx := range v.laneX {
		if lx > c && lx < best {
			best = lx
		}
	}
	return best
}

// lineLeft is the last lane line left of column c, or the gutter's edge.
func (v *View) lineLeft(c, x int) int {
	best := x + demoGutter - 1
	for _, lx := range v.laneX {
		if lx < c && lx > best {
			best = lx
		}
	}
	return best
}

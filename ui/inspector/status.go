package inspector

import (
	"strconv"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"github.com/sockscope/sockscope/ui/widgets"
)

// statusSnap is what the status bar shows; the refresh loop compares two
// to decide whether to redraw, so it holds only comparable values.
type statusSnap struct {
	source, note  string
	live, done    bool
	paused        bool
	err           string
	progress      int // percent of the file indexed; -1 when not indexing
	held, evicted uint64
	end           uint64
	shown         uint64
	rate          float64
	drops         uint64
	hasDrops      bool
	speed         float64
	filter        string
	filterDone    bool
	filterErr     string
	filterScanned uint64
	matched       int
	convs         int
	convsAt       int64
	retired       uint64 // flows the tracker retired (decode.Limits)
}

// statusBar is the bottom line: source, packets, packets/s, kernel drops,
// evictions, live/paused, speed, filter — or a message after a key.
type statusBar struct {
	*tview.Box
	ins *inspector
}

// thousands formats n with commas: 938,800.
func thousands(n uint64) string {
	s := strconv.FormatUint(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// statusText is the status line's segments.
func statusText(st *statusSnap) []string {
	var seg []string
	seg = append(seg, st.source)
	pk := thousands(st.held) + " packets"
	if st.shown < st.held {
		pk = thousands(st.shown) + " of " + pk
	}
	seg = append(seg, pk)
	switch {
	case st.progress >= 0:
		seg = append(seg, "indexing "+strconv.Itoa(st.progress)+"%")
	case !st.live && !st.done:
		seg = append(seg, "reading")
	}
	if st.live || !st.done {
		seg = append(seg, thousands(uint64(st.rate+0.5))+" pkt/s")
	}
	if st.hasDrops {
		seg = append(seg, "drops "+thousands(st.drops))
	}
	if st.evicted > 0 || st.live {
		seg = append(seg, "evicted "+thousands(st.evicted))
	}
	if st.retired > 0 {
		seg = append(seg, thousands(st.retired)+" flows retired")
	}
	switch {
	case st.paused:
		seg = append(seg, "PAUSED")
	case st.live && !st.done:
		seg = append(seg, "LIVE")
	case st.live:
		seg = append(seg, "stopped")
	}
	if !st.live {
		seg = append(seg, "speed "+speedName(st.speed))
	}
	if st.filter != "" {
		f := "filter: " + st.filter + " (" + thousands(uint64(st.matched)) + " shown"
		if !st.filterDone {
			f += ", filtering…"
		}
		seg = append(seg, f+")")
	}
	if st.note != "" {
		seg = append(seg, st.note)
	}
	if st.err != "" {
		seg = append(seg, st.err)
	}
	seg = append(seg, "? keys")
	return seg
}

// Draw draws the line.
func (b *statusBar) Draw(screen tcell.Screen) {
	b.DrawForSubclass(screen, b)
	x, y, w, _ := b.GetInnerRect()
	widgets.FillCells(screen, x, y, x+w, ' ', insStyleBar)
	ins := b.ins
	if ins.msg != "" {
		st := insStyleBarWarn
		if ins.msgErr {
			st = insStyleBar.Foreground(tcell.ColorRed).Bold(true)
		}
		widgets.PrintCells(screen, x+1, y, x+w, ins.msg, st)
		return
	}
	cx := x + 1
	for i, s := range statusText(&ins.snap.status) {
		if i > 0 {
			cx = widgets.PrintCells(screen, cx, y, x+w, " │ ", insStyleBar)
		}
		st := insStyleBar
		if strings.HasPrefix(s, "PAUSED") || strings.HasPrefix(s, "LIVE") || ins.snap.status.err != "" && s == ins.snap.status.err {
			st = insStyleBarWarn
		}
		cx = widgets.PrintCells(screen, cx, y, x+w, s, st)
	}
}

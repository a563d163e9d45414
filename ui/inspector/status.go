package inspector

import (
	"strconv"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/sockscope/sockscope/internal/textcol"
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

// statusText is the status line's segments, in English or 中文; the
// hints of the key table follow them (Draw).
func statusText(st *statusSnap, zh bool) []string {
	tr := func(en, z string) string { return widgets.Text{en, z}.In(zh) }
	var seg []string
	seg = append(seg, st.source)
	pk := tr(thousands(st.held)+" packets", thousands(st.held)+" 个数据包")
	if st.shown < st.held {
		pk = tr(thousands(st.shown)+" of "+pk, "显示 "+thousands(st.shown)+" / "+pk)
	}
	seg = append(seg, pk)
	switch {
	case st.progress >= 0:
		seg = append(seg, tr("indexing ", "正在建索引 ")+strconv.Itoa(st.progress)+"%")
	case !st.live && !st.done:
		seg = append(seg, tr("reading", "正在读取"))
	}
	if st.live || !st.done {
		r := thousands(uint64(st.rate + 0.5))
		seg = append(seg, tr(r+" pkt/s", "每秒 "+r+" 个数据包"))
	}
	if st.hasDrops {
		seg = append(seg, tr("drops ", "丢包 ")+thousands(st.drops))
	}
	if st.evicted > 0 || st.live {
		seg = append(seg, tr("evicted ", "已淘汰 ")+thousands(st.evicted))
	}
	if st.retired > 0 {
		seg = append(seg, tr(thousands(st.retired)+" flows retired", "已退役 "+thousands(st.retired)+" 个流"))
	}
	switch {
	case st.paused:
		seg = append(seg, tr("PAUSED", "已暂停"))
	case st.live && !st.done:
		seg = append(seg, tr("LIVE", "实时"))
	case st.live:
		seg = append(seg, tr("stopped", "已停止"))
	}
	if !st.live {
		seg = append(seg, tr("speed ", "速度 ")+speedName(st.speed))
	}
	if st.filter != "" {
		f := tr("filter: "+st.filter+" ("+thousands(uint64(st.matched))+" shown", "过滤器："+st.filter+"（显示 "+thousands(uint64(st.matched)))
		if !st.filterDone {
			f += tr(", filtering…", "，过滤中…")
		}
		seg = append(seg, f+tr(")", "）"))
	}
	if st.note != "" {
		seg = append(seg, st.note)
	}
	if st.err != "" {
		seg = append(seg, st.err)
	}
	return seg
}

// Draw draws the line: a message after a key (a filter error marks its
// column under the filter input), or the segments with the key table's
// hints at the right as far as they fit ("? keys" at least).
func (b *statusBar) Draw(screen tcell.Screen) {
	b.DrawForSubclass(screen, b)
	x, y, w, _ := b.GetInnerRect()
	maxX := x + w
	widgets.FillCells(screen, x, y, maxX, ' ', insStyleBar)
	ins := b.ins
	if ins.msg != "" {
		st := insStyleBarWarn
		if ins.msgErr {
			st = insStyleBar.Foreground(tcell.ColorRed).Bold(true)
		}
		if ins.caret >= 0 && ins.filtering {
			mark := "^ " + ins.caretMsg
			cx := x + ins.caret
			if cx+textcol.Width(mark) > maxX {
				// No room right of the column: the message ends at it.
				mark = ins.caretMsg + " ^"
				cx = x + ins.caret - textcol.Width(mark) + 1
			}
			if cx >= x {
				widgets.PrintCells(screen, cx, y, maxX, mark, st)
				return
			}
		}
		widgets.PrintCells(screen, x+1, y, maxX, ins.msg, st)
		return
	}
	hints := ins.keys.Hints(ins.zh)
	// The hints that fit after the segments, from the right; the last
	// (? keys) always.
	segs := statusText(&ins.snap.status, ins.zh)
	segW := 1
	for i, s := range segs {
		if i > 0 {
			segW += 3
		}
		segW += textcol.Width(s)
	}
	for len(hints) > 1 && segW+3+widgets.HintsWidth(hints) > w {
		hints = hints[1:]
	}
	hx := maxX - widgets.HintsWidth(hints) - 1
	cx := x + 1
	avail := hx - 1
	for i, s := range segs {
		if i > 0 {
			if cx+4 > avail {
				break
			}
			cx = widgets.PrintCells(screen, cx, y, avail, " │ ", insStyleBar)
		}
		if cx+textcol.Width(s) > avail {
			s = textcol.Truncate(s, avail-cx) // ends in "…"
		}
		st := insStyleBar
		if s == "PAUSED" || s == "LIVE" || s == "已暂停" || s == "实时" || ins.snap.status.err != "" && s == ins.snap.status.err {
			st = insStyleBarWarn
		}
		cx = widgets.PrintCells(screen, cx, y, avail, s, st)
	}
	widgets.DrawHints(screen, hx, y, maxX, hints, insStyleBarWarn, insStyleBar)
}

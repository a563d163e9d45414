package inspector

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/store"
	"github.com/sockscope/sockscope/ui/widgets"
)

// The inspector: a packet list over a store.Store, the selected packet's
// details and bytes, and on demand the conversations, a Follow stream and
// a conversation's ladder, with a status bar and a display filter.
//
//	┌ list (virtual table: only the rows on screen are ever formatted) ┐
//	├ details (layer tree)        │ bytes (hex + ASCII)                ┤  or conversations / follow / ladder
//	├ filter input (while typing) ───────────────────────────────────────┤
//	└ status bar ────────────────────────────────────────────────────────┘
//
// State that the refresh loop and the key handlers share (the pacer, the
// display filter's matches) is under mu; everything else belongs to the
// application's event loop.

type inspector struct {
	ctx    context.Context
	app    *tview.Application
	store  *store.Store
	opts   Options
	cancel context.CancelFunc
	bg     sync.WaitGroup // refresh loop and jobs
	drawn  chan struct{}
	once   sync.Once

	liveStats func() (capture.LiveStats, error)
	// The refresh loop's own.
	stats    capture.LiveStats
	hasStats bool
	statsAt  time.Time

	// Widgets.
	main      *tview.Flex
	list      *packetList
	table     *packetTable
	bottom    *tview.Flex     // holds the pane shown below the list
	panes     map[string]pane // one of each registered pane (pane.go)
	keys      widgets.Keymap  // the key table (keys.go)
	details   *tview.TreeView
	hex       *hexView
	convTable *tview.Table
	convs     *convContent
	follow    *widgets.LinesView
	ladder    *widgets.LinesView
	ladderFit *ladderView // the ladder pane's root: ladder, fitted to its width
	help      *widgets.LinesView
	filterIn  *tview.InputField
	status    *statusBar

	// Event-loop state.
	snap      viewSnap
	selAbs    uint64
	hasSel    bool
	tail      bool   // the selection follows the newest packet
	pane      string // the bottom pane shown
	paneRef   decode.ConvRef
	conv      decode.ConvRef // the current conversation (f, l)
	hasConv   bool
	detailAbs uint64
	hasDetail bool
	detailRd  *store.Reader
	expanded  map[string]bool // detail lines opened or closed by the person, by label
	msg       string
	msgErr    bool
	caret     int    // a filter error's column in the filter input's line (-1: none)
	caretMsg  string // what is wrong there
	filtering bool   // the filter input is open
	helpOpen  bool
	helpW     int      // the help's width at its last draw
	zh        bool     // the inspector's own words in 中文
	history   []string // display filters applied, oldest first (Up recalls)
	histAt    int      // the filter input's place in history while it is open

	mu      sync.Mutex // guards pacer, filt, jobs
	pacer   pacer
	filt    *filterState
	jobs    map[string]context.CancelFunc
	closing bool // no more jobs: the stopper is waiting for them
	redraw  bool // something the snapshot does not show changed
}

func newInspector(ctx context.Context, app *tview.Application, s *store.Store, opts Options, cancel context.CancelFunc) *inspector {
	ins := &inspector{
		ctx: ctx, app: app, store: s, opts: opts, cancel: cancel,
		drawn:    make(chan struct{}),
		tail:     s.Live(),
		pane:     panePacket,
		detailRd: store.NewReader(),
		expanded: map[string]bool{},
		jobs:     map[string]context.CancelFunc{},
		caret:    -1,
	}
	ins.pacer = pacer{speed: opts.Speed, live: s.Live()}

	ins.zh = opts.Lang == "zh"
	ins.table = newPacketTable(s)
	ins.list = newPacketList(ins.table, ins.tr(" Packets ", " 数据包 "))
	if ins.zh {
		ins.list.titles = &colTitlesZH
	}
	ins.list.changed = ins.onSelect
	ins.list.enter = ins.onEnter

	ins.makePanes()
	ins.pane = defaultPane()
	ins.bottom = tview.NewFlex().AddItem(ins.panes[ins.pane].root(), 0, 1, false)

	ins.filterIn = tview.NewInputField().SetLabel(ins.tr("Display filter: ", "显示过滤器：")).SetFieldStyle(insStyleDefault).
		SetPlaceholder(ins.tr("e.g. tcp.port == 80 && tcp.analysis.retransmission   (Enter applies, Esc cancels, ↑ the previous one)",
			"例如 tcp.port == 80 && tcp.analysis.retransmission（回车应用，Esc 取消，↑ 上一个）")).
		SetPlaceholderStyle(insStyleDim)
	ins.filterIn.SetDoneFunc(ins.onFilterDone)
	ins.filterIn.SetInputCapture(ins.onFilterKey)
	ins.status = &statusBar{Box: tview.NewBox(), ins: ins}

	ins.main = tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(ins.list, 0, 1, true).
		AddItem(ins.bottom, 0, 1, false).
		AddItem(ins.filterIn, 0, 0, false).
		AddItem(ins.status, 1, 0, false)

	ins.keys = ins.keyTable()
	ins.help = widgets.NewLinesView(ins.tr("Keys", "按键"))

	// No tview.Pages: a Pages clears the whole screen once more on every
	// draw; the help overlay is drawn after the rest instead.
	app.SetRoot(ins.main, true).SetFocus(ins.list).EnableMouse(true)
	app.SetInputCapture(ins.onKey)
	app.SetAfterDrawFunc(ins.drawHelp)
	app.SetBeforeDrawFunc(func(screen tcell.Screen) bool {
		ins.once.Do(func() { close(ins.drawn) })
		if p, ok := ins.panes[panePacket].(*packetPane); ok {
			p.layout(screen)
		}
		return false
	})
	return ins
}

// viewSnap is what the views show, made by the refresh loop outside the
// event loop and applied inside it.
type viewSnap struct {
	first, shown uint64   // unfiltered rows: packets [first, shown)
	filtered     bool     // rows are matches[lo:hi]
	matches      []uint64 // abs of the packets that pass the filter, ascending
	lo, hi       int
	rows         int

	status statusSnap
}

// abs returns the packet of row r (0-based, below the header).
func (v *viewSnap) abs(r int) uint64 {
	if v.filtered {
		return v.matches[v.lo+r]
	}
	return v.first + uint64(r)
}

// row returns the row of packet abs: exact, or the nearest row after it.
func (v *viewSnap) row(abs uint64) (int, bool) {
	if v.filtered {
		m := v.matches[v.lo:v.hi]
		i := sort.Search(len(m), func(i int) bool { return m[i] >= abs })
		return i, i < len(m) && m[i] == abs
	}
	if abs < v.first {
		return 0, false
	}
	if abs >= v.shown {
		return v.rows, false
	}
	return int(abs - v.first), true
}

// refreshLoop makes snapshots and hands them to the event loop: on a
// ticker (at most 20 a second), and at once when the store wakes it after
// a quiet spell (so the first screen of a file comes as soon as its first
// packets are indexed). Nothing is queued when nothing changed.
func (ins *inspector) refreshLoop(ctx context.Context) {
	const interval = 50 * time.Millisecond
	tick := time.NewTicker(interval)
	defer tick.Stop()
	wake := ins.store.Subscribe()
	var (
		last     statusSnap
		lastRows int
		lastDraw time.Time
		rate     rateMeter
	)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-wake:
			if time.Since(lastDraw) < interval {
				continue // the ticker will come
			}
		}
		now := time.Now()
		snap := ins.makeSnap(now, &rate)
		ins.mu.Lock()
		force := ins.redraw
		ins.redraw = false
		ins.mu.Unlock()
		if !force && snap.status == last && snap.rows == lastRows {
			continue
		}
		last, lastRows, lastDraw = snap.status, snap.rows, now
		if ctx.Err() != nil {
			return
		}
		ins.app.QueueUpdateDraw(func() { ins.apply(snap) })
	}
}

// rateMeter measures packets a second over the last second or so.
type rateMeter struct {
	at   [20]time.Time
	n    [20]uint64
	i    int
	full bool
}

func (r *rateMeter) add(t time.Time, n uint64) float64 {
	r.at[r.i], r.n[r.i] = t, n
	old := (r.i + 1) % len(r.at)
	if !r.full {
		old = 0
	}
	r.i = (r.i + 1) % len(r.at)
	if r.i == 0 {
		r.full = true
	}
	dt := t.Sub(r.at[old]).Seconds()
	if dt <= 0 {
		return 0
	}
	return float64(n-r.n[old]) / dt
}

func (ins *inspector) makeSnap(now time.Time, rate *rateMeter) viewSnap {
	s := ins.store
	var v viewSnap
	st := &v.status
	ss := s.Status()
	first, end := ss.First, ss.End
	st.source, st.live, st.done, st.note = ss.Source, ss.Live, ss.Done, ss.Note
	if ss.Err != nil {
		st.err = ss.Err.Error()
	}
	st.progress = ss.Progress
	st.convs, st.convsAt = ss.Convs, ss.ConvsAt.UnixNano()
	st.retired = ss.Retired
	st.held, st.evicted, st.end = end-first, first, end
	st.rate = rate.add(now, end)
	if ins.liveStats != nil && (now.Sub(ins.statsAt) >= 500*time.Millisecond) {
		if ls, err := ins.liveStats(); err == nil {
			ins.stats, ins.hasStats = ls, true
		}
		ins.statsAt = now
	}
	if ins.hasStats {
		st.drops, st.hasDrops = ins.stats.Dropped+ins.stats.IfDropped, true
	}

	ins.mu.Lock()
	ins.pacer.advance(now, first, end, func(abs uint64) (int64, bool) {
		r, ok := s.Record(abs)
		if !ok {
			return 0, false
		}
		return r.Time()
	})
	v.first, v.shown = first, ins.pacer.shown
	st.paused, st.speed = ins.pacer.paused, ins.pacer.speed
	f := ins.filt
	ins.mu.Unlock()
	st.shown = v.shown - v.first

	if f != nil {
		f.mu.Lock()
		v.filtered, v.matches = true, f.matches
		st.filter, st.filterDone, st.filterErr = f.text, f.done, f.errText
		st.filterScanned = f.scanned
		f.mu.Unlock()
		m := v.matches
		v.lo = sort.Search(len(m), func(i int) bool { return m[i] >= first })
		v.hi = sort.Search(len(m), func(i int) bool { return m[i] >= v.shown })
		v.rows = v.hi - v.lo
		st.matched = v.rows
	} else {
		v.rows = int(v.shown - v.first)
	}
	return v
}

// apply shows a snapshot: the rows, the selection, the status bar.
func (ins *inspector) apply(v viewSnap) {
	old := ins.snap
	ins.snap = v
	ins.table.snap = &ins.snap
	l := ins.list
	// Keep the rows on screen in place when older packets were evicted.
	if !v.filtered && !old.filtered && v.first > old.first {
		l.shiftOffset(int(v.first - old.first))
	}
	switch {
	case v.rows == 0:
		l.sel = -1
	case ins.tail:
		l.sel = v.rows - 1
	case ins.hasSel:
		r, _ := v.row(ins.selAbs)
		l.sel = min(r, v.rows-1)
	default:
		l.sel = 0
	}
	ins.syncSelection()
	if ins.pane == paneConvs && v.status.convsAt != old.status.convsAt {
		ins.refreshConvs()
	}
}

// syncSelection reads the list's selected row into selAbs and shows that
// packet below.
func (ins *inspector) syncSelection() {
	row := ins.list.sel
	if row < 0 || row >= ins.snap.rows {
		ins.hasSel = false
		ins.showPacket(0, false)
		return
	}
	ins.selAbs, ins.hasSel = ins.snap.abs(row), true
	ins.showPacket(ins.selAbs, true)
}

// onSelect follows the list's cursor (keys, mouse).
func (ins *inspector) onSelect(row int) {
	if row >= 0 {
		ins.tail = ins.snap.status.live && row == ins.snap.rows-1
	}
	ins.syncSelection()
}

// onEnter selects the packet: its conversation becomes the current one.
func (ins *inspector) onEnter(row int) {
	ins.onSelect(row)
	if ins.hasSel {
		if ref, ok := ins.convOf(ins.selAbs); ok {
			ins.setMessage(ins.tr("conversation "+ref.String()+": f follows it, l draws its ladder", "会话 "+ref.String()+"：按 f 跟踪它，按 l 画出它的时序图"), false)
		}
	}
}

// move moves the list's cursor by delta rows (n, p).
func (ins *inspector) move(delta int) {
	if ins.snap.rows > 0 {
		ins.list.selectRow(ins.list.sel + delta)
	}
}

// showPacket shows packet abs in the details and bytes panes.
func (ins *inspector) showPacket(abs uint64, ok bool) {
	if ok && ins.hasDetail && ins.detailAbs == abs {
		return
	}
	ins.detailAbs, ins.hasDetail = abs, ok
	root := tview.NewTreeNode("")
	if !ok || !ins.store.Load(abs, ins.detailRd) {
		ins.details.SetRoot(root).SetTopLevel(1)
		ins.hex.setData(nil)
		ins.hasDetail = false
		return
	}
	rd := ins.detailRd
	if ref, ok := refOf(&rd.Packet); ok {
		ins.conv, ins.hasConv = ref, true
	}
	tree := withComments(decode.Details(rd.Frame.Data, &rd.Packet), &rd.Frame)
	for i := range tree {
		open := i == lastLayer(tree) || tree[i].Label == "Packet comments"
		root.AddChild(ins.detailNode(&tree[i], "", open))
	}
	ins.details.SetRoot(root).SetTopLevel(1)
	if kids := root.GetChildren(); len(kids) > 0 {
		ins.details.SetCurrentNode(kids[0])
	}
	ins.hex.setData(rd.Frame.Data)
}

// lastLayer is the index of the innermost protocol layer: it is opened
// when the packet is shown, the others stay closed unless opened before.
func lastLayer(tree []decode.DetailNode) int {
	for i := len(tree) - 1; i > 0; i-- {
		if l := tree[i].Label; !strings.HasPrefix(l, "Data (") && !strings.HasPrefix(l, "[Malformed") {
			return i
		}
	}
	return len(tree) - 1
}

// detailKey names a detail line for remembering whether it is open: its
// parent's key and its label up to the first ':', ',' or '(', without
// digits.
func detailKey(parent, label string) string {
	var b strings.Builder
	b.WriteString(parent)
	b.WriteByte('/')
	for i := 0; i < len(label); i++ {
		c := label[i]
		if c == ':' || c == ',' || c == '(' {
			break
		}
		if c < '0' || c > '9' { // "Frame 4" and "Frame 5" are one line
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (ins *inspector) detailNode(d *decode.DetailNode, parent string, open bool) *tview.TreeNode {
	key := detailKey(parent, d.Label)
	n := tview.NewTreeNode(tview.Escape(d.Label)).SetReference(detailRef{key: key, off: d.Off, n: d.Len})
	if len(d.Children) == 0 {
		return n
	}
	n.SetColor(tcell.ColorWhite)
	if e, ok := ins.expanded[key]; ok {
		open = e
	}
	n.SetExpanded(open)
	for i := range d.Children {
		n.AddChild(ins.detailNode(&d.Children[i], key, false))
	}
	return n
}

type detailRef struct {
	key    string
	off, n int
}

func (ins *inspector) onDetailLine(n *tview.TreeNode) {
	if r, ok := n.GetReference().(detailRef); ok {
		ins.hex.highlight(r.off, r.n)
	}
}

func (ins *inspector) toggleDetail(n *tview.TreeNode) {
	if len(n.GetChildren()) == 0 {
		return
	}
	n.SetExpanded(!n.IsExpanded())
	if r, ok := n.GetReference().(detailRef); ok {
		ins.expanded[r.key] = n.IsExpanded()
	}
}

// refOf names the conversation p belongs to.
func refOf(p *decode.Packet) (decode.ConvRef, bool) { return store.ConvOf(p) }

// convOf names the conversation of packet abs.
func (ins *inspector) convOf(abs uint64) (decode.ConvRef, bool) {
	r, ok := ins.store.Record(abs)
	if !ok {
		return decode.ConvRef{}, false
	}
	return r.Conv()
}

// tr returns en, or zh when the inspector speaks 中文.
func (ins *inspector) tr(en, zh string) string {
	if ins.zh {
		return zh
	}
	return en
}

// setMessage shows a line in the status bar until the next key.
func (ins *inspector) setMessage(m string, isErr bool) {
	ins.msg, ins.msgErr = m, isErr
	ins.caret = -1
}

// quit ends the inspector; the stopper stops the application.
func (ins *inspector) quit() { ins.cancel() }

// requestRedraw makes the refresh loop queue a draw even if its snapshot
// did not change (from the event loop; the key handler's own draw covers
// what it changed itself).
func (ins *inspector) requestRedraw() {
	ins.mu.Lock()
	ins.redraw = true
	ins.mu.Unlock()
}

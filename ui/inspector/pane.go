package inspector

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/rivo/tview"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/ui/widgets"
)

// The inspector's table of panes: what shows below the packet list. A
// pane is one type in one file that registers itself (registerPane in its
// init): the key that opens and closes it, its help and status hint in
// both languages, and what it shows. The key table (keys.go) and the help
// take the panes from here; adding a pane touches no other file.

// pane is one view below the packet list.
type pane interface {
	// root is what the bottom half shows.
	root() tview.Primitive
	// focusables are its parts Tab goes through after the list.
	focusables() []tview.Primitive
	// show is called when the pane is opened (the current conversation
	// may have changed); it may start a job.
	show()
	// hide is called when another pane replaces it.
	hide()
}

// paneSpec registers a pane.
type paneSpec struct {
	name  string
	order int  // place in the help and the hints
	key   rune // opens it, and closes it again; 0: the default pane
	help  widgets.Text
	hint  widgets.Text
	make  func(ins *inspector) pane
}

var paneSpecs []paneSpec

// registerPane adds a pane to the table (from an init function).
func registerPane(s paneSpec) {
	paneSpecs = append(paneSpecs, s)
	sort.SliceStable(paneSpecs, func(i, j int) bool { return paneSpecs[i].order < paneSpecs[j].order })
}

// defaultPane is the pane with no key: shown first and after Esc.
func defaultPane() string {
	for _, s := range paneSpecs {
		if s.key == 0 {
			return s.name
		}
	}
	return paneSpecs[0].name
}

// makePanes makes one of each registered pane.
func (ins *inspector) makePanes() {
	ins.panes = map[string]pane{}
	for _, s := range paneSpecs {
		ins.panes[s.name] = s.make(ins)
	}
}

// togglePane shows pane name below the list, or the default pane if it is
// showing already.
func (ins *inspector) togglePane(name string) {
	if ins.pane == name {
		name = defaultPane()
	}
	if old, ok := ins.panes[ins.pane]; ok && ins.pane != name {
		old.hide()
	}
	ins.pane = name
	p := ins.panes[name]
	ins.bottom.Clear()
	ins.bottom.AddItem(p.root(), 0, 1, false)
	p.show()
	f := p.focusables()
	if name == defaultPane() || len(f) == 0 {
		ins.app.SetFocus(ins.list)
	} else {
		ins.app.SetFocus(f[0])
	}
}

// focusables are the panes Tab goes through, in order.
func (ins *inspector) focusables() []tview.Primitive {
	return append([]tview.Primitive{ins.list}, ins.panes[ins.pane].focusables()...)
}

// cycleFocus moves the focus to the next (dir 1) or previous pane.
func (ins *inspector) cycleFocus(dir int) {
	ps := ins.focusables()
	cur := ins.app.GetFocus()
	i := 0
	for j, p := range ps {
		if p == cur {
			i = j
		}
	}
	ins.app.SetFocus(ps[(i+dir+len(ps))%len(ps)])
}

// startConvJob starts building the text of a conversation pane (Follow,
// ladder) for the current conversation; run makes the lines.
func (ins *inspector) startConvJob(view *widgets.LinesView, job string, title func(decode.ConvRef) string, run func(ref decode.ConvRef) func(context.Context)) {
	if !ins.hasConv {
		view.SetLines(nil)
		view.EmptyText = ins.tr("Select a TCP or UDP packet (or a conversation with c, Enter) first.", "先选中一个 TCP 或 UDP 数据包（或按 c 在会话列表中按回车选中一个会话）。")
		view.SetTitle(" " + title(decode.ConvRef{}) + " ")
		return
	}
	ref := ins.conv
	ins.paneRef = ref
	view.SetLines(nil)
	view.EmptyText = ins.tr("Reading "+ref.String()+"…", "正在读取 "+ref.String()+"…")
	view.SetTitle(" " + title(ref) + " ")
	ins.startJob(job, run(ref))
}

// convPackets returns the abs of the packets of conversation ref.
func (ins *inspector) convPackets(ref decode.ConvRef) []uint64 {
	return ins.store.ConvPackets(ref)
}

// streamName is "TCP stream 3".
func streamName(ref decode.ConvRef) string {
	return strings.ToUpper(ref.Proto) + " stream " + strconv.Itoa(ref.Stream)
}

package demoview

import (
	"github.com/sockscope/sockscope/demos/timeline"
	"github.com/sockscope/sockscope/ui/widgets"
)

// The demo view's table of panes: the parts of the screen the cursor can
// be in, in Tab's order, each with its title in both languages, the rows
// it lets the cursor visit and the note on its rule. The drawing, Tab and
// the cursor's moves take them from here.

// Panes of the view that take the keys (indexes into demoPanes).
const (
	demoPaneLadder = iota
	demoPaneCalls
)

// demoPane is one row of the table.
type demoPane struct {
	title widgets.Text
	note  widgets.Text // at the right of its rule; may be empty
	// visits reports whether the cursor stops on rows of kind k here.
	visits func(k timeline.Kind) bool
}

var demoPanes = [...]demoPane{
	demoPaneLadder: {
		title:  widgets.Text{" Ladder ", " 时序图 "},
		visits: func(k timeline.Kind) bool { return k != timeline.KindStep },
	},
	demoPaneCalls: {
		title: widgets.Text{" Calls ", " 调用 "},
		note: widgets.Text{" kernel: Send-Q, Recv-Q and state as the kernel reported them right after each call ",
			" 内核：每次调用刚返回时内核报告的 Send-Q、Recv-Q 和状态 "},
		visits: func(k timeline.Kind) bool { return k == timeline.KindCall },
	},
}

// nextPane moves the focus to the next pane of the table (dir 1) or the
// previous one.
func (v *View) nextPane(dir int) {
	v.focus = (v.focus + dir + len(demoPanes)) % len(demoPanes)
}

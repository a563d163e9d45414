package inspector

import (
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/sockscope/sockscope/ui/widgets"
)

// The inspector's table of key actions: each with its keys, its help in
// English and 中文 and its handler. onKey dispatches through the table
// and through nothing else: a key the table does not list does nothing,
// and the keys a pane's widget knows (the tree's, the table's) reach it
// only through an action here. The help (?) and the status bar's hints are
// made from the table, so they cannot drift from what the keys do.

// keyTable builds the table; the panes' keys come from the pane table.
func (ins *inspector) keyTable() widgets.Keymap {
	R, N := widgets.Rune, widgets.Named
	forward := func(ev *tcell.EventKey) bool { return ins.forward(ev) }
	m := widgets.Keymap{Title: widgets.Text{"sockscope inspector — keys", "sockscope 检查器——按键"}}
	m.Actions = []widgets.Action{
		{Name: "pause", Keys: []widgets.Key{R(' ')},
			Help: widgets.Text{"pause / resume the view (a live capture goes on capturing)", "暂停 / 继续显示（实时抓包在暂停时继续抓）"},
			Do:   func(*tcell.EventKey) bool { ins.togglePause(); return true }},
		{Name: "next", Keys: []widgets.Key{R('n')},
			Help: widgets.Text{"next packet", "下一个数据包"},
			Do:   func(*tcell.EventKey) bool { ins.move(1); return true }},
		{Name: "previous", Keys: []widgets.Key{R('p')},
			Help: widgets.Text{"previous packet", "上一个数据包"},
			Do:   func(*tcell.EventKey) bool { ins.move(-1); return true }},
		{Name: "move", Keys: []widgets.Key{R('j'), R('k'), N(tcell.KeyDown), N(tcell.KeyUp)},
			Help: widgets.Text{"move in the focused pane", "在当前窗格中移动"},
			Do:   forward},
		{Name: "page", Keys: []widgets.Key{N(tcell.KeyPgUp), N(tcell.KeyPgDn), N(tcell.KeyCtrlB), N(tcell.KeyCtrlF)},
			Label: widgets.Text{"PgUp PgDn", "PgUp PgDn"},
			Help:  widgets.Text{"page up / down (also Ctrl-B, Ctrl-F)", "上翻 / 下翻一页（也可用 Ctrl-B、Ctrl-F）"},
			Do:    forward},
		{Name: "ends", Keys: []widgets.Key{R('g'), R('G'), N(tcell.KeyHome), N(tcell.KeyEnd)},
			Help: widgets.Text{"first / last row", "第一行 / 最后一行"},
			Do:   forward},
		{Name: "sideways", Keys: []widgets.Key{N(tcell.KeyLeft), N(tcell.KeyRight), R('h')},
			Help: widgets.Text{"scroll the Follow stream, the ladder or the conversations sideways (h: left)", "左右滚动跟踪流、时序图或会话列表（h：向左）"},
			Do:   ins.sideways},
		{Name: "enter", Keys: []widgets.Key{N(tcell.KeyEnter)},
			Help: widgets.Text{"select: the packet's conversation becomes the current one; in details, open or close a line; in conversations, make it current and jump to its first packet",
				"选中：该数据包所属的会话成为当前会话；在详细信息中展开或折叠一行；在会话列表中设为当前会话并跳到它的第一个数据包"},
			Do: forward},
		{Name: "focus", Keys: []widgets.Key{N(tcell.KeyTab), N(tcell.KeyBacktab)},
			Help: widgets.Text{"next / previous pane", "下一个 / 上一个窗格"},
			Do: func(ev *tcell.EventKey) bool {
				if ev.Key() == tcell.KeyBacktab {
					ins.cycleFocus(-1)
				} else {
					ins.cycleFocus(1)
				}
				return true
			}},
		{Name: "mouse", Label: widgets.Text{"mouse", "鼠标"},
			Help: widgets.Text{"click selects, the wheel scrolls", "单击选中，滚轮滚动"}},
		{Name: "filter", Keys: []widgets.Key{R('/')},
			Help: widgets.Text{"display filter over the JSON field names; the input opens empty, ↑ recalls the filters applied before. For example\n" +
				"tcp.port == 9000 && tcp.analysis.retransmission\n" +
				"ip.addr == 10.0.0.0/8 and not arp\n" +
				"dns.qry.name contains \"example\" || udp.length > 512\n" +
				"a bare field tests presence; tcp.port means source or destination; an empty filter shows everything again",
				"按 JSON 字段名过滤显示；输入框打开时为空，↑ 调出之前用过的过滤器。例如\n" +
					"tcp.port == 9000 && tcp.analysis.retransmission\n" +
					"ip.addr == 10.0.0.0/8 and not arp\n" +
					"dns.qry.name contains \"example\" || udp.length > 512\n" +
					"只写字段名表示该字段存在；tcp.port 指源端口或目的端口；空过滤器重新显示全部"},
			Hint: widgets.Text{"filter", "过滤"},
			Do:   func(*tcell.EventKey) bool { ins.openFilter(); return true }},
	}
	for _, s := range paneSpecs {
		if s.key == 0 {
			continue
		}
		name := s.name
		m.Actions = append(m.Actions, widgets.Action{Name: name, Keys: []widgets.Key{R(s.key)}, Help: s.help, Hint: s.hint,
			Do: func(*tcell.EventKey) bool { ins.togglePane(name); return true }})
	}
	m.Actions = append(m.Actions, []widgets.Action{
		{Name: "wide", Keys: []widgets.Key{R('w')},
			Help: widgets.Text{"in the ladder: full labels (scroll with ← →) / arrows fitted to the pane, labels cut with …", "时序图中：完整标签（用 ← → 滚动）/ 箭头适应窗格宽度，标签截断并以 … 结尾"},
			Do: func(*tcell.EventKey) bool {
				if ins.pane != paneLadder {
					return false
				}
				ins.ladderFit.toggleWide()
				return true
			}},
		{Name: "faster", Keys: []widgets.Key{R('+'), R('=')},
			Help: widgets.Text{"replay speed faster (files: capture timing × speed; max shows everything at once)", "回放加速（文件：按抓包时间 × 倍速；最快时一次显示全部）"},
			Do:   func(*tcell.EventKey) bool { ins.changeSpeed(1); return true }},
		{Name: "slower", Keys: []widgets.Key{R('-')},
			Help: widgets.Text{"replay speed slower", "回放减速"},
			Do:   func(*tcell.EventKey) bool { ins.changeSpeed(-1); return true }},
		{Name: "back", Keys: []widgets.Key{N(tcell.KeyEscape)},
			Help: widgets.Text{"back to details and bytes", "回到详细信息和字节"},
			Do:   func(*tcell.EventKey) bool { return ins.back() }},
		{Name: "help", Keys: []widgets.Key{R('?')},
			Help: widgets.Text{"this help (↑ ↓ PgUp PgDn scroll it, any other key closes it)", "本帮助（↑ ↓ PgUp PgDn 滚动，按其他任意键关闭）"},
			Hint: widgets.Text{"keys", "按键"},
			Do:   func(*tcell.EventKey) bool { ins.openHelp(); return true }},
		{Name: "quit", Keys: []widgets.Key{R('q'), N(tcell.KeyCtrlC)},
			Help: widgets.Text{"quit", "退出"},
			Do:   func(*tcell.EventKey) bool { ins.quit(); return true }},
	}...)
	return m
}

// onKey is the application's input capture: every key goes through the
// key table. It runs in the event loop: it must not wait for anything (no
// QueueUpdate, no job).
func (ins *inspector) onKey(ev *tcell.EventKey) *tcell.EventKey {
	if ev.Key() == tcell.KeyCtrlC {
		ins.quit()
		return nil
	}
	if ins.helpOpen {
		ins.helpKey(ev)
		return nil
	}
	if ins.filtering {
		return ev // the input's own keys: typing, ↑ ↓ history, Enter, Esc
	}
	ins.msg = ""
	ins.keys.Dispatch(ev)
	return nil
}

// helpKey is a key while the help is open: the scrolling keys scroll it, q
// quits, any other key closes it.
func (ins *inspector) helpKey(ev *tcell.EventKey) {
	for _, name := range []string{"move", "page", "ends", "sideways", "quit"} {
		a := ins.keys.Find(name)
		for _, k := range a.Keys {
			if !k.Matches(ev) {
				continue
			}
			if name == "quit" {
				ins.quit()
			} else {
				ins.help.InputHandler()(ev, func(tview.Primitive) {})
			}
			return
		}
	}
	ins.closeHelp()
}

// forward gives a key to the focused pane's own handler.
func (ins *inspector) forward(ev *tcell.EventKey) bool {
	p := ins.app.GetFocus()
	if p == nil {
		return false
	}
	if h := p.InputHandler(); h != nil {
		h(ev, func(q tview.Primitive) { ins.app.SetFocus(q) })
	}
	return true
}

// sideways scrolls the focused pane sideways if it is one that scrolls so
// (in the details and the bytes there is nothing to the side).
func (ins *inspector) sideways(ev *tcell.EventKey) bool {
	switch ins.app.GetFocus() {
	case ins.follow, ins.ladder, ins.convTable:
		return ins.forward(ev)
	}
	return false
}

// back is Esc: the default pane again, or the focus on the list.
func (ins *inspector) back() bool {
	if ins.pane != defaultPane() {
		ins.togglePane(ins.pane)
		return true
	}
	if ins.app.GetFocus() != ins.list {
		ins.app.SetFocus(ins.list)
		return true
	}
	return false
}

func (ins *inspector) togglePause() {
	ins.mu.Lock()
	ins.pacer.setPaused(time.Now(), !ins.pacer.paused)
	ins.redraw = true
	ins.mu.Unlock()
}

// changeSpeed makes the replay faster (dir 1) or slower.
func (ins *inspector) changeSpeed(dir int) {
	ins.mu.Lock()
	if dir > 0 {
		ins.pacer.faster(time.Now())
	} else {
		ins.pacer.slower(time.Now())
	}
	ins.redraw = true
	ins.mu.Unlock()
}

func (ins *inspector) openHelp() { ins.helpOpen = true }

func (ins *inspector) closeHelp() { ins.helpOpen = false }

// drawHelp draws the help over the rest (the application's after-draw
// function): a bordered box, its lines made from the key table for its
// width, centred.
func (ins *inspector) drawHelp(screen tcell.Screen) {
	if !ins.helpOpen {
		return
	}
	w, h := screen.Size()
	hw := min(w, 90)
	lines := ins.keys.HelpLines(ins.zh, hw-2, widgets.StyleKey, insStyleDefault, insStyleTitle)
	hh := min(h, len(lines)+2)
	if len(ins.help.Lines) != len(lines) || ins.helpW != hw {
		top := ins.help.Top()
		ins.help.SetLines(lines)
		ins.help.SetTop(top)
		ins.helpW = hw
	}
	title := ins.tr(" Keys ", " 按键 ")
	if len(lines)+2 > hh {
		title = ins.tr(" Keys (↑ ↓ PgDn: more) ", " 按键（↑ ↓ PgDn：更多）")
	}
	ins.help.SetTitle(title)
	x, y := (w-hw)/2, (h-hh)/2
	for row := y; row < y+hh; row++ {
		// A wide character beside the box would cover its border.
		widgets.ClearWideBefore(screen, x, row)
	}
	ins.help.SetRect(x, y, hw, hh)
	ins.help.Draw(screen)
}

var _ tview.Primitive = (*widgets.LinesView)(nil)

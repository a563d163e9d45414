package demoview

import (
	"github.com/gdamore/tcell/v2"

	"github.com/sockscope/sockscope/ui/widgets"
)

// The demo view's table of key actions: each with its keys, its help in
// English and 中文 and its handler. handleKey dispatches through the table
// and nothing else, the help (?) and the bottom line's hints are made from
// it, so what the help lists is what works.

// keyTable builds the table. The handlers run with v.mu held.
func (v *View) keyTable() widgets.Keymap {
	R, N := widgets.Rune, widgets.Named
	do := func(f func()) func(*tcell.EventKey) bool { return func(*tcell.EventKey) bool { f(); return true } }
	return widgets.Keymap{Title: widgets.Text{"Keys", "按键"}, Actions: []widgets.Action{
		{Name: "next", Keys: []widgets.Key{R('n')},
			Help: widgets.Text{"next step (a paused demo goes on)", "下一步（暂停中的演示继续执行）"},
			Hint: widgets.Text{"next", "下一步"}, Do: do(v.nextStep)},
		{Name: "previous", Keys: []widgets.Key{R('p')},
			Help: widgets.Text{"previous step: the ladder shows the story up to it", "上一步：时序图只显示到那一步为止"},
			Hint: widgets.Text{"previous", "上一步"}, Do: do(v.prevStep)},
		{Name: "pause", Keys: []widgets.Key{R(' ')},
			Help: widgets.Text{"pause / resume playing the steps", "暂停 / 继续自动播放"},
			Hint: widgets.Text{"pause", "暂停"}, Do: do(func() { v.step.setPaused(!v.step.isPaused()) })},
		{Name: "move", Keys: []widgets.Key{R('j'), R('k'), N(tcell.KeyDown), N(tcell.KeyUp)},
			Help:    widgets.Text{"move the cursor (ladder: calls, packets, outcomes; list: calls)", "移动光标（时序图：调用、数据包和本步结果；列表：调用）"},
			Hint:    widgets.Text{"move", "移动"},
			HintKey: widgets.Text{"j/k", "j/k"},
			Do: func(ev *tcell.EventKey) bool {
				if ev.Key() == tcell.KeyUp || ev.Key() == tcell.KeyRune && ev.Rune() == 'k' {
					v.move(-1)
				} else {
					v.move(1)
				}
				return true
			}},
		{Name: "page", Keys: []widgets.Key{N(tcell.KeyPgUp), N(tcell.KeyPgDn)},
			Help: widgets.Text{"a page up / down", "上翻 / 下翻一页"},
			Do: func(ev *tcell.EventKey) bool {
				if ev.Key() == tcell.KeyPgUp {
					v.move(-v.pageRows())
				} else {
					v.move(v.pageRows())
				}
				return true
			}},
		{Name: "ends", Keys: []widgets.Key{R('g'), R('G'), N(tcell.KeyHome), N(tcell.KeyEnd)},
			Help: widgets.Text{"first / last row", "第一行 / 最后一行"},
			Do: func(ev *tcell.EventKey) bool {
				v.moveTo(ev.Key() == tcell.KeyEnd || ev.Key() == tcell.KeyRune && ev.Rune() == 'G')
				return true
			}},
		{Name: "enter", Keys: []widgets.Key{N(tcell.KeyEnter)},
			Help: widgets.Text{"select: a call lights up the packets that carried its bytes and the calls at the other end; a packet lights up its calls",
				"选中：调用会高亮承载其字节的报文段和对端的调用，报文段会高亮与它相关的调用"},
			Hint: widgets.Text{"select", "选中"}, Do: do(v.enter)},
		{Name: "clear", Keys: []widgets.Key{N(tcell.KeyEscape)},
			Help: widgets.Text{"clear the selection and follow the newest events", "取消选中，跟随最新事件"},
			Do:   do(func() { v.cursor, v.pin = demoSel{}, demoSel{} })},
		{Name: "pane", Keys: []widgets.Key{N(tcell.KeyTab), N(tcell.KeyBacktab)},
			Help: widgets.Text{"switch between the ladder and the call list", "在时序图和调用列表之间切换"},
			Hint: widgets.Text{"pane", "切换"},
			Do: func(ev *tcell.EventKey) bool {
				if ev.Key() == tcell.KeyBacktab {
					v.nextPane(-1)
				} else {
					v.nextPane(1)
				}
				return true
			}},
		{Name: "explain", Keys: []widgets.Key{R('e')},
			Help: widgets.Text{"the step's explanation whole, the ladder smaller (e again: short)", "完整显示这一步的说明，时序图变小（再按 e 收起）"},
			Do:   do(func() { v.explFull = !v.explFull })},
		{Name: "wide", Keys: []widgets.Key{R('w')},
			Help: widgets.Text{"labels whole: a call's or a packet's label runs over the lanes it crosses (w again: each in its lane, cut with …; the details always show the cursor's row whole)",
				"完整标签：调用和数据包的标签越过经过的泳道完整显示（再按 w：各在自己的泳道内，过长以 … 截断；详情里总有光标所在行的全文）"},
			Do: do(func() { v.wide = !v.wide })},
		{Name: "sockets", Keys: []widgets.Key{R('s')},
			Help: widgets.Text{"show / hide the sockets in the lab (as ss shows them) as of the cursor's row: the table read after the latest call that changed one, or as the step ended",
				"显示 / 隐藏光标所在行时实验室里的套接字（与 ss 一致）：最近一次改变了套接字的调用之后读到的表，或这一步结束时的表"},
			Hint: widgets.Text{"sockets", "套接字"}, Do: do(func() { v.tables = !v.tables })},
		{Name: "bars", Label: widgets.Text{"bars", "条形图"},
			Help: widgets.Text{"each socket's Send-Q and Recv-Q at the cursor, as the model has them (from the calls and the wire), in bytes of the buffer's size (SO_SNDBUF, SO_RCVBUF); ✓ / ≠ kernel: the kernel's own sample agrees / differs; ▁▂▃▅█: the queue over the rows, cursor marked (–: not known); in a narrow lane S and R stand for Send-Q and Recv-Q",
				"光标所在时刻每个套接字的 Send-Q 和 Recv-Q（模型根据调用和抓包推算），以字节计，满格为缓冲区容量（SO_SNDBUF、SO_RCVBUF）；✓ / ≠ 内核：内核自己的采样一致 / 不一致；▁▂▃▅█：队列随各行的变化，光标处高亮（–：未知）；泳道较窄时 S、R 分别代表 Send-Q、Recv-Q"}},
		{Name: "help", Keys: []widgets.Key{R('?')},
			Help: widgets.Text{"this help (↑ ↓ scroll it, any other key closes it)", "本帮助（↑ ↓ 滚动，按其他任意键关闭）"},
			Hint: widgets.Text{"help", "帮助"}, Do: do(func() { v.help, v.helpTop = true, 0 })},
		{Name: "quit", Keys: []widgets.Key{R('q')},
			Help: widgets.Text{"quit", "退出"},
			Hint: widgets.Text{"quit", "退出"}, Do: do(func() { v.quitting = true })},
	}}
}

// Keys is the demo view's key table (the README and tests read it).
func Keys() widgets.Keymap { return (&View{}).keyTable() }

// handleKey applies one key; it reports whether the person asked to quit.
// Call with v.mu held.
func (v *View) handleKey(event *tcell.EventKey) (quit bool) {
	v.quitting = false
	if v.help {
		v.helpKey(event)
		return v.quitting
	}
	v.keys.Dispatch(event)
	return v.quitting
}

// helpKey is a key while the help is open: ↑ ↓ j k PgUp PgDn scroll it,
// q quits, any other key closes it.
func (v *View) helpKey(ev *tcell.EventKey) {
	switch {
	case v.keys.Find("quit").Keys[0].Matches(ev):
		v.quitting = true
	case ev.Key() == tcell.KeyDown, ev.Key() == tcell.KeyRune && ev.Rune() == 'j':
		v.helpTop++
	case ev.Key() == tcell.KeyUp, ev.Key() == tcell.KeyRune && ev.Rune() == 'k':
		v.helpTop = max(0, v.helpTop-1)
	case ev.Key() == tcell.KeyPgDn:
		v.helpTop += 10
	case ev.Key() == tcell.KeyPgUp:
		v.helpTop = max(0, v.helpTop-10)
	default:
		v.help = false
	}
}

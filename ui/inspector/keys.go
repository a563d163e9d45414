package inspector

import (
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"github.com/sockscope/sockscope/ui/widgets"
)

// InspectorKeys lists the inspector's keys for the ? overlay (and the
// README): key, meaning. A continuation line has no key.
var InspectorKeys = [][2]string{
	{"space", "pause / resume the view (a live capture goes on capturing)"},
	{"n  p", "next / previous packet"},
	{"j k ↓ ↑", "move in the focused pane"},
	{"g G  PgUp PgDn", "first / last row, page up / down"},
	{"Enter", "select: the packet's conversation becomes the current one;"},
	{"", "in details, open or close a line; in conversations, make"},
	{"", "it current and jump to its first packet"},
	{"Tab  Shift-Tab", "next / previous pane"},
	{"mouse", "click selects, the wheel scrolls"},
	{"/", "display filter over the JSON field names, for example"},
	{"", "  tcp.port == 9000 && tcp.analysis.retransmission"},
	{"", "  ip.addr == 10.0.0.0/8 and not arp"},
	{"", "  dns.qry.name contains \"example\" || udp.length > 512"},
	{"", "a bare field tests presence; tcp.port means source or"},
	{"", "destination; an empty filter shows everything again"},
	{"f", "Follow the current conversation's byte stream (f again: back)"},
	{"c", "conversations (c again: back)"},
	{"l", "ladder diagram of the current conversation (l again: back)"},
	{"+  -", "replay speed faster / slower (files: capture timing × speed;"},
	{"", "max shows everything at once)"},
	{"Esc", "back to details and bytes; close this help"},
	{"?", "this help (any other key closes it)"},
	{"q  Ctrl-C", "quit"},
}

func helpLines() []widgets.Line {
	lines := []widgets.Line{{Text: "sockscope inspector — keys", Style: insStyleTitle}, {}}
	for _, k := range InspectorKeys {
		lines = append(lines, widgets.Line{Text: "  " + insPad(k[0], 16) + k[1]})
	}
	return lines
}

// onKey is the application's input capture: the keys that work whatever
// pane has the focus. It runs in the event loop: it must not wait for
// anything (no QueueUpdate, no job).
func (ins *inspector) onKey(ev *tcell.EventKey) *tcell.EventKey {
	if ev.Key() == tcell.KeyCtrlC {
		ins.quit()
		return nil
	}
	if ins.helpOpen {
		switch {
		case ev.Key() == tcell.KeyRune && ev.Rune() == 'q':
			ins.quit()
		case ev.Key() == tcell.KeyRune && (ev.Rune() == 'j' || ev.Rune() == 'k'),
			ev.Key() == tcell.KeyDown, ev.Key() == tcell.KeyUp, ev.Key() == tcell.KeyPgDn, ev.Key() == tcell.KeyPgUp:
			ins.help.InputHandler()(ev, func(tview.Primitive) {})
		default:
			ins.closeHelp()
		}
		return nil
	}
	if ins.filtering {
		return ev // the input's own done func takes Enter and Esc
	}
	ins.msg = ""
	switch ev.Key() {
	case tcell.KeyTab:
		ins.cycleFocus(1)
		return nil
	case tcell.KeyBacktab:
		ins.cycleFocus(-1)
		return nil
	case tcell.KeyEscape:
		if ins.pane != panePacket {
			ins.togglePane(ins.pane)
		} else {
			ins.app.SetFocus(ins.list)
		}
		return nil
	case tcell.KeyRune:
	default:
		return ev
	}
	now := time.Now()
	switch ev.Rune() {
	case 'q':
		ins.quit()
	case '?':
		ins.openHelp()
	case ' ':
		ins.mu.Lock()
		ins.pacer.setPaused(now, !ins.pacer.paused)
		ins.redraw = true
		ins.mu.Unlock()
	case 'n':
		ins.move(1)
	case 'p':
		ins.move(-1)
	case '+', '=':
		ins.mu.Lock()
		ins.pacer.faster(now)
		ins.redraw = true
		ins.mu.Unlock()
	case '-':
		ins.mu.Lock()
		ins.pacer.slower(now)
		ins.redraw = true
		ins.mu.Unlock()
	case '/':
		ins.openFilter()
	case 'f':
		ins.togglePane(paneFollow)
	case 'c':
		ins.togglePane(paneConvs)
	case 'l':
		ins.togglePane(paneLadder)
	default:
		return ev
	}
	return nil
}

func (ins *inspector) openHelp() { ins.helpOpen = true }

func (ins *inspector) closeHelp() { ins.helpOpen = false }

var _ tview.Primitive = (*widgets.LinesView)(nil)

package inspector

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/sockscope/sockscope/ui/widgets"
)

// The key table is the one truth about keys: every key it lists works
// (pressing it changes the screen, or quits), every key it lists is in
// the help, and a key it does not list does nothing in any pane.

// keyPrelude puts the inspector where an action's key shows its effect:
// the keys pressed first.
var keyPrelude = map[string][]widgets.Key{
	"previous": {widgets.Rune('n'), widgets.Rune('n')},
	"move":     {widgets.Rune('n'), widgets.Rune('n')},
	"page":     {widgets.Rune('n'), widgets.Rune('n')},
	"ends":     {widgets.Rune('n'), widgets.Rune('n')},
	"sideways": {widgets.Rune('n'), widgets.Rune('n'), widgets.Rune('n'), widgets.Rune('f'), widgets.Named(tcell.KeyRight)},
	"faster":   {widgets.Rune('-')},
	"back":     {widgets.Rune('c')},
	"wide":     {widgets.Rune('n'), widgets.Rune('n'), widgets.Rune('n'), widgets.Rune('n'), widgets.Rune('l')},
}

// look is the screen's text and every cell's style: a key that only
// moves a highlight changes the look.
func (h *insHarness) look() string {
	var b strings.Builder
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.app.QueueUpdate(func() {
			cells, _, _ := h.sim.GetContents()
			for _, c := range cells {
				fg, bg, attr := c.Style.Decompose()
				fmt.Fprintf(&b, "%s%d/%d/%d ", string(c.Runes), fg, bg, attr)
			}
		})
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		h.t.Fatal("the event loop does not answer")
	}
	return b.String()
}

// stable waits until the screen stops changing (jobs and the refresh loop
// have caught up) and returns it.
func (h *insHarness) stable() string {
	h.t.Helper()
	prev := h.look()
	same := 0
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		time.Sleep(30 * time.Millisecond)
		s := h.look()
		if s == prev {
			if same++; same == 2 {
				return s
			}
			continue
		}
		prev, same = s, 0
	}
	h.t.Fatalf("the screen does not settle:\n%s", strings.Join(h.screen(), "\n"))
	return ""
}

func (h *insHarness) press(k widgets.Key) {
	h.sim.InjectKey(k.Key, k.Rune, tcell.ModNone)
	h.settle()
}

func TestEveryKeyInTheTableWorks(t *testing.T) {
	path := writeCapture(t, testConversation())
	keys := (&inspector{}).keyTable()
	for _, a := range keys.Actions {
		if a.Do == nil {
			continue
		}
		if len(a.Keys) == 0 {
			t.Errorf("action %s has a handler and no key", a.Name)
		}
		for _, k := range a.Keys {
			t.Run(a.Name+"/"+k.Name(false), func(t *testing.T) {
				t.Parallel()
				h := runFileHarness(t, path, Options{})
				h.waitText("10 packets", "Frame 1:", "speed max")
				for _, p := range keyPrelude[a.Name] {
					h.stable() // a pane's job has posted its lines
					h.press(p)
				}
				before := h.stable()
				if a.Name == "quit" {
					h.sim.InjectKey(k.Key, k.Rune, tcell.ModNone) // no settle: the loop stops
					select {
					case err := <-h.done:
						h.done <- err // for the cleanup
					case <-time.After(5 * time.Second):
						t.Fatalf("%s did not quit", k.Name(false))
					}
					return
				}
				h.press(k)
				for deadline := time.Now().Add(10 * time.Second); h.look() == before; time.Sleep(20 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("%s did not change the screen:\n%s", k.Name(false), strings.Join(h.screen(), "\n"))
					}
				}
			})
		}
	}
}

// Keys the table does not list change nothing, whichever pane has the
// focus (the tree, the table and the lines views have keys of their own:
// they get only what the table forwards).
func TestKeysNotInTheTableDoNothing(t *testing.T) {
	path := writeCapture(t, testConversation())
	keys := (&inspector{}).keyTable()
	var others []widgets.Key
	for r := rune(0x21); r < 0x7f; r++ {
		if !keys.Handles(widgets.Rune(r)) {
			others = append(others, widgets.Rune(r))
		}
	}
	for _, k := range []tcell.Key{tcell.KeyInsert, tcell.KeyDelete, tcell.KeyBackspace2, tcell.KeyF1, tcell.KeyF5,
		tcell.KeyCtrlA, tcell.KeyCtrlE, tcell.KeyCtrlN, tcell.KeyCtrlP, tcell.KeyCtrlU, tcell.KeyCtrlL} {
		if !keys.Handles(widgets.Named(k)) {
			others = append(others, widgets.Named(k))
		}
	}
	if len(others) < 60 {
		t.Fatalf("only %d keys outside the table: the test would prove little", len(others))
	}
	for _, focus := range []struct {
		name string
		keys []widgets.Key
	}{
		{"list", nil},
		{"details", []widgets.Key{widgets.Named(tcell.KeyTab)}},
		// An open line: the tree's own J would go to its first child.
		{"details-open", []widgets.Key{widgets.Named(tcell.KeyTab), widgets.Named(tcell.KeyEnter)}},
		{"bytes", []widgets.Key{widgets.Named(tcell.KeyTab), widgets.Named(tcell.KeyTab)}},
		{"conversations", []widgets.Key{widgets.Rune('c')}},
		{"follow", []widgets.Key{widgets.Rune('n'), widgets.Rune('n'), widgets.Rune('n'), widgets.Rune('f')}},
		{"ladder", []widgets.Key{widgets.Rune('l')}},
	} {
		t.Run(focus.name, func(t *testing.T) {
			t.Parallel()
			h := runFileHarness(t, path, Options{})
			h.waitText("10 packets", "Frame 1:", "speed max")
			for _, k := range focus.keys {
				h.press(k)
			}
			before := h.stable()
			for _, k := range others {
				h.press(k)
				if h.look() != before {
					t.Fatalf("%s, outside the table, changed the screen:\n%s", k.Name(false), strings.Join(h.screen(), "\n"))
				}
			}
			if h.stable() != before {
				t.Errorf("keys outside the table changed the screen:\n%s", strings.Join(h.screen(), "\n"))
			}
			select {
			case err := <-h.done:
				t.Fatalf("a key outside the table ended the inspector (%v)", err)
			default:
			}
		})
	}
}

// The help lists every action's keys and help, and the status bar's hints
// come from the table.
func TestHelpIsTheTable(t *testing.T) {
	path := writeCapture(t, testConversation())
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			zh := lang == "zh"
			h := newHarnessSize(t, 160, 48, Options{Lang: lang}, func(ctx context.Context, opts Options) error { return RunFile(ctx, path, opts) })
			h.waitText("Frame 1:")
			h.key('?')
			s := h.waitText(widgets.Text{"sockscope inspector — keys", "sockscope 检查器——按键"}.In(zh))
			// The help may be longer than the screen: read it all by
			// scrolling.
			seen := s
			for range 6 {
				h.special(tcell.KeyPgDn)
				seen += "\n" + h.stable()
			}
			flat := strings.Join(strings.Fields(seen), " ")
			for _, a := range h.ins.keys.Actions {
				for _, k := range a.Keys {
					if a.Label[0] == "" && !strings.Contains(seen, k.Name(zh)) {
						t.Errorf("the help does not show key %s of %s", k.Name(zh), a.Name)
					}
				}
				first := strings.Fields(strings.Split(a.Help.In(zh), "\n")[0])
				if zh {
					first = []string{[]string(strings.Split(a.Help.In(zh), "（"))[0]}
				}
				want := strings.Join(first[:min(len(first), 3)], " ")
				if zh {
					want = string([]rune(first[0])[:min(6, len([]rune(first[0])))])
				}
				if !strings.Contains(flat, want) {
					t.Errorf("the help lacks %s's text %q", a.Name, want)
				}
			}
			h.key('x')
			s = h.waitGone(widgets.Text{"sockscope inspector — keys", "sockscope 检查器——按键"}.In(zh))
			status := strings.Split(s, "\n")[47]
			for _, hint := range h.ins.keys.Hints(zh) {
				if !strings.Contains(status, hint[0]+" "+hint[1]) {
					t.Errorf("the status bar lacks the hint %q: %q", hint[0]+" "+hint[1], status)
				}
			}
		})
	}
}

package demoview

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/sockscope/sockscope/ui/widgets"
)

// The key table is the one truth about the demo view's keys: every key it
// lists changes what the view draws (or quits), every key it does not
// list changes nothing, and the help and the bottom line come from it.

// demoKeyPrelude puts the view where an action's key shows its effect.
var demoKeyPrelude = map[string][]widgets.Key{
	"next": {widgets.Rune('p')}, // looking back at step 1: n shows step 2
}

// look draws v on a w×h simulation screen and returns every cell's text
// and style.
func look(t *testing.T, v *View, w, h int) string {
	t.Helper()
	var b strings.Builder
	for _, l := range drawSynth(t, v, w, h) {
		b.WriteString(l.text)
		for _, st := range l.styles {
			fg, bg, attr := st.Decompose()
			fmt.Fprintf(&b, "%d/%d/%d ", fg, bg, attr)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func press(v *View, k widgets.Key) { v.InputHandler()(k.Event(), func(tview.Primitive) {}) }

func TestDemoEveryKeyInTheTableWorks(t *testing.T) {
	for _, a := range Keys().Actions {
		if a.Do == nil {
			continue
		}
		if len(a.Keys) == 0 {
			t.Errorf("action %s has a handler and no key", a.Name)
		}
		for _, k := range a.Keys {
			v := synthView("en", 3)
			quit := false
			v.opts.OnQuit = func() { quit = true }
			for _, p := range demoKeyPrelude[a.Name] {
				press(v, p)
			}
			before := look(t, v, 160, 48)
			press(v, k)
			if a.Name == "quit" {
				if !quit {
					t.Errorf("%s did not quit", k.Name(false))
				}
				continue
			}
			if look(t, v, 160, 48) == before {
				t.Errorf("%s (%s) changed nothing on the screen", k.Name(false), a.Name)
			}
		}
	}
}

func TestDemoKeysNotInTheTableDoNothing(t *testing.T) {
	keys := Keys()
	var others []widgets.Key
	for r := rune(0x21); r < 0x7f; r++ {
		if !keys.Handles(widgets.Rune(r)) {
			others = append(others, widgets.Rune(r))
		}
	}
	for _, k := range []tcell.Key{tcell.KeyLeft, tcell.KeyRight, tcell.KeyInsert, tcell.KeyDelete, tcell.KeyBackspace2, tcell.KeyF1, tcell.KeyCtrlA, tcell.KeyCtrlU} {
		if !keys.Handles(widgets.Named(k)) {
			others = append(others, widgets.Named(k))
		}
	}
	for _, focus := range []string{"ladder", "calls", "help"} {
		v := synthView("en", 3)
		quit := false
		v.opts.OnQuit = func() { quit = true }
		switch focus {
		case "calls":
			press(v, widgets.Named(tcell.KeyTab))
		case "help":
			press(v, widgets.Rune('?'))
		}
		before := look(t, v, 160, 48)
		for _, k := range others {
			if focus == "help" {
				break // in the help any key closes it: see TestDemoHelpKeys
			}
			press(v, k)
			if look(t, v, 160, 48) != before || quit {
				t.Errorf("%s: %s, outside the table, changed the view", focus, k.Name(false))
				break
			}
		}
	}
}

// The help: its whole border at every size, nothing of the view beside
// it; ↑ ↓ scroll it, q quits, any other key closes it.
func TestDemoHelpKeys(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		for _, size := range [][2]int{{80, 24}, {100, 30}, {160, 48}, {250, 70}} {
			v := synthView(lang, 3)
			press(v, widgets.Rune('?'))
			lines := drawSynth(t, v, size[0], size[1])
			top, bottom := -1, -1
			for i, l := range lines {
				if top < 0 && strings.Contains(l.text, "┌") {
					top = i
				}
				if top >= 0 && bottom < 0 && l.col("└") == lines[top].col("┌") {
					bottom = i
				}
			}
			if top < 0 || bottom <= top {
				t.Fatalf("%s %dx%d: no help box:\n%s", lang, size[0], size[1], demoDump(lines))
			}
			left, right := lines[top].col("┌"), lines[top].col("┐")
			for i := top + 1; i < bottom; i++ {
				if lines[i].at(left) != "│" || lines[i].at(right) != "│" {
					t.Errorf("%s %dx%d: row %d of the help has no side border: %q", lang, size[0], size[1], i, lines[i].text)
				}
			}
			if lines[bottom].col("└") != left || lines[bottom].col("┘") != right {
				t.Errorf("%s %dx%d: the bottom border is not under the top one", lang, size[0], size[1])
			}
			// Every action's keys show, scrolling down as needed.
			seen := demoDump(lines)
			for range 10 {
				press(v, widgets.Named(tcell.KeyDown))
				seen += demoDump(drawSynth(t, v, size[0], size[1]))
			}
			zh := lang == "zh"
			for _, a := range v.keys.Actions {
				label := a.Label.In(zh)
				if label == "" {
					label = a.Keys[0].Name(zh)
				}
				if !strings.Contains(seen, label) {
					t.Errorf("%s %dx%d: the help never shows %q", lang, size[0], size[1], label)
				}
			}
			press(v, widgets.Rune('x'))
			if strings.Contains(demoDump(drawSynth(t, v, size[0], size[1])), "┌") {
				t.Errorf("x did not close the help")
			}
		}
	}
}

// At 80×24, 100×30 and 160×48, in both languages, with and without the
// help: no line of the view starts with closing punctuation, every bar has
// its end marks apart from its eighths, and every hint is on the bottom
// line, or on the two bottom lines when they do not fit on one.
func TestDemoScreensSizes(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		zh := lang == "zh"
		for _, size := range [][2]int{{80, 24}, {100, 30}, {160, 48}, {250, 70}} {
			for _, help := range []bool{false, true} {
				v := synthView(lang, 3)
				v.help = help
				lines := drawSynth(t, v, size[0], size[1])
				for i, l := range lines {
					inner := strings.TrimLeft(l.text, " │")
					for _, p := range "，。：；、）！？」』】" {
						if strings.HasPrefix(inner, string(p)) {
							t.Errorf("%s %dx%d: row %d starts with %q: %q", lang, size[0], size[1], i, string(p), l.text)
						}
					}
					if strings.Contains(l.text, "Send-Q ") && strings.Contains(l.text, " B / ") && !help {
						if !strings.Contains(l.text, "[") || !strings.Contains(l.text, "]") {
							t.Errorf("%s %dx%d: a bar without its end marks: %q", lang, size[0], size[1], l.text)
						}
					}
				}
				if help {
					continue
				}
				// The hints on the bottom line, or on two when they do not
				// fit on one: none dropped.
				hints := v.keys.Hints(zh)
				first := hints[0][0] + " " + hints[0][1]
				last := hints[len(hints)-1][0] + " " + hints[len(hints)-1][1]
				keys := strings.TrimSpace(lines[len(lines)-1].text)
				if !strings.HasPrefix(keys, first) {
					keys = strings.TrimSpace(lines[len(lines)-2].text) + "  " + keys
				}
				if !strings.HasPrefix(keys, first) || !strings.HasSuffix(keys, last) {
					t.Errorf("%s %dx%d: the key lines do not hold every hint from %q to %q: %q", lang, size[0], size[1], first, last, keys)
				}
				for _, h := range hints {
					if !strings.Contains(keys, h[0]+" "+h[1]) {
						t.Errorf("%s %dx%d: the hint %q is missing: %q", lang, size[0], size[1], h[0]+" "+h[1], keys)
					}
				}
			}
		}
	}
}

// A step's explanation longer than its share of the screen ends in
// "… (e: more)"; e shows it whole, e again short.
func TestDemoExplanationKey(t *testing.T) {
	long := strings.Repeat("The kernel keeps the bytes until the peer acknowledges them. ", 12) + "THE END."
	v := synthView("en", 3)
	v.demo.Steps[1].Explain = long
	lines := drawSynth(t, v, 100, 30)
	dump := demoDump(lines)
	if !strings.Contains(dump, "… (e: more)") || strings.Contains(dump, "THE END.") {
		t.Fatalf("a long explanation at 100×30 does not end in \"… (e: more)\":\n%s", dump)
	}
	press(v, widgets.Rune('e'))
	dump = demoDump(drawSynth(t, v, 100, 30))
	if !strings.Contains(dump, "THE END.") || strings.Contains(dump, "(e: more)") || !strings.Contains(dump, "e: short") {
		t.Errorf("e did not show the explanation whole:\n%s", dump)
	}
	press(v, widgets.Rune('e'))
	if dump = demoDump(drawSynth(t, v, 100, 30)); !strings.Contains(dump, "… (e: more)") {
		t.Errorf("e again did not make it short:\n%s", dump)
	}
}

// A lane too narrow for "Send-Q 0 B / 2626560 B" keeps its bars: the
// value and the bar, the size in the details.
var laneQueueRE = regexp.MustCompile(`(Send|Recv)-Q (≥ )?\d+ B( / (max )?\d+ B)?`)

func TestDemoNarrowLanesKeepBars(t *testing.T) {
	v := synthView("en", 3)
	lines := drawSynth(t, v, 48, 40)
	bars := 0
	for _, l := range lines {
		for _, m := range laneQueueRE.FindAllStringIndex(l.text, -1) {
			if !strings.HasPrefix(strings.TrimLeft(l.text[m[1]:], " "), "[") {
				t.Errorf("a queue without its bar in a narrow lane: %q", l.text)
			}
			bars++
		}
	}
	if bars < 4 {
		t.Errorf("only %d queues drawn at 48 columns:\n%s", bars, demoDump(lines))
	}
}

package widgets

import (
	"strings"

	"github.com/gdamore/tcell/v2"

	"github.com/sockscope/sockscope/internal/textcol"
)

// A view's keys are one table of Actions (as k9s keeps them): each action
// has its keys, its help in English and 中文 and its handler, and the help
// screen and the status bar's hints are made from the table. A view's input
// handler dispatches through the table and through nothing else, so a key
// works exactly when the help lists it.

// Key is one key: a rune (Key == tcell.KeyRune) or a named key.
type Key struct {
	Key  tcell.Key
	Rune rune
}

// Rune is the key that types r.
func Rune(r rune) Key { return Key{Key: tcell.KeyRune, Rune: r} }

// Named is a named key (Enter, Tab, an arrow, Ctrl-C).
func Named(k tcell.Key) Key { return Key{Key: k} }

// Matches reports whether ev is this key (modifiers other than Shift on a
// rune are not looked at).
func (k Key) Matches(ev *tcell.EventKey) bool {
	if ev.Key() != k.Key {
		return false
	}
	return k.Key != tcell.KeyRune || ev.Rune() == k.Rune
}

// Event is the key as an event (tests inject it).
func (k Key) Event() *tcell.EventKey {
	if k.Key == tcell.KeyRune {
		return tcell.NewEventKey(tcell.KeyRune, k.Rune, tcell.ModNone)
	}
	return tcell.NewEventKey(k.Key, 0, tcell.ModNone)
}

// keyNames are how the help writes named keys, in each language.
var keyNames = map[tcell.Key][2]string{
	tcell.KeyEnter:   {"Enter", "回车"},
	tcell.KeyTab:     {"Tab", "Tab"},
	tcell.KeyBacktab: {"Shift-Tab", "Shift-Tab"},
	tcell.KeyEscape:  {"Esc", "Esc"},
	tcell.KeyUp:      {"↑", "↑"},
	tcell.KeyDown:    {"↓", "↓"},
	tcell.KeyLeft:    {"←", "←"},
	tcell.KeyRight:   {"→", "→"},
	tcell.KeyPgUp:    {"PgUp", "PgUp"},
	tcell.KeyPgDn:    {"PgDn", "PgDn"},
	tcell.KeyHome:    {"Home", "Home"},
	tcell.KeyEnd:     {"End", "End"},
	tcell.KeyCtrlC:   {"Ctrl-C", "Ctrl-C"},
	tcell.KeyCtrlF:   {"Ctrl-F", "Ctrl-F"},
	tcell.KeyCtrlB:   {"Ctrl-B", "Ctrl-B"},
}

// Name is the key as the help writes it.
func (k Key) Name(zh bool) string {
	if k.Key == tcell.KeyRune {
		if k.Rune == ' ' {
			return tr(zh, "space", "空格")
		}
		return string(k.Rune)
	}
	if n, ok := keyNames[k.Key]; ok {
		return tr(zh, n[0], n[1])
	}
	return tcell.KeyNames[k.Key]
}

// Text is a text in English and 中文.
type Text [2]string

// In returns the text in the language asked for (zh: 中文 when it has one).
func (t Text) In(zh bool) string {
	if zh && t[1] != "" {
		return t[1]
	}
	return t[0]
}

func tr(zh bool, en, z string) string { return Text{en, z}.In(zh) }

// Action is one row of a view's key table.
type Action struct {
	// Name identifies the action (tests and hints refer to it).
	Name string
	// Keys run the action. None: a line of the help that explains (the
	// mouse, the bars) and handles no key.
	Keys []Key
	// Label is how the help writes the keys; empty: their names.
	Label Text
	// Help says what the action does, one paragraph per language (the
	// help wraps it to its width).
	Help Text
	// Hint is the word the status bar shows beside the first key; empty:
	// not among the hints.
	Hint Text
	// HintKey is how the hint writes the keys; empty: the first key.
	HintKey Text
	// Do handles the key. It runs in the event loop and must not wait.
	// It returns false when the action does not apply now, and the key
	// goes on (to the next action with the key, else nowhere).
	Do func(ev *tcell.EventKey) bool
}

// Keymap is a view's table of actions, in the order of its help.
type Keymap struct {
	Title   Text
	Actions []Action
}

// Dispatch runs the first action with ev's key that applies; it reports
// whether one did.
func (m *Keymap) Dispatch(ev *tcell.EventKey) bool {
	for i := range m.Actions {
		a := &m.Actions[i]
		if a.Do == nil {
			continue
		}
		for _, k := range a.Keys {
			if k.Matches(ev) {
				if a.Do(ev) {
					return true
				}
				break
			}
		}
	}
	return false
}

// Find returns the action called name, or nil.
func (m *Keymap) Find(name string) *Action {
	for i := range m.Actions {
		if m.Actions[i].Name == name {
			return &m.Actions[i]
		}
	}
	return nil
}

// Handles reports whether some action has key k.
func (m *Keymap) Handles(k Key) bool {
	for _, a := range m.Actions {
		for _, ak := range a.Keys {
			if ak == k && a.Do != nil {
				return true
			}
		}
	}
	return false
}

// label is the action's keys as the help writes them.
func (a *Action) label(zh bool) string {
	if a.Label[0] != "" {
		return a.Label.In(zh)
	}
	names := make([]string, 0, len(a.Keys))
	for _, k := range a.Keys {
		names = append(names, k.Name(zh))
	}
	return strings.Join(names, " ")
}

// HelpKeyWidth is the column the help's texts start at, after the keys.
const HelpKeyWidth = 18

// HelpLines is the help screen for width columns: the title, then each
// action's keys and its help wrapped beside them (Unicode's line breaking:
// no line starts with closing punctuation).
func (m *Keymap) HelpLines(zh bool, width int, keyStyle, textStyle, titleStyle tcell.Style) []Line {
	lines := []Line{{Text: m.Title.In(zh), Style: titleStyle}, {}}
	textW := max(width-HelpKeyWidth-2, 10)
	for i := range m.Actions {
		a := &m.Actions[i]
		label := a.label(zh)
		wrapped := textcol.Wrap(a.Help.In(zh), textW)
		if textcol.Width(label) > HelpKeyWidth-3 {
			// A long label on a line of its own.
			lines = append(lines, Line{Text: "  " + label, Style: keyStyle, Key: len(label) + 2})
			label = ""
		}
		for j, w := range wrapped {
			k := ""
			if j == 0 {
				k = label
			}
			lines = append(lines, Line{Text: "  " + textcol.Pad(k, HelpKeyWidth-2) + w, Style: textStyle, Key: len(k) + 2})
		}
	}
	return lines
}

// Hints are the status bar's hints: (key, word) for each action with a
// hint, in the table's order.
func (m *Keymap) Hints(zh bool) [][2]string {
	var h [][2]string
	for i := range m.Actions {
		a := &m.Actions[i]
		if a.Hint[0] == "" || len(a.Keys) == 0 {
			continue
		}
		k := a.Keys[0].Name(zh)
		if a.HintKey[0] != "" {
			k = a.HintKey.In(zh)
		}
		h = append(h, [2]string{k, a.Hint.In(zh)})
	}
	return h
}

// DrawHints prints hints from x on row y up to maxX, keys in keyStyle and
// words in style, and stops before a hint that does not fit whole. It
// returns the column after the last one printed.
func DrawHints(screen tcell.Screen, x, y, maxX int, hints [][2]string, keyStyle, style tcell.Style) int {
	for i, h := range hints {
		w := textcol.Width(h[0]) + 1 + textcol.Width(h[1])
		if i > 0 {
			w += 2
		}
		if x+w > maxX {
			break
		}
		if i > 0 {
			x = PrintCells(screen, x, y, maxX, "  ", style)
		}
		x = PrintCells(screen, x, y, maxX, h[0], keyStyle)
		x = PrintCells(screen, x, y, maxX, " "+h[1], style)
	}
	return x
}

// HintsWidth is the columns DrawHints needs for all of hints.
func HintsWidth(hints [][2]string) int {
	w := 0
	for i, h := range hints {
		if i > 0 {
			w += 2
		}
		w += textcol.Width(h[0]) + 1 + textcol.Width(h[1])
	}
	return w
}

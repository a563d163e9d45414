package inspector

import (
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
)

// / opens the filter input empty (typing never appends to the last
// filter); ↑ brings back the filters applied, newest first, ↓ goes back;
// a filter that does not compile keeps the input open, and the line below
// it marks the column of the error.
func TestFilterInputHistoryAndErrorColumn(t *testing.T) {
	path := writeCapture(t, testConversation())
	h := runFileHarness(t, path, Options{})
	h.waitText("10 packets", "Frame 1:")
	apply := func(f string) {
		h.key('/')
		h.waitText("Display filter:")
		h.typeText(f)
		h.special(tcell.KeyEnter)
	}
	apply("tcp.port == 9000")
	h.waitText("filter: tcp.port == 9000 (9 shown)")
	apply("udp")
	h.waitText("filter: udp (1 shown)")

	h.key('/')
	s := h.waitText("Display filter:")
	if l := line(s, "Display filter:"); !strings.Contains(l, "Display filter: e.g. ") { // the placeholder: empty
		t.Errorf("/ did not open empty: %q", l)
	}
	h.special(tcell.KeyUp)
	h.waitFor("↑ to recall udp", func(s string) bool {
		return strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(line(s, "Display filter:"), "Display filter:")), "udp")
	})
	h.special(tcell.KeyUp)
	h.waitFor("↑↑ to recall tcp.port == 9000", func(s string) bool {
		return strings.Contains(line(s, "Display filter:"), "Display filter: tcp.port == 9000")
	})
	h.special(tcell.KeyDown)
	h.special(tcell.KeyDown)
	h.waitFor("↓↓ to empty the input", func(s string) bool {
		l := line(s, "Display filter:")
		return strings.Contains(l, "Display filter: e.g. ")
	})
	// Typing after a recall edits the recalled filter, and an error
	// points at its column: "tcp.port == 9000 && bogus", column 21.
	h.special(tcell.KeyUp)
	h.special(tcell.KeyUp)
	h.typeText(" && bogus")
	h.special(tcell.KeyEnter)
	s = h.waitText(`^ unknown field "bogus"`)
	rows := strings.Split(s, "\n")
	in, mark := -1, -1
	for i, r := range rows {
		if strings.Contains(r, "Display filter: tcp.port == 9000 && bogus") {
			in = i
		}
		if strings.Contains(r, `^ unknown field "bogus"`) {
			mark = i
		}
	}
	if in < 0 || mark != in+1 {
		t.Fatalf("the mark is not on the line below the input (input %d, mark %d):\n%s", in, mark, s)
	}
	if got, want := strings.Index(rows[mark], "^"), strings.Index(rows[in], "bogus"); got != want {
		t.Errorf("the mark is at column %d, the error's column is %d:\n%s\n%s", got, want, rows[in], rows[mark])
	}
	h.special(tcell.KeyEscape)
	h.waitGone("Display filter:")
}

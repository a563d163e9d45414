//go:build linux

package demoview

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/internal/netns"
)

// s shows the socket table in force at the cursor's row: on the send
// right after the client's shutdown(SHUT_WR), the table read after the
// shutdown, with the client's socket in FIN-WAIT; before the shutdown, the
// table of step 1's end; s again hides it.
func TestDemoViewSocketTableAtCursor(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	h := startDemo(t, "half-close", Options{})
	h.waitText("■ finished")
	shut := 0
	h.view.mu.Lock()
	for _, c := range h.view.tl.Run.Calls {
		if c.Endpoint == "client" && c.Op == "shutdown" {
			shut = c.Number
		}
	}
	h.view.mu.Unlock()
	if shut == 0 {
		t.Fatal("no shutdown call in the model")
	}

	// From the first row (no table read yet) down to the send after the
	// shutdown: the ladder scrolls with the cursor at its foot, the rows
	// above it in view.
	h.key('g')
	h.key('s')
	h.waitText("▤ no socket table yet at this row")
	h.moveTo('j', `send("one more thing") = -1 EPIPE`)
	head := fmt.Sprintf("read after call #%d returned: client shutdown(SHUT_WR) = 0", shut)
	lines := h.waitText("▤ as of the cursor's row", head, "Netid State")
	at := demoFindLine(lines, head)
	fin := -1
	for i := at + 1; i < len(lines) && i < at+12; i++ {
		if l := lines[i].text; strings.Contains(l, "FIN-WAIT-") && strings.Contains(l, "client") && strings.Contains(l, ":7028") {
			fin = i
			break
		}
	}
	if fin < 0 {
		t.Errorf("the table after the shutdown has no client socket in FIN-WAIT:\n%s", demoDump(lines))
	}
	if demoFindLine(lines, "changed: ") < 0 || demoFindLine(lines, "ESTAB→FIN-WAIT-") < 0 {
		t.Errorf("the details do not say what changed:\n%s", demoDump(lines))
	}
	// The table's row is right above the cursor's (after the shutdown's
	// row and its FIN), marked as the one shown.
	cur := demoCursorLine(lines)
	if cur < 1 || !strings.Contains(lines[cur-1].text, "▤ sockets: ") {
		t.Errorf("the row above the cursor's is not the table:\n%s", demoDump(lines))
	} else if lines[cur-1].style("▤") != demoStyleTitle {
		t.Errorf("the table row above the cursor is not marked as the one shown: %q", lines[cur-1].text)
	}
	shutLine := demoFindLine(lines, "shutdown(SHUT_WR) = 0")
	if shutLine < 0 || shutLine >= cur-1 {
		t.Errorf("the shutdown's row (line %d) is not above the table's (line %d):\n%s", shutLine, cur-1, demoDump(lines))
	}

	// Before the shutdown the table in force is the one step 1 ended with.
	lines = h.moveTo('k', `sendall("count these bytes, please") = 25`)
	lines = h.waitText("▤ as of the cursor's row", "sockets in the lab after step 1")
	details := lines[demoFindLine(lines, "▤ as of the cursor's row"):demoFindLine(lines, "─ Calls ")]
	if demoFindLine(details, "FIN-WAIT-") >= 0 || demoFindLine(details, "ESTAB") < 0 {
		t.Errorf("the table before the shutdown shows FIN-WAIT:\n%s", demoDump(lines))
	}
	h.key('s')
	h.waitFor("s to hide the table", func(l []demoScreenLine) bool {
		return demoFindLine(l, "▤ as of the cursor's row") < 0 && demoFindLine(l, "Netid State") < 0
	})
	h.quit()
}

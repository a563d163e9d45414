package widgets

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/uniseg"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/escape"
	"github.com/sockscope/sockscope/internal/escape/escapetest"
)

// The cell printer shows every hostile class as the one policy's escape,
// and a packet line the text printer made shows on the screen exactly as
// the text printer printed it: the two never disagree.
func TestPrintCellsEscapesHostileText(t *testing.T) {
	sim := tcell.NewSimulationScreen("UTF-8")
	if err := sim.Init(); err != nil {
		t.Fatal(err)
	}
	defer sim.Fini()
	sim.SetSize(200, 2)
	for _, c := range escapetest.Cases {
		t.Run(c.Name, func(t *testing.T) {
			// Straight from the wire: dangerous characters escaped; a
			// backslash is left alone, as this is the last check, not the
			// place where bytes become text.
			sim.Clear()
			end := PrintCells(sim, 0, 0, 200, c.In, tcell.StyleDefault)
			got := screenRow(sim, 0, end)
			if want := escape.Safe(c.In); got != want {
				t.Errorf("PrintCells(%q) shows %q, want %q", c.In, got, want)
			}
			escapetest.AssertHarmless(t, "screen", got)

			// The text printer's line for a DNS query naming it.
			p := decode.Packet{
				Layers: decode.LayerIPv4 | decode.LayerUDP | decode.LayerDNS, IPVersion: 4, IPProto: 17,
				Src: netip.MustParseAddr("10.0.0.1"), Dst: netip.MustParseAddr("10.0.0.2"), IPLen: 60,
				SrcPort: 33000, DstPort: 53, UDPLen: 40, PayloadLen: 32,
				DNS: decode.DNSSummary{ID: 1, RD: true, QDCount: 1, QType: 1, QClass: 1, QName: []byte(c.In), MsgLen: 32},
			}
			line := string(decode.AppendSummary(nil, &p))
			if !strings.Contains(line, "A? "+c.Text+". ") {
				t.Errorf("text line %q does not show the name as %q", line, c.Text)
			}
			sim.Clear()
			end = PrintCells(sim, 0, 1, 200, line, tcell.StyleDefault)
			if got := screenRow(sim, 1, end); got != line {
				t.Errorf("the screen shows %q, the text printer %q", got, line)
			}
		})
	}
}

// screenRow is what cells [0, end) of row y show.
func screenRow(sim tcell.SimulationScreen, y, end int) string {
	sim.Show()
	cells, w, _ := sim.GetContents()
	var b strings.Builder
	for x := 0; x < end; x++ {
		s := string(cells[y*w+x].Runes)
		b.WriteString(s)
		x += uniseg.StringWidth(s) - 1 // skip a wide character's second column
	}
	return b.String()
}

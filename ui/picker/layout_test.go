package picker

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/sockscope/sockscope/ui/internal/simtest"
)

// At 80, 100 and 160 columns, in both languages, a line of the list that
// reaches the border ends in "…" (no lesson is started: nothing here
// needs the lab).
func TestPickerLinesFit(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		for _, size := range [][2]int{{80, 24}, {100, 30}, {160, 48}} {
			sim := tcell.NewSimulationScreen("UTF-8")
			ready := make(chan *tview.Application, 1)
			var pk *picker
			done := make(chan error, 1)
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				done <- Run(ctx, Options{Lang: lang, Screen: sim, started: func(app *tview.Application, p *picker) {
					pk = p
					sim.SetSize(size[0], size[1])
					ready <- app
				}})
			}()
			h := &simtest.Harness{T: t, Sim: sim, App: <-ready}
			s := h.WaitText("tcp-echo")
			whole := map[string]bool{}
			for _, t := range pk.texts {
				whole[t.main], whole[t.second] = true, true
			}
			cut := 0
			for i, r := range strings.Split(s, "\n") {
				inner, ok := strings.CutPrefix(r, "║")
				if !ok {
					continue
				}
				inner, ok = strings.CutSuffix(inner, "║")
				if !ok || strings.HasSuffix(inner, " ") || whole[inner] {
					continue // ends before the border, or exactly at it
				}
				if strings.HasSuffix(inner, "…") {
					cut++
					continue
				}
				t.Errorf("%s %dx%d: row %d reaches the border without …: %q", lang, size[0], size[1], i, r)
			}
			if size[0] == 80 && cut == 0 {
				t.Errorf("%s 80 columns: no line was cut, the test proves nothing:\n%s", lang, s)
			}
			if first := strings.TrimRight(strings.Split(s, "\n")[0], " "); first != pickerWords[lang][1] && !strings.HasSuffix(first, "…") {
				t.Errorf("%s %dx%d: the intro line is cut without …: %q", lang, size[0], size[1], first)
			}
			cancel()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("the picker did not stop")
			}
		}
	}
}

//go:build linux

package picker

import (
	"context"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/internal/netns"
	"github.com/sockscope/sockscope/ui/internal/simtest"
)

// TestPicker runs the picker in a private network namespace: the list of
// demos, Enter runs the highlighted one in the demo view (to its end), q
// comes back to the list, q quits.
func TestPicker(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	sim := tcell.NewSimulationScreen("UTF-8")
	ready := make(chan *tview.Application, 1)
	done := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		done <- Run(ctx, Options{Screen: sim, started: func(app *tview.Application, _ *picker) {
			sim.SetSize(200, 60)
			ready <- app
		}})
	}()
	h := &simtest.Harness{T: t, Sim: sim, App: <-ready}
	h.WaitText("sockscope — socket lessons", "tcp-echo", "udp-broadcast", "unix-stream", "Enter runs the highlighted demo")
	h.Special(tcell.KeyEnter, 0)
	h.WaitText("sockscope · tcp-echo", "finished")
	h.Key('g') // the start of the lesson: the ladder follows the newest rows
	h.WaitText("connect(", "SYN")
	h.Key('q')
	h.WaitText("sockscope — socket lessons")
	// Another demo after the first.
	h.Key('j')
	h.Special(tcell.KeyEnter, 0)
	h.WaitText("sockscope · tcp-multi", "finished")
	h.Key('q')
	h.WaitText("sockscope — socket lessons", "First sockets", "Byte stream and buffers")
	// The cursor steps over a topic's name: down from the first topic's
	// last lesson is the next topic's first lesson.
	for range len(demos.Topics()[0].Demos) - 2 { // from tcp-multi, the second
		h.Key('j')
	}
	h.Key('j')
	h.Special(tcell.KeyEnter, 0)
	h.WaitText("sockscope · "+demos.Topics()[1].Demos[0].Name, "finished")
	h.Key('q')
	h.WaitText("sockscope — socket lessons")
	h.Sim.InjectKey(tcell.KeyRune, 'q', tcell.ModNone) // no settle: the loop stops
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunPicker: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("q did not quit the picker")
	}
}

package simtest

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"github.com/rivo/uniseg"
)

// Harness is an application running on a simulation screen.
type Harness struct {
	T   testing.TB
	Sim tcell.SimulationScreen
	App *tview.Application
}

// inLoop runs f in the event loop and waits for it.
func (h *Harness) inLoop(f func()) {
	done := make(chan struct{})
	go func() {
		h.App.QueueUpdate(f)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		buf := make([]byte, 1<<20)
		h.T.Fatalf("the event loop does not answer; goroutines:\n%s", buf[:runtime.Stack(buf, true)])
	}
}

// Rows returns the screen's rows as text, read in the event loop. A wide
// character's second column adds nothing, so a row reads as it looks.
func (h *Harness) Rows() []string {
	var rows []string
	h.inLoop(func() { rows = Rows(h.Sim) })
	return rows
}

// Rows returns sim's rows as text (call it where the screen is not being
// drawn: in the event loop, or after a draw the caller made).
func Rows(sim tcell.SimulationScreen) []string {
	cells, w, hh := sim.GetContents()
	rows := make([]string, 0, hh)
	for y := 0; y < hh; y++ {
		var b strings.Builder
		for x := 0; x < w; x++ {
			s := string(cells[y*w+x].Runes)
			if s == "" || s == "\x00" {
				s = " "
			}
			b.WriteString(s)
			if uniseg.StringWidth(s) == 2 {
				x++ // the wide character's second cell
			}
		}
		rows = append(rows, b.String())
	}
	return rows
}

// Screen returns the screen as one string, rows joined by newlines.
func (h *Harness) Screen() string { return strings.Join(h.Rows(), "\n") }

// WaitFor polls the screen until ok holds, and returns it; the test fails
// with the screen after ten seconds.
func (h *Harness) WaitFor(what string, ok func(screen string) bool) string {
	h.T.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := h.Screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			h.T.Fatalf("timed out waiting for %s; the screen:\n%s", what, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitText waits until every one of texts shows.
func (h *Harness) WaitText(texts ...string) string {
	h.T.Helper()
	return h.WaitFor(strings.Join(texts, ", "), func(s string) bool {
		for _, t := range texts {
			if !strings.Contains(s, t) {
				return false
			}
		}
		return true
	})
}

// Key injects a rune key; Special a named key (with modifiers).
func (h *Harness) Key(r rune) { h.Sim.InjectKey(tcell.KeyRune, r, tcell.ModNone); h.Settle() }

// Special injects a named key.
func (h *Harness) Special(k tcell.Key, mod tcell.ModMask) { h.Sim.InjectKey(k, 0, mod); h.Settle() }

// Settle lets the event loop take the injected event: the simulation
// screen's queue holds only ten. It is no barrier (the loop picks queued
// updates and events in any order): tests poll for what a key changes.
func (h *Harness) Settle() {
	time.Sleep(time.Millisecond)
	for range 2 {
		h.inLoop(func() {})
	}
}

package inspector

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/store"
	"github.com/sockscope/sockscope/internal/textcol"
)

// The display filter: / opens an input line; Enter compiles the filter
// (decode.CompileDisplayFilter) and starts a job that runs it over every
// packet held, in order, and then over each packet as it arrives. The
// list shows the matches found so far while the job runs.

// filterState is one display filter and what it has matched.
type filterState struct {
	text    string
	f       *decode.DisplayFilter
	mu      sync.Mutex
	matches []uint64 // abs, ascending; append-only (views keep old slices)
	scanned uint64
	done    bool
	errText string
}

// openFilter shows the filter input, empty: typing starts a new filter;
// ↑ brings back the ones applied before.
func (ins *inspector) openFilter() {
	ins.filtering = true
	ins.filterIn.SetText("")
	ins.histAt = len(ins.history)
	ins.main.ResizeItem(ins.filterIn, 1, 0)
	ins.app.SetFocus(ins.filterIn)
}

func (ins *inspector) closeFilter() {
	ins.filtering = false
	ins.main.ResizeItem(ins.filterIn, 0, 0)
	ins.app.SetFocus(ins.list)
}

// onFilterKey takes ↑ and ↓ in the input: the filters applied before,
// newest first; ↓ past the newest empties the input again.
func (ins *inspector) onFilterKey(ev *tcell.EventKey) *tcell.EventKey {
	switch ev.Key() {
	case tcell.KeyUp:
		if ins.histAt > 0 {
			ins.histAt--
			ins.filterIn.SetText(ins.history[ins.histAt])
		}
		return nil
	case tcell.KeyDown:
		if ins.histAt < len(ins.history) {
			ins.histAt++
		}
		if ins.histAt < len(ins.history) {
			ins.filterIn.SetText(ins.history[ins.histAt])
		} else {
			ins.filterIn.SetText("")
		}
		return nil
	}
	ins.caret = -1 // the text changed: the mark no longer points anywhere
	return ev
}

// onFilterDone takes Enter (apply) and Esc (cancel) in the input. A
// filter that does not compile leaves the input open, and the line below
// it marks the column the error is at.
func (ins *inspector) onFilterDone(key tcell.Key) {
	switch key {
	case tcell.KeyEnter:
		text := ins.filterIn.GetText()
		if err := ins.applyFilter(text); err != nil {
			ins.setMessage(err.Error(), true)
			var fe *decode.FilterError
			if errors.As(err, &fe) && fe.Column > 0 {
				ins.caret = textcol.Width(ins.filterIn.GetLabel()) + textcol.Width(prefixRunes(text, fe.Column-1))
				ins.caretMsg = fe.Msg
			}
			return
		}
		if t := strings.TrimSpace(text); t != "" && (len(ins.history) == 0 || ins.history[len(ins.history)-1] != t) {
			ins.history = append(ins.history, t)
		}
		ins.setMessage("", false)
		ins.closeFilter()
	case tcell.KeyEscape:
		ins.setMessage("", false)
		ins.closeFilter()
	}
}

// prefixRunes is the first n characters of s (the columns of a
// FilterError count characters).
func prefixRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// applyFilter compiles text and starts filtering with it; "" shows every
// packet again. It runs in the event loop and does not wait for the job.
func (ins *inspector) applyFilter(text string) error {
	f, err := decode.CompileDisplayFilter(text)
	if err != nil {
		return err
	}
	if f.MatchesAll() {
		ins.mu.Lock()
		ins.filt = nil
		ins.mu.Unlock()
		ins.cancelJob("filter")
		ins.requestRedraw()
		return nil
	}
	st := &filterState{text: f.String(), f: f}
	ins.mu.Lock()
	ins.filt = st
	ins.mu.Unlock()
	ins.startJob("filter", func(ctx context.Context) { ins.runFilter(ctx, st) })
	ins.requestRedraw()
	return nil
}

// runFilter is the filter job.
func (ins *inspector) runFilter(ctx context.Context, st *filterState) {
	s := ins.store
	first, _ := s.Bounds()
	sc := store.NewScanner(s, first)
	defer sc.Close()
	wake, unsubscribe := s.SubscribeTemp()
	defer unsubscribe()
	var found []uint64
	for ctx.Err() == nil {
		found = found[:0]
		n, err := sc.Step(8192, func(rd *store.Reader) {
			if st.f.Match(&rd.Packet) {
				found = append(found, rd.Abs)
			}
		})
		st.mu.Lock()
		// Forget the matches the store has evicted (a live capture runs
		// for long); views holding the old slice keep it.
		if first, _ := s.Bounds(); len(st.matches) > 0 && st.matches[0] < first {
			k := sort.Search(len(st.matches), func(i int) bool { return st.matches[i] >= first })
			if k > len(st.matches)/2 {
				st.matches = append([]uint64(nil), st.matches[k:]...)
			}
		}
		st.matches = append(st.matches, found...)
		st.scanned = sc.Next()
		if err != nil {
			st.errText, st.done = err.Error(), true
		}
		st.mu.Unlock()
		if err != nil {
			return
		}
		if n > 0 {
			continue
		}
		if sc.CaughtUp() {
			st.mu.Lock()
			st.done = true
			st.mu.Unlock()
			ins.requestRedraw()
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-time.After(time.Second):
		}
	}
}

// startJob runs fn in a goroutine of its own, first cancelling the job of
// the same kind. Jobs end with the inspector's context.
func (ins *inspector) startJob(kind string, fn func(ctx context.Context)) {
	ins.mu.Lock()
	defer ins.mu.Unlock()
	if c := ins.jobs[kind]; c != nil {
		c()
	}
	if ins.ctx.Err() != nil || ins.closing {
		return
	}
	ctx, cancel := context.WithCancel(ins.ctx)
	ins.jobs[kind] = cancel
	ins.bg.Add(1)
	go func() {
		defer ins.bg.Done()
		defer cancel()
		fn(ctx)
	}()
}

func (ins *inspector) cancelJob(kind string) {
	ins.mu.Lock()
	defer ins.mu.Unlock()
	if c := ins.jobs[kind]; c != nil {
		c()
		delete(ins.jobs, kind)
	}
}

// queueDraw runs f in the event loop and redraws, unless ctx is done. For
// jobs, never for the event loop itself.
func (ins *inspector) queueDraw(ctx context.Context, f func()) {
	if ctx.Err() != nil {
		return
	}
	ins.app.QueueUpdateDraw(func() {
		if ctx.Err() == nil {
			f()
		}
	})
}

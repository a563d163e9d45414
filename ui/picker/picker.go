package picker

import (
	"context"
	"sync"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/internal/textcol"
	"github.com/sockscope/sockscope/ui/demoview"
)

// The demo picker: what `sockscope` with no arguments shows. One line per
// demo (name, title, and its one-line summary below); Enter runs the demo
// in the demo view (demoview.New, View.RunSession); q in the demo view
// comes back here, q here quits.
//
// Call Run where the demos can run: inside the lab (the network
// namespace sockscope re-executes itself into), or on the host with
// --host-net, exactly as for demoview.Run. One demo runs at a time: the next
// starts once the previous one's session has ended (they share ports).

// Options configure the picker.
type Options struct {
	// Lang is "en" or "zh": the picker's and the demo view's words.
	Lang string
	// Pace is the demo pace (see demoview.Options.Pace).
	Pace time.Duration
	// Interface is the capture interface for the demos ("" = lo).
	Interface string
	// Screen is the screen to draw on; nil means the terminal. Tests give
	// a tcell.SimulationScreen.
	Screen tcell.Screen

	// started, if set, is called once the application and the picker
	// exist, before the application runs (tests).
	started func(*tview.Application, *picker)
}

// Run shows the picker on opts.Screen (nil: the terminal) and returns
// when the person quits or ctx is cancelled, with the terminal restored.
func Run(ctx context.Context, opts Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	app := tview.NewApplication()
	if opts.Screen != nil {
		app.SetScreen(opts.Screen)
	}
	pk := newPicker(ctx, app, opts, cancel)
	if opts.started != nil {
		opts.started(app, pk)
	}
	runDone := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-runDone:
			return
		}
		pk.stopDemo()
		pk.waitDemo(3 * time.Second)
		select {
		case <-pk.drawn:
			app.Stop()
		case <-runDone:
		}
	}()
	err := app.Run()
	close(runDone)
	cancel()
	pk.stopDemo()
	pk.waitDemo(3 * time.Second)
	return err
}

// picker is the list and the demo running from it.
type picker struct {
	ctx    context.Context
	app    *tview.Application
	opts   Options
	cancel context.CancelFunc
	list   *tview.List
	frame  *tview.Flex
	drawn  chan struct{}
	once   sync.Once

	texts     []pickerText // the lessons' lines, as they are before fitting
	fitW      int          // the width the lines were cut for
	intro     *tview.TextView
	introText string // the intro line before fitting

	mu         sync.Mutex // guards the running demo
	view       *demoview.View
	demoCancel context.CancelFunc
	demoDone   chan struct{}
	demoErr    error
}

// pickerWords are the picker's own words in each language.
var pickerWords = map[string][3]string{
	"en": {" sockscope — socket lessons ", "Enter runs the highlighted demo with real sockets and a live capture; q in the demo comes back here.", "↑ ↓ choose   Enter run   q quit"},
	"zh": {" sockscope — 套接字课程 ", "回车运行选中的演示（真实套接字 + 实时抓包）；在演示中按 q 返回此列表。", "↑ ↓ 选择   回车 运行   q 退出"},
}

func newPicker(ctx context.Context, app *tview.Application, opts Options, cancel context.CancelFunc) *picker {
	pk := &picker{ctx: ctx, app: app, opts: opts, cancel: cancel, drawn: make(chan struct{})}
	words, ok := pickerWords[opts.Lang]
	if !ok {
		words = pickerWords["en"]
	}
	pk.list = tview.NewList().SetSecondaryTextColor(tcell.ColorGray).SetHighlightFullLine(true)
	width := 0 // the longest name, and a space
	for _, d := range demos.List() {
		width = max(width, textcol.Width(d.Name)+1)
	}
	// The lessons by topic, in teaching order; a topic's name is a row
	// the cursor steps over.
	header := map[int]bool{}
	for _, g := range demos.Topics() {
		name := g.Name
		if opts.Lang == "zh" {
			name = g.NameZH
		}
		header[pk.list.GetItemCount()] = true
		pk.list.AddItem("[yellow::b]"+tview.Escape(name), "", 0, nil)
		for _, d := range g.Demos {
			title, summary := d.Title, d.Summary
			if opts.Lang == "zh" && d.TitleZH != "" {
				title, summary = d.TitleZH, d.SummaryZH
			}
			d := d
			main, second := "  "+textcol.Pad(d.Name, width)+title, "    "+textcol.Pad("", width-2)+summary
			pk.texts = append(pk.texts, pickerText{item: pk.list.GetItemCount(), main: main, second: second})
			pk.list.AddItem(tview.Escape(main), tview.Escape(second), 0, func() { pk.start(d) })
		}
	}
	prev := 0
	pk.list.SetChangedFunc(func(i int, _, _ string, _ rune) {
		if header[i] {
			next := i + 1
			if i < prev && i > 0 {
				next = i - 1
			}
			if next >= pk.list.GetItemCount() {
				next = i - 1
			}
			prev = next
			pk.list.SetCurrentItem(next)
			return
		}
		prev = i
	})
	if header[0] && pk.list.GetItemCount() > 1 {
		pk.list.SetCurrentItem(1)
	}
	pk.list.SetBorder(true).SetTitle(words[0]).SetTitleAlign(tview.AlignLeft)
	intro := tview.NewTextView().SetText(words[1]).SetTextColor(tcell.ColorYellow)
	pk.intro, pk.introText = intro, words[1]
	keys := tview.NewTextView().SetText(words[2]).SetTextColor(tcell.ColorGray)
	pk.frame = tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(intro, 1, 0, false).
		AddItem(pk.list, 0, 1, true).
		AddItem(keys, 1, 0, false)
	app.SetRoot(pk.frame, true).SetFocus(pk.list).EnableMouse(true)
	app.SetBeforeDrawFunc(func(screen tcell.Screen) bool {
		pk.once.Do(func() { close(pk.drawn) })
		pk.fit(screen)
		return false
	})
	app.SetInputCapture(func(ev *tcell.EventKey) *tcell.EventKey {
		if ev.Key() == tcell.KeyCtrlC {
			pk.cancel()
			return nil
		}
		pk.mu.Lock()
		inDemo := pk.view != nil
		pk.mu.Unlock()
		if inDemo {
			return ev // the demo view's own keys (q comes back)
		}
		switch {
		case ev.Key() == tcell.KeyEscape, ev.Key() == tcell.KeyRune && ev.Rune() == 'q':
			pk.cancel()
			return nil
		case ev.Key() == tcell.KeyRune && ev.Rune() == 'j':
			return tcell.NewEventKey(tcell.KeyDown, 0, tcell.ModNone)
		case ev.Key() == tcell.KeyRune && ev.Rune() == 'k':
			return tcell.NewEventKey(tcell.KeyUp, 0, tcell.ModNone)
		}
		return ev
	})
	return pk
}

// pickerText is a lesson's line and summary as written.
type pickerText struct {
	item         int
	main, second string
}

// fit cuts the lessons' lines to the list's width, each cut line ending in
// "…", when the screen's width changed (before a draw, in the event loop).
func (pk *picker) fit(screen tcell.Screen) {
	w, _ := screen.Size()
	if w == pk.fitW {
		return
	}
	pk.fitW = w
	pk.intro.SetText(textcol.Truncate(pk.introText, w))
	room := w - 2 // the list's border
	for _, t := range pk.texts {
		pk.list.SetItemText(t.item, tview.Escape(textcol.Truncate(t.main, room)), tview.Escape(textcol.Truncate(t.second, room)))
	}
}

// start runs demo d in the demo view. Event loop only; it waits for
// nothing (the session waits for the previous one in its own goroutine).
func (pk *picker) start(d *demos.Demo) {
	pk.mu.Lock()
	defer pk.mu.Unlock()
	if pk.view != nil || pk.ctx.Err() != nil {
		return
	}
	ctx, cancel := context.WithCancel(pk.ctx)
	v := demoview.New(d, demoview.Options{
		Lang: pk.opts.Lang, Pace: pk.opts.Pace, Interface: pk.opts.Interface,
		App: pk.app, OnQuit: pk.back,
	})
	prev := pk.demoDone
	done := make(chan struct{})
	pk.view, pk.demoCancel, pk.demoDone = v, cancel, done
	go func() {
		defer close(done)
		if prev != nil {
			<-prev
		}
		if ctx.Err() != nil {
			return
		}
		err := v.RunSession(ctx)
		pk.mu.Lock()
		pk.demoErr = err
		pk.mu.Unlock()
	}()
	pk.app.SetRoot(v, true).SetFocus(v)
}

// back stops the running demo and shows the list (the demo view's q).
func (pk *picker) back() {
	pk.stopDemo()
	pk.app.SetRoot(pk.frame, true).SetFocus(pk.list)
}

// stopDemo cancels the running demo and detaches its view; its session
// ends in its own time.
func (pk *picker) stopDemo() {
	pk.mu.Lock()
	defer pk.mu.Unlock()
	if pk.view == nil {
		return
	}
	pk.demoCancel()
	pk.view.Detach()
	pk.view = nil
}

// waitDemo waits, at most d, for the last demo's session to end.
func (pk *picker) waitDemo(d time.Duration) {
	pk.mu.Lock()
	done := pk.demoDone
	pk.mu.Unlock()
	if done == nil {
		return
	}
	select {
	case <-done:
	case <-time.After(d):
	}
}

// Package ui is sockscope's terminal UI (tview and tcell), and this
// package is only its entry points: RunDemo (one demo in the demo view),
// RunFile (a capture file or stdin in the inspector), RunLive (an
// interface in the inspector), RunPicker (sockscope with no arguments: the
// list of demos, each run in the demo view), with one Options. Each
// returns when the person quits (q, Ctrl-C) or its context is cancelled,
// with the terminal restored; Options.Screen (a tcell.SimulationScreen)
// runs them headless in tests.
//
// The rooms, one package each:
//   - ui/inspector: the packet list, details, bytes, conversations, Follow
//     and ladder over a decode/store.Store, with its table of panes
//     (one type each, registering itself) and its table of key actions;
//   - ui/demoview: a running lesson as demos/timeline models it (ladder,
//     sockets and buffers, calls, explanation), with its table of key
//     actions;
//   - ui/picker: the list of lessons; Enter runs one in a demoview.View;
//   - ui/widgets: what every view shares: the cell printer (the one place
//     text reaches the screen), the scrolling lines view, the wheel, and
//     Keymap: a view's table of key actions (keys, help in English and
//     中文, handler) from which its help screen and status hints are made;
//   - ui/internal/simtest: the simulation-screen harness of the tests.
//
// Rules for every package under ui/: it imports decode's model and
// capture's sources, never gopacket; it never makes a capture wait for
// the screen; text from packets and programs reaches the screen only
// through widgets.PrintCells (or decode.Printable and tview.Escape); key
// and mouse handlers run in the event loop, never wait and never call
// QueueUpdate (that deadlocks). Each package's doc.go says which
// goroutines it runs.
//
// Goroutines here: none of its own; each Run function runs the
// application in the caller's goroutine.
package ui

// Package ui is sockscope's terminal UI (tview and tcell): the demo view
// (demo*.go), the inspector for capture files and live captures
// (inspector*.go), and the demo picker (picker.go). It imports decode's
// model and capture's sources, never gopacket; it never makes a capture
// wait for the screen.
//
// Entry points: RunDemo (one demo), RunFile (a capture file or stdin),
// RunLive (an interface), RunPicker (sockscope with no arguments: the list
// of demos, each run in the demo view). Each returns when the person quits
// (q, Ctrl-C) or its context is cancelled, with the terminal restored;
// Options.Screen (a tcell.SimulationScreen) runs them headless in tests.
//
// The inspector's data lives in decode/store, not here: a store.Store holds
// one packed record per packet with the connection tracker's results and
// gets frames again on demand (from the file by offset, or from a bounded
// in-memory arena); showing a packet loads it through a store.Reader —
// the same Packet as a sequential decode. ui/ draws what the store holds
// and owns no packet data: a new tracker field needs no edit here. The
// layer tree comes from decode.Details (the only gopacket.NewPacket), the
// display filter from decode.CompileDisplayFilter.
//
// Goroutines and locks:
//   - the source (store.IndexFile, store.CaptureLive) reads, decodes and
//     appends to the store under its lock, a batch at a time; it never
//     waits for the UI;
//   - the refresh loop takes a snapshot of the store, the pacer and the
//     filter (viewSnap) at most 20 times a second, outside the event loop,
//     and hands it to the event loop with QueueUpdateDraw only when it
//     changed; drawing formats just the rows on screen;
//   - jobs (display filter, follow, ladder) run one goroutine each, the next
//     of a kind cancelling the previous, and post their result with
//     QueueUpdateDraw;
//   - key and mouse handlers run in the event loop and never wait: they
//     change state, start or cancel jobs, and never call QueueUpdate (that
//     deadlocks);
//   - quitting cancels a context; a stopper goroutine waits for the refresh
//     loop and the jobs to leave (they may be inside QueueUpdateDraw, which
//     needs the event loop) and only then stops the application.
//
// Text from packets reaches the screen only cell by cell (printCells,
// printCells, the hex dump) or through decode.Printable and tview.Escape:
// a control character shows as '.', and a tview tag in a payload is text.
package ui

// Package inspector is the view of capture files and live captures:
// RunFile (a file or stdin), RunLive (an interface). A packet list over a
// decode/store.Store, the selected packet's details and bytes, and on
// demand the conversations, a Follow stream and a conversation's ladder,
// with a status bar and a display filter.
//
// Two tables drive the view: the panes below the list (pane.go; each pane
// is one type in its own file that registers itself with its key, help and
// hint) and the key actions (keys.go), which the help (?) and the status
// bar's hints are made from. Every key goes through the key table; a key
// it does not list does nothing. The inspector's own words are in English
// or, with Options.Lang "zh", in 中文.
//
// The data lives in decode/store, not here: a store.Store holds one packed
// record per packet with the connection tracker's results and gets frames
// again on demand (from the file by offset, or from a bounded in-memory
// arena); showing a packet loads it through a store.Reader — the same
// Packet as a sequential decode. This package draws what the store holds
// and owns no packet data: a new tracker field needs no edit here. The
// layer tree comes from decode.Details (the only gopacket.NewPacket), the
// display filter from decode.CompileDisplayFilter. It never imports
// gopacket.
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
// Text from packets reaches the screen only cell by cell
// (widgets.PrintCells, the hex dump) or through decode.Printable and
// tview.Escape: a control character shows as its escape, and a tview tag
// in a payload is text.
package inspector

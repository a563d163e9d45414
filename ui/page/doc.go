// Package page writes a lesson run, a trace or one connection of a
// capture as a single self-contained file: an HTML page (WritePage) or an
// SVG picture (WriteSVG) for slides and documents.
//
// The page holds the ladder (a lane per endpoint, an arrow per segment or
// datagram with its flags, relative seq/ack, length and a payload
// preview, the socket calls beside their lane, TCP states where they
// change, expert flags marked), each socket's send buffer, receive buffer
// and window over time as charts that share the ladder's time axis, and
// the steps with their explanations, collapsible. It reads the models
// other packages own and keeps none of its own: a lesson or a trace is
// demos/timeline's Timeline (the one model the text, JSON and terminal
// views render), a connection of a capture is decode's Ladder. The charts'
// points are exactly the Timeline's buffer states that its JSON prints as
// "buffer" objects (same rows, same values).
//
// Time runs down the page on a compressed but monotone axis (timeaxis.go):
// every row takes a fixed height, and the wait before it adds a height
// that grows with the logarithm of the wait, so a 40 ms delayed ACK looks
// long beside a 20 µs loopback round trip, and a 60 s TIME-WAIT does not
// push the rest off the page. Past MaxRows rows the ladder draws the first
// and the last half of the bound and summarises the rest in one band
// (the page says so); the tables list every row.
//
// Why the SVG is drawn here, by hand, and not with a library: the picture
// is lines, arrows, rectangles and text at computed places — a few hundred
// lines of Go — while the Go SVG libraries (svgo and kin) add a dependency
// that writes the same elements and leaves escaping to the caller anyway.
// Every string that came from the wire or from a program (payloads,
// endpoint names, call arguments) goes through one writer (svgText) that
// makes it terminal-safe (internal/escape) and then HTML-escapes it; the
// page around the SVG is an html/template, which escapes by context. The
// page's one script is a constant whose SHA-256 the page's Content
// Security Policy names: no other script, inline handler or network
// request can run, even if a string ever slipped through unescaped.
//
// The page reads fully without script: links between calls and frames are
// written out in the tables (and as <title> tooltips in the SVG); the
// script only highlights, on hover or tap, what a call or packet is tied
// to, as Enter does in the terminal view.
//
// Goroutines: none. A Page is built from an immutable Timeline or Ladder
// and may be written from any one goroutine at a time.
package page

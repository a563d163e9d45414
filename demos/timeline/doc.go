// Package timeline is the one model of a lesson run: its steps, socket
// calls and frames in time order, the links between them, every socket's
// state after each row, and the byte journey through each socket's send
// and receive buffers, checked against the kernel's own samples. The text
// printer and the JSON printer here, and the demo view in ui/, all render
// the same Timeline; none of them models the lesson on its own.
//
// A Builder takes a Session's events (Add) and computes a Timeline from
// everything received so far (Build). Building starts from scratch each
// time — a lesson makes at most a few thousand calls and frames, so a
// rebuild costs well under a millisecond per hundred rows, and a frame
// captured just after the call that caused it simply sorts into its place.
//
// The buffers (buffers.go): for each TCP connection and direction, every
// byte has a history — written by a call, first put on the wire, acked,
// read by a call — so after every row each socket has its send buffer
// (written and not yet acknowledged, of which unsent is not yet on the
// wire) and its receive buffer (arrived in order and not yet read, with
// the bytes). UDP sockets have datagrams waiting (and the kernel's count
// of the dropped), AF_UNIX stream sockets the bytes their peer wrote and
// they have not read. The kernel's SIOCOUTQ/SIOCINQ, sampled after every
// call for every socket, are attached to the row of the same moment and
// compared (kernel.go); where they differ the row says why. A call made and
// not yet returned (a Started event without its Call) is a waiting row
// until its record comes.
//
// The lab's socket table (every socket of the namespace, as ss shows it),
// which the session reads as each step ends and after each call that
// changed it, is a row where the reading ended; TableAt finds the table in
// force at any row, TableChanges what a table changed (tables.go). The
// text prints the steps' tables only.
//
// Goroutines: a Builder belongs to one goroutine at a time (the caller
// serialises Add and Build). A Timeline is immutable once built and may be
// read from any goroutine.
package timeline

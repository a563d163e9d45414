// Package store holds the packets the inspector shows, and everything
// about them that only a pass over every packet in order can compute. The
// views (ui/) read it and draw; they own no packet data, so a new tracker
// field is packed and unpacked here (record.go) and needs no edit in ui/.
//
// It owns:
//   - Store (store.go): one 48-byte Record per packet (record.go: where its
//     frame is, its time and number, and the connection tracker's results
//     packed, with a side table of exceptions for what a record cannot
//     encode), numbered by abs from 0 in everything the source produced;
//     frames are read again on demand, by offset from an uncompressed file
//     (capture.IndexedReader), or from a frameArena in memory (arena.go:
//     live captures, gzip, stdin), bounded by a packet count and a byte
//     budget, oldest packets evicted first;
//   - Reader and Scanner (scan.go): a packet of the store decoded again
//     without a tracker with its record laid over it — the same Packet as a
//     sequential decode (TestRecordRoundTrip, TestStoreMatchesReplay) — one
//     at a time, or all of them in order;
//   - the conversation list (convs.go): snapshots of the tracker while the
//     source runs, the frozen tracker once it has ended;
//   - the sources (source.go): IndexFile and CaptureLive read, filter,
//     number, decode and track packets and append them;
//   - what the status bar shows of it (status.go).
//
// Goroutines: one goroutine appends (the source: IndexFile, CaptureLive,
// or a caller of AddFrame, Finish and SetConvs) and never waits for a
// reader; any goroutine reads, under the store's lock (Status, Bounds,
// Record, Load, Select…), each call a consistent instant. A Reader or a
// Scanner belongs to one goroutine. Subscribe's channels receive a value,
// without blocking the source, whenever packets are added or the source
// ends. The package imports decode and capture, never a UI toolkit.
package store

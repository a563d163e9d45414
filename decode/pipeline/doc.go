// Package pipeline is the one path from a packet source to decoded,
// tracked packets: source → capture filter → numbering → decode → track.
// Every command that reads packets (replay, capture, the conversation views)
// goes through it, so a fix or a speed-up made here is made everywhere.
//
// It owns: reading frames from a Source (a capture.FileReader through File,
// or a capture.LiveSource), running the capture filter over them (refusing
// an expression the link type cannot take before anything is read),
// numbering them (by their place in the file, or by the packets kept for a
// live capture), stopping after Count packets, and decoding each with one
// decode.Decoder whose tracker (SeqTracker) sees every kept packet in
// order. It does not format or write anything: callers do, in the function
// they give Run.
//
// Two forms, the same packets in the same order:
//
//   - Next, and Run with Parallel false or one usable CPU: one goroutine
//     reads, decodes, tracks and calls the caller's function per packet.
//     The Frame and Packet passed are reused by the next packet
//     (Packet.Payload and Packet.DNS.QName alias the frame and the decoder).
//   - Run with Parallel and at least two usable CPUs (runtime.GOMAXPROCS):
//     three stages. Stage 1, a goroutine Run starts, reads, filters and
//     decodes into batches of plain decode.Packet values whose payload, DNS
//     name and (with KeepFrames) frame bytes are copied into the batch's own
//     memory; stage 2, another, runs the tracker over each batch in order
//     (the decoder's tracker is set aside while Run runs, so decoding does
//     not wait for it; decode.Tracked says which packets it takes); stage 3,
//     the goroutine that called Run, calls the caller's function for each
//     packet of each batch in order. With RunLines, a pool of formatters
//     (one per usable CPU) formats the tracked batches, each batch by one of
//     them, and the caller passes the lines on in the batches' order, so
//     formatting (JSON's costs more than decoding and tracking together) is
//     shared by every core. Batches circulate through channels (a few
//     batches in all, so memory stays bounded); the caller's function never
//     runs concurrently with itself.
//
// Goroutines: a Pipeline belongs to one goroutine (the one calling Next or
// Run). Run's stage-1 and stage-2 goroutines end before Run returns (the
// formatters are done with every batch by then, and leave),
// whatever happens: the end of the source, a read error (returned after
// every packet read before it has been passed on), the caller's function
// failing (stage 1 is told to stop and both are drained), or ctx ending
// (checked every 1024 frames and by sources that take a context). So
// Tracker may be read once Run returns.
package pipeline

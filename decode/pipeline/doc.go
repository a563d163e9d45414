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
//     a worker per usable CPU, each doing whatever task is ready
//     (schedule.go), in this order of preference: run the tracker over the
//     next batch of consecutive packets, in order (the decoder's tracker is
//     set aside while Run runs; decode.Tracked says which packets it
//     takes); read the next batch from the source (filtering and numbering
//     its frames, copying their bytes into the batch's own memory); format
//     a tracked batch's lines (RunBlocks); decode a batch read,
//     with a decoder of the worker's own (a decoder keeps nothing from one
//     frame to the next, which a test checks on the corpus). Reading and
//     tracking are done one batch at a time, decoding and formatting by
//     every worker at once, and no worker waits while a task is ready. The
//     goroutine that called Run passes the batches on in the order they
//     were read. A few batches circulate (so memory stays bounded); the
//     caller's function never runs concurrently with itself.
//
// Goroutines: a Pipeline belongs to one goroutine (the one calling Next or
// Run). Run's workers end before Run returns, whatever happens: the end
// of the source, a read error (returned after every packet read before it
// has been passed on), the caller's function failing (the workers are told
// to read no more, and are drained), or ctx ending (checked every 1024
// frames and by sources that take a context). So Tracker may be read once
// Run returns.
package pipeline

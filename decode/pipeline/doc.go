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
//     a worker per usable CPU, each taking a batch of consecutive packets
//     through every stage: it reads the batch's frames from the source
//     (filtering and numbering them, copying their bytes into the batch's
//     own memory) while holding the source, decodes them with a decoder of
//     its own (a decoder keeps nothing from one frame to the next, which a
//     test checks on the corpus), waits until the batch before is tracked
//     and runs the tracker over this one (the decoder's tracker is set
//     aside while Run runs; decode.Tracked says which packets it takes),
//     and with RunLines formats the lines. The goroutine that called Run
//     passes the batches on in the order they were read. A batch stays on
//     one worker from its read to its lines, so its bytes are in that
//     core's cache when they are decoded and formatted; only the reading
//     and the tracking take turns. Batches circulate through channels (a
//     few in all, so memory stays bounded); the caller's function never
//     runs concurrently with itself.
//
// Goroutines: a Pipeline belongs to one goroutine (the one calling Next or
// Run). Run's workers end before Run returns, whatever happens: the end
// of the source, a read error (returned after every packet read before it
// has been passed on), the caller's function failing (the workers are told
// to read no more, and are drained), or ctx ending (checked every 1024
// frames and by sources that take a context). So Tracker may be read once
// Run returns.
package pipeline

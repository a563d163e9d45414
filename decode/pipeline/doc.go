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
//     stage 1, a goroutine Run starts, reads, filters, decodes and tracks
//     into batches of plain decode.Packet values whose payload, DNS name and
//     (with KeepFrames) frame bytes are copied into the batch's own memory;
//     stage 2, the goroutine that called Run, calls the caller's function
//     for each packet of each batch in order. Batches circulate between the
//     two through two channels (a few batches in all, so memory stays
//     bounded); the caller's function never runs concurrently with itself.
//
// Goroutines: a Pipeline belongs to one goroutine (the one calling Next or
// Run). Run's stage-1 goroutine ends before Run returns, whatever happens:
// the end of the source, a read error (returned after every packet read
// before it has been passed on), the caller's function failing (stage 1 is
// told to stop and drained), or ctx ending (checked every 1024 frames and
// by sources that take a context). So Tracker may be read once Run returns.
package pipeline

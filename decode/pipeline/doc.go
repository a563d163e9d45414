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
// they give Run or RunBlocks.
//
// Two forms, the same packets in the same order:
//
//   - Next and Run: one goroutine reads, decodes, tracks and calls the
//     caller's function per packet. The Frame and Packet passed are reused
//     by the next packet (Packet.Payload and Packet.DNS.QName alias the
//     frame and the decoder).
//   - RunBlocks, with Parallel, at least two usable CPUs
//     (runtime.GOMAXPROCS) and a capture file (File) as the source, for
//     callers that print every packet with Config.Format: a worker per
//     usable CPU, each doing whatever task is ready (schedule.go), in this
//     order of preference: track the next batch of consecutive frames, in
//     order (decode each with the pipeline's decoder, whose tracker so sees
//     every packet in order, and keep only what the tracker wrote, a
//     decode.Tracking of about 100 bytes); read the next batch from the
//     source into the batch's own memory with capture.FileReader.ReadBatch
//     (a classic pcap file straight there; filtering and numbering its
//     frames); format a tracked batch (decode each frame again with a
//     decoder of the worker's own and no tracker, put its Tracking back, and
//     make its line). A decoder keeps nothing from one frame to the next,
//     and the Tracking is all the tracker writes (tests check both on the
//     corpus), so the lines are the one-goroutine form's, byte for byte.
//     Decoding twice costs about 40 ns a frame on the fast path; it keeps
//     each kilobyte Packet in the cache of the core using it. Reading and
//     tracking are done one batch at a time, formatting by every worker at
//     once, and no worker waits while a task is ready. The goroutine that
//     called RunBlocks passes the batches' lines on in the order they were
//     read. A few batches circulate (so memory stays bounded); the caller's
//     function never runs concurrently with itself.
//
// Goroutines: a Pipeline belongs to one goroutine (the one calling Next,
// Run or RunBlocks). RunBlocks' workers end before it returns, whatever
// happens: the end of the source, a read error (returned after every packet read before it
// has been passed on), the caller's function failing (the workers are told
// to read no more, and are drained), or ctx ending (checked every 1024
// frames and by sources that take a context). So Tracker may be read once
// Run or RunBlocks returns.
package pipeline

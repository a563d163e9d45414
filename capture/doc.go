// Package capture owns every byte source and sink of sockscope: capture
// files (classic pcap and pcapng, gzip-compressed or not, from a path or
// standard input), live capture from an interface over AF_PACKET (live.go,
// live_linux.go), and the writers behind -w. Capture filters are compiled
// in the subpackage filter. It knows nothing of protocols: it hands out Frames — bytes,
// lengths, a timestamp, a link type, an offset — and decode/ does the rest.
//
// Reading:
//
//	r, err := capture.Open(path) // "-" = stdin; format from the magic number
//	if err != nil { ... }
//	defer r.Close()
//	var f capture.Frame
//	for {
//		err := r.Next(&f)
//		if err == io.EOF { break }
//		if err != nil { ... } // *capture.FormatError: file, packet number, byte offset
//		use(f.Data)              // valid until the next Next
//	}
//
// The readers and writers are this package's own, not gopacket's pcapgo:
// pcapgo (v1.1.19) keeps link types in a uint8, rejects files that libpcap
// and Wireshark read, skips packets of mixed link types, reports no byte
// offsets and allocates per packet. The reasons are spelled out at the top
// of pcap.go, pcapng.go and write.go.
//
// Hostile input: every length in a file is checked against the data
// actually present and against MaxCapLen before memory is committed, so a
// damaged or malicious file gives a *FormatError — after every good frame
// before the damage — never a panic, a hang or a huge allocation.
//
// Speed: a reader wraps its input in a bufio.Reader of 1 MiB (less for
// inputs known to be smaller) and hands out frames as slices of that buffer,
// or of one reused buffer for frames larger than it, so reading costs no
// allocation and no copy per frame. ReadBatch (batch.go) reads many frames
// at once into memory the caller owns, so that they outlive the next call:
// a classic pcap file is read straight into it, with no copy at all (the
// parallel replay reads this way), other formats frame by frame with a
// copy. A reader is read with Next or with ReadBatch, not both.
//
// Goroutines: a FileReader, FileWriter or LiveSource is used by one
// goroutine at a time, except that LiveSource.Close and Stats may be called
// from another; nothing here starts goroutines, except OpenContext's
// read-ahead for an input Go's poller cannot wait on (a socket on standard
// input; open_cancel.go), which Close stops.
//
// Waiting: OpenContext and NewReaderContext are Open and NewReader for
// inputs that can wait for bytes forever (a FIFO with no writer, a quiet
// pipe, a terminal): the waits end when the context does. Regular files
// take Open's path unchanged. Frame.Data belongs to the reader
// and is valid only until its next call to Next: copy what you keep.
package capture

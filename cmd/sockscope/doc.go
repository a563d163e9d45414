// Command sockscope shows what sockets do: it runs socket lessons in a lab,
// traces the user's own programs there (trace.go: demos.NewTrace under
// demos/trace; main calls trace.ShimMain first, since the traced program
// is started through this same binary), replays pcap and pcapng files and
// captures live, printing every packet in
// tcpdump's style or as JSON with Wireshark's field names, or showing them
// in the terminal UI. See README.md.
//
// It owns the command line: flags, the wiring of a source (capture) through
// the pipeline (decode/pipeline: filter, numbering, decode, track) to a view
// (the printers here, or ui), signals and exit codes (0 done or Ctrl-C, 1 a
// failure, 2 a bad command line).
//
// Goroutines: main runs the command under signal.NotifyContext; every
// blocking read wakes on that context. One goroutine reads, decodes and
// formats, except when a regular file is printed into a file or a pipe:
// then the pipeline's workers (one per CPU) read, decode, track and
// format batches of packets, and the caller's goroutine hands each
// batch's lines whole to the sink's writer goroutine (sink.takeBlock),
// which writes them as they are or in 1 MiB buffers; when the
// input may pause (live capture, a pipe, a terminal) a flusher goroutine
// hands over what is buffered every 100 ms and flushes -w every second,
// sharing a lock with the reader only then. After Ctrl-C or SIGTERM the
// reader no longer waits for the writer goroutine, and closing waits for it
// outputGrace at most: a writer stuck in write(2) on a pipe nobody reads
// ends with the process.
package main

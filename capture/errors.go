package capture

import "fmt"

// FormatError reports a capture file that cannot be read past some point:
// a bad header, a damaged or truncated record, an unsupported section.
// Readers return every frame before the damage normally, then a
// *FormatError, and then the same error from every later call to Next.
type FormatError struct {
	// File is the name the reader was opened with ("stdin" for "-").
	File string
	// Packet is the 1-based number of the record that could not be read
	// (frames returned so far + 1). It is 0 when the file's own header
	// (pcap global header, first pcapng Section Header Block) is at fault.
	Packet int
	// Offset is the byte offset where that record or block starts, counted
	// in the decompressed stream for gzip files.
	Offset int64
	// Err says what is wrong, in words.
	Err string

	cause error // underlying error, if any (io.ErrUnexpectedEOF, gzip.ErrChecksum, ...)
}

// Error returns "FILE: packet N at byte offset O: what", or "FILE: what"
// for errors in the file header.
func (e *FormatError) Error() string {
	if e.Packet == 0 {
		return e.File + ": " + e.Err
	}
	return fmt.Sprintf("%s: packet %d at byte offset %d: %s", e.File, e.Packet, e.Offset, e.Err)
}

// Unwrap returns the underlying error: io.ErrUnexpectedEOF for a truncated
// file, the decompressor's or operating system's error for a failed read,
// nil when the bytes themselves are malformed.
func (e *FormatError) Unwrap() error { return e.cause }

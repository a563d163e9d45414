package capture

import (
	"encoding/binary"
	"iter"
)

// optComment is opt_comment, the option code every pcapng block may carry
// a UTF-8 comment in (Wireshark's frame.comment for a packet block).
const optComment = 1

// Comments yields the frame's packet comments (pcapng opt_comment), in
// the order the block holds them, as the file's bytes: they may be any
// bytes, so escape them before they reach a terminal. Options that run
// past the block end the walk (Wireshark shows the ones before).
func (f *Frame) Comments() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		var bo binary.ByteOrder = binary.LittleEndian
		if f.OptionsBE {
			bo = binary.BigEndian
		}
		opts := f.Options
		for len(opts) >= 4 {
			code, n := bo.Uint16(opts), int(bo.Uint16(opts[2:]))
			if code == optEndOfOpt || 4+n > len(opts) {
				return
			}
			val := opts[4 : 4+n : 4+n]
			if padded := 4 + (n+3)&^3; padded < len(opts) {
				opts = opts[padded:]
			} else {
				opts = nil
			}
			if code == optComment && !yield(val) {
				return
			}
		}
	}
}

// HasComment reports whether the frame carries a packet comment.
func (f *Frame) HasComment() bool {
	for range f.Comments() {
		return true
	}
	return false
}

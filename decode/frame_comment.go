package decode

import (
	"iter"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/internal/escape"
)

// Comments yields p's pcapng packet comments (Wireshark's frame.comment),
// as the file holds them: escape them before they are shown.
func (p *Packet) Comments() iter.Seq[[]byte] {
	f := capture.Frame{Options: p.FrameOptions, OptionsBE: p.FrameOptionsBE}
	return f.Comments()
}

// appendCommentsJSON writes frame.comment: a string for one comment, an
// array for several (as tshark -T ek repeats a field), nothing for none.
func appendCommentsJSON(o *jsonObj, p *Packet) {
	n := 0
	for range p.Comments() {
		n++
	}
	if n == 0 {
		return
	}
	o.key(`"frame.comment":`)
	if n > 1 {
		o.b = append(o.b, '[')
	}
	i := 0
	for c := range p.Comments() {
		if i++; i > 1 {
			o.b = append(o.b, ',')
		}
		o.b = append(o.b, '"')
		o.b = appendJSONString(o.b, c)
		o.b = append(o.b, '"')
	}
	if n > 1 {
		o.b = append(o.b, ']')
	}
}

// AppendCommentLines appends, for each of p's comments, a line under the
// packet's text line: a newline, four spaces, "comment: " and the comment
// escaped as every text from a capture is (Wireshark shows them in its
// packet details; tcpdump not at all).
func AppendCommentLines(dst []byte, p *Packet) []byte {
	if p.FrameOptions == nil {
		return dst
	}
	for c := range p.Comments() {
		dst = append(dst, "\n    comment: "...)
		dst = escape.AppendText(dst, c)
	}
	return dst
}

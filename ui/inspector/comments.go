package inspector

import (
	"strings"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
)

// Packet comments (pcapng opt_comment, sockscope's own -w writes them for
// the lessons): a "Packet comments" line above the layers in the details,
// as Wireshark shows them, and a mark at the start of the list's Info.

// commentMark starts the Info of a packet that has a comment.
const commentMark = "✎ "

// withComments puts the frame's comments above the layers, unless the
// layer tree has them already.
func withComments(tree []decode.DetailNode, f *capture.Frame) []decode.DetailNode {
	for _, n := range tree {
		if strings.HasPrefix(n.Label, "Packet comment") {
			return tree
		}
	}
	var kids []decode.DetailNode
	for c := range f.Comments() {
		kids = append(kids, decode.DetailNode{Label: decode.Printable(string(c))})
	}
	if len(kids) == 0 {
		return tree
	}
	node := decode.DetailNode{Label: "Packet comments", Children: kids}
	return append([]decode.DetailNode{node}, tree...)
}

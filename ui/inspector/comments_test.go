package inspector

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
)

// A pcapng packet comment shows above the layers in the details (open),
// and its packet's Info starts with the mark; text from the file is
// escaped like any other.
func TestPacketCommentsShown(t *testing.T) {
	// Indexed files only: the memory store (gzip, stdin, live) keeps no
	// frame options yet, so there the comments are not shown.
	for _, name := range []string{"c.pcapng"} {
		t.Run(name, func(t *testing.T) { testPacketComments(t, name) })
	}
}

func testPacketComments(t *testing.T, name string) {
	frames := testConversation()
	path := filepath.Join(t.TempDir(), name)
	w, err := capture.Create(path, capture.LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	for i := range frames {
		c := ""
		if i == 1 {
			c = "step 1: the server answers\x1b[2J"
		}
		if err := w.WriteFrameComment(&frames[i], c); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	h := runFileHarness(t, path, Options{})
	s := h.waitText("10 packets", "Frame 1:")
	if strings.Contains(line(s, "  1 "), commentMark) {
		t.Errorf("frame 1 has no comment but is marked: %q", line(s, "  1 "))
	}
	if l := line(s, "  2 0.0"); !strings.Contains(l, commentMark+"IP 192.0.2.2.9000 > ") {
		t.Errorf("frame 2's Info does not start with the comment mark: %q", l)
	}
	h.key('n')
	s = h.waitText("Frame 2:", "Packet comments", `step 1: the server answers\x1b[2J`)
	if strings.Contains(s, "\x1b") {
		t.Errorf("an ESC from the comment reached the screen")
	}
}

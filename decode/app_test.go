package decode_test

import (
	"errors"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
)

// appLineDifferences are where the text line of testdata/apps.pcap
// differs from tcpdump 4.99.3's (apps.tcpdump.txt) by design, by line.
var appLineDifferences = map[int]string{
	9:  "tcpdump does not decode TLS: the line adds the ClientHello's server name after the length",
	10: "tcpdump names QUIC only with -T quic: the line adds the Initial's packet type and connection IDs after \"UDP, length N\"",
}

// TestApplicationLines compares the text line of each application protocol
// in testdata/apps.pcap with tcpdump's, after the time. The question a
// response repeats (" q: A? name.", tcpdump's -vv form the text line uses)
// and the TCP analysis markers are taken out first.
func TestApplicationLines(t *testing.T) {
	want, err := os.ReadFile("testdata/apps.tcpdump.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(want)), "\n")
	r, err := capture.Open("testdata/apps.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	question := regexp.MustCompile(` q: \S+\? \S+`)
	markers := regexp.MustCompile(`( \{[^}]*\}| \[TCP [^\]]*\])+$`)
	dec := decode.NewDecoder()
	var f capture.Frame
	var p decode.Packet
	n := 0
	for ; ; n++ {
		if err := r.Next(&f); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			break
		}
		dec.Decode(&f, n+1, &p)
		got := markers.ReplaceAllString(question.ReplaceAllString(string(decode.AppendSummary(nil, &p)), ""), "")
		if n >= len(lines) {
			t.Fatalf("more packets than tcpdump lines")
		}
		if why, ok := appLineDifferences[n+1]; ok {
			if !strings.HasPrefix(got, lines[n]) || got == lines[n] {
				t.Errorf("line %d: %q should be tcpdump's %q and more (%s)", n+1, got, lines[n], why)
			}
			t.Logf("line %d: %s (%s)", n+1, got, why)
			continue
		}
		if got != lines[n] {
			t.Errorf("line %d:\n got  %s\n want %s", n+1, got, lines[n])
		}
	}
	if n != len(lines) {
		t.Errorf("%d packets, %d tcpdump lines", n, len(lines))
	}
}

// TestApplicationLinesDoNotAllocate decodes every frame of
// testdata/apps.pcap and testdata/tunnels.pcap, once the Decoder's scratch
// has grown: reading the application lines and the tunnels allocates
// nothing.
func TestApplicationLinesDoNotAllocate(t *testing.T) {
	var frames []capture.Frame
	for _, path := range []string{"testdata/apps.pcap", "testdata/tunnels.pcap"} {
		r, err := capture.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		for {
			var f capture.Frame
			if err := r.Next(&f); err != nil {
				break
			}
			f.Data = append([]byte(nil), f.Data...)
			frames = append(frames, f)
		}
		r.Close()
	}
	dec := decode.NewDecoder()
	dec.Seq = nil // the tracker's tables grow with new connections
	var p decode.Packet
	for i := range frames {
		dec.Decode(&frames[i], i+1, &p)
	}
	allocs := testing.AllocsPerRun(20, func() {
		for i := range frames {
			dec.Decode(&frames[i], i+1, &p)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per pass over %d frames", allocs, len(frames))
	}
}

package decode_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
)

// TestTunnelledConnection follows, draws and filters a TCP connection that
// travels inside GRE (testdata/tunnel_conn.pcap): the tracker, Follow, the
// ladder and the display filter see the inner connection, not the tunnel.
func TestTunnelledConnection(t *testing.T) {
	open := func() *capture.FileReader {
		r, err := capture.Open("testdata/tunnel_conn.pcap")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r
	}
	var got []string
	res, err := decode.Follow(context.Background(), open(), decode.ConvRef{Proto: "tcp", Stream: 0}, func(c *decode.FollowChunk) error {
		got = append(got, fmt.Sprintf("%d %s>%s %q", c.Dir, c.Src, c.Dst, c.Data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`0 192.0.2.1:40000>192.0.2.2:7 "hello, tunnel"`, `1 192.0.2.2:7>192.0.2.1:40000 "HELLO, TUNNEL"`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("follow:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.A.String() != "192.0.2.1:40000" || res.B.String() != "192.0.2.2:7" {
		t.Errorf("ends %s %s", res.A, res.B)
	}

	l, err := decode.BuildLadder(context.Background(), open(), decode.ConvRef{Proto: "tcp", Stream: 0})
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, r := range l.Rows {
		labels = append(labels, fmt.Sprintf("%d %s", r.Dir, r.Label))
	}
	if len(l.Rows) != 8 || l.Rows[0].Flags != decode.TCPSyn || l.Rows[3].Len != 13 || l.Rows[4].Dir != 1 {
		t.Errorf("ladder rows:\n%s", strings.Join(labels, "\n"))
	}
	if len(l.Events) == 0 {
		t.Errorf("no connection events on the ladder")
	}

	for _, c := range []struct {
		filter string
		want   int
	}{
		{"tcp.port == 7", 8},
		{"ip.src == 198.51.100.1", 5},      // the outer header, as Wireshark's first ip.src
		{"inner.ip.src == 192.0.2.1", 5},   // the inner header
		{"gre.key == 7 && tcp.len > 0", 2}, // the tunnel's fields with the inner connection's
		{"tcp.flags.syn == 1", 2},
	} {
		f, err := decode.CompileDisplayFilter(c.filter)
		if err != nil {
			t.Fatalf("%s: %v", c.filter, err)
		}
		dec := decode.NewDecoder()
		r := open()
		var fr capture.Frame
		var p decode.Packet
		n := 0
		for i := 1; r.Next(&fr) == nil; i++ {
			dec.Decode(&fr, i, &p)
			if f.Match(&p) {
				n++
			}
		}
		if n != c.want {
			t.Errorf("%s: %d packets, want %d", c.filter, n, c.want)
		}
	}
}

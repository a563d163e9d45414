//go:build linux

package inspector

import (
	"bytes"
	"compress/gzip"
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/capture/filter"
	"github.com/sockscope/sockscope/internal/netns"
)

// TestInspectorRunLive captures for real on the loopback of a private
// network namespace (the test binary re-executes itself there): UDP
// datagrams sent in the test show in the list, the capture filter keeps
// out the rest, and q quits.
func TestInspectorRunLive(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	m, err := filter.NewMatcher("udp port 7999")
	if err != nil {
		t.Fatal(err)
	}
	prog, err := m.Program(capture.LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Options{}, func(ctx context.Context, opts Options) error {
		return RunLive(ctx, capture.LiveOptions{Interface: "lo", Filter: prog}, m, opts)
	})
	h.waitText("lo │", "LIVE")
	// Receivers on both ports, so that no ICMP error comes back.
	for _, port := range []string{"7998", "7999"} {
		rc, err := net.ListenPacket("udp", "127.0.0.1:"+port)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
	}
	snd, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer snd.Close()
	to := func(port int) net.Addr { return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port} }
	for i := 0; i < 3; i++ {
		snd.WriteTo([]byte("not this one"), to(7998))
		snd.WriteTo([]byte("datagram\x1b[2J"), to(7999))
	}
	s := h.waitText("3 packets", "127.0.0.1", "UDP", "capture filter: udp port 7999", "drops 0")
	if line(s, ".7998") != "" {
		t.Errorf("a datagram the filter refuses is shown:\n%s", s)
	}
	h.sim.InjectKey(tcell.KeyRune, 'q', tcell.ModNone) // no settle: the loop stops
	select {
	case err := <-h.done:
		if err != nil {
			t.Errorf("RunLive: %v", err)
		}
		h.done <- nil
	case <-time.After(5 * time.Second):
		t.Fatal("q did not quit")
	}
}

// TestInspectorGzipFile: a compressed file is kept in memory and says so.
func TestInspectorGzipFile(t *testing.T) {
	path := writeCapture(t, testConversation())
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	gz := filepath.Join(t.TempDir(), "test.pcap.gz")
	if err := os.WriteFile(gz, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	h := runFileHarness(t, gz, Options{})
	h.waitText("test.pcap.gz", "10 packets", "in memory: a compressed file cannot be read at random", "Frame 1:")
	h.key('n')
	h.key('f')
	h.waitText("Follow TCP stream 0", "HTTP/1.0 200 OK")
}

// TestInspectorPacedReplay: at a quarter of the capture's speed the
// packets come one after another; at the end all ten are shown.
func TestInspectorPacedReplay(t *testing.T) {
	path := writeCapture(t, testConversation())
	h := runFileHarness(t, path, Options{Speed: 0.25})
	h.waitText("speed 0.25x", " of 10 packets")
	h.waitText("│ 10 packets")
	h.key('+')
	h.waitText("speed 0.5x")
}

//go:build linux

package inspector

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/capture/filter"
	"github.com/sockscope/sockscope/internal/netns"
)

// A capture filter too long for the kernel comes to RunLive without a
// program (the command's fallback): the matcher alone filters, and the
// status bar says so with the expression cut short, the keys hint still
// on screen.
func TestInspectorRunLiveLongFilterInUserSpace(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	var b strings.Builder
	for p := 1; p <= 3000; p++ {
		if p > 1 {
			b.WriteString(" or ")
		}
		fmt.Fprintf(&b, "port %d", p)
	}
	m, err := filter.NewMatcher(b.String())
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Options{}, func(ctx context.Context, opts Options) error {
		return RunLive(ctx, capture.LiveOptions{Interface: "lo"}, m, opts)
	})
	h.waitText("lo │", "LIVE")
	// Receivers on every port, so that no ICMP error comes back.
	for _, port := range []int{4000, 3001, 2999, 1} {
		rc, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
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
	for _, port := range []int{4000, 3001, 2999, 1} {
		snd.WriteTo([]byte("long filter"), &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	}
	s := h.waitText("2 packets", "capture filter: port 1 or port 2 or port 3", "… (in user space)", "? keys")
	for _, port := range []string{".4000", ".3001"} {
		if line(s, port) != "" {
			t.Errorf("a datagram to %s, outside the filter, is shown:\n%s", port, s)
		}
	}
}

package inspector

import (
	"encoding/binary"
	"path/filepath"
	"testing"

	"github.com/sockscope/sockscope/capture"
)

// Frames for the inspector's tests: a TCP conversation between
// 192.0.2.1:40000 and 192.0.2.2:9000 (handshake, a request whose payload
// is full of terminal escape sequences and a tview colour tag, the
// answer, a retransmission, the teardown), then a UDP datagram.

// hostilePayload would retitle the terminal, clear it and turn text red if
// it reached the screen as it is.
const hostilePayload = "GET /\x1b]0;pwned\x07 \x1b[2J [red]alert[-] ok\r\n"

func ethIPv4(src, dst [4]byte, proto byte, l4 []byte) []byte {
	b := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00}
	n := 20 + len(l4)
	b = append(b, 0x45, 0, byte(n>>8), byte(n), 0, 1, 0x40, 0, 64, proto, 0, 0)
	b = append(b, src[:]...)
	b = append(b, dst[:]...)
	return append(b, l4...)
}

func tcpSegment(sport, dport uint16, seq, ack uint32, flags byte, payload string) []byte {
	b := make([]byte, 20, 20+len(payload))
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint32(b[4:], seq)
	binary.BigEndian.PutUint32(b[8:], ack)
	b[12] = 5 << 4
	b[13] = flags
	binary.BigEndian.PutUint16(b[14:], 64240)
	return append(b, payload...)
}

func udpDatagram(sport, dport uint16, payload string) []byte {
	b := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint16(b[4:], uint16(8+len(payload)))
	return append(b, payload...)
}

const (
	fFIN = 0x01
	fSYN = 0x02
	fPSH = 0x08
	fACK = 0x10
)

// testConversation returns the frames, 10 ms apart.
func testConversation() []capture.Frame {
	c, s := [4]byte{192, 0, 2, 1}, [4]byte{192, 0, 2, 2}
	const cp, sp = 40000, 9000
	const ci, si = 1000, 5000
	req := hostilePayload
	resp := "HTTP/1.0 200 OK\r\n\r\nhello\n"
	segs := [][]byte{
		ethIPv4(c, s, 6, tcpSegment(cp, sp, ci, 0, fSYN, "")),
		ethIPv4(s, c, 6, tcpSegment(sp, cp, si, ci+1, fSYN|fACK, "")),
		ethIPv4(c, s, 6, tcpSegment(cp, sp, ci+1, si+1, fACK, "")),
		ethIPv4(c, s, 6, tcpSegment(cp, sp, ci+1, si+1, fPSH|fACK, req)),
		ethIPv4(c, s, 6, tcpSegment(cp, sp, ci+1, si+1, fPSH|fACK, req)), // retransmission
		ethIPv4(s, c, 6, tcpSegment(sp, cp, si+1, ci+1+uint32(len(req)), fPSH|fACK, resp)),
		ethIPv4(c, s, 6, tcpSegment(cp, sp, ci+1+uint32(len(req)), si+1+uint32(len(resp)), fFIN|fACK, "")),
		ethIPv4(s, c, 6, tcpSegment(sp, cp, si+1+uint32(len(resp)), ci+2+uint32(len(req)), fFIN|fACK, "")),
		ethIPv4(c, s, 6, tcpSegment(cp, sp, ci+2+uint32(len(req)), si+2+uint32(len(resp)), fACK, "")),
		ethIPv4(c, [4]byte{192, 0, 2, 53}, 17, udpDatagram(5353, 5555, "ping")),
	}
	frames := make([]capture.Frame, len(segs))
	for i, d := range segs {
		frames[i] = capture.Frame{Sec: 1700000000, Nsec: int64(i) * 10_000_000, Len: len(d), LinkType: capture.LinkEthernet, Data: d}
	}
	return frames
}

// writeCapture writes frames to a pcap file in a temporary directory.
func writeCapture(t testing.TB, frames []capture.Frame) string {
	path := filepath.Join(t.TempDir(), "test.pcap")
	w, err := capture.Create(path, capture.LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	for i := range frames {
		if err := w.WriteFrame(&frames[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

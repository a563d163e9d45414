package decode_test

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
)

// FuzzDecode feeds arbitrary bytes to the decoder under every link type it
// knows: it must never panic, must keep the frame's lengths, and must print
// valid JSON and a single text line.
func FuzzDecode(f *testing.F) {
	for _, seed := range append(decodeSeeds(), tunnelSeeds()...) {
		f.Add(seed.link, seed.data)
	}
	// Every frame of the testdata captures (tunnels, broken headers,
	// application protocols) is a seed too.
	caps, _ := filepath.Glob(filepath.Join("testdata", "*.pcap"))
	for _, path := range caps {
		r, err := capture.Open(path)
		if err != nil {
			f.Fatal(err)
		}
		var fr capture.Frame
		for r.Next(&fr) == nil {
			f.Add(fr.LinkType, append([]byte(nil), fr.Data...))
		}
		r.Close()
	}
	dec := decode.NewDecoder()
	f.Fuzz(func(t *testing.T, link uint32, data []byte) {
		fr := capture.Frame{Sec: 1, Len: len(data) + 3, LinkType: link, Data: data}
		var p decode.Packet
		before := dec.Recovered()
		dec.Decode(&fr, 1, &p)
		if dec.Recovered() != before {
			t.Fatalf("decoder panic recovered: %s", p.Err)
		}
		if p.CapLen != len(data) || p.Len != len(data)+3 {
			t.Fatalf("lengths changed: cap %d len %d for %d bytes", p.CapLen, p.Len, len(data))
		}
		out := decode.AppendJSON(nil, &p)
		if !json.Valid(out) {
			t.Fatalf("invalid JSON: %s", out)
		}
		line := decode.AppendText(nil, &p, time.UTC)
		for _, c := range line {
			if c == '\n' || c == '\r' || c == 0x1b {
				t.Fatalf("text line has control byte %#x: %q", c, line)
			}
		}
	})
}

type decodeSeed struct {
	link uint32
	data []byte
}

// decodeSeeds are small valid frames of each kind, built by hand.
func decodeSeeds() []decodeSeed {
	eth := func(etype uint16, payload []byte) []byte {
		b := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, byte(etype >> 8), byte(etype)}
		return append(b, payload...)
	}
	ipv4 := func(proto byte, l4 []byte) []byte {
		n := 20 + len(l4)
		h := []byte{0x45, 0, byte(n >> 8), byte(n), 0, 1, 0x40, 0, 64, proto, 0, 0, 127, 0, 0, 1, 127, 0, 0, 2}
		return append(h, l4...)
	}
	tcpSyn := []byte{0x9c, 0x40, 0x1b, 0x59, 0, 0, 0, 1, 0, 0, 0, 0, 0xa0, 0x02, 0xff, 0xd7, 0, 0, 0, 0,
		2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7}
	udpDNS := []byte{0xc3, 0x50, 0, 53, 0, 37, 0, 0,
		0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1}
	icmpEcho := []byte{8, 0, 0, 0, 0, 1, 0, 2, 'p', 'i', 'n', 'g'}
	arp := []byte{0, 1, 8, 0, 6, 4, 0, 1, 0, 1, 2, 3, 4, 5, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2}
	ipv6 := append([]byte{0x60, 0, 0, 0, 0, byte(len(tcpSyn)), 6, 64,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, tcpSyn...)
	return []decodeSeed{
		{capture.LinkEthernet, eth(0x0800, ipv4(6, tcpSyn))},
		{capture.LinkEthernet, eth(0x0800, ipv4(17, udpDNS))},
		{capture.LinkEthernet, eth(0x0800, ipv4(1, icmpEcho))},
		{capture.LinkEthernet, eth(0x0806, arp)},
		{capture.LinkEthernet, eth(0x8100, append([]byte{0, 5, 0x86, 0xdd}, ipv6...))},
		{capture.LinkNull, append([]byte{2, 0, 0, 0}, ipv4(6, tcpSyn)...)},
		{capture.LinkRaw, ipv6},
		{capture.LinkIPv4, ipv4(17, udpDNS)},
		{capture.LinkLinuxSLL2, append([]byte{8, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 0, 1, 2, 3, 4, 5, 0, 0}, ipv4(6, tcpSyn)...)},
	}
}

// tunnelSeeds are frames with a tunnel around a TCP SYN, one per kind.
func tunnelSeeds() []decodeSeed {
	eth := func(etype uint16, payload []byte) []byte {
		b := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, byte(etype >> 8), byte(etype)}
		return append(b, payload...)
	}
	ipv4 := func(proto byte, l4 []byte) []byte {
		n := 20 + len(l4)
		h := []byte{0x45, 0, byte(n >> 8), byte(n), 0, 1, 0x40, 0, 64, proto, 0, 0, 127, 0, 0, 1, 127, 0, 0, 2}
		return append(h, l4...)
	}
	tcpSyn := []byte{0x9c, 0x40, 0x1b, 0x59, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xd7, 0, 0, 0, 0}
	gre := append([]byte{0xb0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0, 0, 0, 7}, ipv4(6, tcpSyn)...)
	vxlan := append([]byte{0xc3, 0x50, 0x12, 0xb5, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 100, 0}, eth(0x0800, ipv4(6, tcpSyn))...)
	mpls := append([]byte{0, 0x06, 0x41, 64}, ipv4(6, tcpSyn)...)
	pppoe := append([]byte{0x11, 0, 0, 0x11, 0, byte(len(tcpSyn) + 22), 0, 0x21}, ipv4(6, tcpSyn)...)
	macsec := append([]byte{0x20, 0, 0, 0, 0, 9, 2, 0, 0, 0, 0, 1, 0, 1, 8, 0}, append(ipv4(6, tcpSyn), make([]byte, 16)...)...)
	nsh := append([]byte{0x0f, 0xc2, 2, 1, 0, 0, 42, 255}, ipv4(6, tcpSyn)...)
	pim := append([]byte{0x21, 0, 0, 0, 0, 0, 0, 0}, ipv4(6, tcpSyn)...)
	return []decodeSeed{
		{capture.LinkEthernet, eth(0x88e5, macsec)},
		{capture.LinkEthernet, eth(0x894f, nsh)},
		{capture.LinkEthernet, eth(0x0800, ipv4(103, pim))},
		{capture.LinkEthernet, eth(0x0800, ipv4(47, gre))},
		{capture.LinkEthernet, eth(0x0800, ipv4(17, vxlan))},
		{capture.LinkEthernet, eth(0x0800, ipv4(4, ipv4(6, tcpSyn)))},
		{capture.LinkEthernet, eth(0x8847, mpls)},
		{capture.LinkEthernet, eth(0x8864, pppoe)},
	}
}

func BenchmarkDecode(b *testing.B) { benchDecode(b, decodeSeeds()) }

// BenchmarkDecodeTunnels decodes one frame of each tunnel kind.
func BenchmarkDecodeTunnels(b *testing.B) { benchDecode(b, tunnelSeeds()) }

func benchDecode(b *testing.B, seeds []decodeSeed) {
	dec := decode.NewDecoder()
	var p decode.Packet
	frames := make([]capture.Frame, len(seeds))
	for i, s := range seeds {
		frames[i] = capture.Frame{Len: len(s.data), LinkType: s.link, Data: s.data}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dec.Decode(&frames[i%len(frames)], i+1, &p)
	}
}

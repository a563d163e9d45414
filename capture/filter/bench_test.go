package filter

import (
	"testing"

	"golang.org/x/net/bpf"
)

func BenchmarkMatch(b *testing.B) {
	frame := ethernet(macB, macA, 0x0800, ipv4Packet(6, ip4A, ip4B, 0, tcpSegment(40000, 443, 0x18, make([]byte, 100))))
	for _, expr := range []string{
		"tcp port 80",
		"host 192.0.2.2 and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
		"not arp and not ip6 and (port 53 or portrange 400-500)",
	} {
		b.Run(expr, func(b *testing.B) {
			m, err := NewMatcher(expr)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := m.Match(1, frame, len(frame)); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(frame)))
			for b.Loop() {
				if _, err := m.Match(1, frame, len(frame)); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(expr+"/x-net-vm", func(b *testing.B) {
			prog, err := Compile(expr, 1, DefaultSnaplen)
			if err != nil {
				b.Fatal(err)
			}
			vm, err := bpf.NewVM(prog)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(frame)))
			for b.Loop() {
				if _, err := vm.Run(frame); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	frame := ethernet(macB, macA, 0x0800, ipv4Packet(6, ip4A, ip4B, 0, tcpSegment(40000, 443, 0x18, nil)))
	m, err := NewMatcher("host 192.0.2.2 and tcp[tcpflags] & tcp-push != 0 or vlan and udp")
	if err != nil {
		t.Fatal(err)
	}
	m.Match(1, frame, len(frame))
	m.Match(113, frame, len(frame))
	if n := testing.AllocsPerRun(100, func() {
		m.Match(1, frame, len(frame))
		m.Match(113, frame, len(frame)) // the cached compile error, too
	}); n != 0 {
		t.Errorf("Match allocates %v times per call", n)
	}
}

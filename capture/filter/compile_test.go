package filter

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/bpf"
)

func TestCompileShapes(t *testing.T) {
	for _, tc := range []struct {
		expr     string
		linkType uint32
		want     string
	}{
		{"", 1, "ret #262144"},
		{"ip", 276, "ldh [0]; jneq #2048,1; ret #262144; ret #0"},
		{"ip6", 229, "ret #262144"},
		{"ip", 229, "ret #0"},
		{"arp", 101, "ret #0"},
		{"ip6", 12, "ldb [0]; and #240; jneq #96,1; ret #262144; ret #0"},
		{"ip", 0, "ld [0]; jeq #33554432,1; jneq #2,1; ret #262144; ret #0"},
		{"ip", 108, "ld [0]; jneq #2,1; ret #262144; ret #0"},
		{"greater 100", 1, "ld #len; jlt #100,1; ret #262144; ret #0"},
		{"less 100", 1, "ld #len; jgt #100,1; ret #262144; ret #0"},
		{"outbound", 113, "ldh [0]; jneq #4,1; ret #262144; ret #0"},
		{"inbound", 276, "ldb [10]; jeq #4,1; ret #262144; ret #0"},
		{"tcp[13] & 2 != 0", 1,
			"ldh [12]; jneq #2048,16; ldb [23]; jeq #6,7; ldh [12]; jneq #34525,12; ldb [20]; jeq #6,3; " +
				"jneq #44,9; ldb [54]; jneq #6,7; ldh [20]; jset #8191,5; " +
				"ldx 4*([14]&0xf); ldb [x + 27]; and #2; jeq #0,1; ret #262144; ret #0"},
		{"vlan 10", 1, "ldh [12]; jeq #33024,2; jeq #34984,1; jneq #37120,4; ldh [14]; and #4095; jneq #10,1; ret #262144; ret #0"},
		{"ether src 1:2:3:4:5:6", 1, "ld [8]; jneq #50595078,3; ldh [6]; jneq #258,1; ret #262144; ret #0"},
	} {
		prog, err := Compile(tc.expr, tc.linkType, DefaultSnaplen)
		if err != nil {
			t.Errorf("%q on %d: %v", tc.expr, tc.linkType, err)
			continue
		}
		var s []string
		for _, in := range prog {
			s = append(s, fmt.Sprint(in))
		}
		if got := strings.Join(s, "; "); got != tc.want {
			t.Errorf("%q on %d:\n got %s\nwant %s", tc.expr, tc.linkType, got, tc.want)
		}
	}
}

// matchOn runs one expression on one frame.
func matchOn(t *testing.T, expr string, linkType uint32, frame []byte) bool {
	t.Helper()
	m, err := NewMatcher(expr)
	if err != nil {
		t.Fatalf("%q: %v", expr, err)
	}
	ok, err := m.Match(linkType, frame, len(frame))
	if err != nil {
		t.Fatalf("%q: %v", expr, err)
	}
	return ok
}

// TestSemantics checks libpcap behaviours on hand-made frames, the ones
// the shared captures do not exercise.
func TestSemantics(t *testing.T) {
	syn := tcpSegment(1234, 80, 0x02, nil)
	v4syn := ipv4Packet(6, ip4A, ip4B, 0, syn)
	v4frag := ipv4Packet(6, ip4A, ip4B, 0x0010, syn)                                  // offset 128 bytes: not the first fragment
	v4first := ipv4Packet(6, ip4A, ip4B, 0x2000, syn)                                 // MF set, offset 0: the first fragment
	v6syn := ipv6Packet(6, ip6A, ip6B, syn)                                           // TCP right after the fixed header
	v6fragHdr := ipv6Packet(44, ip6A, ip6B, cat([]byte{6, 0, 0, 0, 0, 0, 0, 1}, syn)) // TCP after a fragment header
	opts := ipv4Packet(17, ip4A, ip4B, 0, udpDatagram(5000, 53, []byte("q")))
	opts[0] = 0x46 // 4 bytes of options: the UDP header moves
	opts = append(opts[:20], append([]byte{1, 1, 1, 0}, opts[20:]...)...)
	eth := func(et uint16, p []byte) []byte { return ethernet(macB, macA, et, p) }

	for _, tc := range []struct {
		expr     string
		linkType uint32
		frame    []byte
		want     bool
	}{
		{"tcp port 80", 1, eth(0x0800, v4syn), true},
		{"port 80", 1, eth(0x0800, v4frag), false}, // ports only in first fragments
		{"port 80", 1, eth(0x0800, v4first), true},
		{"tcp", 1, eth(0x0800, v4frag), true}, // "tcp" does not care about fragments
		{"ip[6:2] & 0x1fff != 0", 1, eth(0x0800, v4frag), true},
		{"tcp[13] & 2 != 0", 1, eth(0x0800, v4frag), false},
		{"tcp port 80", 1, eth(0x86dd, v6syn), true},
		{"tcp", 1, eth(0x86dd, v6fragHdr), true},           // ip6 proto follows one fragment header
		{"tcp port 80", 1, eth(0x86dd, v6fragHdr), false},  // ports do not
		{"tcp[13] & 2 != 0", 1, eth(0x86dd, v6syn), false}, // tcp[] is IPv4 only
		{"udp dst port 53", 1, eth(0x0800, opts), true},    // after IPv4 options
		{"udp[2:2] = 53", 1, eth(0x0800, opts), true},
		{"host 192.0.2.1", 1, eth(0x0806, append(make([]byte, 14), ip4A[:]...)), true}, // ARP sender address
		{"ip host 192.0.2.1", 1, eth(0x0806, append(make([]byte, 14), ip4A[:]...)), false},
		{"host 192.0.2", 1, eth(0x0800, v4syn), true}, // a 3-byte host is a /24, as in libpcap
		{"net 192.0.2.0/24 and not host 192.0.2.2", 1, eth(0x0800, v4syn), false},
		{"src net 192.0.2.0/24 and dst host 192.0.2.2", 1, eth(0x0800, v4syn), true},
		{"ip6 dst net 2001:db8::/32", 1, eth(0x86dd, v6syn), true},
		{"host 2001:db8::1 and host 2001:db8::2", 1, eth(0x86dd, v6syn), true},
		{"src and dst host 2001:db8::1", 1, eth(0x86dd, v6syn), false},
		{"vlan 5 and tcp port 80", 1, ethernet(macB, macA, 0x8100, cat(vlanTag(5, 0x0800), v4syn)), true},
		{"vlan 6 and tcp port 80", 1, ethernet(macB, macA, 0x8100, cat(vlanTag(5, 0x0800), v4syn)), false},
		{"tcp port 80", 1, ethernet(macB, macA, 0x8100, cat(vlanTag(5, 0x0800), v4syn)), false}, // no vlan keyword: no look inside
		{"vlan and vlan 7 and ip", 1, ethernet(macB, macA, 0x88a8, cat(vlanTag(3, 0x8100), vlanTag(7, 0x0800), v4syn)), true},
		{"ip", 113, sll(0, 0x0800, v4syn), true},
		{"tcp dst port 80 and outbound", 113, sll(4, 0x0800, v4syn), true},
		{"tcp dst port 80 and inbound", 276, sll2(4, 0x0800, v4syn), false},
		{"ip6 and tcp", 276, sll2(0, 0x86dd, v6syn), true},
		{"ip", 0, null(2, false, v4syn), true},
		{"ip", 0, null(2, true, v4syn), true},
		{"ip6 and tcp port 80", 0, null(30, false, v6syn), true},
		{"ip6", 0, null(28, true, v6syn), true},
		{"ip6", 0, null(10, false, v6syn), false}, // Linux AF_INET6 is not a loopback-file value
		{"ip6", 108, null(24, true, v6syn), true},
		{"ip6", 108, null(24, false, v6syn), false},
		{"tcp port 80", 101, v6syn, true},
		{"tcp port 80", 101, v4syn, true},
		{"ip6", 228, v4syn, false},
		{"ether broadcast", 1, ethernet(bcast, macA, 0x0806, make([]byte, 28)), true},
		{"ether multicast", 1, ethernet([6]byte{1, 0, 0x5e, 0, 0, 1}, macA, 0x0800, v4syn), true},
		{"ip broadcast", 1, eth(0x0800, ipv4Packet(17, ip4A, [4]byte{255, 255, 255, 255}, 0, nil)), true},
		{"ip multicast", 1, eth(0x0800, ipv4Packet(17, ip4A, [4]byte{224, 0, 0, 251}, 0, nil)), true},
		{"ip6 multicast", 1, eth(0x86dd, ipv6Packet(17, ip6A, [16]byte{0xff, 2, 15: 1}, nil)), true},
		{"ether proto 0x42", 1, ethernet(macB, macA, 38, []byte{0x42, 0x42, 3, 0, 0}), true}, // 802.3 length + LLC DSAP
		{"ether proto 0x42", 1, ethernet(macB, macA, 0x0042+0x600, []byte{0x42, 0x42, 3, 0, 0}), false},
		{"less 100", 1, eth(0x0800, v4syn), true},
		{"greater 100", 1, eth(0x0800, v4syn), false},
		{"len = 54", 1, eth(0x0800, v4syn), true},
		{"port 80 or 443 and host 192.0.2.9", 1, eth(0x0800, v4syn), false}, // and/or: same precedence, left to right
		{"host 192.0.2.9 and port 443 or 80", 1, eth(0x0800, v4syn), true},
		{"tcp[100] = 0 or tcp", 1, eth(0x0800, v4syn), false}, // a load past the end rejects the frame
		{"tcp or tcp[100] = 0", 1, eth(0x0800, v4syn), true},
		{"ip[0] & 0xf = 5 and ip[ip[0] & 0xf] = 0", 1, eth(0x0800, v4syn), true},
		{"tcp[tcp[12] >> 2 : 1] = 0", 1, eth(0x0800, v4syn), false}, // past the end: rejected
		{"ip[2:2] / (ip[0] & 0xf0) = 0", 1, eth(0x0800, v4syn), true},
		{"ip[2:2] / (ip[1] & 0) = 0", 1, eth(0x0800, v4syn), false}, // division by zero at run time rejects
	} {
		if got := matchOn(t, tc.expr, tc.linkType, tc.frame); got != tc.want {
			t.Errorf("%q on link type %d: got %v, want %v", tc.expr, tc.linkType, got, tc.want)
		}
	}
}

// TestLongJumps compiles expressions long enough that conditional jumps
// (8-bit offsets) must go through ja trampolines, and checks the programs
// with x/net/bpf's validator and against its VM.
func TestLongJumps(t *testing.T) {
	var hosts []string
	for i := range 120 {
		hosts = append(hosts, fmt.Sprintf("host 192.0.%d.%d", i/200, i%200+1))
	}
	hosts = append(hosts, "host 192.0.2.2")
	expr := strings.Join(hosts, " or ")
	for _, e := range []string{expr, "not (" + expr + ")", "(" + expr + ") and tcp port 80", "tcp and (" + strings.ReplaceAll(expr, " or ", " and not ") + ")"} {
		prog, err := Compile(e, 1, DefaultSnaplen)
		if err != nil {
			t.Fatal(err)
		}
		if len(prog) < 1000 {
			t.Fatalf("program only %d long", len(prog))
		}
		vm, err := bpf.NewVM(prog)
		if err != nil {
			t.Fatalf("x/net/bpf rejects the program: %v", err)
		}
		raw, _ := bpf.Assemble(prog)
		if !validate(raw) {
			t.Fatal("validate rejects the program")
		}
		for _, f := range [][]byte{
			ethernet(macB, macA, 0x0800, ipv4Packet(6, ip4A, ip4B, 0, tcpSegment(1, 80, 2, nil))),
			ethernet(macB, macA, 0x0800, ipv4Packet(6, ip4A, [4]byte{192, 0, 0, 77}, 0, tcpSegment(1, 80, 2, nil))),
			ethernet(macB, macA, 0x0800, ipv4Packet(6, ip4A, [4]byte{10, 0, 0, 1}, 0, tcpSegment(1, 80, 2, nil))),
		} {
			want, err := vm.Run(f)
			if err != nil {
				t.Fatal(err)
			}
			if got := run(raw, f, uint32(len(f))); (got != 0) != (want != 0) {
				t.Errorf("run says %d, x/net VM %d", got, want)
			}
		}
	}
}

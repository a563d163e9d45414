package filter

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/net/bpf"
)

// sampleFrames are hand-made frames of every supported link type, whole
// and cut short, for differential tests.
func sampleFrames() []frameCopy {
	syn := tcpSegment(1234, 80, 0x12, []byte("GET / HTTP/1.1\r\n"))
	dns := udpDatagram(5353, 53, []byte{0, 1, 2, 3})
	v4 := ipv4Packet(6, ip4A, ip4B, 0, syn)
	v4u := ipv4Packet(17, ip4A, [4]byte{255, 255, 255, 255}, 0, dns)
	v4frag := ipv4Packet(17, ip4A, ip4B, 0x2003, dns)
	v4icmp := ipv4Packet(1, ip4B, ip4A, 0, []byte{8, 0, 0, 0, 0, 1, 0, 1})
	v6 := ipv6Packet(6, ip6A, ip6B, syn)
	v6u := ipv6Packet(17, ip6A, [16]byte{0xff, 2, 15: 0xfb}, dns)
	v6frag := ipv6Packet(44, ip6A, ip6B, cat([]byte{17, 0, 0, 1, 0, 0, 0, 9}, dns))
	v6icmp := ipv6Packet(58, ip6B, ip6A, []byte{135, 0, 0, 0, 0, 0, 0, 0})
	arp := cat([]byte{0, 1, 8, 0, 6, 4, 0, 1}, macA[:], ip4A[:], make([]byte, 6), ip4B[:])
	var out []frameCopy
	add := func(lt uint32, data []byte) {
		for _, n := range []int{len(data), len(data) - 1, 38, 21, 14, 3, 0} {
			if n >= 0 && n <= len(data) {
				out = append(out, frameCopy{lt, len(data), append([]byte(nil), data[:n]...)})
			}
		}
	}
	for _, ip := range []struct {
		et uint16
		p  []byte
	}{{0x0800, v4}, {0x0800, v4u}, {0x0800, v4frag}, {0x0800, v4icmp}, {0x86dd, v6}, {0x86dd, v6u}, {0x86dd, v6frag}, {0x86dd, v6icmp}, {0x0806, arp}, {0x8035, arp}} {
		add(1, ethernet(macB, macA, ip.et, ip.p))
		add(1, ethernet(bcast, macA, 0x8100, cat(vlanTag(10, ip.et), ip.p)))
		add(1, ethernet([6]byte{1, 0, 0x5e, 0, 0, 1}, macA, 0x88a8, cat(vlanTag(200, 0x8100), vlanTag(2001, ip.et), ip.p)))
		add(113, sll(0, ip.et, ip.p))
		add(113, sll(4, ip.et, ip.p))
		add(276, sll2(4, ip.et, ip.p))
		if ip.et == 0x0800 {
			add(0, null(2, false, ip.p))
			add(0, null(2, true, ip.p))
			add(108, null(2, true, ip.p))
			add(101, ip.p)
			add(12, ip.p)
			add(228, ip.p)
		}
		if ip.et == 0x86dd {
			add(0, null(30, false, ip.p))
			add(0, null(24, true, ip.p))
			add(108, null(28, true, ip.p))
			add(101, ip.p)
			add(229, ip.p)
		}
	}
	add(1, ethernet(macB, macA, 38, []byte{0x42, 0x42, 3, 0, 0}))
	add(239, cat([]byte{2, 0, 0, 0}, v4))
	return out
}

var differentialLinkTypes = []uint32{0, 1, 12, 101, 108, 113, 228, 229, 276, 239}

// checkProgram compiles expr for every link type with and without the
// optimisations and runs each program on every sample frame with run and
// with x/net/bpf's VM; all must agree. It reports errors through t.
func checkProgram(t testing.TB, expr string, frames []frameCopy) {
	tree, err := parse(expr)
	if err != nil {
		t.Fatalf("%q: %v", expr, err)
	}
	for _, lt := range differentialLinkTypes {
		opt, err1 := compileTree(expr, tree, lt, DefaultSnaplen, true)
		plain, err2 := compileTree(expr, tree, lt, DefaultSnaplen, false)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("%q on %d: optimised %v, plain %v", expr, lt, err1, err2)
		}
		if err1 != nil {
			var le *LinkTypeError
			if !errors.As(err1, &le) && !strings.Contains(err1.Error(), "too") {
				t.Fatalf("%q on %d: unexpected error %v", expr, lt, err1)
			}
			if strings.Contains(err1.Error(), "\n") {
				t.Fatalf("%q on %d: error of more than one line: %q", expr, lt, err1)
			}
			continue
		}
		if len(opt) > len(plain) {
			t.Errorf("%q on %d: optimised program longer (%d) than plain (%d)", expr, lt, len(opt), len(plain))
		}
		var vms []*bpf.VM
		for _, p := range [][]bpf.RawInstruction{opt, plain} {
			if !validate(p) {
				t.Fatalf("%q on %d: invalid program", expr, lt)
			}
			ins := make([]bpf.Instruction, len(p))
			for i, r := range p {
				ins[i] = r.Disassemble()
			}
			vm, err := bpf.NewVM(ins)
			if err != nil {
				t.Fatalf("%q on %d: x/net/bpf rejects the program: %v", expr, lt, err)
			}
			vms = append(vms, vm)
		}
		for _, f := range frames {
			if f.linkType != lt {
				continue
			}
			a := run(opt, f.data, uint32(len(f.data))) != 0
			b := run(plain, f.data, uint32(len(f.data))) != 0
			n, err := vms[1].Run(f.data)
			if err != nil {
				t.Fatalf("%q on %d: x/net VM: %v", expr, lt, err)
			}
			if a != b || b != (n != 0) {
				t.Fatalf("%q on %d, frame % x: optimised %v, plain %v, x/net VM %v", expr, lt, f.data, a, b, n != 0)
			}
		}
	}
}

func TestDifferential(t *testing.T) {
	frames := sampleFrames()
	exprs := append([]string{}, recordedExpressions...)
	exprs = append(exprs,
		"ether proto 0x42", "ip[0] & 0xf = 5 and ip[ip[0] & 0xf] = 0", "tcp[tcp[12] >> 2 : 1] = 0",
		"ip[2:2] / (ip[1] & 0) = 0", "icmp6[icmp6type] = icmp6-neighborsolicit", "udp[8:4] = 0x00010203",
		"tcp[100] = 0 or tcp", "len - 14 > ip[2:2]", "-ip[0] < 0x100", "ip[1] ^ ip[2] | ip[3] << 2 > 7 % 3",
		"vlan 200 and vlan 2001 and udp port 53", "ether[12:2] > 1500 and not ether[12:2] = 0x800",
		"src or dst host 192.0.2.1 and (port 80 or 53)", "ip6 and icmp6[0] = 135", "arp or rarp",
		"ether host 02:00:00:00:00:0a and ether dst ff:ff:ff:ff:ff:ff", "ip6 proto 17", "ip proto 1 or ip6 proto 6",
	)
	for _, e := range exprs {
		checkProgram(t, e, frames)
	}
}

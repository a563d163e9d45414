package filter

import (
	"errors"
	"strings"
	"testing"
)

func TestSyntaxErrors(t *testing.T) {
	for _, tc := range []struct {
		expr string
		col  int
		msg  string // a substring of the message
	}{
		{"port", 5, `expected a port number after "port"`},
		{"host 300.1.1.1", 6, `invalid IPv4 address "300.1.1.1"`},
		{"tcp[13 & 2", 11, `expected "]" to close "tcp["`},
		{"frobnicate", 1, `unknown word "frobnicate"`},
		{"tcp and frobnicate", 9, `unknown word "frobnicate"`},
		{"mpls", 1, `"mpls" is a pcap-filter keyword that sockscope does not support`},
		{"host example.com", 6, "numeric addresses only"},
		{"src host localhost", 10, "numeric addresses only"},
		{"gateway 10.0.0.1", 1, "numeric addresses only"},
		{"10.0.0.1", 1, "needs a qualifier"},
		{"tcp or 80", 8, "needs a qualifier"},
		{"(host 10.0.0.1) or 10.0.0.2", 20, "needs a qualifier"},
		{"port 70000", 6, "greater than 65535"},
		{"portrange 1-2-3", 11, "bad port range"},
		{"udp port ssh", 10, `port "ssh" is not a udp port`},
		{"port nosuchservice", 6, "unknown port name"},
		{"ip port 80", 9, `"ip" cannot qualify "ip port"`},
		{"tcp src 10.0.0.1", 9, `"tcp" cannot qualify a host`},
		{"ip host ::1", 9, `"ip" cannot qualify an IPv6 address`},
		{"net 10.0.0.1/8", 5, `non-network bits set in "10.0.0.1/8"`},
		{"net 10.0.0.0/33", 14, "mask length must be <= 32"},
		{"ip6 net fe80::1/10", 9, `non-network bits set in "fe80::1/10"`},
		{"host 10.0.0.0/8", 14, "mask syntax is for networks only"},
		{"net 10.0.0.0 mask 255.0", 19, "expected a dotted mask"},
		{"host 1:2:3:4:5:6", 6, `used without "ether"`},
		{"ether host 10.0.0.1", 12, "not a MAC address"},
		{"aa:bb:cc", 1, "bad IPv6 or MAC address"},
		{"host $", 6, `illegal character "$"`},
		{"ip[0:3] = 1", 6, "data size must be 1, 2, or 4"},
		{"ip[1] / 0 = 1", 9, "division by zero"},
		{"ip[1] % 0 = 1", 9, "modulus by zero"},
		{"ip[1] << 32 = 1", 10, "shift by more than 31 bits"},
		{"ip[08] = 1", 4, "non-octal digit"},
		{"ip[0] = 0x100000000", 9, "overflows 32 bits"},
		{"tcp[13] & 2 !=", 15, "expected a number, len or proto[offset]"},
		{"tcp[13] & 2", 12, "expected a comparison"},
		{"esp[0] = 1", 1, `"esp"[...] is not supported`},
		{"ether", 1, `"ether" alone is not a test`},
		{"ip6 broadcast", 1, "broadcast can be tested"},
		{"tcp multicast", 1, "multicast can be tested"},
		{"vlan 5000", 6, "VLAN ID 5000 greater than maximum 4095"},
		{"less", 5, `expected a length after "less"`},
		{"tcp and", 8, `expected a primitive after "and"`},
		{"or tcp", 1, `"or" needs a primitive before it`},
		{"(tcp", 5, `expected ")" to close the "(" at column 1`},
		{"tcp)", 4, `unexpected ")" after a complete expression`},
		{"port 80 80", 9, `unexpected "80" after a complete expression`},
		{"src or tcp", 8, `expected "dst" after "src or"`},
		{"ip proto \\nosuchproto", 10, `unknown protocol name "nosuchproto"`},
		{"tcp proto 6", 5, `"tcp" cannot qualify "proto"`},
		{"ip protochain 6", 4, `"protochain" is not supported`},
		{"decnet host 1.2", 1, `protocol "decnet" is not supported`},
		{"ra host 10.0.0.1", 1, `direction "ra"`},
		{"mask 255.0.0.0", 1, `"mask" must follow`},
		{"host (10.0.0.1 10.0.0.2)", 16, `expected "and", "or" or ")"`},
		{"ip[1]   =", 10, "found end of expression"},
		{"((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((tcp", 201, "nested too deeply"},
		{"host é", 6, `illegal character 0xc3`},
		{"tcp and host é", 14, `illegal character`},
	} {
		_, err := NewMatcher(tc.expr)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: got %v, want a *SyntaxError", tc.expr, err)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") {
			t.Errorf("%q: message is more than one line: %q", tc.expr, msg)
		}
		if !strings.HasPrefix(msg, "filter: syntax error at column ") {
			t.Errorf("%q: message %q lacks the standard prefix", tc.expr, msg)
		}
		if se.Column() != tc.col || !strings.Contains(se.Msg, tc.msg) {
			t.Errorf("%q: got column %d %q, want column %d containing %q", tc.expr, se.Column(), se.Msg, tc.col, tc.msg)
		}
		if _, err := Compile(tc.expr, 1, DefaultSnaplen); err == nil || err.Error() != msg {
			t.Errorf("%q: Compile gave %v, NewMatcher %v", tc.expr, err, msg)
		}
	}
}

// Expressions libpcap accepts that look odd, and must parse.
func TestSyntaxAccepted(t *testing.T) {
	for _, expr := range []string{
		"", "  ",
		"port 80 or 443", "host 10.0.0.1 or not 10.0.0.2", "host (10.0.0.1 or 10.0.0.2)",
		"host not 10.0.0.1", "port 80 or (443)", "tcp port 80 and src 443",
		"src or dst port 53", "dst and src host 10.0.0.1", "ip proto \\tcp", "proto \\udp",
		"ether proto \\arp", "ip6 proto 58 or 6", "(tcp[13] & 2) != 0", "((tcp))", "(len) > 100",
		"1 = 1", "-1 = 0xffffffff", "len - 14 > 100", "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
		"icmp6[icmp6type] == icmp6-echo", "ip[0] & 0xf != 5", "ether[0:4] = 0xffffffff",
		"vlan 0", "vlan and vlan 5", "net 10", "net 10.1", "host 10.1", "ip6 net ::/0",
		"net 192.168.0.0 mask 255.255.0.0", "ether host aa:bb:cc:dd:ee:ff", "ether src aa-bb-cc-dd-ee-ff",
		"ether dst aabb.ccdd.eeff", "ether host 0:1:2:3:4:5", "host ::ffff:10.0.0.1", "host ::",
		"portrange 1024-65535", "portrange 5", "port domain", "tcp port http", "!tcp && !udp || arp",
		"ip broadcast", "ip6 multicast", "inbound", "less 100 or greater 1000",
	} {
		if _, err := NewMatcher(expr); err != nil {
			t.Errorf("%q: %v", expr, err)
		}
	}
}

func TestLinkTypeErrors(t *testing.T) {
	for _, tc := range []struct {
		expr     string
		linkType uint32
		msg      string
	}{
		{"vlan", 113, `"vlan" needs Ethernet frames`},
		{"tcp or vlan 10", 276, `column 8: "vlan" needs Ethernet frames`},
		{"ether host 1:2:3:4:5:6", 0, "MAC addresses can be tested only on Ethernet frames"},
		{"broadcast", 101, "link-layer broadcast needs Ethernet frames"},
		{"multicast", 228, "link-layer multicast needs Ethernet frames"},
		{"inbound", 1, "inbound/outbound need a Linux cooked capture"},
		{"tcp", 239, "protocol tests are not supported for this link type"},
		{"greater 100 and ip[0] = 1", 239, "column 17: protocol tests are not supported"},
	} {
		m, err := NewMatcher(tc.expr)
		if err != nil {
			t.Fatalf("%q: %v", tc.expr, err)
		}
		_, err = m.Match(tc.linkType, make([]byte, 64), 64)
		var le *LinkTypeError
		if !errors.As(err, &le) || !strings.Contains(err.Error(), tc.msg) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q on %d: got %v, want a *LinkTypeError with %q", tc.expr, tc.linkType, err, tc.msg)
			continue
		}
		_, err2 := m.Program(tc.linkType)
		if err2 == nil || err2.Error() != err.Error() {
			t.Errorf("%q on %d: Program gave %v, Match %v", tc.expr, tc.linkType, err2, err)
		}
	}
	// Link-independent tests work on any link type, as with libpcap.
	m, _ := NewMatcher("greater 100 and ether[0] = 1")
	if ok, err := m.Match(239, append([]byte{1}, make([]byte, 200)...), 201); !ok || err != nil {
		t.Errorf("greater/ether[] on NFLOG: %v %v", ok, err)
	}
}

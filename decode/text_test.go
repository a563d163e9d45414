package decode_test

import (
	"errors"
	"io"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/corpus"
)

// appendTextLine is the text printer the fuzz and corpus tests use: UTC, as
// tcpdump's test harness runs with TZ=GMT0.
func appendTextLine(dst []byte, p *decode.Packet) []byte {
	return decode.AppendText(dst, p, time.UTC)
}

// Hand-built packets. Each starts from what the decoder fills for a frame
// of that kind; the tests then change the fields a branch depends on.

// 2017-09-28 22:28:59.657676 UTC, a time inside the gopacket test capture.
const (
	testSec  = 1506637739
	testNsec = 657676123
)

var (
	v4a = netip.MustParseAddr("10.1.1.2")
	v4b = netip.MustParseAddr("10.1.1.1")
	v6a = netip.MustParseAddr("::1")
	v6b = netip.MustParseAddr("2001:db8::5")
)

func ethIPv4(proto uint8, l4len int) decode.Packet {
	return decode.Packet{
		Number: 1, Sec: testSec, Nsec: testNsec,
		Len: 14 + 20 + l4len, CapLen: 14 + 20 + l4len, LinkType: capture.LinkEthernet,
		Layers:  decode.LayerEthernet | decode.LayerIPv4,
		EthSrc:  [6]byte{0, 1, 2, 3, 4, 5},
		EthDst:  [6]byte{6, 7, 8, 9, 10, 11},
		EthType: 0x0800,
		Src:     v4a, Dst: v4b, IPVersion: 4, IPProto: proto, IPHdrLen: 20,
		IPLen: uint32(20 + l4len), TTL: 64, IPFlags: 0x2,
	}
}

func ethIPv6(next uint8, l4len int) decode.Packet {
	return decode.Packet{
		Number: 1, Sec: testSec, Nsec: testNsec,
		Len: 14 + 40 + l4len, CapLen: 14 + 40 + l4len, LinkType: capture.LinkEthernet,
		Layers:  decode.LayerEthernet | decode.LayerIPv6,
		EthType: 0x86dd,
		Src:     v6a, Dst: v6b, IPVersion: 6, IPProto: next, IPv6Next: next, IPHdrLen: 40,
		IPv6Plen: uint16(l4len), TTL: 64,
	}
}

// tcpPacket is a TCP segment over IPv4 with the given flags, raw numbers,
// options (as the decoder records them) and payload length.
func tcpPacket(flags uint16, seq, ack uint32, opts decode.TCPOptions, optLen, payload int) decode.Packet {
	p := ethIPv4(6, 20+optLen+payload)
	p.Layers |= decode.LayerTCP
	p.SrcPort, p.DstPort = 44644, 80
	p.TCPFlags, p.Seq, p.Ack = flags, seq, ack
	p.Window = 29200
	p.TCPHdrLen = uint8(20 + optLen)
	p.TCPOptions = opts
	p.PayloadLen = payload
	p.Rel.TDSeq, p.Rel.TDAck = seq, ack // first ACK-less or base-setting segment: absolute
	return p
}

func kinds(k ...uint8) decode.TCPOptions {
	var o decode.TCPOptions
	for _, kind := range k {
		o.Kinds[o.NKinds] = kind
		o.NKinds++
	}
	return o
}

func synOptions() decode.TCPOptions {
	o := kinds(decode.OptMSS, decode.OptSACKPerm, decode.OptTimestamp, decode.OptNOP, decode.OptWScale)
	o.MSS, o.HasMSS = 1460, true
	o.SACKPerm = true
	o.TSVal, o.TSEcr, o.HasTS = 1032819631, 0, true
	o.WScale, o.HasWS = 7, true
	return o
}

func udpPacket(sport, dport uint16, payload int) decode.Packet {
	p := ethIPv4(17, 8+payload)
	p.Layers |= decode.LayerUDP
	p.SrcPort, p.DstPort = sport, dport
	p.UDPLen = uint16(8 + payload)
	p.PayloadLen = payload
	return p
}

func dnsQuery() decode.Packet {
	p := udpPacket(33779, 53, 56)
	p.Layers |= decode.LayerDNS
	p.DNS = decode.DNSSummary{
		ID: 17177, RD: true, QDCount: 1, ARCount: 1,
		QType: 1, QClass: 1, QName: []byte("www.tcpdump.org"), MsgLen: 56,
	}
	return p
}

func dnsResponse() decode.Packet {
	p := udpPacket(53, 33779, 224)
	p.Src, p.Dst = p.Dst, p.Src
	p.Layers |= decode.LayerDNS
	p.DNS = decode.DNSSummary{
		ID: 17177, QR: true, AA: true, RD: true, QDCount: 1, ANCount: 2, NSCount: 2, ARCount: 5,
		QType: 1, QClass: 1, QName: []byte("www.tcpdump.org"), MsgLen: 224,
	}
	return p
}

func icmpPacket(typ, code uint8, id, seq uint16, msgLen int) decode.Packet {
	p := ethIPv4(1, msgLen)
	p.Layers |= decode.LayerICMPv4
	p.ICMPType, p.ICMPCode, p.ICMPID, p.ICMPSeq = typ, code, id, seq
	return p
}

func icmpError(typ, code uint8, proto uint8, dport uint16) decode.Packet {
	p := icmpPacket(typ, code, 0, 0, 36)
	p.Quote = decode.Quote{Valid: true, Proto: proto,
		Src: v4b, Dst: netip.MustParseAddr("192.168.1.1"), SrcPort: 5000, DstPort: dport}
	return p
}

func icmp6Packet(typ, code uint8, id, seq uint16, msgLen int) decode.Packet {
	p := ethIPv6(58, msgLen)
	p.Layers |= decode.LayerICMPv6
	p.ICMPType, p.ICMPCode, p.ICMPID, p.ICMPSeq = typ, code, id, seq
	return p
}

func arpPacket(op uint16) decode.Packet {
	return decode.Packet{
		Sec: testSec, Nsec: testNsec, Len: 42, CapLen: 42, LinkType: capture.LinkEthernet,
		Layers: decode.LayerEthernet | decode.LayerARP, EthType: 0x0806,
		ARPOp: op, ARPHLen: 6, ARPPLen: 4,
		ARPSHA: [6]byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55},
		ARPSPA: netip.MustParseAddr("10.0.0.1"),
		ARPTPA: netip.MustParseAddr("10.0.0.2"),
	}
}

func with(p decode.Packet, f func(*decode.Packet)) decode.Packet {
	f(&p)
	return p
}

// textCases: name, packet, the line after "22:28:59.657676 ".
var textCases = []struct {
	name string
	p    decode.Packet
	want string
}{
	// TCP
	{"tcp syn with options", tcpPacket(decode.TCPSyn, 2471086128, 0, synOptions(), 20, 0),
		"IP 10.1.1.2.44644 > 10.1.1.1.80: Flags [S], seq 2471086128, win 29200, options [mss 1460,sackOK,TS val 1032819631 ecr 0,nop,wscale 7], length 0"},
	{"tcp syn-ack absolute", with(tcpPacket(decode.TCPSyn|decode.TCPAck, 1000, 2471086129, kinds(decode.OptMSS), 4, 0), func(p *decode.Packet) {
		p.TCPOptions.MSS, p.TCPOptions.HasMSS = 1440, true
	}), "IP 10.1.1.2.44644 > 10.1.1.1.80: Flags [S.], seq 1000, ack 2471086129, win 29200, options [mss 1440], length 0"},
	{"tcp relative data", with(tcpPacket(decode.TCPPsh|decode.TCPAck, 2471086129, 1001, decode.TCPOptions{}, 0, 72), func(p *decode.Packet) {
		p.Rel.TDRelative, p.Rel.TDSeq, p.Rel.TDAck = true, 1, 1
		p.DstPort = 8000
	}), "IP 10.1.1.2.44644 > 10.1.1.1.8000: Flags [P.], seq 1:73, ack 1, win 29200, length 72"},
	{"tcp pure ack shows no seq", with(tcpPacket(decode.TCPAck, 5, 6, decode.TCPOptions{}, 0, 0), func(p *decode.Packet) {
		p.Rel.TDRelative, p.Rel.TDSeq, p.Rel.TDAck = true, 1, 1
	}), "IP 10.1.1.2.44644 > 10.1.1.1.80: Flags [.], ack 1, win 29200, length 0"},
	{"tcp fin shows seq", with(tcpPacket(decode.TCPFin|decode.TCPAck, 5, 6, decode.TCPOptions{}, 0, 0), func(p *decode.Packet) {
		p.Rel.TDRelative, p.Rel.TDSeq, p.Rel.TDAck = true, 59, 227
	}), "IP 10.1.1.2.44644 > 10.1.1.1.80: Flags [F.], seq 59, ack 227, win 29200, length 0"},
	{"tcp all eight flags and urg", with(tcpPacket(0xff, 576462951, 486026015, decode.TCPOptions{}, 0, 0), func(p *decode.Packet) {
		p.Window, p.Urgent = 512, 0
	}), "IP 10.1.1.2.44644 > 10.1.1.1.80: Flags [FSRP.UEW], seq 576462951, ack 486026015, win 512, urg 0, length 0"},
	{"tcp accurate-ecn bit is not a letter", tcpPacket(decode.TCPAE|decode.TCPSyn, 1, 0, decode.TCPOptions{}, 0, 0),
		"IP 10.1.1.2.44644 > 10.1.1.1.80: Flags [S], seq 1, win 29200, length 0"},
	{"tcp no flags", tcpPacket(0, 1, 0, decode.TCPOptions{}, 0, 0),
		"IP 10.1.1.2.44644 > 10.1.1.1.80: Flags [none], win 29200, length 0"},
	{"tcp sack on the first ack is relative to ack-1", with(tcpPacket(decode.TCPAck, 9000, 5001, kinds(1, 1, decode.OptSACK), 12, 0), func(p *decode.Packet) {
		p.TCPOptions.NSACK = 1
		p.TCPOptions.SACK[0] = [2]uint32{5100, 5200}
	}), "IP 10.1.1.2.44644 > 10.1.1.1.80: Flags [.], ack 5001, win 29200, options [nop,nop,sack 1 {100:200}], length 0"},
	{"tcp sack relative", with(tcpPacket(decode.TCPAck, 9000, 5001, kinds(1, 1, decode.OptSACK), 20, 0), func(p *decode.Packet) {
		p.Rel.TDRelative, p.Rel.TDSeq, p.Rel.TDAck = true, 1, 1
		p.TCPOptions.NSACK = 2
		p.TCPOptions.SACK[0] = [2]uint32{5100, 5200}
		p.TCPOptions.SACK[1] = [2]uint32{5300, 5400}
	}), "IP 10.1.1.2.44644 > 10.1.1.1.80: Flags [.], ack 1, win 29200, options [nop,nop,sack 2 {100:200}{300:400}], length 0"},
	{"tcp sack without ack is raw", with(tcpPacket(decode.TCPRst, 5001, 0, kinds(decode.OptSACK, decode.OptEOL), 12, 0), func(p *decode.Packet) {
		p.TCPOptions.NSACK = 1
		p.TCPOptions.SACK[0] = [2]uint32{100, 200}
	}), "IP 10.1.1.2.44644 > 10.1.1.1.80: Flags [R], seq 5001, win 29200, options [sack 1 {100:200},eol], length 0"},
	{"tcp option names", tcpPacket(decode.TCPSyn, 1, 0, kinds(19, 28, 29, 30, 34, 254, 6, 11, 13, 99), 40, 0),
		"IP 10.1.1.2.44644 > 10.1.1.1.80: Flags [S], seq 1, win 29200, options [md5,uto,tcp-ao,mptcp,tfo,exp,echo,cc,,unknown-99], length 0"},
	{"tcp bad option after a good one", with(tcpPacket(decode.TCPSyn, 1, 0, kinds(decode.OptMSS, decode.OptTimestamp), 8, 0), func(p *decode.Packet) {
		p.TCPOptions.MSS, p.TCPOptions.HasMSS, p.TCPOptions.Bad = 1460, true, true
		p.Malformed, p.BadLayer = true, decode.LayerTCP
	}), "IP 10.1.1.2.44644 > 10.1.1.1.80: Flags [S], seq 1, win 29200, options [mss 1460,[bad opt]]"},
	{"tcp bad first option", with(tcpPacket(decode.TCPSyn, 1, 0, kinds(decode.OptTimestamp), 4, 0), func(p *decode.Packet) {
		p.TCPOptions.Bad = true
		p.Malformed, p.BadLayer = true, decode.LayerTCP
	}), "IP 10.1.1.2.44644 > 10.1.1.1.80: Flags [S], seq 1, win 29200, options [[bad opt]"},
	{"tcp snapped inside its options", with(tcpPacket(decode.TCPSyn, 1, 0, decode.TCPOptions{Bad: true}, 8, 0), func(p *decode.Packet) {
		p.Malformed, p.BadLayer, p.Truncated = true, decode.LayerTCP, true
	}), "IP 10.1.1.2.44644 > 10.1.1.1.80: Flags [S], seq 1, win 29200 [|tcp]"},
	{"tcp header cut before the ports were kept", with(ethIPv4(6, 20), func(p *decode.Packet) {
		p.Malformed, p.BadLayer, p.Truncated = true, decode.LayerTCP, true
	}), "IP 10.1.1.2 > 10.1.1.1: [|tcp]"},
	{"tcp header cut after the ports", with(ethIPv4(6, 20), func(p *decode.Packet) {
		p.Malformed, p.BadLayer, p.Truncated = true, decode.LayerTCP, true
		p.SrcPort, p.DstPort = 1000, 80
	}), "IP 10.1.1.2.1000 > 10.1.1.1.80:  [|tcp]"},
	{"tcp header length too short", with(tcpPacket(decode.TCPSyn, 1, 0, decode.TCPOptions{}, 0, 0), func(p *decode.Packet) {
		p.TCPHdrLen = 12
	}), "IP 10.1.1.2.44644 > 10.1.1.1.80:  tcp 8 [bad hdr length 12 - too short, < 20]"},
	{"tcp header longer than the IP payload", with(tcpPacket(decode.TCPSyn, 1, 0, kinds(1, 1, 1, 1, 1, 1, 1, 1), 8, 0), func(p *decode.Packet) {
		p.IPLen = 20 + 24
	}), "IP 10.1.1.2.44644 > 10.1.1.1.80: Flags [S] [bad hdr length 28 - too long, > 24]"},
	{"tcp http names its printer", with(tcpPacket(decode.TCPPsh|decode.TCPAck, 1, 1, decode.TCPOptions{}, 0, 23), func(p *decode.Packet) {
		p.SrcPort, p.DstPort = 80, 44644
	}), "IP 10.1.1.2.80 > 10.1.1.1.44644: Flags [P.], seq 1:24, ack 1, win 29200, length 23: HTTP"},
	{"tcp ssh prints nothing more", with(tcpPacket(decode.TCPPsh|decode.TCPAck, 1, 1, decode.TCPOptions{}, 0, 23), func(p *decode.Packet) {
		p.SrcPort, p.DstPort = 22, 80
	}), "IP 10.1.1.2.22 > 10.1.1.1.80: Flags [P.], seq 1:24, ack 1, win 29200, length 23"},
	{"tcp dns", with(tcpPacket(decode.TCPPsh|decode.TCPAck, 1, 1, decode.TCPOptions{}, 0, 58), func(p *decode.Packet) {
		p.Layers |= decode.LayerDNS
		p.DstPort = 53
		p.DNS = dnsQuery().DNS
	}), "IP 10.1.1.2.44644 > 10.1.1.1.53: Flags [P.], seq 1:59, ack 1, win 29200, length 58 17177+ [1au] A? www.tcpdump.org. (56)"},
	{"tcp over ipv6", with(ethIPv6(6, 32), func(p *decode.Packet) {
		p.Layers |= decode.LayerTCP
		p.SrcPort, p.DstPort = 58799, 8080
		p.TCPFlags, p.Ack, p.Window, p.TCPHdrLen = decode.TCPAck, 7, 8962, 32
		p.Rel.TDRelative, p.Rel.TDAck = true, 484
		p.TCPOptions = kinds(1, 1, decode.OptTimestamp)
		p.TCPOptions.TSVal, p.TCPOptions.TSEcr, p.TCPOptions.HasTS = 96505084, 96505084, true
	}), "IP6 ::1.58799 > 2001:db8::5.8080: Flags [.], ack 484, win 8962, options [nop,nop,TS val 96505084 ecr 96505084], length 0"},
	{"tcp after an ipv6 hop-by-hop header shows ports only", with(ethIPv6(6, 28), func(p *decode.Packet) {
		p.IPv6Next, p.IPHdrLen = 0, 48
		p.Layers |= decode.LayerTCP
		p.SrcPort, p.DstPort, p.TCPFlags, p.Window, p.TCPHdrLen = 1, 2, decode.TCPAck, 1000, 20
		p.Rel.TDRelative, p.Rel.TDAck = true, 1
	}), "IP6 ::1 > 2001:db8::5: HBH 1 > 2: Flags [.], ack 1, win 1000, length 0"},

	// UDP
	{"udp", udpPacket(55369, 8612, 16), "IP 10.1.1.2.55369 > 10.1.1.1.8612: UDP, length 16"},
	{"udp longer than its ip packet", with(udpPacket(1000, 2000, 10), func(p *decode.Packet) {
		p.UDPLen = 100
	}), "IP 10.1.1.2.1000 > 10.1.1.1.2000: UDP, bad length 92 > 10"},
	{"udp first fragment", with(udpPacket(1, 2, 100), func(p *decode.Packet) {
		p.UDPLen, p.IPFlags = 1000, 0x1
	}), "IP 10.1.1.2.1 > 10.1.1.1.2: UDP, length 992"},
	{"udp length below its header", with(udpPacket(1000, 2000, 10), func(p *decode.Packet) {
		p.UDPLen = 4
	}), "IP 10.1.1.2.1000 > 10.1.1.1.2000: truncated-udplength 4"},
	{"udp over ipv6", with(ethIPv6(17, 24), func(p *decode.Packet) {
		p.Layers |= decode.LayerUDP
		p.SrcPort, p.DstPort, p.UDPLen, p.PayloadLen = 6363, 6363, 24, 16
	}), "IP6 ::1.6363 > 2001:db8::5.6363: UDP, length 16"},
	{"udp in a first ipv6 fragment", with(ethIPv6(17, 108), func(p *decode.Packet) {
		p.IPv6Next, p.IPHdrLen = 44, 48
		p.Layers |= decode.LayerIPv6Frag | decode.LayerUDP
		p.V6FragMore = true
		p.SrcPort, p.DstPort, p.UDPLen = 6363, 6363, 300
	}), "IP6 ::1 > 2001:db8::5: frag (0|100) 6363 > 6363: UDP, length 292"},
	{"later ipv6 fragment", with(ethIPv6(17, 108), func(p *decode.Packet) {
		p.IPv6Next, p.IPHdrLen = 44, 48
		p.Layers |= decode.LayerIPv6Frag
		p.V6FragOffset = 181
	}), "IP6 ::1 > 2001:db8::5: frag (1448|100)"},

	// DNS
	{"dns query", dnsQuery(), "IP 10.1.1.2.33779 > 10.1.1.1.53: 17177+ [1au] A? www.tcpdump.org. (56)"},
	{"dns response", dnsResponse(), "IP 10.1.1.1.53 > 10.1.1.2.33779: 17177*- q: A? www.tcpdump.org. 2/2/5 (224)"},
	{"dns nxdomain with ra", with(dnsResponse(), func(p *decode.Packet) {
		p.DNS.RCode, p.DNS.RA, p.DNS.AA, p.DNS.ANCount, p.DNS.NSCount, p.DNS.ARCount = 3, true, false, 0, 1, 0
	}), "IP 10.1.1.1.53 > 10.1.1.2.33779: 17177 NXDomain q: A? www.tcpdump.org. 0/1/0 (224)"},
	{"dns truncated response without question", with(dnsResponse(), func(p *decode.Packet) {
		p.DNS.TC, p.DNS.RCode, p.DNS.QDCount, p.DNS.QType, p.DNS.QName = true, 5, 0, 0, nil
	}), "IP 10.1.1.1.53 > 10.1.1.2.33779: 17177 Refused*-| [0q] 2/2/5 (224)"},
	{"dns notify with counts", with(dnsQuery(), func(p *decode.Packet) {
		p.DNS.Opcode, p.DNS.ANCount, p.DNS.NSCount = 4, 1, 1
	}), "IP 10.1.1.2.33779 > 10.1.1.1.53: 17177 notify+ [1a] [1n] [1au] A? www.tcpdump.org. (56)"},
	{"dns inverse query", with(dnsQuery(), func(p *decode.Packet) {
		p.DNS.Opcode, p.DNS.RD, p.DNS.ARCount = 1, false, 0
	}), "IP 10.1.1.2.33779 > 10.1.1.1.53: 17177 inv_q [1q] [0a] A? www.tcpdump.org. (56)"},
	{"dns query with odd bits", with(dnsQuery(), func(p *decode.Packet) {
		p.DNS.AA, p.DNS.RD, p.DNS.ARCount, p.DNS.QDCount = true, false, 0, 2
	}), "IP 10.1.1.2.33779 > 10.1.1.1.53: 17177 [b2&3=0x400] [2q] A? www.tcpdump.org. (56)"},
	{"dns unknown type, class and root", with(dnsQuery(), func(p *decode.Packet) {
		p.DNS.QType, p.DNS.QClass, p.DNS.QName, p.DNS.ARCount = 999, 3, nil, 0
	}), "IP 10.1.1.2.33779 > 10.1.1.1.53: 17177+ Type999 CHAOS? . (56)"},
	// sockscope's escaping policy (internal/escape), not tcpdump's "^A" and
	// "M-i", which a name holding "M-i" would imitate.
	{"dns names are made printable", with(dnsQuery(), func(p *decode.Packet) {
		p.DNS.QName, p.DNS.ARCount, p.DNS.QType = []byte("a\x01b\xe9\x7fM-i\\"), 0, 65
	}), `IP 10.1.1.2.33779 > 10.1.1.1.53: 17177+ HTTPS? a\x01b\xe9\x7fM-i\\. (56)`},
	{"mdns unicast-response question", with(dnsQuery(), func(p *decode.Packet) {
		p.SrcPort, p.DstPort = 5353, 5353
		p.DNS.RD, p.DNS.ARCount, p.DNS.QType, p.DNS.QClass = false, 0, 255, 0x8001
		p.DNS.QName = []byte("Yaels-iPhone.local")
	}), "IP 10.1.1.2.5353 > 10.1.1.1.5353: 17177 ANY (QU)? Yaels-iPhone.local. (56)"},
	{"llmnr is plain udp to tcpdump", with(dnsQuery(), func(p *decode.Packet) {
		p.DstPort = 5355
	}), "IP 10.1.1.2.33779 > 10.1.1.1.5355: UDP, length 56"},
	{"dns shorter than its header", with(udpPacket(1000, 53, 3), func(p *decode.Packet) {}),
		"IP 10.1.1.2.1000 > 10.1.1.1.53: domain [length 3 < 12] (invalid)"},
	{"dns name that could not be read", with(dnsQuery(), func(p *decode.Packet) {
		p.Malformed, p.BadLayer = true, decode.LayerDNS
		p.DNS.QType, p.DNS.QName = 0, nil
	}), "IP 10.1.1.2.33779 > 10.1.1.1.53: 17177+ [1au] [|domain]"},

	// ICMP
	{"icmp echo request", icmpPacket(8, 0, 1, 2, 64), "IP 10.1.1.2 > 10.1.1.1: ICMP echo request, id 1, seq 2, length 64"},
	{"icmp echo reply", icmpPacket(0, 0, 55099, 0, 64), "IP 10.1.1.2 > 10.1.1.1: ICMP echo reply, id 55099, seq 0, length 64"},
	{"icmp udp port unreachable", icmpError(3, 3, 17, 7001), "IP 10.1.1.2 > 10.1.1.1: ICMP 192.168.1.1 udp port 7001 unreachable, length 36"},
	{"icmp tcp port unreachable", icmpError(3, 3, 6, 7001), "IP 10.1.1.2 > 10.1.1.1: ICMP 192.168.1.1 tcp port 7001 unreachable, length 36"},
	{"icmp other port unreachable", icmpError(3, 3, 132, 0), "IP 10.1.1.2 > 10.1.1.1: ICMP 192.168.1.1 protocol 132 port 0 unreachable, length 36"},
	{"icmp net unreachable", icmpError(3, 0, 17, 1), "IP 10.1.1.2 > 10.1.1.1: ICMP net 192.168.1.1 unreachable, length 36"},
	{"icmp protocol unreachable", icmpError(3, 2, 17, 1), "IP 10.1.1.2 > 10.1.1.1: ICMP 192.168.1.1 protocol 17 unreachable, length 36"},
	{"icmp need to frag", with(icmpError(3, 4, 17, 1), func(p *decode.Packet) { p.ICMPSeq = 1400 }),
		"IP 10.1.1.2 > 10.1.1.1: ICMP 192.168.1.1 unreachable - need to frag (mtu 1400), length 36"},
	{"icmp filtered", icmpError(3, 13, 17, 1), "IP 10.1.1.2 > 10.1.1.1: ICMP host 192.168.1.1 unreachable - admin prohibited filter, length 36"},
	{"icmp unknown unreachable code", icmpError(3, 20, 17, 1), "IP 10.1.1.2 > 10.1.1.1: ICMP 192.168.1.1 unreachable - #20, length 36"},
	{"icmp unreachable without its quote", icmpPacket(3, 3, 0, 0, 8), "IP 10.1.1.2 > 10.1.1.1: [|icmp]"},
	{"icmp redirect", with(icmpError(5, 1, 17, 1), func(p *decode.Packet) { p.ICMPID, p.ICMPSeq = 0x0a02, 0x6362 }),
		"IP 10.1.1.2 > 10.1.1.1: ICMP redirect 192.168.1.1 to host 10.2.99.98, length 36"},
	{"icmp time exceeded", icmpError(11, 0, 17, 1), "IP 10.1.1.2 > 10.1.1.1: ICMP time exceeded in-transit, length 36"},
	{"icmp reassembly time exceeded", icmpError(11, 1, 17, 1), "IP 10.1.1.2 > 10.1.1.1: ICMP ip reassembly time exceeded, length 36"},
	{"icmp parameter problem", with(icmpError(12, 0, 17, 1), func(p *decode.Packet) { p.ICMPID = 0x0500 }),
		"IP 10.1.1.2 > 10.1.1.1: ICMP parameter problem - octet 5, length 36"},
	{"icmp router advertisement", icmpPacket(9, 0, 0x0102, 200, 16),
		"IP 10.1.1.2 > 10.1.1.1: ICMP router advertisement lifetime 3:20 1:, length 16"},
	{"icmp time stamp", icmpPacket(13, 0, 14640, 0, 20), "IP 10.1.1.2 > 10.1.1.1: ICMP time stamp query id 14640 seq 0, length 20"},
	{"icmp router solicitation", icmpPacket(10, 0, 0, 0, 8), "IP 10.1.1.2 > 10.1.1.1: ICMP router solicitation, length 8"},
	{"icmp extended echo", icmpPacket(42, 0, 63210, 0x0100, 28), "IP 10.1.1.2 > 10.1.1.1: ICMP extended echo request, id 63210, seq 1, length 28"},
	{"icmp unknown type", icmpPacket(99, 0, 0, 0, 20), "IP 10.1.1.2 > 10.1.1.1: ICMP type-#99, length 20"},

	// ICMPv6
	{"icmp6 echo request", icmp6Packet(128, 0, 7, 9, 12), "IP6 ::1 > 2001:db8::5: ICMP6, echo request, id 7, seq 9, length 12"},
	{"icmp6 neighbor solicitation", icmp6Packet(135, 0, 0, 0, 32), "IP6 ::1 > 2001:db8::5: ICMP6, neighbor solicitation, length 32"},
	{"icmp6 router advertisement", icmp6Packet(134, 0, 0, 0, 64), "IP6 ::1 > 2001:db8::5: ICMP6, router advertisement, length 64"},
	{"icmp6 port unreachable", with(icmp6Packet(1, 4, 0, 0, 56), func(p *decode.Packet) {
		p.Quote = decode.Quote{Valid: true, Proto: 17, Src: v6a, Dst: v6b, SrcPort: 5000, DstPort: 7001}
	}), "IP6 ::1 > 2001:db8::5: ICMP6, destination unreachable, unreachable port, 2001:db8::5 udp port 7001, length 56"},
	{"icmp6 prohibited keeps tcpdump's space", with(icmp6Packet(1, 1, 0, 0, 56), func(p *decode.Packet) {
		p.Quote = decode.Quote{Valid: true, Proto: 17, Src: v6a, Dst: v6b}
	}), "IP6 ::1 > 2001:db8::5: ICMP6, destination unreachable,  unreachable prohibited 2001:db8::5, length 56"},
	{"icmp6 time exceeded", with(icmp6Packet(3, 0, 0, 0, 56), func(p *decode.Packet) {
		p.Quote = decode.Quote{Valid: true, Proto: 17, Src: v6a, Dst: v6b}
	}), "IP6 ::1 > 2001:db8::5: ICMP6, time exceeded in-transit for 2001:db8::5, length 56"},
	{"icmp6 packet too big", icmp6Packet(2, 0, 0, 1280, 56), "IP6 ::1 > 2001:db8::5: ICMP6, packet too big, mtu 1280, length 56"},
	{"icmp6 parameter problem", icmp6Packet(4, 3, 0, 48, 72),
		"IP6 ::1 > 2001:db8::5: ICMP6, parameter problem, incomplete header chain - octet 48, length 72"},
	{"icmp6 mld v2 query", icmp6Packet(130, 0, 0, 0, 28), "IP6 ::1 > 2001:db8::5: ICMP6, multicast listener query v2, length 28"},
	{"icmp6 unknown type", icmp6Packet(250, 0, 0, 0, 32), "IP6 ::1 > 2001:db8::5: ICMP6, unknown icmp6 type (250), length 32"},
	{"icmp6 after hop-by-hop", with(icmp6Packet(143, 0, 0, 0, 28), func(p *decode.Packet) {
		p.IPv6Next, p.IPHdrLen, p.IPv6Plen = 0, 48, 36
	}), "IP6 ::1 > 2001:db8::5: HBH ICMP6, multicast listener report v2, length 28"},

	// ARP
	{"arp request", arpPacket(1), "ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28"},
	{"arp request naming the target", with(arpPacket(1), func(p *decode.Packet) {
		p.ARPTHA = [6]byte{0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb}
	}), "ARP, Request who-has 10.0.0.2 (66:77:88:99:aa:bb) tell 10.0.0.1, length 28"},
	{"arp reply", arpPacket(2), "ARP, Reply 10.0.0.1 is-at 00:11:22:33:44:55, length 28"},
	{"arp padded frame", with(arpPacket(1), func(p *decode.Packet) { p.Len = 60 }),
		"ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 46"},
	{"arp in two vlan tags", with(arpPacket(2), func(p *decode.Packet) {
		p.Layers |= decode.LayerVLAN
		p.NVLAN, p.Len = 2, 64
	}), "ARP, Reply 10.0.0.1 is-at 00:11:22:33:44:55, length 42"},
	{"rarp request", with(arpPacket(3), func(p *decode.Packet) {
		p.ARPTHA = p.ARPSHA
	}), "ARP, Reverse Request who-is 00:11:22:33:44:55 tell 00:11:22:33:44:55, length 28"},
	{"rarp reply", with(arpPacket(4), func(p *decode.Packet) {
		p.ARPTHA = p.ARPSHA
	}), "ARP, Reverse Reply 00:11:22:33:44:55 at 10.0.0.2, length 28"},
	{"arp unknown op", arpPacket(99), "ARP, Unknown (99), length 28"},
	{"arp for another protocol", with(arpPacket(1), func(p *decode.Packet) {
		p.ARPSPA, p.ARPTPA, p.ARPPLen = netip.Addr{}, netip.Addr{}, 16
	}), "ARP, Unknown Hardware (len 6), Unknown Protocol (len 16), length 28"},

	// IP without a transport the line shows
	{"later ipv4 fragment", with(ethIPv4(17, 1480), func(p *decode.Packet) { p.FragOffset = 185 }),
		"IP 10.1.1.2 > 10.1.1.1: ip-proto-17"},
	{"unknown ip protocol", ethIPv4(253, 30), "IP 10.1.1.2 > 10.1.1.1:  ip-proto-253 30"},
	{"ip length beyond the frame", with(udpPacket(1, 2, 10), func(p *decode.Packet) { p.IPLen = 100 }),
		"IP truncated-ip - 62 bytes missing! 10.1.1.2.1 > 10.1.1.1.2: UDP, length 10"},
	{"ipv4 header cut short", decode.Packet{Sec: testSec, Nsec: testNsec, Len: 20, CapLen: 20, LinkType: capture.LinkEthernet,
		Layers: decode.LayerEthernet, EthType: 0x0800, Malformed: true, BadLayer: decode.LayerIPv4, Truncated: true},
		"IP [|ip]"},

	// Link layers
	{"sll2 prefix", with(udpPacket(1, 2, 3), func(p *decode.Packet) {
		p.LinkType, p.Layers = capture.LinkLinuxSLL2, p.Layers&^decode.LayerEthernet|decode.LayerSLL2
		p.SLLPktType, p.SLLProto, p.Len = 4, 0x0800, 20+20+8+3
	}), "?     Out IP 10.1.1.2.1 > 10.1.1.1.2: UDP, length 3"},
	{"sll2 broadcast", with(udpPacket(1, 2, 3), func(p *decode.Packet) {
		p.LinkType, p.Layers = capture.LinkLinuxSLL2, p.Layers&^decode.LayerEthernet|decode.LayerSLL2
		p.SLLPktType, p.Len = 1, 20+20+8+3
	}), "?     B   IP 10.1.1.2.1 > 10.1.1.1.2: UDP, length 3"},
	{"unknown ethertype", decode.Packet{Sec: testSec, Nsec: testNsec, Len: 60, CapLen: 60, LinkType: capture.LinkEthernet,
		Layers: decode.LayerEthernet, EthSrc: [6]byte{0, 1, 2, 3, 4, 5}, EthDst: [6]byte{0, 10, 11, 12, 13, 14}, EthType: 0x1234},
		"00:01:02:03:04:05 > 00:0a:0b:0c:0d:0e, ethertype Unknown (0x1234), length 60"},
	{"known ethertype not decoded", decode.Packet{Sec: testSec, Nsec: testNsec, Len: 60, CapLen: 60, LinkType: capture.LinkEthernet,
		Layers: decode.LayerEthernet, EthType: 0x88cc},
		"00:00:00:00:00:00 > 00:00:00:00:00:00, ethertype LLDP (0x88cc), length 60"},
	{"802.3 length field", decode.Packet{Sec: testSec, Nsec: testNsec, Len: 60, CapLen: 60, LinkType: capture.LinkEthernet,
		Layers: decode.LayerEthernet, EthType: 46},
		"00:00:00:00:00:00 > 00:00:00:00:00:00, 802.3, length 60"},
	{"loopback family not decoded", decode.Packet{Sec: testSec, Nsec: testNsec, Len: 397, CapLen: 397, LinkType: capture.LinkNull,
		Layers: decode.LayerLoopback, LoopFamily: 7},
		"AF OSI (7), length 397"},
	{"loopback header rejected", decode.Packet{Sec: testSec, Nsec: testNsec, Len: 397, CapLen: 397, LinkType: capture.LinkNull,
		Malformed: true, BadLayer: decode.LayerEthernet, Err: "Invalid loopback protocol"},
		"AF Unknown, length 397"},
	{"link type not decoded", decode.Packet{Sec: testSec, Nsec: testNsec, Len: 180, CapLen: 180, LinkType: capture.LinkNFLog},
		"unsupported link-type 239, length 180"},
}

func textCase(name string) decode.Packet {
	for _, c := range textCases {
		if c.name == name {
			return c.p
		}
	}
	panic("no text case " + name)
}

func TestText(t *testing.T) {
	for _, c := range textCases {
		t.Run(c.name, func(t *testing.T) {
			got := string(decode.AppendText(nil, &c.p, time.UTC))
			want := "22:28:59.657676 " + c.want
			if got != want {
				t.Errorf("\n got: %s\nwant: %s", got, want)
			}
			if s := string(decode.AppendSummary(nil, &c.p)); s != c.want {
				t.Errorf("AppendSummary = %q, want %q", s, c.want)
			}
		})
	}
}

func TestTextTime(t *testing.T) {
	p := udpPacket(1, 2, 3)
	kolkata := time.FixedZone("IST", 5*3600+30*60)
	for _, c := range []struct {
		name      string
		sec, nsec int64
		noTime    bool
		loc       *time.Location
		want      string
	}{
		{"microseconds truncate", 1506637739, 999999999, false, time.UTC, "22:28:59.999999"},
		{"zero pads", 1506637739, 1000, false, time.UTC, "22:28:59.000001"},
		{"local zone", 1506637739, 657676000, false, kolkata, "03:58:59.657676"},
		{"midnight", 86400 * 3, 0, false, time.UTC, "00:00:00.000000"},
		{"before 1970", -1, 500000000, false, time.UTC, "23:59:59.500000"},
		{"no timestamp prints the epoch", 12345, 678, true, time.UTC, "00:00:00.000000"},
		{"out-of-range microseconds", 1418145370, 1000000 * 1000, false, time.UTC, "17:16:10.1000000 (invalid us)"},
		{"far out-of-range microseconds", 1418145370, 2147483648 * 1000, false, time.UTC, "17:16:10.2147483648 (invalid us)"},
		{"after 2106", time.Date(2107, 1, 1, 0, 0, 42, 0, time.UTC).Unix(), 0, false, time.UTC, "00:00:42.000000"},
	} {
		p.Sec, p.Nsec, p.NoTime = c.sec, c.nsec, c.noTime
		got := string(decode.AppendText(nil, &p, c.loc))
		if !strings.HasPrefix(got, c.want+" IP ") {
			t.Errorf("%s: got %q, want it to start %q", c.name, got, c.want+" IP ")
		}
	}
}

// TestTextFormatterCache checks that the per-second clock cache follows the
// second and the location.
func TestTextFormatterCache(t *testing.T) {
	f := decode.NewTextFormatter(time.UTC)
	p := udpPacket(1, 2, 3)
	var line []byte
	for i, want := range []struct {
		sec  int64
		loc  *time.Location
		want string
	}{
		{testSec, time.UTC, "22:28:59."},
		{testSec, time.UTC, "22:28:59."},
		{testSec + 1, time.UTC, "22:29:00."},
		{testSec + 1, time.FixedZone("X", -3600), "21:29:00."},
		{testSec + 3600, nil, ""},
	} {
		p.Sec = want.sec
		f.Loc = want.loc
		line = f.Append(line[:0], &p)
		if want.loc == nil {
			want.want = time.Unix(want.sec, 0).Local().Format("15:04:05.")
		}
		if !strings.HasPrefix(string(line), want.want) {
			t.Errorf("step %d: got %q, want prefix %q", i, line, want.want)
		}
	}
}

// TestTextOneLine checks that no line holds a newline or an escape, even
// from a hostile DNS name.
func TestTextOneLine(t *testing.T) {
	p := dnsQuery()
	p.DNS.QName = []byte("evil\n\x1b[2Jname\r\x00\xff")
	line := decode.AppendText(nil, &p, time.UTC)
	for _, c := range line {
		if c < 0x20 || c >= 0x7f {
			t.Fatalf("line has byte %#x: %q", c, line)
		}
	}
}

// TestTextAllocs checks that appending a line allocates nothing once the
// destination has room, for the formatter and the one-shot function.
func TestTextAllocs(t *testing.T) {
	tcp := tcpPacket(decode.TCPSyn|decode.TCPAck, 2471086128, 1, synOptions(), 20, 0)
	sack := with(tcpPacket(decode.TCPAck, 9000, 5001, kinds(1, 1, decode.OptSACK), 20, 100), func(p *decode.Packet) {
		p.Rel.TDRelative, p.Rel.TDSeq, p.Rel.TDAck = true, 1, 1
		p.TCPOptions.NSACK = 2
	})
	dns := dnsQuery()
	dnsResp := dnsResponse()
	v6 := textCase("tcp over ipv6") // tcp over ipv6
	icmp := icmpError(3, 3, 17, 7001)
	arp := arpPacket(2)
	local := time.FixedZone("X", 3600)
	f := decode.NewTextFormatter(local)
	buf := make([]byte, 0, 512)
	for _, p := range []*decode.Packet{&tcp, &sack, &dns, &dnsResp, &v6, &icmp, &arp} {
		n := testing.AllocsPerRun(200, func() {
			p.Sec++ // a new second every time: the clock is recomputed
			buf = f.Append(buf[:0], p)
		})
		if n != 0 {
			t.Errorf("TextFormatter.Append allocates %.1f times for %s", n, buf)
		}
		n = testing.AllocsPerRun(200, func() {
			buf = decode.AppendText(buf[:0], p, local)
		})
		if n != 0 {
			t.Errorf("AppendText allocates %.1f times for %s", n, buf)
		}
	}
}

// BenchmarkAppendText formats a mix of hand-built packets: TCP with
// options, relative TCP with SACK, DNS query and response, ICMP, ARP.
func BenchmarkAppendText(b *testing.B) {
	pkts := []decode.Packet{
		tcpPacket(decode.TCPSyn, 2471086128, 0, synOptions(), 20, 0),
		with(tcpPacket(decode.TCPAck|decode.TCPPsh, 9000, 5001, kinds(1, 1, decode.OptTimestamp), 12, 1448), func(p *decode.Packet) {
			p.Rel.TDRelative, p.Rel.TDSeq, p.Rel.TDAck = true, 14481, 1
			p.TCPOptions.HasTS, p.TCPOptions.TSVal, p.TCPOptions.TSEcr = true, 1032819632, 57936131
		}),
		dnsQuery(),
		dnsResponse(),
		textCase("tcp over ipv6"),
		icmpPacket(8, 0, 1, 2, 64),
		arpPacket(1),
	}
	f := decode.NewTextFormatter(time.Local)
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := &pkts[i%len(pkts)]
		buf = f.Append(buf[:0], p)
	}
}

// BenchmarkAppendTextCorpus formats the packets of a real capture (a
// lossy bulk transfer: data, ACKs with SACK blocks, timestamps), decoded
// beforehand, so ns/op is the cost of one line.
func BenchmarkAppendTextCorpus(b *testing.B) {
	path := filepath.Join(corpus.PcapDir(b), "kernel-tcp", "lossy_bulk_s1.pcap")
	r, err := capture.Open(path)
	if err != nil {
		b.Skip(err)
	}
	defer r.Close()
	dec := decode.NewDecoder()
	var pkts []decode.Packet
	var fr capture.Frame
	for {
		if err := r.Next(&fr); err != nil {
			if !errors.Is(err, io.EOF) {
				b.Fatal(err)
			}
			break
		}
		var p decode.Packet
		dec.Decode(&fr, len(pkts)+1, &p)
		pkts = append(pkts, p)
	}
	f := decode.NewTextFormatter(time.Local)
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = f.Append(buf[:0], &pkts[i%len(pkts)])
	}
}

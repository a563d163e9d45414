package decode

import (
	"encoding/hex"
	"fmt"
	"net"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/internal/escape"
)

// The layer tree of one packet, for the details pane: the only place that
// uses gopacket's full NewPacket, for the one packet a person selects. The
// fast path (Decoder) keeps what every view needs; this tree shows every
// header field gopacket decodes, in Wireshark's words where it has them,
// with what only the sequence of packets knows (relative numbers, stream
// index, expert analysis, endpoint states) taken from the Packet.

// DetailNode is one line of a packet's layer tree. Off and Len locate the
// bytes it describes in the frame (Len 0: none), so that a view can
// highlight them in the hex dump. Labels are printable text: every control
// character, invalid UTF-8 sequence or unprintable rune that came from the
// packet is shown as '.', so a label can never move a terminal's cursor.
type DetailNode struct {
	Label    string
	Children []DetailNode
	Off, Len int
}

// Details returns the layer tree of one frame: a "Frame" node, then one
// node per protocol layer, outermost first. data is the frame as captured
// and p its Packet as the Decoder (with its tracker) filled it. Details
// never fails: what gopacket cannot decode appears as a malformed node.
func Details(data []byte, p *Packet) []DetailNode {
	b := detailBuilder{data: data, p: p}
	b.frame()
	b.layers()
	b.registered()
	if len(b.protos) > 0 {
		b.out[0].Children = append(b.out[0].Children, node(0, 0, "[Protocols in frame: %s]", strings.Join(b.protos, ":")))
	}
	return b.out
}

type detailBuilder struct {
	data   []byte
	p      *Packet
	out    []DetailNode
	protos []string
	off    int // where the next layer starts in data
}

// node returns a node with a formatted, sanitized label.
func node(off, n int, format string, args ...any) DetailNode {
	return DetailNode{Label: Printable(fmt.Sprintf(format, args...)), Off: off, Len: n}
}

// Printable returns s with every byte or rune that a terminal could act on
// (control characters, DEL, C1 controls, invalid UTF-8, format characters
// such as bidirectional overrides) escaped by sockscope's one policy
// (internal/escape: `\x1b`, `\u202e`, `\xff`), as the text printer and the
// UI show them.
func Printable(s string) string { return escape.Safe(s) }

func (b *detailBuilder) frame() {
	p := b.p
	n := node(0, 0, "Frame %d: %d bytes on wire (%d bits), %d bytes captured (%d bits)",
		p.Number, p.Len, p.Len*8, p.CapLen, p.CapLen*8)
	if !p.NoTime {
		t := time.Unix(p.Sec, p.Nsec)
		n.Children = append(n.Children,
			node(0, 0, "Arrival Time: %s", t.Format("2006-01-02 15:04:05.000000000 MST")),
			// The instant, as frame.time_epoch gives it (an invalid pcap
			// µs field folded into the seconds), not the field as written.
			node(0, 0, "Epoch Arrival Time: %s seconds", appendEpoch(nil, p.Sec, p.Nsec)))
	} else {
		n.Children = append(n.Children, node(0, 0, "Arrival Time: not recorded (pcapng Simple Packet Block)"))
	}
	n.Children = append(n.Children,
		node(0, 0, "Frame Number: %d", p.Number),
		node(0, 0, "Frame Length: %d bytes (%d bits)", p.Len, p.Len*8),
		node(0, 0, "Capture Length: %d bytes (%d bits)", p.CapLen, p.CapLen*8),
		node(0, 0, "Link Type: %s (%d)", linkTypeLabel(p.LinkType), p.LinkType))
	if p.Truncated {
		n.Children = append(n.Children, node(0, 0, "[Truncated: the snapshot length cut this frame short]"))
	}
	if p.Malformed {
		n.Children = append(n.Children, node(0, 0, "[sockscope: malformed: %s]", p.Err))
	}
	b.out = append(b.out, n)
}

func linkTypeLabel(l uint32) string {
	switch l {
	case capture.LinkNull:
		return "BSD loopback"
	case capture.LinkEthernet:
		return "Ethernet"
	case capture.LinkRaw, capture.LinkRawOld, 14:
		return "Raw IP"
	case capture.LinkLoop:
		return "OpenBSD loopback"
	case capture.LinkLinuxSLL:
		return "Linux cooked capture v1"
	case capture.LinkLinuxSLL2:
		return "Linux cooked capture v2"
	case capture.LinkIPv4:
		return "Raw IPv4"
	case capture.LinkIPv6:
		return "Raw IPv6"
	case capture.LinkNFLog:
		return "Linux netfilter log"
	}
	return "unknown"
}

// layers decodes the frame with gopacket and adds a node per layer.
func (b *detailBuilder) layers() {
	data := b.data
	var first gopacket.Decoder
	switch b.p.LinkType {
	case capture.LinkEthernet:
		first = layers.LayerTypeEthernet
	case capture.LinkNull, capture.LinkLoop:
		first = layers.LayerTypeLoopback
	case capture.LinkLinuxSLL:
		first = layers.LayerTypeLinuxSLL
	case capture.LinkIPv4:
		first = layers.LayerTypeIPv4
	case capture.LinkIPv6:
		first = layers.LayerTypeIPv6
	case capture.LinkRaw, capture.LinkRawOld, 14:
		first = layers.LayerTypeIPv4
		if len(data) > 0 && data[0]>>4 == 6 {
			first = layers.LayerTypeIPv6
		}
	case capture.LinkLinuxSLL2:
		// gopacket v1.1.19 has no decoder for these two: ours show the
		// header, gopacket the rest.
		var s sll2
		if err := s.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			b.malformed("Linux cooked capture v2", err.Error())
			return
		}
		n := node(0, 20, "Linux cooked capture v2")
		n.Children = []DetailNode{
			node(0, 2, "Protocol: %s (0x%04x)", etherLabel(uint16(s.Proto)), uint16(s.Proto)),
			node(4, 4, "Interface index: %d", s.IfIndex),
			node(8, 2, "Link-layer address type: %d", s.HaType),
			node(10, 1, "Packet type: %s (%d)", sllPacketType(uint16(s.PktType)), s.PktType),
			node(11, 1, "Link-layer address length: %d", s.AddrLen),
			node(12, 8, "Source: %s", hwAddr(s.Addr[:min(int(s.AddrLen), 8)])),
		}
		b.add(n, "sll2", 20)
		first = s.NextLayerType()
		data = s.Payload
	case capture.LinkNFLog:
		var l nflog
		if err := l.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			b.malformed("Linux netfilter log", err.Error())
			return
		}
		hl := len(l.Contents)
		n := node(0, hl, "Linux netfilter log")
		n.Children = []DetailNode{node(0, 1, "Family: %d", l.Family), node(4, hl-4, "TLVs before the payload: %d bytes", hl-4)}
		b.add(n, "nflog", hl)
		first = l.NextLayerType()
		data = l.Payload
	default:
		b.payload(data, "Data")
		return
	}
	if len(data) == 0 {
		return
	}
	pkt := gopacket.NewPacket(data, first, gopacket.DecodeOptions{NoCopy: true})
	for _, l := range pkt.Layers() {
		b.layer(l)
	}
}

// registered adds a node for each registered protocol the packet has that
// gopacket did not decode (ERSPAN III, WCCP, NSH, MACsec, PIM Register and
// what follows a header gopacket does not know): its fields as the
// Decoder read them, without byte ranges.
func (b *detailBuilder) registered() {
	for _, pr := range registered {
		if !pr.present(b.p) || slices.Contains(b.protos, pr.Name) {
			continue
		}
		b.protos = append(b.protos, pr.Name)
		b.out = append(b.out, pr.detailNode(b.p, 0, 0))
	}
}

// add appends a top-level node for a layer of n bytes and moves past it.
func (b *detailBuilder) add(n DetailNode, proto string, length int) {
	clampRanges(&n, len(b.data))
	b.protos = append(b.protos, proto)
	b.out = append(b.out, n)
	b.off += length
}

// clampRanges keeps every byte range inside a frame of size bytes: the
// fixed offsets of a header's fields run past the end of a cut-short one.
func clampRanges(n *DetailNode, size int) {
	if n.Off < 0 || n.Off >= size {
		n.Off, n.Len = 0, 0
	} else if n.Off+n.Len > size {
		n.Len = size - n.Off
	}
	for i := range n.Children {
		clampRanges(&n.Children[i], size)
	}
}

func (b *detailBuilder) malformed(what, why string) {
	b.add(node(b.off, len(b.data)-b.off, "[Malformed Packet: %s: %s]", what, why), "malformed", 0)
}

// layer describes one gopacket layer.
func (b *detailBuilder) layer(l gopacket.Layer) {
	o := b.off
	n := len(l.LayerContents())
	switch v := l.(type) {
	case *layers.Ethernet:
		b.add(b.ethernet(o, v), "eth", n)
	case *layers.Dot1Q:
		b.add(DetailNode{Label: Printable(fmt.Sprintf("802.1Q Virtual LAN, PRI: %d, DEI: %d, ID: %d", v.Priority, b2i(v.DropEligible), v.VLANIdentifier)),
			Off: o, Len: n, Children: []DetailNode{
				node(o, 2, "Priority: %d", v.Priority),
				node(o, 2, "DEI: %d", b2i(v.DropEligible)),
				node(o, 2, "ID: %d", v.VLANIdentifier),
				node(o+2, 2, "Type: %s (0x%04x)", etherLabel(uint16(v.Type)), uint16(v.Type)),
			}}, "vlan", n)
	case *layers.LinuxSLL:
		b.add(DetailNode{Label: "Linux cooked capture v1", Off: o, Len: n, Children: []DetailNode{
			node(o, 2, "Packet type: %s (%d)", sllPacketType(uint16(v.PacketType)), v.PacketType),
			node(o+2, 2, "Link-layer address type: %d", v.AddrType),
			node(o+4, 2, "Link-layer address length: %d", v.AddrLen),
			node(o+6, 8, "Source: %s", hwAddr(v.Addr)),
			node(o+14, 2, "Protocol: %s (0x%04x)", etherLabel(uint16(v.EthernetType)), uint16(v.EthernetType)),
		}}, "sll", n)
	case *layers.Loopback:
		b.add(DetailNode{Label: "Null/Loopback", Off: o, Len: n, Children: []DetailNode{
			node(o, n, "Family: %s (%d)", afLabel(uint32(v.Family)), v.Family)}}, "null", n)
	case *layers.IPv4:
		b.add(b.ipv4(o, v), "ip", n)
	case *layers.IPv6:
		b.add(b.ipv6(o, v), "ipv6", n)
	case *layers.TCP:
		b.add(b.tcp(o, v), "tcp", n)
	case *layers.UDP:
		b.add(b.udp(o, v), "udp", n)
	case *layers.DNS:
		b.add(b.dns(o, v), "dns", n)
	case *gopacket.Payload:
		b.payload(v.LayerContents(), "Data")
	case *gopacket.DecodeFailure:
		b.add(node(o, n, "[Malformed Packet: %s]", v.Error()), "malformed", n)
	default:
		if pr := registeredByGopacket(b.p, l.LayerType().String()); pr != nil {
			b.add(pr.detailNode(b.p, o, n), pr.Name, n)
			return
		}
		b.add(b.generic(o, n, l), strings.ToLower(l.LayerType().String()), n)
	}
}

func b2i(v bool) int {
	if v {
		return 1
	}
	return 0
}

func setLabel(v bool) string {
	if v {
		return "Set"
	}
	return "Not set"
}

func etherLabel(t uint16) string {
	if s := etherTypeName(t); s != "" {
		return s
	}
	return "Unknown"
}

func afLabel(af uint32) string {
	if s := bsdAFName(af); s != "" {
		return s
	}
	return "Unknown"
}

func sllPacketType(t uint16) string {
	switch t {
	case 0:
		return "Unicast to us"
	case 1:
		return "Broadcast"
	case 2:
		return "Multicast"
	case 3:
		return "Unicast to another host"
	case 4:
		return "Sent by us"
	}
	return "Unknown"
}

func hwAddr(b []byte) string {
	if len(b) == 0 {
		return "(none)"
	}
	return net.HardwareAddr(b).String()
}

func (b *detailBuilder) ethernet(o int, v *layers.Ethernet) DetailNode {
	n := node(o, len(v.Contents), "Ethernet II, Src: %s, Dst: %s", v.SrcMAC, v.DstMAC)
	n.Children = []DetailNode{
		node(o, 6, "Destination: %s", v.DstMAC),
		node(o+6, 6, "Source: %s", v.SrcMAC),
	}
	if v.EthernetType == layers.EthernetTypeLLC {
		n.Children = append(n.Children, node(o+12, 2, "Length: %d", v.Length))
	} else {
		n.Children = append(n.Children, node(o+12, 2, "Type: %s (0x%04x)", etherLabel(uint16(v.EthernetType)), uint16(v.EthernetType)))
	}
	return n
}

func protoAddr(b []byte) string {
	if len(b) == 4 || len(b) == 16 {
		return net.IP(b).String()
	}
	return hex.EncodeToString(b)
}

func ipProtoLabel(p uint8) string {
	switch p {
	case 1:
		return "ICMP"
	case 2:
		return "IGMP"
	case 6:
		return "TCP"
	case 17:
		return "UDP"
	case 41:
		return "IPv6"
	case 47:
		return "GRE"
	case 50:
		return "ESP"
	case 51:
		return "AH"
	case 58:
		return "ICMPv6"
	case 132:
		return "SCTP"
	case 0:
		return "IPv6 Hop-by-Hop Option"
	case 43:
		return "IPv6 Routing"
	case 44:
		return "IPv6 Fragment"
	case 59:
		return "IPv6 No Next Header"
	case 60:
		return "IPv6 Destination Options"
	}
	return "Unknown"
}

func (b *detailBuilder) ipv4(o int, v *layers.IPv4) DetailNode {
	n := node(o, len(v.Contents), "Internet Protocol Version 4, Src: %s, Dst: %s", v.SrcIP, v.DstIP)
	df, mf := v.Flags&layers.IPv4DontFragment != 0, v.Flags&layers.IPv4MoreFragments != 0
	flags := node(o+6, 2, "Flags: 0x%d%s", uint8(v.Flags), ipFlagWords(df, mf))
	flags.Children = []DetailNode{
		node(o+6, 1, "0... .... = Reserved bit: %s", setLabel(v.Flags&layers.IPv4EvilBit != 0)),
		node(o+6, 1, ".%d.. .... = Don't fragment: %s", b2i(df), setLabel(df)),
		node(o+6, 1, "..%d. .... = More fragments: %s", b2i(mf), setLabel(mf)),
	}
	n.Children = []DetailNode{
		node(o, 1, "%04b .... = Version: %d", v.Version, v.Version),
		node(o, 1, ".... %04b = Header Length: %d bytes (%d)", v.IHL, int(v.IHL)*4, v.IHL),
		node(o+1, 1, "Differentiated Services Field: 0x%02x (DSCP: %d, ECN: %d)", v.TOS, v.TOS>>2, v.TOS&3),
		node(o+2, 2, "Total Length: %d", v.Length),
		node(o+4, 2, "Identification: 0x%04x (%d)", v.Id, v.Id),
		flags,
		node(o+6, 2, "Fragment Offset: %d (%d bytes)", v.FragOffset, int(v.FragOffset)*8),
		node(o+8, 1, "Time to Live: %d", v.TTL),
		node(o+9, 1, "Protocol: %s (%d)", ipProtoLabel(uint8(v.Protocol)), uint8(v.Protocol)),
		node(o+10, 2, "Header Checksum: 0x%04x [not verified]", v.Checksum),
		node(o+12, 4, "Source Address: %s", v.SrcIP),
		node(o+16, 4, "Destination Address: %s", v.DstIP),
	}
	if len(v.Contents) > 20 {
		opts := node(o+20, len(v.Contents)-20, "Options: (%d bytes)", len(v.Contents)-20)
		off := o + 20
		for _, op := range v.Options {
			l := max(int(op.OptionLength), 1)
			opts.Children = append(opts.Children, node(off, l, "Option type %d, length %d", op.OptionType, op.OptionLength))
			off += l
		}
		n.Children = append(n.Children, opts)
	}
	return n
}

func ipFlagWords(df, mf bool) string {
	switch {
	case df && mf:
		return ", Don't fragment, More fragments"
	case df:
		return ", Don't fragment"
	case mf:
		return ", More fragments"
	}
	return ""
}

func (b *detailBuilder) ipv6(o int, v *layers.IPv6) DetailNode {
	n := node(o, len(v.Contents), "Internet Protocol Version 6, Src: %s, Dst: %s", v.SrcIP, v.DstIP)
	n.Children = []DetailNode{
		node(o, 1, "%04b .... = Version: %d", v.Version, v.Version),
		node(o, 2, "Traffic Class: 0x%02x (DSCP: %d, ECN: %d)", v.TrafficClass, v.TrafficClass>>2, v.TrafficClass&3),
		node(o+1, 3, "Flow Label: 0x%05x", v.FlowLabel),
		node(o+4, 2, "Payload Length: %d", v.Length),
		node(o+6, 1, "Next Header: %s (%d)", ipProtoLabel(uint8(v.NextHeader)), uint8(v.NextHeader)),
		node(o+7, 1, "Hop Limit: %d", v.HopLimit),
		node(o+8, 16, "Source Address: %s", v.SrcIP),
		node(o+24, 16, "Destination Address: %s", v.DstIP),
	}
	return n
}

// tcpFlagBits are the flags in the order Wireshark lists them, with their
// bit in the 12-bit field.
var tcpFlagBits = [...]struct {
	bit  uint16
	name string
}{
	{TCPAE, "Accurate ECN"}, {TCPCwr, "Congestion Window Reduced"}, {TCPEce, "ECN-Echo"},
	{TCPUrg, "Urgent"}, {TCPAck, "Acknowledgment"}, {TCPPsh, "Push"}, {TCPRst, "Reset"},
	{TCPSyn, "Syn"}, {TCPFin, "Fin"},
}

// bitPicture draws bit (of 12) as Wireshark does: ".... ...1 .... = ".
func bitPicture(bit uint16, set bool) string {
	var sb strings.Builder
	for i := 11; i >= 0; i-- {
		switch {
		case uint16(1)<<i == bit && set:
			sb.WriteByte('1')
		case uint16(1)<<i == bit:
			sb.WriteByte('0')
		default:
			sb.WriteByte('.')
		}
		if i%4 == 0 && i > 0 {
			sb.WriteByte(' ')
		}
	}
	return sb.String()
}

// tcpFlagList names the flags set, lowest bit first ("PSH, ACK").
func tcpFlagList(f uint16) string {
	var names []string
	for i, name := range tcpFlagNames {
		if f&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// expertText are Wireshark's expert-info messages for the Expert bits.
var expertText = [...]string{
	"This frame is a (suspected) retransmission", "This frame is a (suspected) fast retransmission",
	"This frame is a (suspected) spurious retransmission", "Duplicate ACK",
	"This frame is a (suspected) out-of-order segment", "Previous segment(s) not captured (common at capture start)",
	"ACKed segment that wasn't captured (common at capture start)", "TCP Zero Window segment",
	"TCP Zero Window Probe", "TCP Zero Window Probe ACK", "TCP window specified by the receiver is now completely full",
	"TCP window update", "TCP keep-alive segment", "TCP keep-alive ACK", "A new tcp session is started with the same ports as an earlier session in this trace",
}

func (b *detailBuilder) tcp(o int, v *layers.TCP) DetailNode {
	p := b.p
	hl := len(v.Contents)
	var flags uint16
	for _, f := range [...]struct {
		set bool
		bit uint16
	}{{v.FIN, TCPFin}, {v.SYN, TCPSyn}, {v.RST, TCPRst}, {v.PSH, TCPPsh}, {v.ACK, TCPAck}, {v.URG, TCPUrg}, {v.ECE, TCPEce}, {v.CWR, TCPCwr}, {v.NS, TCPAE}} {
		if f.set {
			flags |= f.bit
		}
	}
	tracked := p.IsTCP() && p.SrcPort == uint16(v.SrcPort) && p.DstPort == uint16(v.DstPort) && p.Seq == v.Seq
	segLen := len(v.Payload)
	if tracked {
		segLen = p.PayloadLen
	}
	var n DetailNode
	if tracked {
		n = node(o, hl, "Transmission Control Protocol, Src Port: %d, Dst Port: %d, Seq: %d, Ack: %d, Len: %d",
			v.SrcPort, v.DstPort, p.Rel.Seq, p.Rel.Ack, segLen)
	} else {
		n = node(o, hl, "Transmission Control Protocol, Src Port: %d, Dst Port: %d, Seq: %d, Ack: %d, Len: %d",
			v.SrcPort, v.DstPort, v.Seq, v.Ack, segLen)
	}
	c := []DetailNode{
		node(o, 2, "Source Port: %d", v.SrcPort),
		node(o+2, 2, "Destination Port: %d", v.DstPort),
	}
	if tracked {
		c = append(c, node(0, 0, "[Stream index: %d]", p.Rel.Stream))
	}
	c = append(c, node(0, 0, "[TCP Segment Len: %d]", segLen))
	if tracked {
		c = append(c,
			node(o+4, 4, "Sequence Number: %d    (relative sequence number)", p.Rel.Seq),
			node(o+4, 4, "Sequence Number (raw): %d", v.Seq),
			node(0, 0, "[Next Sequence Number: %d    (relative sequence number)]", p.Rel.NextSeq))
		if v.ACK {
			c = append(c, node(o+8, 4, "Acknowledgment Number: %d    (relative ack number)", p.Rel.Ack))
		} else {
			c = append(c, node(o+8, 4, "Acknowledgment Number: 0"))
		}
		c = append(c, node(o+8, 4, "Acknowledgment number (raw): %d", v.Ack))
	} else {
		c = append(c, node(o+4, 4, "Sequence Number (raw): %d", v.Seq), node(o+8, 4, "Acknowledgment number (raw): %d", v.Ack))
	}
	c = append(c, node(o+12, 1, "%04b .... = Header Length: %d bytes (%d)", v.DataOffset, int(v.DataOffset)*4, v.DataOffset))
	fl := node(o+12, 2, "Flags: 0x%03x (%s)", flags, tcpFlagList(flags))
	fl.Children = append(fl.Children, node(o+12, 1, "000. .... .... = Reserved: Not set"))
	for _, f := range tcpFlagBits {
		fl.Children = append(fl.Children, node(o+12, 2, "%s = %s: %s", bitPicture(f.bit, flags&f.bit != 0), f.name, setLabel(flags&f.bit != 0)))
	}
	c = append(c, fl, node(o+14, 2, "Window: %d", v.Window))
	if tracked {
		c = append(c, node(0, 0, "[Calculated window size: %d]", p.Analysis.WindowSize))
		if p.Analysis.WindowScaled && v.Window != 0 && !v.SYN {
			c = append(c, node(0, 0, "[Window size scaling factor: %d]", p.Analysis.WindowSize/uint32(v.Window)))
		}
	}
	c = append(c, node(o+16, 2, "Checksum: 0x%04x [unverified]", v.Checksum), node(o+18, 2, "Urgent Pointer: %d", v.Urgent))
	if hl > 20 {
		c = append(c, b.tcpOptions(o+20, hl-20, v.Options))
	}
	if tracked {
		if a := &p.Analysis; a.SrcChanged || a.DstChanged {
			st := node(0, 0, "[Endpoint states after this segment: %s %s, %s %s]", a.SrcRole, a.SrcState, a.DstRole, a.DstState)
			c = append(c, st)
		}
		if an := b.seqAnalysis(); an.Label != "" {
			c = append(c, an)
		}
	}
	if len(v.Payload) > 0 {
		c = append(c, node(o+hl, len(v.Payload), "TCP payload (%d bytes)", len(v.Payload)))
	}
	n.Children = c
	return n
}

func (b *detailBuilder) seqAnalysis() DetailNode {
	a := &b.p.Analysis
	if a.AcksFrame == 0 && a.Flags == 0 {
		return DetailNode{}
	}
	n := DetailNode{Label: "[SEQ/ACK analysis]"}
	if a.AcksFrame != 0 {
		n.Children = append(n.Children, node(0, 0, "[This is an ACK to the segment in frame: %d]", a.AcksFrame))
	}
	if a.Flags != 0 {
		f := node(0, 0, "[TCP Analysis Flags]")
		for i, t := range expertText {
			if a.Flags&(1<<i) == 0 {
				continue
			}
			if Expert(1<<i) == ExpertDuplicateAck {
				f.Children = append(f.Children, node(0, 0, "[Duplicate ACK #%d of frame %d]", a.DupAckNum, a.DupAckFrame))
				continue
			}
			f.Children = append(f.Children, node(0, 0, "[%s]", t))
		}
		n.Children = append(n.Children, f)
	}
	return n
}

func (b *detailBuilder) tcpOptions(o, n int, opts []layers.TCPOption) DetailNode {
	var kinds []string
	node0 := DetailNode{Off: o, Len: n}
	off := o
	for _, op := range opts {
		l := int(op.OptionLength)
		if op.OptionType == layers.TCPOptionKindEndList || op.OptionType == layers.TCPOptionKindNop {
			l = 1
		}
		var label string
		d := op.OptionData
		switch uint8(op.OptionType) {
		case OptEOL:
			label = "TCP Option - End of Option List (EOL)"
		case OptNOP:
			label = "TCP Option - No-Operation (NOP)"
		case OptMSS:
			if len(d) == 2 {
				label = fmt.Sprintf("TCP Option - Maximum segment size: %d bytes", int(d[0])<<8|int(d[1]))
			}
		case OptWScale:
			if len(d) == 1 {
				label = fmt.Sprintf("TCP Option - Window scale: %d (multiply by %d)", d[0], 1<<min(d[0], 14))
			}
		case OptSACKPerm:
			label = "TCP Option - SACK permitted"
		case OptSACK:
			var edges []string
			for i := 0; i+8 <= len(d); i += 8 {
				edges = append(edges, fmt.Sprintf("%d-%d", be32(d[i:]), be32(d[i+4:])))
			}
			label = "TCP Option - SACK " + strings.Join(edges, " ")
		case OptTimestamp:
			if len(d) == 8 {
				label = fmt.Sprintf("TCP Option - Timestamps: TSval %d, TSecr %d", be32(d), be32(d[4:]))
			}
		}
		if label == "" {
			name, _ := tcpOptionName(uint8(op.OptionType))
			if name == "" {
				name = "kind " + strconv.Itoa(int(op.OptionType))
			}
			label = fmt.Sprintf("TCP Option - %s, length %d: %s", name, op.OptionLength, hexPreview(d, 16))
		}
		node0.Children = append(node0.Children, DetailNode{Label: Printable(label), Off: off, Len: max(l, 1)})
		kinds = append(kinds, strings.TrimPrefix(label, "TCP Option - "))
		off += max(l, 1)
	}
	node0.Label = Printable(fmt.Sprintf("Options: (%d bytes)", n))
	if len(kinds) > 0 {
		short := make([]string, len(kinds))
		for i, k := range kinds {
			short[i], _, _ = strings.Cut(k, ":")
		}
		node0.Label += Printable(", " + strings.Join(short, ", "))
	}
	return node0
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func hexPreview(d []byte, max int) string {
	if len(d) <= max {
		return hex.EncodeToString(d)
	}
	return hex.EncodeToString(d[:max]) + "…"
}

func (b *detailBuilder) udp(o int, v *layers.UDP) DetailNode {
	p := b.p
	n := node(o, len(v.Contents), "User Datagram Protocol, Src Port: %d, Dst Port: %d", v.SrcPort, v.DstPort)
	n.Children = []DetailNode{
		node(o, 2, "Source Port: %d", v.SrcPort),
		node(o+2, 2, "Destination Port: %d", v.DstPort),
		node(o+4, 2, "Length: %d", v.Length),
		node(o+6, 2, "Checksum: 0x%04x [unverified]", v.Checksum),
	}
	if p.IsUDP() && p.SrcPort == uint16(v.SrcPort) && p.DstPort == uint16(v.DstPort) && p.BadLayer != LayerUDP {
		n.Children = append(n.Children, node(0, 0, "[Stream index: %d]", p.UDPStream))
	}
	if len(v.Payload) > 0 {
		n.Children = append(n.Children, node(o+8, len(v.Payload), "UDP payload (%d bytes)", len(v.Payload)))
	}
	return n
}

func (b *detailBuilder) payload(d []byte, what string) {
	if len(d) == 0 {
		return
	}
	n := node(b.off, len(d), "%s (%d bytes)", what, len(d))
	n.Children = []DetailNode{
		node(b.off, len(d), "Data: %s", hexPreview(d, 32)),
		node(0, 0, "[Length: %d]", len(d)),
	}
	b.add(n, "data", len(d))
}

// generic describes a layer without a dedicated builder: its exported
// fields, by reflection (NewPacket runs for one packet at a time).
func (b *detailBuilder) generic(o, n int, l gopacket.Layer) DetailNode {
	d := node(o, n, "%s", l.LayerType())
	v := reflect.ValueOf(l)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return d
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return d
	}
	t := v.Type()
	for i := 0; i < t.NumField() && len(d.Children) < 64; i++ {
		f := t.Field(i)
		if !f.IsExported() || f.Anonymous || f.Name == "Contents" || f.Name == "Payload" {
			continue
		}
		d.Children = append(d.Children, node(0, 0, "%s: %s", f.Name, fieldText(v.Field(i))))
	}
	return d
}

func fieldText(v reflect.Value) string {
	if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
		return hexPreview(v.Bytes(), 32)
	}
	s := fmt.Sprintf("%v", v.Interface())
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

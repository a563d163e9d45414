package decode

import (
	"fmt"
	"net"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/sockscope/sockscope/internal/escape"
)

// The link layers (Ethernet, 802.1Q and 802.1ad tags, Linux cooked v1 and
// v2, BSD loopback): their fields, JSON and details nodes, and tcpdump's
// line for a frame whose network layer was not decoded.

func init() {
	registerProto(&Proto{Name: "eth", Title: "Ethernet II", Order: -50, Layer: LayerEthernet, Has: always,
		Gopacket: "Ethernet", Node: ethernetNode, JSON: appendEthernetJSON,
		Fields: []ProtoField{
			{Name: "eth.src", Label: "Source", Kind: FieldString, MAC: func(p *Packet) [6]byte { return p.EthSrc }},
			{Name: "eth.dst", Label: "Destination", Kind: FieldString, MAC: func(p *Packet) [6]byte { return p.EthDst }},
			{Name: "eth.addr", Kind: FieldString, Pair: [2]string{"eth.src", "eth.dst"}},
			// An IEEE 802.3 length, or a type.
			{Name: "eth.len", Label: "Length", Has: func(p *Packet) bool { return p.EthType < 0x600 },
				Num: func(p *Packet) uint64 { return uint64(p.EthType) }},
			{Name: "eth.type", Label: "Type", Has: func(p *Packet) bool { return p.EthType >= 0x600 },
				Num: func(p *Packet) uint64 { return uint64(p.EthType) }},
		}})
	// The first 802.1Q tag is vlan.id, the first 802.1ad service tag
	// ieee8021ad.id, as Wireshark names them, in the order of the tags.
	registerProto(&Proto{Name: "vlan", Title: "802.1Q Virtual LAN", Order: -45, Layer: LayerVLAN,
		Has:      func(p *Packet) bool { return vlanID(p, false) >= 0 },
		Gopacket: "Dot1Q", Node: dot1qNode, JSON: appendVLANJSON,
		Fields: []ProtoField{
			// The service tag comes first on the wire (QinQ).
			{Name: "ieee8021ad.id", Label: "ID", Alone: true, Has: func(p *Packet) bool { return vlanID(p, true) >= 0 },
				Num: func(p *Packet) uint64 { return uint64(vlanID(p, true)) }},
			{Name: "vlan.id", Label: "ID", Num: func(p *Packet) uint64 { return uint64(vlanID(p, false)) }},
		}})
	registerProto(&Proto{Name: "sll", Title: "Linux cooked capture", Order: -40, Layer: LayerSLL | LayerSLL2, Has: always,
		Gopacket: "Linux SLL", Node: sllNode, JSON: appendSLLJSON,
		Fields: []ProtoField{
			{Name: "sll.pkttype", Label: "Packet type", Num: func(p *Packet) uint64 { return uint64(p.SLLPktType) }},
			// A Linux protocol number, or an ethertype.
			{Name: "sll.ltype", Label: "Protocol", Has: func(p *Packet) bool { return p.SLLProto < 0x600 },
				Num: func(p *Packet) uint64 { return uint64(p.SLLProto) }},
			{Name: "sll.etype", Label: "Protocol", Has: func(p *Packet) bool { return p.SLLProto >= 0x600 },
				Num: func(p *Packet) uint64 { return uint64(p.SLLProto) }},
		}})
	registerProto(&Proto{Name: "null", Title: "Null/Loopback", Order: -35, Layer: LayerLoopback, Has: always,
		Gopacket: "Loopback", Node: loopbackNode, JSON: appendLoopbackJSON,
		Fields: []ProtoField{
			{Name: "null.family", Label: "Family", Has: func(p *Packet) bool { return p.EthType == 0 },
				Num: func(p *Packet) uint64 { return uint64(p.LoopFamily) }},
			{Name: "null.type", Label: "Type", Has: func(p *Packet) bool { return p.EthType != 0 },
				Num: func(p *Packet) uint64 { return uint64(p.EthType) }},
		}})
	// A tunnel's inner Ethernet header (VXLAN, Geneve, GRE's transparent
	// bridging, ERSPAN), after the inner IP header in JSON; its fields
	// show in gopacket's node for it.
	inner := func(p *Packet) *TunnelInfo { return &p.Tunnel }
	registerProto(&Proto{Name: "inner.eth", Title: "Ethernet II", Order: 104, Tunnel: anyTunnel, NoNode: true,
		Has: func(p *Packet) bool { return p.Tunnel.InnerEth }, JSON: appendInnerEthernetJSON,
		Fields: []ProtoField{
			{Name: "inner.eth.src", Label: "Source", Kind: FieldString, MAC: func(p *Packet) [6]byte { return inner(p).InnerEthSrc }},
			{Name: "inner.eth.dst", Label: "Destination", Kind: FieldString, MAC: func(p *Packet) [6]byte { return inner(p).InnerEthDst }},
			{Name: "inner.eth.type", Label: "Type", Num: func(p *Packet) uint64 { return uint64(inner(p).InnerEthType) }},
		}})
}

func appendInnerEthernetJSON(o jsonObj, p *Packet) jsonObj {
	if t := &p.Tunnel; t.InnerEth {
		o.mac(`"inner.eth.src":`, t.InnerEthSrc)
		o.mac(`"inner.eth.dst":`, t.InnerEthDst)
		o.uint(`"inner.eth.type":`, uint64(t.InnerEthType))
	}
	return o
}

func appendEthernetJSON(o jsonObj, p *Packet) jsonObj {
	o.nextMAC(`,"eth.src":"`, p.EthSrc)
	o.nextMAC(`,"eth.dst":"`, p.EthDst)
	if p.EthType < 0x600 {
		o.next(`,"eth.len":`, uint64(p.EthType))
	} else {
		o.next(`,"eth.type":`, uint64(p.EthType))
	}
	return o
}

func appendSLLJSON(o jsonObj, p *Packet) jsonObj {
	o.uint(`"sll.pkttype":`, uint64(p.SLLPktType))
	if p.SLLProto < 0x600 {
		o.uint(`"sll.ltype":`, uint64(p.SLLProto))
	} else {
		o.uint(`"sll.etype":`, uint64(p.SLLProto))
	}
	return o
}

func appendLoopbackJSON(o jsonObj, p *Packet) jsonObj {
	if p.EthType != 0 {
		o.uint(`"null.type":`, uint64(p.EthType))
	} else {
		o.uint(`"null.family":`, uint64(p.LoopFamily))
	}
	return o
}

// vlanID returns the first 802.1ad service tag (ad) or the first other
// tag, as AppendJSON writes vlan.id and ieee8021ad.id; -1 if none.
func vlanID(p *Packet, ad bool) int {
	for i := 0; i < int(p.NVLAN) && i < len(p.VLANs); i++ {
		if (p.VLANTPIDs[i] == 0x88a8) == ad {
			return int(p.VLANs[i])
		}
	}
	return -1
}

// appendLinkOnly handles frames whose network layer was not decoded.
func appendLinkOnly(dst []byte, p *Packet) []byte {
	switch p.BadLayer {
	case LayerIPv4:
		if p.Truncated {
			return append(dst, "IP [|ip]"...)
		}
		return append(dst, "IP (invalid)"...)
	case LayerIPv6:
		if p.Truncated {
			return append(dst, "IP6 [|ip6]"...)
		}
		return append(dst, "IP6 (invalid)"...)
	case LayerARP:
		return append(dst, "ARP, [|ARP]"...)
	}
	hl := linkHeaderLen(p)
	switch {
	case p.Layers&LayerEthernet != 0:
		// ether_print without -e, for a type it cannot print: the
		// addresses, the type and the length, then a hex dump (not here).
		dst = txtHWAddr(dst, p.EthSrc[:])
		dst = append(dst, " > "...)
		dst = txtHWAddr(dst, p.EthDst[:])
		dst = append(dst, ", "...)
		t := p.EthType
		if t <= 1500 {
			dst = append(dst, "802.3, length "...)
			return txtInt(dst, p.Len)
		}
		dst = appendEtherType(dst, t)
		dst = append(dst, ", length "...)
		return txtInt(dst, p.Len)
	case p.Layers&(LayerSLL|LayerSLL2) != 0:
		dst = appendEtherType(dst, p.SLLProto)
		dst = append(dst, ", length "...)
		return txtInt(dst, p.Len-hl)
	case p.Layers&LayerLoopback != 0:
		dst = append(dst, "AF "...)
		if name := bsdAFName(p.LoopFamily); name != "" {
			dst = append(dst, name...)
		} else {
			dst = append(dst, "Unknown"...)
		}
		dst = append(dst, " ("...)
		dst = txtUint(dst, uint64(p.LoopFamily))
		dst = append(dst, "), length "...)
		return txtInt(dst, p.Len)
	case p.LinkType == 0 || p.LinkType == 108:
		// The loopback header itself was rejected: an unknown family.
		dst = append(dst, "AF Unknown, length "...)
		return txtInt(dst, p.Len)
	case p.Malformed:
		dst = append(dst, "[|"...)
		dst = escape.AppendSafe(dst, p.Err)
		dst = append(dst, "] length "...)
		return txtInt(dst, p.Len)
	}
	dst = append(dst, "unsupported link-type "...)
	dst = txtUint(dst, uint64(p.LinkType))
	dst = append(dst, ", length "...)
	return txtInt(dst, p.Len)
}

func appendEtherType(dst []byte, t uint16) []byte {
	dst = append(dst, "ethertype "...)
	if name := etherTypeName(t); name != "" {
		dst = append(dst, name...)
	} else {
		dst = append(dst, "Unknown"...)
	}
	dst = append(dst, " (0x"...)
	dst = txtHex(dst, uint32(t), 4)
	return append(dst, ')')
}

func ethernetNode(b *detailBuilder, o int, l gopacket.Layer) DetailNode {
	v := l.(*layers.Ethernet)
	n := node(o, len(v.Contents), "Ethernet II, Src: %s, Dst: %s", v.SrcMAC, v.DstMAC)
	n.Children = []DetailNode{
		node(o, 6, "%s: %s", b.label("eth.dst"), v.DstMAC),
		node(o+6, 6, "%s: %s", b.label("eth.src"), v.SrcMAC),
	}
	if v.EthernetType == layers.EthernetTypeLLC {
		n.Children = append(n.Children, node(o+12, 2, "%s: %d", b.label("eth.len"), v.Length))
	} else {
		n.Children = append(n.Children, node(o+12, 2, "%s: %s (0x%04x)", b.label("eth.type"), etherLabel(uint16(v.EthernetType)), uint16(v.EthernetType)))
	}
	return n
}

// dot1qNode is an 802.1Q or 802.1ad tag's node; both are "802.1Q Virtual
// LAN" in Wireshark's words.
func dot1qNode(b *detailBuilder, o int, l gopacket.Layer) DetailNode {
	v := l.(*layers.Dot1Q)
	return DetailNode{Label: Printable(fmt.Sprintf("802.1Q Virtual LAN, PRI: %d, DEI: %d, ID: %d", v.Priority, b2i(v.DropEligible), v.VLANIdentifier)),
		Off: o, Len: len(v.Contents), Children: []DetailNode{
			node(o, 2, "Priority: %d", v.Priority),
			node(o, 2, "DEI: %d", b2i(v.DropEligible)),
			node(o, 2, "%s: %d", b.label("vlan.id"), v.VLANIdentifier),
			node(o+2, 2, "Type: %s (0x%04x)", etherLabel(uint16(v.Type)), uint16(v.Type)),
		}}
}

func sllNode(b *detailBuilder, o int, l gopacket.Layer) DetailNode {
	v := l.(*layers.LinuxSLL)
	return DetailNode{Label: "Linux cooked capture v1", Off: o, Len: len(v.Contents), Children: []DetailNode{
		node(o, 2, "%s: %s (%d)", b.label("sll.pkttype"), sllPacketType(uint16(v.PacketType)), v.PacketType),
		node(o+2, 2, "Link-layer address type: %d", v.AddrType),
		node(o+4, 2, "Link-layer address length: %d", v.AddrLen),
		node(o+6, 8, "Source: %s", hwAddr(v.Addr)),
		node(o+14, 2, "%s: %s (0x%04x)", b.label("sll.etype"), etherLabel(uint16(v.EthernetType)), uint16(v.EthernetType)),
	}}
}

// sll2Node is a Linux cooked v2 header's node (gopacket v1.1.19 has no
// layer for it: the Decoder's reads it).
func sll2Node(b *detailBuilder, s *sll2) DetailNode {
	n := node(0, 20, "Linux cooked capture v2")
	n.Children = []DetailNode{
		node(0, 2, "%s: %s (0x%04x)", b.label("sll.etype"), etherLabel(uint16(s.Proto)), uint16(s.Proto)),
		node(4, 4, "Interface index: %d", s.IfIndex),
		node(8, 2, "Link-layer address type: %d", s.HaType),
		node(10, 1, "%s: %s (%d)", b.label("sll.pkttype"), sllPacketType(uint16(s.PktType)), s.PktType),
		node(11, 1, "Link-layer address length: %d", s.AddrLen),
		node(12, 8, "Source: %s", hwAddr(s.Addr[:min(int(s.AddrLen), 8)])),
	}
	return n
}

func loopbackNode(b *detailBuilder, o int, l gopacket.Layer) DetailNode {
	v := l.(*layers.Loopback)
	n := len(v.Contents)
	return DetailNode{Label: "Null/Loopback", Off: o, Len: n, Children: []DetailNode{
		node(o, n, "%s: %s (%d)", b.label("null.family"), afLabel(uint32(v.Family)), v.Family)}}
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

// appendVLANJSON writes the first 802.1Q tag as vlan.id and the first
// 802.1ad service tag as ieee8021ad.id, the fields Wireshark uses.
func appendVLANJSON(o jsonObj, p *Packet) jsonObj {
	var q, ad bool
	for i := 0; i < int(p.NVLAN); i++ {
		switch {
		case p.VLANTPIDs[i] == 0x88a8 && !ad:
			o.uint(`"ieee8021ad.id":`, uint64(p.VLANs[i]))
			ad = true
		case p.VLANTPIDs[i] != 0x88a8 && !q:
			o.uint(`"vlan.id":`, uint64(p.VLANs[i]))
			q = true
		}
	}
	return o
}

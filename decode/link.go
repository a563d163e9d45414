package decode

import (
	"net"

	"github.com/google/gopacket/layers"
	"github.com/sockscope/sockscope/internal/escape"
)

// The link layers (Ethernet, 802.1Q, Linux cooked v1 and v2, BSD
// loopback): tcpdump's line for a frame whose network layer was not
// decoded, and their details nodes and JSON helpers.

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
func appendVLANJSON(o *jsonObj, p *Packet) {
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
}

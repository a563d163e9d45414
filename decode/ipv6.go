package decode

import "github.com/google/gopacket/layers"

// IPv6 (RFC 8200): tcpdump's line and the details node; the decoding
// layer is in extra_layers.go (ipv6, ipv6Ext, ipv6Frag).

func appendIPv6(dst []byte, p *Packet) []byte {
	dst = append(dst, "IP6 "...)
	direct := p.IPv6Next == p.IPProto && p.Layers&LayerIPv6Frag == 0
	if direct {
		return appendTransport(dst, p, true)
	}
	// ip6_print prints the addresses itself when the first header is not
	// the transport's, then one word per extension header, and the
	// transport printers then show ports without addresses.
	dst = txtAddr(dst, p.Src)
	dst = append(dst, " > "...)
	dst = txtAddr(dst, p.Dst)
	dst = append(dst, ": "...)
	switch p.IPv6Next {
	case 0:
		dst = append(dst, "HBH "...)
	case 43:
		dst = append(dst, "RT6 "...)
	case 60:
		dst = append(dst, "DSTOPT "...)
	}
	if p.Layers&LayerIPv6Frag != 0 {
		n := int(p.IPv6Plen) + 40 - int(p.IPHdrLen)
		if n < 0 {
			n = 0
		}
		dst = append(dst, "frag ("...)
		dst = txtUint(dst, uint64(p.V6FragOffset)*8)
		dst = append(dst, '|')
		dst = txtInt(dst, n)
		dst = append(dst, ')')
		if p.V6FragOffset != 0 {
			return dst
		}
		dst = append(dst, ' ')
	}
	return appendTransport(dst, p, false)
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

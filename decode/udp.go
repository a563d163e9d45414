package decode

import "github.com/google/gopacket/layers"

// UDP (RFC 768): tcpdump's line for a datagram and its node in the details pane.

func appendUDP(dst []byte, p *Packet, withAddrs bool) []byte {
	dst = appendPorts(dst, p, withAddrs)
	ipLen, haveIPLen := ipPayloadLen(p)
	if haveIPLen && ipLen < 8 {
		dst = append(dst, "truncated-udp "...)
		return txtInt(dst, ipLen)
	}
	if p.BadLayer == LayerUDP && p.Truncated {
		// The snap length cut the header after the ports.
		return append(dst, " [|udp]"...)
	}
	ulen := int(p.UDPLen)
	if ulen == 0 && ipLen > 65535 {
		ulen = ipLen // IPv6 jumbogram
	}
	if ulen < 8 {
		dst = append(dst, "truncated-udplength "...)
		return txtInt(dst, ulen)
	}
	ulen -= 8
	length := ulen
	if haveIPLen && ipLen-8 < length {
		length = ipLen - 8
	}
	if p.SrcPort == 53 || p.DstPort == 53 || p.SrcPort == 5353 || p.DstPort == 5353 {
		mdns := p.SrcPort != 53 && p.DstPort != 53
		if p.Layers&LayerDNS != 0 {
			return appendDNS(dst, p, length, mdns)
		}
		if length < 12 {
			dst = append(dst, "domain [length "...)
			dst = txtInt(dst, length)
			return append(dst, " < 12] (invalid)"...)
		}
	}
	fragmented := p.IPFlags&0x1 != 0 || (p.Layers&LayerIPv6Frag != 0 && p.V6FragMore)
	if ulen > length && !fragmented {
		dst = append(dst, "UDP, bad length "...)
		dst = txtInt(dst, ulen)
		dst = append(dst, " > "...)
		return txtInt(dst, length)
	}
	if p.App == AppNTP || p.App == AppDHCP {
		return append(dst, p.AppLine()...)
	}
	dst = append(dst, "UDP, length "...)
	dst = txtInt(dst, ulen)
	if p.App == AppQUIC { // tcpdump names QUIC only when told to (-T quic)
		dst = append(dst, ", "...)
		dst = append(dst, p.AppLine()...)
	}
	return dst
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

package decode

import (
	"slices"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// UDP (RFC 768): its fields and JSON, tcpdump's line for a datagram and its
// node in the details pane.

func init() {
	udp := func(p *Packet) bool { return p.Layers&LayerUDP != 0 }
	// udp.* is the outermost UDP header (a UDP tunnel's), else the
	// packet's own, else the one an ICMP error quotes (as Wireshark
	// decodes the quoted datagram); a tunnel's inner one is inner.udp.*.
	outer := func(p *Packet) bool { return p.Tunnel.Outer.UDP }
	quoted := quotes(17)
	pick := func(t, own, q func(p *Packet) uint64) func(p *Packet) uint64 {
		return func(p *Packet) uint64 {
			switch {
			case outer(p):
				return t(p)
			case udp(p):
				return own(p)
			}
			return q(p)
		}
	}
	ports := func(p *Packet) bool { return udp(p) || quoted(p) || outer(p) }
	inner := func(p *Packet) bool { return outer(p) && udp(p) }
	registerProto(&Proto{Name: "udp", Title: "User Datagram Protocol", Order: 120,
		Layer: LayerUDP | LayerICMPv4 | LayerICMPv6, Tunnel: anyTunnel, Has: func(p *Packet) bool { return udp(p) || outer(p) },
		Gopacket: "UDP", Node: udpNode, JSON: appendUDPJSON,
		Fields: []ProtoField{
			{Name: "udp.srcport", Label: "Source Port", Alone: true, Has: ports, Num: pick(
				func(p *Packet) uint64 { return uint64(p.Tunnel.Outer.SrcPort) },
				func(p *Packet) uint64 { return uint64(p.SrcPort) },
				func(p *Packet) uint64 { return uint64(p.Quote.SrcPort) })},
			{Name: "udp.dstport", Label: "Destination Port", Alone: true, Has: ports, Num: pick(
				func(p *Packet) uint64 { return uint64(p.Tunnel.Outer.DstPort) },
				func(p *Packet) uint64 { return uint64(p.DstPort) },
				func(p *Packet) uint64 { return uint64(p.Quote.DstPort) })},
			{Name: "udp.port", Pair: [2]string{"udp.srcport", "udp.dstport"}},
			// Not when the snap length cut the header before it.
			{Name: "udp.length", Label: "Length", Alone: true, Has: func(p *Packet) bool {
				return outer(p) || udp(p) && !(p.BadLayer == LayerUDP && p.CapLen < p.Len && p.UDPLen == 0) || !udp(p) && quoted(p)
			}, Num: pick(
				func(p *Packet) uint64 { return uint64(p.Tunnel.Outer.UDPLen) },
				func(p *Packet) uint64 { return uint64(p.UDPLen) },
				func(p *Packet) uint64 { return uint64(p.Quote.UDPLen) })},
			{Name: "udp.stream", Label: "Stream index", Alone: true, Has: func(p *Packet) bool {
				return outer(p) || udp(p) && p.BadLayer != LayerUDP || !udp(p) && quoted(p)
			}, Num: pick(
				func(p *Packet) uint64 { return uint64(p.Tunnel.Outer.UDPStream) },
				func(p *Packet) uint64 { return uint64(p.UDPStream) },
				func(p *Packet) uint64 { return uint64(p.UDPStream) })},
			{Name: "inner.udp.srcport", Label: "Source Port", Has: inner, Num: func(p *Packet) uint64 { return uint64(p.SrcPort) }},
			{Name: "inner.udp.dstport", Label: "Destination Port", Has: inner, Num: func(p *Packet) uint64 { return uint64(p.DstPort) }},
			{Name: "inner.udp.length", Label: "Length", Has: inner, Num: func(p *Packet) uint64 { return uint64(p.UDPLen) }},
			{Name: "inner.udp.stream", Label: "Stream index", Has: inner, Num: func(p *Packet) uint64 { return uint64(p.UDPStream) }},
		}})
}

// appendUDPJSON writes the UDP header (a UDP tunnel's outer one under
// udp.*, its inner one under inner.udp.*: tunnel_json.go), then the one an
// ICMP error quotes.
func appendUDPJSON(o jsonObj, p *Packet) jsonObj {
	if p.Tunnel.Outer.UDP {
		appendTunnelUDPJSON(&o, p)
	} else if p.Layers&LayerUDP != 0 {
		o.next(`,"udp.srcport":`, uint64(p.SrcPort))
		o.next(`,"udp.dstport":`, uint64(p.DstPort))
		if !(p.BadLayer == LayerUDP && p.CapLen < p.Len && p.UDPLen == 0) { // not captured
			o.next(`,"udp.length":`, uint64(p.UDPLen))
		}
		if p.BadLayer != LayerUDP {
			o.next(`,"udp.stream":`, uint64(p.UDPStream))
		}
	}
	if q := &p.Quote; q.Valid && q.Proto == 17 && p.Layers&(LayerICMPv4|LayerICMPv6) != 0 {
		o.next(`,"udp.srcport":`, uint64(q.SrcPort))
		o.next(`,"udp.dstport":`, uint64(q.DstPort))
		o.next(`,"udp.length":`, uint64(q.UDPLen))
		o.next(`,"udp.stream":`, uint64(p.UDPStream))
	}
	return o
}

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

func udpNode(b *detailBuilder, o int, l gopacket.Layer) DetailNode {
	v := l.(*layers.UDP)
	p := b.p
	n := node(o, len(v.Contents), "User Datagram Protocol, Src Port: %d, Dst Port: %d", v.SrcPort, v.DstPort)
	n.Children = []DetailNode{
		node(o, 2, "%s: %d", b.label("udp.srcport"), v.SrcPort),
		node(o+2, 2, "%s: %d", b.label("udp.dstport"), v.DstPort),
		node(o+4, 2, "%s: %d", b.label("udp.length"), v.Length),
		node(o+6, 2, "Checksum: 0x%04x [unverified]", v.Checksum),
	}
	switch {
	case p.Tunnel.Outer.UDP && !slices.Contains(b.protos, "udp"):
		// The first UDP header is a UDP tunnel's, numbered apart.
		n.Children = append(n.Children, node(0, 0, "[%s: %d]", b.label("udp.stream"), p.Tunnel.Outer.UDPStream))
	case p.IsUDP() && p.SrcPort == uint16(v.SrcPort) && p.DstPort == uint16(v.DstPort) && p.BadLayer != LayerUDP:
		n.Children = append(n.Children, node(0, 0, "[%s: %d]", b.label("udp.stream"), p.UDPStream))
	}
	if len(v.Payload) > 0 {
		n.Children = append(n.Children, node(o+8, len(v.Payload), "UDP payload (%d bytes)", len(v.Payload)))
	}
	return n
}

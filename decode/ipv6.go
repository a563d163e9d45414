package decode

import (
	"net/netip"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// IPv6 (RFC 8200): its fields, JSON, tcpdump's line and the details node;
// the decoding layer is in extra_layers.go (ipv6, ipv6Ext, ipv6Frag).

func init() {
	ip6 := func(p *Packet) bool { return p.IPVersion == 6 && p.Tunnel.Kinds == 0 }
	frag := func(p *Packet) bool { return ip6(p) && p.Layers&LayerIPv6Frag != 0 }
	// A jumbogram's length (after the payload length, as JSON writes it)
	// and the fragment header, of a packet outside a tunnel; gopacket's
	// own nodes for the extension headers show them.
	jumbo := []ProtoField{{Name: "ipv6.opt.jumbo", Has: func(p *Packet) bool { return ip6(p) && p.IPv6Jumbo != 0 },
		Num: func(p *Packet) uint64 { return uint64(p.IPv6Jumbo) }}}
	fragHdr := []ProtoField{
		{Name: "ipv6.fraghdr.offset", Has: frag, Num: func(p *Packet) uint64 { return uint64(p.V6FragOffset) }},
		{Name: "ipv6.fraghdr.more", Has: frag, Num: func(p *Packet) uint64 { return uint64(boolInt(p.V6FragMore)) }},
		{Name: "ipv6.fraghdr.ident", Has: frag, Num: func(p *Packet) uint64 { return uint64(p.V6FragID) }},
	}
	registerProto(&Proto{Name: "ipv6", Title: "Internet Protocol Version 6", Order: 101, Layer: LayerIPv6, Tunnel: anyTunnel,
		Has:      func(p *Packet) bool { _, ok := firstIPField(p, 6); return ok },
		Gopacket: "IPv6", Node: ipv6Node, JSON: appendIPv6JSON,
		Fields: ipv6Fields("", firstIPField, jumbo, fragHdr)})
	registerProto(&Proto{Name: "inner.ipv6", Title: "Internet Protocol Version 6", Order: 103, Tunnel: anyTunnel, NoNode: true,
		Has:    func(p *Packet) bool { _, ok := innerIPField(p, 6); return ok },
		JSON:   innerIPJSON(6),
		Fields: ipv6Fields("inner.", innerIPField, nil, nil)})
}

// ipv6Fields are the fields of an IPv6 header, named prefix+"ipv6.*", read
// from the header get returns (as ipv4Fields), with mid after the payload
// length and tail at the end.
func ipv6Fields(prefix string, get func(p *Packet, version uint8) (OuterHeaders, bool), mid, tail []ProtoField) []ProtoField {
	full := func(p *Packet) bool { h, _ := get(p, 6); return h.Src.IsValid() }
	v := func(f func(h *OuterHeaders) uint64) func(p *Packet) uint64 {
		return func(p *Packet) uint64 { h, _ := get(p, 6); return f(&h) }
	}
	a := func(f func(h *OuterHeaders) netip.Addr) func(p *Packet) netip.Addr {
		return func(p *Packet) netip.Addr { h, _ := get(p, 6); return f(&h) }
	}
	n := prefix + "ipv6."
	fs := []ProtoField{
		{Name: n + "src", Label: "Source Address", Kind: FieldAddr, Has: full, Addr: a(func(h *OuterHeaders) netip.Addr { return h.Src })},
		{Name: n + "dst", Label: "Destination Address", Kind: FieldAddr, Has: full, Addr: a(func(h *OuterHeaders) netip.Addr { return h.Dst })},
		{Name: n + "addr", Kind: FieldAddr, Pair: [2]string{n + "src", n + "dst"}},
		{Name: n + "nxt", Label: "Next Header", Num: v(func(h *OuterHeaders) uint64 { return uint64(h.IPv6Next) })},
		{Name: n + "plen", Label: "Payload Length", Num: v(func(h *OuterHeaders) uint64 { return uint64(h.IPv6Plen) })},
	}
	fs = append(fs, mid...)
	fs = append(fs,
		ProtoField{Name: n + "hlim", Label: "Hop Limit", Num: v(func(h *OuterHeaders) uint64 { return uint64(h.TTL) })},
		ProtoField{Name: n + "tclass", Label: "Traffic Class", Num: v(func(h *OuterHeaders) uint64 { return uint64(h.TOS) })},
		ProtoField{Name: n + "flow", Label: "Flow Label", Num: v(func(h *OuterHeaders) uint64 { return uint64(h.IPv6Flow) })})
	return append(fs, tail...)
}

// appendIPv6JSON writes the first IPv6 header: a tunnel's outer one if it
// is IPv6 (tunnel_json.go), else the packet's own.
func appendIPv6JSON(o jsonObj, p *Packet) jsonObj {
	if p.Tunnel.Kinds != 0 {
		if h, ok := firstIP(p, 6); ok {
			appendIPHeaderJSON(&o, &h, &outerIPKeys)
		}
		return o
	}
	if p.IPVersion != 6 {
		return o
	}
	o.nextAddr(`,"ipv6.src":"`, p.Src)
	o.nextAddr(`,"ipv6.dst":"`, p.Dst)
	o.uint(`"ipv6.nxt":`, uint64(p.IPv6Next))
	o.uint(`"ipv6.plen":`, uint64(p.IPv6Plen))
	if p.IPv6Jumbo != 0 {
		o.uint(`"ipv6.opt.jumbo":`, uint64(p.IPv6Jumbo))
	}
	o.uint(`"ipv6.hlim":`, uint64(p.TTL))
	o.uint(`"ipv6.tclass":`, uint64(p.TOS))
	o.uint(`"ipv6.flow":`, uint64(p.IPv6Flow))
	if p.Layers&LayerIPv6Frag != 0 {
		o.uint(`"ipv6.fraghdr.offset":`, uint64(p.V6FragOffset))
		o.bit(`"ipv6.fraghdr.more":`, p.V6FragMore)
		o.uint(`"ipv6.fraghdr.ident":`, uint64(p.V6FragID))
	}
	return o
}

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

func ipv6Node(b *detailBuilder, o int, l gopacket.Layer) DetailNode {
	v := l.(*layers.IPv6)
	n := node(o, len(v.Contents), "Internet Protocol Version 6, Src: %s, Dst: %s", v.SrcIP, v.DstIP)
	n.Children = []DetailNode{
		node(o, 1, "%04b .... = Version: %d", v.Version, v.Version),
		node(o, 2, "%s: 0x%02x (DSCP: %d, ECN: %d)", b.label("ipv6.tclass"), v.TrafficClass, v.TrafficClass>>2, v.TrafficClass&3),
		node(o+1, 3, "%s: 0x%05x", b.label("ipv6.flow"), v.FlowLabel),
		node(o+4, 2, "%s: %d", b.label("ipv6.plen"), v.Length),
		node(o+6, 1, "%s: %s (%d)", b.label("ipv6.nxt"), ipProtoLabel(uint8(v.NextHeader)), uint8(v.NextHeader)),
		node(o+7, 1, "%s: %d", b.label("ipv6.hlim"), v.HopLimit),
		node(o+8, 16, "%s: %s", b.label("ipv6.src"), v.SrcIP),
		node(o+24, 16, "%s: %s", b.label("ipv6.dst"), v.DstIP),
	}
	return n
}

package decode

// Display fields of tunnelled packets, the same keys and values as
// tunnel_json.go writes.

// firstIPField is the header ip.* (version 4) or ipv6.* (6) shows.
func firstIPField(p *Packet, version uint8) (OuterHeaders, bool) {
	if p.Tunnel.Kinds != 0 {
		return firstIP(p, version)
	}
	if p.IPVersion != version {
		return OuterHeaders{}, false
	}
	return innerIP(p), true
}

// innerIPField is the innermost header of a tunnelled packet (inner.*).
func innerIPField(p *Packet, version uint8) (OuterHeaders, bool) {
	if p.Tunnel.InnerOff == 0 || p.IPVersion != version || !p.Src.IsValid() {
		return OuterHeaders{}, false
	}
	return innerIP(p), true
}

// ipFields registers the IPv4 and IPv6 fields under prefix, read from the
// header get returns.
func ipFields(prefix string, get func(p *Packet, version uint8) (OuterHeaders, bool)) {
	for _, version := range []uint8{4, 6} {
		name := "ip"
		if version == 6 {
			name = "ipv6"
		}
		name = prefix + name
		has := func(p *Packet) bool { _, ok := get(p, version); return ok }
		// Complete: a header whose length fields were bogus has only
		// ip.hdr_len and ip.len (decode's ipv4.go).
		full := func(p *Packet) bool { h, ok := get(p, version); return ok && h.Src.IsValid() }
		v := func(f func(h *OuterHeaders) int) func(p *Packet) int {
			return func(p *Packet) int { h, _ := get(p, version); return f(&h) }
		}
		s := func(f func(h *OuterHeaders) string) func(p *Packet) string {
			return func(p *Packet) string { h, _ := get(p, version); return f(&h) }
		}
		proto(name, has)
		addrField(name+".src", full, s(func(h *OuterHeaders) string { return h.Src.String() }))
		addrField(name+".dst", full, s(func(h *OuterHeaders) string { return h.Dst.String() }))
		addPair(name+".addr", FieldAddr, name+".src", name+".dst")
		if version == 4 {
			num(name+".proto", full, v(func(h *OuterHeaders) int { return int(h.IPProto) }))
			num(name+".hdr_len", has, v(func(h *OuterHeaders) int { return int(h.IPHdrLen) }))
			num(name+".len", func(p *Packet) bool { h, ok := get(p, version); return ok && (h.Src.IsValid() || h.IPLen != 0) },
				v(func(h *OuterHeaders) int { return int(h.IPLen) }))
			num(name+".id", full, v(func(h *OuterHeaders) int { return int(h.IPID) }))
			num(name+".flags.df", full, v(func(h *OuterHeaders) int { return int(h.IPFlags >> 1 & 1) }))
			num(name+".flags.mf", full, v(func(h *OuterHeaders) int { return int(h.IPFlags & 1) }))
			num(name+".frag_offset", full, v(func(h *OuterHeaders) int { return int(h.FragOffset) }))
			num(name+".ttl", full, v(func(h *OuterHeaders) int { return int(h.TTL) }))
			num(name+".dsfield", full, v(func(h *OuterHeaders) int { return int(h.TOS) }))
			continue
		}
		num(name+".nxt", has, v(func(h *OuterHeaders) int { return int(h.IPv6Next) }))
		num(name+".plen", has, v(func(h *OuterHeaders) int { return int(h.IPv6Plen) }))
		num(name+".hlim", has, v(func(h *OuterHeaders) int { return int(h.TTL) }))
		num(name+".tclass", has, v(func(h *OuterHeaders) int { return int(h.TOS) }))
		num(name+".flow", has, v(func(h *OuterHeaders) int { return int(h.IPv6Flow) }))
	}
}

func init() {
	t := func(f func(t *TunnelInfo) int) func(p *Packet) int {
		return func(p *Packet) int { return f(&p.Tunnel) }
	}

	innerEth := func(p *Packet) bool { return p.Tunnel.InnerEth }
	str("inner.eth.src", innerEth, func(p *Packet) string { return macString(p.Tunnel.InnerEthSrc) })
	str("inner.eth.dst", innerEth, func(p *Packet) string { return macString(p.Tunnel.InnerEthDst) })
	num("inner.eth.type", innerEth, t(func(t *TunnelInfo) int { return int(t.InnerEthType) }))

	innerUDP := func(p *Packet) bool { return p.Tunnel.Outer.UDP && p.Layers&LayerUDP != 0 }
	num("inner.udp.srcport", innerUDP, func(p *Packet) int { return int(p.SrcPort) })
	num("inner.udp.dstport", innerUDP, func(p *Packet) int { return int(p.DstPort) })
	num("inner.udp.length", innerUDP, func(p *Packet) int { return int(p.UDPLen) })
	num("inner.udp.stream", innerUDP, func(p *Packet) int { return p.UDPStream })

}

package decode

// JSON helpers for tunnelled packets' IP and UDP headers (ipv4.go, ipv6.go
// and udp.go call them); the key rule is in tunnel.go.

// ipKeys are the JSON keys of one IP header's fields: Wireshark's names,
// or the same under "inner.".
type ipKeys struct {
	src, dst, proto, hdrLen, len, id, df, mf, frag, ttl, ds string
	src6, dst6, nxt, plen, hlim, tclass, flow               string
}

var (
	outerIPKeys = ipKeys{`"ip.src":`, `"ip.dst":`, `"ip.proto":`, `"ip.hdr_len":`, `"ip.len":`, `"ip.id":`,
		`"ip.flags.df":`, `"ip.flags.mf":`, `"ip.frag_offset":`, `"ip.ttl":`, `"ip.dsfield":`,
		`"ipv6.src":`, `"ipv6.dst":`, `"ipv6.nxt":`, `"ipv6.plen":`, `"ipv6.hlim":`, `"ipv6.tclass":`, `"ipv6.flow":`}
	innerIPKeys = ipKeys{`"inner.ip.src":`, `"inner.ip.dst":`, `"inner.ip.proto":`, `"inner.ip.hdr_len":`, `"inner.ip.len":`, `"inner.ip.id":`,
		`"inner.ip.flags.df":`, `"inner.ip.flags.mf":`, `"inner.ip.frag_offset":`, `"inner.ip.ttl":`, `"inner.ip.dsfield":`,
		`"inner.ipv6.src":`, `"inner.ipv6.dst":`, `"inner.ipv6.nxt":`, `"inner.ipv6.plen":`, `"inner.ipv6.hlim":`, `"inner.ipv6.tclass":`, `"inner.ipv6.flow":`}
)

// innerIPJSON is the JSON function of inner.ip (v 4) or inner.ipv6 (v 6):
// a tunnel's innermost IP header, if it is of version v.
func innerIPJSON(v uint8) func(jsonObj, *Packet) jsonObj {
	return func(o jsonObj, p *Packet) jsonObj {
		if p.Tunnel.InnerOff != 0 && p.IPVersion == v && p.Src.IsValid() {
			h := innerIP(p)
			appendIPHeaderJSON(&o, &h, &innerIPKeys)
		}
		return o
	}
}

// innerIP is the innermost IP header of p as an OuterHeaders value.
func innerIP(p *Packet) OuterHeaders {
	return OuterHeaders{
		Src: p.Src, Dst: p.Dst, IPVersion: p.IPVersion, IPProto: p.IPProto, IPHdrLen: p.IPHdrLen,
		IPLen: p.IPLen, IPID: p.IPID, IPFlags: p.IPFlags, FragOffset: p.FragOffset, TTL: p.TTL, TOS: p.TOS,
		IPv6Next: p.IPv6Next, IPv6Plen: p.IPv6Plen, IPv6Flow: p.IPv6Flow,
	}
}

// firstIP returns the header Wireshark's first occurrence of ip.* (version
// 4) or ipv6.* (version 6) comes from in a tunnelled packet: the outer one
// if it has that version, else the inner one; ok is false if neither has.
func firstIP(p *Packet, version uint8) (h OuterHeaders, ok bool) {
	if p.Tunnel.Outer.IPVersion == version {
		return p.Tunnel.Outer, true
	}
	if p.IPVersion == version && p.Src.IsValid() {
		return innerIP(p), true
	}
	return h, false
}

func appendIPHeaderJSON(o *jsonObj, h *OuterHeaders, k *ipKeys) {
	if h.IPVersion == 4 {
		o.addr(k.src, h.Src)
		o.addr(k.dst, h.Dst)
		o.uint(k.proto, uint64(h.IPProto))
		o.uint(k.hdrLen, uint64(h.IPHdrLen))
		o.uint(k.len, uint64(h.IPLen))
		o.uint(k.id, uint64(h.IPID))
		o.uint(k.df, uint64(h.IPFlags>>1&1))
		o.uint(k.mf, uint64(h.IPFlags&1))
		o.uint(k.frag, uint64(h.FragOffset))
		o.uint(k.ttl, uint64(h.TTL))
		o.uint(k.ds, uint64(h.TOS))
		return
	}
	o.addr(k.src6, h.Src)
	o.addr(k.dst6, h.Dst)
	o.uint(k.nxt, uint64(h.IPv6Next))
	o.uint(k.plen, uint64(h.IPv6Plen))
	o.uint(k.hlim, uint64(h.TTL))
	o.uint(k.tclass, uint64(h.TOS))
	o.uint(k.flow, uint64(h.IPv6Flow))
}

// appendTunnelUDPJSON writes the UDP headers of a tunnelled packet whose
// tunnel rides on UDP: the outer under udp.*, an inner one under inner.udp.*.
func appendTunnelUDPJSON(o *jsonObj, p *Packet) {
	u := &p.Tunnel.Outer
	o.uint(`"udp.srcport":`, uint64(u.SrcPort))
	o.uint(`"udp.dstport":`, uint64(u.DstPort))
	o.uint(`"udp.length":`, uint64(u.UDPLen))
	o.uint(`"udp.stream":`, uint64(u.UDPStream))
	if p.Layers&LayerUDP != 0 {
		o.uint(`"inner.udp.srcport":`, uint64(p.SrcPort))
		o.uint(`"inner.udp.dstport":`, uint64(p.DstPort))
		o.uint(`"inner.udp.length":`, uint64(p.UDPLen))
		o.uint(`"inner.udp.stream":`, uint64(p.UDPStream))
	}
}

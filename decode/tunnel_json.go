package decode

// JSON and display fields of tunnelled packets; the key rule is in tunnel.go.

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

// appendTunnelIPJSON writes the IP headers of a tunnelled packet: the
// first IPv4 and the first IPv6 header under Wireshark's names, the
// innermost again under inner.*, then the tunnel headers' own fields.
func appendTunnelIPJSON(o *jsonObj, p *Packet) {
	if h, ok := firstIP(p, 4); ok {
		appendIPHeaderJSON(o, &h, &outerIPKeys)
	}
	if h, ok := firstIP(p, 6); ok {
		appendIPHeaderJSON(o, &h, &outerIPKeys)
	}
	if p.Tunnel.InnerOff != 0 && p.IPVersion != 0 && p.Src.IsValid() {
		h := innerIP(p)
		appendIPHeaderJSON(o, &h, &innerIPKeys)
	}
	t := &p.Tunnel
	if t.InnerEth {
		o.mac(`"inner.eth.src":`, t.InnerEthSrc)
		o.mac(`"inner.eth.dst":`, t.InnerEthDst)
		o.uint(`"inner.eth.type":`, uint64(t.InnerEthType))
	}
	if t.Kinds&TunnelGRE != 0 {
		o.uint(`"gre.flags_and_version":`, uint64(t.GREFlagsVer))
		o.uint(`"gre.proto":`, uint64(t.GREProto))
		if t.GREFlagsVer&0x8000 != 0 {
			o.uint(`"gre.checksum":`, uint64(t.GREChecksum))
		}
		if t.GREFlagsVer&0x2000 != 0 {
			o.uint(`"gre.key":`, uint64(t.GREKey))
		}
		if t.GREFlagsVer&0x1000 != 0 {
			o.uint(`"gre.sequence_number":`, uint64(t.GRESeq))
		}
	}
	if t.Kinds&TunnelERSPAN != 0 && (t.GREProto == 0x22eb || t.GREFlagsVer&0x1000 != 0) {
		o.uint(`"erspan.version":`, uint64(t.ERSPANVersion))
		o.uint(`"erspan.spanid":`, uint64(t.ERSPANSpanID))
	}
	if t.HasWCCPRedirect {
		o.uint(`"gre.wccp.redirect_header":`, 1) // Wireshark's field says it is there
	}
	if t.Kinds&TunnelVXLAN != 0 {
		o.uint(`"vxlan.vni":`, uint64(t.VNI))
	}
	if t.Kinds&TunnelGeneve != 0 {
		o.uint(`"geneve.vni":`, uint64(t.VNI))
		o.uint(`"geneve.proto_type":`, uint64(t.GeneveProto))
	}
	if t.NMPLS > 0 {
		label, ttl, bottom := t.MPLSLabel(0)
		o.uint(`"mpls.label":`, uint64(label))
		o.bit(`"mpls.bottom":`, bottom)
		o.uint(`"mpls.ttl":`, uint64(ttl))
	}
	if t.Kinds&TunnelPIM != 0 {
		o.uint(`"pim.type":`, uint64(t.PIMType))
	}
	if t.Kinds&TunnelMACsec != 0 {
		o.uint(`"macsec.SL":`, uint64(t.MACsecSL))
		o.uint(`"macsec.PN":`, uint64(t.MACsecPN))
	}
	if t.Kinds&TunnelNSH != 0 {
		o.uint(`"nsh.spi":`, uint64(t.NSHSPI))
		o.uint(`"nsh.si":`, uint64(t.NSHSI))
		o.uint(`"nsh.nextproto":`, uint64(t.NSHNext))
	}
	if t.Kinds&TunnelPPPoE != 0 {
		o.uint(`"pppoe.code":`, uint64(t.PPPoECode))
		o.uint(`"pppoe.session_id":`, uint64(t.PPPoESession))
		if t.PPPoECode == 0 {
			o.uint(`"ppp.protocol":`, uint64(t.PPPProto))
		}
	}
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

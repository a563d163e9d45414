package decode

// Which header the fields of a tunnelled packet read: ip.* and ipv6.* the
// first of their version, inner.* the innermost (the key rule is in
// tunnel.go). The fields are registered in ipv4.go, ipv6.go, link.go and
// udp.go; their JSON is written by tunnel_json.go's helpers.

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

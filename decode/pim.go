package decode

import (
	"github.com/google/gopacket"
)

// PIM (RFC 7761), IP protocol 103: version and type(1) reserved(1)
// checksum(2). A Register (type 1) carries flags(4) and then the
// multicast packet the first-hop router encapsulated, an IPv4 or IPv6
// packet, which is decoded as the inner packet. Other PIM messages carry
// no packet.
func pim(b []byte, p *Packet) (Tunnel, gopacket.LayerType, []byte) {
	if len(b) < 4 {
		return 0, 0, nil
	}
	p.Tunnel.PIMType = b[0] & 0x0f
	if p.Tunnel.PIMType != 1 || b[0]>>4 != 2 || len(b) < 8 {
		return TunnelPIM, 0, nil
	}
	b = b[8:]
	return TunnelPIM, byVersion(b), b
}

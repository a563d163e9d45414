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

func init() {
	registerProto(&Proto{Name: "pim", Tunnel: TunnelPIM, Title: "Protocol Independent Multicast", Order: 40,
		Has: func(p *Packet) bool { return p.Tunnel.Kinds&TunnelPIM != 0 },
		Fields: []ProtoField{
			{Name: "pim.type", Span: at(0, 1), Label: "Type", Num: func(p *Packet) uint64 { return uint64(p.Tunnel.PIMType) }},
		},
		Text: func(dst []byte, p *Packet) []byte {
			t := p.Tunnel.PIMType
			dst = append(dst, "PIMv2, "...)
			if int(t) < len(pimTypeNames) {
				dst = append(dst, pimTypeNames[t]...)
			} else {
				dst = append(dst, "type "...)
				dst = txtUint(dst, uint64(t))
			}
			return append(dst, ": "...)
		}})
}

// pimTypeNames are tcpdump's names of the PIM version 2 message types.
var pimTypeNames = [...]string{"Hello", "Register", "Register Stop", "Join / Prune", "Bootstrap", "Assert", "Graft", "Graft ACK", "Candidate RP Advertisement"}

package decode

import (
	"encoding/binary"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// NSH, the network service header (RFC 8300), ethertype 0x894f: version,
// O bit, U bit, TTL and length in 4-byte words(2) MD type(1) next
// protocol(1) service path identifier(3) service index(1), then context
// headers up to the length. Next protocol 1 is IPv4, 2 IPv6, 3 Ethernet,
// 5 MPLS.
func nsh(b []byte, p *Packet) (Tunnel, gopacket.LayerType, []byte) {
	if len(b) < 8 {
		return 0, 0, nil
	}
	t := &p.Tunnel
	w := binary.BigEndian.Uint16(b)
	n := int(w&0x3f) * 4
	t.NSHNext = b[3]
	sp := binary.BigEndian.Uint32(b[4:])
	t.NSHSPI, t.NSHSI = sp>>8, uint8(sp)
	if n < 8 || n > len(b) {
		return TunnelNSH, 0, nil
	}
	b = b[n:]
	switch t.NSHNext {
	case 1:
		return TunnelNSH, layers.LayerTypeIPv4, b
	case 2:
		return TunnelNSH, layers.LayerTypeIPv6, b
	case 3:
		return TunnelNSH, layers.LayerTypeEthernet, b
	case 5:
		k, first, inner := mpls(b, p)
		return TunnelNSH | k, first, inner
	}
	return TunnelNSH, 0, nil
}

func init() {
	registerProto(&Proto{Name: "nsh", Tunnel: TunnelNSH, Title: "Network Service Header", Order: 25,
		Has: func(p *Packet) bool { return p.Tunnel.Kinds&TunnelNSH != 0 },
		Fields: []ProtoField{
			{Name: "nsh.spi", Span: at(4, 3), Label: "Service Path Identifier", Num: func(p *Packet) uint64 { return uint64(p.Tunnel.NSHSPI) }},
			{Name: "nsh.si", Span: at(7, 1), Label: "Service Index", Num: func(p *Packet) uint64 { return uint64(p.Tunnel.NSHSI) }},
			{Name: "nsh.nextproto", Span: at(3, 1), Label: "Next Protocol", Num: func(p *Packet) uint64 { return uint64(p.Tunnel.NSHNext) }},
		},
		Text: func(dst []byte, p *Packet) []byte {
			dst = append(dst, "NSH, service-path-id 0x"...)
			dst = txtHex(dst, p.Tunnel.NSHSPI, 6)
			dst = append(dst, ", service-index 0x"...)
			dst = txtHex(dst, uint32(p.Tunnel.NSHSI), 2)
			return append(dst, ": "...)
		}})
}

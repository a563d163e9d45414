package decode

import (
	"encoding/binary"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// VXLAN (RFC 7348), UDP port 4789: flags(1) reserved(3) VNI(3)
// reserved(1), then a whole Ethernet frame.
func vxlan(b []byte, p *Packet) (Tunnel, gopacket.LayerType, []byte) {
	if len(b) < 8 {
		return 0, 0, nil
	}
	p.Tunnel.VNI = binary.BigEndian.Uint32(b[4:]) >> 8
	return TunnelVXLAN, layers.LayerTypeEthernet, b[8:]
}

// Geneve (RFC 8926), UDP port 6081: version and option length in 4-byte
// words(1) flags(1) protocol(2) VNI(3) reserved(1), options, then the
// packet the protocol field names (Ethernet 0x6558, IPv4, IPv6).
func geneve(b []byte, p *Packet) (Tunnel, gopacket.LayerType, []byte) {
	if len(b) < 8 {
		return 0, 0, nil
	}
	t := &p.Tunnel
	t.GeneveOptLen = (b[0] & 0x3f) * 4
	t.GeneveProto = binary.BigEndian.Uint16(b[2:])
	t.VNI = binary.BigEndian.Uint32(b[4:]) >> 8
	n := 8 + int(t.GeneveOptLen)
	if b[0]>>6 != 0 || len(b) < n {
		return TunnelGeneve, 0, nil
	}
	return TunnelGeneve, byEtherType(t.GeneveProto), b[n:]
}

func init() {
	registerProto(&Proto{Name: "vxlan", Tunnel: TunnelVXLAN, Title: "Virtual eXtensible Local Area Network", Order: 20, Gopacket: "VXLAN",
		Has: func(p *Packet) bool { return p.Tunnel.Kinds&TunnelVXLAN != 0 },
		Fields: []ProtoField{
			{Name: "vxlan.vni", Span: at(4, 3), Label: "VXLAN Network Identifier (VNI)", Num: func(p *Packet) uint64 { return uint64(p.Tunnel.VNI) }},
		},
		// tcpdump starts a new line here; " | " stands for it.
		Text: func(dst []byte, p *Packet) []byte {
			dst = append(dst, "VXLAN, flags [I] (0x08), vni "...)
			dst = txtUint(dst, uint64(p.Tunnel.VNI))
			return append(dst, " | "...)
		}})
	registerProto(&Proto{Name: "geneve", Tunnel: TunnelGeneve, Title: "Generic Network Virtualization Encapsulation", Order: 21, Gopacket: "Geneve",
		Has: func(p *Packet) bool { return p.Tunnel.Kinds&TunnelGeneve != 0 },
		Fields: []ProtoField{
			{Name: "geneve.vni", Span: at(4, 3), Label: "Virtual Network Identifier (VNI)", Hex: 6, Num: func(p *Packet) uint64 { return uint64(p.Tunnel.VNI) }},
			{Name: "geneve.proto_type", Span: at(2, 2), Label: "Protocol Type", Hex: 4, Num: func(p *Packet) uint64 { return uint64(p.Tunnel.GeneveProto) }},
		},
		Text: func(dst []byte, p *Packet) []byte {
			t := &p.Tunnel
			dst = append(dst, "Geneve, vni 0x"...)
			dst = txtHex(dst, t.VNI, 1)
			dst = append(dst, ", proto "...)
			dst = appendEtherType(dst, t.GeneveProto)
			if t.GeneveOptLen > 0 {
				dst = append(dst, ", options "...)
				dst = txtUint(dst, uint64(t.GeneveOptLen))
				dst = append(dst, " bytes"...)
			}
			return append(dst, " | "...)
		}})
}

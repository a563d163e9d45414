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

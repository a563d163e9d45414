package decode

import (
	"encoding/binary"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// MPLS (RFC 3032): 4-byte label stack entries, label(20) traffic class(3)
// bottom of stack(1) TTL(8), until the bottom one. What follows has no
// type field; as Wireshark does by default, a first nibble of 4 or 6 is
// IP, and a first nibble of 0 is a pseudowire control word (RFC 4385)
// before an Ethernet frame.
func mpls(b []byte, p *Packet) (Tunnel, gopacket.LayerType, []byte) {
	t := &p.Tunnel
	for {
		if len(b) < 4 {
			return TunnelMPLS, 0, nil
		}
		e := binary.BigEndian.Uint32(b)
		if int(t.NMPLS) < len(t.MPLS) {
			t.MPLS[t.NMPLS] = e
			t.NMPLS++
		}
		b = b[4:]
		if e&0x100 != 0 {
			break
		}
	}
	if first := byVersion(b); first != 0 {
		return TunnelMPLS, first, b
	}
	if len(b) >= 4 && b[0]>>4 == 0 {
		return TunnelMPLS, layers.LayerTypeEthernet, b[4:]
	}
	return TunnelMPLS, 0, nil
}

package decode

import (
	"encoding/binary"

	"github.com/google/gopacket"
)

// MACsec (IEEE 802.1AE), ethertype 0x88e5: the SecTAG, TCI and AN(1)
// short length(1) packet number(4) and, when the SC bit is set, the secure
// channel identifier(8); then the user data and a 16-byte integrity check
// value. When the E bit is clear the data is not encrypted: it starts with
// its ethertype, and the packet inside is decoded. Encrypted data is left
// alone.
func macsec(b []byte, p *Packet) (Tunnel, gopacket.LayerType, []byte) {
	if len(b) < 6 {
		return 0, 0, nil
	}
	t := &p.Tunnel
	t.MACsecTCI = b[0]
	t.MACsecSL = b[1] & 0x3f
	t.MACsecPN = binary.BigEndian.Uint32(b[2:])
	n := 6
	if t.MACsecTCI&0x20 != 0 { // SC: an explicit secure channel identifier
		n += 8
	}
	const icv = 16
	if t.MACsecTCI&0x08 != 0 || len(b) < n+2+icv { // E: encrypted
		return TunnelMACsec, 0, nil
	}
	t.MACsecEType = binary.BigEndian.Uint16(b[n:])
	inner := b[n+2 : len(b)-icv]
	if t.MACsecSL != 0 { // a short frame says how long its data is (the ethertype counts)
		inner = b[n+2 : max(n+2, min(n+int(t.MACsecSL), len(b)-icv))]
	}
	return TunnelMACsec, byEtherType(t.MACsecEType), inner
}

func init() {
	registerProto(&Proto{Name: "macsec", Tunnel: TunnelMACsec, Title: "802.1AE Security tag", Order: 50,
		Has: func(p *Packet) bool { return p.Tunnel.Kinds&TunnelMACsec != 0 },
		Fields: []ProtoField{
			{Name: "macsec.SL", Span: at(1, 1), Label: "Short length", Num: func(p *Packet) uint64 { return uint64(p.Tunnel.MACsecSL) }},
			{Name: "macsec.PN", Span: at(2, 4), Label: "Packet number", Num: func(p *Packet) uint64 { return uint64(p.Tunnel.MACsecPN) }},
		},
		Text: func(dst []byte, p *Packet) []byte {
			t := &p.Tunnel
			dst = append(dst, "802.1AE MACsec, an "...)
			dst = txtUint(dst, uint64(t.MACsecTCI&3))
			dst = append(dst, ", pn "...)
			dst = txtUint(dst, uint64(t.MACsecPN))
			if t.MACsecTCI&0x08 != 0 {
				dst = append(dst, ", encrypted"...)
			}
			return append(dst, ": "...)
		}})
}

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

func init() {
	top := func(p *Packet) (uint32, uint8, bool) { return p.Tunnel.MPLSLabel(0) }
	registerProto(&Proto{Name: "mpls", Tunnel: TunnelMPLS, Title: "MultiProtocol Label Switching Header", Order: 30, Gopacket: "MPLS",
		Has: func(p *Packet) bool { return p.Tunnel.NMPLS > 0 },
		Fields: []ProtoField{
			{Name: "mpls.label", Span: at(0, 3), Label: "MPLS Label", Num: func(p *Packet) uint64 { l, _, _ := top(p); return uint64(l) }},
			{Name: "mpls.bottom", Span: at(2, 1), Label: "MPLS Bottom Of Label Stack", Num: func(p *Packet) uint64 { _, _, b := top(p); return uint64(boolInt(b)) }},
			{Name: "mpls.ttl", Span: at(3, 1), Label: "MPLS TTL", Num: func(p *Packet) uint64 { _, ttl, _ := top(p); return uint64(ttl) }},
		},
		Text: func(dst []byte, p *Packet) []byte {
			t := &p.Tunnel
			dst = append(dst, "MPLS"...)
			for i := 0; i < int(t.NMPLS); i++ {
				label, ttl, bottom := t.MPLSLabel(i)
				dst = append(dst, " (label "...)
				dst = txtUint(dst, uint64(label))
				dst = append(dst, ", tc "...)
				dst = txtUint(dst, uint64(t.MPLS[i]>>9&7))
				if bottom {
					dst = append(dst, ", [S]"...)
				}
				dst = append(dst, ", ttl "...)
				dst = txtUint(dst, uint64(ttl))
				dst = append(dst, ')')
			}
			return append(dst, ' ')
		}})
}

package decode

import (
	"encoding/binary"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// PPPoE (RFC 2516): version and type(1) code(1) session id(2) length(2).
// Discovery (ethertype 0x8863) carries tags; a session (0x8864) carries a
// PPP frame whose protocol(2) names IPv4 (0x0021) or IPv6 (0x0057).
func pppoeSession(b []byte, p *Packet) (Tunnel, gopacket.LayerType, []byte) {
	if !pppoeHeader(b, p) {
		return 0, 0, nil
	}
	n := min(int(binary.BigEndian.Uint16(b[4:])), len(b)-6)
	b = b[6 : 6+n]
	// The protocol field is one byte when compressed (RFC 1661 6.5): an
	// odd first byte.
	n = 2
	switch {
	case len(b) >= 1 && b[0]&1 != 0:
		p.Tunnel.PPPProto, n = uint16(b[0]), 1
	case len(b) >= 2:
		p.Tunnel.PPPProto = binary.BigEndian.Uint16(b)
	default:
		return TunnelPPPoE, 0, nil
	}
	switch p.Tunnel.PPPProto {
	case 0x0021:
		return TunnelPPPoE, layers.LayerTypeIPv4, b[n:]
	case 0x0057:
		return TunnelPPPoE, layers.LayerTypeIPv6, b[n:]
	}
	return TunnelPPPoE, 0, nil
}

// pppoeDiscovery records a discovery packet's code and session id; no
// packet is inside it.
func pppoeDiscovery(b []byte, p *Packet) {
	if pppoeHeader(b, p) {
		p.Tunnel.Kinds |= TunnelPPPoE
	}
}

func pppoeHeader(b []byte, p *Packet) bool {
	if len(b) < 6 {
		return false
	}
	p.Tunnel.PPPoECode = b[1]
	p.Tunnel.PPPoESession = binary.BigEndian.Uint16(b[2:])
	return true
}

func init() {
	pppoe := func(p *Packet) bool { return p.Tunnel.Kinds&TunnelPPPoE != 0 }
	registerProto(&Proto{Name: "pppoe", Tunnel: TunnelPPPoE, Title: "PPP-over-Ethernet", Order: 60, Has: pppoe, Gopacket: "PPPoE",
		Fields: []ProtoField{
			{Name: "pppoe.code", Span: at(1, 1), Label: "Code", Hex: 2, Num: func(p *Packet) uint64 { return uint64(p.Tunnel.PPPoECode) }},
			{Name: "pppoe.session_id", Span: at(2, 2), Label: "Session ID", Hex: 4, Num: func(p *Packet) uint64 { return uint64(p.Tunnel.PPPoESession) }},
		},
		Text: func(dst []byte, p *Packet) []byte {
			t := &p.Tunnel
			if t.PPPoECode != 0 {
				dst = append(dst, "PPPoE ["...)
				dst = append(dst, pppoeCodeName(t.PPPoECode)...)
				dst = append(dst, "] session 0x"...)
				return txtHex(dst, uint32(t.PPPoESession), 1)
			}
			dst = append(dst, "PPPoE [ses 0x"...)
			dst = txtHex(dst, uint32(t.PPPoESession), 1)
			return append(dst, "] "...)
		}})
	registerProto(&Proto{Name: "ppp", Tunnel: TunnelPPPoE, Title: "Point-to-Point Protocol", Order: 61, Gopacket: "PPP",
		Has: func(p *Packet) bool { return pppoe(p) && p.Tunnel.PPPoECode == 0 },
		Fields: []ProtoField{
			{Name: "ppp.protocol", Span: at(0, 2), Label: "Protocol", Hex: 4, Num: func(p *Packet) uint64 { return uint64(p.Tunnel.PPPProto) }},
		}})
}

func pppoeCodeName(c uint8) string {
	switch c {
	case 0x09:
		return "PADI"
	case 0x07:
		return "PADO"
	case 0x19:
		return "PADR"
	case 0x65:
		return "PADS"
	case 0xa7:
		return "PADT"
	}
	return "code ?"
}

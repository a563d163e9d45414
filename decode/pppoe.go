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

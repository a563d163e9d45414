package decode

import (
	"encoding/binary"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// GRE (RFC 2784 with RFC 2890's key and sequence number; version 1 is
// PPTP's enhanced GRE, RFC 2637): flags and version(2) protocol(2), then
// checksum and reserved(4) if C, key(4) if K, sequence number(4) if S, and
// for version 1 an acknowledgment number(4) if A. Its payload is named by
// the protocol field: IPv4, IPv6, Ethernet (0x6558), ERSPAN (0x88be types I
// and II, 0x22eb type III), WCCP (0x883e), MPLS (0x8847).
func (d *Decoder) gre(b []byte, p *Packet) (Tunnel, gopacket.LayerType, []byte) {
	if len(b) < 4 {
		return 0, 0, nil
	}
	t := &p.Tunnel
	t.GREFlagsVer = binary.BigEndian.Uint16(b)
	t.GREProto = binary.BigEndian.Uint16(b[2:])
	off := 4
	f := t.GREFlagsVer
	if f&0x8000 != 0 { // C
		if len(b) < off+4 {
			return TunnelGRE, 0, nil
		}
		t.GREChecksum = binary.BigEndian.Uint16(b[off:])
		off += 4
	}
	if f&0x2000 != 0 { // K
		if len(b) < off+4 {
			return TunnelGRE, 0, nil
		}
		t.GREKey = binary.BigEndian.Uint32(b[off:])
		off += 4
	}
	if f&0x1000 != 0 { // S
		if len(b) < off+4 {
			return TunnelGRE, 0, nil
		}
		t.GRESeq = binary.BigEndian.Uint32(b[off:])
		off += 4
	}
	if f&7 == 1 && f&0x0080 != 0 { // version 1, A: acknowledgment number
		off += 4
	}
	if off > len(b) {
		return TunnelGRE, 0, nil
	}
	b = b[off:]
	switch t.GREProto {
	case 0x88be: // ERSPAN type II with a sequence number, type I without
		if f&0x1000 == 0 {
			return TunnelGRE | TunnelERSPAN, layers.LayerTypeEthernet, b
		}
		if len(b) < 8 {
			return TunnelGRE | TunnelERSPAN, 0, nil
		}
		t.ERSPANVersion = b[0] >> 4
		t.ERSPANSpanID = binary.BigEndian.Uint16(b[2:]) & 0x3ff
		return TunnelGRE | TunnelERSPAN, layers.LayerTypeEthernet, b[8:]
	case 0x22eb: // ERSPAN type III: 12 bytes, and an 8-byte platform sub-header if O
		if len(b) < 12 {
			return TunnelGRE | TunnelERSPAN, 0, nil
		}
		t.ERSPANVersion = b[0] >> 4
		t.ERSPANSpanID = binary.BigEndian.Uint16(b[2:]) & 0x3ff
		n := 12
		if b[11]&1 != 0 {
			n += 8
		}
		if len(b) < n {
			return TunnelGRE | TunnelERSPAN, 0, nil
		}
		return TunnelGRE | TunnelERSPAN, layers.LayerTypeEthernet, b[n:]
	case 0x883e: // WCCP: a 4-byte redirect header, unless an IPv4 header follows at once
		if len(b) > 0 && b[0]>>4 != 4 {
			if len(b) < 4 {
				return TunnelGRE | TunnelWCCP, 0, nil
			}
			t.WCCPRedirect, t.HasWCCPRedirect = binary.BigEndian.Uint32(b), true
			b = b[4:]
		}
		return TunnelGRE | TunnelWCCP, byVersion(b), b
	case 0x8847, 0x8848:
		k, first, inner := mpls(b, p)
		return TunnelGRE | k, first, inner
	}
	return TunnelGRE, byEtherType(t.GREProto), b
}

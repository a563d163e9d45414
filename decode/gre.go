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

func init() {
	t := func(p *Packet) *TunnelInfo { return &p.Tunnel }
	gre := func(p *Packet) bool { return p.Tunnel.Kinds&TunnelGRE != 0 }
	bit := func(b uint16) func(p *Packet) bool {
		return func(p *Packet) bool { return p.Tunnel.GREFlagsVer&b != 0 }
	}
	registerProto(&Proto{Name: "gre", Tunnel: TunnelGRE, Title: "Generic Routing Encapsulation", Order: 10, Has: gre, Gopacket: "GRE",
		Fields: []ProtoField{
			{Name: "gre.flags_and_version", Span: at(0, 2), Label: "Flags and Version", Hex: 4, Num: func(p *Packet) uint64 { return uint64(t(p).GREFlagsVer) }},
			{Name: "gre.proto", Span: at(2, 2), Label: "Protocol Type", Hex: 4, Num: func(p *Packet) uint64 { return uint64(t(p).GREProto) }},
			{Name: "gre.checksum", Span: at(4, 2), Label: "Checksum", Hex: 4, Has: bit(0x8000), Num: func(p *Packet) uint64 { return uint64(t(p).GREChecksum) }},
			{Name: "gre.key", Span: func(p *Packet) (int, int) { return 4 + 4*int(t(p).GREFlagsVer>>15), 4 }, Label: "Key", Hex: 8, Has: bit(0x2000), Num: func(p *Packet) uint64 { return uint64(t(p).GREKey) }},
			{Name: "gre.sequence_number", Span: func(p *Packet) (int, int) { return 4 + 4*int(t(p).GREFlagsVer>>15) + 4*int(t(p).GREFlagsVer>>13&1), 4 }, Label: "Sequence Number", Has: bit(0x1000), Num: func(p *Packet) uint64 { return uint64(t(p).GRESeq) }},
			// Wireshark's field says the redirect header is there (1).
			{Name: "gre.wccp.redirect_header", Label: "WCCP redirect header", Has: func(p *Packet) bool { return t(p).HasWCCPRedirect },
				Num: func(*Packet) uint64 { return 1 }},
		},
		Text: greText})
	erspanTyped := func(p *Packet) bool { return t(p).GREProto == 0x22eb || t(p).GREFlagsVer&0x1000 != 0 }
	registerProto(&Proto{Name: "erspan", Tunnel: TunnelERSPAN, Title: "Encapsulated Remote Switch Packet ANalysis", Order: 11, Gopacket: "ERSPANII",
		Has: func(p *Packet) bool { return p.Tunnel.Kinds&TunnelERSPAN != 0 },
		Fields: []ProtoField{
			{Name: "erspan.version", Span: at(0, 1), Label: "Version", Has: erspanTyped, Num: func(p *Packet) uint64 { return uint64(t(p).ERSPANVersion) }},
			{Name: "erspan.spanid", Span: at(2, 2), Label: "SpanID", Has: erspanTyped, Num: func(p *Packet) uint64 { return uint64(t(p).ERSPANSpanID) }},
		},
		Text: erspanText})
	registerProto(&Proto{Name: "wccp", Tunnel: TunnelWCCP, Title: "Web Cache Communication Protocol redirect", Order: 12,
		Has:  func(p *Packet) bool { return p.Tunnel.Kinds&TunnelWCCP != 0 },
		Text: func(dst []byte, _ *Packet) []byte { return append(dst, "WCCP: "...) }})
}

// greText is tcpdump's "GREv0, key=0x…, seq N, length L: ".
func greText(dst []byte, p *Packet) []byte {
	t, o := &p.Tunnel, &p.Tunnel.Outer
	dst = append(dst, "GREv"...)
	dst = txtUint(dst, uint64(t.GREFlagsVer&7))
	dst = append(dst, ", "...)
	if t.GREFlagsVer&0x2000 != 0 {
		dst = append(dst, "key=0x"...)
		dst = txtHex(dst, t.GREKey, 1)
		dst = append(dst, ", "...)
	}
	if t.GREFlagsVer&0x1000 != 0 {
		dst = append(dst, "seq "...)
		dst = txtUint(dst, uint64(t.GRESeq))
		dst = append(dst, ", "...)
	}
	dst = append(dst, "length "...)
	if o.IPVersion == 4 {
		dst = txtInt(dst, int(o.IPLen)-int(o.IPHdrLen))
	} else {
		dst = txtInt(dst, int(o.IPv6Plen)+40-int(o.IPHdrLen))
	}
	return append(dst, ": "...)
}

func erspanText(dst []byte, p *Packet) []byte {
	t := &p.Tunnel
	switch {
	case t.GREProto == 0x88be && t.GREFlagsVer&0x1000 == 0:
		return append(dst, "ERSPAN I: "...)
	case t.ERSPANVersion == 1:
		dst = append(dst, "ERSPAN II, session "...)
	case t.ERSPANVersion == 2:
		dst = append(dst, "ERSPAN III, session "...)
	default:
		return append(dst, "ERSPAN: "...)
	}
	dst = txtUint(dst, uint64(t.ERSPANSpanID))
	return append(dst, ": "...)
}

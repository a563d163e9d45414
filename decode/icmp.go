package decode

import (
	"fmt"
	"net/netip"
)

// ICMP (RFC 792) and ICMPv6 (RFC 4443): their fields in the registry, and
// tcpdump's lines for them. The fast path decodes them with gopacket's
// layers (decoder.go), and reads the start of the datagram an error quotes
// (icmp_quote.go).

func init() {
	icmpName := func(p *Packet) string {
		name := icmpTypeName(p.ICMPType)
		if p.Layers&LayerICMPv6 != 0 {
			name = icmp6TypeName(p.ICMPType)
		}
		if name == "" {
			name = "unknown"
		}
		return fmt.Sprintf("%d (%s)", p.ICMPType, name)
	}
	num16 := func(v func(p *Packet) uint16) func(p *Packet) string {
		return func(p *Packet) string { return fmt.Sprintf("%d (0x%04x)", v(p), v(p)) }
	}
	id := func(p *Packet) uint16 { return p.ICMPID }
	seq := func(p *Packet) uint16 { return p.ICMPSeq }
	sum := func(p *Packet) string { return fmt.Sprintf("0x%04x [unverified]", p.ICMPChecksum) }
	echo := func(p *Packet) bool { return isICMPv4Echo(p.ICMPType) }
	registerProto(&Proto{Name: "icmp", Title: "Internet Control Message Protocol", Order: 5, Layer: LayerICMPv4, Gopacket: "ICMPv4",
		Has: func(p *Packet) bool { return p.Layers&LayerICMPv6 == 0 },
		Fields: []ProtoField{
			{Name: "icmp.type", Label: "Type", Span: at(0, 1), Show: icmpName, Num: func(p *Packet) uint64 { return uint64(p.ICMPType) }},
			{Name: "icmp.code", Label: "Code", Span: at(1, 1), Num: func(p *Packet) uint64 { return uint64(p.ICMPCode) }},
			{Name: "icmp.checksum", Label: "Checksum", Span: at(2, 2), Show: sum, Num: func(p *Packet) uint64 { return uint64(p.ICMPChecksum) }},
			{Name: "icmp.ident", Label: "Identifier", Has: echo, Span: at(4, 2), Show: num16(id), Num: func(p *Packet) uint64 { return uint64(p.ICMPID) }},
			{Name: "icmp.seq", Label: "Sequence Number", Has: echo, Span: at(6, 2), Show: num16(seq), Num: func(p *Packet) uint64 { return uint64(p.ICMPSeq) }},
		}})
	echo6 := func(p *Packet) bool { return p.ICMPType == 128 || p.ICMPType == 129 }
	registerProto(&Proto{Name: "icmpv6", Title: "Internet Control Message Protocol v6", Order: 6, Layer: LayerICMPv6, Gopacket: "ICMPv6",
		Has: func(*Packet) bool { return true },
		Fields: []ProtoField{
			{Name: "icmpv6.type", Label: "Type", Span: at(0, 1), Show: icmpName, Num: func(p *Packet) uint64 { return uint64(p.ICMPType) }},
			{Name: "icmpv6.code", Label: "Code", Span: at(1, 1), Num: func(p *Packet) uint64 { return uint64(p.ICMPCode) }},
			{Name: "icmpv6.checksum", Label: "Checksum", Span: at(2, 2), Show: sum, Num: func(p *Packet) uint64 { return uint64(p.ICMPChecksum) }},
			{Name: "icmpv6.echo.identifier", Label: "Identifier", Has: echo6, Span: at(4, 2), Show: num16(id), Num: func(p *Packet) uint64 { return uint64(p.ICMPID) }},
			{Name: "icmpv6.echo.sequence_number", Label: "Sequence", Has: echo6, Span: at(6, 2), Show: num16(seq), Num: func(p *Packet) uint64 { return uint64(p.ICMPSeq) }},
		}})
}

func icmpLen(p *Packet) int {
	n, _ := ipPayloadLen(p)
	return n
}

func appendICMPv4(dst []byte, p *Packet) []byte {
	dst = append(dst, "ICMP "...)
	q := &p.Quote
	t, code := p.ICMPType, p.ICMPCode
	switch t {
	case 0, 8:
		if t == 8 {
			dst = append(dst, "echo request, id "...)
		} else {
			dst = append(dst, "echo reply, id "...)
		}
		dst = txtUint(dst, uint64(p.ICMPID))
		dst = append(dst, ", seq "...)
		dst = txtUint(dst, uint64(p.ICMPSeq))
	case 3:
		if !q.Valid {
			return append(dst[:len(dst)-len("ICMP ")], "[|icmp]"...)
		}
		switch code {
		case 2:
			dst = txtAddr(dst, q.Dst)
			dst = append(dst, " protocol "...)
			dst = txtUint(dst, uint64(q.Proto))
			dst = append(dst, " unreachable"...)
		case 3:
			dst = txtAddr(dst, q.Dst)
			switch q.Proto {
			case 6:
				dst = append(dst, " tcp port "...)
			case 17:
				dst = append(dst, " udp port "...)
			default:
				dst = append(dst, " protocol "...)
				dst = txtUint(dst, uint64(q.Proto))
				dst = append(dst, " port "...)
			}
			dst = txtUint(dst, uint64(q.DstPort))
			dst = append(dst, " unreachable"...)
		default:
			prefix, suffix, ok := icmpUnreachFormat(code)
			if !ok {
				dst = txtAddr(dst, q.Dst)
				dst = append(dst, " unreachable - #"...)
				dst = txtUint(dst, uint64(code))
				break
			}
			dst = append(dst, prefix...)
			dst = txtAddr(dst, q.Dst)
			dst = append(dst, suffix...)
			if code == 4 && p.ICMPSeq != 0 { // next-hop MTU (RFC 1191)
				dst = append(dst, " (mtu "...)
				dst = txtUint(dst, uint64(p.ICMPSeq))
				dst = append(dst, ')')
			}
		}
	case 5:
		if !q.Valid {
			return append(dst[:len(dst)-len("ICMP ")], "[|icmp]"...)
		}
		gw := netip.AddrFrom4([4]byte{byte(p.ICMPID >> 8), byte(p.ICMPID), byte(p.ICMPSeq >> 8), byte(p.ICMPSeq)})
		switch code {
		case 0, 1:
			dst = append(dst, "redirect "...)
		case 2, 3:
			dst = append(dst, "redirect-tos "...)
		default:
			dst = append(dst, "redirect-#"...)
			dst = txtUint(dst, uint64(code))
			dst = append(dst, ' ')
		}
		dst = txtAddr(dst, q.Dst)
		switch code {
		case 0, 2:
			dst = append(dst, " to net "...)
		case 1, 3:
			dst = append(dst, " to host "...)
		default:
			dst = append(dst, " to "...)
		}
		dst = txtAddr(dst, gw)
	case 9:
		// The advertised addresses are in the body, which is not kept.
		dst = append(dst, "router advertisement lifetime "...)
		lt := uint32(p.ICMPSeq)
		switch {
		case lt < 60:
			dst = txtUint(dst, uint64(lt))
		case lt < 3600:
			dst = txtUint(dst, uint64(lt/60))
			dst = append(dst, ':')
			dst = txtPadded(dst, lt%60, 2)
		default:
			dst = txtUint(dst, uint64(lt/3600))
			dst = append(dst, ':')
			dst = txtPadded(dst, lt%3600/60, 2)
			dst = append(dst, ':')
			dst = txtPadded(dst, lt%60, 2)
		}
		dst = append(dst, ' ')
		dst = txtUint(dst, uint64(p.ICMPID>>8))
		dst = append(dst, ':')
		if size := p.ICMPID & 0xff; size != 2 {
			dst = append(dst, " [size "...)
			dst = txtUint(dst, uint64(size))
			dst = append(dst, ']')
		}
	case 11:
		switch code {
		case 0:
			dst = append(dst, "time exceeded in-transit"...)
		case 1:
			dst = append(dst, "ip reassembly time exceeded"...)
		default:
			dst = append(dst, "time exceeded-#"...)
			dst = txtUint(dst, uint64(code))
		}
	case 12:
		if code != 0 {
			dst = append(dst, "parameter problem - code "...)
			dst = txtUint(dst, uint64(code))
		} else {
			dst = append(dst, "parameter problem - octet "...)
			dst = txtUint(dst, uint64(p.ICMPID>>8))
		}
	case 13, 14:
		if t == 13 {
			dst = append(dst, "time stamp query id "...)
		} else {
			dst = append(dst, "time stamp reply id "...)
		}
		dst = txtUint(dst, uint64(p.ICMPID))
		dst = append(dst, " seq "...)
		dst = txtUint(dst, uint64(p.ICMPSeq))
	case 18:
		dst = append(dst, "address mask reply"...) // the mask is in the body
	case 42, 43:
		dst = append(dst, icmpTypeName(t)...)
		dst = append(dst, ", id "...)
		dst = txtUint(dst, uint64(p.ICMPID))
		dst = append(dst, ", seq "...)
		dst = txtUint(dst, uint64(p.ICMPSeq>>8))
	default:
		if name := icmpTypeName(t); name != "" {
			dst = append(dst, name...)
		} else {
			dst = append(dst, "type-#"...)
			dst = txtUint(dst, uint64(t))
		}
	}
	dst = append(dst, ", length "...)
	return txtInt(dst, icmpLen(p))
}

// appendICMPv6 appends icmp6_print's line. Bodies the summary does not keep
// (neighbor discovery targets, MLD records, router renumbering) are left out.
func appendICMPv6(dst []byte, p *Packet) []byte {
	dst = append(dst, "ICMP6, "...)
	t, code := p.ICMPType, p.ICMPCode
	if name := icmp6TypeName(t); name != "" {
		dst = append(dst, name...)
	} else {
		dst = append(dst, "unknown icmp6 type ("...)
		dst = txtUint(dst, uint64(t))
		dst = append(dst, ')')
	}
	q := &p.Quote
	word := uint32(p.ICMPID)<<16 | uint32(p.ICMPSeq) // bytes 4-7 of the header
	length := icmpLen(p)
	switch t {
	case 1:
		dst = append(dst, ", "...)
		if name := icmp6UnreachName(code); name != "" {
			dst = append(dst, name...)
		} else {
			dst = append(dst, "unknown unreach code ("...)
			dst = txtUint(dst, uint64(code))
			dst = append(dst, ')')
		}
		if !q.Valid {
			break
		}
		switch code {
		case 0, 1, 3:
			dst = append(dst, ' ')
			dst = txtAddr(dst, q.Dst)
		case 2:
			dst = append(dst, ' ')
			dst = txtAddr(dst, q.Dst)
			dst = append(dst, ", source address "...)
			dst = txtAddr(dst, q.Src)
		case 4:
			dst = append(dst, ", "...)
			dst = txtAddr(dst, q.Dst)
			switch q.Proto {
			case 6:
				dst = append(dst, " tcp port "...)
			case 17:
				dst = append(dst, " udp port "...)
			default:
				dst = append(dst, " protocol "...)
				dst = txtUint(dst, uint64(q.Proto))
				dst = append(dst, " port "...)
			}
			dst = txtUint(dst, uint64(q.DstPort))
			if q.Proto != 6 && q.Proto != 17 {
				dst = append(dst, " unreachable"...)
			}
		}
	case 2:
		if word != 0 {
			dst = append(dst, ", mtu "...)
			dst = txtUint(dst, uint64(word))
		}
	case 3:
		switch code {
		case 0:
			if q.Valid {
				dst = append(dst, " for "...)
				dst = txtAddr(dst, q.Dst)
			}
		case 1:
			dst = append(dst, " (reassembly)"...)
		default:
			dst = append(dst, ", unknown code ("...)
			dst = txtUint(dst, uint64(code))
			dst = append(dst, ')')
		}
	case 4:
		switch code {
		case 0:
			dst = append(dst, ", erroneous - octet "...)
		case 1:
			dst = append(dst, ", next header - octet "...)
		case 2:
			dst = append(dst, ", option - octet "...)
		case 3:
			dst = append(dst, ", incomplete header chain - octet "...)
		default:
			dst = append(dst, ", code-#"...)
			dst = txtUint(dst, uint64(code))
		}
		if code <= 3 {
			dst = txtUint(dst, uint64(word))
		}
	case 128, 129:
		dst = append(dst, ", id "...)
		dst = txtUint(dst, uint64(p.ICMPID))
		dst = append(dst, ", seq "...)
		dst = txtUint(dst, uint64(p.ICMPSeq))
	case 130:
		if length >= 28 {
			dst = append(dst, " v2"...)
		}
	}
	dst = append(dst, ", length "...)
	return txtInt(dst, length)
}

// ICMPv4 echo, timestamp, information and address-mask messages carry an
// identifier and sequence number (RFC 792, RFC 950).
func isICMPv4Echo(t uint8) bool {
	switch t {
	case 0, 8, 13, 14, 15, 16, 17, 18:
		return true
	}
	return false
}

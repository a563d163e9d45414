package decode

import (
	"encoding/binary"
	"net/netip"
)

// ICMPv4 error types: their body quotes the IP header and first 8 bytes of
// the datagram that caused them (RFC 792).
func isICMPv4Error(t uint8) bool {
	switch t {
	case 3, 4, 5, 11, 12: // unreachable, source quench, redirect, time exceeded, parameter problem
		return true
	}
	return false
}

// quoteIP reads the addresses and ports of the datagram an ICMP error quotes.
// body starts at the quoted IP header.
func quoteIP(body []byte, p *Packet) {
	q := &p.Quote
	if len(body) < 1 {
		return
	}
	var l4 []byte
	switch body[0] >> 4 {
	case 4:
		ihl := int(body[0]&0x0f) * 4
		if len(body) < 20 || ihl < 20 || len(body) < ihl {
			return
		}
		q.Proto = body[9]
		q.Src = netip.AddrFrom4([4]byte(body[12:16]))
		q.Dst = netip.AddrFrom4([4]byte(body[16:20]))
		if binary.BigEndian.Uint16(body[6:8])&0x1fff == 0 {
			l4 = body[ihl:]
		}
	case 6:
		if len(body) < 40 {
			return
		}
		q.Proto = body[6]
		q.Src = netip.AddrFrom16([16]byte(body[8:24]))
		q.Dst = netip.AddrFrom16([16]byte(body[24:40]))
		l4 = body[40:]
	default:
		return
	}
	q.Valid = true
	if (q.Proto == 6 || q.Proto == 17) && len(l4) >= 4 {
		q.SrcPort = binary.BigEndian.Uint16(l4[0:2])
		q.DstPort = binary.BigEndian.Uint16(l4[2:4])
	}
	if q.Proto == 17 && len(l4) >= 6 {
		q.UDPLen = binary.BigEndian.Uint16(l4[4:6])
	}
}

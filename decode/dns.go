package decode

import (
	"encoding/binary"
	"errors"
)

// The DNS summary (header and first question) is read here rather than
// through gopacket's layers.DNS: that decoder rejects a whole message when any
// later record is truncated or malformed (common in snapped captures, where
// tcpdump and Wireshark still show the id and question), and it decodes
// every record, allocating as it goes, on a path that must not allocate.

// dnsPorts are the ports whose UDP payload Wireshark decodes with DNS
// fields: DNS, multicast DNS and LLMNR.
func isDNSPort(port uint16) bool { return port == 53 || port == 5353 || port == 5355 }

var errDNSShort = errors.New("DNS message shorter than its header")

// parseDNS fills s from msg. name is scratch space for the question name;
// the returned slice is what s.QName aliases.
func parseDNS(msg []byte, s *DNSSummary, name []byte) ([]byte, error) {
	if len(msg) < 12 {
		return name, errDNSShort
	}
	s.MsgLen = len(msg)
	s.ID = binary.BigEndian.Uint16(msg[0:2])
	flags := binary.BigEndian.Uint16(msg[2:4])
	s.QR = flags&0x8000 != 0
	s.Opcode = uint8(flags>>11) & 0xf
	s.AA = flags&0x0400 != 0
	s.TC = flags&0x0200 != 0
	s.RD = flags&0x0100 != 0
	s.RA = flags&0x0080 != 0
	s.RCode = uint8(flags & 0xf)
	s.QDCount = binary.BigEndian.Uint16(msg[4:6])
	s.ANCount = binary.BigEndian.Uint16(msg[6:8])
	s.NSCount = binary.BigEndian.Uint16(msg[8:10])
	s.ARCount = binary.BigEndian.Uint16(msg[10:12])
	if s.QDCount == 0 {
		return name, nil
	}
	name, end, err := readDNSName(msg, 12, name[:0])
	if err != nil {
		return name, err
	}
	s.QName = name
	if end+4 <= len(msg) {
		s.QType = binary.BigEndian.Uint16(msg[end:])
		s.QClass = binary.BigEndian.Uint16(msg[end+2:])
	}
	return name, nil
}

var (
	errDNSName    = errors.New("DNS name runs past the message")
	errDNSPointer = errors.New("DNS name compression pointers loop")
	errDNSLabel   = errors.New("DNS name has a reserved label type")
)

// readDNSName appends the dotted form of the name at off to dst and returns
// the offset just after the name in the message (after the first pointer,
// if any). Pointers may only point backwards, and at most 127 are followed,
// so a pointer loop ends with an error.
func readDNSName(msg []byte, off int, dst []byte) ([]byte, int, error) {
	end := -1
	for hops := 0; ; {
		if off >= len(msg) {
			return dst, 0, errDNSName
		}
		l := int(msg[off])
		switch l & 0xc0 {
		case 0x00:
			if l == 0 {
				if end < 0 {
					end = off + 1
				}
				return dst, end, nil
			}
			if off+1+l > len(msg) {
				return dst, 0, errDNSName
			}
			if len(dst) > 0 {
				dst = append(dst, '.')
			}
			dst = append(dst, msg[off+1:off+1+l]...)
			off += 1 + l
		case 0xc0:
			if off+1 >= len(msg) {
				return dst, 0, errDNSName
			}
			ptr := int(binary.BigEndian.Uint16(msg[off:]) & 0x3fff)
			if end < 0 {
				end = off + 2
			}
			hops++
			if ptr >= off || hops > 127 {
				return dst, 0, errDNSPointer
			}
			off = ptr
		default:
			return dst, 0, errDNSLabel
		}
	}
}

// application decodes what sockscope reads above the transport layer.
func (d *Decoder) application(p *Packet) {
	var msg []byte
	switch {
	case p.Layers&LayerUDP != 0 && (isDNSPort(p.SrcPort) || isDNSPort(p.DstPort)):
		msg = d.udp.Payload
	case p.Layers&LayerTCP != 0 && (p.SrcPort == 53 || p.DstPort == 53) && len(d.tcp.Payload) > 2:
		msg = d.tcp.Payload[2:] // RFC 1035 4.2.2: a two-byte length comes first
	default:
		d.applicationLine(p)
		return
	}
	if len(msg) < 12 || p.Malformed {
		return
	}
	d.dnsMsg = msg
	defer d.applicationLine(p)
	p.Layers |= LayerDNS
	var err error
	d.dnsName, err = parseDNS(msg, &p.DNS, d.dnsName)
	if err != nil {
		p.Malformed = true
		p.BadLayer = LayerDNS
		p.Err = err.Error()
	}
}

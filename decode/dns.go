package decode

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/gopacket/layers"

	"github.com/sockscope/sockscope/internal/escape"
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

var rootName = []byte("<Root>")

func init() {
	d := func(p *Packet) *DNSSummary { return &p.DNS }
	question := func(p *Packet) bool { return p.DNS.QDCount > 0 && p.DNS.QType != 0 }
	// The details pane builds DNS's node itself (detailBuilder.dns, from
	// gopacket's decode of every record); JSON and the filter use these.
	registerProto(&Proto{Name: "dns", Title: "Domain Name System", Order: 70, Layer: LayerDNS, OwnDetails: true,
		Has: func(*Packet) bool { return true },
		Fields: []ProtoField{
			{Name: "dns.id", Label: "Transaction ID", Num: func(p *Packet) uint64 { return uint64(d(p).ID) }},
			{Name: "dns.flags.response", Label: "Response", Num: func(p *Packet) uint64 { return uint64(boolInt(d(p).QR)) }},
			{Name: "dns.flags.opcode", Label: "Opcode", Num: func(p *Packet) uint64 { return uint64(d(p).Opcode) }},
			{Name: "dns.flags.rcode", Label: "Reply code", Num: func(p *Packet) uint64 { return uint64(d(p).RCode) }},
			{Name: "dns.count.queries", Label: "Questions", Num: func(p *Packet) uint64 { return uint64(d(p).QDCount) }},
			{Name: "dns.count.answers", Label: "Answer RRs", Num: func(p *Packet) uint64 { return uint64(d(p).ANCount) }},
			{Name: "dns.count.auth_rr", Label: "Authority RRs", Num: func(p *Packet) uint64 { return uint64(d(p).NSCount) }},
			{Name: "dns.count.add_rr", Label: "Additional RRs", Num: func(p *Packet) uint64 { return uint64(d(p).ARCount) }},
			{Name: "dns.qry.name", Label: "Name", Kind: FieldString, Has: question, Bytes: func(p *Packet) []byte {
				if len(p.DNS.QName) == 0 {
					return rootName
				}
				return p.DNS.QName
			}},
			{Name: "dns.qry.type", Label: "Type", Has: question, Num: func(p *Packet) uint64 { return uint64(d(p).QType) }},
			{Name: "dns.qry.class", Label: "Class", Has: question, Num: func(p *Packet) uint64 { return uint64(d(p).QClass) }},
		}})
}

// appendDNS appends tcpdump's DNS summary (print-domain.c).
func appendDNS(dst []byte, p *Packet, length int, mdns bool) []byte {
	d := &p.DNS
	dst = txtUint(dst, uint64(d.ID))
	dst = append(dst, dnsOps[d.Opcode&0xf]...)
	if d.QR {
		dst = append(dst, dnsRcodes[d.RCode&0xf]...)
		if d.AA {
			dst = append(dst, '*')
		}
		if !d.RA {
			dst = append(dst, '-')
		}
		if d.TC {
			dst = append(dst, '|')
		}
		if d.QDCount != 1 {
			dst = append(dst, " ["...)
			dst = txtUint(dst, uint64(d.QDCount))
			dst = append(dst, "q]"...)
		}
		if d.QDCount > 0 && d.QType != 0 {
			dst = append(dst, " q:"...)
			dst = appendDNSQuestion(dst, d, mdns)
		}
		dst = append(dst, ' ')
		dst = txtUint(dst, uint64(d.ANCount))
		dst = append(dst, '/')
		dst = txtUint(dst, uint64(d.NSCount))
		dst = append(dst, '/')
		dst = txtUint(dst, uint64(d.ARCount))
		if p.App == AppDNSAnswers {
			dst = append(dst, p.AppLine()...)
		}
	} else {
		if d.RD {
			dst = append(dst, '+')
		}
		// tcpdump flags odd header bits in a query. The summary keeps no
		// Z, AD or CD bit, so they are missing from this value.
		b2 := uint16(d.Opcode&0xf)<<11 | uint16(d.RCode&0xf)
		if d.AA {
			b2 |= 0x400
		}
		if d.TC {
			b2 |= 0x200
		}
		if d.RD {
			b2 |= 0x100
		}
		if d.RA {
			b2 |= 0x80
		}
		if b2&0x6cf != 0 {
			dst = append(dst, " [b2&3=0x"...)
			dst = txtHex(dst, uint32(b2), 1)
			dst = append(dst, ']')
		}
		if d.Opcode == 1 { // IQUERY
			if d.QDCount != 0 {
				dst = appendDNSCount(dst, d.QDCount, "q]")
			}
			if d.ANCount != 1 {
				dst = appendDNSCount(dst, d.ANCount, "a]")
			}
		} else {
			if d.ANCount != 0 {
				dst = appendDNSCount(dst, d.ANCount, "a]")
			}
			if d.QDCount != 1 {
				dst = appendDNSCount(dst, d.QDCount, "q]")
			}
		}
		if d.NSCount != 0 {
			dst = appendDNSCount(dst, d.NSCount, "n]")
		}
		if d.ARCount != 0 {
			dst = appendDNSCount(dst, d.ARCount, "au]")
		}
		if d.QDCount > 0 && (d.QType != 0 || len(d.QName) > 0) {
			dst = appendDNSQuestion(dst, d, mdns)
		}
	}
	if p.BadLayer == LayerDNS {
		return append(dst, " [|domain]"...)
	}
	dst = append(dst, " ("...)
	dst = txtInt(dst, length)
	return append(dst, ')')
}

func appendDNSCount(dst []byte, n uint16, suffix string) []byte {
	dst = append(dst, " ["...)
	dst = txtUint(dst, uint64(n))
	return append(dst, suffix...)
}

// appendDNSQuestion appends ns_qprint's " TYPE[ CLASS][ (QM)]? name.".
func appendDNSQuestion(dst []byte, d *DNSSummary, mdns bool) []byte {
	dst = append(dst, ' ')
	if name := dnsTypeName(d.QType); name != "" {
		dst = append(dst, name...)
	} else {
		dst = append(dst, "Type"...)
		dst = txtUint(dst, uint64(d.QType))
	}
	class := d.QClass
	if mdns {
		class &^= 0x8000
	}
	if class != 1 {
		dst = append(dst, ' ')
		if name := dnsClassName(class); name != "" {
			dst = append(dst, name...)
		} else {
			dst = append(dst, "(Class "...)
			dst = txtUint(dst, uint64(class))
			dst = append(dst, ')')
		}
	}
	if mdns {
		if d.QClass&0x8000 != 0 {
			dst = append(dst, " (QU)"...)
		} else {
			dst = append(dst, " (QM)"...)
		}
	}
	dst = append(dst, "? "...)
	// Wire bytes: sockscope's escaping policy (internal/escape), not
	// tcpdump's "M-^[", which a literal "M-" in a label would imitate.
	dst = escape.AppendText(dst, d.QName)
	return append(dst, '.')
}

func dnsTypeLabel(t layers.DNSType) string {
	if s := dnsTypeName(uint16(t)); s != "" {
		return s
	}
	return "Type" + strconv.Itoa(int(t))
}

func dnsClassLabel(c layers.DNSClass) string {
	if s := dnsClassName(uint16(c)); s != "" {
		return s
	}
	return "Class" + strconv.Itoa(int(c))
}

func dnsName(b []byte) string {
	if len(b) == 0 {
		return "<Root>"
	}
	return string(b)
}

func (b *detailBuilder) dns(o int, v *layers.DNS) DetailNode {
	kind := "query"
	if v.QR {
		kind = "response"
	}
	n := node(o, len(v.Contents), "Domain Name System (%s)", kind)
	flags := uint16(b2i(v.QR))<<15 | uint16(v.OpCode&0xf)<<11 | uint16(b2i(v.AA))<<10 | uint16(b2i(v.TC))<<9 |
		uint16(b2i(v.RD))<<8 | uint16(b2i(v.RA))<<7 | uint16(v.Z&7)<<4 | uint16(v.ResponseCode&0xf)
	fl := node(o+2, 2, "Flags: 0x%04x", flags)
	fl.Children = []DetailNode{
		node(o+2, 2, "Response: Message is a %s", kind),
		node(o+2, 2, "Opcode: %d", v.OpCode),
		node(o+2, 2, "Authoritative: %d", b2i(v.AA)),
		node(o+2, 2, "Truncated: %d", b2i(v.TC)),
		node(o+2, 2, "Recursion desired: %d", b2i(v.RD)),
		node(o+2, 2, "Recursion available: %d", b2i(v.RA)),
		node(o+2, 2, "Reply code: %s (%d)", v.ResponseCode, v.ResponseCode),
	}
	n.Children = []DetailNode{
		node(o, 2, "Transaction ID: 0x%04x", v.ID), fl,
		node(o+4, 2, "Questions: %d", v.QDCount), node(o+6, 2, "Answer RRs: %d", v.ANCount),
		node(o+8, 2, "Authority RRs: %d", v.NSCount), node(o+10, 2, "Additional RRs: %d", v.ARCount),
	}
	if len(v.Questions) > 0 {
		q := DetailNode{Label: "Queries"}
		for _, x := range v.Questions {
			q.Children = append(q.Children, node(0, 0, "%s: type %s, class %s", dnsName(x.Name), dnsTypeLabel(x.Type), dnsClassLabel(x.Class)))
		}
		n.Children = append(n.Children, q)
	}
	for _, sec := range []struct {
		name string
		rrs  []layers.DNSResourceRecord
	}{{"Answers", v.Answers}, {"Authoritative nameservers", v.Authorities}, {"Additional records", v.Additionals}} {
		if len(sec.rrs) == 0 {
			continue
		}
		s := DetailNode{Label: sec.name}
		for i := range sec.rrs {
			rr := &sec.rrs[i]
			s.Children = append(s.Children, node(0, 0, "%s: type %s, class %s, ttl %d%s", dnsName(rr.Name), dnsTypeLabel(rr.Type), dnsClassLabel(rr.Class), rr.TTL, rrData(rr)))
		}
		n.Children = append(n.Children, s)
	}
	return n
}

func rrData(rr *layers.DNSResourceRecord) string {
	switch {
	case rr.IP != nil:
		return ", addr " + rr.IP.String()
	case len(rr.CNAME) > 0:
		return ", cname " + string(rr.CNAME)
	case len(rr.NS) > 0:
		return ", ns " + string(rr.NS)
	case len(rr.PTR) > 0:
		return ", " + string(rr.PTR)
	case len(rr.MX.Name) > 0:
		return fmt.Sprintf(", preference %d, mx %s", rr.MX.Preference, rr.MX.Name)
	case len(rr.TXTs) > 0:
		parts := make([]string, len(rr.TXTs))
		for i, t := range rr.TXTs {
			parts[i] = strconv.Quote(string(t))
		}
		return ", txt " + strings.Join(parts, " ")
	}
	if len(rr.Data) > 0 {
		return ", data " + hexPreview(rr.Data, 16)
	}
	return ""
}

// payload adds a Data node for bytes no layer claims.

package decode

import (
	"bytes"
	"encoding/binary"
	"net/netip"

	"github.com/sockscope/sockscope/internal/escape"
)

// Application lines: a few protocols a socket program meets, read above
// the transport when the Decoder decodes the packet and kept as tcpdump's
// words in the Packet (Packet.AppLine), so that the text line needs no
// payload: DNS answers, NTP, DHCP/BOOTP, the request or status line of
// HTTP/1, the server name of a TLS ClientHello and the QUIC Initial. Bytes
// from the wire in it are already escaped. A line longer than maxAppLine
// bytes ends with "…".

// AppKind says which application protocol Packet.AppLine describes.
type AppKind uint8

// Application protocols with a line.
const (
	AppNone AppKind = iota
	AppDNSAnswers
	AppNTP
	AppDHCP
	AppHTTP
	AppTLS
	AppQUIC
)

const maxAppLine = 111

const maxDNSAnswers = 16 // tcpdump prints them all; a line stops here with ", …"

// applicationLine fills p.App and the application line for the protocols above.
func (d *Decoder) applicationLine(p *Packet) {
	pl := p.Payload
	if len(pl) == 0 || p.Malformed {
		return
	}
	d.appText = d.appText[:0]
	switch {
	case p.Layers&LayerDNS != 0 && p.DNS.QR && p.DNS.ANCount > 0:
		d.appText = appendDNSAnswers(d.appText, d.dnsMsg, &p.DNS)
		p.App = AppDNSAnswers
	case p.Layers&LayerUDP != 0 && (p.SrcPort == 123 || p.DstPort == 123):
		d.appText = appendNTP(d.appText, pl, p.PayloadLen)
		p.App = AppNTP
	case p.Layers&LayerUDP != 0 && (p.SrcPort == 67 || p.DstPort == 67 || p.SrcPort == 68 || p.DstPort == 68):
		d.appText = appendBOOTP(d.appText, pl, p.PayloadLen)
		p.App = AppDHCP
	case p.Layers&LayerUDP != 0 && (p.SrcPort == 443 || p.DstPort == 443) && len(pl) > 6 && pl[0]&0xf0 == 0xc0:
		d.appText = appendQUIC(d.appText, pl)
		p.App = AppQUIC
	case p.Layers&LayerTCP != 0 && len(pl) > 5 && pl[0] == 0x16 && pl[1] == 3 && pl[5] == 1:
		d.appText = appendTLSHello(d.appText, pl)
		p.App = AppTLS
	case p.Layers&LayerTCP != 0 && httpStart(pl):
		d.appText = appendHTTPLine(d.appText, pl)
		p.App = AppHTTP
	}
	if len(d.appText) == 0 {
		p.App = AppNone
		return
	}
	line := d.appText
	if len(line) > maxAppLine {
		line = line[:maxAppLine-len("…")]
		for len(line) > 0 && line[len(line)-1]&0xc0 == 0x80 { // not inside a UTF-8 sequence
			line = line[:len(line)-1]
		}
		if len(line) > 0 && line[len(line)-1] >= 0xc0 {
			line = line[:len(line)-1]
		}
		line = append(line, "…"...)
	}
	p.appLen = uint8(copy(p.appBuf[:], line))
}

// appendDNSAnswers appends tcpdump's answer list: " A 192.0.2.1, CNAME
// host.example." (each record's type and data).
func appendDNSAnswers(dst, msg []byte, s *DNSSummary) []byte {
	off := 12
	var err error
	var name [256]byte                    // a name is at most 255 bytes: reading one does not allocate
	for i := 0; i < int(s.QDCount); i++ { // skip the questions
		if _, off, err = readDNSName(msg, off, name[:0]); err != nil || off+4 > len(msg) {
			return dst
		}
		off += 4
	}
	for i := 0; i < int(s.ANCount); i++ {
		if i == maxDNSAnswers {
			return append(dst, ", …"...)
		}
		if _, off, err = readDNSName(msg, off, name[:0]); err != nil || off+10 > len(msg) {
			return append(dst, " [|domain]"...)
		}
		typ := binary.BigEndian.Uint16(msg[off:])
		rdlen := int(binary.BigEndian.Uint16(msg[off+8:]))
		rd := off + 10
		off = rd + rdlen
		if off > len(msg) {
			return append(dst, " [|domain]"...)
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, ' ')
		if t := dnsTypeName(typ); t != "" {
			dst = append(dst, t...)
		} else {
			dst = append(dst, "Type"...)
			dst = txtUint(dst, uint64(typ))
		}
		target := func(at int) {
			n, _, err := readDNSName(msg, at, name[:0])
			if err != nil {
				dst = append(dst, " [|domain]"...)
				return
			}
			dst = append(dst, ' ')
			dst = escape.AppendSafe(dst, n)
			dst = append(dst, '.')
		}
		switch {
		case typ == 1 && rdlen == 4:
			dst = append(dst, ' ')
			dst = netip.AddrFrom4([4]byte(msg[rd:])).AppendTo(dst)
		case typ == 28 && rdlen == 16:
			dst = append(dst, ' ')
			dst = netip.AddrFrom16([16]byte(msg[rd:])).AppendTo(dst)
		case typ == 5 || typ == 2 || typ == 12: // CNAME, NS, PTR
			target(rd)
		case typ == 15 && rdlen > 2: // MX: exchange, then preference
			target(rd + 2)
			dst = append(dst, ' ')
			dst = txtUint(dst, uint64(binary.BigEndian.Uint16(msg[rd:])))
		case typ == 16 && rdlen > 0: // TXT: the first string
			l := min(int(msg[rd]), rdlen-1)
			dst = append(dst, ` "`...)
			dst = escape.AppendSafe(dst, msg[rd+1:rd+1+l])
			dst = append(dst, '"')
		case typ == 33 && rdlen > 6: // SRV: target:port priority weight
			target(rd + 6)
			dst = append(dst, ':')
			dst = txtUint(dst, uint64(binary.BigEndian.Uint16(msg[rd+4:])))
			dst = append(dst, ' ')
			dst = txtUint(dst, uint64(binary.BigEndian.Uint16(msg[rd:])))
			dst = append(dst, ' ')
			dst = txtUint(dst, uint64(binary.BigEndian.Uint16(msg[rd+2:])))
		}
	}
	return dst
}

var ntpModes = [...]string{"unspecified", "symmetric active", "symmetric passive", "Client", "Server", "Broadcast", "Control Message", "Reserved"}

// appendNTP appends tcpdump's "NTPv4, Client, length 48".
func appendNTP(dst, pl []byte, length int) []byte {
	dst = append(dst, "NTPv"...)
	dst = txtUint(dst, uint64(pl[0]>>3&7))
	dst = append(dst, ", "...)
	dst = append(dst, ntpModes[pl[0]&7]...)
	dst = append(dst, ", length "...)
	return txtInt(dst, length)
}

// appendBOOTP appends tcpdump's "BOOTP/DHCP, Request from MAC, length N"
// or "BOOTP/DHCP, Reply, length N".
func appendBOOTP(dst, pl []byte, length int) []byte {
	if len(pl) < 34 {
		return append(dst, "BOOTP/DHCP [|bootp]"...)
	}
	dst = append(dst, "BOOTP/DHCP, "...)
	switch pl[0] {
	case 1:
		dst = append(dst, "Request"...)
		if pl[1] == 1 && pl[2] == 6 { // Ethernet client hardware address
			dst = append(dst, " from "...)
			dst = txtHWAddr(dst, pl[28:34])
		}
	case 2:
		dst = append(dst, "Reply"...)
	default:
		dst = append(dst, "op "...)
		dst = txtUint(dst, uint64(pl[0]))
	}
	dst = append(dst, ", length "...)
	return txtInt(dst, length)
}

var httpMethods = [...]string{"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE ", "HTTP/1."}

// httpStart reports whether a TCP payload starts an HTTP/1 request or
// status line.
func httpStart(pl []byte) bool {
	if len(pl) < 8 || pl[0] < 'C' || pl[0] > 'T' {
		return false
	}
	for _, m := range httpMethods {
		if bytes.HasPrefix(pl, []byte(m)) {
			return true
		}
	}
	return false
}

// appendHTTPLine appends tcpdump's "HTTP: GET / HTTP/1.1": the first line,
// up to 200 bytes.
func appendHTTPLine(dst, pl []byte) []byte {
	line := pl[:min(len(pl), 200)]
	if i := bytes.IndexAny(line, "\r\n"); i >= 0 {
		line = line[:i]
	}
	dst = append(dst, "HTTP: "...)
	return escape.AppendSafe(dst, line)
}

// appendTLSHello appends "TLS ClientHello, SNI name" for a handshake
// record holding a ClientHello, reading the server_name extension.
func appendTLSHello(dst, pl []byte) []byte {
	dst = append(dst, "TLS ClientHello"...)
	b := pl[5:]
	if len(b) < 4+2+32+1 {
		return dst
	}
	b = b[4+2+32:] // handshake header, version, random
	skip := func(n int) bool {
		if n > len(b) {
			return false
		}
		b = b[n:]
		return true
	}
	u16 := func() int {
		if len(b) < 2 {
			return -1
		}
		return int(binary.BigEndian.Uint16(b))
	}
	if !skip(1+int(b[0])) || u16() < 0 || !skip(2+u16()) || len(b) < 1 || !skip(1+int(b[0])) || u16() < 0 {
		return dst
	}
	ext := b[2:min(len(b), 2+u16())]
	for len(ext) >= 4 {
		typ, l := binary.BigEndian.Uint16(ext), int(binary.BigEndian.Uint16(ext[2:]))
		if 4+l > len(ext) {
			return dst
		}
		if typ == 0 && l >= 5 { // server_name: list length(2) type(1) length(2) name
			n := min(int(binary.BigEndian.Uint16(ext[7:])), l-5)
			dst = append(dst, ", SNI "...)
			return escape.AppendSafe(dst, ext[9:9+n])
		}
		ext = ext[4+l:]
	}
	return dst
}

// appendQUIC appends what tcpdump prints of a QUIC long header: "quic,
// initial, dcid 0x…" (the packet type, the connection IDs).
func appendQUIC(dst, pl []byte) []byte {
	version := binary.BigEndian.Uint32(pl[1:])
	dst = append(dst, "quic, "...)
	if version == 0 {
		dst = append(dst, "version-negotiation"...)
	} else {
		dst = append(dst, [...]string{"initial", "0rtt", "handshake", "retry"}[pl[0]>>4&3]...)
	}
	b := pl[5:]
	for _, what := range [...]string{", dcid 0x", ", scid 0x"} {
		if len(b) < 1 || int(b[0]) > len(b)-1 {
			return dst
		}
		n := int(b[0])
		if n > 0 {
			dst = append(dst, what...)
			for _, c := range b[1 : 1+n] {
				dst = append(dst, textHexDigits[c>>4], textHexDigits[c&0xf])
			}
		}
		b = b[1+n:]
	}
	return dst
}

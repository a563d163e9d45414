package decode

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/sockscope/sockscope/internal/escape"
)

// The one-line text form of a Packet, as tcpdump -n prints it by default
// (tcpdump 4.99: no -v, no -e, local time). It is built from the Packet's
// fields alone, so where tcpdump prints bytes the summary does not keep
// (DNS answers, TCP option bodies other than mss/wscale/sack/TS, payloads of
// application protocols, ICMP bodies) the line is shorter than tcpdump's;
// the rest reads the same. One deliberate difference: a DNS response shows
// its first question as tcpdump -vv does ("q: A? name.") in place of the
// answer records it cannot show.
//
// Appending never allocates once dst has room: no fmt, no time.Format, no
// strings built on the way.

// TextFormatter appends tcpdump-style lines. It remembers the formatted
// clock of the last second it printed, so consecutive packets of the same
// second skip the time-zone conversion. A TextFormatter is used by one
// goroutine at a time; the zero value prints in time.Local.
type TextFormatter struct {
	// Loc is the time zone of the timestamps; nil means time.Local.
	Loc *time.Location

	sec    int64   // second whose clock is in hms
	hms    [8]byte // "HH:MM:SS"
	hmsLoc *time.Location
	cached bool
}

// NewTextFormatter returns a formatter printing times in loc (nil: local).
func NewTextFormatter(loc *time.Location) *TextFormatter {
	return &TextFormatter{Loc: loc}
}

// AppendText appends p's tcpdump-style line (without a newline) to dst,
// printing the time in loc (nil: local time). A TextFormatter is faster for
// many packets.
func AppendText(dst []byte, p *Packet, loc *time.Location) []byte {
	f := TextFormatter{Loc: loc}
	return f.Append(dst, p)
}

// Append appends p's tcpdump-style line (without a newline) to dst.
func (f *TextFormatter) Append(dst []byte, p *Packet) []byte {
	dst = f.appendTime(dst, p)
	dst = append(dst, ' ')
	return appendSummary(dst, p)
}

// AppendSummary appends p's line without the timestamp: what tcpdump
// prints after the time.
func AppendSummary(dst []byte, p *Packet) []byte { return appendSummary(dst, p) }

// appendTime appends "HH:MM:SS.uuuuuu". tcpdump truncates to microseconds,
// prints a sub-second field that is out of range as it is, followed by
// "(invalid us)", and prints a record without a time as the epoch.
func (f *TextFormatter) appendTime(dst []byte, p *Packet) []byte {
	sec, nsec := p.Sec, p.Nsec
	if p.NoTime {
		sec, nsec = 0, 0
	}
	loc := f.Loc
	if loc == nil {
		loc = time.Local
	}
	if !f.cached || sec != f.sec || loc != f.hmsLoc {
		h, m, s := time.Unix(sec, 0).In(loc).Clock()
		f.hms = [8]byte{
			byte('0' + h/10), byte('0' + h%10), ':',
			byte('0' + m/10), byte('0' + m%10), ':',
			byte('0' + s/10), byte('0' + s%10),
		}
		f.sec, f.hmsLoc, f.cached = sec, loc, true
	}
	dst = append(dst, f.hms[:]...)
	dst = append(dst, '.')
	if nsec >= 0 && nsec < 1e9 {
		return txtPadded(dst, uint32(nsec/1000), 6)
	}
	if nsec < 0 {
		dst = append(dst, '-')
		nsec = -nsec
	}
	dst = strconv.AppendUint(dst, uint64(nsec/1000), 10)
	return append(dst, " (invalid us)"...)
}

// txtPadded appends v in decimal, zero-padded to width digits.
func txtPadded(dst []byte, v uint32, width int) []byte {
	var b [10]byte
	i := len(b)
	for v > 0 || i > len(b)-width {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, b[i:]...)
}

func txtUint(dst []byte, v uint64) []byte { return strconv.AppendUint(dst, v, 10) }
func txtInt(dst []byte, v int) []byte     { return strconv.AppendInt(dst, int64(v), 10) }

const textHexDigits = "0123456789abcdef"

// txtHex appends v as lower-case hex, zero-padded to width digits.
func txtHex(dst []byte, v uint32, width int) []byte {
	var b [8]byte
	i := len(b)
	for v > 0 || i > len(b)-width {
		i--
		b[i] = textHexDigits[v&0xf]
		v >>= 4
	}
	return append(dst, b[i:]...)
}

// txtHWAddr appends a colon-separated hardware address.
func txtHWAddr(dst []byte, mac []byte) []byte {
	for i, b := range mac {
		if i > 0 {
			dst = append(dst, ':')
		}
		dst = append(dst, textHexDigits[b>>4], textHexDigits[b&0xf])
	}
	return dst
}

// txtAddr appends an IP address, or "?" when there is none.
func txtAddr(dst []byte, a netip.Addr) []byte {
	if !a.IsValid() {
		return append(dst, '?')
	}
	return a.AppendTo(dst)
}

// txtAddrPort appends "addr.port" as tcpdump does.
func txtAddrPort(dst []byte, a netip.Addr, port uint16) []byte {
	dst = txtAddr(dst, a)
	dst = append(dst, '.')
	return txtUint(dst, uint64(port))
}

// appendSummary appends everything after the timestamp: tcpdump's line,
// then the TCP analysis markers (AppendAnalysisMarkers).
func appendSummary(dst []byte, p *Packet) []byte {
	dst = appendTcpdumpSummary(dst, p)
	if p.Layers&LayerTCP != 0 {
		dst = AppendAnalysisMarkers(dst, p)
	}
	return dst
}

// appendTcpdumpSummary appends what tcpdump -n prints after the time.
func appendTcpdumpSummary(dst []byte, p *Packet) []byte {
	if p.Layers&LayerSLL2 != 0 {
		// print-sll.c prints the interface name (if_indextoname on the
		// printing host, "?" when it has none) and the packet type even
		// without -e. The capturing host's names are not in the file.
		dst = append(dst, "?     "...)
		if name := sllPktTypeName(p.SLLPktType); name != "" {
			dst = append(dst, name...)
			for n := len(name); n < 3; n++ {
				dst = append(dst, ' ')
			}
		} else {
			dst = append(dst, "Unknown ("...)
			dst = txtUint(dst, uint64(p.SLLPktType))
			dst = append(dst, ')')
		}
		dst = append(dst, ' ')
	}
	if p.Tunnel.Kinds != 0 {
		dst = appendTunnelText(dst, p)
		if p.Layers&(LayerIPv4|LayerIPv6|LayerARP) == 0 || p.Tunnel.InnerOff == 0 { // no packet inside
			for len(dst) > 0 && (dst[len(dst)-1] == ' ' || dst[len(dst)-1] == ':' || dst[len(dst)-1] == '|') {
				dst = dst[:len(dst)-1]
			}
			return dst
		}
	}
	switch {
	case p.Layers&LayerIPv4 != 0:
		return appendIPv4(dst, p)
	case p.Layers&LayerIPv6 != 0:
		return appendIPv6(dst, p)
	case p.Layers&LayerARP != 0:
		return appendARP(dst, p)
	}
	return appendLinkOnly(dst, p)
}

// linkHeaderLen is the length of the link-layer headers in front of the
// network layer, or -1 when it is not known.
func linkHeaderLen(p *Packet) int {
	if p.Tunnel.InnerOff != 0 {
		return int(p.Tunnel.InnerOff)
	}
	switch {
	case p.Layers&LayerEthernet != 0:
		return 14 + 4*int(p.NVLAN)
	case p.Layers&LayerSLL != 0:
		return 16
	case p.Layers&LayerSLL2 != 0:
		return 20
	case p.Layers&LayerLoopback != 0:
		return 4
	}
	switch p.LinkType {
	case 12, 14, 101, 228, 229: // raw IP
		return 0
	}
	return -1
}

// appendLinkOnly handles frames whose network layer was not decoded.
func appendLinkOnly(dst []byte, p *Packet) []byte {
	switch p.BadLayer {
	case LayerIPv4:
		if p.Truncated {
			return append(dst, "IP [|ip]"...)
		}
		return append(dst, "IP (invalid)"...)
	case LayerIPv6:
		if p.Truncated {
			return append(dst, "IP6 [|ip6]"...)
		}
		return append(dst, "IP6 (invalid)"...)
	case LayerARP:
		return append(dst, "ARP, [|ARP]"...)
	}
	hl := linkHeaderLen(p)
	switch {
	case p.Layers&LayerEthernet != 0:
		// ether_print without -e, for a type it cannot print: the
		// addresses, the type and the length, then a hex dump (not here).
		dst = txtHWAddr(dst, p.EthSrc[:])
		dst = append(dst, " > "...)
		dst = txtHWAddr(dst, p.EthDst[:])
		dst = append(dst, ", "...)
		t := p.EthType
		if t <= 1500 {
			dst = append(dst, "802.3, length "...)
			return txtInt(dst, p.Len)
		}
		dst = appendEtherType(dst, t)
		dst = append(dst, ", length "...)
		return txtInt(dst, p.Len)
	case p.Layers&(LayerSLL|LayerSLL2) != 0:
		dst = appendEtherType(dst, p.SLLProto)
		dst = append(dst, ", length "...)
		return txtInt(dst, p.Len-hl)
	case p.Layers&LayerLoopback != 0:
		dst = append(dst, "AF "...)
		if name := bsdAFName(p.LoopFamily); name != "" {
			dst = append(dst, name...)
		} else {
			dst = append(dst, "Unknown"...)
		}
		dst = append(dst, " ("...)
		dst = txtUint(dst, uint64(p.LoopFamily))
		dst = append(dst, "), length "...)
		return txtInt(dst, p.Len)
	case p.LinkType == 0 || p.LinkType == 108:
		// The loopback header itself was rejected: an unknown family.
		dst = append(dst, "AF Unknown, length "...)
		return txtInt(dst, p.Len)
	case p.Malformed:
		dst = append(dst, "[|"...)
		dst = escape.AppendSafe(dst, p.Err)
		dst = append(dst, "] length "...)
		return txtInt(dst, p.Len)
	}
	dst = append(dst, "unsupported link-type "...)
	dst = txtUint(dst, uint64(p.LinkType))
	dst = append(dst, ", length "...)
	return txtInt(dst, p.Len)
}

func appendEtherType(dst []byte, t uint16) []byte {
	dst = append(dst, "ethertype "...)
	if name := etherTypeName(t); name != "" {
		dst = append(dst, name...)
	} else {
		dst = append(dst, "Unknown"...)
	}
	dst = append(dst, " (0x"...)
	dst = txtHex(dst, uint32(t), 4)
	return append(dst, ')')
}

// ipPayloadLen is the length of the IP payload the header announces, after
// IPv6 extension headers: the length tcpdump hands to the transport
// printer. ok is false when the header gives none.
func ipPayloadLen(p *Packet) (int, bool) {
	switch p.IPVersion {
	case 4:
		if p.IPLen >= uint32(p.IPHdrLen) {
			return int(p.IPLen) - int(p.IPHdrLen), true
		}
	case 6:
		if p.IPv6Plen != 0 {
			if n := int(p.IPv6Plen) + 40 - int(p.IPHdrLen); n >= 0 {
				return n, true
			}
		}
		// A jumbogram (RFC 2675) announces its length in a hop-by-hop
		// option: take it from the wire length.
		if hl := linkHeaderLen(p); hl >= 0 {
			if n := p.Len - hl - int(p.IPHdrLen); n >= 0 {
				return n, true
			}
		}
	}
	return 0, false
}

func appendIPv4(dst []byte, p *Packet) []byte {
	dst = append(dst, "IP "...)
	if !p.Src.IsValid() { // a bogus length field: tcpdump stops there too
		if p.IPHdrLen < 20 {
			dst = append(dst, "bad-hlen "...)
			return txtInt(dst, int(p.IPHdrLen))
		}
		dst = append(dst, "bad-len "...)
		return txtInt(dst, int(p.IPLen))
	}
	if hl := linkHeaderLen(p); hl >= 0 && int(p.IPLen) > p.Len-hl && p.Len-hl >= 0 {
		dst = append(dst, "truncated-ip - "...)
		dst = txtInt(dst, int(p.IPLen)-(p.Len-hl))
		dst = append(dst, " bytes missing! "...)
	}
	if p.FragOffset != 0 {
		// Not the first fragment: no transport header to show.
		dst = txtAddr(dst, p.Src)
		dst = append(dst, " > "...)
		dst = txtAddr(dst, p.Dst)
		dst = append(dst, ": ip-proto-"...)
		return txtUint(dst, uint64(p.IPProto))
	}
	return appendTransport(dst, p, true)
}

func appendIPv6(dst []byte, p *Packet) []byte {
	dst = append(dst, "IP6 "...)
	direct := p.IPv6Next == p.IPProto && p.Layers&LayerIPv6Frag == 0
	if direct {
		return appendTransport(dst, p, true)
	}
	// ip6_print prints the addresses itself when the first header is not
	// the transport's, then one word per extension header, and the
	// transport printers then show ports without addresses.
	dst = txtAddr(dst, p.Src)
	dst = append(dst, " > "...)
	dst = txtAddr(dst, p.Dst)
	dst = append(dst, ": "...)
	switch p.IPv6Next {
	case 0:
		dst = append(dst, "HBH "...)
	case 43:
		dst = append(dst, "RT6 "...)
	case 60:
		dst = append(dst, "DSTOPT "...)
	}
	if p.Layers&LayerIPv6Frag != 0 {
		n := int(p.IPv6Plen) + 40 - int(p.IPHdrLen)
		if n < 0 {
			n = 0
		}
		dst = append(dst, "frag ("...)
		dst = txtUint(dst, uint64(p.V6FragOffset)*8)
		dst = append(dst, '|')
		dst = txtInt(dst, n)
		dst = append(dst, ')')
		if p.V6FragOffset != 0 {
			return dst
		}
		dst = append(dst, ' ')
	}
	return appendTransport(dst, p, false)
}

// appendTransport appends what follows the IP header. withAddrs is false
// where tcpdump has already printed the addresses.
func appendTransport(dst []byte, p *Packet, withAddrs bool) []byte {
	switch {
	case p.Layers&LayerTCP != 0:
		return appendTCP(dst, p, withAddrs)
	case p.Layers&LayerUDP != 0:
		return appendUDP(dst, p, withAddrs)
	case p.BadLayer == LayerTCP && p.SrcPort|p.DstPort != 0:
		// A TCP header cut short after its ports, if the decoder kept them.
		dst = appendPorts(dst, p, withAddrs)
		return append(dst, " [|tcp]"...)
	}
	if withAddrs {
		dst = txtAddr(dst, p.Src)
		dst = append(dst, " > "...)
		dst = txtAddr(dst, p.Dst)
		dst = append(dst, ": "...)
	}
	switch {
	case p.Layers&LayerICMPv4 != 0:
		return appendICMPv4(dst, p)
	case p.Layers&LayerICMPv6 != 0:
		return appendICMPv6(dst, p)
	}
	switch p.BadLayer {
	case LayerTCP:
		return append(dst, "[|tcp]"...)
	case LayerUDP:
		return append(dst, "[|udp]"...)
	case LayerICMPv4:
		return append(dst, "[|icmp]"...)
	case LayerICMPv6:
		return append(dst, "[|icmp6]"...)
	}
	// ip_demux_print's default: the protocol number and the payload length
	// (after a second space).
	dst = append(dst, " ip-proto-"...)
	dst = txtUint(dst, uint64(p.IPProto))
	if n, ok := ipPayloadLen(p); ok {
		dst = append(dst, ' ')
		dst = txtInt(dst, n)
	}
	return dst
}

func appendPorts(dst []byte, p *Packet, withAddrs bool) []byte {
	if withAddrs {
		dst = txtAddrPort(dst, p.Src, p.SrcPort)
		dst = append(dst, " > "...)
		dst = txtAddrPort(dst, p.Dst, p.DstPort)
	} else {
		dst = txtUint(dst, uint64(p.SrcPort))
		dst = append(dst, " > "...)
		dst = txtUint(dst, uint64(p.DstPort))
	}
	return append(dst, ": "...)
}

// tcpFlagLetters are tcp_flag_values in tcpdump's order: F S R P . U E W.
const tcpFlagLetters = "FSRP.UEW"

func appendTCP(dst []byte, p *Packet, withAddrs bool) []byte {
	dst = appendPorts(dst, p, withAddrs)
	ipLen, haveIPLen := ipPayloadLen(p)
	hlen := int(p.TCPHdrLen)
	if hlen < 20 {
		dst = append(dst, " tcp "...)
		dst = txtInt(dst, ipLen-hlen)
		dst = append(dst, " [bad hdr length "...)
		dst = txtInt(dst, hlen)
		return append(dst, " - too short, < 20]"...)
	}
	flags := p.TCPFlags
	dst = append(dst, "Flags ["...)
	if flags&0xff == 0 {
		dst = append(dst, "none"...)
	} else {
		for i := 0; i < 8; i++ {
			if flags&(1<<i) != 0 {
				dst = append(dst, tcpFlagLetters[i])
			}
		}
	}
	dst = append(dst, ']')
	if haveIPLen && hlen > ipLen {
		dst = append(dst, " [bad hdr length "...)
		dst = txtInt(dst, hlen)
		dst = append(dst, " - too long, > "...)
		dst = txtInt(dst, ipLen)
		return append(dst, ']')
	}

	// Sequence numbers as tcpdump prints them: relative once the
	// conversation's bases are known (decode/seq.go), absolute before.
	seq, ack := p.Seq, p.Ack
	if p.Rel.TDRelative {
		seq, ack = p.Rel.TDSeq, p.Rel.TDAck
	}
	length := p.PayloadLen
	if length > 0 || flags&(TCPSyn|TCPFin|TCPRst) != 0 {
		dst = append(dst, ", seq "...)
		dst = txtUint(dst, uint64(seq))
		if length > 0 {
			dst = append(dst, ':')
			dst = txtUint(dst, uint64(seq+uint32(length)))
		}
	}
	if flags&TCPAck != 0 {
		dst = append(dst, ", ack "...)
		dst = txtUint(dst, uint64(ack))
	}
	dst = append(dst, ", win "...)
	dst = txtUint(dst, uint64(p.Window))
	if flags&TCPUrg != 0 {
		dst = append(dst, ", urg "...)
		dst = txtUint(dst, uint64(p.Urgent))
	}
	o := &p.TCPOptions
	if o.Bad && p.Truncated && o.NKinds == 0 {
		// The header was cut off by the snap length before its options.
		return append(dst, " [|tcp]"...)
	}
	if hlen > 20 {
		var ok bool
		dst, ok = appendTCPOptions(dst, p)
		if !ok {
			return dst
		}
	}
	dst = append(dst, ", length "...)
	dst = txtInt(dst, length)
	if length == 0 {
		return dst
	}
	switch app := tcpApp(p.SrcPort, p.DstPort); {
	case app == "HTTP" && p.App == AppHTTP, app == "" && p.App == AppTLS:
		// HTTP's first line, as tcpdump prints it; a TLS ClientHello's
		// server name, which tcpdump does not print.
		dst = append(dst, ": "...)
		dst = append(dst, p.AppLine()...)
	case app == "DNS":
		if p.Layers&LayerDNS != 0 && length > 2 {
			dst = append(dst, ' ')
			dst = appendDNS(dst, p, length-2, false)
		}
	case app == "":
	default:
		// The text protocols' printers start with the protocol's name
		// and go on with the first line of the payload, which is not kept.
		dst = append(dst, ": "...)
		dst = append(dst, app...)
	}
	return dst
}

// tcpApp names the payload printer tcp_print picks by port, in its order,
// for the ones whose output sockscope reproduces: the text protocols' name
// and DNS. "" is any other, or none.
func tcpApp(sport, dport uint16) string {
	either := func(port uint16) bool { return sport == port || dport == port }
	switch {
	case either(23): // telnet
		return ""
	case either(25):
		return "SMTP"
	case either(43):
		return "WHOIS"
	case either(179), either(1723), either(6379), either(22), either(10288),
		either(6633), either(6653): // BGP, PPTP, RESP, SSH, BEEP, OpenFlow
		return ""
	case either(21):
		return "FTP"
	case either(80), either(8080):
		return "HTTP"
	case either(554), either(8554):
		return "RTSP"
	case either(53):
		return "DNS"
	}
	return ""
}

// appendTCPOptions appends ", options [...]". It returns false after a
// malformed option, where tcpdump stops the line at "[bad opt]".
func appendTCPOptions(dst []byte, p *Packet) ([]byte, bool) {
	o := &p.TCPOptions
	n := int(o.NKinds)
	if n > len(o.Kinds) {
		n = len(o.Kinds)
	}
	bad := o.Bad
	if bad && n > 0 {
		n-- // gopacket records the kind of the option it failed on
	}
	dst = append(dst, ", options ["...)
	sackDone := false
	for i := 0; i < n; i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		kind := o.Kinds[i]
		name, known := tcpOptionName(kind)
		if !known {
			dst = append(dst, "unknown-"...)
			dst = txtUint(dst, uint64(kind))
			continue
		}
		dst = append(dst, name...)
		switch kind {
		case OptMSS:
			if o.HasMSS {
				dst = append(dst, ' ')
				dst = txtUint(dst, uint64(o.MSS))
			}
		case OptWScale:
			if o.HasWS {
				dst = append(dst, ' ')
				dst = txtUint(dst, uint64(o.WScale))
			}
		case OptTimestamp:
			if o.HasTS {
				dst = append(dst, " val "...)
				dst = txtUint(dst, uint64(o.TSVal))
				dst = append(dst, " ecr "...)
				dst = txtUint(dst, uint64(o.TSEcr))
			}
		case OptSACK:
			if sackDone {
				break
			}
			sackDone = true
			dst = appendSACK(dst, p)
		}
	}
	if bad {
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, "[bad opt]"...)
		if n > 0 {
			dst = append(dst, ']')
		}
		return dst, false
	}
	return append(dst, ']'), true
}

// appendSACK appends " N {l:r}...". tcpdump makes the edges relative to the
// base its ack is relative to; that base is set on a segment with ACK set,
// including the first one of a conversation (whose ack itself is printed
// absolute); without ACK the edges are raw.
func appendSACK(dst []byte, p *Packet) []byte {
	o := &p.TCPOptions
	var base uint32
	if p.TCPFlags&TCPAck != 0 {
		switch {
		case p.Rel.TDRelative:
			base = p.Ack - p.Rel.TDAck
		case p.Rel.TDSeq == p.Seq && p.Rel.TDAck == p.Ack:
			base = p.Ack - 1
		}
	}
	dst = append(dst, ' ')
	dst = txtUint(dst, uint64(o.NSACK))
	dst = append(dst, ' ')
	for i := 0; i < int(o.NSACK) && i < len(o.SACK); i++ {
		dst = append(dst, '{')
		dst = txtUint(dst, uint64(o.SACK[i][0]-base))
		dst = append(dst, ':')
		dst = txtUint(dst, uint64(o.SACK[i][1]-base))
		dst = append(dst, '}')
	}
	return dst
}

func appendUDP(dst []byte, p *Packet, withAddrs bool) []byte {
	dst = appendPorts(dst, p, withAddrs)
	ipLen, haveIPLen := ipPayloadLen(p)
	if haveIPLen && ipLen < 8 {
		dst = append(dst, "truncated-udp "...)
		return txtInt(dst, ipLen)
	}
	if p.BadLayer == LayerUDP && p.Truncated {
		// The snap length cut the header after the ports.
		return append(dst, " [|udp]"...)
	}
	ulen := int(p.UDPLen)
	if ulen == 0 && ipLen > 65535 {
		ulen = ipLen // IPv6 jumbogram
	}
	if ulen < 8 {
		dst = append(dst, "truncated-udplength "...)
		return txtInt(dst, ulen)
	}
	ulen -= 8
	length := ulen
	if haveIPLen && ipLen-8 < length {
		length = ipLen - 8
	}
	if p.SrcPort == 53 || p.DstPort == 53 || p.SrcPort == 5353 || p.DstPort == 5353 {
		mdns := p.SrcPort != 53 && p.DstPort != 53
		if p.Layers&LayerDNS != 0 {
			return appendDNS(dst, p, length, mdns)
		}
		if length < 12 {
			dst = append(dst, "domain [length "...)
			dst = txtInt(dst, length)
			return append(dst, " < 12] (invalid)"...)
		}
	}
	fragmented := p.IPFlags&0x1 != 0 || (p.Layers&LayerIPv6Frag != 0 && p.V6FragMore)
	if ulen > length && !fragmented {
		dst = append(dst, "UDP, bad length "...)
		dst = txtInt(dst, ulen)
		dst = append(dst, " > "...)
		return txtInt(dst, length)
	}
	if p.App == AppNTP || p.App == AppDHCP {
		return append(dst, p.AppLine()...)
	}
	dst = append(dst, "UDP, length "...)
	dst = txtInt(dst, ulen)
	if p.App == AppQUIC { // tcpdump names QUIC only when told to (-T quic)
		dst = append(dst, ", "...)
		dst = append(dst, p.AppLine()...)
	}
	return dst
}

// appendDNS appends tcpdump's short DNS form; length is the DNS message
// length tcpdump prints at the end.

// icmpLen is the ICMP message length: what follows the IP header.
func txtAllZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

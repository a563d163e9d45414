package decode

import (
	"net/netip"
	"strconv"
	"time"
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
func txtPadded(dst []byte, v uint32, width int) []byte { return appendDigits(dst, v, width) }

// txtUint and txtInt append a number in decimal, as strconv does
// (format_num.go).
func txtUint(dst []byte, v uint64) []byte { return appendUint(dst, v) }
func txtInt(dst []byte, v int) []byte     { return appendInt(dst, v) }

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
	return appendAddr(dst, a)
}

// txtAddrPort appends "addr.port" as tcpdump does.
func txtAddrPort(dst []byte, a netip.Addr, port uint16) []byte {
	if a.Is4() {
		dst = appendAddr4Dot(dst, a.As4())
	} else {
		dst = txtAddr(dst, a)
		dst = append(dst, '.')
	}
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

// txtAllZero reports whether every byte of b is 0.
func txtAllZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

package decode

import (
	"encoding/binary"
	"net/netip"

	"github.com/sockscope/sockscope/capture"
)

// The fast path decodes the frame shape that makes up nearly every capture
// sockscope replays — Ethernet without VLAN tags, Linux cooked, BSD
// loopback or raw IP, then IPv4
// without options and not a fragment or IPv6 without extension headers,
// then a TCP or UDP header — straight from the bytes into
// the Packet, in one pass, without gopacket's DecodingLayerParser and the
// layer values it fills and collect then copies.
//
// It must fill the Packet exactly as the general path (DecodeLayers, then
// collect) does, so it takes a frame only when it is sure of that: anything
// the general path treats specially — a short or cut frame, a bad length, IP
// options or IPv6 extension headers, a fragment, a TSO length of 0 or a
// jumbogram, IP-in-IP or any other protocol, a bad TCP option list, a UDP
// length it would trim or reject, a tunnel port — goes back to the general
// path untouched. TestFastPathSameAsGeneral decodes every corpus frame both
// ways and wants the same Packets; TestFastPathVariants does so for every
// byte of hand-made frames changed. A field that collect, collectIPv4,
// collectIPv6 or collectTCP starts to fill must be filled here too, and a
// new UDP tunnel port goes into isTunnelPort, which both paths consult.
//
// What the general path leaves in the Decoder that later code reads is
// kept too: the TCP or UDP layer's Payload (application reads the DNS
// message from it, TransportPayload the bytes, and a later frame whose TCP
// header fails reads its length, as the general path's layer would hold it).

// fastFrame decodes a frame of the common shape into p, which is freshly
// reset, and reports whether it did; when it did not, p and the Decoder are
// as they were. The link header is Ethernet without VLAN tags, Linux
// cooked (v1 or v2), BSD loopback, or none (raw IP), as the captures of
// one host's interfaces have them.
func (d *Decoder) fastFrame(f *capture.Frame, p *Packet) bool {
	data := f.Data
	switch f.LinkType {
	case capture.LinkEthernet:
		if len(data) < 14 || !d.fastIP(binary.BigEndian.Uint16(data[12:14]), data[14:], p) {
			return false
		}
		p.Layers |= LayerEthernet
		copy(p.EthDst[:], data[0:6])
		copy(p.EthSrc[:], data[6:12])
		p.EthType = binary.BigEndian.Uint16(data[12:14])
	case capture.LinkLinuxSLL: // sll.DecodeFromBytes
		if len(data) < 16 || !d.fastIP(binary.BigEndian.Uint16(data[14:16]), data[16:], p) {
			return false
		}
		p.Layers |= LayerSLL
		p.SLLPktType = binary.BigEndian.Uint16(data[0:2])
		p.SLLProto = binary.BigEndian.Uint16(data[14:16])
	case capture.LinkLinuxSLL2: // sll2.DecodeFromBytes
		if len(data) < 20 || !d.fastIP(binary.BigEndian.Uint16(data[0:2]), data[20:], p) {
			return false
		}
		p.Layers |= LayerSLL2
		p.SLLPktType = uint16(data[10])
		p.SLLProto = binary.BigEndian.Uint16(data[0:2])
	case capture.LinkNull, capture.LinkLoop: // loopback.DecodeFromBytes
		fam, ok := loopbackFamily(data)
		if !ok || !d.fastIP(familyEtherType(fam), data[4:], p) {
			return false
		}
		p.Layers |= LayerLoopback
		p.LoopFamily = fam
	case capture.LinkRaw, capture.LinkRawOld, 14: // rawIP: the version says
		if !d.fastIPv4(data, p) && !d.fastIPv6(data, p) {
			return false
		}
	case capture.LinkIPv4:
		if !d.fastIPv4(data, p) {
			return false
		}
	case capture.LinkIPv6:
		if !d.fastIPv6(data, p) {
			return false
		}
	default:
		return false
	}
	d.decoded = d.decoded[:0] // no gopacket layer holds this frame
	return true
}

// loopbackFamily reads a BSD loopback header's address family as
// layers.Loopback does: big-endian when its first two bytes are zero,
// little-endian otherwise, and no more than 255 (ok false otherwise, and
// for a header cut short).
func loopbackFamily(data []byte) (fam uint32, ok bool) {
	if len(data) < 4 {
		return 0, false
	}
	fam = binary.LittleEndian.Uint32(data)
	if data[0] == 0 && data[1] == 0 {
		fam = binary.BigEndian.Uint32(data)
	}
	return fam, fam <= 0xff
}

// familyEtherType is the ethertype of the IP version a loopback family
// announces (gopacket's ProtocolFamily layer types), 0 for other families.
func familyEtherType(fam uint32) uint16 {
	switch fam {
	case 2:
		return 0x0800
	case 10, 24, 28, 30: // Linux, BSD, FreeBSD, Darwin
		return 0x86dd
	}
	return 0
}

// fastIP decodes the IP header the ethertype announces and the transport
// header after it, or returns false with p untouched.
func (d *Decoder) fastIP(etype uint16, ip []byte, p *Packet) bool {
	switch etype {
	case 0x0800:
		return d.fastIPv4(ip, p)
	case 0x86dd:
		return d.fastIPv6(ip, p)
	}
	return false
}

// fastIPv4 takes what ipv4.DecodeFromBytes and collectIPv4 would read
// without a note or an error: version 4, a 20-byte header, a total length
// that covers the header and more, all of it captured (0 is TSO's and goes
// the general way), neither a fragment nor the first of several.
func (d *Decoder) fastIPv4(ip []byte, p *Packet) bool {
	if len(ip) < 20 || ip[0] != 0x45 {
		return false
	}
	total := int(binary.BigEndian.Uint16(ip[2:4]))
	if total <= 20 || total > len(ip) {
		return false
	}
	ff := binary.BigEndian.Uint16(ip[6:8])
	if ff&0x3fff != 0 || !d.fastTransport(ip[9], ip[20:total], p) {
		return false
	}
	p.Layers |= LayerIPv4
	p.IPVersion = 4
	p.IPHdrLen = 20
	p.TOS = ip[1]
	p.IPLen = uint32(total)
	p.IPID = binary.BigEndian.Uint16(ip[4:6])
	p.IPFlags = uint8(ff >> 13)
	p.TTL = ip[8]
	p.IPProto = ip[9]
	p.Src = netip.AddrFrom4([4]byte(ip[12:16]))
	p.Dst = netip.AddrFrom4([4]byte(ip[16:20]))
	return true
}

// fastIPv6 takes what ipv6.DecodeFromBytes and collectIPv6 would read
// without an extension header: version 6, a payload length that is not 0
// (a jumbogram's) and was all captured, TCP or UDP next.
func (d *Decoder) fastIPv6(ip []byte, p *Packet) bool {
	if len(ip) < 40 || ip[0]>>4 != 6 {
		return false
	}
	plen := int(binary.BigEndian.Uint16(ip[4:6]))
	if plen == 0 || plen > len(ip)-40 || !d.fastTransport(ip[6], ip[40:40+plen], p) {
		return false
	}
	p.Layers |= LayerIPv6
	p.IPVersion = 6
	p.IPHdrLen = 40
	p.TOS = uint8(binary.BigEndian.Uint16(ip[0:2]) >> 4)
	p.IPv6Flow = binary.BigEndian.Uint32(ip[0:4]) & 0xfffff
	p.IPv6Plen = uint16(plen)
	p.IPv6Next, p.IPProto = ip[6], ip[6]
	p.TTL = ip[7]
	p.Src = netip.AddrFrom16([16]byte(ip[8:24]))
	p.Dst = netip.AddrFrom16([16]byte(ip[24:40]))
	return true
}

// fastTransport decodes the TCP or UDP header in seg, the IP payload as
// the IP length bounds it, or returns false with p untouched.
func (d *Decoder) fastTransport(proto uint8, seg []byte, p *Packet) bool {
	switch proto {
	case 6:
		return d.fastTCP(seg, p)
	case 17:
		return d.fastUDP(seg, p)
	}
	return false
}

// fastTCP decodes a TCP header whose data offset and option list
// layers.TCP accepts; otherwise it leaves p as it was and returns false.
func (d *Decoder) fastTCP(seg []byte, p *Packet) bool {
	if len(seg) < 20 {
		return false
	}
	hl := int(seg[12]>>4) * 4
	if hl < 20 || hl > len(seg) {
		return false
	}
	if !p.TCPOptions.parse(seg[20:hl]) {
		p.TCPOptions = TCPOptions{}
		return false
	}
	p.Layers |= LayerTCP
	p.SrcPort = binary.BigEndian.Uint16(seg[0:2])
	p.DstPort = binary.BigEndian.Uint16(seg[2:4])
	p.Seq = binary.BigEndian.Uint32(seg[4:8])
	p.Ack = binary.BigEndian.Uint32(seg[8:12])
	p.TCPFlags = binary.BigEndian.Uint16(seg[12:14]) & 0x0fff
	p.Window = binary.BigEndian.Uint16(seg[14:16])
	p.Urgent = binary.BigEndian.Uint16(seg[18:20])
	p.TCPHdrLen = uint8(hl)
	// tcp.len (tcpPayloadLen) is the IP length less the IP and TCP
	// headers: with no IP options or extension headers and all of the IP
	// length captured, exactly the bytes after the TCP header in seg, which
	// capped keeps whole.
	p.Payload = seg[hl:]
	p.PayloadLen = len(seg) - hl
	d.tcp.Payload = p.Payload
	return true
}

// fastUDP decodes a UDP header whose length field layers.UDP takes as it
// is (at least 8, within the datagram) and whose ports start no tunnel;
// otherwise it returns false, p untouched.
func (d *Decoder) fastUDP(seg []byte, p *Packet) bool {
	if len(seg) < 8 {
		return false
	}
	sport, dport := binary.BigEndian.Uint16(seg[0:2]), binary.BigEndian.Uint16(seg[2:4])
	n := int(binary.BigEndian.Uint16(seg[4:6]))
	if n < 8 || n > len(seg) || isTunnelPort(sport) || isTunnelPort(dport) {
		return false
	}
	p.Layers |= LayerUDP
	p.SrcPort, p.DstPort = sport, dport
	p.UDPLen = uint16(n)
	p.PayloadLen = n - 8
	p.Payload = seg[8:n]
	d.udp.Payload = p.Payload
	return true
}

// parse records a TCP option list as layers.TCP.DecodeFromBytes splits it
// and fill keeps it, into o, which is zero. It returns false where
// layers.TCP fails (an option that runs past the header or has a length
// under 2), leaving o to be cleared.
func (o *TCPOptions) parse(opts []byte) bool {
	// Linux puts two no-ops and a timestamp in nearly every segment.
	if len(opts) == 12 && opts[0] == OptNOP && opts[1] == OptNOP && opts[2] == OptTimestamp && opts[3] == 10 {
		o.Kinds[0], o.Kinds[1], o.Kinds[2], o.NKinds = OptNOP, OptNOP, OptTimestamp, 3
		o.TSVal = binary.BigEndian.Uint32(opts[4:8])
		o.TSEcr = binary.BigEndian.Uint32(opts[8:12])
		o.HasTS = true
		return true
	}
	for len(opts) > 0 {
		kind := opts[0]
		switch kind {
		case OptEOL:
			o.add(kind, nil)
			return true
		case OptNOP:
			o.add(kind, nil)
			opts = opts[1:]
			continue
		}
		if len(opts) < 2 {
			return false
		}
		n := int(opts[1])
		if n < 2 || n > len(opts) {
			return false
		}
		o.add(kind, opts[2:n])
		opts = opts[n:]
	}
	return true
}

package decode

import (
	"encoding/binary"
	"net/netip"
)

// The fast path decodes the frame shape that makes up nearly every capture
// sockscope replays — Ethernet without VLAN tags, IPv4 without options and
// not a fragment, then a TCP or UDP header — straight from the bytes into
// the Packet, in one pass, without gopacket's DecodingLayerParser and the
// layer values it fills and collect then copies.
//
// It must fill the Packet exactly as the general path (DecodeLayers, then
// collect) does, so it takes a frame only when it is sure of that: anything
// the general path treats specially — a short or cut frame, a bad length, IP
// options, a fragment, a TSO length of 0, a bad TCP option list, a UDP
// length it would trim or reject, a tunnel port — goes back to the general
// path untouched. TestFastPathSameAsGeneral decodes every corpus frame both
// ways and wants the same Packets.
//
// What the general path leaves in the Decoder that later code reads is
// kept too: the TCP or UDP layer's Payload (application reads the DNS
// message from it, TransportPayload the bytes, and a later frame whose TCP
// header fails reads its length, as the general path's layer would hold it).

// fastEthernet decodes an Ethernet frame of the common shape into p, which
// is freshly reset, and reports whether it did; when it did not, p and the
// Decoder are as they were.
func (d *Decoder) fastEthernet(data []byte, p *Packet) bool {
	if len(data) < 14+20 || binary.BigEndian.Uint16(data[12:14]) != 0x0800 {
		return false
	}
	ip := data[14:]
	// Version 4, a 20-byte header; a total length that covers the header
	// and more, all of it captured (0 is TSO's and goes the general way);
	// neither a fragment nor the first of several.
	if ip[0] != 0x45 {
		return false
	}
	total := int(binary.BigEndian.Uint16(ip[2:4]))
	if total <= 20 || total > len(ip) {
		return false
	}
	ff := binary.BigEndian.Uint16(ip[6:8])
	if ff&0x3fff != 0 {
		return false
	}
	seg := ip[20:total]
	switch ip[9] {
	case 6:
		if !d.fastTCP(seg, p) {
			return false
		}
	case 17:
		if !d.fastUDP(seg, p) {
			return false
		}
	default:
		return false
	}
	p.Layers |= LayerEthernet | LayerIPv4
	copy(p.EthDst[:], data[0:6])
	copy(p.EthSrc[:], data[6:12])
	p.EthType = 0x0800
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
	d.decoded = d.decoded[:0] // no gopacket layer holds this frame
	return true
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
	// tcp.len (tcpPayloadLen) is the IP total length less both headers:
	// with a 20-byte IP header and all of the total captured, exactly the
	// bytes after the TCP header in seg, which capped keeps whole.
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

package decode

import (
	"net/netip"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// Tunnels. A DecodingLayerParser holds one layer value per type, so an
// inner IPv4 header decoded in the same parse would overwrite the outer
// one. The parse therefore stops where a tunnel begins (IP-in-IP, GRE, a
// UDP port of VXLAN, Geneve or MPLS, the MPLS or PPPoE ethertypes), the
// tunnel header is read here, and a second parse starts at the inner
// header. Before it, the outermost IP header (and UDP header, for UDP
// tunnels) is kept in Packet.Tunnel.Outer; the Packet's own fields then
// describe the innermost packet, so the tracker, conversations, Follow, the
// ladder and the filter work on the inner connection unchanged.
//
// JSON keys (Wireshark repeats field names; tshark's exports keep the first
// occurrence): ip.*, ipv6.*, udp.* and eth.* are the outermost header of
// that protocol, as Wireshark's first occurrence; the innermost IP, UDP and
// Ethernet headers are written again under "inner." plus Wireshark's name
// (inner.ip.src, inner.udp.dstport, inner.eth.src). tcp.*, icmp.* and
// arp.* occur once and keep their names. Headers between the outermost and
// the innermost are not written.

// Tunnel is a bit set of the encapsulations crossed to reach the innermost packet.
type Tunnel uint16

// Encapsulations decoded.
const (
	TunnelIPIP   Tunnel = 1 << iota // IPv4 or IPv6 directly inside IPv4 or IPv6 (4in4, 6in4, 4in6, 6in6)
	TunnelGRE                       // GRE (RFC 2784/2890), PPTP's enhanced GRE
	TunnelERSPAN                    // ERSPAN type I, II or III inside GRE
	TunnelWCCP                      // WCCP redirect inside GRE
	TunnelVXLAN                     // VXLAN, UDP port 4789
	TunnelGeneve                    // Geneve, UDP port 6081
	TunnelMPLS                      // an MPLS label stack, over Ethernet or in UDP (port 6635)
	TunnelPPPoE                     // PPPoE session with PPP
	TunnelPIM                       // PIM; a Register carries a packet
	TunnelMACsec                    // MACsec; an unencrypted frame carries a packet
	TunnelNSH                       // network service header
)

const maxTunnelDepth = 4
const maxMPLSLabels = 4

// OuterHeaders is the outermost IP header of a tunnelled packet and, when
// the tunnel rides on UDP, its UDP header.
type OuterHeaders struct {
	Src, Dst   netip.Addr
	IPVersion  uint8
	IPProto    uint8
	IPHdrLen   uint16
	IPLen      uint32
	IPID       uint16
	IPFlags    uint8
	FragOffset uint16
	TTL, TOS   uint8
	IPv6Next   uint8
	IPv6Plen   uint16
	IPv6Flow   uint32

	UDP              bool
	SrcPort, DstPort uint16
	UDPLen           uint16
	UDPStream        int
}

// TunnelInfo holds the tunnel headers crossed and the outer headers.
type TunnelInfo struct {
	Kinds Tunnel
	Outer OuterHeaders
	// InnerOff is where the innermost network header starts in the frame.
	InnerOff uint16
	// InnerEth is set when a tunnel carried a whole Ethernet frame.
	InnerEth                 bool
	InnerEthSrc, InnerEthDst [6]byte
	InnerEthType             uint16

	GREFlagsVer, GREProto uint16 // gre.flags_and_version, gre.proto
	GREChecksum           uint16 // when the C bit is set
	GREKey, GRESeq        uint32 // when the K and S bits are set
	ERSPANVersion         uint8  // erspan.version: 1 (type II) or 2 (type III); 0 for type I
	ERSPANSpanID          uint16
	WCCPRedirect          uint32 // gre.wccp.redirect_header, when present
	HasWCCPRedirect       bool
	VNI                   uint32 // vxlan.vni or geneve.vni
	GeneveProto           uint16
	GeneveOptLen          uint8                 // bytes of Geneve options
	MPLS                  [maxMPLSLabels]uint32 // label stack entries as on the wire, outermost first
	NMPLS                 uint8
	PPPoECode             uint8
	PPPoESession          uint16
	PPPProto              uint16
	PIMType               uint8
	MACsecTCI, MACsecSL   uint8 // TCI and AN; short length
	MACsecPN              uint32
	MACsecEType           uint16 // of unencrypted data
	NSHSPI                uint32
	NSHSI, NSHNext        uint8
}

// MPLSLabel returns entry i's label, TTL and bottom-of-stack bit.
func (t *TunnelInfo) MPLSLabel(i int) (label uint32, ttl uint8, bottom bool) {
	e := t.MPLS[i]
	return e >> 12, uint8(e), e&0x100 != 0
}

// tunnels decodes the encapsulations at the end of the first parse, one
// inner parse per tunnel, at most maxTunnelDepth deep.
func (d *Decoder) tunnels(frame []byte, p *Packet) {
	switch d.decoded[len(d.decoded)-1] { // the common ends first, cheaply
	case layers.LayerTypeTCP, layers.LayerTypeICMPv4, layers.LayerTypeICMPv6, layers.LayerTypeICMPv6Echo, layers.LayerTypeARP:
		return
	case layers.LayerTypeUDP:
		if !isTunnelPort(p.SrcPort) && !isTunnelPort(p.DstPort) {
			return
		}
	}
	for depth := 0; depth < maxTunnelDepth && len(d.decoded) > 0; depth++ {
		last := d.decoded[len(d.decoded)-1]
		l, ok := d.container.Decoder(last)
		if !ok {
			return
		}
		kind, first, inner := d.tunnelAt(last, l.LayerPayload(), p)
		if kind == 0 {
			return
		}
		if p.Tunnel.Kinds == 0 {
			d.keepOuter(p)
		}
		p.Tunnel.Kinds |= kind
		parser := d.byFirst[first]
		if parser == nil || len(inner) == 0 {
			return
		}
		clearInner(p)
		d.inner = true
		p.Tunnel.InnerOff = uint16(len(frame) - len(inner))
		if first == layers.LayerTypeEthernet {
			p.Tunnel.InnerOff += 14
		}
		err := parser.DecodeLayers(inner, &d.decoded)
		next := first
		for _, t := range d.decoded {
			next = d.collect(t, p)
		}
		if err != nil {
			payload := inner
			if n := len(d.decoded); n > 0 {
				if l, ok := d.container.Decoder(d.decoded[n-1]); ok {
					payload = l.LayerPayload()
				}
			}
			d.failed(next, payload, p, err)
			return
		}
	}
}

func isTunnelPort(port uint16) bool { return port == 4789 || port == 6081 || port == 6635 }

// keepOuter copies the outermost IP and UDP headers into p.Tunnel.Outer.
// The tracker numbers the tunnel's own UDP flow (Tracker.Track; Follow can
// follow it, see OuterUDP).
func (d *Decoder) keepOuter(p *Packet) {
	d.outerUDP = nil
	if p.Layers&LayerUDP != 0 {
		d.outerUDP = p.Payload
	}
	o := &p.Tunnel.Outer
	*o = OuterHeaders{
		Src: p.Src, Dst: p.Dst, IPVersion: p.IPVersion, IPProto: p.IPProto, IPHdrLen: p.IPHdrLen,
		IPLen: p.IPLen, IPID: p.IPID, IPFlags: p.IPFlags, FragOffset: p.FragOffset, TTL: p.TTL, TOS: p.TOS,
		IPv6Next: p.IPv6Next, IPv6Plen: p.IPv6Plen, IPv6Flow: p.IPv6Flow,
	}
	if p.Layers&LayerUDP != 0 {
		o.UDP, o.SrcPort, o.DstPort, o.UDPLen, o.UDPStream = true, p.SrcPort, p.DstPort, p.UDPLen, p.UDPStream
	}
}

// clearInner forgets the outer network and transport fields before the
// inner parse fills them again.
func clearInner(p *Packet) {
	p.Layers &^= LayerIPv4 | LayerIPv6 | LayerIPv6Frag | LayerTCP | LayerUDP | LayerICMPv4 | LayerICMPv6 | LayerARP | LayerDNS
	p.Src, p.Dst = netip.Addr{}, netip.Addr{}
	p.IPVersion, p.IPProto, p.IPHdrLen, p.IPLen, p.IPID, p.IPFlags, p.FragOffset = 0, 0, 0, 0, 0, 0, 0
	p.TTL, p.TOS, p.IPv6Next, p.IPv6Plen, p.IPv6Flow, p.IPv6Jumbo = 0, 0, 0, 0, 0, 0
	p.SrcPort, p.DstPort, p.PayloadLen, p.Payload, p.UDPLen, p.UDPStream = 0, 0, 0, nil, 0, 0
}

// tunnelAt looks at the last layer of a parse and, if a tunnel starts
// after it, reads the tunnel header: it returns the tunnel, the inner
// packet's first layer and its bytes.
func (d *Decoder) tunnelAt(last gopacket.LayerType, payload []byte, p *Packet) (Tunnel, gopacket.LayerType, []byte) {
	switch last {
	case layers.LayerTypeIPv4, layers.LayerTypeIPv6, layers.LayerTypeIPv6Routing,
		layers.LayerTypeIPv6Destination, layers.LayerTypeIPv6HopByHop, layers.LayerTypeIPv6Fragment:
		if p.FragOffset != 0 || p.Layers&LayerIPv6Frag != 0 && p.V6FragOffset != 0 {
			return 0, 0, nil
		}
		switch p.IPProto {
		case 4:
			return TunnelIPIP, layers.LayerTypeIPv4, payload
		case 41:
			return TunnelIPIP, layers.LayerTypeIPv6, payload
		case 47:
			return d.gre(payload, p)
		case 103:
			return pim(payload, p)
		}
	case layers.LayerTypeUDP:
		switch {
		case p.DstPort == 4789 || p.SrcPort == 4789:
			return vxlan(payload, p)
		case p.DstPort == 6081 || p.SrcPort == 6081:
			return geneve(payload, p)
		case p.DstPort == 6635 || p.SrcPort == 6635:
			return mpls(payload, p)
		}
	case layers.LayerTypeEthernet, layers.LayerTypeDot1Q, layers.LayerTypeLinuxSLL, LayerTypeSLL2:
		switch d.lastEtherType(last) {
		case 0x8847, 0x8848:
			return mpls(payload, p)
		case 0x8864:
			return pppoeSession(payload, p)
		case 0x8863:
			pppoeDiscovery(payload, p)
		case 0x88e5:
			return macsec(payload, p)
		case 0x894f:
			return nsh(payload, p)
		}
	}
	return 0, 0, nil
}

func (d *Decoder) lastEtherType(last gopacket.LayerType) uint16 {
	switch last {
	case layers.LayerTypeEthernet:
		return uint16(d.eth.EthernetType)
	case layers.LayerTypeDot1Q:
		return uint16(d.dot1q.Type)
	case layers.LayerTypeLinuxSLL:
		return uint16(d.sll.EthernetType)
	case LayerTypeSLL2:
		return uint16(d.sll2.Proto)
	}
	return 0
}

// byEtherType is the inner layer an ethertype-like protocol field names.
func byEtherType(t uint16) gopacket.LayerType {
	switch t {
	case 0x0800:
		return layers.LayerTypeIPv4
	case 0x86dd:
		return layers.LayerTypeIPv6
	case 0x6558: // transparent Ethernet bridging
		return layers.LayerTypeEthernet
	case 0x0806:
		return layers.LayerTypeARP
	}
	return 0
}

// byVersion is the inner layer of a packet that starts with an IP header
// of either version, as MPLS and WCCP carry them.
func byVersion(b []byte) gopacket.LayerType {
	if len(b) == 0 {
		return 0
	}
	switch b[0] >> 4 {
	case 4:
		return layers.LayerTypeIPv4
	case 6:
		return layers.LayerTypeIPv6
	}
	return 0
}

// OuterUDP returns p's tunnel UDP flow as a packet of its own (outer
// addresses and ports, no tunnel) and that datagram's payload (the tunnel
// header and the inner packet), for following the tunnel's conversation.
// ok is false when p's tunnel does not ride on UDP. The payload aliases
// the frame, as TransportPayload's.
func (d *Decoder) OuterUDP(p *Packet) (q Packet, payload []byte, ok bool) {
	o := &p.Tunnel.Outer
	if !o.UDP {
		return q, nil, false
	}
	q = Packet{Number: p.Number, Sec: p.Sec, Nsec: p.Nsec, NoTime: p.NoTime, Len: p.Len, CapLen: p.CapLen,
		LinkType: p.LinkType, Layers: p.Layers&(LayerEthernet|LayerVLAN|LayerSLL|LayerSLL2|LayerLoopback) | LayerUDP,
		Src: o.Src, Dst: o.Dst, IPVersion: o.IPVersion, IPProto: 17, SrcPort: o.SrcPort, DstPort: o.DstPort,
		UDPLen: o.UDPLen, UDPStream: o.UDPStream, PayloadLen: max(int(o.UDPLen)-8, 0)}
	if o.IPVersion == 4 {
		q.Layers |= LayerIPv4
	} else {
		q.Layers |= LayerIPv6
	}
	return q, d.outerUDP, true
}

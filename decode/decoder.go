package decode

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/sockscope/sockscope/capture"
)

// Decoder turns frames into Packets on the fast path: one gopacket
// DecodingLayerParser per link type over caller-owned layers, so decoding a
// packet allocates nothing, and ahead of it a direct read of the commonest
// frame (Ethernet/IP/TCP or UDP, fastpath.go) that skips the parser. A
// Decoder is used by one goroutine at a time.
type Decoder struct {
	eth     ethernet
	dot1q   dot1q
	sll     sll
	sll2    sll2
	loop    loopback
	nflog   nflog
	raw     rawIP
	arp     arp
	ip4     ipv4
	ip6     ipv6
	ext     ipv6Ext
	frag    ipv6Frag
	tcp     layers.TCP
	udp     layers.UDP
	icmp4   layers.ICMPv4
	icmp6   layers.ICMPv6
	echo6   layers.ICMPv6Echo
	dnsName []byte // scratch for DNSSummary.QName
	dnsMsg  []byte // the DNS message of the packet decoded last
	appText []byte // scratch for the application line (Packet.AppLine)

	container gopacket.DecodingLayerContainer
	byFirst   map[gopacket.LayerType]*gopacket.DecodingLayerParser
	decoded   []gopacket.LayerType
	// recovered counts the frames whose decoding panicked and was caught
	// (see Recovered).
	recovered int
	// inner is set while a tunnel's inner packet is parsed (tunnel.go).
	inner bool
	// outerUDP is the payload of a UDP tunnel's outer datagram (OuterUDP).
	outerUDP []byte
	// noFastPath sends every frame through the general path, for the
	// tests that compare it with the fast path (fastpath.go).
	noFastPath bool
	// Seq is the connection tracker: it numbers TCP connections and UDP
	// conversations, computes relative sequence numbers, Wireshark's expert
	// flags and the endpoint states. Nil disables all of that.
	Seq *SeqTracker
	// ForTracking leaves out what the tracker does not read: the
	// application layer (DNS, the application line). The Tracking of a
	// packet is the same with it (a test checks on the corpus); a pipeline
	// that tracks on one goroutine and formats on others sets it on the
	// tracking decoder.
	ForTracking bool
}

// NewDecoder returns a Decoder with a connection tracker.
func NewDecoder() *Decoder {
	d := &Decoder{Seq: NewSeqTracker()}
	d.ip4.six = &d.ip6
	container := gopacket.DecodingLayerContainer(gopacket.DecodingLayerSparse(nil))
	for _, l := range []gopacket.DecodingLayer{
		&d.eth, &d.dot1q, &d.sll, &d.sll2, &d.loop, &d.nflog, &d.raw, &d.arp,
		&d.ip4, &d.ip6, &d.ext, &d.frag, // frag after ext: it replaces the skipper for fragments
		&d.tcp, &d.udp, &d.icmp4, &d.icmp6, &d.echo6,
	} {
		container = container.Put(l)
	}
	d.container = container
	d.byFirst = make(map[gopacket.LayerType]*gopacket.DecodingLayerParser)
	for _, first := range []gopacket.LayerType{
		layers.LayerTypeEthernet, layers.LayerTypeLinuxSLL, LayerTypeSLL2,
		layers.LayerTypeLoopback, LayerTypeNFLog, LayerTypeRawIP, layers.LayerTypeIPv4, layers.LayerTypeIPv6,
	} {
		p := gopacket.NewDecodingLayerParser(first)
		p.SetDecodingLayerContainer(container)
		p.IgnoreUnsupported = true
		p.IgnorePanic = true // Decode recovers, and counts it
		d.byFirst[first] = p
	}
	d.decoded = make([]gopacket.LayerType, 0, 16)
	return d
}

// firstLayer maps a link type to the layer its frames start with.
func firstLayer(link uint32) gopacket.LayerType {
	switch link {
	case capture.LinkEthernet:
		return layers.LayerTypeEthernet
	case capture.LinkNull, capture.LinkLoop:
		return layers.LayerTypeLoopback
	case capture.LinkRaw, capture.LinkRawOld, 14: // 14: LINKTYPE_RAW on OpenBSD
		return LayerTypeRawIP
	case capture.LinkLinuxSLL:
		return layers.LayerTypeLinuxSLL
	case capture.LinkLinuxSLL2:
		return LayerTypeSLL2
	case capture.LinkIPv4:
		return layers.LayerTypeIPv4
	case capture.LinkIPv6:
		return layers.LayerTypeIPv6
	case capture.LinkNFLog:
		return LayerTypeNFLog
	}
	return gopacket.LayerTypeZero
}

// Decode fills p from f. It never fails: what could not be decoded is
// recorded in p.Malformed, p.BadLayer and p.Err. number is the frame number.
func (d *Decoder) Decode(f *capture.Frame, number int, p *Packet) {
	// Cleared in place, then filled: a composite literal is built on the
	// stack and copied, twice the stores for a kilobyte-sized Packet.
	*p = Packet{}
	p.Number, p.Sec, p.Nsec, p.NoTime = number, f.Sec, f.Nsec, f.NoTime
	p.Len, p.CapLen, p.LinkType = f.Len, len(f.Data), f.LinkType
	p.FrameOptions, p.FrameOptionsBE = f.Options, f.OptionsBE
	defer d.recoverPanic(p)
	// The common Ethernet/IP/TCP or UDP frame is read without the parser
	// (fastpath.go), which leaves every other, tunnels too, to decodeLayers.
	fast := !d.noFastPath && d.fastFrame(f, p)
	if !fast && !d.decodeLayers(f, p) {
		return // a link type we do not decode: frame fields only
	}
	if !d.ForTracking {
		d.application(p)
	}
	if d.Seq != nil && Tracked(p) {
		d.Seq.Track(p)
	}
}

// decodeLayers is the general path: the link type's DecodingLayerParser,
// then collect for each layer, failed for a layer that did not decode, and
// the tunnels. It returns false for a link type it does not decode.
func (d *Decoder) decodeLayers(f *capture.Frame, p *Packet) bool {
	first := firstLayer(f.LinkType)
	parser := d.byFirst[first]
	if parser == nil {
		return false
	}
	d.dot1q.n, d.dot1q.tpid, d.ext.length, d.inner = 0, 0, 0, false
	err := parser.DecodeLayers(f.Data, &d.decoded)
	p.Truncated = parser.Truncated
	next := first
	for _, t := range d.decoded {
		next = d.collect(t, p)
	}
	if err != nil {
		payload := f.Data
		if n := len(d.decoded); n > 0 {
			if l, ok := d.container.Decoder(d.decoded[n-1]); ok {
				payload = l.LayerPayload()
			}
		}
		d.failed(next, payload, p, err)
	} else if len(d.decoded) > 0 {
		d.tunnels(f.Data, p)
	}
	return true
}

// recoverPanic is the last net under Decode: a decoding layer that indexes
// past its bytes is a bug (every layer bounds-checks), but one frame must not
// end the program. The frame is marked malformed and the panic counted, so
// that tests can insist it never happens.
func (d *Decoder) recoverPanic(p *Packet) {
	if r := recover(); r != nil {
		d.recovered++
		p.Malformed = true
		p.Err = fmt.Sprintf("decoder panic (recovered): %v", r)
	}
}

// Recovered returns how many frames' decoding panicked and was recovered
// since the Decoder was made. It is zero unless a decoding layer has a bug.
func (d *Decoder) Recovered() int { return d.recovered }

// collect copies the fields of a decoded layer into p and returns the type
// of the layer that follows it.
func (d *Decoder) collect(t gopacket.LayerType, p *Packet) gopacket.LayerType {
	switch t {
	case layers.LayerTypeEthernet:
		if d.inner {
			t := &p.Tunnel
			t.InnerEth = true
			copy(t.InnerEthSrc[:], d.eth.SrcMAC)
			copy(t.InnerEthDst[:], d.eth.DstMAC)
			t.InnerEthType = uint16(d.eth.EthernetType)
			return d.eth.NextLayerType()
		}
		p.Layers |= LayerEthernet
		copy(p.EthSrc[:], d.eth.SrcMAC)
		copy(p.EthDst[:], d.eth.DstMAC)
		p.EthType = uint16(d.eth.EthernetType)
		if d.eth.Length != 0 {
			p.EthType = d.eth.Length
		}
		return d.eth.NextLayerType()
	case layers.LayerTypeDot1Q:
		if p.Layers&LayerVLAN == 0 && !d.inner { // all tags at once: the layer kept them
			p.Layers |= LayerVLAN
			p.NVLAN = uint8(d.dot1q.n)
			p.VLANs, p.VLANTPIDs = d.dot1q.ids, d.dot1q.tpids
			if p.VLANTPIDs[0] == 0 {
				p.VLANTPIDs[0] = p.EthType
			}
		}
		return d.dot1q.NextLayerType()
	case layers.LayerTypeLinuxSLL:
		p.Layers |= LayerSLL
		p.SLLPktType = uint16(d.sll.PacketType)
		p.SLLProto = uint16(d.sll.EthernetType)
		return d.sll.NextLayerType()
	case LayerTypeSLL2:
		p.Layers |= LayerSLL2
		p.SLLPktType = uint16(d.sll2.PktType)
		p.SLLProto = uint16(d.sll2.Proto)
		return d.sll2.NextLayerType()
	case layers.LayerTypeLoopback:
		p.Layers |= LayerLoopback
		p.LoopFamily = uint32(d.loop.Family)
		if d.loop.etype != 0 { // an Ethernet type in place of the family
			p.EthType, p.LoopFamily = uint16(d.loop.etype), d.loop.family
		}
		return d.loop.NextLayerType()
	case LayerTypeNFLog:
		return d.nflog.NextLayerType()
	case LayerTypeRawIP:
		return d.raw.NextLayerType()
	case layers.LayerTypeARP:
		d.collectARP(p)
		return d.arp.NextLayerType()
	case layers.LayerTypeIPv4:
		d.collectIPv4(p)
		return d.ip4.NextLayerType()
	case layers.LayerTypeIPv6:
		d.collectIPv6(p)
		return d.ip6.NextLayerType()
	case layers.LayerTypeIPv6Routing, layers.LayerTypeIPv6Destination, layers.LayerTypeIPv6HopByHop:
		p.IPProto = uint8(d.ext.NextHeader)
		p.IPHdrLen += uint16(d.ext.length) // the sum of all of them, once
		d.ext.length = 0
		return d.ext.NextLayerType()
	case layers.LayerTypeIPv6Fragment:
		p.Layers |= LayerIPv6Frag
		p.V6FragOffset, p.V6FragMore, p.V6FragID = d.frag.Offset, d.frag.More, d.frag.ID
		p.IPProto = uint8(d.frag.NextHeader)
		p.IPHdrLen += 8
		return d.frag.NextLayerType()
	case layers.LayerTypeTCP:
		d.collectTCP(p)
		return gopacket.LayerTypePayload
	case layers.LayerTypeUDP:
		p.Layers |= LayerUDP
		p.SrcPort, p.DstPort = uint16(d.udp.SrcPort), uint16(d.udp.DstPort)
		p.UDPLen = d.udp.Length
		if d.udp.Length >= 8 {
			p.PayloadLen = int(d.udp.Length) - 8
		}
		p.Payload = capped(d.udp.Payload, p.PayloadLen)
		return gopacket.LayerTypePayload
	case layers.LayerTypeICMPv4:
		p.Layers |= LayerICMPv4
		p.ICMPType, p.ICMPCode = d.icmp4.TypeCode.Type(), d.icmp4.TypeCode.Code()
		p.ICMPID, p.ICMPSeq = d.icmp4.Id, d.icmp4.Seq
		p.ICMPChecksum = d.icmp4.Checksum
		if isICMPv4Error(p.ICMPType) {
			quoteIP(d.icmp4.Payload, p)
		}
		return gopacket.LayerTypePayload
	case layers.LayerTypeICMPv6:
		p.Layers |= LayerICMPv6
		p.ICMPType, p.ICMPCode = d.icmp6.TypeCode.Type(), d.icmp6.TypeCode.Code()
		p.ICMPChecksum = d.icmp6.Checksum
		if pl := d.icmp6.Payload; len(pl) >= 4 { // bytes 4-7: id/seq, MTU or pointer
			p.ICMPID, p.ICMPSeq = binary.BigEndian.Uint16(pl), binary.BigEndian.Uint16(pl[2:])
		}
		if p.ICMPType < 128 && len(d.icmp6.Payload) > 4 {
			quoteIP(d.icmp6.Payload[4:], p)
		}
		return d.icmp6.NextLayerType()
	case layers.LayerTypeICMPv6Echo:
		p.ICMPID, p.ICMPSeq = d.echo6.Identifier, d.echo6.SeqNumber
		return gopacket.LayerTypePayload
	}
	return gopacket.LayerTypeZero
}

func (d *Decoder) collectIPv6(p *Packet) {
	ip := &d.ip6
	p.Layers |= LayerIPv6
	p.IPVersion = 6
	p.Src = netip.AddrFrom16([16]byte(ip.SrcIP))
	p.Dst = netip.AddrFrom16([16]byte(ip.DstIP))
	p.IPv6Next = uint8(ip.NextHeader)
	p.IPProto = uint8(ip.NextHeader)
	p.IPHdrLen = 40
	if ip.HopByHop != nil {
		p.IPProto = uint8(ip.HopByHop.NextHeader)
		p.IPHdrLen += uint16(ip.HopByHop.ActualLength)
	}
	p.IPv6Plen = ip.Length
	if ip.Length == 0 && ip.HopByHop != nil {
		p.IPv6Jumbo = ipv6JumboLength(ip.HopByHop.Options)
	}
	p.IPv6Flow = ip.FlowLabel
	p.TTL = ip.HopLimit
	p.TOS = ip.TrafficClass
}

func (d *Decoder) collectTCP(p *Packet) {
	t := &d.tcp
	p.Layers |= LayerTCP
	p.SrcPort, p.DstPort = uint16(t.SrcPort), uint16(t.DstPort)
	p.Seq, p.Ack = t.Seq, t.Ack
	p.Window = t.Window
	p.Urgent = t.Urgent
	p.TCPHdrLen = t.DataOffset * 4
	if len(t.Contents) >= 14 { // all twelve bits, the reserved ones too
		p.TCPFlags = binary.BigEndian.Uint16(t.Contents[12:14]) & 0x0fff
	} else {
		p.TCPFlags = tcpFlags(t)
	}
	p.TCPOptions.fill(t.Options)
	p.PayloadLen = tcpPayloadLen(p, len(t.Payload))
	p.Payload = capped(t.Payload, p.PayloadLen)
}

// capped is b without what lies past the n bytes the headers announce
// (Ethernet padding of a short frame).
func capped(b []byte, n int) []byte {
	return b[:min(len(b), max(n, 0))]
}

// tcpPayloadLen is tcp.len: the IP length minus the IP and TCP headers, as
// Wireshark and tcpdump compute it, so a snapped frame still shows the
// length that was sent. Without a usable IP length, the bytes at hand.
func tcpPayloadLen(p *Packet, captured int) int {
	var ipPayload int
	switch {
	case p.IPVersion == 4 && p.IPLen >= uint32(p.IPHdrLen):
		ipPayload = int(p.IPLen) - int(p.IPHdrLen)
	case p.IPVersion == 6 && p.IPv6Plen != 0:
		ipPayload = int(p.IPv6Plen) + 40 - int(p.IPHdrLen)
	case p.IPVersion == 6 && p.IPv6Jumbo != 0: // the jumbo length counts the extension headers after hop-by-hop
		ipPayload = int(p.IPv6Jumbo) + 40 - int(p.IPHdrLen)
	default:
		return captured
	}
	if n := ipPayload - int(p.TCPHdrLen); n > 0 {
		return n
	}
	return 0
}

func tcpFlags(t *layers.TCP) uint16 {
	var f uint16
	for i, set := range [...]bool{t.FIN, t.SYN, t.RST, t.PSH, t.ACK, t.URG, t.ECE, t.CWR, t.NS} {
		if set {
			f |= 1 << i
		}
	}
	return f
}

// collectRawIPv6 keeps the fixed header of an IPv6 packet whose extension
// headers could not be decoded: Wireshark still shows its addresses.
func collectRawIPv6(data []byte, p *Packet) {
	if len(data) < 40 || data[0]>>4 != 6 {
		return
	}
	p.Layers |= LayerIPv6
	p.IPVersion = 6
	p.TOS = uint8(binary.BigEndian.Uint16(data[0:2]) >> 4)
	p.IPv6Flow = binary.BigEndian.Uint32(data[0:4]) & 0xfffff
	p.IPv6Plen = binary.BigEndian.Uint16(data[4:6])
	p.IPv6Next, p.IPProto = data[6], data[6]
	p.TTL = data[7]
	p.IPHdrLen = 40
	p.Src = netip.AddrFrom16([16]byte(data[8:24]))
	p.Dst = netip.AddrFrom16([16]byte(data[24:40]))
}

// ipv6JumboLength returns the Jumbo Payload option's value (RFC 2675), 0 if none.
func ipv6JumboLength(opts []*layers.IPv6HopByHopOption) uint32 {
	for _, o := range opts {
		if o.OptionType == 0xc2 && len(o.OptionData) == 4 {
			return binary.BigEndian.Uint32(o.OptionData)
		}
	}
	return 0
}

// failed records a layer that did not decode. The TCP layer fills its fixed
// header before it checks the options, so a bad option list still leaves
// ports, sequence numbers and flags to show, as tcpdump and Wireshark do.
func (d *Decoder) failed(next gopacket.LayerType, data []byte, p *Packet, err error) {
	p.Malformed = true
	p.Err = err.Error()
	switch next {
	case layers.LayerTypeTCP:
		p.BadLayer = LayerTCP
		if len(data) >= 20 { // DecodeFromBytes got past the fixed header
			d.collectTCP(p)
			p.TCPOptions.Bad = true
			// The layer's Contents and Payload are set only on success:
			// what they hold now is the previous frame's.
			p.TCPFlags = binary.BigEndian.Uint16(data[12:14]) & 0x0fff
			p.Payload = nil
		} else if len(data) >= 4 { // a header cut short: the ports are there
			p.SrcPort, p.DstPort = binary.BigEndian.Uint16(data), binary.BigEndian.Uint16(data[2:])
		}
	case layers.LayerTypeUDP:
		p.BadLayer = LayerUDP
		if len(data) >= 4 { // ports are there even if the rest of the header is not
			p.Layers |= LayerUDP
			p.SrcPort, p.DstPort = binary.BigEndian.Uint16(data), binary.BigEndian.Uint16(data[2:])
			if len(data) >= 6 {
				p.UDPLen = binary.BigEndian.Uint16(data[4:])
			}
		}
	case layers.LayerTypeIPv4:
		p.BadLayer = LayerIPv4
		if d.ip4.isV6 {
			p.BadLayer = LayerIPv6
			collectRawIPv6(data, p)
		} else {
			d.collectIPv4(p) // the fields read before the problem
		}
	case layers.LayerTypeIPv6:
		p.BadLayer = LayerIPv6
		collectRawIPv6(data, p)
	case layers.LayerTypeARP:
		p.BadLayer = LayerARP
		d.collectARP(p) // the fields read before the bytes ran out
	case layers.LayerTypeICMPv4:
		p.BadLayer = LayerICMPv4
	case layers.LayerTypeICMPv6:
		p.BadLayer = LayerICMPv6
	case layers.LayerTypeIPv6Fragment:
		p.BadLayer = LayerIPv6Frag
	case layers.LayerTypeDot1Q:
		p.BadLayer = LayerVLAN
	default:
		p.BadLayer = LayerEthernet
	}
}

package decode

import (
	"encoding/binary"
	"errors"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// gopacket v1.1.19 lacks a few decoding layers, or decodes them in a way that
// differs from what tcpdump and Wireshark show. The small types here fill
// those gaps and plug into the same DecodingLayerParser.

// LayerTypeSLL2 is Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 276), which
// gopacket v1.1.19 does not know (its LinkType is a uint8).
var LayerTypeSLL2 = gopacket.RegisterLayerType(2760, gopacket.LayerTypeMetadata{Name: "LinuxSLL2"})

// sll2 is the 20-byte Linux cooked v2 header: protocol(2) reserved(2)
// ifindex(4) arphrd(2) pkttype(1) addrlen(1) addr(8).
type sll2 struct {
	layers.BaseLayer
	Proto   layers.EthernetType
	IfIndex uint32
	HaType  uint16
	PktType uint8
	AddrLen uint8
	Addr    [8]byte
}

func (s *sll2) LayerType() gopacket.LayerType     { return LayerTypeSLL2 }
func (s *sll2) CanDecode() gopacket.LayerClass    { return LayerTypeSLL2 }
func (s *sll2) NextLayerType() gopacket.LayerType { return s.Proto.LayerType() }
func (s *sll2) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 20 {
		df.SetTruncated()
		return errors.New("Linux cooked v2 header shorter than 20 bytes")
	}
	s.Proto = layers.EthernetType(binary.BigEndian.Uint16(data[0:2]))
	s.IfIndex = binary.BigEndian.Uint32(data[4:8])
	s.HaType = binary.BigEndian.Uint16(data[8:10])
	s.PktType = data[10]
	s.AddrLen = data[11]
	copy(s.Addr[:], data[12:20])
	s.BaseLayer = layers.BaseLayer{Contents: data[:20], Payload: data[20:]}
	return nil
}

// ipv6Frag is the IPv6 Fragment extension header, which gopacket v1.1.19 can
// only decode through gopacket.NewPacket, not as a DecodingLayer.
type ipv6Frag struct {
	layers.BaseLayer
	NextHeader layers.IPProtocol
	Offset     uint16 // in 8-byte units
	More       bool
	ID         uint32
}

func (f *ipv6Frag) LayerType() gopacket.LayerType  { return layers.LayerTypeIPv6Fragment }
func (f *ipv6Frag) CanDecode() gopacket.LayerClass { return layers.LayerTypeIPv6Fragment }
func (f *ipv6Frag) NextLayerType() gopacket.LayerType {
	if f.Offset != 0 {
		return gopacket.LayerTypeFragment
	}
	return f.NextHeader.LayerType()
}
func (f *ipv6Frag) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 8 {
		df.SetTruncated()
		return errors.New("IPv6 fragment header shorter than 8 bytes")
	}
	f.NextHeader = layers.IPProtocol(data[0])
	v := binary.BigEndian.Uint16(data[2:4])
	f.Offset = v >> 3
	f.More = v&1 != 0
	f.ID = binary.BigEndian.Uint32(data[4:8])
	f.BaseLayer = layers.BaseLayer{Contents: data[:8], Payload: data[8:]}
	return nil
}

// LayerTypeRawIP starts the parse of LINKTYPE_RAW frames, whose first
// byte's version nibble says IPv4 or IPv6.
var LayerTypeRawIP = gopacket.RegisterLayerType(2761, gopacket.LayerTypeMetadata{Name: "RawIP"})

type rawIP struct {
	layers.BaseLayer
	next gopacket.LayerType
}

func (r *rawIP) LayerType() gopacket.LayerType     { return LayerTypeRawIP }
func (r *rawIP) CanDecode() gopacket.LayerClass    { return LayerTypeRawIP }
func (r *rawIP) NextLayerType() gopacket.LayerType { return r.next }
func (r *rawIP) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 1 {
		df.SetTruncated()
		return errors.New("empty raw IP frame")
	}
	switch data[0] >> 4 {
	case 4:
		r.next = layers.LayerTypeIPv4
	case 6:
		r.next = layers.LayerTypeIPv6
	default:
		return errors.New("raw IP frame with IP version neither 4 nor 6")
	}
	r.BaseLayer = layers.BaseLayer{Payload: data}
	return nil
}

// A DecodingLayerParser holds one layer value per type, and the Decoder
// reads the values after the parse, so a type that can repeat in one frame
// must record what it saw as it decodes. dot1q keeps every tag of a QinQ
// stack; ipv6Ext sums the extension headers.

// dot1q records the VLAN tags of a frame, outermost first.
type dot1q struct {
	layers.Dot1Q
	ids   [2]uint16
	tpids [2]uint16 // the ethertype that announced each tag: 0x8100 or 0x88a8
	n     int
	tpid  uint16 // set by the Decoder before the parse: the outer ethertype
}

func (d *dot1q) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if err := d.Dot1Q.DecodeFromBytes(data, df); err != nil {
		return err
	}
	if d.n < len(d.ids) {
		d.ids[d.n], d.tpids[d.n] = d.VLANIdentifier, d.tpid
		d.n++
	}
	d.tpid = uint16(d.Type)
	return nil
}

// ipv6Ext skips IPv6 routing, destination-options and hop-by-hop headers,
// adding up their lengths and keeping the last Next Header.
type ipv6Ext struct {
	layers.IPv6ExtensionSkipper
	length int
}

func (e *ipv6Ext) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if err := e.IPv6ExtensionSkipper.DecodeFromBytes(data, df); err != nil {
		return err
	}
	e.length += len(e.Contents)
	return nil
}

// ethernet maps RARP (0x8035), which gopacket v1.1.19 leaves undecoded, to
// the ARP layer: it has the same packet format (RFC 903).
type ethernet struct{ layers.Ethernet }

func (e *ethernet) NextLayerType() gopacket.LayerType {
	if e.EthernetType == 0x8035 {
		return layers.LayerTypeARP
	}
	return e.Ethernet.NextLayerType()
}

// loopback accepts, as Wireshark does, a header whose last two bytes are an
// ethertype rather than an address family (seen from some capture tools),
// which gopacket rejects.
type loopback struct {
	layers.Loopback
	etype  layers.EthernetType
	family uint32 // with etype: the header as tcpdump reads the family
}

func (l *loopback) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	l.etype, l.Family, l.family = 0, 0, 0
	err := l.Loopback.DecodeFromBytes(data, df)
	if err == nil || len(data) < 4 {
		return err
	}
	switch et := layers.EthernetType(binary.BigEndian.Uint16(data[2:4])); et {
	case layers.EthernetTypeIPv4, layers.EthernetTypeIPv6:
		// An Ethernet type where the family would be (Wireshark's
		// null.type); the family as tcpdump reads it: little-endian
		// unless that leaves the high half set.
		l.etype = et
		fam := binary.LittleEndian.Uint32(data[:4])
		if fam&0xffff0000 != 0 {
			fam = binary.BigEndian.Uint32(data[:4])
		}
		l.family = fam
		l.BaseLayer = layers.BaseLayer{Contents: data[:4], Payload: data[4:]}
		return nil
	}
	return err
}

func (l *loopback) NextLayerType() gopacket.LayerType {
	if l.etype != 0 {
		return l.etype.LayerType()
	}
	return l.Loopback.NextLayerType()
}

// LayerTypeNFLog is Linux netfilter log (LINKTYPE_NFLOG, 239), which gopacket
// v1.1.19 does not decode.
var LayerTypeNFLog = gopacket.RegisterLayerType(2762, gopacket.LayerTypeMetadata{Name: "NFLOG"})

// nflog is the NFLOG header: family(1) version(1) resource id(2), then TLVs
// of length(2, host order — little-endian in practice) and type(2), each
// padded to 4 bytes. The packet is the payload TLV (type 9).
type nflog struct {
	layers.BaseLayer
	Family uint8
	next   gopacket.LayerType
}

func (n *nflog) LayerType() gopacket.LayerType  { return LayerTypeNFLog }
func (n *nflog) CanDecode() gopacket.LayerClass { return LayerTypeNFLog }
func (n *nflog) NextLayerType() gopacket.LayerType {
	return n.next
}
func (n *nflog) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 4 {
		df.SetTruncated()
		return errors.New("NFLOG header shorter than 4 bytes")
	}
	n.Family = data[0]
	n.next = gopacket.LayerTypePayload
	for off := 4; off+4 <= len(data); {
		tlen := int(binary.LittleEndian.Uint16(data[off:]))
		ttype := binary.LittleEndian.Uint16(data[off+2:]) & 0x7fff
		if tlen < 4 || off+tlen > len(data) {
			df.SetTruncated()
			return errors.New("NFLOG TLV runs past the frame")
		}
		if ttype == 9 { // NFULA_PAYLOAD
			n.BaseLayer = layers.BaseLayer{Contents: data[:off+4], Payload: data[off+4 : off+tlen]}
			switch n.Family {
			case 2: // AF_INET
				n.next = layers.LayerTypeIPv4
			case 10: // AF_INET6
				n.next = layers.LayerTypeIPv6
			}
			return nil
		}
		off += (tlen + 3) &^ 3
	}
	n.BaseLayer = layers.BaseLayer{Contents: data}
	return nil
}

// ipv6 rejects a header whose version is not 6 (Wireshark shows no IPv6
// fields then), fixes gopacket's payload of a jumbogram (it leaves the
// hop-by-hop header in the payload) and stops at IP-in-IP, whose inner
// header would overwrite the outer one's fields.
type ipv6 struct{ layers.IPv6 }

func (i *ipv6) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) > 0 && data[0]>>4 != 6 {
		return errors.New("IPv6 header with IP version not 6")
	}
	if err := i.IPv6.DecodeFromBytes(data, df); err != nil {
		return err
	}
	if i.Length == 0 && i.HopByHop != nil && len(i.Payload) >= i.HopByHop.ActualLength {
		i.Payload = i.Payload[i.HopByHop.ActualLength:]
	}
	return nil
}

func (i *ipv6) NextLayerType() gopacket.LayerType {
	next := i.IPv6.NextLayerType()
	if next == layers.LayerTypeIPv4 || next == layers.LayerTypeIPv6 {
		return gopacket.LayerTypePayload
	}
	return next
}

package decode

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// arp is the ARP (and RARP) header with addresses of any size, as RFC 826
// allows: hardware type(2) protocol type(2) hlen(1) plen(1) op(2), then
// sender hw, sender proto, target hw, target proto. gopacket's ARP adds the
// sizes in 8 bits, so large sizes wrap and index past the frame.
type arp struct {
	layers.BaseLayer
	AddrType        uint16
	Protocol        layers.EthernetType
	HwAddressSize   uint8
	ProtAddressSize uint8
	Operation       uint16
	SHA, SPA        []byte
	THA, TPA        []byte
}

var errARPShort = errors.New("ARP header shorter than its address sizes announce")

func (a *arp) LayerType() gopacket.LayerType     { return layers.LayerTypeARP }
func (a *arp) CanDecode() gopacket.LayerClass    { return layers.LayerTypeARP }
func (a *arp) NextLayerType() gopacket.LayerType { return gopacket.LayerTypePayload }
func (a *arp) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	a.SHA, a.SPA, a.THA, a.TPA = nil, nil, nil, nil
	if len(data) < 8 {
		df.SetTruncated()
		return errors.New("ARP header shorter than 8 bytes")
	}
	a.AddrType = binary.BigEndian.Uint16(data[0:2])
	a.Protocol = layers.EthernetType(binary.BigEndian.Uint16(data[2:4]))
	a.HwAddressSize, a.ProtAddressSize = data[4], data[5]
	a.Operation = binary.BigEndian.Uint16(data[6:8])
	h, pl := int(a.HwAddressSize), int(a.ProtAddressSize)
	end := 8 + 2*h + 2*pl
	// Keep what the bytes hold, in order, even when the frame is cut short.
	off := 8
	take := func(n int) []byte {
		if off+n > len(data) {
			off = len(data)
			return nil
		}
		b := data[off : off+n]
		off += n
		return b
	}
	a.SHA, a.SPA, a.THA, a.TPA = take(h), take(pl), take(h), take(pl)
	if end > len(data) {
		df.SetTruncated()
		a.BaseLayer = layers.BaseLayer{Contents: data}
		return errARPShort
	}
	a.BaseLayer = layers.BaseLayer{Contents: data[:end], Payload: data[end:]}
	return nil
}

// collectARP copies what the ARP header held; it is called for a complete
// header and for one cut short (the fields read before the cut).
func (d *Decoder) collectARP(p *Packet) {
	p.Layers |= LayerARP
	a := &d.arp
	p.ARPHType, p.ARPPType = a.AddrType, uint16(a.Protocol)
	p.ARPOp = a.Operation
	p.ARPHLen, p.ARPPLen = a.HwAddressSize, a.ProtAddressSize
	copy(p.ARPSHA[:], a.SHA)
	copy(p.ARPTHA[:], a.THA)
	if a.Protocol == layers.EthernetTypeIPv4 && a.ProtAddressSize == 4 && a.SPA != nil {
		p.ARPSPA = netip.AddrFrom4([4]byte(a.SPA))
		if a.TPA != nil {
			p.ARPTPA = netip.AddrFrom4([4]byte(a.TPA))
		}
	}
}

func init() {
	arpMAC := func(p *Packet) bool { return p.ARPHLen == 6 }
	arpIP := func(p *Packet) bool { return p.ARPSPA.IsValid() }
	h := func(p *Packet) int { return int(p.ARPHLen) }
	l := func(p *Packet) int { return int(p.ARPPLen) }
	registerProto(&Proto{Name: "arp", Title: "Address Resolution Protocol", Order: 0, Layer: LayerARP, Gopacket: "ARP",
		Has: func(*Packet) bool { return true },
		TitleOf: func(p *Packet) string {
			op := arpOpName(p.ARPOp)
			if op == "" {
				op = "unknown"
			}
			return "Address Resolution Protocol (" + strings.ToLower(op) + ")"
		},
		Fields: []ProtoField{
			{Name: "arp.hw.type", Label: "Hardware type", Num: func(p *Packet) uint64 { return uint64(p.ARPHType) },
				Span: func(*Packet) (int, int) { return 0, 2 }},
			{Name: "arp.proto.type", Label: "Protocol type", Hex: 4, Num: func(p *Packet) uint64 { return uint64(p.ARPPType) },
				Show: func(p *Packet) string { return etherLabel(p.ARPPType) + fmt.Sprintf(" (0x%04x)", p.ARPPType) },
				Span: func(*Packet) (int, int) { return 2, 2 }},
			{Name: "arp.hw.size", Label: "Hardware size", Num: func(p *Packet) uint64 { return uint64(p.ARPHLen) },
				Span: func(*Packet) (int, int) { return 4, 1 }},
			{Name: "arp.proto.size", Label: "Protocol size", Num: func(p *Packet) uint64 { return uint64(p.ARPPLen) },
				Span: func(*Packet) (int, int) { return 5, 1 }},
			{Name: "arp.opcode", Label: "Opcode", Num: func(p *Packet) uint64 { return uint64(p.ARPOp) },
				Show: func(p *Packet) string {
					op := arpOpName(p.ARPOp)
					if op == "" {
						op = "Unknown"
					}
					return fmt.Sprintf("%s (%d)", op, p.ARPOp)
				},
				Span: func(*Packet) (int, int) { return 6, 2 }},
			{Name: "arp.src.hw_mac", Label: "Sender MAC address", Kind: FieldString, Has: arpMAC,
				MAC:  func(p *Packet) [6]byte { return p.ARPSHA },
				Span: func(p *Packet) (int, int) { return 8, h(p) }},
			{Name: "arp.src.proto_ipv4", Label: "Sender IP address", Kind: FieldAddr, Has: arpIP,
				Addr: func(p *Packet) netip.Addr { return p.ARPSPA },
				Span: func(p *Packet) (int, int) { return 8 + h(p), l(p) }},
			{Name: "arp.dst.hw_mac", Label: "Target MAC address", Kind: FieldString, Has: arpMAC,
				MAC:  func(p *Packet) [6]byte { return p.ARPTHA },
				Span: func(p *Packet) (int, int) { return 8 + h(p) + l(p), h(p) }},
			{Name: "arp.dst.proto_ipv4", Label: "Target IP address", Kind: FieldAddr, Has: arpIP,
				Addr: func(p *Packet) netip.Addr { return p.ARPTPA },
				Span: func(p *Packet) (int, int) { return 8 + 2*h(p) + l(p), l(p) }},
		}})
}

// appendARP appends tcpdump's ARP line (print-arp.c).
func appendARP(dst []byte, p *Packet) []byte {
	dst = append(dst, "ARP, "...)
	length := p.Len
	if hl := linkHeaderLen(p); hl >= 0 {
		length -= hl
	}
	hlen := int(p.ARPHLen)
	if hlen > len(p.ARPSHA) {
		hlen = len(p.ARPSHA)
	}
	sha, tha := p.ARPSHA[:hlen], p.ARPTHA[:hlen]
	if !p.ARPSPA.IsValid() || p.ARPHLen == 0 {
		// Not IPv4 over a hardware type with addresses: tcpdump names the
		// two address formats and stops.
		dst = append(dst, "Unknown Hardware (len "...)
		dst = txtUint(dst, uint64(p.ARPHLen))
		dst = append(dst, "), Unknown Protocol (len "...)
		dst = txtUint(dst, uint64(p.ARPPLen))
		dst = append(dst, ')')
	} else {
		if name := arpOpName(p.ARPOp); name != "" {
			dst = append(dst, name...)
		} else {
			dst = append(dst, "Unknown ("...)
			dst = txtUint(dst, uint64(p.ARPOp))
			dst = append(dst, ')')
		}
		dst = append(dst, ' ')
		switch p.ARPOp {
		case 1:
			dst = append(dst, "who-has "...)
			dst = txtAddr(dst, p.ARPTPA)
			if !txtAllZero(tha) {
				dst = append(dst, " ("...)
				dst = txtHWAddr(dst, tha)
				dst = append(dst, ')')
			}
			dst = append(dst, " tell "...)
			dst = txtAddr(dst, p.ARPSPA)
		case 2:
			dst = txtAddr(dst, p.ARPSPA)
			dst = append(dst, " is-at "...)
			dst = txtHWAddr(dst, sha)
		case 3:
			dst = append(dst, "who-is "...)
			dst = txtHWAddr(dst, tha)
			dst = append(dst, " tell "...)
			dst = txtHWAddr(dst, sha)
		case 4:
			dst = txtHWAddr(dst, tha)
			dst = append(dst, " at "...)
			dst = txtAddr(dst, p.ARPTPA)
		case 8:
			dst = append(dst, "who-is "...)
			dst = txtHWAddr(dst, tha)
			dst = append(dst, " tell "...)
			dst = txtHWAddr(dst, sha)
		case 9:
			dst = txtHWAddr(dst, sha)
			dst = append(dst, " at "...)
			dst = txtAddr(dst, p.ARPSPA)
		default:
			dst = dst[:len(dst)-1]
		}
	}
	dst = append(dst, ", length "...)
	return txtInt(dst, length)
}

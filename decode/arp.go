package decode

import (
	"encoding/binary"
	"errors"
	"net/netip"

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

package decode

import (
	"encoding/binary"
	"errors"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// sll is the 16-byte Linux cooked capture v1 header (LINKTYPE_LINUX_SLL):
// packet type(2) ARPHRD type(2) address length(2) address(8) protocol(2).
// gopacket's LinuxSLL slices the address by the length field without
// checking it against the 8 bytes the header has.
type sll struct {
	layers.BaseLayer
	PacketType   uint16
	AddrType     uint16
	AddrLen      uint16
	Addr         [8]byte
	EthernetType layers.EthernetType
}

func (s *sll) LayerType() gopacket.LayerType     { return layers.LayerTypeLinuxSLL }
func (s *sll) CanDecode() gopacket.LayerClass    { return layers.LayerTypeLinuxSLL }
func (s *sll) NextLayerType() gopacket.LayerType { return s.EthernetType.LayerType() }
func (s *sll) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 16 {
		df.SetTruncated()
		return errors.New("Linux cooked header shorter than 16 bytes")
	}
	s.PacketType = binary.BigEndian.Uint16(data[0:2])
	s.AddrType = binary.BigEndian.Uint16(data[2:4])
	s.AddrLen = binary.BigEndian.Uint16(data[4:6])
	copy(s.Addr[:], data[6:14])
	s.EthernetType = layers.EthernetType(binary.BigEndian.Uint16(data[14:16]))
	s.BaseLayer = layers.BaseLayer{Contents: data[:16], Payload: data[16:]}
	return nil
}

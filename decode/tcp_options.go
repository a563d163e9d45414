package decode

import (
	"encoding/binary"

	"github.com/google/gopacket/layers"
)

// TCP option kinds sockscope names (IANA "TCP Option Kind Numbers").
const (
	OptEOL       = 0
	OptNOP       = 1
	OptMSS       = 2
	OptWScale    = 3
	OptSACKPerm  = 4
	OptSACK      = 5
	OptTimestamp = 8
	OptMD5       = 19
	OptUserTO    = 28
	OptAuth      = 29
	OptMPTCP     = 30
	OptFastOpen  = 34
	OptExp1      = 253
	OptExp2      = 254
)

// fill records the options gopacket parsed, in order, with the values of
// the kinds the views show. Options of a bad length keep their kind only.
func (o *TCPOptions) fill(opts []layers.TCPOption) {
	for i := range opts {
		o.add(uint8(opts[i].OptionType), opts[i].OptionData)
	}
}

// add records one option of the given kind and data (nil for the one-byte
// kinds): fill's step, and the fast path's (parse).
func (o *TCPOptions) add(kind uint8, data []byte) {
	if int(o.NKinds) < len(o.Kinds) {
		o.Kinds[o.NKinds] = kind
		o.NKinds++
	}
	switch kind {
	case OptMSS:
		if len(data) == 2 && !o.HasMSS {
			o.MSS, o.HasMSS = binary.BigEndian.Uint16(data), true
		}
	case OptWScale:
		if len(data) == 1 && !o.HasWS {
			o.WScale, o.HasWS = data[0], true
		}
	case OptSACKPerm:
		o.SACKPerm = true
	case OptTimestamp:
		if len(data) == 8 && !o.HasTS {
			o.TSVal = binary.BigEndian.Uint32(data)
			o.TSEcr = binary.BigEndian.Uint32(data[4:])
			o.HasTS = true
		}
	case OptSACK:
		for len(data) >= 8 && int(o.NSACK) < len(o.SACK) {
			o.SACK[o.NSACK] = [2]uint32{binary.BigEndian.Uint32(data), binary.BigEndian.Uint32(data[4:])}
			o.NSACK++
			data = data[8:]
		}
	}
}

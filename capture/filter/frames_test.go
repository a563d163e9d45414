package filter

import "encoding/binary"

// Small frame builders for tests.

func ipv4Packet(proto byte, src, dst [4]byte, fragOff uint16, payload []byte) []byte {
	h := make([]byte, 20, 20+len(payload))
	h[0] = 0x45
	binary.BigEndian.PutUint16(h[2:], uint16(20+len(payload)))
	binary.BigEndian.PutUint16(h[6:], fragOff)
	h[8] = 64
	h[9] = proto
	copy(h[12:], src[:])
	copy(h[16:], dst[:])
	return append(h, payload...)
}

func ipv6Packet(next byte, src, dst [16]byte, payload []byte) []byte {
	h := make([]byte, 40, 40+len(payload))
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(len(payload)))
	h[6] = next
	h[7] = 64
	copy(h[8:], src[:])
	copy(h[24:], dst[:])
	return append(h, payload...)
}

func tcpSegment(sport, dport uint16, flags byte, data []byte) []byte {
	h := make([]byte, 20, 20+len(data))
	binary.BigEndian.PutUint16(h[0:], sport)
	binary.BigEndian.PutUint16(h[2:], dport)
	h[12] = 5 << 4
	h[13] = flags
	return append(h, data...)
}

func udpDatagram(sport, dport uint16, data []byte) []byte {
	h := make([]byte, 8, 8+len(data))
	binary.BigEndian.PutUint16(h[0:], sport)
	binary.BigEndian.PutUint16(h[2:], dport)
	binary.BigEndian.PutUint16(h[4:], uint16(8+len(data)))
	return append(h, data...)
}

func ethernet(dst, src [6]byte, etherType uint16, payload []byte) []byte {
	f := make([]byte, 14, 14+len(payload))
	copy(f[0:], dst[:])
	copy(f[6:], src[:])
	binary.BigEndian.PutUint16(f[12:], etherType)
	return append(f, payload...)
}

// vlanTag is the 4 bytes after an 802.1Q/802.1ad TPID: the tag control
// information, then the EtherType of what follows.
func vlanTag(tci, next uint16) []byte {
	return []byte{byte(tci >> 8), byte(tci), byte(next >> 8), byte(next)}
}

// sll is a Linux cooked v1 header in front of payload.
func sll(pktType uint16, proto uint16, payload []byte) []byte {
	h := make([]byte, 16, 16+len(payload))
	binary.BigEndian.PutUint16(h[0:], pktType)
	binary.BigEndian.PutUint16(h[2:], 772)
	binary.BigEndian.PutUint16(h[14:], proto)
	return append(h, payload...)
}

// sll2 is a Linux cooked v2 header in front of payload.
func sll2(pktType byte, proto uint16, payload []byte) []byte {
	h := make([]byte, 20, 20+len(payload))
	binary.BigEndian.PutUint16(h[0:], proto)
	h[10] = pktType
	return append(h, payload...)
}

// null is a BSD loopback header (family in the given byte order).
func null(family uint32, bigEndian bool, payload []byte) []byte {
	h := make([]byte, 4, 4+len(payload))
	if bigEndian {
		binary.BigEndian.PutUint32(h, family)
	} else {
		binary.LittleEndian.PutUint32(h, family)
	}
	return append(h, payload...)
}

var (
	macA  = [6]byte{0x02, 0, 0, 0, 0, 0x0a}
	macB  = [6]byte{0x02, 0, 0, 0, 0, 0x0b}
	bcast = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	ip4A  = [4]byte{192, 0, 2, 1}
	ip4B  = [4]byte{192, 0, 2, 2}
	ip6A  = [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}
	ip6B  = [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 2}
)

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

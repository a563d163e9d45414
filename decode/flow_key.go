package decode

import (
	"encoding/binary"
	"net/netip"
)

// The tracker finds a flow by its 4-tuple once per packet, so the key's
// cost is paid on every packet. Nearly all flows are IPv4: their two ends,
// 32-bit address and 16-bit port each, pack into two integers (key4),
// which hash and compare in a few instructions where connKey's 36 bytes
// take a byte-wise hash and compare. Any other flow (IPv6, or an IPv4 end
// facing an IPv6 one) keeps connKey. The two forms never find each other's
// flows: a packet takes key4 exactly when keyOf would have given it a key
// whose two ends are IPv4-mapped, and connKey otherwise.

// key4 is an IPv4 flow's key: each end packed as address<<16 | port, the
// lower end first, as keyOf orders them (address bytes, then port), so
// both directions find the same flow. key4Tag marks lo: a key4 in use is
// never the zero value, which a flow keyed by connKey holds.
type key4 struct{ lo, hi uint64 }

const key4Tag = 1 << 48

// ipv4Like reports whether keyOf maps a to an IPv4-mapped address: an
// IPv4 address, or an IPv4-mapped IPv6 one (As16 makes them the same
// bytes, so a flow between the two forms is one flow).
func ipv4Like(a netip.Addr) bool { return a.Is4() || a.Is4In6() }

// key4Of returns the compact key of src→dst and the direction of src→dst
// in it (0 when src is the key's first end), as keyOf does; ok is false
// when either address is not ipv4Like, and the flow needs keyOf.
func key4Of(src netip.Addr, sport uint16, dst netip.Addr, dport uint16) (k key4, dir int, ok bool) {
	if !ipv4Like(src) || !ipv4Like(dst) {
		return k, 0, false
	}
	s4, d4 := src.As4(), dst.As4()
	s := uint64(binary.BigEndian.Uint32(s4[:]))<<16 | uint64(sport)
	d := uint64(binary.BigEndian.Uint32(d4[:]))<<16 | uint64(dport)
	if s > d {
		s, d, dir = d, s, 1
	}
	return key4{lo: s | key4Tag, hi: d}, dir, true
}

// full returns the connKey keyOf gives the same flow: the ends as
// IPv4-mapped addresses and ports, in the same order.
func (k key4) full() connKey {
	var c connKey
	for i, e := range [2]uint64{k.lo &^ key4Tag, k.hi} {
		b := c[i*endLen : (i+1)*endLen]
		b[10], b[11] = 0xff, 0xff
		binary.BigEndian.PutUint32(b[12:16], uint32(e>>16))
		binary.BigEndian.PutUint16(b[16:18], uint16(e))
	}
	return c
}

// recentSlots is the size of Tracker.recent: on the benchmark capture
// (30,000 connections, a few hundred at a time) 256 slots find 95% of the
// segments' connections, 1,024 96% (the first segment of each connection,
// 3.6% of them, finds none), for 8 KiB.
const (
	recentBits  = 10
	recentSlots = 1 << recentBits
)

// slot returns k's place in Tracker.recent: a multiplicative hash, whose
// collisions cost only a look-up in the map.
func (k key4) slot() int {
	h := (k.lo ^ k.hi*0x9e3779b97f4a7c15) * 0xd6e8feb86659fd93
	return int(h >> (64 - recentBits))
}

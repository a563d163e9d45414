package main

import (
	bo "encoding/binary"
	"math"
)

// ngBuilder builds little-endian pcapng files byte by byte for tests that
// need what no writer produces: odd if_tsresol/if_tsoffset values, times
// near 2^64 units. Start with newNgBuilder (the Section Header Block).
type ngBuilder struct{ b []byte }

func newNgBuilder() *ngBuilder {
	g := &ngBuilder{}
	le := bo.LittleEndian
	g.block(0x0A0D0D0A, le.AppendUint64(le.AppendUint32(le.AppendUint32(nil, 0x1A2B3C4D), 1), math.MaxUint64))
	return g
}

// block appends a block of type typ, padding body to 32 bits.
func (g *ngBuilder) block(typ uint32, body []byte) {
	le := bo.LittleEndian
	body = append(body, make([]byte, (4-len(body)%4)%4)...)
	n := uint32(12 + len(body))
	g.b = le.AppendUint32(le.AppendUint32(g.b, typ), n)
	g.b = le.AppendUint32(append(g.b, body...), n)
}

// iface appends an Interface Description Block for link with options
// (each from ngOpt), ended by opt_endofopt when there are any.
func (g *ngBuilder) iface(link uint16, opts ...[]byte) {
	body := bo.LittleEndian.AppendUint32(bo.LittleEndian.AppendUint32(nil, uint32(link)), 0)
	for _, o := range opts {
		body = append(body, o...)
	}
	if len(opts) > 0 {
		body = append(body, 0, 0, 0, 0)
	}
	g.block(1, body)
}

// packet appends an Enhanced Packet Block on interface iface at ts units.
func (g *ngBuilder) packet(iface uint32, ts uint64, data []byte) {
	le := bo.LittleEndian
	body := le.AppendUint32(nil, iface)
	body = le.AppendUint32(le.AppendUint32(body, uint32(ts>>32)), uint32(ts))
	body = le.AppendUint32(le.AppendUint32(body, uint32(len(data))), uint32(len(data)))
	g.block(6, append(body, data...))
}

// ngOpt is one option: code, length, value padded to 32 bits.
func ngOpt(code uint16, val []byte) []byte {
	le := bo.LittleEndian
	o := le.AppendUint16(le.AppendUint16(nil, code), uint16(len(val)))
	return append(append(o, val...), make([]byte, (4-len(val)%4)%4)...)
}

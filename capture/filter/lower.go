package filter

import "fmt"

// lowerer turns the parsed tree into tests for one link type, following
// libpcap's gencode.c primitive by primitive (including the order in
// which tests run: a load past the end of a frame rejects the frame, so
// order can matter for truncated frames).
type lowerer struct {
	link link
	pos  int // position of the primitive being lowered, for errors
}

// lowerFail is a primitive the link type cannot support.
type lowerFail struct {
	pos int
	msg string
}

func (lw *lowerer) fail(pos int, format string, args ...any) {
	panic(&lowerFail{pos: pos, msg: fmt.Sprintf(format, args...)})
}

func (lw *lowerer) lower(n node) cond {
	lw.pos = n.position()
	switch n := n.(type) {
	case *andNode:
		return and(lw.lower(n.l), lw.lower(n.r))
	case *orNode:
		return or(lw.lower(n.l), lw.lower(n.r))
	case *notNode:
		return not(lw.lower(n.x))
	case *protoNode:
		return lw.protoAbbrev(n.proto, n.vlans, n.pos)
	case *protoNumNode:
		switch n.proto {
		case kwLink:
			return lw.linktype(n.num, n.vlans)
		case kwIP:
			return lw.ipProto(n.num, n.vlans)
		case kwIP6:
			return lw.ip6Proto(n.num, n.vlans)
		}
		return or(lw.ipProto(n.num, n.vlans), lw.ip6Proto(n.num, n.vlans))
	case *hostNode:
		return lw.host(n)
	case *etherHostNode:
		if lw.link.kind != linkEthernet {
			lw.fail(n.pos, "MAC addresses can be tested only on Ethernet frames")
		}
		return dirTest(n.dir, lw.ehost(6, n.mac), lw.ehost(0, n.mac))
	case *portNode:
		return lw.port(n)
	case *castNode:
		return lw.cast(n)
	case *vlanNode:
		if lw.link.kind != linkEthernet {
			lw.fail(n.pos, "\"vlan\" needs Ethernet frames")
		}
		v := n.vlans
		c := or(or(lw.linktype(ethertype8021Q, v), lw.linktype(ethertype8021AD, v)), lw.linktype(ethertypeQinQ, v))
		if n.hasID {
			c = and(c, cmpMask(load{size: 2, off: lw.payload(v)}, 0x0fff, jeq, n.id))
		}
		return c
	case *directionNode:
		var out cond
		switch lw.link.kind {
		case linkSLL:
			out = cmpK(load{size: 2, off: 0}, jeq, sllOutgoing)
		case linkSLL2:
			out = cmpK(load{size: 1, off: 10}, jeq, sllOutgoing)
		default:
			lw.fail(n.pos, "inbound/outbound need a Linux cooked capture (LINUX_SLL or LINUX_SLL2)")
		}
		if n.outbound {
			return out
		}
		return not(out)
	case *relNode:
		return lw.relation(n)
	}
	panic(fmt.Sprintf("filter: unknown node %T", n))
}

// protoAbbrev is libpcap's gen_proto_abbrev: a bare protocol name.
func (lw *lowerer) protoAbbrev(p keyword, vlans, pos int) cond {
	switch p {
	case kwIP:
		return lw.linktype(ethertypeIP, vlans)
	case kwIP6:
		return lw.linktype(ethertypeIPv6, vlans)
	case kwARP:
		return lw.linktype(ethertypeARP, vlans)
	case kwRARP:
		return lw.linktype(ethertypeRARP, vlans)
	case kwTCP:
		return lw.anyIPProto(ipprotoTCP, vlans)
	case kwUDP:
		return lw.anyIPProto(ipprotoUDP, vlans)
	case kwSCTP:
		return lw.anyIPProto(ipprotoSCTP, vlans)
	case kwPIM:
		return lw.anyIPProto(ipprotoPIM, vlans)
	case kwAH:
		return lw.anyIPProto(ipprotoAH, vlans)
	case kwESP:
		return lw.anyIPProto(ipprotoESP, vlans)
	case kwICMP:
		return lw.ipProto(ipprotoICMP, vlans)
	case kwIGMP:
		return lw.ipProto(ipprotoIGMP, vlans)
	case kwIGRP:
		return lw.ipProto(ipprotoIGRP, vlans)
	case kwVRRP, kwCARP:
		return lw.ipProto(ipprotoVRRP, vlans)
	case kwICMP6:
		return lw.ip6Proto(ipprotoICMPv6, vlans)
	}
	lw.fail(pos, "protocol cannot be used here")
	return nil
}

// ipProto is "ip proto v": the IPv4 protocol field, fragments included.
func (lw *lowerer) ipProto(v uint32, vlans int) cond {
	return and(lw.linktype(ethertypeIP, vlans), cmpK(load{size: 1, off: lw.payload(vlans) + 9}, jeq, v))
}

// ip6Proto is "ip6 proto v": the next header, or the header after a
// fragment header.
func (lw *lowerer) ip6Proto(v uint32, vlans int) cond {
	pl := lw.payload(vlans)
	direct := cmpK(load{size: 1, off: pl + 6}, jeq, v)
	frag := and(cmpK(load{size: 1, off: pl + 6}, jeq, ipprotoFragment), cmpK(load{size: 1, off: pl + 40}, jeq, v))
	return and(lw.linktype(ethertypeIPv6, vlans), or(direct, frag))
}

func (lw *lowerer) anyIPProto(v uint32, vlans int) cond {
	return or(lw.ipProto(v, vlans), lw.ip6Proto(v, vlans))
}

// ipFirstFragment is libpcap's gen_ipfrag: the fragment offset is zero.
func (lw *lowerer) ipFirstFragment(vlans int) cond {
	return not(cmpK(load{size: 2, off: lw.payload(vlans) + 6}, jset, 0x1fff))
}

func dirTest(d dir, src, dst cond) cond {
	switch d {
	case dirSrc:
		return src
	case dirDst:
		return dst
	case dirAnd:
		return and(src, dst)
	}
	return or(src, dst)
}

func (lw *lowerer) host(n *hostNode) cond {
	pl := lw.payload(n.vlans)
	if n.v6 {
		words := func(off uint32) cond {
			var c cond
			for i := range 4 {
				m := be32(n.mask[4*i:])
				if m == 0 {
					continue
				}
				c = and(c, cmpMask(load{size: 4, off: off + 4*uint32(i)}, m, jeq, be32(n.addr[4*i:])&m))
			}
			if c == nil {
				return cConst(true)
			}
			return c
		}
		return and(lw.linktype(ethertypeIPv6, n.vlans), dirTest(n.dir, words(pl+8), words(pl+24)))
	}
	addr, mask := be32(n.addr[:]), be32(n.mask[:])
	op := func(et, src, dst uint32) cond {
		s := cmpMask(load{size: 4, off: pl + src}, mask, jeq, addr&mask)
		d := cmpMask(load{size: 4, off: pl + dst}, mask, jeq, addr&mask)
		return and(lw.linktype(et, n.vlans), dirTest(n.dir, s, d))
	}
	switch n.proto {
	case kwIP:
		return op(ethertypeIP, 12, 16)
	case kwARP:
		return op(ethertypeARP, 14, 24)
	case kwRARP:
		return op(ethertypeRARP, 14, 24)
	}
	return or(or(op(ethertypeIP, 12, 16), op(ethertypeARP, 14, 24)), op(ethertypeRARP, 14, 24))
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// ehost tests the 6-byte MAC address at off (0 destination, 6 source),
// last four bytes first like libpcap's gen_bcmp.
func (lw *lowerer) ehost(off uint32, mac [6]byte) cond {
	return and(cmpK(load{size: 4, off: off + 2}, jeq, be32(mac[2:])),
		cmpK(load{size: 2, off: off}, jeq, uint32(mac[0])<<8|uint32(mac[1])))
}

// port is libpcap's gen_port/gen_portrange for IPv4 (first fragments
// only, the transport header after the IPv4 header and its options) or'd
// with gen_port6/gen_portrange6 for IPv6 (transport header directly after
// the fixed header, no extension headers).
func (lw *lowerer) port(n *portNode) cond {
	pl := lw.payload(n.vlans)
	atom := func(ld load) cond {
		if !n.ranged {
			return cmpK(ld, jeq, n.lo)
		}
		return and(cmpK(ld, jge, n.lo), not(cmpK(ld, jgt, n.hi)))
	}
	var v4, v6 cond
	for _, pr := range n.protos {
		s := atom(load{size: 2, ipx: true, xoff: pl, off: pl})
		d := atom(load{size: 2, ipx: true, xoff: pl, off: pl + 2})
		op := and(and(cmpK(load{size: 1, off: pl + 9}, jeq, pr), lw.ipFirstFragment(n.vlans)), dirTest(n.dir, s, d))
		v4 = or(v4, op)

		s6 := atom(load{size: 2, off: pl + 40})
		d6 := atom(load{size: 2, off: pl + 42})
		v6 = or(v6, and(cmpK(load{size: 1, off: pl + 6}, jeq, pr), dirTest(n.dir, s6, d6)))
	}
	return or(and(lw.linktype(ethertypeIP, n.vlans), v4), and(lw.linktype(ethertypeIPv6, n.vlans), v6))
}

func (lw *lowerer) cast(n *castNode) cond {
	pl := lw.payload(n.vlans)
	switch n.proto {
	case kwIP:
		if n.multicast {
			return and(lw.linktype(ethertypeIP, n.vlans), cmpK(load{size: 1, off: pl + 16}, jge, 224))
		}
		// tcpdump reading a file has netmask 0, so the host part is
		// all 32 bits: 0.0.0.0 or 255.255.255.255.
		dst := load{size: 4, off: pl + 16}
		return and(lw.linktype(ethertypeIP, n.vlans), or(cmpK(dst, jeq, 0), cmpK(dst, jeq, 0xffffffff)))
	case kwIP6:
		return and(lw.linktype(ethertypeIPv6, n.vlans), cmpK(load{size: 1, off: pl + 24}, jeq, 255))
	}
	if lw.link.kind != linkEthernet {
		if n.multicast {
			lw.fail(n.pos, "link-layer multicast needs Ethernet frames")
		}
		lw.fail(n.pos, "link-layer broadcast needs Ethernet frames")
	}
	if n.multicast {
		return cmpK(load{size: 1, off: 0}, jset, 1)
	}
	return lw.ehost(0, [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
}

func (lw *lowerer) relation(n *relNode) cond {
	l, lpre := lw.arith(n.l)
	r, rpre := lw.arith(n.r)
	op := n.op
	lc, lok := l.(aConst)
	rc, rok := r.(aConst)
	if lok && rok {
		a, b := uint32(lc), uint32(rc)
		switch op {
		case ">":
			return cConst(a > b)
		case ">=":
			return cConst(a >= b)
		case "<":
			return cConst(a < b)
		case "<=":
			return cConst(a <= b)
		case "=":
			return cConst(a == b)
		}
		return cConst(a != b)
	}
	if lok {
		l, r = r, l
		op = map[string]string{">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "!=": "!="}[op]
	}
	pre := and(lpre, rpre)
	if c, ok := pre.(cConst); ok && !bool(c) {
		return c
	}
	return cRel{pre: pre, op: op, l: l, r: r}
}

var aluOps = map[string]uint16{
	"+": aluADD, "-": aluSUB, "*": aluMUL, "/": aluDIV, "%": aluMOD,
	"&": aluAND, "|": aluOR, "^": aluXOR, "<<": aluLSH, ">>": aluRSH,
}

// arith lowers an arithmetic expression, returning the protocol checks
// its loads need (libpcap's gen_load conditions).
func (lw *lowerer) arith(a arith) (ar, cond) {
	switch a := a.(type) {
	case *numArith:
		return aConst(a.v), nil
	case *lenArith:
		return aLen{}, nil
	case *negArith:
		x, pre := lw.arith(a.x)
		if c, ok := x.(aConst); ok {
			return aConst(-uint32(c)), pre
		}
		return aNeg{x}, pre
	case *binArith:
		l, lpre := lw.arith(a.l)
		r, rpre := lw.arith(a.r)
		return aBin{op: aluOps[a.op], l: l, r: r}, and(lpre, rpre)
	case *loadArith:
		return lw.load(a)
	}
	panic(fmt.Sprintf("filter: unknown arith %T", a))
}

func (lw *lowerer) load(a *loadArith) (ar, cond) {
	idx, ipre := lw.arith(a.idx)
	lw.pos = a.pos
	v := a.vlans
	if a.proto == kwLink {
		return aLoad{size: a.size, idx: idx, base: 0}, ipre
	}
	pl := lw.payload(v)
	switch a.proto {
	case kwIP, kwIP6, kwARP, kwRARP:
		return aLoad{size: a.size, idx: idx, base: pl}, and(ipre, lw.protoAbbrev(a.proto, v, a.pos))
	case kwICMP6:
		pre := and(and(ipre, lw.protoAbbrev(kwIP6, v, a.pos)), cmpK(load{size: 1, off: pl + 6}, jeq, ipprotoICMPv6))
		return aLoad{size: a.size, idx: idx, base: pl + 40}, pre
	}
	// Transport protocols: IPv4 only, first fragment, after the IPv4
	// header and its options.
	pre := and(and(and(lw.protoAbbrev(kwIP, v, a.pos), ipre), lw.protoAbbrev(a.proto, v, a.pos)), lw.ipFirstFragment(v))
	return aLoad{size: a.size, idx: idx, base: pl, ipx: true, xoff: pl}, pre
}

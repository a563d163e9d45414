package filter

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// The grammar is libpcap's (grammar.y), parsed by recursive descent:
//
//	expr  := term { ("and" | "&&" | "or" | "||") (term | id) }   left to right, equal precedence
//	term  := ("not" | "!") term | "(" expr ")" | head id | proto | other | arith relop arith
//	head  := [proto] [dir] [addr] | [proto] "proto"
//	id    := value | ("not" | "!") id | "(" id { (and|or) id } ")"
//	arith := C-like precedence: | ^ & << >> + - * / % and unary -, over
//	         numbers, "len" and proto "[" arith [":" size] "]"
//
// An id after "and"/"or" with no qualifiers of its own takes those of the
// term before it: "port 80 or 443", "host 10.0.0.1 or not 10.0.0.2".

// qual is the set of qualifiers an id is interpreted with.
type qual struct {
	valid bool // false after a term that has no qualifiers to pass on
	proto keyword
	dir   dir
	addr  keyword // kwNone (host), kwHost, kwNet, kwPort, kwPortrange, kwProto
	text  string  // the qualifier words, for messages
}

// maxNesting bounds parentheses and "not"s so that hostile input cannot
// exhaust the stack.
const maxNesting = 200

type parser struct {
	expr  string
	toks  []token
	i     int
	vlans int // "vlan" keywords seen so far
	nest  int
}

// parse parses expr. An empty expression (only spaces) gives a nil node,
// which matches every frame.
func parse(expr string) (node, error) {
	toks, lerr := lex(expr)
	if lerr != nil {
		return nil, &SyntaxError{Expr: expr, Pos: lerr.pos, Msg: lerr.msg}
	}
	p := &parser{expr: expr, toks: toks}
	if p.peek().kind == tEOF {
		return nil, nil
	}
	var n node
	err := p.catch(func() {
		n, _ = p.parseExpr(qual{}, false)
		if t := p.peek(); t.kind != tEOF {
			p.failf(t.pos, "unexpected %s after a complete expression (missing \"and\" or \"or\"?)", describe(t))
		}
	})
	if err != nil {
		return nil, &SyntaxError{Expr: expr, Pos: err.pos, Msg: err.msg}
	}
	return n, nil
}

// catch runs f, turning a parse failure into an error and restoring the
// parser's position so that another alternative can be tried.
func (p *parser) catch(f func()) (err *parseErr) {
	i, vlans, nest := p.i, p.vlans, p.nest
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*parseErr)
			if !ok {
				panic(r)
			}
			err = pe
			p.i, p.vlans, p.nest = i, vlans, nest
		}
	}()
	f()
	return nil
}

func (p *parser) failf(pos int, format string, args ...any) {
	panic(&parseErr{pos: pos, msg: fmt.Sprintf(format, args...)})
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) here(pos int) at { return at{pos: pos, vlans: p.vlans} }

func (p *parser) enter(pos int) {
	p.nest++
	if p.nest > maxNesting {
		p.failf(pos, "expression nested too deeply")
	}
}

func (p *parser) leave() { p.nest-- }

func isOp(t token, ops ...string) bool {
	if t.kind != tOp {
		return false
	}
	for _, op := range ops {
		if t.text == op {
			return true
		}
	}
	return false
}

func isKw(t token, kw keyword) bool { return t.kind == tKeyword && t.kw == kw }

func isAnd(t token) bool { return isKw(t, kwAnd) || isOp(t, "&&") }
func isOr(t token) bool  { return isKw(t, kwOr) || isOp(t, "||") }
func isNot(t token) bool { return isKw(t, kwNot) || isOp(t, "!") }

func isRelop(t token) bool { return isOp(t, ">", "<", ">=", "<=", "=", "==", "!=") }
func isArithOp(t token) bool {
	return isOp(t, "+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>")
}

func isValue(t token) bool {
	switch t.kind {
	case tNum, tHID, tHID6, tEID, tID:
		return true
	}
	return false
}

// describe names a token for messages.
func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tKeyword:
		return fmt.Sprintf("%q", t.text)
	default:
		return fmt.Sprintf("%q", t.text)
	}
}

// parseExpr parses terms joined by and/or. prev are the qualifiers an id
// in the first position would take (only when idOK: inside "(" after
// "and"/"or").
func (p *parser) parseExpr(prev qual, idOK bool) (node, qual) {
	n, q := p.parseTerm(prev, idOK)
	for {
		t := p.peek()
		var isAndOp bool
		switch {
		case isAnd(t):
			isAndOp = true
		case isOr(t):
		default:
			return n, q
		}
		p.next()
		if p.peek().kind == tEOF {
			p.failf(p.peek().pos, "expected a primitive after %q", t.text)
		}
		m, q2 := p.parseTerm(q, true)
		if isAndOp {
			n = &andNode{at: at{pos: t.pos}, l: n, r: m}
		} else {
			n = &orNode{at: at{pos: t.pos}, l: n, r: m}
		}
		q = q2
	}
}

// parseTerm parses one term; see parseExpr for prev and idOK.
func (p *parser) parseTerm(prev qual, idOK bool) (node, qual) {
	t := p.peek()
	switch {
	case isNot(t):
		p.next()
		p.enter(t.pos)
		x, q := p.parseTerm(prev, idOK)
		p.leave()
		return &notNode{at: at{pos: t.pos}, x: x}, q
	case isOp(t, "("):
		return p.parseParen(prev, idOK)
	case t.kind == tNum:
		if idOK && !isArithOp(p.peekAt(1)) && !isRelop(p.peekAt(1)) {
			return p.parseImpliedID(prev)
		}
		return p.parseRelation(), qual{}
	case isValue(t):
		if idOK {
			return p.parseImpliedID(prev)
		}
		if t.kind == tID {
			p.failf(t.pos, "unknown word %q: expected a primitive (host, net, port, tcp, udp, ...)", t.text)
		}
		p.failf(t.pos, "%s needs a qualifier before it (host, net, port, ...)", describe(t))
	case isOp(t, "-") || isKw(t, kwLen):
		return p.parseRelation(), qual{}
	case t.kind == tKeyword:
		return p.parseKeywordTerm()
	case t.kind == tEOF:
		p.failf(t.pos, "expected a primitive (host, net, port, tcp, ...) at end of expression")
	}
	p.failf(t.pos, "unexpected %s: expected a primitive (host, net, port, tcp, ...)", describe(t))
	return nil, qual{}
}

func (p *parser) parseImpliedID(prev qual) (node, qual) {
	t := p.peek()
	if !prev.valid && t.kind == tID {
		p.failf(t.pos, "unknown word %q: expected a primitive (host, net, port, tcp, udp, ...)", t.text)
	}
	if !prev.valid {
		p.failf(t.pos, "%s needs a qualifier before it (host, net, port, ...): the term before it has none to lend", describe(t))
	}
	return p.parseID(prev), prev
}

// parseParen handles "(": an arithmetic comparison like "(tcp[13] & 2) != 0",
// a parenthesised expression, or (in id position) parenthesised ids.
func (p *parser) parseParen(prev qual, idOK bool) (node, qual) {
	open := p.peek()
	p.enter(open.pos)
	defer p.leave()
	var rel node
	errA := p.catch(func() { rel = p.parseRelation() })
	if errA == nil {
		return rel, qual{}
	}
	var n node
	errB := p.catch(func() {
		p.next()
		n, _ = p.parseExpr(prev, idOK)
		if t := p.peek(); !isOp(t, ")") {
			p.failf(t.pos, "expected \")\" to close the \"(\" at column %d, found %s", p.column(open.pos), describe(t))
		}
		p.next()
	})
	if errB == nil {
		return n, prev
	}
	if errA.pos > errB.pos {
		panic(errA)
	}
	panic(errB)
}

func (p *parser) column(pos int) int { return (&SyntaxError{Expr: p.expr, Pos: pos}).Column() }

// parseKeywordTerm parses a term starting with a keyword.
func (p *parser) parseKeywordTerm() (node, qual) {
	t := p.peek()
	switch {
	case t.kw.isProto():
		if isOp(p.peekAt(1), "[") {
			return p.parseRelation(), qual{}
		}
		return p.parseHead()
	case t.kw.isDir() || t.kw.isAddr() || t.kw == kwProto || t.kw == kwProtochain:
		return p.parseHead()
	}
	p.next()
	switch t.kw {
	case kwLess, kwGreater:
		n := p.next()
		if n.kind != tNum {
			p.failf(n.pos, "expected a length after %q, found %s", t.text, describe(n))
		}
		op := ">="
		if t.kw == kwLess {
			op = "<="
		}
		return &relNode{at: p.here(t.pos), op: op, l: &lenArith{at: p.here(t.pos)}, r: &numArith{at: p.here(n.pos), v: n.num}}, qual{}
	case kwVlan:
		v := &vlanNode{at: p.here(t.pos)}
		if n := p.peek(); n.kind == tNum {
			p.next()
			if n.num > 4095 {
				p.failf(n.pos, "VLAN ID %d greater than maximum 4095", n.num)
			}
			v.hasID, v.id = true, n.num
		}
		p.vlans++
		return v, qual{}
	case kwBroadcast, kwMulticast:
		return &castNode{at: p.here(t.pos), multicast: t.kw == kwMulticast}, qual{}
	case kwInbound, kwOutbound:
		return &directionNode{at: p.here(t.pos), outbound: t.kw == kwOutbound}, qual{}
	case kwAnd, kwOr:
		p.failf(t.pos, "%q needs a primitive before it", t.text)
	case kwMask:
		p.failf(t.pos, `"mask" must follow "net ADDRESS"`)
	}
	p.failf(t.pos, "%q is a pcap-filter keyword that sockscope does not support", t.text)
	return nil, qual{}
}

// parseHead parses [proto] [dir] [addr] and the id after it, or a bare
// protocol, or "proto broadcast/multicast", or "[proto] proto N".
func (p *parser) parseHead() (node, qual) {
	start := p.peek()
	q := qual{valid: true}
	var words []string
	if t := p.peek(); t.kind == tKeyword && t.kw.isProto() {
		p.next()
		if t.kw == kwOtherProto {
			p.failf(t.pos, "protocol %q is not supported by sockscope", t.text)
		}
		q.proto = t.kw
		words = append(words, t.text)
		n := p.peek()
		switch {
		case isKw(n, kwBroadcast) || isKw(n, kwMulticast):
			p.next()
			switch {
			case t.kw == kwLink || t.kw == kwIP:
			case t.kw == kwIP6 && n.kw == kwMulticast:
			case n.kw == kwBroadcast:
				p.failf(t.pos, "only link-layer (ether) and IPv4 (ip) broadcast can be tested")
			default:
				p.failf(t.pos, "only link-layer (ether), IPv4 (ip) and IPv6 (ip6) multicast can be tested")
			}
			return &castNode{at: p.here(t.pos), proto: t.kw, multicast: n.kw == kwMulticast}, qual{}
		case n.kind == tKeyword && (n.kw.isDir() || n.kw.isAddr() || n.kw == kwProto || n.kw == kwProtochain):
		default:
			if t.kw == kwLink {
				p.failf(t.pos, "%q alone is not a test: say ether host, ether src, ether proto, ...", t.text)
			}
			return &protoNode{at: p.here(t.pos), proto: t.kw}, qual{}
		}
	}
	if t := p.peek(); isKw(t, kwProto) || isKw(t, kwProtochain) {
		p.next()
		if t.kw == kwProtochain {
			p.failf(t.pos, `"protochain" is not supported by sockscope`)
		}
		switch q.proto {
		case kwNone, kwLink, kwIP, kwIP6:
		default:
			p.failf(t.pos, "%q cannot qualify \"proto\": use ether, ip, ip6 or nothing", words[0])
		}
		q.addr = kwProto
		q.text = strings.Join(append(words, t.text), " ")
		return p.parseID(q), q
	}
	if t := p.peek(); t.kind == tKeyword && t.kw.isDir() {
		p.next()
		if t.kw == kwOtherDir {
			p.failf(t.pos, "direction %q (802.11 addresses) is not supported by sockscope", t.text)
		}
		q.dir = dirSrc
		if t.kw == kwDst {
			q.dir = dirDst
		}
		words = append(words, t.text)
		if c := p.peek(); isAnd(c) || isOr(c) {
			p.next()
			d := p.next()
			if !(isKw(d, kwSrc) || isKw(d, kwDst)) || d.kw == t.kw {
				p.failf(d.pos, "expected %q after %q", map[keyword]string{kwSrc: "dst", kwDst: "src"}[t.kw], t.text+" "+c.text)
			}
			q.dir = dirAnd
			if isOr(c) {
				q.dir = dirOr
			}
			words = append(words, c.text, d.text)
		}
	}
	if t := p.peek(); t.kind == tKeyword && t.kw.isAddr() {
		p.next()
		if t.kw == kwGateway {
			p.failf(t.pos, `"gateway" needs host name lookups, which sockscope does not do (numeric addresses only)`)
		}
		q.addr = t.kw
		words = append(words, t.text)
	}
	if len(words) == 0 {
		p.failf(start.pos, "unexpected %s", describe(start))
	}
	q.text = strings.Join(words, " ")
	return p.parseID(q), q
}

// parseID parses the value of a primitive with qualifiers q.
func (p *parser) parseID(q qual) node {
	t := p.peek()
	switch {
	case isNot(t):
		p.next()
		p.enter(t.pos)
		x := p.parseID(q)
		p.leave()
		return &notNode{at: at{pos: t.pos}, x: x}
	case isOp(t, "("):
		p.next()
		p.enter(t.pos)
		n := p.parseID(q)
		for {
			c := p.peek()
			if isOp(c, ")") {
				p.next()
				p.leave()
				return n
			}
			if !isAnd(c) && !isOr(c) {
				p.failf(c.pos, "expected \"and\", \"or\" or \")\", found %s", describe(c))
			}
			p.next()
			m := p.parseID(q)
			if isAnd(c) {
				n = &andNode{at: at{pos: c.pos}, l: n, r: m}
			} else {
				n = &orNode{at: at{pos: c.pos}, l: n, r: m}
			}
		}
	case isValue(t):
		p.next()
		return p.primitive(q, t)
	}
	p.failf(t.pos, "expected %s after %q, found %s", expectedValue(q), q.text, describe(t))
	return nil
}

func expectedValue(q qual) string {
	switch q.addr {
	case kwPort:
		return "a port number"
	case kwPortrange:
		return "a port range (like 1024-2047)"
	case kwNet:
		return "a network address"
	case kwProto:
		return "a protocol number or \\name"
	}
	if q.proto == kwLink {
		return "a MAC address"
	}
	return "a host address"
}

// primitive builds the node for value t under qualifiers q.
func (p *parser) primitive(q qual, t token) node {
	a := p.here(t.pos)
	switch q.addr {
	case kwProto:
		return p.protoNum(q, t)
	case kwPort, kwPortrange:
		return p.port(q, t)
	}
	switch t.kind {
	case tEID:
		if q.proto != kwLink || q.addr == kwNet {
			p.failf(t.pos, "MAC address %s used without \"ether\" (say ether host %s)", t.text, t.text)
		}
		mac, _ := parseMAC(t.text)
		return &etherHostNode{at: a, dir: q.dir, mac: mac}
	case tHID6:
		return p.host6(q, t)
	case tHID, tNum:
		return p.host4(q, t)
	}
	if q.proto == kwLink {
		p.failf(t.pos, "%q is not a MAC address (numeric addresses only: no /etc/ethers lookups)", t.text)
	}
	p.failf(t.pos, "%q is not a numeric address: filters take numeric addresses only (no DNS lookups)", t.text)
	return nil
}

func (p *parser) protoNum(q qual, t token) node {
	a := p.here(t.pos)
	switch t.kind {
	case tNum:
		return &protoNumNode{at: a, proto: q.proto, num: t.num}
	case tID:
		names := ipProtoNames
		if q.proto == kwLink {
			names = etherProtoNames
		}
		if v, ok := names[t.text]; ok {
			return &protoNumNode{at: a, proto: q.proto, num: v}
		}
		p.failf(t.pos, "unknown protocol name %q after %q", t.text, q.text)
	}
	p.failf(t.pos, "expected a protocol number or \\name after %q, found %s", q.text, describe(t))
	return nil
}

func (p *parser) port(q qual, t token) node {
	switch q.proto {
	case kwNone, kwTCP, kwUDP, kwSCTP:
	default:
		p.failf(t.pos, "%q cannot qualify %q: use tcp, udp, sctp or nothing", protoWord(q), q.text)
	}
	n := &portNode{at: p.here(t.pos), dir: q.dir, ranged: q.addr == kwPortrange}
	svc := uint8(svcTCP | svcUDP | svcSCTP)
	switch t.kind {
	case tNum:
		n.lo, n.hi = t.num, t.num
	case tID:
		if q.addr == kwPortrange {
			lo, hi, ok := strings.Cut(t.text, "-")
			var s1, s2 uint8
			if ok {
				n.lo, s1, ok = p.portValue(lo)
			}
			if ok {
				n.hi, s2, ok = p.portValue(hi)
			}
			if !ok {
				p.failf(t.pos, "bad port range %q: expected two port numbers like 1024-2047", t.text)
			}
			svc = s1 & s2
			if svc == 0 {
				p.failf(t.pos, "port range %q mixes TCP-only and UDP-only names", t.text)
			}
		} else {
			s, ok := serviceNames[t.text]
			if !ok {
				p.failf(t.pos, "unknown port name %q (use a number)", t.text)
			}
			n.lo, n.hi, svc = s.port, s.port, s.proto
			if svc == svcTCP|svcUDP {
				// libpcap: a name with the same TCP and UDP port
				// matches any transport, SCTP included.
				svc |= svcSCTP
			}
		}
	default:
		p.failf(t.pos, "expected %s after %q, found %s", expectedValue(q), q.text, describe(t))
	}
	for _, v := range []uint32{n.lo, n.hi} {
		if v > 65535 {
			p.failf(t.pos, "port number %d is greater than 65535", v)
		}
	}
	if n.lo > n.hi {
		n.lo, n.hi = n.hi, n.lo
	}
	// libpcap's order: sctp, then tcp, then udp.
	want := map[keyword]uint8{kwNone: svc, kwTCP: svcTCP, kwUDP: svcUDP, kwSCTP: svcSCTP}[q.proto]
	if want&svc == 0 {
		p.failf(t.pos, "port %q is not a %s port", t.text, protoWord(q))
	}
	if q.proto != kwNone {
		svc = want
	}
	if svc == svcTCP|svcUDP|svcSCTP {
		n.protos = []uint32{ipprotoSCTP, ipprotoTCP, ipprotoUDP}
	} else {
		for _, pr := range []struct {
			bit   uint8
			proto uint32
		}{{svcTCP, ipprotoTCP}, {svcUDP, ipprotoUDP}, {svcSCTP, ipprotoSCTP}} {
			if svc&pr.bit != 0 {
				n.protos = append(n.protos, pr.proto)
			}
		}
	}
	return n
}

// portValue parses one end of a port range: a number or a service name.
func (p *parser) portValue(s string) (uint32, uint8, bool) {
	if isNumber(s) {
		v, msg := parseNumber(s)
		return v, svcTCP | svcUDP | svcSCTP, msg == ""
	}
	if svc, ok := serviceNames[s]; ok {
		if svc.proto == svcTCP|svcUDP {
			return svc.port, svcTCP | svcUDP | svcSCTP, true
		}
		return svc.port, svc.proto, true
	}
	return 0, 0, false
}

func protoWord(q qual) string {
	for w, k := range keywords {
		if k == q.proto && q.proto != kwLink {
			return w
		}
	}
	if q.proto == kwLink {
		return "ether"
	}
	return "?"
}

// host4 handles IPv4 hosts and networks: 10.1.2.3, 10.1 (a /16), net 10
// (a /8), 10.0.0.0/8, 10.0.0.0 mask 255.0.0.0, and a bare number as host.
func (p *parser) host4(q qual, t token) node {
	switch q.proto {
	case kwNone, kwIP, kwARP, kwRARP:
	case kwLink:
		p.failf(t.pos, "%q is not a MAC address", t.text)
	default:
		p.failf(t.pos, "%q cannot qualify a host or network: use ip, arp, rarp or nothing", protoWord(q))
	}
	var v, mask uint32
	if t.kind == tNum {
		v, mask = t.num, 0xffffffff
		if q.addr == kwNet {
			for v != 0 && v&0xff000000 == 0 {
				v <<= 8
				mask <<= 8
			}
		}
	} else {
		parts := strings.Split(t.text, ".")
		for _, s := range parts {
			x, msg := parseNumber(s)
			if msg != "" || x > 255 {
				p.failf(t.pos, "invalid IPv4 address %q", t.text)
			}
			v = v<<8 | x
		}
		shift := uint(32 - 8*len(parts))
		v <<= shift
		mask = 0xffffffff << shift
	}
	// Explicit masks: /len or "mask a.b.c.d".
	if n := p.peek(); isOp(n, "/") || isKw(n, kwMask) {
		if t.kind != tHID {
			p.failf(n.pos, "a network mask needs a dotted address before it")
		}
		if q.addr != kwNet {
			p.failf(n.pos, "mask syntax is for networks only: say \"net\", not %q", q.text)
		}
		p.next()
		m := p.next()
		if isOp(n, "/") {
			if m.kind != tNum {
				p.failf(m.pos, "expected a prefix length after \"/\", found %s", describe(m))
			}
			if m.num > 32 {
				p.failf(m.pos, "mask length must be <= 32")
			}
			mask = 0
			if m.num > 0 {
				mask = 0xffffffff << (32 - m.num)
			}
			// libpcap reads the address as 4 bytes here.
			if addr, err := netip.ParseAddr(padV4(t.text)); err == nil {
				b := addr.As4()
				v = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			}
		} else {
			if m.kind != tHID || strings.Count(m.text, ".") != 3 {
				p.failf(m.pos, "expected a dotted mask like 255.255.0.0 after \"mask\", found %s", describe(m))
			}
			mv, err := netip.ParseAddr(m.text)
			if err != nil {
				p.failf(m.pos, "invalid mask %q", m.text)
			}
			b := mv.As4()
			mask = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			if addr, err := netip.ParseAddr(padV4(t.text)); err == nil {
				b := addr.As4()
				v = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			}
		}
		if v&^mask != 0 {
			p.failf(t.pos, "non-network bits set in %q", t.text+n.text+m.text)
		}
	}
	h := &hostNode{at: p.here(t.pos), proto: q.proto, dir: q.dir}
	for i := range 4 {
		h.addr[i] = byte(v >> (24 - 8*i))
		h.mask[i] = byte(mask >> (24 - 8*i))
	}
	return h
}

// padV4 completes "10.1" to "10.1.0.0"; invalid parts were rejected before.
func padV4(s string) string {
	parts := strings.Split(s, ".")
	for i, x := range parts {
		v, _ := parseNumber(x)
		parts[i] = strconv.Itoa(int(v))
	}
	for len(parts) < 4 {
		parts = append(parts, "0")
	}
	return strings.Join(parts, ".")
}

func (p *parser) host6(q qual, t token) node {
	switch q.proto {
	case kwNone, kwIP6:
	default:
		p.failf(t.pos, "%q cannot qualify an IPv6 address: use ip6 or nothing", protoWord(q))
	}
	addr, err := netip.ParseAddr(t.text)
	if err != nil {
		p.failf(t.pos, "invalid IPv6 address %q", t.text)
	}
	bits := 128
	if n := p.peek(); isOp(n, "/") {
		if q.addr != kwNet {
			p.failf(n.pos, "mask syntax is for networks only: say \"net\", not %q", q.text)
		}
		p.next()
		m := p.next()
		if m.kind != tNum {
			p.failf(m.pos, "expected a prefix length after \"/\", found %s", describe(m))
		}
		if m.num > 128 {
			p.failf(m.pos, "mask length must be <= 128")
		}
		bits = int(m.num)
		if pfx := netip.PrefixFrom(addr, bits); pfx.Masked().Addr() != addr {
			p.failf(t.pos, "non-network bits set in %q", t.text+"/"+m.text)
		}
	}
	h := &hostNode{at: p.here(t.pos), proto: q.proto, dir: q.dir, v6: true, addr: addr.As16()}
	for i := range 16 {
		switch {
		case bits >= 8*(i+1):
			h.mask[i] = 0xff
		case bits > 8*i:
			h.mask[i] = byte(0xff << (8 - (bits - 8*i)))
		}
	}
	return h
}

// parseRelation parses arith relop arith.
func (p *parser) parseRelation() node {
	start := p.peek()
	l := p.parseArith(0)
	op := p.peek()
	if !isRelop(op) {
		p.failf(op.pos, "expected a comparison (=, !=, <, <=, >, >=) after the arithmetic expression, found %s", describe(op))
	}
	p.next()
	r := p.parseArith(0)
	o := op.text
	if o == "==" {
		o = "="
	}
	return &relNode{at: p.here(start.pos), op: o, l: l, r: r}
}

// arithmetic operator precedence, lowest first (C's order).
var arithLevels = [][]string{{"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"}}

func (p *parser) parseArith(level int) arith {
	if level == len(arithLevels) {
		return p.parseUnary()
	}
	l := p.parseArith(level + 1)
	for {
		t := p.peek()
		if !isOp(t, arithLevels[level]...) {
			return l
		}
		p.next()
		r := p.parseArith(level + 1)
		l = p.binary(t, l, r)
	}
}

// binary builds l op r, folding constants and rejecting the constant
// divisors and shifts libpcap rejects.
func (p *parser) binary(t token, l, r arith) arith {
	if c, ok := r.(*numArith); ok {
		switch {
		case t.text == "/" && c.v == 0:
			p.failf(c.pos, "division by zero")
		case t.text == "%" && c.v == 0:
			p.failf(c.pos, "modulus by zero")
		case (t.text == "<<" || t.text == ">>") && c.v > 31:
			p.failf(c.pos, "shift by more than 31 bits")
		}
		if a, ok := l.(*numArith); ok {
			return &numArith{at: a.at, v: fold(t.text, a.v, c.v)}
		}
	}
	return &binArith{at: at{pos: t.pos}, op: t.text, l: l, r: r}
}

func fold(op string, a, b uint32) uint32 {
	switch op {
	case "+":
		return a + b
	case "-":
		return a - b
	case "*":
		return a * b
	case "/":
		return a / b
	case "%":
		return a % b
	case "&":
		return a & b
	case "|":
		return a | b
	case "^":
		return a ^ b
	case "<<":
		return a << b
	case ">>":
		return a >> b
	}
	panic("filter: unknown operator " + op)
}

func (p *parser) parseUnary() arith {
	t := p.peek()
	switch {
	case isOp(t, "-"):
		p.next()
		p.enter(t.pos)
		x := p.parseUnary()
		p.leave()
		if c, ok := x.(*numArith); ok {
			return &numArith{at: c.at, v: -c.v}
		}
		return &negArith{at: at{pos: t.pos}, x: x}
	case isOp(t, "("):
		p.next()
		p.enter(t.pos)
		x := p.parseArith(0)
		if c := p.peek(); !isOp(c, ")") {
			p.failf(c.pos, "expected \")\" to close the \"(\" at column %d, found %s", p.column(t.pos), describe(c))
		}
		p.next()
		p.leave()
		return x
	case t.kind == tNum:
		p.next()
		return &numArith{at: p.here(t.pos), v: t.num}
	case isKw(t, kwLen):
		p.next()
		return &lenArith{at: p.here(t.pos)}
	case t.kind == tKeyword && t.kw.isProto():
		return p.parseLoad()
	}
	p.failf(t.pos, "expected a number, len or proto[offset] in the arithmetic expression, found %s", describe(t))
	return nil
}

// parseLoad parses proto[expr] and proto[expr:size].
func (p *parser) parseLoad() arith {
	t := p.next()
	switch t.kw {
	case kwLink, kwIP, kwIP6, kwARP, kwRARP, kwTCP, kwUDP, kwSCTP, kwICMP, kwICMP6,
		kwIGMP, kwIGRP, kwPIM, kwVRRP, kwCARP:
	default:
		p.failf(t.pos, "%q[...] is not supported", t.text)
	}
	b := p.peek()
	if !isOp(b, "[") {
		p.failf(b.pos, "expected \"[\" after %q in the arithmetic expression, found %s", t.text, describe(b))
	}
	p.next()
	p.enter(b.pos)
	defer p.leave()
	ld := &loadArith{at: p.here(t.pos), proto: t.kw, size: 1}
	ld.idx = p.parseArith(0)
	if c := p.peek(); isOp(c, ":") {
		p.next()
		s := p.next()
		if s.kind != tNum {
			p.failf(s.pos, "expected a size (1, 2 or 4) after \":\", found %s", describe(s))
		}
		if s.num != 1 && s.num != 2 && s.num != 4 {
			p.failf(s.pos, "data size must be 1, 2, or 4")
		}
		ld.size = s.num
	}
	if c := p.peek(); !isOp(c, "]") {
		p.failf(c.pos, "expected \"]\" to close %q at column %d, found %s", t.text+"[", p.column(b.pos), describe(c))
	}
	p.next()
	return ld
}

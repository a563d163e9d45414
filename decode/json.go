package decode

import (
	"encoding/binary"
	"net/netip"
	"slices"

	"github.com/sockscope/sockscope/internal/escape"
)

// AppendJSON appends p as one JSON object whose keys are Wireshark display
// field names (the columns of the tshark exports the tests compare with), so
// the output can be compared with Wireshark and read with jq. A key is
// present only when the packet has that field. Numbers are JSON numbers,
// frame.time_epoch is a string (seconds.nanoseconds: a float64 would lose the
// nanoseconds), addresses and names are strings. The README documents the
// schema. No newline is appended.
func AppendJSON(dst []byte, p *Packet) []byte {
	o := jsonObj{b: append(dst, '{')}
	o.uint(`"frame.number":`, uint64(p.Number))
	if !p.NoTime {
		o.key(`"frame.time_epoch":`)
		o.b = append(o.b, '"')
		o.b = appendEpoch(o.b, p.Sec, p.Nsec)
		o.b = append(o.b, '"')
	}
	o.next(`,"frame.len":`, uint64(p.Len))
	o.next(`,"frame.cap_len":`, uint64(p.CapLen))
	o.next(`,"frame.link_type":`, uint64(p.LinkType))
	if p.FrameOptions != nil {
		appendCommentsJSON(&o, p)
	}

	// Every protocol's members, outermost first (registry.go): the link
	// layers, ARP, ICMP, the tunnel headers, DNS, then the IP headers
	// (the first of each version, the innermost under inner.*), TCP and UDP.
	appendProtocolsJSON(&o, p)
	if p.Layers&LayerDNS == 0 && len(p.Payload) > 0 {
		// A payload sockscope does not decode is Wireshark's data
		// dissector's: data.data as tshark -T fields prints a bytes field
		// (lower-case hex, no separators, as the corpus's
		// tcp.options.sack_perm "0402"), so every byte is there and no
		// byte can reach a terminal or a parser as itself.
		o.key(`"data.data":`)
		o.b = append(o.b, '"')
		o.b = appendHex(o.b, p.Payload)
		o.b = append(o.b, '"')
		o.next(`,"data.len":`, uint64(len(p.Payload)))
	}
	if p.Malformed {
		o.key(`"_ws.malformed":`)
		o.b = append(o.b, "true"...)
		o.str(`"sockscope.error":`, p.Err)
		o.str(`"_ws.expert.message":`, p.Err)
	} else if p.Note != "" {
		o.str(`"_ws.expert.message":`, p.Note)
	}
	return append(o.b, '}')
}

// jsonObj appends the members of one JSON object.
type jsonObj struct {
	b    []byte
	more bool
}

// key starts a member; k is the quoted name with its colon, `"ip.src":`,
// so that a member costs one append.
func (o *jsonObj) key(k string) {
	o.b = appendKey(o.b, o.more, k)
	o.more = true
}

// next is uint for a member that is never its object's first (a
// protocol's, written after frame.*), with its comma, quoted key and colon
// given as one constant (`,"tcp.srcport":`): where the call is inlined the
// compiler copies it in a few moves, where uint takes a key of any length
// and a comma flag. JSON replay of the benchmark capture spends
// 8% less CPU (36 numeric members a packet).
func (o *jsonObj) next(kc string, v uint64) { o.b = appendUint(append(o.b, kc...), v) }

// nextAddr and nextMAC are addr and mac as next is uint, and nextName
// writes a string that needs no escaping (a constant name) the same way:
// kq is the comma, quoted key, colon and opening quote (`,"ip.src":"`).
func (o *jsonObj) nextAddr(kq string, a netip.Addr) {
	o.b = append(appendAddr(append(o.b, kq...), a), '"')
}

func (o *jsonObj) nextMAC(kq string, m [6]byte) {
	o.b = append(AppendMAC(append(o.b, kq...), m), '"')
}

func (o *jsonObj) nextName(kq, v string) { o.b = append(append(append(o.b, kq...), v...), '"') }

func (o *jsonObj) uint(k string, v uint64) {
	o.b = appendKeyUint(o.b, o.more, k, v)
	o.more = true
}

func (o *jsonObj) bit(k string, v bool) {
	o.key(k)
	if v {
		o.b = append(o.b, '1')
	} else {
		o.b = append(o.b, '0')
	}
}

// str writes text sockscope composed (an error message, a call's quoted
// arguments, a state name): only dangerous characters are escaped, as the
// text printer does. Bytes from the wire go through appendJSONString.
func (o *jsonObj) str(k, v string) {
	o.key(k)
	o.b = append(o.b, '"')
	o.b = escape.AppendJSONSafe(o.b, v) // composed text: escaped where it was made
	o.b = append(o.b, '"')
}

func (o *jsonObj) addr(k string, a netip.Addr) {
	o.key(k)
	o.b = append(o.b, '"')
	o.b = appendAddr(o.b, a)
	o.b = append(o.b, '"')
}

func (o *jsonObj) mac(k string, m [6]byte) {
	o.key(k)
	o.b = append(o.b, '"')
	o.b = AppendMAC(o.b, m)
	o.b = append(o.b, '"')
}

const hexDigits = "0123456789abcdef"

// hexPairs[c] is c in two lower-case hex digits, the first in the low
// byte (the order a little-endian store writes).
var hexPairs = func() (t [256]uint16) {
	for c := range t {
		t[c] = uint16(hexDigits[c>>4]) | uint16(hexDigits[c&0xf])<<8
	}
	return t
}()

// appendHex appends src in lower-case hex, as hex.AppendEncode does:
// a data segment's payload is most of its JSON line. Sixteen bytes a step
// with SSSE3 where the CPU has it (hex_amd64.s); then eight bytes a step,
// each looked up in hexPairs and the sixteen digits stored as two words,
// which measured faster than computing the digits with word arithmetic.
func appendHex(dst, src []byte) []byte {
	n := len(dst)
	dst = slices.Grow(dst, 2*len(src))[:n+2*len(src)]
	out := dst[n:]
	i := 0
	if hexSIMD && len(src) >= 16 {
		i = len(src) &^ 15
		hexSSSE3(out[:2*i], src[:i])
	}
	for ; i+8 <= len(src) && 2*i+16 <= len(out); i += 8 {
		v := binary.LittleEndian.Uint64(src[i:])
		binary.LittleEndian.PutUint64(out[2*i:], uint64(hexPairs[v&0xff])|
			uint64(hexPairs[v>>8&0xff])<<16|uint64(hexPairs[v>>16&0xff])<<32|uint64(hexPairs[v>>24&0xff])<<48)
		binary.LittleEndian.PutUint64(out[2*i+8:], uint64(hexPairs[v>>32&0xff])|
			uint64(hexPairs[v>>40&0xff])<<16|uint64(hexPairs[v>>48&0xff])<<32|uint64(hexPairs[v>>56])<<48)
	}
	for ; i < len(src) && 2*i+2 <= len(out); i++ {
		binary.LittleEndian.PutUint16(out[2*i:], hexPairs[src[i]])
	}
	return dst
}

// AppendMAC appends m as six colon-separated lower-case hex bytes.
func AppendMAC(dst []byte, m [6]byte) []byte {
	for i, c := range m {
		if i > 0 {
			dst = append(dst, ':')
		}
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return dst
}

// appendEpoch appends the instant sec + nsec/1e9 as a decimal with nine
// fraction digits, the form of Wireshark's frame.time_epoch, so that it
// reads back as the right time: "-0.500000000" for half a second before
// 1970 (Sec -1, Nsec 5e8), and an out-of-range sub-second field (a pcap µs
// field ≥ 1e6) folded into the seconds, as the writers and the TCP
// analysis count it. That field used to be printed as is, which read as a
// different time (µs 4294967295 gave "4294967295.4294967295000", 4295 s
// off); tcpdump's text keeps it as written with "(invalid us)".
func appendEpoch(dst []byte, sec, nsec int64) []byte {
	neg, s, nsec := magnitude(normTime(sec, nsec))
	if neg {
		dst = append(dst, '-')
	}
	dst = appendUint(dst, s)
	dst = append(dst, '.')
	return appendDigits(dst, uint32(nsec), 9)
}

// appendJSONString appends s as the body of a JSON string, escaped by
// sockscope's one policy (internal/escape): the value is what the text
// printer shows, dangerous characters and invalid bytes as visible,
// reversible escapes (`\u202e`, `\xff`), so neither a JSON reader nor a
// terminal showing `jq -r` output ever gets them back.
func appendJSONString(dst []byte, s []byte) []byte {
	return escape.AppendJSON(dst, s)
}

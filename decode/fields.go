package decode

import (
	"encoding/hex"
	"sort"
)

// Display fields: the values of a Packet under the names AppendJSON uses
// (Wireshark's display-field names), for the display filter. The
// protocols' fields come from the registry (registry.go, each protocol's
// file); the frame's own (frame.*, data.*, _ws.*) are added here. A field
// is present exactly when AppendJSON writes its key (a test holds the two
// together), and has the same value: numbers as int, addresses and names as
// strings, frame.time_epoch as float64 seconds. A few names JSON does not
// write are Wireshark's too:
//   - protocols (eth, ip, ipv6, tcp, udp, …, frame), present when the
//     packet has that layer, with the value true;
//   - the flag bits of tcp.flags (tcp.flags.syn, …), 1 or 0;
//   - tcp.analysis.flags, present when any expert flag is;
//   - the pairs tcp.port, udp.port, ip.addr, ipv6.addr and eth.addr, which
//     stand for the source and the destination field at once.

// FieldKind says what values a field takes.
type FieldKind uint8

// Field kinds.
const (
	FieldNumber FieldKind = iota
	FieldString
	FieldAddr  // a string that holds an IP address: compares with CIDR prefixes too
	FieldProto // a protocol: true when the packet has it
	FieldBool  // true when present (_ws.malformed)
)

// Field is one display field.
type Field struct {
	Name string
	Kind FieldKind
	// Pair names the two fields a pair (tcp.port) stands for; Get is nil.
	Pair [2]string
	// Get returns the field's value in p, or nil when p does not have it.
	Get func(p *Packet) any
}

var (
	fieldList  []*Field
	fieldIndex = map[string]*Field{}
)

// LookupField returns the display field called name.
func LookupField(name string) (*Field, bool) {
	f, ok := fieldIndex[name]
	return f, ok
}

// FieldNames lists every display field name, sorted.
func FieldNames() []string {
	names := make([]string, len(fieldList))
	for i, f := range fieldList {
		names[i] = f.Name
	}
	sort.Strings(names)
	return names
}

func addField(name string, kind FieldKind, get func(p *Packet) any) {
	f := &Field{Name: name, Kind: kind, Get: get}
	fieldList = append(fieldList, f)
	fieldIndex[name] = f
}

func addPair(name string, kind FieldKind, a, b string) {
	f := &Field{Name: name, Kind: kind, Pair: [2]string{a, b}}
	fieldList = append(fieldList, f)
	fieldIndex[name] = f
}

// num adds a number field present when has(p).
func num(name string, has func(p *Packet) bool, v func(p *Packet) int) {
	addField(name, FieldNumber, func(p *Packet) any {
		if !has(p) {
			return nil
		}
		return v(p)
	})
}

func str(name string, has func(p *Packet) bool, v func(p *Packet) string) {
	addField(name, FieldString, func(p *Packet) any {
		if !has(p) {
			return nil
		}
		return v(p)
	})
}

func proto(name string, has func(p *Packet) bool) {
	addField(name, FieldProto, func(p *Packet) any {
		if !has(p) {
			return nil
		}
		return true
	})
}

func always(*Packet) bool { return true }

func macString(m [6]byte) string { return string(AppendMAC(make([]byte, 0, 17), m)) }

func boolInt(v bool) int {
	if v {
		return 1
	}
	return 0
}

// ICMP errors carry the quoted datagram's ports under the transport's
// names, as AppendJSON writes them.
func quotes(proto uint8) func(p *Packet) bool {
	return func(p *Packet) bool {
		return p.Layers&(LayerICMPv4|LayerICMPv6) != 0 && p.Quote.Valid && p.Quote.Proto == proto
	}
}

func init() {
	// Frame.
	proto("frame", always)
	num("frame.number", always, func(p *Packet) int { return p.Number })
	addField("frame.time_epoch", FieldNumber, func(p *Packet) any {
		if p.NoTime {
			return nil
		}
		return float64(p.Sec) + float64(p.Nsec)/1e9
	})
	num("frame.len", always, func(p *Packet) int { return p.Len })
	num("frame.cap_len", always, func(p *Packet) int { return p.CapLen })
	num("frame.link_type", always, func(p *Packet) int { return int(p.LinkType) })

	// The protocols' fields are registered in their files (registry.go).

	// A payload sockscope does not decode: Wireshark's data dissector.
	data := func(p *Packet) bool { return p.Layers&LayerDNS == 0 && len(p.Payload) > 0 }
	str("data.data", data, func(p *Packet) string { return hex.EncodeToString(p.Payload) })
	num("data.len", data, func(p *Packet) int { return len(p.Payload) })

	// Damage.
	addField("_ws.malformed", FieldBool, func(p *Packet) any {
		if !p.Malformed {
			return nil
		}
		return true
	})
	str("sockscope.error", func(p *Packet) bool { return p.Malformed }, func(p *Packet) string { return p.Err })
	str("_ws.expert.message", func(p *Packet) bool { return p.Malformed || p.Note != "" }, func(p *Packet) string {
		if p.Malformed {
			return p.Err
		}
		return p.Note
	})
}

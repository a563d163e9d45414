package decode

import (
	"math/bits"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/google/gopacket"
)

// The protocol registry. A protocol registers once, in its own file, what
// every view needs: its fields (Wireshark's display-field name, which is
// also the JSON key; the display filter's type; the details pane's label;
// how to read the value from a Packet) and its tcpdump-style words. JSON
// (AppendJSON), the display filter (LookupField) and the details pane
// (Details) are driven from it. Every protocol sockscope decodes is
// registered; frame.*, data.* and the damage fields (_ws.*) are the
// frame's own (json.go, fields.go).

// Proto is one registered protocol.
type Proto struct {
	// Name is Wireshark's protocol name (gre), a display field that is
	// true when Has; Title heads its node in the details pane.
	Name, Title string
	// Order places the protocol among the others, outermost first: JSON
	// keys and the text line follow it.
	Order int
	// Layer and Tunnel are the quick test on every packet's path: the
	// packet must have one of these layer or tunnel bits (either, when
	// both are set; none set: every packet) for Has to be asked, and Has
	// then decides.
	Layer  Layer
	Tunnel Tunnel
	// Has reports whether the packet has this protocol's header.
	Has func(p *Packet) bool
	// TitleOf, if set, gives the details heading instead of Title.
	TitleOf func(p *Packet) string
	// Fields are written in this order.
	Fields []ProtoField
	// JSON, if set, writes the protocol's JSON members itself, by hand and
	// in the order of Fields, for a packet that passes the quick test (it
	// decides which members the packet has: Has is not asked): the plain
	// Ethernet/IP/TCP path pays one call per protocol, not one per field.
	// Every key it writes must be one of Fields (TestProtoJSONKeys checks
	// it on every packet of the corpus and testdata). nil: the registry
	// writes every present field.
	// (o is passed by value and returned: a pointer passed through a
	// function value would move every packet's object to the heap.)
	JSON func(o jsonObj, p *Packet) jsonObj
	// Text appends tcpdump's words for the header, ending with the
	// separator before the next header (": "), or is nil.
	Text func(dst []byte, p *Packet) []byte
	// OwnDetails says the details pane builds this protocol's node itself
	// (its Title starts the node's label): DNS lists every record, which
	// the fields do not hold.
	OwnDetails bool
	// Gopacket names gopacket's layer type for this header, if it has one:
	// the details pane puts this protocol's node where that layer is.
	Gopacket string
	// Node, if set, builds that node from gopacket's layer (its header as
	// decoded for the details, every field of it), naming the registered
	// fields by their Label (b.label); nil: the node lists the registered
	// fields. A protocol with a Node gets no node where gopacket has no
	// layer.
	Node func(b *detailBuilder, off int, l gopacket.Layer) DetailNode
	// NoNode says the fields show in another protocol's node (the inner
	// headers of a tunnel, in gopacket's nodes for them).
	NoNode bool
}

// ProtoField is one field of a registered protocol.
type ProtoField struct {
	Name  string // display field and JSON key: gre.key
	Label string // details pane: "Key"
	Kind  FieldKind
	// Has reports whether the packet has the field; nil means whenever it
	// has the protocol.
	Has func(p *Packet) bool
	// Num reads a FieldNumber field; a string field is read by MAC (an
	// Ethernet address), Addr (an IP address) or Str. JSON writes MAC and
	// Addr values without making a string.
	Num  func(p *Packet) uint64
	MAC  func(p *Packet) [6]byte
	Addr func(p *Packet) netip.Addr
	Str  func(p *Packet) string
	// Bytes reads a string field that comes from the wire (a DNS name):
	// JSON escapes it as it writes it, without making a string.
	Bytes func(p *Packet) []byte
	// Hex shows the number in hexadecimal with this many digits in the
	// details pane (0: decimal); Show, if set, gives the value's text there.
	Hex  int
	Show func(p *Packet) string
	// Span, if set, locates the field's bytes from the header's start, for
	// the details pane's hex highlight.
	Span func(p *Packet) (off, n int)
	// Alone says Has alone decides whether the packet has the field, not
	// the protocol's Has too: the ports an ICMP error quotes are
	// tcp.srcport, an 802.1ad tag's ID is ieee8021ad.id.
	Alone bool
	// FilterOnly marks a display field JSON does not write (a flag bit,
	// tcp.analysis.flags); Pair, a name standing for two fields at once
	// (tcp.port: tcp.srcport or tcp.dstport), which has no value itself.
	FilterOnly bool
	Pair       [2]string

	key string // `"name":`, made once
}

var (
	registered []*Proto // in Order
	// byLayer[i] is the set of registered protocols (bit k: registered[k])
	// whose quick test layer bit 1<<i passes, byTunnel[i] tunnel bit 1<<i,
	// noQuick those without a quick test. AppendJSON visits exactly the
	// protocols these name for the packet.
	byLayer  [32]uint64
	byTunnel [16]uint64
	noQuick  uint64
	// writeJSON[k] writes registered[k]'s members for a packet that
	// passes its quick test: its JSON function, or one writing its
	// fields. (An array of functions, not a field of each Proto: the
	// loop reads no Proto on the hot path.)
	writeJSON [64]func(o jsonObj, p *Packet) jsonObj
	// fieldLabel is every registered field's details label, by name.
	fieldLabel = map[string]string{}
	// byGopacket is the protocols with a Node, by gopacket layer name.
	byGopacket = map[string]*Proto{}
)

// quick is the protocol's quick test: a layer or tunnel bit it needs.
func (pr *Proto) quick(p *Packet) bool {
	if pr.Layer == 0 && pr.Tunnel == 0 {
		return true
	}
	return p.Layers&pr.Layer != 0 || p.Tunnel.Kinds&pr.Tunnel != 0
}

// present reports whether p has the protocol: the quick bit test, then Has.
func (pr *Proto) present(p *Packet) bool { return pr.quick(p) && pr.Has(p) }

// registerProto adds pr to the registry and its fields to the display
// fields. It is called from init functions only.
func registerProto(pr *Proto) {
	proto(pr.Name, pr.present)
	for i := range pr.Fields {
		f := &pr.Fields[i]
		f.key = strconv.Quote(f.Name) + ":"
		if f.Label != "" {
			fieldLabel[f.Name] = f.Label
		}
		if f.Pair[0] != "" {
			addPair(f.Name, f.Kind, f.Pair[0], f.Pair[1])
			continue
		}
		has := pr.present
		switch {
		case f.Alone:
			has = func(p *Packet) bool { return pr.quick(p) && f.Has(p) }
		case f.Has != nil:
			has = func(p *Packet) bool { return pr.present(p) && f.Has(p) }
		}
		switch f.Kind {
		case FieldNumber:
			num(f.Name, has, func(p *Packet) int { return int(f.Num(p)) })
		default:
			addField(f.Name, f.Kind, func(p *Packet) any {
				if !has(p) {
					return nil
				}
				return f.text(p)
			})
		}
	}
	if pr.Node != nil {
		byGopacket[pr.Gopacket] = pr
	}
	registered = append(registered, pr)
	if len(registered) > 64 {
		panic("decode: more than 64 registered protocols")
	}
	sort.SliceStable(registered, func(i, j int) bool { return registered[i].Order < registered[j].Order })
	byLayer, byTunnel, noQuick = [32]uint64{}, [16]uint64{}, 0
	for k, pr := range registered {
		for i := range byLayer {
			if pr.Layer&(1<<i) != 0 {
				byLayer[i] |= 1 << k
			}
		}
		for i := range byTunnel {
			if pr.Tunnel&(1<<i) != 0 {
				byTunnel[i] |= 1 << k
			}
		}
		if pr.Layer == 0 && pr.Tunnel == 0 {
			noQuick |= 1 << k
		}
		writeJSON[k] = pr.JSON
		if pr.JSON == nil {
			writeJSON[k] = func(o jsonObj, p *Packet) jsonObj {
				if pr.Has(p) {
					pr.appendFieldsJSON(&o, p)
				}
				return o
			}
		}
	}
}

// label is the details label of the registered field called name, for the
// nodes a protocol's Node builds (name itself if there is no such field:
// TestRegistryDrivesViews finds every label in the nodes).
func (b *detailBuilder) label(name string) string {
	if l, ok := fieldLabel[name]; ok {
		return l
	}
	return name
}

// present reports whether p has the field, given that it has the protocol
// (or passed its quick test, for an Alone field).
func (f *ProtoField) present(p *Packet) bool { return f.Has == nil || f.Has(p) }

// json reports whether JSON writes the field.
func (f *ProtoField) json() bool { return !f.FilterOnly && f.Pair[0] == "" }

// text is a string field's value as text (the filter's and the details').
func (f *ProtoField) text(p *Packet) string {
	switch {
	case f.MAC != nil:
		return macString(f.MAC(p))
	case f.Addr != nil:
		return f.Addr(p).String()
	case f.Bytes != nil:
		return string(f.Bytes(p))
	}
	return f.Str(p)
}

// appendProtocolsJSON writes the members of every registered protocol p
// has, in Order. It visits only the protocols whose quick test p passes
// (quickSet): for a plain TCP segment, Ethernet, IPv4 and TCP.
func appendProtocolsJSON(o *jsonObj, p *Packet) {
	for set := quickSet(p); set != 0; set &= set - 1 {
		*o = writeJSON[bits.TrailingZeros64(set)&63](*o, p)
	}
}

// quickSet is the set of registered protocols whose quick test p passes
// (bit k: registered[k]).
func quickSet(p *Packet) uint64 {
	set := noQuick
	for l := uint32(p.Layers); l != 0; l &= l - 1 {
		set |= byLayer[bits.TrailingZeros32(l)]
	}
	for t := uint16(p.Tunnel.Kinds); t != 0; t &= t - 1 {
		set |= byTunnel[bits.TrailingZeros16(t)]
	}
	return set
}

// appendFieldsJSON writes the present fields of a protocol without a JSON
// function.
func (pr *Proto) appendFieldsJSON(o *jsonObj, p *Packet) {
	for i := range pr.Fields {
		f := &pr.Fields[i]
		if !f.json() || !f.present(p) {
			continue
		}
		switch {
		case f.Kind == FieldNumber:
			o.uint(f.key, f.Num(p))
		case f.MAC != nil:
			o.mac(f.key, f.MAC(p))
		case f.Addr != nil:
			o.addr(f.key, f.Addr(p))
		case f.Bytes != nil:
			o.key(f.key)
			o.b = append(o.b, '"')
			o.b = appendJSONString(o.b, f.Bytes(p))
			o.b = append(o.b, '"')
		default:
			o.str(f.key, f.Str(p))
		}
	}
}

// appendRegisteredText appends the words of every registered protocol p
// has, outermost first.
func appendRegisteredText(dst []byte, p *Packet) []byte {
	for _, pr := range registered {
		if pr.Text != nil && pr.present(p) {
			dst = pr.Text(dst, p)
		}
	}
	return dst
}

// detailNode is pr's node in the details pane, over bytes [off, off+n).
func (pr *Proto) detailNode(p *Packet, off, n int) DetailNode {
	title := pr.Title
	if pr.TitleOf != nil {
		title = pr.TitleOf(p)
	}
	d := DetailNode{Label: Printable(title), Off: off, Len: n}
	for i := range pr.Fields {
		f := &pr.Fields[i]
		if !f.json() || f.Label == "" || !f.present(p) {
			continue
		}
		var v string
		switch {
		case f.Show != nil:
			v = f.Show(p)
		case f.Kind != FieldNumber:
			v = f.text(p)
		case f.Hex > 0:
			h := strconv.FormatUint(f.Num(p), 16)
			if len(h) < f.Hex {
				h = strings.Repeat("0", f.Hex-len(h)) + h
			}
			v = "0x" + h + " (" + strconv.FormatUint(f.Num(p), 10) + ")"
		default:
			v = strconv.FormatUint(f.Num(p), 10)
		}
		c := node(0, 0, "%s: %s", f.Label, v)
		if f.Span != nil && n > 0 {
			c.Off, c.Len = f.Span(p)
			c.Off += off
		}
		d.Children = append(d.Children, c)
	}
	return d
}

// registeredByGopacket returns the registered protocol p has whose header
// gopacket decodes as the layer type called name (one without a Node).
func registeredByGopacket(p *Packet, name string) *Proto {
	for _, pr := range registered {
		if pr.Gopacket == name && pr.Node == nil && pr.present(p) {
			return pr
		}
	}
	return nil
}

// at is a ProtoField.Span for a field at a fixed place in its header.
func at(off, n int) func(*Packet) (int, int) { return func(*Packet) (int, int) { return off, n } }

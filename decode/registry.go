package decode

import (
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// The protocol registry. A protocol registers once, in its own file, what
// every view needs: its fields (Wireshark's display-field name, which is
// also the JSON key; the display filter's type; the details pane's label;
// how to read the value from a Packet) and its tcpdump-style words. JSON
// (AppendJSON), the display filter (LookupField) and the details pane
// (Details) are driven from it. The tunnel protocols live here; the
// others still have their code in json.go, fields.go, text.go and
// detail.go and move in one at a time.

// Proto is one registered protocol.
type Proto struct {
	// Name is Wireshark's protocol name (gre), a display field that is
	// true when Has; Title heads its node in the details pane.
	Name, Title string
	// Order places the protocol among the others, outermost first: JSON
	// keys and the text line follow it.
	Order int
	// Layer or Tunnel is a bit the packet must have for Has to be asked
	// (a quick test on every packet's path); Has then decides.
	Layer  Layer
	Tunnel Tunnel
	// Has reports whether the packet has this protocol's header.
	Has func(p *Packet) bool
	// TitleOf, if set, gives the details heading instead of Title.
	TitleOf func(p *Packet) string
	// Fields are written in this order.
	Fields []ProtoField
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

	key string // `"name":`, made once
}

var (
	registered []*Proto
	// anyLayer is every registered protocol's Layer bit together: a packet
	// with none of them and no tunnel has no registered protocol, which
	// appendRegisteredJSON tests once rather than per protocol.
	anyLayer Layer
)

// present reports whether p has the protocol: the quick bit test, then Has.
func (pr *Proto) present(p *Packet) bool {
	if pr.Layer != 0 && p.Layers&pr.Layer == 0 || pr.Tunnel != 0 && p.Tunnel.Kinds&pr.Tunnel == 0 {
		return false
	}
	return pr.Has(p)
}

// registerProto adds pr to the registry and its fields to the display
// fields. It is called from init functions only.
func registerProto(pr *Proto) {
	proto(pr.Name, pr.present)
	for i := range pr.Fields {
		f := &pr.Fields[i]
		f.key = strconv.Quote(f.Name) + ":"
		has := pr.present
		if f.Has != nil {
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
	registered = append(registered, pr)
	anyLayer |= pr.Layer
	sort.SliceStable(registered, func(i, j int) bool { return registered[i].Order < registered[j].Order })
}

func (f *ProtoField) present(p *Packet) bool { return f.Has == nil || f.Has(p) }

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

// appendRegisteredJSON writes the fields of every registered protocol p has.
func appendRegisteredJSON(o *jsonObj, p *Packet) {
	if p.Layers&anyLayer == 0 && p.Tunnel.Kinds == 0 {
		return
	}
	for _, pr := range registered {
		if !pr.present(p) {
			continue
		}
		for i := range pr.Fields {
			f := &pr.Fields[i]
			if !f.present(p) {
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
		if !f.present(p) {
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
// gopacket decodes as the layer type called name.
func registeredByGopacket(p *Packet, name string) *Proto {
	for _, pr := range registered {
		if pr.Gopacket == name && pr.present(p) {
			return pr
		}
	}
	return nil
}

// at is a ProtoField.Span for a field at a fixed place in its header.
func at(off, n int) func(*Packet) (int, int) { return func(*Packet) (int, int) { return off, n } }

package decode

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/internal/escape"
)

// The layer tree of one packet, for the details pane: the only place that
// uses gopacket's full NewPacket, for the one packet a person selects. The
// fast path (Decoder) keeps what every view needs; this tree shows every
// header field gopacket decodes, in Wireshark's words where it has them,
// with what only the sequence of packets knows (relative numbers, stream
// index, expert analysis, endpoint states) taken from the Packet.

// DetailNode is one line of a packet's layer tree. Off and Len locate the
// bytes it describes in the frame (Len 0: none), so that a view can
// highlight them in the hex dump. Labels are printable text: every control
// character, invalid UTF-8 sequence or unprintable rune that came from the
// packet is shown as '.', so a label can never move a terminal's cursor.
type DetailNode struct {
	Label    string
	Children []DetailNode
	Off, Len int
}

// Details returns the layer tree of one frame: a "Frame" node, then one
// node per protocol layer, outermost first. data is the frame as captured
// and p its Packet as the Decoder (with its tracker) filled it. Details
// never fails: what gopacket cannot decode appears as a malformed node.
func Details(data []byte, p *Packet) []DetailNode {
	nodes, _ := details(data, p)
	return nodes
}

// details is Details with the protocol of each node after the first
// (nodes[i+1] is protos[i]'s).
func details(data []byte, p *Packet) (nodes []DetailNode, protos []string) {
	b := detailBuilder{data: data, p: p}
	b.frame()
	b.layers()
	b.registered()
	if len(b.protos) > 0 {
		b.out[0].Children = append(b.out[0].Children, node(0, 0, "[Protocols in frame: %s]", strings.Join(b.protos, ":")))
	}
	return b.out, b.protos
}

type detailBuilder struct {
	data   []byte
	p      *Packet
	out    []DetailNode
	protos []string
	off    int // where the next layer starts in data
}

// node returns a node with a formatted, sanitized label.
func node(off, n int, format string, args ...any) DetailNode {
	return DetailNode{Label: Printable(fmt.Sprintf(format, args...)), Off: off, Len: n}
}

// Printable returns s with every byte or rune that a terminal could act on
// (control characters, DEL, C1 controls, invalid UTF-8, format characters
// such as bidirectional overrides) escaped by sockscope's one policy
// (internal/escape: `\x1b`, `\u202e`, `\xff`), as the text printer and the
// UI show them.
func Printable(s string) string { return escape.Safe(s) }

func (b *detailBuilder) frame() {
	p := b.p
	n := node(0, 0, "Frame %d: %d bytes on wire (%d bits), %d bytes captured (%d bits)",
		p.Number, p.Len, p.Len*8, p.CapLen, p.CapLen*8)
	if !p.NoTime {
		t := time.Unix(p.Sec, p.Nsec)
		n.Children = append(n.Children,
			node(0, 0, "Arrival Time: %s", t.Format("2006-01-02 15:04:05.000000000 MST")),
			// The instant, as frame.time_epoch gives it (an invalid pcap
			// µs field folded into the seconds), not the field as written.
			node(0, 0, "Epoch Arrival Time: %s seconds", appendEpoch(nil, p.Sec, p.Nsec)))
	} else {
		n.Children = append(n.Children, node(0, 0, "Arrival Time: not recorded (pcapng Simple Packet Block)"))
	}
	n.Children = append(n.Children,
		node(0, 0, "Frame Number: %d", p.Number),
		node(0, 0, "Frame Length: %d bytes (%d bits)", p.Len, p.Len*8),
		node(0, 0, "Capture Length: %d bytes (%d bits)", p.CapLen, p.CapLen*8),
		node(0, 0, "Link Type: %s (%d)", linkTypeLabel(p.LinkType), p.LinkType))
	if p.Truncated {
		n.Children = append(n.Children, node(0, 0, "[Truncated: the snapshot length cut this frame short]"))
	}
	if p.Malformed {
		n.Children = append(n.Children, node(0, 0, "[sockscope: malformed: %s]", p.Err))
	}
	b.out = append(b.out, n)
}

func linkTypeLabel(l uint32) string {
	switch l {
	case capture.LinkNull:
		return "BSD loopback"
	case capture.LinkEthernet:
		return "Ethernet"
	case capture.LinkRaw, capture.LinkRawOld, 14:
		return "Raw IP"
	case capture.LinkLoop:
		return "OpenBSD loopback"
	case capture.LinkLinuxSLL:
		return "Linux cooked capture v1"
	case capture.LinkLinuxSLL2:
		return "Linux cooked capture v2"
	case capture.LinkIPv4:
		return "Raw IPv4"
	case capture.LinkIPv6:
		return "Raw IPv6"
	case capture.LinkNFLog:
		return "Linux netfilter log"
	}
	return "unknown"
}

// layers decodes the frame with gopacket and adds a node per layer.
func (b *detailBuilder) layers() {
	data := b.data
	var first gopacket.Decoder
	switch b.p.LinkType {
	case capture.LinkEthernet:
		first = layers.LayerTypeEthernet
	case capture.LinkNull, capture.LinkLoop:
		first = layers.LayerTypeLoopback
	case capture.LinkLinuxSLL:
		first = layers.LayerTypeLinuxSLL
	case capture.LinkIPv4:
		first = layers.LayerTypeIPv4
	case capture.LinkIPv6:
		first = layers.LayerTypeIPv6
	case capture.LinkRaw, capture.LinkRawOld, 14:
		first = layers.LayerTypeIPv4
		if len(data) > 0 && data[0]>>4 == 6 {
			first = layers.LayerTypeIPv6
		}
	case capture.LinkLinuxSLL2:
		// gopacket v1.1.19 has no decoder for these two: ours show the
		// header, gopacket the rest.
		var s sll2
		if err := s.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			b.malformed("Linux cooked capture v2", err.Error())
			return
		}
		b.add(sll2Node(b, &s), "sll2", 20)
		first = s.NextLayerType()
		data = s.Payload
	case capture.LinkNFLog:
		var l nflog
		if err := l.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			b.malformed("Linux netfilter log", err.Error())
			return
		}
		hl := len(l.Contents)
		n := node(0, hl, "Linux netfilter log")
		n.Children = []DetailNode{node(0, 1, "Family: %d", l.Family), node(4, hl-4, "TLVs before the payload: %d bytes", hl-4)}
		b.add(n, "nflog", hl)
		first = l.NextLayerType()
		data = l.Payload
	default:
		b.payload(data, "Data")
		return
	}
	if len(data) == 0 {
		return
	}
	pkt := gopacket.NewPacket(data, first, gopacket.DecodeOptions{NoCopy: true})
	for _, l := range pkt.Layers() {
		b.layer(l)
	}
}

// registered adds a node for each registered protocol the packet has that
// gopacket did not decode (ERSPAN III, WCCP, NSH, MACsec, PIM Register and
// what follows a header gopacket does not know): its fields as the
// Decoder read them, without byte ranges. A protocol whose node is built
// from gopacket's layer (Proto.Node) or shows in another's (NoNode) has
// none.
func (b *detailBuilder) registered() {
	for _, pr := range registered {
		if pr.Node != nil || pr.NoNode || !pr.present(b.p) || slices.Contains(b.protos, pr.Name) {
			continue
		}
		b.protos = append(b.protos, pr.Name)
		b.out = append(b.out, pr.detailNode(b.p, 0, 0))
	}
}

// add appends a top-level node for a layer of n bytes and moves past it.
func (b *detailBuilder) add(n DetailNode, proto string, length int) {
	clampRanges(&n, len(b.data))
	b.protos = append(b.protos, proto)
	b.out = append(b.out, n)
	b.off += length
}

// clampRanges keeps every byte range inside a frame of size bytes: the
// fixed offsets of a header's fields run past the end of a cut-short one.
func clampRanges(n *DetailNode, size int) {
	if n.Off < 0 || n.Off >= size {
		n.Off, n.Len = 0, 0
	} else if n.Off+n.Len > size {
		n.Len = size - n.Off
	}
	for i := range n.Children {
		clampRanges(&n.Children[i], size)
	}
}

func (b *detailBuilder) malformed(what, why string) {
	b.add(node(b.off, len(b.data)-b.off, "[Malformed Packet: %s: %s]", what, why), "malformed", 0)
}

// layer describes one gopacket layer.
func (b *detailBuilder) layer(l gopacket.Layer) {
	o := b.off
	n := len(l.LayerContents())
	if pr := byGopacket[l.LayerType().String()]; pr != nil {
		// A registered protocol whose node is built from gopacket's
		// layer: the link layers, IPv4, IPv6, TCP, UDP.
		b.add(pr.Node(b, o, l), pr.Name, n)
		return
	}
	switch v := l.(type) {
	case *layers.DNS:
		b.add(b.dns(o, v), "dns", n)
	case *gopacket.Payload:
		b.payload(v.LayerContents(), "Data")
	case *gopacket.DecodeFailure:
		b.add(node(o, n, "[Malformed Packet: %s]", v.Error()), "malformed", n)
	default:
		if pr := registeredByGopacket(b.p, l.LayerType().String()); pr != nil {
			b.add(pr.detailNode(b.p, o, n), pr.Name, n)
			return
		}
		b.add(b.generic(o, n, l), strings.ToLower(l.LayerType().String()), n)
	}
}

func b2i(v bool) int {
	if v {
		return 1
	}
	return 0
}

func setLabel(v bool) string {
	if v {
		return "Set"
	}
	return "Not set"
}

func ipProtoLabel(p uint8) string {
	switch p {
	case 1:
		return "ICMP"
	case 2:
		return "IGMP"
	case 6:
		return "TCP"
	case 17:
		return "UDP"
	case 41:
		return "IPv6"
	case 47:
		return "GRE"
	case 50:
		return "ESP"
	case 51:
		return "AH"
	case 58:
		return "ICMPv6"
	case 132:
		return "SCTP"
	case 0:
		return "IPv6 Hop-by-Hop Option"
	case 43:
		return "IPv6 Routing"
	case 44:
		return "IPv6 Fragment"
	case 59:
		return "IPv6 No Next Header"
	case 60:
		return "IPv6 Destination Options"
	}
	return "Unknown"
}

func hexPreview(d []byte, max int) string {
	if len(d) <= max {
		return hex.EncodeToString(d)
	}
	return hex.EncodeToString(d[:max]) + "…"
}

func (b *detailBuilder) payload(d []byte, what string) {
	if len(d) == 0 {
		return
	}
	n := node(b.off, len(d), "%s (%d bytes)", what, len(d))
	n.Children = []DetailNode{
		node(b.off, len(d), "Data: %s", hexPreview(d, 32)),
		node(0, 0, "[Length: %d]", len(d)),
	}
	b.add(n, "data", len(d))
}

// generic describes a layer without a dedicated builder: its exported
// fields, by reflection (NewPacket runs for one packet at a time).
func (b *detailBuilder) generic(o, n int, l gopacket.Layer) DetailNode {
	d := node(o, n, "%s", l.LayerType())
	v := reflect.ValueOf(l)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return d
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return d
	}
	t := v.Type()
	for i := 0; i < t.NumField() && len(d.Children) < 64; i++ {
		f := t.Field(i)
		if !f.IsExported() || f.Anonymous || f.Name == "Contents" || f.Name == "Payload" {
			continue
		}
		d.Children = append(d.Children, node(0, 0, "%s: %s", f.Name, fieldText(v.Field(i))))
	}
	return d
}

func fieldText(v reflect.Value) string {
	if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
		return hexPreview(v.Bytes(), 32)
	}
	s := fmt.Sprintf("%v", v.Interface())
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

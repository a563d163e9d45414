package decode_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
)

func walkDetails(nodes []decode.DetailNode, depth int, fn func(n *decode.DetailNode, depth int)) {
	for i := range nodes {
		fn(&nodes[i], depth)
		walkDetails(nodes[i].Children, depth+1, fn)
	}
}

// TestDetailsCorpus builds the layer tree of every packet of the corpus:
// no panic, printable labels, byte ranges inside the frame.
func TestDetailsCorpus(t *testing.T) {
	nodes := 0
	corpusPackets(t, func(name string, f *capture.Frame, p *decode.Packet) {
		tree := decode.Details(f.Data, p)
		if len(tree) == 0 || !strings.HasPrefix(tree[0].Label, "Frame ") {
			t.Fatalf("%s #%d: tree starts %v", name, p.Number, tree)
		}
		walkDetails(tree, 0, func(n *decode.DetailNode, _ int) {
			nodes++
			for _, r := range n.Label {
				if !unicode.IsPrint(r) && r != ' ' {
					t.Errorf("%s #%d: label %q holds %U", name, p.Number, n.Label, r)
				}
			}
			if n.Len > 0 && (n.Off < 0 || n.Off+n.Len > len(f.Data)) {
				t.Errorf("%s #%d: %q covers bytes %d+%d of a %d-byte frame", name, p.Number, n.Label, n.Off, n.Len, len(f.Data))
			}
		})
	})
	t.Logf("%d detail lines", nodes)
}

// TestDetailsTCP checks the lines a TCP segment's tree must have.
func TestDetailsTCP(t *testing.T) {
	var found bool
	corpusPackets(t, func(name string, f *capture.Frame, p *decode.Packet) {
		if found || !p.IsTCP() || p.PayloadLen == 0 || p.Rel.Seq != 1 || p.Analysis.AcksFrame == 0 {
			return
		}
		found = true
		var labels []string
		walkDetails(decode.Details(f.Data, p), 0, func(n *decode.DetailNode, _ int) { labels = append(labels, n.Label) })
		all := strings.Join(labels, "\n")
		for _, want := range []string{
			"Transmission Control Protocol, Src Port: ",
			"Sequence Number: 1    (relative sequence number)",
			"[Stream index: ",
			"[This is an ACK to the segment in frame: ",
			"[Protocols in frame: ",
			"TCP payload (",
		} {
			if !strings.Contains(all, want) {
				t.Errorf("%s #%d: no line %q in\n%s", name, p.Number, want, all)
			}
		}
	})
	if !found {
		t.Skip("no TCP data segment in the corpus")
	}
}

// TestDetailsHostile: a DNS name and a payload full of terminal escape
// sequences come out escaped, as the text printer shows them.
func TestDetailsHostile(t *testing.T) {
	// Ethernet + IPv4 + UDP 53 + DNS query for "\x1b]0;pwned\x07.[red]".
	name := []byte("\x1b]0;pwned\x07")
	var dns []byte
	dns = append(dns, 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0)
	dns = append(dns, byte(len(name)))
	dns = append(dns, name...)
	dns = append(dns, 5)
	dns = append(dns, "[red]"...)
	dns = append(dns, 0, 0, 1, 0, 1)
	frame := udpFrame(53, dns)
	dec := decode.NewDecoder()
	var p decode.Packet
	f := capture.Frame{Data: frame, Len: len(frame), LinkType: capture.LinkEthernet}
	dec.Decode(&f, 1, &p)
	var all []string
	walkDetails(decode.Details(frame, &p), 0, func(n *decode.DetailNode, _ int) { all = append(all, n.Label) })
	text := strings.Join(all, "\n")
	if strings.ContainsAny(text, "\x1b\x07") {
		t.Errorf("escape bytes in the details:\n%q", text)
	}
	if !strings.Contains(text, `\x1b]0;pwned\x07.[red]: type A, class IN`) {
		t.Errorf("DNS name not shown escaped (internal/escape):\n%s", text)
	}
}

// udpFrame builds Ethernet/IPv4/UDP to port with payload.
func udpFrame(port uint16, payload []byte) []byte {
	b := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00}
	ipLen := 20 + 8 + len(payload)
	b = append(b, 0x45, 0, byte(ipLen>>8), byte(ipLen), 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2)
	udpLen := 8 + len(payload)
	b = append(b, 0x30, 0x39, byte(port>>8), byte(port), byte(udpLen>>8), byte(udpLen), 0, 0)
	return append(b, payload...)
}

// FuzzDetails: the layer tree of any bytes, on any link type, is built
// without a panic and its labels are printable.
func FuzzDetails(f *testing.F) {
	f.Add(udpFrame(53, []byte{0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1}), uint16(1))
	f.Add([]byte{0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0, 80, 0, 81, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 2, 0xff, 0xff, 0, 0, 0, 0}, uint16(101))
	f.Add(make([]byte, 40), uint16(276))
	f.Add([]byte{2, 0, 0, 0, 0x0c, 0, 9, 0, 0x45, 0, 0, 20}, uint16(239))
	f.Fuzz(func(t *testing.T, data []byte, link uint16) {
		dec := decode.NewDecoder()
		fr := capture.Frame{Data: data, Len: len(data), LinkType: uint32(link)}
		var p decode.Packet
		dec.Decode(&fr, 1, &p)
		walkDetails(decode.Details(data, &p), 0, func(n *decode.DetailNode, _ int) {
			for _, r := range n.Label {
				if !unicode.IsPrint(r) && r != ' ' {
					t.Fatalf("label %q holds %U", n.Label, r)
				}
			}
			if n.Len > 0 && (n.Off < 0 || n.Off+n.Len > len(data)) {
				t.Fatalf("%q covers %d+%d of %d bytes", n.Label, n.Off, n.Len, len(data))
			}
		})
	})
}

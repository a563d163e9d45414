package decode_test

import (
	"bytes"
	"context"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/corpus"
)

// analysed sets what the tracker would conclude about a segment.
func analysed(p *decode.Packet, src, dst decode.TCPState, flags decode.Expert) *decode.Packet {
	p.Analysis.SrcState, p.Analysis.DstState, p.Analysis.Flags = src, dst, flags
	return p
}

// A hand-made connection with the states and expert flags a tracker sets:
// the rows carry them, states show only where they change, labels use
// Wireshark's tags.
func TestLadderRowsFromAnalysis(t *testing.T) {
	c := &tcpConv{isn: [2]uint32{1000, 5000}}
	seg := func(dir int, rel uint32, flags uint16, ack uint32, payload string) *decode.Packet {
		p, _ := c.seg(dir, rel, flags, ack, payload)
		p.Sec, p.Nsec = 100, int64(p.Number)*1000 // 1 µs apart
		return p
	}
	b := decode.NewLadderBuilder(decode.ConvRef{Proto: "tcp", Stream: 0})
	b.Add(analysed(seg(0, 0, syn, 0, ""), decode.StateSynSent, decode.StateListen, 0))
	b.Add(analysed(seg(1, 0, syn|ack, 1, ""), decode.StateSynReceived, decode.StateEstablished, 0))
	b.Add(analysed(seg(0, 1, ack, 1, ""), decode.StateEstablished, decode.StateEstablished, 0))
	b.Add(analysed(seg(0, 1, pshAck, 1, "hello"), decode.StateEstablished, decode.StateEstablished, 0))
	b.Add(analysed(seg(0, 1, pshAck, 1, "hello"), decode.StateEstablished, decode.StateEstablished, decode.ExpertRetransmission))
	dup := analysed(seg(1, 1, ack, 1, ""), decode.StateEstablished, decode.StateEstablished, decode.ExpertDuplicateAck)
	dup.Analysis.DupAckNum, dup.Analysis.DupAckFrame = 1, 3
	b.Add(dup)
	zw := analysed(seg(1, 1, ack, 6, ""), decode.StateEstablished, decode.StateEstablished, decode.ExpertZeroWindow)
	zw.Window, zw.Analysis.WindowSize, zw.Analysis.WindowScaled = 0, 0, true
	b.Add(zw)
	// no analysis: states unknown, kept from before
	b.Add(seg(0, 6, finAck, 1, ""))
	// another conversation
	b.Add(&decode.Packet{Layers: decode.LayerTCP, Src: netip.MustParseAddr("192.0.2.9"), Dst: epB.Addr(), SrcPort: 1, DstPort: 80})
	l := b.Ladder()

	if l.Lanes != [2]string{"10.0.0.1:40000", "10.0.0.2:80"} {
		t.Errorf("lanes %q", l.Lanes)
	}
	want := []struct {
		label   string
		dir     int
		changed [2]bool
		state   [2]decode.TCPState
	}{
		{"SYN seq=0 len=0", 0, [2]bool{true, true}, [2]decode.TCPState{decode.StateSynSent, decode.StateListen}},
		{"SYN, ACK seq=0 ack=1 len=0", 1, [2]bool{true, true}, [2]decode.TCPState{decode.StateEstablished, decode.StateSynReceived}},
		{"ACK seq=1 ack=1 len=0", 0, [2]bool{false, true}, [2]decode.TCPState{decode.StateEstablished, decode.StateEstablished}},
		{"PSH, ACK seq=1 ack=1 len=5", 0, [2]bool{}, [2]decode.TCPState{decode.StateEstablished, decode.StateEstablished}},
		{"[TCP Retransmission] PSH, ACK seq=1 ack=1 len=5", 0, [2]bool{}, [2]decode.TCPState{decode.StateEstablished, decode.StateEstablished}},
		{"[TCP Dup ACK 3#1] ACK seq=1 ack=1 len=0", 1, [2]bool{}, [2]decode.TCPState{decode.StateEstablished, decode.StateEstablished}},
		{"[TCP ZeroWindow] ACK seq=1 ack=6 win=0 len=0", 1, [2]bool{}, [2]decode.TCPState{decode.StateEstablished, decode.StateEstablished}},
		{"FIN, ACK seq=6 ack=1 len=0", 0, [2]bool{}, [2]decode.TCPState{decode.StateEstablished, decode.StateEstablished}},
	}
	if len(l.Rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(l.Rows), len(want))
	}
	for i, w := range want {
		r := l.Rows[i]
		if r.Label != w.label || r.Dir != w.dir || r.Changed != w.changed || r.State != w.state {
			t.Errorf("row %d: %q dir %d changed %v state %v; want %q dir %d changed %v state %v",
				i, r.Label, r.Dir, r.Changed, r.State, w.label, w.dir, w.changed, w.state)
		}
		if r.Frame != i+1 || r.Time.Microseconds() != int64(i) {
			t.Errorf("row %d: frame %d time %v", i, r.Frame, r.Time)
		}
	}

	var text bytes.Buffer
	if err := l.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	wantText := `tcp conversation 0: A 10.0.0.1:40000, B 10.0.0.2:80
frame      time  A state       A                                                     B  B state
    1  0.000000  SYN_SENT      |-- SYN seq=0 len=0 --------------------------------->|  LISTEN
    2  0.000001  ESTABLISHED   |<-- SYN, ACK seq=0 ack=1 len=0 ----------------------|  SYN_RECEIVED
    3  0.000002                |-- ACK seq=1 ack=1 len=0 --------------------------->|  ESTABLISHED
    4  0.000003                |-- PSH, ACK seq=1 ack=1 len=5 ---------------------->|
    5  0.000004                |-- [TCP Retransmission] PSH, ACK seq=1 ack=1 len=5 ->|
    6  0.000005                |<-- [TCP Dup ACK 3#1] ACK seq=1 ack=1 len=0 ---------|
    7  0.000006                |<-- [TCP ZeroWindow] ACK seq=1 ack=6 win=0 len=0 ----|
    8  0.000007                |-- FIN, ACK seq=6 ack=1 len=0 ---------------------->|
`
	if text.String() != wantText {
		t.Errorf("text ladder:\n%s\nwant:\n%s", text.String(), wantText)
	}

	var mm bytes.Buffer
	if err := l.WriteMermaid(&mm); err != nil {
		t.Fatal(err)
	}
	wantMermaid := `sequenceDiagram
    participant A as A 10.0.0.1:40000
    participant B as B 10.0.0.2:80
    A->>B: SYN seq=0 len=0 (t=0.000000)
    Note over A: SYN_SENT
    Note over B: LISTEN
    B->>A: SYN, ACK seq=0 ack=1 len=0 (t=0.000001)
    Note over A: ESTABLISHED
    Note over B: SYN_RECEIVED
    A->>B: ACK seq=1 ack=1 len=0 (t=0.000002)
    Note over B: ESTABLISHED
    A->>B: PSH, ACK seq=1 ack=1 len=5 (t=0.000003)
    A->>B: [TCP Retransmission] PSH, ACK seq=1 ack=1 len=5 (t=0.000004)
    B->>A: [TCP Dup ACK 3#35;1] ACK seq=1 ack=1 len=0 (t=0.000005)
    B->>A: [TCP ZeroWindow] ACK seq=1 ack=6 win=0 len=0 (t=0.000006)
    A->>B: FIN, ACK seq=6 ack=1 len=0 (t=0.000007)
`
	if mm.String() != wantMermaid {
		t.Errorf("mermaid ladder:\n%s\nwant:\n%s", mm.String(), wantMermaid)
	}
}

// A UDP conversation: datagrams as arrows, no state columns, and the ICMP
// error that answers one of them drawn back to its sender.
func TestLadderUDPWithICMPError(t *testing.T) {
	a, b := netip.MustParseAddrPort("192.0.2.1:5353"), netip.MustParseAddrPort("192.0.2.2:53")
	udp := func(n int, src, dst netip.AddrPort, size int) *decode.Packet {
		return &decode.Packet{Number: n, Sec: 10, Nsec: int64(n) * 1e6, Layers: decode.LayerIPv4 | decode.LayerUDP,
			Src: src.Addr(), Dst: dst.Addr(), SrcPort: src.Port(), DstPort: dst.Port(), PayloadLen: size}
	}
	icmp := &decode.Packet{Number: 3, Sec: 10, Nsec: 3e6, Layers: decode.LayerIPv4 | decode.LayerICMPv4,
		Src: b.Addr(), Dst: a.Addr(), ICMPType: 3, ICMPCode: 3,
		Quote: decode.Quote{Valid: true, Proto: 17, Src: a.Addr(), Dst: b.Addr(), SrcPort: a.Port(), DstPort: b.Port()}}
	lb := decode.NewLadderBuilder(decode.ConvRef{Proto: "udp", Stream: 4})
	lb.Add(udp(1, a, b, 12))
	lb.Add(udp(2, b, a, 30))
	lb.Add(icmp)
	var text bytes.Buffer
	if err := lb.Ladder().WriteText(&text); err != nil {
		t.Fatal(err)
	}
	want := `udp conversation 4: A 192.0.2.1:5353, B 192.0.2.2:53
frame      time  A                                 B
    1  0.000000  |-- UDP len=12 ------------------>|
    2  0.001000  |<-- UDP len=30 ------------------|
    3  0.002000  |<-- ICMP port unreachable (3/3) -|
`
	if text.String() != want {
		t.Errorf("text ladder:\n%s\nwant:\n%s", text.String(), want)
	}
}

// Mermaid reads '#' and ';' as syntax: they are written as entity codes.
func TestLadderMermaidEscapes(t *testing.T) {
	l := &decode.Ladder{Conv: decode.ConvRef{Proto: "tcp"}, Lanes: [2]string{"[2001:db8::1]:80", "[2001:db8::2]:9"},
		Rows: []decode.LadderRow{{Frame: 1, Label: "a#b;c"}}}
	var mm bytes.Buffer
	if err := l.WriteMermaid(&mm); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mm.String(), "A->>B: a#35;b#59;c (t=0.000000)\n") ||
		!strings.Contains(mm.String(), "participant A as A [2001:db8::1]:80\n") {
		t.Errorf("mermaid:\n%s", mm.String())
	}
}

// BuildLadder over the kernel's half-close capture: the tracker's states
// beside the lanes, its events under their frames.
func TestBuildLadderHalfClose(t *testing.T) {
	path := filepath.Join(corpus.PcapDir(t), "kernel-tcp", "half_close_s1.pcap")
	r, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	l, err := decode.BuildLadder(context.Background(), r, decode.ConvRef{Proto: "tcp", Stream: 0})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Rows) != 12 || l.Roles != [2]decode.Role{decode.RoleClient, decode.RoleServer} {
		t.Fatalf("%d rows, roles %v", len(l.Rows), l.Roles)
	}
	first, last := l.Rows[0], l.Rows[len(l.Rows)-1]
	if first.Label != "SYN seq=0 len=0" || first.State != [2]decode.TCPState{decode.StateSynSent, decode.StateListen} {
		t.Errorf("first row %q %v", first.Label, first.State)
	}
	if last.Label != "FIN, ACK seq=21 ack=1 len=0" || last.Changed != [2]bool{true, true} ||
		last.State != [2]decode.TCPState{decode.StateFinWait1, decode.StateCloseWait} {
		t.Errorf("last row %q changed %v states %v", last.Label, last.Changed, last.State)
	}
	var kinds []string
	for _, e := range l.Events {
		kinds = append(kinds, e.Kind.String())
	}
	if len(kinds) == 0 || kinds[0] != "handshake" {
		t.Errorf("events %v, want the handshake first", kinds)
	}
}

func TestParseConvRef(t *testing.T) {
	for in, want := range map[string]decode.ConvRef{
		"0": {"tcp", 0}, "12": {"tcp", 12}, "tcp:3": {"tcp", 3}, "udp:7": {"udp", 7}, "UDP:1": {"udp", 1},
	} {
		if got, err := decode.ParseConvRef(in); err != nil || got != want {
			t.Errorf("ParseConvRef(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "-1", "icmp:1", "udp:", "1.5"} {
		if _, err := decode.ParseConvRef(bad); err == nil {
			t.Errorf("ParseConvRef(%q): no error", bad)
		}
	}
	e := &decode.NoConversationError{Conv: decode.ConvRef{Proto: "tcp", Stream: 9}, Count: 3}
	if e.Error() != "no tcp conversation 9: the capture has 3 tcp conversations, numbered 0 to 2" {
		t.Errorf("error %q", e.Error())
	}
}

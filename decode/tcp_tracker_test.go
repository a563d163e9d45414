package decode_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/corpus"
)

// decodeAll runs a capture through one decoder and returns its packets and
// the decoder (for its tracker).
func decodeAll(t *testing.T, path string) ([]decode.Packet, *decode.Decoder) {
	t.Helper()
	r, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	dec := decode.NewDecoder()
	var out []decode.Packet
	var f capture.Frame
	for n := 1; ; n++ {
		if err := r.Next(&f); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Logf("%s: %v", path, err)
			}
			return out, dec
		}
		var p decode.Packet
		dec.Decode(&f, n, &p)
		out = append(out, p)
	}
}

func history(h []decode.StateChange) string {
	var b strings.Builder
	for i, s := range h {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s@%d", s.State, s.Frame)
	}
	return b.String()
}

func eventList(ev []decode.Event) string {
	var s []string
	for _, e := range ev {
		s = append(s, e.Kind.String()+fmt.Sprintf("#%d", e.Frame))
	}
	return strings.Join(s, ", ")
}

// TestEndpointStates asserts each endpoint's state history, with the frame
// that caused each change, on real captures: a plain handshake, request,
// response and FIN teardown; a refused connect and an abortive close; a
// half-close.
func TestEndpointStates(t *testing.T) {
	dir := corpus.PcapDir(t)
	type want struct {
		stream              int
		a, b                string // histories, client (A) then server
		handshake, teardown string
		closedBy            string
		events              string
	}
	cases := []struct {
		capture string
		convs   []want
	}{
		{"tcpdump/print-flags.pcap", []want{{0,
			"SYN_SENT@1 ESTABLISHED@2 FIN_WAIT_1@8 TIME_WAIT@9",
			"LISTEN@1 SYN_RECEIVED@2 ESTABLISHED@3 CLOSE_WAIT@8 LAST_ACK@9 CLOSED@10",
			"three-way", "three-way", "client", "handshake#3, three-way close#9"}}},
		{"kernel-tcp/resets_s1.pcap", []want{
			{0, "SYN_SENT@1 CLOSED@2", "LISTEN@1 CLOSED@2", "refused", "refused", "server", "refused#2"},
			{1, "SYN_SENT@3 ESTABLISHED@4 CLOSED@8", "LISTEN@3 SYN_RECEIVED@4 ESTABLISHED@5 CLOSED@8",
				"three-way", "reset", "client", "handshake#5, reset#8"},
		}},
		{"kernel-tcp/half_close_s1.pcap", []want{{0,
			"SYN_SENT@1 ESTABLISHED@2 FIN_WAIT_1@12",
			"LISTEN@1 SYN_RECEIVED@2 ESTABLISHED@3 CLOSE_WAIT@12",
			"three-way", "half-closed", "client", "handshake#3"}}},
		{"gopacket/test_ethernet.pcap", nil}, // printed for the record below
	}
	for _, c := range cases {
		_, dec := decodeAll(t, filepath.Join(dir, c.capture))
		convs := dec.Seq.Conversations(nil)
		for _, cv := range convs {
			if cv.Proto == 6 {
				t.Logf("%s stream %d: A %s | B %s | %s/%s | %s", c.capture, cv.ID, history(cv.HistoryA),
					history(cv.HistoryB), cv.Handshake, cv.Teardown, eventList(cv.Events))
			}
		}
		for _, w := range c.convs {
			cv, ok := dec.Seq.TCPConversation(w.stream)
			if !ok {
				t.Errorf("%s: no stream %d", c.capture, w.stream)
				continue
			}
			got := []string{history(cv.HistoryA), history(cv.HistoryB), cv.Handshake.String(),
				cv.Teardown.String(), cv.ClosedBy.String(), eventList(cv.Events)}
			exp := []string{w.a, w.b, w.handshake, w.teardown, w.closedBy, w.events}
			for i := range got {
				if got[i] != exp[i] {
					t.Errorf("%s stream %d: got %q, want %q", c.capture, w.stream, got[i], exp[i])
				}
			}
		}
	}
}

// TestConversationCounts: one Conversation per tcp.stream and per
// udp.stream value that Wireshark shows, capture by capture.
func TestConversationCounts(t *testing.T) {
	dir := corpus.PcapDir(t)
	files := 0
	for _, rel := range corpus.Captures(t, dir) {
		capPath := filepath.Join(dir, rel)
		tsvPath := corpus.TSVPath(capPath)
		if _, err := os.Stat(tsvPath); err != nil {
			continue
		}
		rows := packetRows(t, tsvPath)
		if len(rows) == 0 {
			continue
		}
		files++
		tcpIDs, udpIDs := map[string]bool{}, map[string]bool{}
		for _, r := range rows {
			if v := r["tcp.stream"]; v != "" {
				tcpIDs[v] = true
			}
			if v := r["udp.stream"]; v != "" {
				udpIDs[v] = true
			}
		}
		_, dec := decodeAll(t, capPath)
		wantUDP := len(udpIDs)
		if rel == "tcpdump/of13_ericsson.pcapng" {
			wantUDP-- // a UDP datagram inside OpenFlow payload (see knownDifferences)
		}
		if dec.Seq.Conns() != len(tcpIDs) || dec.Seq.UDPConvs() != wantUDP {
			t.Errorf("%s: %d TCP and %d UDP conversations, Wireshark %d and %d",
				rel, dec.Seq.Conns(), dec.Seq.UDPConvs(), len(tcpIDs), wantUDP)
		}
		convs := dec.Seq.Conversations(nil)
		if len(convs) != dec.Seq.Conns()+dec.Seq.UDPConvs() {
			t.Errorf("%s: %d conversations listed", rel, len(convs))
		}
	}
	if files == 0 {
		t.Fatal("no captures compared")
	}
}

// Synthetic segments, checked against TShark 4.0.17 on the same packets
// written to a pcap (LINKTYPE_RAW): the flags each frame got are listed with
// the packets.
type seg struct {
	sec     float64
	fromA   bool
	seq     uint32
	ack     uint32
	flags   uint16
	win     uint16
	payload int
	wscale  int // -1: no option
	want    string
}

var hostA = netip.MustParseAddr("10.0.0.1")
var hostB = netip.MustParseAddr("10.0.0.2")

func rawTCP(s seg, aport uint16) []byte {
	src, dst, sp, dp := hostA, hostB, aport, uint16(80)
	if !s.fromA {
		src, dst, sp, dp = hostB, hostA, 80, aport
	}
	opts := []byte(nil)
	if s.wscale >= 0 {
		opts = []byte{1, 3, 3, byte(s.wscale)}
	}
	tcp := make([]byte, 20+len(opts)+s.payload)
	binary.BigEndian.PutUint16(tcp[0:], sp)
	binary.BigEndian.PutUint16(tcp[2:], dp)
	binary.BigEndian.PutUint32(tcp[4:], s.seq)
	binary.BigEndian.PutUint32(tcp[8:], s.ack)
	tcp[12] = byte((20 + len(opts)) / 4 << 4)
	tcp[13] = byte(s.flags)
	binary.BigEndian.PutUint16(tcp[14:], s.win)
	copy(tcp[20:], opts)
	ip := make([]byte, 20, 20+len(tcp))
	ip[0], ip[8], ip[9] = 0x45, 64, 6
	binary.BigEndian.PutUint16(ip[2:], uint16(20+len(tcp)))
	a4, b4 := src.As4(), dst.As4()
	copy(ip[12:], a4[:])
	copy(ip[16:], b4[:])
	return append(ip, tcp...)
}

const (
	fS = decode.TCPSyn
	fA = decode.TCPAck
	fF = decode.TCPFin
	fP = decode.TCPPsh
)

func runSegs(t *testing.T, name string, segs []seg) *decode.Decoder {
	t.Helper()
	dec := decode.NewDecoder()
	for i, s := range segs {
		if s.wscale == 0 {
			s.wscale = -1
		}
		if s.wscale == 99 {
			s.wscale = 0
		}
		data := rawTCP(s, 1000)
		sec := int64(s.sec)
		f := capture.Frame{Sec: sec, Nsec: int64((s.sec-float64(sec))*1e9 + 0.5), Len: len(data), LinkType: capture.LinkRaw, Data: data}
		var p decode.Packet
		dec.Decode(&f, i+1, &p)
		got := strings.TrimSpace(strings.ReplaceAll(markersOnly(&p), "  ", " "))
		if got != s.want {
			t.Errorf("%s frame %d: markers %q, want %q (Wireshark 4.0.17)", name, i+1, got, s.want)
		}
	}
	return dec
}

// markersOnly keeps the expert markers of the text line.
func markersOnly(p *decode.Packet) string {
	var b strings.Builder
	line := string(decode.AppendAnalysisMarkers(nil, p))
	for {
		i := strings.Index(line, "[TCP ")
		if i < 0 {
			return b.String()
		}
		j := strings.IndexByte(line[i:], ']')
		b.WriteString(line[i:i+j+1] + " ")
		line = line[i+j+1:]
	}
}

func TestExpertRulesAgainstTShark40(t *testing.T) {
	t.Run("zero window, probe, keep-alive", func(t *testing.T) {
		runSegs(t, "zw", []seg{
			{sec: 1.0, fromA: true, seq: 100, flags: fS, win: 65535},
			{sec: 1.001, seq: 500, ack: 101, flags: fS | fA, win: 1000},
			{sec: 1.002, fromA: true, seq: 101, ack: 501, flags: fA, win: 1000},
			{sec: 1.003, fromA: true, seq: 101, ack: 501, flags: fA | fP, win: 1000, payload: 1000, want: "[TCP Window Full]"},
			{sec: 1.004, seq: 501, ack: 1101, flags: fA, want: "[TCP ZeroWindow]"},
			{sec: 1.5, fromA: true, seq: 1101, ack: 501, flags: fA, win: 1000, payload: 1, want: "[TCP ZeroWindowProbe]"},
			{sec: 1.501, seq: 501, ack: 1101, flags: fA, want: "[TCP ZeroWindow] [TCP ZeroWindowProbeAck]"},
			{sec: 2.0, seq: 501, ack: 1101, flags: fA, win: 1000, want: "[TCP Window Update]"},
			{sec: 3.0, fromA: true, seq: 1100, ack: 501, flags: fA, win: 1000, want: "[TCP Keep-Alive]"},
			{sec: 3.001, seq: 501, ack: 1101, flags: fA, win: 1000, want: "[TCP Keep-Alive ACK]"},
			{sec: 4.0, fromA: true, seq: 1101, ack: 501, flags: fA | fF, win: 1000},
			{sec: 4.001, seq: 501, ack: 1102, flags: fA, win: 1000},
			{sec: 4.002, seq: 501, ack: 1102, flags: fA | fF, win: 1000},
			{sec: 4.003, fromA: true, seq: 1102, ack: 502, flags: fA, win: 1000},
		})
	})
	t.Run("spurious before out-of-order, ACKed unseen once", func(t *testing.T) {
		runSegs(t, "spurious", []seg{
			{sec: 1.0, fromA: true, seq: 100, flags: fS, win: 65535},
			{sec: 1.001, seq: 500, ack: 101, flags: fS | fA, win: 1000},
			{sec: 1.002, fromA: true, seq: 101, ack: 501, flags: fA, win: 1000},
			{sec: 2.0, fromA: true, seq: 101, ack: 501, flags: fA | fP, win: 1000, payload: 100},
			{sec: 2.0005, seq: 501, ack: 201, flags: fA, win: 1000},
			{sec: 2.001, fromA: true, seq: 101, ack: 501, flags: fA | fP, win: 1000, payload: 50, want: "[TCP Spurious Retransmission]"},
			{sec: 2.1, seq: 501, ack: 401, flags: fA, win: 1000, want: "[TCP ACKed unseen segment]"},
			{sec: 2.2, seq: 501, ack: 501, flags: fA, win: 1000},
			{sec: 2.3, seq: 501, ack: 601, flags: fA, win: 1000},
		})
	})
	t.Run("SYN retry, scaled window full", func(t *testing.T) {
		dec := runSegs(t, "syn", []seg{
			{sec: 1.0, fromA: true, seq: 100, flags: fS, win: 65535, wscale: 2},
			{sec: 2.0, fromA: true, seq: 100, flags: fS, win: 65535, wscale: 2, want: "[TCP Retransmission]"},
			{sec: 2.1, seq: 500, ack: 101, flags: fS | fA, win: 1000, wscale: 3},
			{sec: 2.2, fromA: true, seq: 101, ack: 501, flags: fA, win: 1000},
			{sec: 2.3, fromA: true, seq: 101, ack: 501, flags: fA | fP, win: 1000, payload: 100},
			{sec: 3.0, seq: 501, ack: 201, flags: fA, win: 10},
			{sec: 3.1, fromA: true, seq: 201, ack: 501, flags: fA | fP, win: 1000, payload: 80, want: "[TCP Window Full]"},
		})
		cv, _ := dec.Seq.TCPConversation(0)
		if cv.SYNRetries != 1 || cv.Retransmissions != 1 || cv.Handshake != decode.HandshakeThreeWay {
			t.Errorf("SYN retries %d, retransmissions %d, handshake %s", cv.SYNRetries, cv.Retransmissions, cv.Handshake)
		}
		if got := eventList(cv.Events); got != "SYN retry#2, handshake#4" {
			t.Errorf("events %s", got)
		}
	})
	t.Run("SYN/ACK window unscaled for window full", func(t *testing.T) {
		runSegs(t, "synack", []seg{
			{sec: 1.0, fromA: true, seq: 100, flags: fS, win: 65535, wscale: 2},
			{sec: 1.001, seq: 500, ack: 101, flags: fS | fA, win: 1000, wscale: 3},
			{sec: 1.002, fromA: true, seq: 101, ack: 501, flags: fA, win: 1000},
			{sec: 1.003, fromA: true, seq: 101, ack: 501, flags: fA | fP, win: 1000, payload: 1000, want: "[TCP Window Full]"},
			{sec: 1.004, seq: 501, ack: 1101, flags: fA, win: 125},
			{sec: 1.005, fromA: true, seq: 1101, ack: 501, flags: fA | fP, win: 1000, payload: 1000, want: "[TCP Window Full]"},
		})
	})
}

// TestSimultaneousOpenAndClose: both sides send SYN, then both send FIN
// before seeing the other's.
func TestSimultaneousOpenAndClose(t *testing.T) {
	dec := runSegs(t, "simultaneous", []seg{
		{sec: 1.0, fromA: true, seq: 100, flags: fS, win: 1000},
		{sec: 1.0001, seq: 500, flags: fS, win: 1000},
		{sec: 1.001, fromA: true, seq: 100, ack: 501, flags: fS | fA, win: 1000, want: "[TCP Retransmission]"},
		{sec: 1.0011, seq: 500, ack: 101, flags: fS | fA, win: 1000, want: "[TCP Retransmission]"},
		{sec: 2.0, fromA: true, seq: 101, ack: 501, flags: fA | fF, win: 1000},
		{sec: 2.0001, seq: 501, ack: 101, flags: fA | fF, win: 1000},
		{sec: 2.001, fromA: true, seq: 102, ack: 502, flags: fA, win: 1000},
		{sec: 2.0011, seq: 502, ack: 102, flags: fA, win: 1000},
	})
	cv, _ := dec.Seq.TCPConversation(0)
	if cv.Handshake != decode.HandshakeSimultaneous || cv.Teardown != decode.TeardownSimultaneous {
		t.Errorf("handshake %s, teardown %s", cv.Handshake, cv.Teardown)
	}
	if a, b := history(cv.HistoryA), history(cv.HistoryB); a != "SYN_SENT@1 SYN_RECEIVED@2 ESTABLISHED@4 FIN_WAIT_1@5 CLOSING@6 TIME_WAIT@8" ||
		b != "LISTEN@1 SYN_RECEIVED@2 ESTABLISHED@3 CLOSE_WAIT@5 CLOSING@6 TIME_WAIT@7" {
		t.Errorf("histories:\n A %s\n B %s", a, b)
	}
}

// BenchmarkTrackerConnections replays a synthetic stream of many
// connections (handshake, data, FIN teardown; a fixed number open at a
// time) and reports the tracker's retained memory per connection and per
// packet: it grows with connections, not with packets. Closed connections
// are kept (Limits.KeepClosed), so that B/conn is what a live connection
// costs; BenchmarkRetiredConnBytes measures what one retired costs.
func BenchmarkTrackerConnections(b *testing.B) {
	for _, perConn := range []int{10, 100} {
		b.Run(fmt.Sprintf("%d-packets-per-conn", perConn), func(b *testing.B) {
			const conns = 20000
			frames := syntheticConns(conns, perConn)
			b.ReportAllocs()
			b.ResetTimer()
			var before, after runtime.MemStats
			var dec *decode.Decoder
			for i := 0; i < b.N; i++ {
				runtime.GC()
				runtime.ReadMemStats(&before)
				dec = decode.NewDecoder()
				l := decode.DefaultLimits()
				l.KeepClosed = true
				dec.Seq.SetLimits(l)
				var p decode.Packet
				for n := range frames {
					dec.Decode(&frames[n], n+1, &p)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
			}
			retained := float64(after.HeapAlloc) - float64(before.HeapAlloc)
			b.ReportMetric(retained/conns, "B/conn")
			b.ReportMetric(retained/float64(len(frames)), "B/packet")
			runtime.KeepAlive(dec)
		})
	}
}

// syntheticConns builds n connections of perConn packets each (SYN,
// SYN/ACK, ACK, data/ACK pairs, FIN, FIN, ACK), from distinct client ports
// and addresses, interleaved 64 at a time.
func syntheticConns(n, perConn int) []capture.Frame {
	var frames []capture.Frame
	const live = 64
	for base := 0; base < n; base += live {
		var conns [][]capture.Frame
		for c := base; c < min(base+live, n); c++ {
			port := uint16(1024 + c%60000)
			a := netip.AddrFrom4([4]byte{10, 1, byte(c >> 16), byte(c >> 8)})
			conns = append(conns, connFrames(a, port, perConn))
		}
		for i := 0; ; i++ {
			done := true
			for _, cf := range conns {
				if i < len(cf) {
					frames = append(frames, cf[i])
					done = false
				}
			}
			if done {
				break
			}
		}
	}
	return frames
}

func connFrames(a netip.Addr, port uint16, perConn int) []capture.Frame {
	saved := hostA
	hostA = a
	defer func() { hostA = saved }()
	segs := []seg{
		{fromA: true, seq: 100, flags: fS, win: 1000, wscale: -1},
		{seq: 500, ack: 101, flags: fS | fA, win: 1000, wscale: -1},
		{fromA: true, seq: 101, ack: 501, flags: fA, win: 1000, wscale: -1},
	}
	seq := uint32(101)
	for len(segs) < perConn-3 {
		segs = append(segs, seg{fromA: true, seq: seq, ack: 501, flags: fA | fP, win: 1000, payload: 100, wscale: -1})
		seq += 100
		segs = append(segs, seg{seq: 501, ack: seq, flags: fA, win: 1000, wscale: -1})
	}
	segs = append(segs,
		seg{fromA: true, seq: seq, ack: 501, flags: fA | fF, win: 1000, wscale: -1},
		seg{seq: 501, ack: seq + 1, flags: fA | fF, win: 1000, wscale: -1},
		seg{fromA: true, seq: seq + 1, ack: 502, flags: fA, win: 1000, wscale: -1})
	var out []capture.Frame
	for i, s := range segs {
		data := rawTCP(s, port)
		out = append(out, capture.Frame{Sec: 1, Nsec: int64(i), Len: len(data), LinkType: capture.LinkRaw, Data: data})
	}
	return out
}

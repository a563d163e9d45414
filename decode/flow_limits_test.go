package decode_test

import (
	"encoding/binary"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/corpus"
	"github.com/sockscope/sockscope/internal/flowgen"
)

// synFrame is flowgen's SYN of flow i at capture time ns, made a plain ACK
// (a later segment of the same 4-tuple) if ack.
func synFrame(i int, ns int64, ack bool) capture.Frame {
	b := make([]byte, flowgen.FrameLen)
	flowgen.SYN(b, i)
	if ack {
		b[14+20+13] = 0x10
		binary.BigEndian.PutUint32(b[14+20+4:], binary.BigEndian.Uint32(b[14+20+4:])+1)
	}
	return capture.Frame{Sec: ns / 1e9, Nsec: ns % 1e9, Len: len(b), LinkType: capture.LinkEthernet, Data: b}
}

func TestTrackerRetiresIdleFlows(t *testing.T) {
	dec := decode.NewDecoder()
	dec.Seq.SetLimits(decode.Limits{IdleTimeout: time.Minute, Summaries: true})
	var p decode.Packet
	const t0 = int64(1_700_000_000e9)
	frames := []capture.Frame{
		synFrame(0, t0, false),                         // stream 0
		synFrame(1, t0+int64(30*time.Second), false),   // stream 1
		synFrame(0, t0+int64(50*time.Second), true),    // stream 0 again: 50 s idle
		synFrame(2, t0+int64(111*time.Second), false),  // stream 2: stream 1 idle 81 s, retired
		synFrame(1, t0+int64(112*time.Second), true),   // 1's 4-tuple again: a new stream, 3
		synFrame(0, t0+int64(112*time.Second)+1, true), // stream 0: 62 s idle, retired first: 4
	}
	want := []int{0, 1, 0, 2, 3, 4}
	for n := range frames {
		dec.Decode(&frames[n], n+1, &p)
		if p.Rel.Stream != want[n] {
			t.Errorf("frame %d: tcp.stream %d, want %d", n+1, p.Rel.Stream, want[n])
		}
	}
	if st := dec.Seq.Retired(); st.Idle != 2 || st.Cap != 0 || st.Live != 3 {
		t.Errorf("retired %+v, want 2 idle, 3 live", st)
	}
	convs := dec.Seq.Conversations(nil)
	if len(convs) != 5 {
		t.Fatalf("%d conversations, want 5", len(convs))
	}
	checkEach(t, dec.Seq, convs)
	wantRetired := []decode.RetireReason{decode.RetireIdle, decode.RetireIdle, 0, 0, 0}
	for i, c := range convs {
		if c.ID != i || c.Retired != wantRetired[i] {
			t.Errorf("conversation %d: id %d retired %q, want %d %q", i, c.ID, c.Retired, i, wantRetired[i])
		}
	}
	if c := convs[0]; c.PacketsAB != 2 || c.LastFrame != 3 || c.State() != "SYN_SENT/LISTEN" {
		t.Errorf("retired stream 0: %d packets, last frame %d, state %q; want 2, 3, SYN_SENT/LISTEN", c.PacketsAB, c.LastFrame, c.State())
	}
	if c := convs[3]; c.Handshake != decode.HandshakeNone || c.FirstFrame != 5 || c.A != convs[1].A {
		t.Errorf("stream 3 (1's 4-tuple after retirement): handshake %v first frame %d A %v; want none, 5, %v", c.Handshake, c.FirstFrame, c.A, convs[1].A)
	}
	if dec.Seq.Conn(0) != nil || dec.Seq.Conn(2) == nil || dec.Seq.Conns() != 5 {
		t.Errorf("Conn(0) %v, Conn(2) %v, Conns %d: want nil, live, 5", dec.Seq.Conn(0), dec.Seq.Conn(2), dec.Seq.Conns())
	}
	// Frozen, every flow is a row, and the list is the same.
	dec.Seq.Freeze()
	if got := dec.Seq.Conversations(nil); !reflect.DeepEqual(got, convs) {
		t.Errorf("after Freeze:\n got %+v\nwant %+v", got, convs)
	}
	for i := range dec.Seq.NumConversations() {
		if c, ok := dec.Seq.ConversationAt(i); !ok || !reflect.DeepEqual(c, convs[i]) {
			t.Errorf("ConversationAt(%d) = %+v, %v", i, c, ok)
		}
	}
	if dec.Seq.Conn(2) != nil || dec.Seq.Retired().Total() != 2 {
		t.Errorf("after Freeze: Conn(2) %v, %d retired (want nil, 2)", dec.Seq.Conn(2), dec.Seq.Retired().Total())
	}
}

func TestTrackerMaxFlowsRetiresLeastRecentlySeen(t *testing.T) {
	for _, summaries := range []bool{true, false} {
		dec := decode.NewDecoder()
		dec.Seq.SetLimits(decode.Limits{MaxFlows: 3, Summaries: summaries})
		var p decode.Packet
		// Flows 0..5, with flow 0 seen again before each new one: it is
		// never the least recently seen, so 1, 2 and 3 retire.
		n := 0
		for i := range 6 {
			for _, f := range []capture.Frame{synFrame(i, int64(i+1)*1e9, i > 0), synFrame(0, int64(i+1)*1e9+1, true)} {
				n++
				dec.Decode(&f, n, &p)
			}
		}
		st := dec.Seq.Retired()
		if st.Cap != 3 || st.Idle != 0 || st.Live != 3 {
			t.Errorf("summaries %v: retired %+v, want 3 over the cap, 3 live", summaries, st)
		}
		var ids []int
		var reasons []decode.RetireReason
		for _, c := range dec.Seq.Conversations(nil) {
			ids, reasons = append(ids, c.ID), append(reasons, c.Retired)
		}
		wantIDs := []int{0, 1, 2, 3, 4, 5}
		wantReasons := []decode.RetireReason{0, decode.RetireCap, decode.RetireCap, decode.RetireCap, 0, 0}
		if !summaries {
			wantIDs, wantReasons = []int{0, 4, 5}, []decode.RetireReason{0, 0, 0}
		}
		if !reflect.DeepEqual(ids, wantIDs) || !reflect.DeepEqual(reasons, wantReasons) {
			t.Errorf("summaries %v: conversations %v retired %v, want %v %v", summaries, ids, reasons, wantIDs, wantReasons)
		}
		if _, ok := dec.Seq.TCPConversation(2); ok != summaries {
			t.Errorf("summaries %v: TCPConversation(2) found %v", summaries, ok)
		}
	}
}

func TestTrackerMaxFlowsCountsUDP(t *testing.T) {
	dec := decode.NewDecoder()
	dec.Seq.SetLimits(decode.Limits{MaxFlows: 2, Summaries: true})
	var p decode.Packet
	tcp := synFrame(0, 1e9, false)
	dec.Decode(&tcp, 1, &p)
	for i := range 3 {
		f := capture.Frame{Sec: 2 + int64(i), LinkType: capture.LinkRaw,
			Data: udpDatagram(netip4(10, 9, 0, byte(i)), 5353, netip4(10, 9, 9, 9), 53, 4)}
		f.Len = len(f.Data)
		dec.Decode(&f, 2+i, &p)
		if p.UDPStream != i {
			t.Fatalf("datagram %d: udp.stream %d", i, p.UDPStream)
		}
	}
	// The TCP connection, then the first UDP conversation, went first.
	st := dec.Seq.Retired()
	c, _ := dec.Seq.TCPConversation(0)
	u, _ := dec.Seq.UDPConversation(0)
	if st.Cap != 2 || st.Live != 2 || c.Retired != decode.RetireCap || u.Retired != decode.RetireCap || u.PacketsAB != 1 {
		t.Errorf("retired %+v, tcp 0 %q, udp 0 %q (%d packets)", st, c.Retired, u.Retired, u.PacketsAB)
	}
}

// TestConvRowRoundTrip: a retired flow's summary row gives back the
// Conversation it was made from, for every conversation of the corpus.
func TestConvRowRoundTrip(t *testing.T) {
	dir := corpus.PcapDir(t)
	n := 0
	for _, name := range corpus.Captures(t, dir) {
		_, dec := decodeAllQuiet(filepath.Join(dir, name))
		if dec == nil {
			continue
		}
		convs := dec.Seq.Conversations(nil)
		checkEach(t, dec.Seq, convs)
		for _, c := range convs {
			got := decode.ConvRowRoundTrip(&c)
			if !reflect.DeepEqual(got, c) {
				t.Errorf("%s conversation %s %d:\n got %+v\nwant %+v", name, c.ProtoName(), c.ID, got, c)
			}
			n++
		}
	}
	if n < 100 {
		t.Errorf("only %d conversations compared", n)
	}
}

// decodeAllQuiet decodes a capture to its end or its first damage; nil if
// it cannot be opened.
func decodeAllQuiet(path string) (int, *decode.Decoder) {
	r, err := capture.Open(path)
	if err != nil {
		return 0, nil
	}
	defer r.Close()
	dec := decode.NewDecoder()
	var f capture.Frame
	var p decode.Packet
	n := 0
	for r.Next(&f) == nil {
		n++
		dec.Decode(&f, n, &p)
	}
	return n, dec
}

func netip4(a, b, c, d byte) [4]byte { return [4]byte{a, b, c, d} }

// udpDatagram is a raw IPv4 packet (LINKTYPE_RAW) carrying a UDP datagram
// with n bytes of payload.
func udpDatagram(src [4]byte, sport uint16, dst [4]byte, dport uint16, n int) []byte {
	b := make([]byte, 28+n)
	b[0], b[8], b[9] = 0x45, 64, 17
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
	copy(b[12:], src[:])
	copy(b[16:], dst[:])
	binary.BigEndian.PutUint16(b[20:], sport)
	binary.BigEndian.PutUint16(b[22:], dport)
	binary.BigEndian.PutUint16(b[24:], uint16(8+n))
	return b
}

// BenchmarkConvRowBytes tracks 100,000 one-SYN flows with at most 1,000
// live and reports what each retired flow keeps: its summary row
// (B/row) and, as measured on the heap, everything (B/retired-flow: the row
// and its index); without summaries, B/flow is what the tracker keeps per
// flow seen.
func BenchmarkConvRowBytes(b *testing.B) {
	const n, live = 100_000, 1000
	frames := make([]capture.Frame, n)
	for i := range frames {
		frames[i] = synFrame(i, flowgen.Epoch*1e9+int64(i)*1e3, false)
	}
	for _, summaries := range []bool{true, false} {
		name := "summaries"
		if !summaries {
			name = "no-summaries"
		}
		b.Run(name, func(b *testing.B) {
			var before, after runtime.MemStats
			var dec *decode.Decoder
			for b.Loop() {
				runtime.GC()
				runtime.ReadMemStats(&before)
				dec = decode.NewDecoder()
				dec.Seq.SetLimits(decode.Limits{MaxFlows: live, Summaries: summaries})
				var p decode.Packet
				for i := range frames {
					dec.Decode(&frames[i], i+1, &p)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
			}
			st := dec.Seq.Retired()
			if summaries {
				b.ReportMetric(float64(st.RowBytes)/float64(st.Total()), "B/row")
			}
			b.ReportMetric((float64(after.HeapAlloc)-float64(before.HeapAlloc))/n, "B/flow")
			runtime.KeepAlive(dec)
		})
	}
}

// checkEach: EachConversation gives what Conversations gives.
func checkEach(t *testing.T, tr *decode.Tracker, want []decode.Conversation) {
	t.Helper()
	var got []decode.Conversation
	tr.EachConversation(func(c *decode.Conversation) error {
		v := *c
		v.HistoryA = append([]decode.StateChange{}, c.HistoryA...)
		v.HistoryB = append([]decode.StateChange{}, c.HistoryB...)
		if c.Proto != 6 {
			v.HistoryA, v.HistoryB = nil, nil
		}
		if c.Events != nil {
			v.Events = append([]decode.Event(nil), c.Events...)
		}
		got = append(got, v)
		return nil
	})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("EachConversation differs from Conversations:\n got %+v\nwant %+v", got, want)
	}
}

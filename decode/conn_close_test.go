package decode_test

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/corpus"
)

// corpusJSON decodes a capture with the tracker's limits l and returns
// every packet's JSON line and the tracker's retirement counts.
func corpusJSON(t *testing.T, path string, l decode.Limits) ([]string, decode.RetireStats) {
	t.Helper()
	r, err := capture.Open(path)
	if err != nil {
		return nil, decode.RetireStats{} // the corpus's broken headers
	}
	defer r.Close()
	dec := decode.NewDecoder()
	dec.Seq.SetLimits(l)
	var f capture.Frame
	var p decode.Packet
	var out []string
	var line []byte
	for n := 1; ; n++ {
		if err := r.Next(&f); err != nil {
			break // damaged captures are part of the corpus: what was read counts
		}
		dec.Decode(&f, n, &p)
		line = decode.AppendJSON(line[:0], &p)
		out = append(out, string(line))
	}
	return out, dec.Seq.Retired()
}

// Retiring closed connections changes nothing on the corpus: every
// packet's JSON (tcp.stream, relative numbers, expert analysis, states)
// is what it is with every connection kept to the end, as Wireshark keeps
// them.
//
// The corpus has two late segments, each a duplicate of the last ACK
// after both FINs were acknowledged: tcpdump/pptp.pcap #23 (0.1 ms after
// the close) and tcpdump/ssh.pcap #54 (10 ms after). Wireshark shows both
// in the closed connection's stream as tcp.analysis.duplicate_ack, and so
// do we with the default bounds (the connection lingers). With the
// tightest bounds (one closed connection lingers, for 1 ns) they are the
// only packets that differ: each finds the ghost of its retired
// connection, is counted late, and starts a new stream, first seen
// mid-stream, with no analysis.
func TestClosedConnectionsLeaveCorpusUnchanged(t *testing.T) {
	dir := corpus.PcapDir(t)
	keep := decode.DefaultLimits()
	keep.KeepClosed = true
	tight := decode.DefaultLimits()
	tight.MaxClosed, tight.ClosedLinger, tight.ClosedGhosts = 1, 1, 1
	var closed, late uint64
	var differ []string
	for _, rel := range corpus.Captures(t, dir) {
		path := filepath.Join(dir, rel)
		want, _ := corpusJSON(t, path, keep)
		got, _ := corpusJSON(t, path, decode.DefaultLimits())
		for i := range want {
			if i >= len(got) || got[i] != want[i] {
				t.Errorf("%s #%d with the default bounds:\n got %s\nwant %s", rel, i+1, got[min(i, len(got)-1)], want[i])
				break
			}
		}
		got, st := corpusJSON(t, path, tight)
		closed += st.Closed
		late += st.Late
		for i := range want {
			if got[i] != want[i] {
				differ = append(differ, fmt.Sprintf("%s#%d", rel, i+1))
			}
		}
	}
	t.Logf("tight bounds: %d connections retired closed, %d late segments: %v", closed, late, differ)
	if closed == 0 {
		t.Errorf("no connection of the corpus retired closed")
	}
	if want := "[tcpdump/pptp.pcap#23 tcpdump/ssh.pcap#54]"; fmt.Sprint(differ) != want || late != 2 {
		t.Errorf("with the tightest bounds, packets %v differ (%d late); want %s (2 late)", differ, late, want)
	}
}

// shortConn appends the seven segments of connection i: handshake, one
// request, FIN, ACK, FIN, ACK (every 50th: handshake, request, RST). The
// client's port cycles through ports ports, so a 4-tuple comes back every
// ports connections with a new initial sequence number; time advances
// 10 µs a segment.
func shortConn(ps []decode.Packet, i, ports int, t0 int64) []decode.Packet {
	cli, srv := netip.AddrFrom4([4]byte{10, 0, 0, 1}), netip.AddrFrom4([4]byte{10, 0, 0, 2})
	cport, sport := uint16(20000+i%ports), uint16(80)
	ciss, siss := uint32(i)*7919+1, uint32(i)*104729+5
	n := len(ps)
	seg := func(fromCli bool, flags uint16, seq, ack uint32, payload int) {
		p := decode.Packet{Layers: decode.LayerIPv4 | decode.LayerTCP, IPVersion: 4, IPProto: 6,
			TCPFlags: flags, Seq: seq, Ack: ack, Window: 512, PayloadLen: payload, Len: 54 + payload}
		p.Src, p.SrcPort, p.Dst, p.DstPort = cli, cport, srv, sport
		if !fromCli {
			p.Src, p.SrcPort, p.Dst, p.DstPort = srv, sport, cli, cport
		}
		ns := t0 + int64(i*7+len(ps)-n)*10e3
		p.Sec, p.Nsec = ns/1e9, ns%1e9
		ps = append(ps, p)
	}
	const syn, ack, fin, rst, psh = decode.TCPSyn, decode.TCPAck, decode.TCPFin, decode.TCPRst, decode.TCPPsh
	seg(true, syn, ciss, 0, 0)
	seg(false, syn|ack, siss, ciss+1, 0)
	seg(true, ack, ciss+1, siss+1, 0)
	seg(true, psh|ack, ciss+1, siss+1, 100)
	if i%50 == 49 {
		seg(false, rst|ack, siss+1, ciss+101, 0)
		return ps
	}
	seg(false, fin|ack, siss+1, ciss+101, 0)
	seg(true, fin|ack, ciss+101, siss+2, 0)
	seg(false, ack, siss+2, ciss+102, 0)
	return ps
}

const shortT0 = int64(1_700_000_000e9)

// trackShort tracks short connections from to to (shortConn) and calls
// fn with each packet after tracking.
func trackShort(tr *decode.Tracker, from, to, ports int, fn func(i int, p *decode.Packet)) {
	var ps []decode.Packet
	for i := from; i < to; i++ {
		ps = shortConn(ps[:0], i, ports, shortT0)
		for k := range ps {
			ps[k].Number = i*7 + k + 1
			tr.Track(&ps[k])
			if fn != nil {
				fn(i, &ps[k])
			}
		}
	}
}

// 300,000 short connections leave the tracker's live state bounded: the
// closed connections that linger and the ghosts, whatever the number of
// connections; every connection is numbered and, with summaries, listed.
func TestTrackerBoundsShortConnections(t *testing.T) {
	const n = 300_000
	for _, summaries := range []bool{false, true} {
		tr := decode.NewTracker()
		l := decode.DefaultLimits()
		l.Summaries = summaries
		tr.SetLimits(l)
		maxLive := 0
		reused := 0
		trackShort(tr, 0, n, 20_000, func(i int, p *decode.Packet) {
			if p.Analysis.Flags&decode.ExpertReusedPorts != 0 {
				reused++
			}
			if i%1000 == 0 {
				maxLive = max(maxLive, tr.Retired().Live)
			}
		})
		st := tr.Retired()
		t.Logf("summaries %v: %+v, at most %d live", summaries, st, maxLive)
		if st.Live > decode.DefaultMaxClosed+1 || maxLive > decode.DefaultMaxClosed+1 {
			t.Errorf("live flows %d (at most %d seen), want ≤ %d", st.Live, maxLive, decode.DefaultMaxClosed+1)
		}
		if st.Lingering != decode.DefaultMaxClosed || st.Ghosts > decode.DefaultClosedGhosts {
			t.Errorf("%d lingering, %d ghosts; want %d, ≤ %d", st.Lingering, st.Ghosts, decode.DefaultMaxClosed, decode.DefaultClosedGhosts)
		}
		if st.Closed != n-uint64(st.Lingering) || st.Total() != 0 || st.Late != 0 {
			t.Errorf("closed %d (want %d), retired over the limits %d, late %d (want 0, 0)", st.Closed, n-st.Lingering, st.Total(), st.Late)
		}
		// Every 4-tuple after the first 20,000 connections reuses ports.
		if reused != n-20_000 || tr.Conns() != n {
			t.Errorf("%d SYNs flagged reused_ports, %d streams; want %d, %d", reused, tr.Conns(), n-20_000, n)
		}
		if summaries {
			rows := 0
			tr.EachConversation(func(c *decode.Conversation) error {
				if c.ID != rows || c.Retired != decode.RetireNone || c.PacketsAB+c.PacketsBA == 0 {
					return fmt.Errorf("conversation %d: id %d retired %q, %d packets", rows, c.ID, c.Retired, c.PacketsAB+c.PacketsBA)
				}
				rows++
				return nil
			})
			if rows != n {
				t.Errorf("%d conversations listed, want %d", rows, n)
			}
		}
	}
}

// With small bounds, so that connections retire and their ghosts are both
// found and forgotten, every packet's analysis and every conversation are
// what they are with every connection kept.
func TestClosedRetirementMatchesKeepingAll(t *testing.T) {
	const n, ports = 6000, 700
	run := func(l decode.Limits) ([]decode.Packet, []decode.Conversation, decode.RetireStats) {
		tr := decode.NewTracker()
		tr.SetLimits(l)
		var out []decode.Packet
		trackShort(tr, 0, n, ports, func(_ int, p *decode.Packet) { out = append(out, *p) })
		return out, tr.Conversations(nil), tr.Retired()
	}
	keep := decode.DefaultLimits()
	keep.KeepClosed = true
	want, wantConv, _ := run(keep)
	small := decode.DefaultLimits()
	small.MaxClosed, small.ClosedGhosts = 64, ports-64
	got, gotConv, st := run(small)
	if st.Closed == 0 || st.Ghosts != ports-64 || st.Lingering != 64 {
		t.Fatalf("stats %+v: want connections retired, %d ghosts, 64 lingering", st, ports-64)
	}
	for i := range want {
		if got[i].Rel != want[i].Rel || got[i].Analysis != want[i].Analysis {
			t.Fatalf("packet %d: got %+v %+v\nwant %+v %+v", i+1, got[i].Rel, got[i].Analysis, want[i].Rel, want[i].Analysis)
		}
	}
	if fmt.Sprint(gotConv) != fmt.Sprint(wantConv) {
		t.Errorf("conversations differ from those kept live")
	}

	// Ghosts fewer than the ports: a reused 4-tuple's ghost is gone, so its
	// SYN is not flagged (the documented departure).
	small.ClosedGhosts = ports / 2
	got, _, _ = run(small)
	missed := 0
	for i := range want {
		if want[i].Analysis.Flags&decode.ExpertReusedPorts != got[i].Analysis.Flags&decode.ExpertReusedPorts {
			missed++
		}
	}
	if missed == 0 {
		t.Errorf("with %d ghosts for %d ports, every reused 4-tuple was still flagged", ports/2, ports)
	}
}

// A segment of a connection retired closed (a retransmitted FIN past the
// linger time) starts a new stream and is counted as late; a SYN with the
// same initial sequence number is not a reuse of the ports.
func TestLateSegmentAfterRetirement(t *testing.T) {
	tr := decode.NewTracker()
	l := decode.DefaultLimits()
	l.Summaries = true
	tr.SetLimits(l)
	ps := shortConn(nil, 0, 1, shortT0)
	for k := range ps {
		ps[k].Number = k + 1
		tr.Track(&ps[k])
	}
	if st := tr.Retired(); st.Lingering != 1 {
		t.Fatalf("after the close: %+v, want 1 lingering", st)
	}
	// The server's FIN again, within the linger time: the same stream, a
	// retransmission.
	fin := ps[4]
	fin.Number, fin.Nsec = 8, fin.Nsec+int64(time.Minute)
	fin.Sec, fin.Nsec = fin.Sec+fin.Nsec/1e9, fin.Nsec%1e9
	tr.Track(&fin)
	if fin.Rel.Stream != 0 || !fin.Analysis.IsRetransmission() {
		t.Errorf("FIN again a minute later: stream %d, analysis %+v; want 0, a retransmission", fin.Rel.Stream, fin.Analysis)
	}
	// Past the linger time: a new stream, counted late.
	fin2 := ps[4]
	fin2.Number, fin2.Sec = 9, fin.Sec+int64(decode.DefaultClosedLinger/time.Second)+1
	tr.Track(&fin2)
	st := tr.Retired()
	if fin2.Rel.Stream != 1 || st.Late != 1 || st.Closed != 1 {
		t.Errorf("FIN again past the linger time: stream %d, %+v; want stream 1, 1 late, 1 closed", fin2.Rel.Stream, st)
	}
	if c, ok := tr.TCPConversation(0); !ok || c.Retired != decode.RetireNone || c.Teardown != decode.TeardownThreeWay && c.Teardown != decode.TeardownFourWay {
		t.Errorf("conversation 0: %v %q %v", ok, c.Retired, c.Teardown)
	}
}

// BenchmarkRetiredConnBytes tracks short connections (seven segments
// each, ports reused every 20,000) with the default limits, and reports
// what the tracker's heap grows by per connection retired closed between
// the 50,000th and the 150,000th connection: with summaries
// (--conversations, the inspector), the summary row and its index entry;
// without (text, JSON), nothing. B/row is the row alone; MiB-fixed is the
// heap after the first 50,000: the lingering connections and the ghosts.
func BenchmarkRetiredConnBytes(b *testing.B) {
	const n1, n2 = 50_000, 150_000
	for _, summaries := range []bool{true, false} {
		name := "summaries"
		if !summaries {
			name = "no-summaries"
		}
		b.Run(name, func(b *testing.B) {
			var before, mid, after runtime.MemStats
			var tr *decode.Tracker
			for b.Loop() {
				runtime.GC()
				runtime.ReadMemStats(&before)
				tr = decode.NewTracker()
				l := decode.DefaultLimits()
				l.Summaries = summaries
				tr.SetLimits(l)
				trackShort(tr, 0, n1, 20_000, nil)
				runtime.GC()
				runtime.ReadMemStats(&mid)
				trackShort(tr, n1, n2, 20_000, nil)
				runtime.GC()
				runtime.ReadMemStats(&after)
			}
			st := tr.Retired()
			b.ReportMetric((float64(after.HeapAlloc)-float64(mid.HeapAlloc))/(n2-n1), "B/retired-conn")
			b.ReportMetric((float64(mid.HeapAlloc)-float64(before.HeapAlloc))/(1<<20), "MiB-fixed")
			if summaries {
				b.ReportMetric(float64(st.RowBytes)/float64(st.Closed), "B/row")
			}
			runtime.KeepAlive(tr)
		})
	}
}

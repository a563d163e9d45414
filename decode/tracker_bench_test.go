package decode_test

import (
	"os"
	"runtime"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
)

// benchTrackPackets is how many packets of the benchmark capture
// BenchmarkTrackerCapture tracks per iteration: enough for thousands of
// connections to open, carry data and close.
const benchTrackPackets = 200_000

// benchCapturePackets decodes the first n packets of the benchmark capture
// ($SOCKSCOPE_BENCH_PCAP, else /tmp/sockscope-bench.pcap, recorded by
// ../shared/bench/make-capture.sh) without tracking them, and skips when
// the file is absent.
func benchCapturePackets(b *testing.B, n int) []decode.Packet {
	path := os.Getenv("SOCKSCOPE_BENCH_PCAP")
	if path == "" {
		path = "/tmp/sockscope-bench.pcap"
	}
	if _, err := os.Stat(path); err != nil {
		b.Skipf("no benchmark capture at %s: record one with ../shared/bench/make-capture.sh or set SOCKSCOPE_BENCH_PCAP", path)
	}
	r, err := capture.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	dec := decode.NewDecoder()
	dec.Seq = nil
	pkts := make([]decode.Packet, 0, n)
	var f capture.Frame
	for len(pkts) < n && r.Next(&f) == nil {
		pkts = append(pkts, decode.Packet{})
		dec.Decode(&f, len(pkts), &pkts[len(pkts)-1])
	}
	return pkts
}

// BenchmarkTrackerCapture tracks the first packets of the benchmark
// capture, decoded once beforehand: the tracker's own cost per packet,
// which in the parallel pipeline is the serial section every worker
// waits for. Each iteration starts a new tracker on fresh copies of the
// decoded packets.
//
//	go test -run '^$' -bench TrackerCapture -benchtime 20x ./decode
func BenchmarkTrackerCapture(b *testing.B) {
	orig := benchCapturePackets(b, benchTrackPackets)
	work := make([]decode.Packet, len(orig))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		copy(work, orig)
		// The previous iteration's tracker goes now: with the packets'
		// large live heap, the collector would otherwise rarely run, and
		// every Conn would land on fresh pages, which a replay's
		// steady state does not see.
		runtime.GC()
		t := decode.NewTracker()
		b.StartTimer()
		for i := range work {
			if p := &work[i]; decode.Tracked(p) {
				t.Track(p)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(orig)), "ns/packet")
}

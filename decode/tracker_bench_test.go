package decode_test

import (
	"os"
	"runtime"
	"testing"
	"time"

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
// decoded packets, copied a batch at a time (untimed) right before the
// batch is tracked, as the pipeline decodes a batch right before it: the
// packets are then in cache as the pipeline's are, where tracking all of
// them after copying all of them would find each one in memory.
// cpu-ns/packet is the tracking thread's CPU time, steadier than the
// wall clock on a shared machine.
//
//	go test -run '^$' -bench TrackerCapture -benchtime 20x ./decode
func BenchmarkTrackerCapture(b *testing.B) {
	const batch = 512 // pipeline.DefaultBatchSize
	orig := benchCapturePackets(b, benchTrackPackets)
	work := make([]decode.Packet, len(orig))
	// One thread runs the tracker, so its CPU time is the tracker's.
	clock := newCPUClock()
	defer clock.stop()
	var cpu time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		// The previous iteration's tracker goes now: with the packets'
		// large live heap, the collector would otherwise rarely run, and
		// every Conn would land on fresh pages, which a replay's
		// steady state does not see.
		runtime.GC()
		t := decode.NewTracker()
		for lo := 0; lo < len(work); lo += batch {
			pkts := work[lo:min(lo+batch, len(work))]
			copy(pkts, orig[lo:])
			b.StartTimer()
			start := clock.now()
			for i := range pkts {
				if p := &pkts[i]; decode.Tracked(p) {
					t.Track(p)
				}
			}
			cpu += clock.now() - start
			b.StopTimer()
		}
	}
	n := float64(b.N * len(orig))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/packet")
	if unit := clock.unit(); unit != "wall-ns/packet" {
		b.ReportMetric(float64(cpu)/n, unit)
	}
}

package decode_test

import (
	"os"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
)

// benchCapturePath is the capture BenchmarkDecodeCapture reads: the
// benchmark capture (/work/shared/bench/make-capture.sh), or the file
// SOCKSCOPE_BENCH_PCAP names.
func benchCapturePath() string {
	if p := os.Getenv("SOCKSCOPE_BENCH_PCAP"); p != "" {
		return p
	}
	return "/tmp/sockscope-bench.pcap"
}

// readBenchFrames reads the first max frames of path into memory (each frame's
// bytes copied), or skips tb when the file is absent.
func readBenchFrames(tb testing.TB, path string, max int) []capture.Frame {
	tb.Helper()
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("no benchmark capture %s (set SOCKSCOPE_BENCH_PCAP): %v", path, err)
	}
	r, err := capture.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	// The frames' bytes lie one after the other in one buffer, as a
	// reader's batch holds them, not each in its own allocation.
	var frames []capture.Frame
	var data []byte
	var ends []int
	for len(frames) < max {
		var f capture.Frame
		if r.Next(&f) != nil {
			break
		}
		data = append(data, f.Data...)
		ends = append(ends, len(data))
		f.Data = nil
		if len(f.Options) > 0 {
			f.Options = append([]byte(nil), f.Options...)
		} else {
			f.Options = nil
		}
		frames = append(frames, f)
	}
	start := 0
	for i, end := range ends {
		frames[i].Data = data[start:end:end]
		start = end
	}
	return frames
}

// BenchmarkDecodeCapture decodes the first 200,000 frames of the benchmark
// capture, held in memory, with a Decoder without a connection tracker:
// the decoding alone, in ns per packet (wall clock, and the process's CPU
// time, which other programs on a shared machine do not inflate).
func BenchmarkDecodeCapture(b *testing.B) {
	frames := readBenchFrames(b, benchCapturePath(), 200_000)
	if len(frames) == 0 {
		b.Skip("no frames")
	}
	dec := decode.NewDecoder()
	dec.Seq = nil
	var p decode.Packet
	b.ReportAllocs()
	b.ResetTimer()
	clock := newCPUClock()
	defer clock.stop()
	cpu0 := clock.now()
	for i := 0; i < b.N; i++ {
		for j := range frames {
			dec.Decode(&frames[j], j+1, &p)
		}
	}
	packets := float64(b.N * len(frames))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/packets, "ns/packet")
	if unit := clock.unit(); unit != "wall-ns/packet" {
		b.ReportMetric(float64(clock.now()-cpu0)/packets, unit)
	}
}

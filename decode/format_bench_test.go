package decode_test

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/pipeline"
)

// fmtBenchPackets is how many packets of the benchmark capture the
// formatting benchmarks decode (once, outside the timer) and format.
const fmtBenchPackets = 100_000

var fmtBenchCapture struct {
	once sync.Once
	pkts []decode.Packet
	err  error
}

// fmtBenchPkts decodes and tracks the first fmtBenchPackets
// packets of the benchmark capture (../shared/bench/make-capture.sh
// records it at /tmp/sockscope-bench.pcap; SOCKSCOPE_BENCH_PCAP names
// another), keeping copies of what the decoder's buffers hold.
func fmtBenchPkts(b *testing.B) []decode.Packet {
	path := os.Getenv("SOCKSCOPE_BENCH_PCAP")
	if path == "" {
		path = "/tmp/sockscope-bench.pcap"
	}
	if _, err := os.Stat(path); err != nil {
		b.Skipf("no benchmark capture at %s: record one with shared/bench/make-capture.sh, or name one with SOCKSCOPE_BENCH_PCAP", path)
	}
	fmtBenchCapture.once.Do(func() {
		r, err := capture.Open(path)
		if err != nil {
			fmtBenchCapture.err = err
			return
		}
		defer r.Close()
		pl, err := pipeline.New(pipeline.File(r), pipeline.Config{Name: r.Name(), Count: fmtBenchPackets})
		if err != nil {
			fmtBenchCapture.err = err
			return
		}
		pkts := make([]decode.Packet, 0, fmtBenchPackets)
		for {
			_, p, err := pl.Next(context.Background())
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				fmtBenchCapture.err = err
				return
			}
			q := *p
			q.Payload = fmtClone(q.Payload)
			q.DNS.QName = fmtClone(q.DNS.QName)
			q.FrameOptions = fmtClone(q.FrameOptions)
			pkts = append(pkts, q)
		}
		fmtBenchCapture.pkts = pkts
	})
	if fmtBenchCapture.err != nil {
		b.Fatal(fmtBenchCapture.err)
	}
	return fmtBenchCapture.pkts
}

func fmtClone(s []byte) []byte {
	if s == nil {
		return nil
	}
	return append([]byte(nil), s...)
}

// BenchmarkFormatCaptureText formats the benchmark capture's packets as
// text lines, 512 to a reused buffer as a pipeline worker does; ns/packet
// is the cost of one line, cpu-ns/packet the formatting thread's CPU time
// for it (steadier on a shared machine). Every packet is read from memory.
func BenchmarkFormatCaptureText(b *testing.B) {
	f := decode.NewTextFormatter(time.UTC)
	fmtBenchFormat(b, fmtBenchPkts(b), f.Append, false)
}

// BenchmarkFormatCaptureJSON is BenchmarkFormatCaptureText for JSON.
func BenchmarkFormatCaptureJSON(b *testing.B) {
	fmtBenchFormat(b, fmtBenchPkts(b), decode.AppendJSON, false)
}

// BenchmarkFormatCaptureTextWarm formats each batch of 512 packets twice
// and times the second pass only (warm-cpu-ns/packet, or warm-wall-...):
// a pipeline worker formats a batch it has just decoded, whose packets
// are in its cache, where BenchmarkFormatCaptureText reads every packet
// from memory.
func BenchmarkFormatCaptureTextWarm(b *testing.B) {
	f := decode.NewTextFormatter(time.UTC)
	fmtBenchFormat(b, fmtBenchPkts(b), f.Append, true)
}

// BenchmarkFormatCaptureJSONWarm is BenchmarkFormatCaptureTextWarm for JSON.
func BenchmarkFormatCaptureJSONWarm(b *testing.B) {
	fmtBenchFormat(b, fmtBenchPkts(b), decode.AppendJSON, true)
}

func fmtBenchFormat(b *testing.B, pkts []decode.Packet, format func([]byte, *decode.Packet) []byte, warm bool) {
	buf := make([]byte, 0, 1<<20)
	clock := newCPUClock()
	defer clock.stop()
	var cpu time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < len(pkts); j += 512 {
			batch := pkts[j:min(j+512, len(pkts))]
			if warm {
				buf = buf[:0]
				for k := range batch {
					buf = append(format(buf, &batch[k]), '\n')
				}
			}
			t0 := clock.now()
			buf = buf[:0]
			for k := range batch {
				buf = append(format(buf, &batch[k]), '\n')
			}
			cpu += clock.now() - t0
		}
	}
	n := float64(b.N * len(pkts))
	unit := clock.unit()
	if warm {
		unit = "warm-" + unit
	} else {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/packet")
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/n, unit)
}

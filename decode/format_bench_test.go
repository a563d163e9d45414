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
// text lines into one reused buffer, as a pipeline worker does; ns/packet
// is the cost of one line.
func BenchmarkFormatCaptureText(b *testing.B) {
	pkts := fmtBenchPkts(b)
	f := decode.NewTextFormatter(time.UTC)
	fmtBenchFormat(b, pkts, f.Append)
}

// BenchmarkFormatCaptureJSON is BenchmarkFormatCaptureText for JSON.
func BenchmarkFormatCaptureJSON(b *testing.B) {
	fmtBenchFormat(b, fmtBenchPkts(b), decode.AppendJSON)
}

func fmtBenchFormat(b *testing.B, pkts []decode.Packet, format func([]byte, *decode.Packet) []byte) {
	buf := make([]byte, 0, 1<<20)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, cpuOK := fmtProcessCPU()
	for i := 0; i < b.N; i++ {
		// A batch of 512 lines in one buffer, as a pipeline worker's.
		buf = buf[:0]
		for j := range pkts {
			if j&511 == 0 {
				buf = buf[:0]
			}
			buf = append(format(buf, &pkts[j]), '\n')
		}
	}
	n := float64(b.N * len(pkts))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/packet")
	// The process's CPU time (one goroutine formats; nothing allocates, so
	// the collector adds nothing), which others' load disturbs less.
	if cpu1, ok := fmtProcessCPU(); ok && cpuOK {
		b.ReportMetric(float64(cpu1-cpu0)/n, "cpu-ns/packet")
	}
}

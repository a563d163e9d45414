package pipeline_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/pipeline"
)

// The benchmark capture is recorded by ../shared/bench/make-capture.sh;
// SOCKSCOPE_BENCH_PCAP names another.
func benchCapture(b *testing.B) string {
	path := os.Getenv("SOCKSCOPE_BENCH_PCAP")
	if path == "" {
		path = "/tmp/sockscope-bench.pcap"
	}
	if _, err := os.Stat(path); err != nil {
		b.Skipf("no benchmark capture at %s: record one with ../shared/bench/make-capture.sh", path)
	}
	return path
}

// benchPipeline reads, decodes, tracks and formats the benchmark capture
// (the bytes are dropped: no write system calls) in one goroutine, with Run.
func benchPipeline(b *testing.B, json bool) {
	path := benchCapture(b)
	text := decode.NewTextFormatter(time.UTC)
	line := make([]byte, 0, 4096)
	packets := 0
	for i := 0; i < b.N; i++ {
		r, err := capture.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		pl, err := pipeline.New(pipeline.File(r), pipeline.Config{Name: r.Name()})
		if err != nil {
			b.Fatal(err)
		}
		err = pl.Run(context.Background(), func(_ *capture.Frame, p *decode.Packet) error {
			if json {
				line = decode.AppendJSON(line[:0], p)
			} else {
				line = text.Append(line[:0], p)
			}
			packets++
			return nil
		})
		r.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(packets)/b.Elapsed().Seconds(), "packets/s")
}

// benchLines is benchPipeline through RunBlocks, as replay's parallel
// path: the workers format.
func benchLines(b *testing.B, json bool) {
	path := benchCapture(b)
	format := func() func([]byte, *decode.Packet) []byte {
		if json {
			return decode.AppendJSON
		}
		return decode.NewTextFormatter(time.UTC).Append
	}
	packets := 0
	for i := 0; i < b.N; i++ {
		r, err := capture.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		pl, err := pipeline.New(pipeline.File(r), pipeline.Config{Name: r.Name(), Parallel: true, Format: format})
		if err != nil {
			b.Fatal(err)
		}
		err = pl.RunBlocks(context.Background(), func(b pipeline.Block) ([]byte, error) {
			packets += len(b.Frames)
			return b.Lines, nil
		})
		r.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(packets)/b.Elapsed().Seconds(), "packets/s")
}

func BenchmarkTextLines(b *testing.B) { benchLines(b, false) }
func BenchmarkJSONLines(b *testing.B) { benchLines(b, true) }

func BenchmarkTextSequential(b *testing.B) { benchPipeline(b, false) }
func BenchmarkJSONSequential(b *testing.B) { benchPipeline(b, true) }

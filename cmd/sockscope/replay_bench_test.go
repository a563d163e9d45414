package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"

	"github.com/sockscope/sockscope/capture"
)

// The benchmark capture is recorded by ../shared/bench/make-capture.sh
// (~1M packets of real loopback traffic). Set SOCKSCOPE_BENCH_PCAP to use
// another one. Output goes to a file, as in scripts/bench-vs-tcpdump.sh.
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

func benchReplay(b *testing.B, json bool) {
	path := benchCapture(b)
	out, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	lines := &lineCounter{w: out}
	o := &replayOptions{outputOptions: outputOptions{json: json, noUI: !json, stdout: lines, stderr: io.Discard}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := capture.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := replay(context.Background(), r, o); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
	b.ReportMetric(float64(lines.n)/b.Elapsed().Seconds(), "packets/s")
}

// lineCounter counts the lines written through it.
type lineCounter struct {
	w io.Writer
	n int
}

func (c *lineCounter) Write(p []byte) (int, error) {
	c.n += bytes.Count(p, []byte{'\n'})
	return c.w.Write(p)
}

func BenchmarkReplayText(b *testing.B) { benchReplay(b, false) }
func BenchmarkReplayJSON(b *testing.B) { benchReplay(b, true) }

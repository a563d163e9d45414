package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/internal/flowgen"
)

// BenchmarkIndexSYNFlowsRSS loads a capture of many one-SYN flows that
// never close (1,000,000 by default; SOCKSCOPE_FLOWS sets another count)
// as RunFile does — the file index for a plain pcap, the memory store for
// a gzip one, then the conversation list — in a child process (this test
// binary again, running TestIndexRSSChild), and reports the child's peak
// resident memory (ru_maxrss). Only under -bench:
//
//	go test -run '^$' -bench SYNFlowsRSS -benchtime 1x ./decode/store
func BenchmarkIndexSYNFlowsRSS(b *testing.B) {
	n, err := flowgen.Count()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for _, gz := range []bool{false, true} {
		name, path := "pcap-index", filepath.Join(dir, "synflows.pcap")
		if gz {
			name, path = "gzip-memory", path+".gz"
		}
		if err := flowgen.WriteSYNFlowsFile(path, n, gz); err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			var rss float64
			for b.Loop() {
				var out bytes.Buffer
				cmd := exec.Command(os.Args[0], "-test.run=^TestIndexRSSChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), "SOCKSCOPE_INDEX_RSS_CHILD="+path)
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Run(); err != nil {
					b.Fatalf("child: %v\n%s", err, out.Bytes())
				}
				b.Logf("%s", bytes.TrimSpace(out.Bytes()))
				rss = max(rss, float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)/1024)
			}
			b.ReportMetric(rss, "MiB-rss")
			b.ReportMetric(float64(n), "flows")
		})
	}
}

// TestIndexRSSChild is BenchmarkIndexSYNFlowsRSS's child; it skips unless
// that benchmark runs it.
func TestIndexRSSChild(t *testing.T) {
	path := os.Getenv("SOCKSCOPE_INDEX_RSS_CHILD")
	if path == "" {
		t.Skip("run by BenchmarkIndexSYNFlowsRSS")
	}
	ir, err := capture.OpenIndexed(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ir.Close()
	var s *Store
	if ir.Seekable() {
		s = NewFile(ir, path)
	} else {
		s = NewMem(ir.Name(), false, DefaultMaxPackets, DefaultMaxBytes)
	}
	tr, err := IndexFile(context.Background(), s, ir, nil)
	s.Finish(err)
	s.SetConvs(tr)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.RLock()
	fmt.Printf("packets %d, conversations %d\n", s.end-s.first, s.convs.Len())
	s.mu.RUnlock()
}

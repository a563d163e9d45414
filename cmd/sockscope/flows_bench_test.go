package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/sockscope/sockscope/internal/flowgen"
)

// BenchmarkSYNFlowsRSS replays a capture of many one-SYN flows that never
// close (1,000,000 by default; SOCKSCOPE_FLOWS sets another count) with the
// real binary in each text mode and conversation view and reports the
// child's peak resident memory (ru_maxrss): the tracker's flow table must
// stay bounded. It runs only under -bench: building the binary and the
// capture takes seconds.
//
//	go test -run '^$' -bench SYNFlowsRSS -benchtime 1x ./cmd/sockscope
func BenchmarkSYNFlowsRSS(b *testing.B) {
	n, err := flowgen.Count()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "sockscope")
	if out, err := exec.Command("go", "build", "-buildvcs=false", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	capFile := filepath.Join(dir, "synflows.pcap.gz")
	if err := flowgen.WriteSYNFlowsFile(capFile, n, true); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []struct {
		name string
		args []string
	}{
		{"no-ui", []string{"--no-ui"}},
		{"json", []string{"--json"}},
		{"conversations", []string{"--conversations"}},
		// One conversation, retired long before the end: as flat as the
		// packet list, since no row is kept for the other flows.
		{"follow", []string{"--follow", "5"}},
		{"ladder", []string{"--ladder", "5"}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			var rss float64
			for b.Loop() {
				rss = max(rss, runRSS(b, bin, append([]string{"replay", capFile}, mode.args...)))
			}
			b.ReportMetric(rss, "MiB-rss")
			b.ReportMetric(float64(n), "flows")
		})
	}
}

// runRSS runs bin with args, output to /dev/null, and returns its peak
// resident memory in MiB.
func runRSS(b *testing.B, bin string, args []string) float64 {
	b.Helper()
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devnull.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = devnull, &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("%v: %v\n%s", args, err, stderr.Bytes())
	}
	if stderr.Len() > 0 {
		b.Logf("%v: %s", args, bytes.TrimSpace(stderr.Bytes()))
	}
	return float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) / 1024 // KiB on Linux
}

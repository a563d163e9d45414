//go:build linux && (amd64 || arm64)

package trace_test

import (
	"bytes"
	"context"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/demos/trace"
)

// The costs issue 11 sets: untraced system calls cost nothing extra (1 M
// getpid within 10% of the untraced run), a traced socket call costs at
// most 50 µs more (median). Each benchmark iteration runs the C program
// once plain and once under the tracer, alternating so that a machine
// getting busier weighs on both; the program times itself (its loop only,
// with the vDSO clock), so neither process start-up nor the shim counts.
//
//	go test -run '^$' -bench . -benchtime 10x ./demos/trace/

// benchOnce runs prog with args, traced or not, and returns the number it
// printed.
func benchOnce(b *testing.B, traced bool, args ...string) float64 {
	b.Helper()
	var out bytes.Buffer
	if traced {
		var calls int // a consumer as light as can be: the cost measured is the tracer's
		tr, err := trace.Start(context.Background(), trace.Options{Args: args, Stdout: &out,
			OnEvent: func(ev trace.Event) {
				if ev.Kind == trace.CallEnd {
					calls++
				}
			}})
		if err != nil {
			b.Fatal(err)
		}
		if st, err := tr.Wait(); err != nil || !st.Success() {
			b.Fatalf("%v: %v %v", args, st, err)
		}
	} else {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdout = &out
		if err := cmd.Run(); err != nil {
			b.Fatalf("%v: %v", args, err)
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(out.String()), 64)
	if err != nil {
		b.Fatalf("%v printed %q", args, out.String())
	}
	return v
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkUntracedGetpid: 1 M getpid calls, which the filter lets
// through; reports ns per getpid plain and traced, and their ratio.
func BenchmarkUntracedGetpid(b *testing.B) {
	prog := needGCC(b, testdata("bench.c"))
	const n = 1_000_000
	var plain, traced []float64
	for range b.N {
		plain = append(plain, benchOnce(b, false, prog, "getpid", strconv.Itoa(n))/n)
		traced = append(traced, benchOnce(b, true, prog, "getpid", strconv.Itoa(n))/n)
	}
	p, t := median(plain), median(traced)
	b.ReportMetric(p, "plain-ns/getpid")
	b.ReportMetric(t, "traced-ns/getpid")
	b.ReportMetric(t/p, "traced/plain")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkTracedSocketCall: 2000 rounds of send and recv on a blocking
// AF_UNIX socketpair, every call traced (both may wait, so both also get
// a CallStart); reports the median round's time per call plain and traced,
// and the extra cost of one traced call.
func BenchmarkTracedSocketCall(b *testing.B) {
	prog := needGCC(b, testdata("bench.c"))
	const n = 2000
	var plain, traced []float64
	for range b.N {
		plain = append(plain, benchOnce(b, false, prog, "sendrecv", strconv.Itoa(n))/2)
		traced = append(traced, benchOnce(b, true, prog, "sendrecv", strconv.Itoa(n))/2)
	}
	p, t := median(plain), median(traced)
	b.ReportMetric(p/1000, "plain-µs/call")
	b.ReportMetric(t/1000, "traced-µs/call")
	b.ReportMetric((t-p)/1000, "extra-µs/call")
	b.ReportMetric(0, "ns/op")
}

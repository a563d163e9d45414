package inspector

import (
	"context"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/store"
)

// Benchmarks of the inspector. The capture ones use the benchmark capture
// (../shared/bench/make-capture.sh; $SOCKSCOPE_BENCH_PCAP or
// /tmp/sockscope-bench.pcap) and skip without it.

func benchPath() string {
	p := os.Getenv("SOCKSCOPE_BENCH_PCAP")
	if p == "" {
		p = "/tmp/sockscope-bench.pcap"
	}
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// indexed builds a file store of path, as RunFile does.
func indexed(t testing.TB, path string) *store.Store {
	ir, err := capture.OpenIndexed(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ir.Close() })
	var s *store.Store
	if ir.Seekable() {
		s = store.NewFile(ir, path)
	} else {
		s = store.NewMem(path, false, DefaultMaxPackets, DefaultMaxBytes)
	}
	tr, err := store.IndexFile(context.Background(), s, ir, nil)
	s.Finish(err)
	s.SetConvs(tr)
	return s
}

func benchCapture(b *testing.B) string {
	p := benchPath()
	if p == "" {
		b.Skip("no benchmark capture: record one with ../shared/bench/make-capture.sh")
	}
	return p
}

// millionStore is a memory store of 1,000,000 packets: the test
// conversation over and over, each copy on its own ports.
func millionStore(b *testing.B) *store.Store {
	const n = 1_000_000
	s := store.NewMem("bench", true, n, 0)
	dec := decode.NewDecoder()
	frames := testConversation()
	var p decode.Packet
	for i := 0; i < n; i++ {
		f := frames[i%len(frames)]
		f.Data = append([]byte(nil), f.Data...)
		port := uint16(1024 + i/len(frames)%60000)
		if binary.BigEndian.Uint16(f.Data[34:]) == 40000 {
			binary.BigEndian.PutUint16(f.Data[34:], port)
		} else if binary.BigEndian.Uint16(f.Data[36:]) == 40000 {
			binary.BigEndian.PutUint16(f.Data[36:], port)
		}
		f.Sec = 1700000000 + int64(i/1000)
		dec.Decode(&f, i+1, &p)
		s.AddFrame(&f, &p)
	}
	s.Finish(nil)
	return s
}

// frameBench draws the inspector over s at 200×60: each iteration selects
// a packet at random (its row and the rows around it are formatted anew:
// a frame read, decoded and printed each; its details and bytes built) and
// draws the whole screen; warm iterations draw the same screen again.
func frameBench(b *testing.B, s *store.Store, cold bool) {
	sim := tcell.NewSimulationScreen("UTF-8")
	app := tview.NewApplication()
	app.SetScreen(sim)
	sim.SetSize(200, 60)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ins := newInspector(ctx, app, s, Options{}, cancel)
	ins.tail = false
	ins.apply(ins.makeSnap(time.Now(), &rateMeter{}))
	app.ForceDraw()
	rows := ins.snap.rows
	if rows < 1_000 {
		b.Fatalf("only %d rows", rows)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if cold {
			ins.list.selectRow(rng.IntN(rows))
		}
		app.ForceDraw()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/frame")
	b.ReportMetric(float64(rows), "packets")
	cells, _, _ := sim.GetContents()
	var sb strings.Builder
	for _, c := range cells[:400] {
		sb.WriteString(string(c.Runes))
	}
	if !strings.Contains(sb.String(), "No.") {
		b.Fatalf("the screen does not show the list")
	}
}

func BenchmarkFrame200x60MillionPackets(b *testing.B) {
	s := millionStore(b)
	b.Run("jump", func(b *testing.B) { frameBench(b, s, true) })
	b.Run("redraw", func(b *testing.B) { frameBench(b, s, false) })
}

func BenchmarkFrame200x60BenchCaptureIndex(b *testing.B) {
	s := indexed(b, benchCapture(b))
	b.Run("jump", func(b *testing.B) { frameBench(b, s, true) })
	b.Run("redraw", func(b *testing.B) { frameBench(b, s, false) })
}

// rawRead times what replay does before printing: read every frame and
// decode it with the connection tracker (track) or without.
func rawRead(b *testing.B, path string, track bool) time.Duration {
	t0 := time.Now()
	r, err := capture.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	dec := decode.NewDecoder()
	if !track {
		dec.Seq = nil
	}
	var f capture.Frame
	var p decode.Packet
	for n := 1; ; n++ {
		if err := r.Next(&f); err != nil {
			if err != io.EOF {
				b.Fatal(err)
			}
			break
		}
		dec.Decode(&f, n, &p)
	}
	return time.Since(t0)
}

// BenchmarkIndexBenchCapture indexes the benchmark capture as RunFile does
// and reports the time against the decoder's own read of the file (with
// the tracker, as replay runs it, and without), and the memory the index
// keeps per packet (records, exceptions, the conversation list).
func BenchmarkIndexBenchCapture(b *testing.B) {
	path := benchCapture(b)
	var withT, without time.Duration
	for i := 0; i < 3; i++ {
		w, wo := rawRead(b, path, true), rawRead(b, path, false)
		if i == 0 || w < withT {
			withT = w
		}
		if i == 0 || wo < without {
			without = wo
		}
	}
	var ms0, ms1 runtime.MemStats
	var packets uint64
	var best, bestConvs time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		ir, err := capture.OpenIndexed(path)
		if err != nil {
			b.Fatal(err)
		}
		s := store.NewFile(ir, path)
		b.StartTimer()
		t0 := time.Now()
		tr, err := store.IndexFile(context.Background(), s, ir, nil)
		if err != nil {
			b.Fatal(err)
		}
		d := time.Since(t0)
		s.Finish(nil)
		t1 := time.Now()
		s.SetConvs(tr)
		dc := time.Since(t1)
		tr = nil
		b.StopTimer()
		if i == 0 || d < best {
			best, bestConvs = d, dc
		}
		runtime.GC()
		runtime.ReadMemStats(&ms1)
		_, packets = s.Bounds()
		b.ReportMetric(float64(ms1.HeapAlloc-ms0.HeapAlloc)/float64(packets), "bytes/packet")
		b.ReportMetric(float64(s.NumExceptions()), "exceptions")
		runtime.KeepAlive(s)
		ir.Close()
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(packets), "packets")
	b.ReportMetric(float64(packets)/best.Seconds(), "packets/s")
	b.ReportMetric(best.Seconds(), "s-index")
	b.ReportMetric(bestConvs.Seconds(), "s-conversations")
	b.ReportMetric(withT.Seconds(), "s-raw-tracked")
	b.ReportMetric(without.Seconds(), "s-raw-untracked")
	b.ReportMetric(best.Seconds()/withT.Seconds(), "x-raw-tracked")
	b.ReportMetric(best.Seconds()/without.Seconds(), "x-raw-untracked")
}

// BenchmarkOpenToFirstScreen runs RunFile on the benchmark capture and
// times it until the first screen shows packet 1 with its details.
func BenchmarkOpenToFirstScreen(b *testing.B) {
	path := benchCapture(b)
	var total, worst time.Duration
	for i := 0; i < b.N; i++ {
		sim := tcell.NewSimulationScreen("UTF-8")
		ctx, cancel := context.WithCancel(context.Background())
		ready := make(chan *tview.Application, 1)
		done := make(chan error, 1)
		t0 := time.Now()
		go func() {
			done <- RunFile(ctx, path, Options{Screen: sim, started: func(app *tview.Application, _ *inspector) {
				sim.SetSize(200, 60)
				ready <- app
			}})
		}()
		app := <-ready
		var d time.Duration
		for {
			ok := false
			app.QueueUpdate(func() {
				cells, w, _ := sim.GetContents()
				var sb strings.Builder
				for _, c := range cells[:w*40] {
					sb.WriteString(string(c.Runes))
				}
				s := sb.String()
				ok = strings.Contains(s, "Frame 1:") && strings.Contains(s, "Flags [")
			})
			if ok {
				d = time.Since(t0)
				break
			}
			time.Sleep(time.Millisecond)
		}
		total += d
		worst = max(worst, d)
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(total.Seconds()/float64(b.N)*1000, "ms-to-first-screen")
	b.ReportMetric(worst.Seconds()*1000, "ms-worst")
}

// BenchmarkDisplayFilterBenchCapture runs a display filter over every
// packet of the indexed benchmark capture, as the filter job does (the
// file read again in order, each packet decoded and tested).
func BenchmarkDisplayFilterBenchCapture(b *testing.B) {
	s := indexed(b, benchCapture(b))
	f, err := decode.CompileDisplayFilter("tcp.port == 7001 && tcp.analysis.retransmission || tcp.flags.reset == 1")
	if err != nil {
		b.Fatal(err)
	}
	matched := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		matched = 0
		sc := store.NewScanner(s, 0)
		for {
			n, err := sc.Step(8192, func(rd *store.Reader) {
				if f.Match(&rd.Packet) {
					matched++
				}
			})
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		sc.Close()
	}
	_, end := s.Bounds()
	b.ReportMetric(float64(end)*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
	b.ReportMetric(float64(matched), "matched")
}

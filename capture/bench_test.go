package capture

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"
)

// syntheticCapture writes n small frames (54–200 bytes, like a mix of ACKs
// and short segments) with our own writer and returns the file and where
// its records start.
func syntheticCapture(tb testing.TB, format WriteFormat, n int) (file []byte, headerLen int) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	payload := make([]byte, 200)
	for i := range payload {
		payload[i] = byte(rng.Uint32())
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, "bench", format, LinkEthernet)
	for i := range n {
		size := 54 + rng.IntN(147)
		f := Frame{Sec: 1_700_000_000 + int64(i/1000), Nsec: int64(i%1000) * 1e6, Len: size, LinkType: LinkEthernet, Data: payload[:size]}
		if err := w.WriteFrame(&f); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	headerLen = pcapHeaderLen
	if format == WritePcapng {
		headerLen = 48 + 32 // our SHB and IDB
	}
	return buf.Bytes(), headerLen
}

// loopReader yields head once, then body over and over: an endless capture
// whose records are those of a real file, so a benchmark can read b.N frames
// from one reader and measure the steady state only.
type loopReader struct {
	head, body []byte
	pos        int
	inBody     bool
}

func (l *loopReader) Read(p []byte) (int, error) {
	if !l.inBody {
		n := copy(p, l.head[l.pos:])
		if l.pos += n; l.pos == len(l.head) {
			l.inBody, l.pos = true, 0
		}
		return n, nil
	}
	n := copy(p, l.body[l.pos:])
	l.pos = (l.pos + n) % len(l.body)
	return n, nil
}

func benchRead(b *testing.B, format WriteFormat) {
	file, hl := syntheticCapture(b, format, 10_000)
	r, err := NewReader(&loopReader{head: file[:hl], body: file[hl:]}, "bench")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(file)-hl) / 10_000) // average record size
	b.ReportAllocs()
	var f Frame
	var sum int
	b.ResetTimer()
	for range b.N {
		if err := r.Next(&f); err != nil {
			b.Fatal(err)
		}
		sum += len(f.Data)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mframes/s")
	if sum == 0 {
		b.Fatal("no data")
	}
}

// BenchmarkPcapRead reads classic pcap records of ~130 bytes; one op is
// one frame.
func BenchmarkPcapRead(b *testing.B) { benchRead(b, WritePcap) }

// BenchmarkPcapngRead reads Enhanced Packet Blocks of ~130 bytes; one op
// is one frame.
func BenchmarkPcapngRead(b *testing.B) { benchRead(b, WritePcapng) }

// BenchmarkPcapReadFile reads the whole 10,000-frame synthetic file per op,
// including opening it (one 1 MiB buffer).
func BenchmarkPcapReadFile(b *testing.B) {
	file, _ := syntheticCapture(b, WritePcap, 10_000)
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	var f Frame
	for range b.N {
		r, err := NewReader(bytes.NewReader(file), "bench")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for r.Next(&f) == nil {
			n++
		}
		if n != 10_000 {
			b.Fatalf("%d frames", n)
		}
	}
	b.ReportMetric(float64(b.N)*10_000/b.Elapsed().Seconds()/1e6, "Mframes/s")
}

func benchWrite(b *testing.B, format WriteFormat) {
	data := make([]byte, 130)
	f := Frame{Sec: 1_700_000_000, Nsec: 5, Len: 130, LinkType: LinkEthernet, Data: data}
	w := NewWriter(io.Discard, "bench", format, LinkEthernet)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for range b.N {
		if err := w.WriteFrame(&f); err != nil {
			b.Fatal(err)
		}
	}
	w.Close()
}

func BenchmarkPcapWrite(b *testing.B)   { benchWrite(b, WritePcap) }
func BenchmarkPcapngWrite(b *testing.B) { benchWrite(b, WritePcapng) }

// TestNoAllocsPerFrame pins the steady state at zero allocations per frame
// for both readers and both writers (a property, not a timing).
func TestNoAllocsPerFrame(t *testing.T) {
	for _, format := range []WriteFormat{WritePcap, WritePcapng} {
		file, hl := syntheticCapture(t, format, 1000)
		r, err := NewReader(&loopReader{head: file[:hl], body: file[hl:]}, "allocs")
		if err != nil {
			t.Fatal(err)
		}
		w := NewWriter(io.Discard, "allocs", format, LinkEthernet)
		var f Frame
		allocs := testing.AllocsPerRun(20_000, func() {
			if err := r.Next(&f); err != nil {
				t.Fatal(err)
			}
			if err := w.WriteFrame(&f); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("format %d: %.2f allocations per frame read and written, want 0", format, allocs)
		}
	}
}

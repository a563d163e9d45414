package decode

import (
	"math"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"testing"
)

// numberCases are the edge values of the decimal writers: every length
// boundary (9, 10, 99, 100, ..., powers of ten and one less), the 8- and
// 16-digit splits, 32-bit and 64-bit limits.
func numberCases() []uint64 {
	vs := []uint64{0, 1, math.MaxUint8, math.MaxUint16, math.MaxUint32, math.MaxUint32 + 1, math.MaxUint64, math.MaxUint64 - 1}
	for p := uint64(1); ; p *= 10 {
		vs = append(vs, p-1, p, p+1, 2*p-1, 9*p, 9*p+9)
		if p > math.MaxUint64/10 {
			break
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		vs = append(vs, r.Uint64(), r.Uint64()>>r.IntN(64), uint64(r.Uint32()), uint64(r.IntN(100000)))
	}
	return vs
}

func TestAppendUint(t *testing.T) {
	for _, v := range numberCases() {
		for _, prefix := range []string{"", "x", "0123456789abcdef0123456789abcd"} {
			want := strconv.AppendUint([]byte(prefix), v, 10)
			// Capacity exactly the prefix: the writer must grow dst itself.
			dst := append(make([]byte, 0, len(prefix)), prefix...)
			if got := appendUint(dst, v); string(got) != string(want) {
				t.Fatalf("appendUint(%q, %d) = %q, want %q", prefix, v, got, want)
			}
		}
	}
}

func TestAppendInt(t *testing.T) {
	vs := []int{0, -1, 1, math.MinInt, math.MaxInt, -9, -10, 99, -100}
	for _, u := range numberCases() {
		vs = append(vs, int(u), -int(u>>1))
	}
	for _, v := range vs {
		if got, want := appendInt([]byte("a"), v), strconv.AppendInt([]byte("a"), int64(v), 10); string(got) != string(want) {
			t.Fatalf("appendInt(%d) = %q, want %q", v, got, want)
		}
	}
}

func TestAppendDigits(t *testing.T) {
	for _, u := range numberCases() {
		v := uint32(u)
		for width := 1; width <= 12; width++ {
			s := strconv.FormatUint(uint64(v), 10)
			for len(s) < width {
				s = "0" + s
			}
			if got := appendDigits([]byte("x"), v, width); string(got) != "x"+s {
				t.Fatalf("appendDigits(%d, %d) = %q, want %q", v, width, got, "x"+s)
			}
		}
	}
}

func TestAppendAddr(t *testing.T) {
	addrs := []netip.Addr{
		netip.AddrFrom4([4]byte{0, 0, 0, 0}), netip.AddrFrom4([4]byte{255, 255, 255, 255}),
		netip.AddrFrom4([4]byte{127, 0, 0, 1}), netip.AddrFrom4([4]byte{10, 99, 100, 9}),
		netip.MustParseAddr("::ffff:1.2.3.4"), netip.MustParseAddr("::1"), netip.MustParseAddr("fe80::1%eth0"),
		netip.MustParseAddr("2001:db8::8:800:200c:417a"),
	}
	for c := range 256 {
		addrs = append(addrs, netip.AddrFrom4([4]byte{byte(c), byte(255 - c), byte(c / 3), byte(c * 7)}))
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 10000 {
		addrs = append(addrs, netip.AddrFrom4([4]byte{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())}))
	}
	for _, a := range addrs {
		for _, prefix := range []string{"", "ip "} {
			dst := append(make([]byte, 0, len(prefix)), prefix...)
			if got, want := appendAddr(dst, a), a.AppendTo([]byte(prefix)); string(got) != string(want) {
				t.Fatalf("appendAddr(%v) = %q, want %q", a, got, want)
			}
		}
	}
}

// benchNumbers are numbers of the sizes a TCP line has: ports, windows,
// relative and absolute sequence numbers, timestamps.
var benchNumbers = func() []uint64 {
	r := rand.New(rand.NewPCG(5, 6))
	vs := make([]uint64, 1024)
	for i := range vs {
		switch i % 4 {
		case 0:
			vs[i] = uint64(r.IntN(65536))
		case 1:
			vs[i] = uint64(r.IntN(100))
		case 2:
			vs[i] = uint64(r.IntN(10000))
		default:
			vs[i] = uint64(r.Uint32())
		}
	}
	return vs
}()

func BenchmarkAppendUint(b *testing.B) {
	buf := make([]byte, 0, 64<<10)
	for i := 0; i < b.N; i++ {
		buf = buf[:0]
		for _, v := range benchNumbers {
			buf = appendUint(buf, v)
		}
	}
}

func BenchmarkStrconvAppendUint(b *testing.B) {
	buf := make([]byte, 0, 64<<10)
	for i := 0; i < b.N; i++ {
		buf = buf[:0]
		for _, v := range benchNumbers {
			buf = strconv.AppendUint(buf, v, 10)
		}
	}
}

var benchAddrs = func() []netip.Addr {
	r := rand.New(rand.NewPCG(7, 8))
	as := make([]netip.Addr, 1024)
	for i := range as {
		as[i] = netip.AddrFrom4([4]byte{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())})
	}
	return as
}()

func BenchmarkAppendAddr(b *testing.B) {
	buf := make([]byte, 0, 64<<10)
	for i := 0; i < b.N; i++ {
		buf = buf[:0]
		for _, a := range benchAddrs {
			buf = appendAddr(buf, a)
		}
	}
}

func BenchmarkNetipAppendTo(b *testing.B) {
	buf := make([]byte, 0, 64<<10)
	for i := 0; i < b.N; i++ {
		buf = buf[:0]
		for _, a := range benchAddrs {
			buf = a.AppendTo(buf)
		}
	}
}

// TestAppendKey holds appendKey to append on every key length up to 40,
// with and without the comma, at buffers with no room to spare.
func TestAppendKey(t *testing.T) {
	const letters = `"abcdefghijklmnopqrstuvwxyz0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZ":`
	for n := 0; n <= 40; n++ {
		k := letters[:n]
		for _, comma := range []bool{false, true} {
			for _, prefix := range []string{"", "{", `{"frame.number":1`} {
				want := []byte(prefix)
				if comma {
					want = append(want, ',')
				}
				want = append(want, k...)
				dst := append(make([]byte, 0, len(prefix)), prefix...)
				got := appendKey(dst, comma, k)
				if string(got) != string(want) {
					t.Fatalf("appendKey(%q, %v, %q) = %q, want %q", prefix, comma, k, got, want)
				}
				if cap(got)-len(got) < fmtRoom {
					t.Fatalf("appendKey left %d bytes of room, want %d", cap(got)-len(got), fmtRoom)
				}
				for _, v := range []uint64{0, 9, 10, 4294967295} {
					if got, want := appendKeyUint(append([]byte(nil), dst...), comma, k, v), strconv.AppendUint(append([]byte(nil), want...), v, 10); string(got) != string(want) {
						t.Fatalf("appendKeyUint(%q, %v, %q, %d) = %q, want %q", prefix, comma, k, v, got, want)
					}
				}
			}
		}
	}
}

// TestAppendKeyUintNumbers holds appendKeyUint's numbers to strconv.
func TestAppendKeyUintNumbers(t *testing.T) {
	for _, v := range numberCases() {
		for _, k := range []string{`"ip.id":`, `"tcp.options.timestamp.tsval":`, `"a":`} {
			want := strconv.AppendUint([]byte(`{"x":1,`+k), v, 10)
			dst := append(make([]byte, 0, 6), `{"x":1`...)
			if got := appendKeyUint(dst, true, k, v); string(got) != string(want) {
				t.Fatalf("appendKeyUint(%q, %d) = %q, want %q", k, v, got, want)
			}
		}
	}
}

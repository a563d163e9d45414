package decode

import (
	"encoding/hex"
	"net"
	"testing"
)

// TestAppendHex holds appendHex to encoding/hex on every length up to 70
// and every byte value, with the SSSE3 steps (where the CPU has them) and
// without.
func TestAppendHex(t *testing.T) {
	simd := hexSIMD
	defer func() { hexSIMD = simd }()
	for _, hexSIMD = range []bool{simd, false} {
		testAppendHex(t)
	}
}

func testAppendHex(t *testing.T) {
	src := make([]byte, 256)
	for i := range src {
		src[i] = byte(i)
	}
	for n := 0; n <= 70; n++ {
		for off := 0; off+n <= len(src); off += 13 {
			in := src[off : off+n]
			if got, want := string(appendHex([]byte("x"), in)), "x"+hex.EncodeToString(in); got != want {
				t.Fatalf("appendHex(% x) (SSSE3 %v) = %s, want %s", in, hexSIMD, got, want)
			}
		}
	}
	if got, want := string(appendHex(nil, src)), hex.EncodeToString(src); got != want {
		t.Fatalf("appendHex(0..255) = %s, want %s", got, want)
	}
}

// TestAppendMAC holds AppendMAC to net.HardwareAddr's String on every byte
// value in every place.
func TestAppendMAC(t *testing.T) {
	for c := range 256 {
		for i := range 6 {
			var m [6]byte
			for j := range m {
				m[j] = byte(c + 37*j)
			}
			m[i] = byte(c)
			if got, want := string(AppendMAC([]byte("x"), m)), "x"+net.HardwareAddr(m[:]).String(); got != want {
				t.Fatalf("AppendMAC(% x) = %s, want %s", m, got, want)
			}
		}
	}
}

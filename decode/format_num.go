package decode

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
	"slices"
	"strconv"
)

// Number and address formatting for the per-packet printers (the text
// line and the JSON object), which write some thirty numbers a packet.
// Each function here writes exactly what strconv.AppendUint(dst, v, 10)
// or netip.Addr.AppendTo writes (format_num_test.go holds them to it); they
// are faster because they write into dst's spare capacity in place of a
// scratch buffer, and convert eight digits at a time with integer
// arithmetic in place of one division per two digits.

// fmtRoom is the spare capacity the fixed-width writes below need: they
// store whole 8-byte words past the digits they keep.
const fmtRoom = 32

// digitPairs is "00".."99": two digits a load.
const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// room returns dst with at least fmtRoom bytes of spare capacity: the
// worker's line buffer is reused, so this grows it once, not per packet.
func room(dst []byte) []byte {
	if cap(dst)-len(dst) < fmtRoom {
		dst = slices.Grow(dst, fmtRoom)
	}
	return dst
}

// digits8 is v (< 1e8) as eight decimal digits, zero-padded, one per
// byte, the first digit in the lowest byte (the order a little-endian
// store writes). Lanes of the word hold the halves, then the quarters, of
// the number, and one multiplication divides every lane at once.
func digits8(v uint32) uint64 {
	// Two 4-digit halves, the high half in the low 32-bit lane.
	x := uint64(v/10000) | uint64(v%10000)<<32
	// Each lane (< 10000) into hundreds and the rest: d/100 is
	// d*10486>>20 for every d < 10000.
	hi := (x * 10486 >> 20) & 0x0000007f0000007f
	x = hi | (x-hi*100)<<16
	// Each 16-bit lane (< 100) into tens and ones: e/10 is e*103>>10
	// for every e < 100.
	hi = (x * 103 >> 10) & 0x000f000f000f000f
	return hi | (x-hi*10)<<8
}

// pairs16[i] (i < 100) is i's two digits, the first in the low byte.
var pairs16 = func() (t [128]uint16) {
	for i := range 100 {
		t[i] = uint16(digitPairs[2*i]) | uint16(digitPairs[2*i+1])<<8
	}
	return t
}()

// digits4 is v (< 1e4) as four ASCII digits, zero-padded, the first in
// the lowest byte: two pairs from pairs16, which measured faster than
// dividing the lanes of a word as digits8 does.
func digits4(v uint32) uint32 {
	hi := v * 5243 >> 19 // v/100 for every v < 1e4
	return uint32(pairs16[hi&127]) | uint32(pairs16[(v-hi*100)&127])<<16
}

// pow10 are the powers of ten a uint64 holds.
var pow10 = func() (t [20]uint64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

// decimalLen is the number of decimal digits of v (v > 0), found from its
// bit length without dividing: log10(2) ~ 1233/4096.
func decimalLen(v uint64) int {
	t := bits.Len64(v) * 1233 >> 12
	if v < pow10[t&31%20] { // t < 20 always; the mask spares a bounds check
		return t
	}
	return t + 1
}

// appendUint appends v in decimal, as strconv.AppendUint(dst, v, 10).
// Each size of number takes the shortest path: a line's numbers are
// flags and header lengths (one or two digits), ports and windows (up to
// five), relative sequence numbers, and absolute sequence numbers and
// timestamps (ten). The length comes from decimalLen, not from the
// digits: the next member's bytes go after this number, so the sooner its
// length is known, the sooner the processor can go on to them while the
// digits are still being worked out.
func appendUint(dst []byte, v uint64) []byte {
	if v < 100 {
		if v < 10 {
			return append(dst, byte('0'+v))
		}
		return append(dst, digitPairs[2*v], digitPairs[2*v+1])
	}
	if v >= 1e10 {
		return appendUintLong(dst, v)
	}
	dst = room(dst)
	n := len(dst)
	nd := decimalLen(v)
	switch {
	case nd <= 4:
		w := digits4(uint32(v)) >> (8 * (4 - nd))
		binary.LittleEndian.PutUint32(dst[n:n+4], w)
	case nd <= 8:
		w := (digits8(uint32(v)) | 0x3030303030303030) >> (8 * (8 - nd))
		binary.LittleEndian.PutUint64(dst[n:n+8], w)
	default: // nine or ten digits: every large uint32
		hi := v / 1e8
		lo := uint32(v - hi*1e8)
		w := dst[n : n+10]
		// The first digit is hi's tens digit for ten digits, its ones
		// for nine; the byte after is overwritten below for nine.
		w[0], w[1] = digitPairs[2*hi+uint64(10-nd)], digitPairs[2*hi+1]
		binary.LittleEndian.PutUint64(dst[n+nd-8:n+nd], digits8(lo)|0x3030303030303030)
	}
	return dst[:n+nd]
}

// appendUintLong is appendUint for v >= 1e10.
func appendUintLong(dst []byte, v uint64) []byte {
	if v >= 1e16 {
		return strconv.AppendUint(dst, v, 10)
	}
	dst = room(dst)
	n := len(dst)
	hi := v / 1e8
	lo := uint32(v - hi*1e8)
	nd := decimalLen(hi)
	w := (digits8(uint32(hi)) | 0x3030303030303030) >> (8 * (8 - nd))
	binary.LittleEndian.PutUint64(dst[n:n+8], w)
	binary.LittleEndian.PutUint64(dst[n+nd:n+nd+8], digits8(lo)|0x3030303030303030)
	return dst[:n+nd+8]
}

// appendInt appends v in decimal, as strconv.AppendInt(dst, int64(v), 10).
func appendInt(dst []byte, v int) []byte {
	if v < 0 {
		return strconv.AppendInt(dst, int64(v), 10)
	}
	return appendUint(dst, uint64(v))
}

// appendDigits appends v zero-padded to width (>= 1) digits, as txtPadded and
// appendZeroPadded do: all of v's digits, and zeros in front up to width.
func appendDigits(dst []byte, v uint32, width int) []byte {
	switch {
	case v < 1e8 && width <= 8:
		d := digits8(v)
		lead := min(bits.TrailingZeros64(d)/8, 8-width) // zeros dropped
		dst = room(dst)
		n := len(dst)
		binary.LittleEndian.PutUint64(dst[n:n+8], (d|0x3030303030303030)>>(8*lead))
		return dst[:n+8-lead]
	case v < 1e9 && width == 9:
		dst = room(dst)
		n := len(dst)
		dst = dst[:n+9]
		dst[n] = byte('0' + v/1e8)
		binary.LittleEndian.PutUint64(dst[n+1:n+9], digits8(v%1e8)|0x3030303030303030)
		return dst
	}
	var b [20]byte
	s := strconv.AppendUint(b[:0], uint64(v), 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// octetWords[c] is c in decimal followed by a dot ("7.", "255."), as a
// little-endian word; octetLens[c] is its length with the dot.
var octetWords, octetLens = func() (w [256]uint32, l [256]uint8) {
	for c := range w {
		var b [4]byte
		s := strconv.Itoa(c) + "."
		copy(b[:], s)
		w[c], l[c] = binary.LittleEndian.Uint32(b[:]), uint8(len(s))
	}
	return w, l
}()

// appendAddr appends a as netip.Addr.AppendTo does. An IPv4 address, the
// common case, is written here a word per octet; the others go to netip.
func appendAddr(dst []byte, a netip.Addr) []byte {
	if !a.Is4() {
		return a.AppendTo(dst)
	}
	dst = appendAddr4Dot(dst, a.As4())
	return dst[:len(dst)-1]
}

// appendAddr4Dot appends b in dotted decimal with a dot after it, as the
// text line's "address.port" wants it.
func appendAddr4Dot(dst []byte, b [4]byte) []byte {
	dst = room(dst)
	n := len(dst)
	out := dst[n : n+16 : n+16]
	i := 0
	for _, c := range b {
		binary.LittleEndian.PutUint32(out[i:i+4], octetWords[c])
		i += int(octetLens[c])
	}
	return dst[:n+i]
}

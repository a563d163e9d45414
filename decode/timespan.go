package decode

import (
	"math"
	"strconv"
	"time"
)

// A capture time is whole seconds and nanoseconds (Packet.Sec, Nsec), as
// the readers give it: pcapng reaches far past what one int64 count of
// nanoseconds holds (years before 1678 or after 2262), so the
// conversation views keep both parts and compute spans from them.

// normTime returns sec, nsec with nsec in [0, 1e9), saturating sec.
func normTime(sec, nsec int64) (int64, int64) {
	if 0 <= nsec && nsec < 1e9 {
		return sec, nsec // as the readers give it: the tracker's every packet
	}
	q, r := nsec/1e9, nsec%1e9
	if r < 0 {
		q, r = q-1, r+1e9
	}
	s := sec + q
	if (q > 0 && s < sec) || (q < 0 && s > sec) {
		if q > 0 {
			return math.MaxInt64, 1e9 - 1
		}
		return math.MinInt64, 0
	}
	return s, r
}

// packetStamp is p's capture time with nsec in [0, 1e9) (a pcap's
// out-of-range µs field leaves Nsec past it).
func packetStamp(p *Packet) (int64, int32) {
	sec, nsec := normTime(p.Sec, p.Nsec)
	return sec, int32(nsec)
}

// timeSpan returns end − start as seconds and nanoseconds, nsec in
// [0, 1e9) (a negative span has sec < 0: −0.25 s is −1 s + 750000000 ns,
// as appendEpoch prints it). A span past what int64 seconds hold (only
// between times nearly 2^63 s apart) saturates: to math.MaxInt64 s +
// 999999999 ns, or to math.MinInt64 s.
func timeSpan(endSec, endNsec, startSec, startNsec int64) (sec, nsec int64) {
	es, en := normTime(endSec, endNsec)
	ss, sn := normTime(startSec, startNsec)
	sec, nsec = es-ss, en-sn
	if (es >= 0) != (ss >= 0) && (sec >= 0) != (es >= 0) {
		if es >= 0 {
			return math.MaxInt64, 1e9 - 1
		}
		return math.MinInt64, 0
	}
	if nsec < 0 {
		if sec == math.MinInt64 {
			return math.MinInt64, 0
		}
		sec, nsec = sec-1, nsec+1e9
	}
	return sec, nsec
}

// durationOf converts seconds and nanoseconds (nsec in [0, 1e9)) to a
// time.Duration, saturating at its limits (about ±292 years).
func durationOf(sec, nsec int64) time.Duration {
	const maxSec = math.MaxInt64 / 1_000_000_000 // 9223372036
	switch {
	case sec > maxSec, sec == maxSec && nsec > math.MaxInt64-maxSec*1e9:
		return math.MaxInt64
	case sec < -maxSec-1, sec == -maxSec-1 && 1e9-nsec > -(math.MinInt64+maxSec*1e9):
		return math.MinInt64
	case sec == -maxSec-1:
		return time.Duration(-maxSec*1e9 - (1e9 - nsec))
	}
	return time.Duration(sec*1e9 + nsec)
}

// appendSpanMicro appends a span (as timeSpan returns it) in seconds with
// six decimals, rounded half to even, exact at any size ("0.000014",
// "-1.500000").
func appendSpanMicro(dst []byte, sec, nsec int64) []byte {
	neg, s, nsec := magnitude(sec, nsec)
	us, rem := nsec/1000, nsec%1000
	if rem > 500 || rem == 500 && us%2 == 1 {
		us++
	}
	if us == 1e6 {
		s, us = s+1, 0
	}
	if neg && (s != 0 || us != 0) {
		dst = append(dst, '-')
	}
	dst = strconv.AppendUint(dst, s, 10)
	dst = append(dst, '.')
	return appendZeroPadded(dst, uint64(us), 6)
}

// magnitude splits a time or span (nsec in [0, 1e9)) into its sign and
// the whole seconds and nanoseconds of its absolute value: −0.25 s (sec
// −1, nsec 750000000) is −, 0 s, 250000000 ns. No overflow at
// math.MinInt64.
func magnitude(sec, nsec int64) (neg bool, s uint64, ns int64) {
	if sec >= 0 {
		return false, uint64(sec), nsec
	}
	s = uint64(-(sec + 1))
	if nsec == 0 {
		return true, s + 1, 0
	}
	return true, s, 1e9 - nsec
}

// appendZeroPadded appends v in decimal, zero-padded to width digits.
func appendZeroPadded(dst []byte, v uint64, width int) []byte {
	var digits [20]byte
	n := strconv.AppendUint(digits[:0], v, 10)
	for i := len(n); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, n...)
}

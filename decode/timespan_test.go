package decode

import (
	"math"
	"net/netip"
	"testing"
	"time"
)

// timeSpan and durationOf at the edges: exact wherever int64 seconds hold
// the span, saturated (and said so) past it.
func TestTimeSpan(t *testing.T) {
	for _, c := range []struct {
		es, en, ss, sn int64
		sec, nsec      int64
		d              time.Duration
		text, micro    string
	}{
		{17179869183, 999999999, 0, 0, 17179869183, 999999999, math.MaxInt64, "17179869183.999999999", "17179869184.000000"},
		{-10000000000, 0, -10000000000, 0, 0, 0, 0, "0.000000000", "0.000000"},
		{0, 250000000, 1, 0, -1, 250000000, -750 * time.Millisecond, "-0.750000000", "-0.750000"},
		{0, 0, 0, 1, -1, 999999999, -1, "-0.000000001", "0.000000"},
		{math.MinInt64, 5, math.MinInt64, 0, 0, 5, 5, "0.000000005", "0.000000"},
		{math.MaxInt64, 999999999, math.MinInt64, 0, math.MaxInt64, 999999999, math.MaxInt64, "9223372036854775807.999999999", "9223372036854775808.000000"},
		{math.MinInt64, 0, 1, 0, math.MinInt64, 0, math.MinInt64, "-9223372036854775808.000000000", "-9223372036854775808.000000"},
		{9223372036, 854775807, 0, 0, 9223372036, 854775807, math.MaxInt64, "9223372036.854775807", "9223372036.854776"},
		{-9223372037, 145224192, 0, 0, -9223372037, 145224192, math.MinInt64, "-9223372036.854775808", "-9223372036.854776"},
		{0, 2500, 0, 0, 0, 2500, 2500, "0.000002500", "0.000002"},
		{0, 3500, 0, 0, 0, 3500, 3500, "0.000003500", "0.000004"},
	} {
		sec, nsec := timeSpan(c.es, c.en, c.ss, c.sn)
		d := durationOf(sec, nsec)
		text, micro := string(appendEpoch(nil, sec, nsec)), string(appendSpanMicro(nil, sec, nsec))
		if sec != c.sec || nsec != c.nsec || d != c.d || text != c.text || micro != c.micro {
			t.Errorf("%d.%09d − %d.%09d = %d s %d ns, %d, %s, %s; want %d s %d ns, %d, %s, %s",
				c.es, c.en, c.ss, c.sn, sec, nsec, d, text, micro, c.sec, c.nsec, c.d, c.text, c.micro)
		}
	}
}

// A retired conversation's summary row keeps its start and end exactly.
func TestConvRowAnyTime(t *testing.T) {
	for _, c := range []Conversation{
		{Proto: 17, StartSec: math.MinInt64, StartNsec: 7, EndSec: math.MaxInt64, EndNsec: 999999999},
		{Proto: 17, StartSec: 18446744073, StartNsec: 709551615, EndSec: -1, EndNsec: 1},
	} {
		c.A = netip.MustParseAddrPort("10.0.0.1:1")
		c.B = netip.MustParseAddrPort("10.0.0.2:2")
		c.setDuration()
		var back Conversation
		readConvRow(appendConvRow(nil, &c), &back, nil)
		if back.StartSec != c.StartSec || back.StartNsec != c.StartNsec || back.EndSec != c.EndSec ||
			back.EndNsec != c.EndNsec || back.Duration != c.Duration {
			t.Errorf("row of %+v read back as %+v", c, back)
		}
	}
}

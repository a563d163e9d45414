package decode_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/corpus"
)

// TestInvalidMicrosecondsTime reads tcpdump's timestamp_invalid_micro.pcap
// (µs fields 999999, 1000000 and 2147483648): the text shows the time as
// tcpdump's .out does, the field as written with "(invalid us)"; JSON's
// frame.time_epoch is the instant the record stands for, a decimal that
// reads back as that time (it printed the field as is, 1418145370.1000000000
// and 1418145370.2147483648000, which read as other times).
func TestInvalidMicrosecondsTime(t *testing.T) {
	dir := corpus.PcapDir(t)
	out, err := os.ReadFile(filepath.Join(dir, "tcpdump/timestamp_invalid_micro.out"))
	if err != nil {
		t.Fatal(err)
	}
	// "    2  17:16:10.1000000 (invalid us) IP ...": number, two spaces, time.
	lineTime := regexp.MustCompile(`^\s*\d+  (\d\d:\d\d:\d\d\.\d+(?: \(invalid us\))?) `)
	var wantText []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		m := lineTime.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf(".out line %q has no time", l)
		}
		wantText = append(wantText, m[1])
	}
	wantJSON := []string{"1418145369.999999000", "1418145371.000000000", "1418147517.483648000"}

	r, err := capture.Open(filepath.Join(dir, "tcpdump/timestamp_invalid_micro.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	dec := decode.NewDecoder()
	var f capture.Frame
	var p decode.Packet
	for i := range 3 {
		if err := r.Next(&f); err != nil {
			t.Fatal(err)
		}
		dec.Decode(&f, i+1, &p)
		if got := string(decode.AppendText(nil, &p, time.UTC)); !strings.HasPrefix(got, wantText[i]+" IP ") {
			t.Errorf("packet %d text %q, want the time tcpdump prints, %q", i+1, got, wantText[i])
		}
		if got, want := string(decode.AppendJSON(nil, &p)), `"frame.time_epoch":"`+wantJSON[i]+`"`; !strings.Contains(got, want) {
			t.Errorf("packet %d JSON %.80s, want %s", i+1, got, want)
		}
	}
}

// TestEpochEdges: frame.time_epoch for the extreme fields a reader passes
// on: both pcap fields all ones, times before 1970.
func TestEpochEdges(t *testing.T) {
	for _, c := range []struct {
		sec, nsec int64
		want      string
	}{
		{4294967295, 4294967295 * 1000, "4294971589.967295000"}, // was 4294967295.4294967295000
		{-1, 500_000_000, "-0.500000000"},                       // was -1.500000000
		{-2, 0, "-2.000000000"},
		{0, 1, "0.000000001"},
		{-9223372036854775808, 0, "-9223372036854775808.000000000"},
		{-9223372036854775808, 1, "-9223372036854775807.999999999"},
		{9223372036854775807, 999_999_999, "9223372036854775807.999999999"},
	} {
		p := udpPacket(1, 2, 3)
		p.Sec, p.Nsec = c.sec, c.nsec
		if got, want := string(decode.AppendJSON(nil, &p)), `"frame.time_epoch":"`+c.want+`"`; !strings.Contains(got, want) {
			t.Errorf("%d s %d ns: JSON %.70s, want %s", c.sec, c.nsec, got, want)
		}
	}
}

//go:build linux

package demos

import (
	"testing"
	"time"

	"github.com/sockscope/sockscope/decode"
)

func TestSlowReader(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemo(t, "slow-reader")
	reader := opsHave(t, r, "reader", "socket setsockopt setsockopt bind listen accept recv", "recv close close")
	sender := wantOps(t, r, "sender", "socket setsockopt connect send sendall close")
	if t.Failed() {
		t.FailNow()
	}

	// The sender's send blocked: it returned long after it began, and
	// only after the reader had begun to read.
	send, sa := sender[3], sender[4]
	blocked := callTime(send).Sub(time.Unix(send.StartSec, send.StartNsec))
	if blocked < 100*time.Millisecond || send.Ret != slowTotal || len(sa.Inner) != 1 || sa.Inner[0] != send.Number {
		t.Errorf("send(%d) = %d blocked %v (inner of sendall: %v); want all bytes, blocked ≥ 100 ms", send.Len, send.Ret, blocked, sa.Inner)
	}
	var firstRecv, firstRecvStart time.Time
	total := 0
	var got []byte
	for _, c := range reader {
		if c.Op == "recv" && c.Ret > 0 {
			if firstRecv.IsZero() {
				firstRecv, firstRecvStart = callTime(c), time.Unix(c.StartSec, c.StartNsec)
			}
			total += c.Ret
			got = append(got, c.Data...)
		}
	}
	if !callTime(send).After(firstRecv) {
		t.Errorf("send returned at %v, before the reader's first recv at %v", callTime(send), firstRecv)
	}
	if string(got) != string(lessonBytes(slowTotal)) {
		t.Errorf("the reader got %d bytes, not the %d sent", total, slowTotal)
	}

	// The wire: a zero window, probes from the sender while the window
	// is 0 (Linux's: no data, one below the next sequence number), each
	// answered with window 0, and a window update.
	zw := expertFrom(r, slowPort, decode.ExpertZeroWindow)
	wu := expertFrom(r, slowPort, decode.ExpertWindowUpdate)
	if len(zw) == 0 || len(wu) == 0 {
		t.Fatalf("zero windows %s, window updates %s; want both", frameNos(zw), frameNos(wu))
	}
	var probes []wirePacket
	var next uint32 // the sender's next sequence number
	zero := false
	for _, p := range r.wire {
		if !p.IsTCP() {
			continue
		}
		if p.SrcPort == slowPort {
			zero = p.Window == 0
			continue
		}
		if p.DstPort != slowPort {
			continue
		}
		if zero && p.PayloadLen <= 1 && p.TCPFlags&(decode.TCPSyn|decode.TCPFin|decode.TCPRst) == 0 &&
			(p.PayloadLen == 0 && p.Rel.Seq == next-1 || p.PayloadLen == 1 && p.Rel.Seq == next) {
			probes = append(probes, p)
			if p.Analysis.Flags&(decode.ExpertKeepAlive|decode.ExpertZeroWindowProbe) == 0 {
				t.Errorf("probe in frame %d: analysis flags %#x", p.Number, p.Analysis.Flags)
			}
		}
		if end := p.Rel.Seq + uint32(p.PayloadLen); p.PayloadLen > 0 && end > next {
			next = end
		}
	}
	if len(probes) < 2 {
		t.Errorf("%d zero-window probes %s; want at least 2", len(probes), frameNos(probes))
	}
	// Each answer before the reader reads has window 0, and the first
	// probe has one (the reader's kernel answers at most one
	// out-of-window segment per 500 ms, so the second may have none).
	for i, p := range probes {
		if p.time().After(firstRecv) {
			continue
		}
		var answer *wirePacket
		for _, q := range r.wire {
			if q.Number > p.Number && q.IsTCP() && q.SrcPort == slowPort {
				if q.time().Before(firstRecvStart) {
					answer = &q
				}
				break
			}
		}
		if answer != nil && answer.Window != 0 || i == 0 && answer == nil {
			t.Errorf("the probe in frame %d: answered %v; want window 0", p.Number, answer != nil)
		}
	}
	checkLessonWords(t, r)
}

// At the default pace (1 s between steps) the reader stays busy long
// enough for a third probe, which the reader's kernel answers (it comes
// more than 500 ms after the first answer). Each answer is its own
// probe's: the second probe still goes unanswered, and the words say so.
func TestSlowReaderAtDefaultPace(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemoAt(t, "slow-reader", time.Second)
	run := checkLessonWords(t, r)
	b := bufRun{run}
	_, _, probes := slowStall(b)
	if len(probes) < 3 {
		t.Logf("only %d probes before the reader read at pace 1 s", len(probes))
	}
	seen := map[int]int{}
	for _, p := range probes {
		if a := slowAnswer(b, p); a != nil {
			if q, ok := seen[a.Number]; ok {
				t.Errorf("frame %d is given as the answer to the probes in frames %d and %d", a.Number, q, p.Number)
			}
			seen[a.Number] = p.Number
		}
	}
	if len(probes) >= 2 && slowAnswer(b, probes[1]) != nil {
		t.Errorf("the second probe (frame %d) answered", probes[1].Number)
	}
}

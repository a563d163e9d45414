//go:build linux

package demos

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// Helpers shared by the tests of partial-send, slow-reader, udp-overflow,
// message-boundaries and nagle.

// lessonRunOf is a test run as a sockcall.Run: its calls, and its decoded
// packets with their payloads.
func lessonRunOf(r *result) *sockcall.Run {
	return sockcall.NewRun(append([]sockcall.Call(nil), r.calls...), lessonPackets(r, len(r.wire)))
}

func lessonPackets(r *result, n int) []decode.Packet {
	out := make([]decode.Packet, 0, n)
	for _, w := range r.wire[:n] {
		p := w.Packet
		p.Payload = w.Payload
		out = append(out, p)
	}
	return out
}

// checkLessonWords asserts that the lesson's words hold for run r:
// Demo.Check finds nothing the run contradicts, every Step.Outcome says
// something in both languages about the finished run, and no Outcome
// panics on the run as a view holds it while it happens (calls and frames
// cut at points in time) or without its frames. It logs how long the
// lesson ran (first call to last return) and returns the Run.
func checkLessonWords(t *testing.T, r *result) *sockcall.Run {
	t.Helper()
	run := lessonRunOf(r)
	if r.demo.Check == nil {
		t.Errorf("%s has no Check", r.demo.Name)
	} else if err := r.demo.Check(run); err != nil {
		t.Errorf("Check: %v", err)
	}
	for i, s := range r.demo.Steps {
		if s.Outcome == nil {
			continue
		}
		en, zh := s.Outcome(run)
		if en == "" || zh == "" || !hasHan(zh) || strings.ContainsAny(en+zh, "\n\t") {
			t.Errorf("step %d Outcome: en %q zh %q", i+1, en, zh)
		} else if testing.Verbose() {
			t.Logf("step %d: %s\n        %s", i+1, en, zh)
		}
	}
	// The run as a view holds it while it happens: cut after every call
	// and every frame in time order, also with the last two frames or
	// calls not in yet; with no frames; and nil. Neither Check nor any
	// Outcome may panic, and an Outcome says nothing or exactly what it
	// says of the finished run: never something the rest could change.
	final := make([][2]string, len(r.demo.Steps))
	for i, s := range r.demo.Steps {
		if s.Outcome != nil {
			final[i][0], final[i][1] = s.Outcome(run)
		}
	}
	type cut struct {
		what        string
		calls, wire int
	}
	var cuts []cut
	ci, wi := 0, 0
	for ci < len(r.calls) || wi < len(r.wire) {
		if wi == len(r.wire) || ci < len(r.calls) && !callTime(r.calls[ci]).After(r.wire[wi].time()) {
			ci++
		} else {
			wi++
		}
		cuts = append(cuts, cut{"in time order", ci, wi}, cut{"frames lagging", ci, wi - 2}, cut{"calls lagging", ci - 2, wi})
	}
	parts := []struct {
		what string
		run  *sockcall.Run
	}{{"a nil run", nil}, {"the run without frames", sockcall.NewRun(append([]sockcall.Call(nil), r.calls...), nil)}}
	for _, c := range cuts {
		calls, wire := max(0, c.calls), max(0, c.wire)
		parts = append(parts, struct {
			what string
			run  *sockcall.Run
		}{fmt.Sprintf("the run cut after %d calls and %d frames (%s)", calls, wire, c.what),
			sockcall.NewRun(append([]sockcall.Call(nil), r.calls[:calls]...), lessonPackets(r, wire))})
	}
	complained := 0
	for _, p := range parts {
		func() {
			defer func() {
				if e := recover(); e != nil {
					t.Errorf("%s: Check or Outcome panics: %v", p.what, e)
				}
			}()
			if r.demo.Check != nil {
				r.demo.Check(p.run)
			}
			for i, s := range r.demo.Steps {
				if s.Outcome == nil {
					continue
				}
				en, zh := s.Outcome(p.run)
				if (en != "" && en != final[i][0] || zh != "" && zh != final[i][1] || (en == "") != (zh == "")) && complained < 5 {
					complained++
					t.Errorf("step %d, %s:\n  says %q\n  the finished run: %q", i+1, p.what, en, final[i][0])
				}
			}
		}()
	}
	if len(r.calls) > 0 {
		c0, cn := r.calls[0], r.calls[len(r.calls)-1]
		t.Logf("%s ran %v at pace 0 (%d calls, %d frames)", r.demo.Name,
			callTime(cn).Sub(time.Unix(c0.StartSec, c0.StartNsec)).Round(time.Millisecond), len(r.calls), len(r.wire))
	}
	return run
}

// opsHave asserts that endpoint's calls begin with prefix and end with
// suffix (space-separated ops), whatever comes between.
func opsHave(t *testing.T, r *result, endpoint, prefix, suffix string) []sockcall.Call {
	t.Helper()
	calls := r.of(endpoint)
	got := ops(calls)
	if !strings.HasPrefix(got, prefix) || !strings.HasSuffix(got, suffix) {
		t.Errorf("%s calls: %s\nwant: %s … %s", endpoint, got, prefix, suffix)
	}
	return calls
}

// expertFrom returns the segments from port with expert flag e.
func expertFrom(r *result, port uint16, e decode.Expert) []wirePacket {
	var out []wirePacket
	for _, p := range r.wire {
		if p.IsTCP() && p.SrcPort == port && p.Analysis.Flags&e != 0 {
			out = append(out, p)
		}
	}
	return out
}

func TestPartialSend(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemo(t, "partial-send")
	reader := opsHave(t, r, "reader", "socket setsockopt setsockopt getsockopt bind listen accept recv", "recv close close")
	sender := opsHave(t, r, "sender", "socket setsockopt getsockopt connect fcntl send", "fcntl send sendall close")
	if t.Failed() {
		t.FailNow()
	}
	if g := reader[3]; g.Args != "SOL_SOCKET, SO_RCVBUF" || g.Ret != 8192 {
		t.Errorf("reader getsockopt: %s = %d, want SO_RCVBUF 8192", g.Args, g.Ret)
	}
	if g := sender[2]; g.Args != "SOL_SOCKET, SO_SNDBUF" || g.Ret != 8192 {
		t.Errorf("sender getsockopt: %s = %d, want SO_SNDBUF 8192", g.Args, g.Ret)
	}

	// A send that took part of what it was given, and one that failed
	// with EAGAIN; all on the non-blocking socket.
	partial, eagain := 0, 0
	taken := 0
	for _, c := range sender {
		if c.Op != "send" {
			continue
		}
		if c.Step == 3 || c.Step == 4 {
			if !c.Nonblocking {
				t.Errorf("send %d in step %d is not non-blocking", c.Number, c.Step)
			}
			if c.Ret > 0 {
				taken += c.Ret
			}
		}
		if c.Ret > 0 && c.Ret < c.Len {
			partial++
		}
		if c.Errno == "EAGAIN" {
			eagain++
			if c.Step != 4 || c.Ret != -1 {
				t.Errorf("EAGAIN send %d: step %d ret %d", c.Number, c.Step, c.Ret)
			}
		}
	}
	first := sender[5]
	if first.Step != 3 || first.Len != partialTotal || first.Ret <= 0 || first.Ret >= partialTotal {
		t.Errorf("the first send: step %d, send(%d) = %d; want 0 < ret < %d", first.Step, first.Len, first.Ret, partialTotal)
	}
	if partial == 0 || eagain != 1 {
		t.Errorf("%d partial sends and %d EAGAIN; want at least one partial send and one EAGAIN", partial, eagain)
	}
	sa := sender[len(sender)-2]
	if sa.Ret != partialTotal-taken || sa.Errno != "" || len(sa.Inner) == 0 || sa.Nonblocking {
		t.Errorf("sendall: %+v; want the other %d bytes, blocking", sa, partialTotal-taken)
	}
	var got []byte
	for _, c := range reader {
		if c.Op == "recv" {
			got = append(got, c.Data...)
		}
	}
	if string(got) != string(lessonBytes(partialTotal)) {
		t.Errorf("the reader got %d bytes, not the %d sent", len(got), partialTotal)
	}

	// The wire: a zero window, then window updates, from the reader.
	zw := expertFrom(r, partialPort, decode.ExpertZeroWindow)
	wu := expertFrom(r, partialPort, decode.ExpertWindowUpdate)
	if len(zw) == 0 || len(wu) == 0 || wu[len(wu)-1].Number < zw[0].Number {
		t.Errorf("zero windows in frames %v, window updates in %v; want both, an update after a zero window", frameNos(zw), frameNos(wu))
	}
	for _, p := range r.wire {
		if p.IsTCP() && p.TCPFlags&decode.TCPRst != 0 {
			t.Errorf("RST in frame %d", p.Number)
		}
	}
	checkLessonWords(t, r)
}

func frameNos(ps []wirePacket) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = fmt.Sprint(p.Number)
	}
	return "[" + strings.Join(s, " ") + "]"
}

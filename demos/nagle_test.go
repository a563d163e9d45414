//go:build linux

package demos

import (
	"testing"
	"time"

	"github.com/sockscope/sockscope/demos/sockcall"
)

func TestNagle(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemo(t, "nagle")
	client := opsHave(t, r, "client", "socket connect send send recv", "send send recv close")
	opsHave(t, r, "server", "socket setsockopt bind listen accept recv", "send recv close close")
	if t.Failed() {
		t.FailNow()
	}
	run := lessonRunOf(r)

	// For each round, the time from the second send's return to the
	// segment carrying its bytes (found by byte ranges, r.Links).
	holds := func(step int) []time.Duration {
		var out []time.Duration
		var sends []sockcall.Call
		for _, c := range client {
			if c.Step != step {
				continue
			}
			switch c.Op {
			case "send":
				sends = append(sends, c)
			case "recv":
				if len(sends) != 2 || string(c.Data) != "OK" {
					t.Fatalf("step %d: a round of %d sends and recv %q", step, len(sends), c.Data)
				}
				l := run.Links.Call(sends[1].Number)
				if l == nil || len(l.Frames) == 0 {
					t.Fatalf("send %d: no segment carries its bytes", sends[1].Number)
				}
				f := run.Frame(l.Frames[0])
				if f.PayloadLen != len(nagleRequest[1]) || l.Last-l.First+1 != 6 || l.Last%10 != 0 {
					t.Errorf("send %d: bytes %d–%d in frame %d of %d bytes", sends[1].Number, l.First, l.Last, f.Number, f.PayloadLen)
				}
				out = append(out, time.Unix(f.Sec, f.Nsec).Sub(callTime(sends[1])))
				sends = nil
			}
		}
		return out
	}
	on, off := holds(2), holds(3)
	t.Logf("Nagle on: %v; TCP_NODELAY: %v", on, off)
	if len(on) != nagleRounds || len(off) != nagleRounds {
		t.Fatalf("%d and %d rounds, want %d each", len(on), len(off), nagleRounds)
	}
	held := false
	for _, d := range on {
		held = held || d >= 30*time.Millisecond
	}
	if !held {
		t.Errorf("with Nagle no second piece was held ≥ 30 ms: %v", on)
	}
	for i, d := range off {
		if d > 5*time.Millisecond {
			t.Errorf("with TCP_NODELAY round %d's second piece left %v after its send returned; want ≤ 5 ms", i+1, d)
		}
	}
	checkLessonWords(t, r)
}

package timeline_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/demos/timeline"
	"github.com/sockscope/sockscope/internal/netns"
	"github.com/sockscope/sockscope/internal/socktable"
)

// The socket tables a real run reads after its calls (demos.Session, in a
// namespace of its own): where they sort and what they show.

func lesson(t *testing.T, name string) *demos.Demo {
	t.Helper()
	d, ok := demos.Get(name)
	if !ok {
		t.Fatalf("no lesson %q", name)
	}
	return d
}

// callRow finds the row of the first call of endpoint with op (and step,
// if > 0).
func callRow(t *testing.T, tl *timeline.Timeline, endpoint, op string, step int) (int, *sockcall.Call) {
	t.Helper()
	for i := range tl.Rows {
		r := &tl.Rows[i]
		if r.Kind != timeline.KindCall {
			continue
		}
		c := tl.Run.Call(r.Num)
		if c != nil && c.Endpoint == endpoint && c.Op == op && (step == 0 || c.Step == step) {
			return i, c
		}
	}
	t.Fatalf("no %s %s call (step %d)", endpoint, op, step)
	return -1, nil
}

// tableAfter returns the row of the table read after call n, or -1.
func tableAfter(tl *timeline.Timeline, n int) int {
	for i := range tl.Rows {
		if r := &tl.Rows[i]; r.Kind == timeline.KindSockets && r.Sockets.AfterCall == n {
			return i
		}
	}
	return -1
}

func dumpTables(tl *timeline.Timeline) string {
	var b strings.Builder
	for i := range tl.Rows {
		r := &tl.Rows[i]
		switch r.Kind {
		case timeline.KindCall:
			c := tl.Run.Call(r.Num)
			b.WriteString("  #" + strconv.Itoa(r.Num) + " " + c.Endpoint + " " + r.Text + "\n")
		case timeline.KindSockets:
			b.WriteString("  ▤ after " + strconv.Itoa(r.Sockets.AfterCall) + ": " + strings.Join(tl.TableChanges(i), " · ") + "\n")
			for _, line := range strings.Split(strings.TrimSpace(string(socktable.AppendTableOwned(nil, r.Sockets.Entries, "Endpoint", r.Sockets.Owner))), "\n") {
				b.WriteString("      " + line + "\n")
			}
		case timeline.KindStep:
			b.WriteString("── step " + strconv.Itoa(r.Num) + "\n")
		}
	}
	return b.String()
}

// half-close: right after the client's shutdown(SHUT_WR) a table shows
// the client's socket in FIN-WAIT-1 or FIN-WAIT-2, after the call's row;
// the request's sendall on the established connection, which changes no
// state, has no table after it.
func TestTablesAfterCallsHalfClose(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	runs := lessonRuns(t, 3)
	for run := range runs {
		tl := runLesson(t, lesson(t, "half-close"))
		_, conn := callRow(t, tl, "client", "connect", 0)
		shutRow, shut := callRow(t, tl, "client", "shutdown", 0)
		i := tableAfter(tl, shut.Number)
		if i < 0 {
			t.Fatalf("run %d: no table after shutdown #%d:\n%s", run+1, shut.Number, dumpTables(tl))
		}
		if i <= shutRow {
			t.Errorf("run %d: the table after shutdown is row %d, before the call's row %d", run+1, i, shutRow)
		}
		tb := tl.Rows[i].Sockets
		found := false
		for k, e := range tb.Entries {
			if e.Proto == socktable.TCP && e.Local == conn.Local && e.Peer == conn.Peer {
				found = true
				if st := e.State.String(); st != "FIN-WAIT-1" && st != "FIN-WAIT-2" {
					t.Errorf("run %d: after shutdown the client's socket is %s, want FIN-WAIT-1 or FIN-WAIT-2", run+1, st)
				}
				if tb.Owner[k] != "client" {
					t.Errorf("run %d: the client's socket is held by %q", run+1, tb.Owner[k])
				}
			}
		}
		if !found {
			t.Errorf("run %d: the table after shutdown has no %v→%v:\n%s", run+1, conn.Local, conn.Peer, dumpTables(tl))
		}
		if tb.Step != shut.Step {
			t.Errorf("run %d: the table after shutdown says step %d, the call is in step %d", run+1, tb.Step, shut.Step)
		}
		_, sendall := callRow(t, tl, "client", "sendall", 0)
		for _, n := range []int{sendall.Number, sendall.Number - 1} { // the sendall and its send
			if j := tableAfter(tl, n); j >= 0 {
				t.Errorf("run %d: a table after #%d (%s), which changed no socket's state: %q\n%s", run+1, n, tl.Run.Call(n).Op, tl.TableChanges(j), dumpTables(tl))
			}
		}
		if t.Failed() {
			t.Logf("%s", dumpTables(tl))
			return
		}
	}
}

// time-wait: after the client's close in step 2, a table shows the
// server's end of the connection in TIME-WAIT with no endpoint (inode 0),
// read after a call of step 2, not only as the step ended; no table before
// the close shows it. (The table may be one read after the server's
// close that sorts after the client's: the read takes milliseconds, and
// the client goes on meanwhile.)
func TestTablesAfterCallsTimeWait(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	runs := lessonRuns(t, 3)
	for run := range runs {
		tl := runLesson(t, lesson(t, "time-wait"))
		closeRow, cl := callRow(t, tl, "client", "close", 2)
		_, conn := callRow(t, tl, "client", "connect", 0)
		next := tl.StepRow[3]
		at := -1
		for i := closeRow + 1; i < next; i++ {
			r := &tl.Rows[i]
			if r.Kind != timeline.KindSockets || r.Sockets.AfterCall == 0 {
				continue
			}
			for k, e := range r.Sockets.Entries {
				if e.State == socktable.TimeWait && e.Local == conn.Peer && e.Peer == conn.Local {
					if r.Sockets.Owner[k] != "" || e.Inode != 0 {
						t.Errorf("run %d: TIME-WAIT held by %q, inode %d; want no endpoint, inode 0", run+1, r.Sockets.Owner[k], e.Inode)
					}
					if at < 0 {
						at = i
					}
				}
			}
		}
		if at < 0 {
			t.Fatalf("run %d: no table read after a call of step 2 shows %v→%v in TIME-WAIT after the client's close #%d:\n%s", run+1, conn.Peer, conn.Local, cl.Number, dumpTables(tl))
		}
		for i := range closeRow {
			r := &tl.Rows[i]
			if r.Kind != timeline.KindSockets {
				continue
			}
			for _, e := range r.Sockets.Entries {
				if e.State == socktable.TimeWait && e.Local == conn.Peer && e.Peer == conn.Local {
					t.Errorf("run %d: TIME-WAIT in a table before the client's close #%d:\n%s", run+1, cl.Number, dumpTables(tl))
				}
			}
		}
	}
}

// Every lesson, run through a Session that reads the tables after its
// calls: its words still hold (Check, and every step's Outcome says
// something); a table read after a call differs from the one before it
// (no table for a call that changed nothing); and a lesson that makes many
// calls reads few tables (udp-overflow's datagrams change no socket).
func TestTablesAfterCallsKeepClaims(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	runs := lessonRuns(t, 1)
	for _, d := range demos.List() {
		for run := range runs {
			tl := runLesson(t, d)
			if d.Check != nil {
				if err := d.Check(tl.Run); err != nil {
					t.Errorf("%s run %d: Check: %v", d.Name, run+1, err)
				}
			}
			for k, s := range d.Steps {
				if s.Outcome == nil {
					continue
				}
				if en, zh := s.Outcome(tl.Run); en == "" || zh == "" {
					t.Errorf("%s run %d step %d: Outcome says nothing: %q, %q", d.Name, run+1, k+1, en, zh)
				}
			}
			calls, mid := len(tl.Run.Calls), 0
			for i := range tl.Rows {
				r := &tl.Rows[i]
				if r.Kind != timeline.KindSockets || r.Sockets.AfterCall == 0 {
					continue
				}
				mid++
				if len(tl.TableChanges(i)) == 0 {
					t.Errorf("%s: the table after #%d is the same as the one before it:\n%s", d.Name, r.Sockets.AfterCall, dumpTables(tl))
				}
			}
			if mid == 0 {
				t.Errorf("%s: no table was read after a call", d.Name)
			}
			if d.Name == "udp-overflow" && mid > 10 {
				t.Errorf("udp-overflow: %d tables after %d calls", mid, calls)
			}
			if run == 0 {
				t.Logf("%-20s %4d calls, %3d tables after calls", d.Name, calls, mid)
			}
		}
	}
}

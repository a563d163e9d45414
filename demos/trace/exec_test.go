//go:build linux && (amd64 || arm64)

package trace_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/demos/trace"
)

// TestExecFromThread: a thread that is not the main one execs while
// another waits in recv. The waiting call ends unfinished, the Exec event
// has the process's pid as its tid, and the new program is traced.
func TestExecFromThread(t *testing.T) {
	py := needPython(t)
	rec, st, out := run(t, []string{py, testdata("exec_thread.py")}, nil)
	if !st.Success() {
		logCalls(t, rec)
		t.Fatalf("the program failed: %v\n%s", st, out)
	}
	var pid, execer, waiter, pid2, tid2 int
	if _, err := fmt.Sscanf(out, "%d %d %d\n%d %d\n", &pid, &execer, &waiter, &pid2, &tid2); err != nil {
		t.Fatalf("stdout %q: %v", out, err)
	}
	if pid2 != pid || tid2 != pid || execer == pid || waiter == pid {
		t.Fatalf("pid %d, execer %d, waiter %d; after the exec pid %d tid %d", pid, execer, waiter, pid2, tid2)
	}
	execs := rec.kind(trace.Exec)
	if len(execs) != 2 || execs[1].Proc.Pid != pid || execs[1].Tid != pid || execs[1].Proc.Argv[len(execs[1].Proc.Argv)-1] != "again" {
		for _, e := range execs {
			t.Logf("exec %+v tid %d", e.Proc, e.Tid)
		}
		t.Fatalf("Exec events")
	}
	var waited *trace.Call
	var after []string
	for _, ev := range rec.ends() {
		c := ev.Call
		if ev.Tid == waiter && c.Op() == "recv" && c.Unfinished {
			waited = c
		}
		if ev.Time.After(execs[1].Time) {
			if ev.Proc.Pid != pid || ev.Tid != pid {
				t.Errorf("after the exec: %s in %d/%d", c.Name, ev.Proc.Pid, ev.Tid)
			}
			after = append(after, c.Op()+" "+string(c.Data))
		}
	}
	if waited == nil || !waited.MayBlock {
		logCalls(t, rec)
		t.Errorf("the waiting recv on thread %d is not reported unfinished", waiter)
	}
	if got := strings.Join(after, ","); !strings.Contains(got, "send after exec,recv after exec") {
		t.Errorf("calls after the exec: %s", got)
	}
}

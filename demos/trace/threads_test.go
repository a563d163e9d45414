//go:build linux && (amd64 || arm64)

package trace_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestPythonThreads traces a thread-per-client server: the calls of one
// process come from distinct threads, each named by its tid.
func TestPythonThreads(t *testing.T) {
	py := needPython(t)
	rec, st, out := run(t, []string{py, testdata("threads.py")}, nil)
	if !st.Success() {
		t.Fatalf("the program failed: %v", st)
	}
	var mainTid int
	clientTid := map[int]int{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var i, tid int
		if n, _ := fmt.Sscanf(line, "main %d", &tid); n == 1 {
			mainTid = tid
		} else if n, _ := fmt.Sscanf(line, "client %d %d", &i, &tid); n == 2 {
			clientTid[i] = tid
		}
	}
	if mainTid == 0 || len(clientTid) != 3 {
		t.Fatalf("stdout %q", out)
	}
	ends := rec.ends()
	pid := ends[0].Proc.Pid
	if pid != mainTid {
		t.Errorf("the process is %d, its main thread %d", pid, mainTid)
	}
	// accept on the main thread; each accepted socket (by inode) read and
	// written on one handler thread, not the main one.
	handlerOf := map[uint64]int{}
	accepted := 0
	for _, ev := range ends {
		c := ev.Call
		if ev.Proc.Pid != pid {
			t.Errorf("a call from process %d", ev.Proc.Pid)
		}
		switch c.Op() {
		case "accept", "accept4":
			accepted++
			if ev.Tid != mainTid {
				t.Errorf("accept on thread %d, want the main thread %d", ev.Tid, mainTid)
			}
			handlerOf[c.NewInode] = 0
		}
	}
	if accepted != 3 {
		t.Fatalf("%d accepts", accepted)
	}
	handlerTids := map[int]bool{}
	for _, ev := range ends {
		c := ev.Call
		if _, ok := handlerOf[c.Inode]; !ok || c.Inode == 0 {
			continue
		}
		switch c.Op() {
		case "recv":
			if !strings.HasPrefix(string(c.Data), "thread ") || c.Ret != 8 {
				t.Errorf("handler recv %q = %d", c.Data, c.Ret)
			}
			handlerOf[c.Inode] = ev.Tid
		case "send":
			if handlerOf[c.Inode] != ev.Tid || !strings.HasPrefix(string(c.Data), "THREAD ") {
				t.Errorf("send %q on thread %d, the recv was on %d", c.Data, ev.Tid, handlerOf[c.Inode])
			}
		}
	}
	for ino, tid := range handlerOf {
		if tid == 0 || tid == mainTid {
			t.Errorf("socket %d handled on thread %d", ino, tid)
		}
		handlerTids[tid] = true
	}
	if len(handlerTids) != 3 {
		t.Errorf("handler threads %v, want 3 distinct", handlerTids)
	}
	// Each client thread connected and sent its own message.
	for i, tid := range clientTid {
		var sent string
		for _, ev := range ends {
			if ev.Tid == tid && ev.Call.Op() == "send" {
				sent = string(ev.Call.Data)
			}
		}
		if sent != fmt.Sprintf("thread %d", i) {
			t.Errorf("client thread %d (tid %d) sent %q", i, tid, sent)
		}
	}
}

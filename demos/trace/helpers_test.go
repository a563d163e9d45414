//go:build linux && (amd64 || arm64)

package trace_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockscope/sockscope/demos/trace"
)

// recorder keeps every event of one run.
type recorder struct {
	mu     sync.Mutex
	events []trace.Event
	stats  trace.Stats // at the end of the run
	// watch, when set, sees each event as it comes (from the forwarding
	// goroutine).
	watch func(trace.Event)
}

func (r *recorder) on(ev trace.Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	w := r.watch
	r.mu.Unlock()
	if w != nil {
		w(ev)
	}
}

// ends are the CallEnd records, in order.
func (r *recorder) ends() []trace.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []trace.Event
	for _, ev := range r.events {
		if ev.Kind == trace.CallEnd {
			out = append(out, ev)
		}
	}
	return out
}

func (r *recorder) kind(k trace.Kind) []trace.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []trace.Event
	for _, ev := range r.events {
		if ev.Kind == k {
			out = append(out, ev)
		}
	}
	return out
}

// run traces args to the end and returns its events, status and stdout.
func run(t *testing.T, args []string, mod func(*trace.Options)) (*recorder, trace.ExitStatus, string) {
	t.Helper()
	rec := &recorder{}
	var stdout, stderr bytes.Buffer
	opts := trace.Options{Args: args, OnEvent: rec.on, Stdout: &stdout, Stderr: &stderr}
	if mod != nil {
		mod(&opts)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tr, err := trace.Start(ctx, opts)
	if err != nil {
		t.Fatalf("Start %v: %v", args, err)
	}
	st, err := tr.Wait()
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	rec.stats = tr.Stats()
	t.Logf("%v: %v; stats %+v", args, st, rec.stats)
	if stderr.Len() > 0 {
		t.Logf("stderr: %s", stderr.String())
	}
	return rec, st, stdout.String()
}

// logCalls writes every call, for a failing test's reader.
func logCalls(t *testing.T, rec *recorder) {
	t.Helper()
	for _, ev := range rec.ends() {
		c := ev.Call
		t.Logf("%s tid %d fd %d %s(%s) = %s data %q addr %v state %+v", ev.Proc.Name(), ev.Tid, c.FD, c.Name, c.Describe(), c.Result(), c.Data, c.Addr, c.State)
	}
}

// needGCC builds a C program from testdata into dir, or skips the test.
func needGCC(t testing.TB, src string) string {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is not installed: the C program cannot be built")
	}
	out := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(src), ".c"))
	if b, err := exec.Command(gcc, "-O1", "-o", out, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc %s: %v\n%s", src, err, b)
	}
	return out
}

// needPython returns python3's path, or skips the test.
func needPython(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3" // not a version manager's shell-script shim
	}
	p, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	return p
}

func testdata(name string) string {
	p, _ := filepath.Abs(filepath.Join("testdata", name))
	return p
}

// calls filters CallEnd events: of process pid (0: any), named name ("":
// any).
func calls(evs []trace.Event, pid int, name string) []*trace.Call {
	var out []*trace.Call
	for _, ev := range evs {
		if (pid == 0 || ev.Proc.Pid == pid) && (name == "" || ev.Call.Name == name) {
			out = append(out, ev.Call)
		}
	}
	return out
}

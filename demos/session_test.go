//go:build linux

package demos

import (
	"context"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/internal/socktable"
)

// runSession runs lesson d through a Session at Pace 0 and returns its
// events and how long the run took.
func runSession(t *testing.T, d *Demo) ([]Event, time.Duration) {
	t.Helper()
	var evs []Event
	s := &Session{Demo: d, Sink: func(e Event) { evs = append(evs, e) }}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	if err := s.Run(ctx); err != nil {
		t.Fatalf("%s: %v", d.Name, err)
	}
	return evs, time.Since(start)
}

// TestSocketTableCost measures one read of the socket table as the
// session takes it after each call (sock_diag and the owners by inode), in
// a namespace holding what a lesson holds: a listener, a connection's two
// ends, a UDP socket and an AF_UNIX pair.
func TestSocketTableCost(t *testing.T) {
	if !labTest(t) {
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:7099")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", "127.0.0.1:7099")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	u, err := net.ListenPacket("udp", "127.0.0.1:7098")
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	dir := t.TempDir()
	ul, err := net.Listen("unix", dir+"/s")
	if err != nil {
		t.Fatal(err)
	}
	defer ul.Close()

	env := &Env{}
	n := 300
	read := func(f func() error) time.Duration {
		start := time.Now()
		for range n {
			if err := f(); err != nil {
				t.Fatal(err)
			}
		}
		return time.Since(start) / time.Duration(n)
	}
	var entries int
	table := read(func() error {
		es, _, err := env.socketTable()
		entries = len(es)
		return err
	})
	list := read(func() error { _, err := socktable.List(); return err })
	w := newTableWatch(true)
	defer w.close()
	if w.stat == nil {
		t.Fatal("no /proc/net/sockstat here")
	}
	es, owner, _ := env.socketTable()
	n = 3000
	compare := read(func() error { w.changed(es, owner); return nil })
	call := &sockcall.Call{Op: "send", Kernel: []sockcall.Sample{
		{Endpoint: "server", FD: 3, Proto: "tcp", Listener: true, State: "LISTEN"},
		{Endpoint: "server", FD: 4, Proto: "tcp", State: "ESTAB"},
		{Endpoint: "client", FD: 3, Proto: "tcp", State: "ESTAB"},
	}}
	look := read(func() error { w.mayHaveChanged(call); return nil })
	if w.mayHaveChanged(call) {
		t.Errorf("the look after a send that changed nothing says the table may have changed")
	}
	if w.counts[0] < 2 || w.counts[2] < 1 {
		t.Errorf("counts %v %v: want TCP inuse ≥ 2 and UDP inuse ≥ 1", countKeys, w.counts)
	}
	t.Logf("socket table of %d entries: %v per read (sock_diag alone %v), %v per comparison; the look before it %v (counts %v %v)",
		entries, table, list, compare, look, countKeys, w.counts)
	if entries < 5 {
		t.Errorf("the table has %d entries, want the 5 sockets opened here at least", entries)
	}
}

// TestSocketTableLessonCost runs every lesson with and without the tables
// after calls, and reports how many calls and tables each made and how
// long it took either way (a measurement: SOCKSCOPE_TABLE_COST=1 runs it).
// udp-overflow's datagrams change no socket: its tables stay few.
func TestSocketTableLessonCost(t *testing.T) {
	if os.Getenv("SOCKSCOPE_TABLE_COST") == "" {
		t.Skip("a measurement that runs every lesson six times: SOCKSCOPE_TABLE_COST=1 runs it")
	}
	if !labTest(t) {
		return
	}
	defer func() { tablesAfterCalls = true }()
	const runs = 3
	var b strings.Builder
	fmt.Fprintf(&b, "%-20s %6s %7s %7s %12s %12s\n", "lesson", "calls", "tables", "mid", "with", "without")
	for _, d := range List() {
		var with, without []time.Duration
		calls, tables, mid := 0, 0, 0
		for range runs {
			tablesAfterCalls = true
			evs, took := runSession(t, d)
			with = append(with, took)
			calls, tables, mid = 0, 0, 0
			for _, e := range evs {
				switch {
				case e.Call != nil:
					calls++
				case e.Sockets != nil:
					tables++
					if e.Sockets.AfterCall > 0 {
						mid++
					}
				}
			}
			tablesAfterCalls = false
			_, took = runSession(t, d)
			without = append(without, took)
		}
		fmt.Fprintf(&b, "%-20s %6d %7d %7d %12v %12v\n", d.Name, calls, tables, mid, median(with), median(without))
		if d.Name == "udp-overflow" && mid > 10 {
			t.Errorf("%s: %d tables after %d calls", d.Name, mid, calls)
		}
	}
	t.Logf("median of %d runs:\n%s", runs, b.String())
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2].Round(100 * time.Microsecond)
}

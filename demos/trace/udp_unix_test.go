//go:build linux && (amd64 || arm64)

package trace_test

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/demos/trace"
)

// TestPythonUDPAndUnix traces a Python UDP pair and AF_UNIX sockets: the
// datagrams' bytes and addresses, a socketpair, an abstract and a path
// address.
func TestPythonUDPAndUnix(t *testing.T) {
	py := needPython(t)
	path := filepath.Join(t.TempDir(), "sock")
	rec, st, out := run(t, []string{py, testdata("udp_unix.py"), path}, nil)
	if !st.Success() {
		logCalls(t, rec)
		t.Fatalf("the program failed: %v", st)
	}
	var rport, sport uint16
	if _, err := fmt.Sscanf(out, "receiver %d sender %d\nok\n", &rport, &sport); err != nil {
		t.Fatalf("stdout %q: %v", out, err)
	}
	lo := netip.MustParseAddr("127.0.0.1")
	recvAddr, sendAddr := netip.AddrPortFrom(lo, rport), netip.AddrPortFrom(lo, sport)
	evs := rec.ends()
	pid := evs[0].Proc.Pid

	find := func(op string, data string) (trace.Event, *trace.Call) {
		t.Helper()
		for _, ev := range evs {
			if ev.Call.Op() == op && string(ev.Call.Data) == data {
				return ev, ev.Call
			}
		}
		logCalls(t, rec)
		t.Fatalf("no %s of %q", op, data)
		return trace.Event{}, nil
	}
	// UDP: each datagram's destination and source, checked against the
	// ports the program printed.
	ev, c := find("sendto", "ping")
	if c.Addr.AddrPort != recvAddr || c.Ret != 4 || c.Len != 4 || c.State.Local.AddrPort != sendAddr {
		t.Errorf("sendto ping: to %v = %d, from %v", c.Addr, c.Ret, c.State.Local)
	}
	if r := ev.Record(); r.Op != "sendto" || r.Proto != "udp" || r.Peer != recvAddr || r.Local != sendAddr ||
		r.Args != `"ping", `+recvAddr.String() || r.Ret != 4 || string(r.Data) != "ping" {
		t.Errorf("the sendto's record: %+v", r)
	}
	_, c = find("recvfrom", "ping")
	if c.Addr.AddrPort != sendAddr || c.Ret != 4 || c.Len != 1024 || c.State.Local.AddrPort != recvAddr || !c.MayBlock {
		t.Errorf("recvfrom ping: from %v = %d (len %d) on %v", c.Addr, c.Ret, c.Len, c.State.Local)
	}
	_, c = find("sendto", "pong!")
	if c.Addr.AddrPort != sendAddr || c.Ret != 5 {
		t.Errorf("sendto pong!: to %v = %d", c.Addr, c.Ret)
	}
	_, c = find("recvfrom", "pong!")
	if c.Addr.AddrPort != recvAddr || c.Ret != 5 {
		t.Errorf("recvfrom pong!: from %v = %d", c.Addr, c.Ret)
	}

	// The socketpair: two AF_UNIX stream sockets; one sends, the other
	// receives, no addresses.
	var pair *trace.Call
	for _, ev := range evs {
		if ev.Call.Name == "socketpair" {
			pair = ev.Call
		}
	}
	if pair == nil || pair.Ret != 0 || len(pair.NewFDs) != 2 || pair.Family != 1 || pair.Type&0xf != 1 || pair.State.Domain != 1 {
		t.Fatalf("socketpair: %+v", pair)
	}
	ev, c = find("send", "over unix")
	if c.FD != pair.NewFDs[0] || c.Ret != 9 || !c.Addr.IsZero() || ev.Record().Proto != "unix" {
		t.Errorf("send over unix on fd %d (pair %v) = %d to %v", c.FD, pair.NewFDs, c.Ret, c.Addr)
	}
	_, c = find("recv", "over unix")
	if c.FD != pair.NewFDs[1] || c.Ret != 9 || c.Len != 100 {
		t.Errorf("recv over unix on fd %d = %d", c.FD, c.Ret)
	}

	// Abstract and path addresses.
	abstract := fmt.Sprintf("@sockscope-trace-test-%d", pid)
	var bound []string
	for _, ev := range evs {
		if ev.Call.Name == "bind" && ev.Call.Addr.Family == 1 {
			bound = append(bound, ev.Call.Addr.Path)
			if ev.Call.State.Local != ev.Call.Addr {
				t.Errorf("bind %v: local name after %v", ev.Call.Addr, ev.Call.State.Local)
			}
		}
	}
	if strings.Join(bound, " ") != abstract+" "+path {
		t.Errorf("AF_UNIX binds %q, want %q and %q", bound, abstract, path)
	}
	_, c = find("sendto", "abstract")
	if c.Addr.Path != abstract || c.Ret != 8 {
		t.Errorf("sendto abstract: to %v = %d", c.Addr, c.Ret)
	}
	find("recv", "abstract")
	_, c = find("sendto", "by path")
	if c.Addr.Path != path || c.Ret != 7 {
		t.Errorf("sendto by path: to %v = %d", c.Addr, c.Ret)
	}
	_, c = find("recvfrom", "by path")
	if c.Ret != 7 || c.State.Local.Path != path {
		t.Errorf("recvfrom by path = %d on %v", c.Ret, c.State.Local)
	}
	// Every socket closed, each close reported with its inode. glibc's own
	// sockets to nscd (opened when Python looks up the user at start-up,
	// without HOME, as under CI) are not the program's.
	closes := 0
	nscd := map[int]bool{}
	for _, ev := range evs {
		if ev.Call.Name == "connect" && strings.HasSuffix(ev.Call.Addr.Path, "/nscd/socket") {
			nscd[ev.Call.FD] = true
		}
		if ev.Call.Name == "close" {
			if nscd[ev.Call.FD] {
				delete(nscd, ev.Call.FD)
				continue
			}
			closes++
			if ev.Call.Inode == 0 || ev.Call.Ret != 0 {
				t.Errorf("close of fd %d: inode %d = %d", ev.Call.FD, ev.Call.Inode, ev.Call.Ret)
			}
		}
	}
	if closes != 7 {
		t.Errorf("%d closes, want 7", closes)
	}
}

// TestTwoTracersAtOnce: two tracers in one process, each with its own
// locked thread, see only their own command's calls.
func TestTwoTracersAtOnce(t *testing.T) {
	py := needPython(t)
	for i := range 2 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "sock")
			rec, st, _ := run(t, []string{py, testdata("udp_unix.py"), path}, nil)
			if !st.Success() {
				t.Fatalf("status %v", st)
			}
			pid := rec.kind(trace.Exec)[0].Proc.Pid
			n := 0
			for _, ev := range rec.events {
				if ev.Proc.Pid != pid {
					t.Errorf("an event of process %d in the tracer of %d", ev.Proc.Pid, pid)
				}
				if ev.Kind == trace.CallEnd && ev.Call.Addr.Path == path {
					n++
				}
			}
			if n != 2 { // bind and sendto to this run's own path
				t.Errorf("%d calls with this run's path", n)
			}
		})
	}
}

//go:build linux && (amd64 || arm64)

package trace_test

import (
	"bytes"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/demos/trace"
)

// TestCForkServer traces a C TCP server that forks a process per client,
// and its two clients (forked too): five processes, every call in order
// with its bytes, results and addresses.
func TestCForkServer(t *testing.T) {
	prog := needGCC(t, testdata("forkserver.c"))
	rec, st, out := run(t, []string{prog}, nil)
	if !st.Success() {
		logCalls(t, rec)
		t.Fatalf("the program failed: %v", st)
	}
	port, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(out, "port ")))
	if err != nil {
		t.Fatalf("stdout %q: %v", out, err)
	}
	server := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))
	ends := rec.ends()
	root := rec.kind(trace.Exec)[0].Proc.Pid
	// The shim's own call after its filter (its fcntl) was let through,
	// and nothing was reported before the command's exec.
	if rec.stats.Shim == 0 {
		t.Errorf("no shim stop counted")
	}
	if first := rec.events[0]; first.Kind != trace.Exec || first.Proc.Pid != root || first.Proc.Argv[0] != prog {
		t.Errorf("the first event: %v %+v", first.Kind, first.Proc)
	}

	// The processes: the root, and four it forked.
	forks := rec.kind(trace.Fork)
	if len(forks) != 4 {
		t.Fatalf("%d Fork events, want 4", len(forks))
	}
	for _, f := range forks {
		if f.Parent != root {
			t.Errorf("fork of %d by %d, want by the server %d", f.Proc.Pid, f.Parent, root)
		}
	}
	if n := len(rec.kind(trace.Exit)); n != 5 {
		t.Errorf("%d Exit events, want 5", n)
	}

	// The server's own calls, exactly (its printf is a write on stdout,
	// not a socket: not reported).
	var names []string
	for _, c := range calls(ends, root, "") {
		names = append(names, c.Name)
	}
	want := []string{"socket", "setsockopt", "bind", "listen", "getsockname", "accept", "close", "accept", "close", "close"}
	if !slices.Equal(names, want) {
		logCalls(t, rec)
		t.Fatalf("server calls %v, want %v", names, want)
	}
	sc := calls(ends, root, "")
	ls := int(sc[0].Ret)
	if sc[0].Family != 2 || sc[0].Type != 1 || sc[0].NewFDs[0] != ls || sc[0].FD != -1 {
		t.Errorf("socket: %+v", sc[0])
	}
	if c := sc[1]; c.FD != ls || c.Describe() != "SOL_SOCKET, SO_REUSEADDR, 1" || c.Ret != 0 {
		t.Errorf("setsockopt: %q = %d", c.Describe(), c.Ret)
	}
	if c := sc[2]; c.Addr.AddrPort != netip.MustParseAddrPort("127.0.0.1:0") || c.Ret != 0 || c.State.Local.AddrPort != server {
		t.Errorf("bind: addr %v ret %d, local after %v (want %v)", c.Addr, c.Ret, c.State.Local, server)
	}
	if c := sc[3]; c.Args[1] != 8 || c.State.TCP == nil || c.State.TCP.State != "LISTEN" {
		t.Errorf("listen: backlog %d, state %+v", c.Args[1], c.State.TCP)
	}
	if c := sc[4]; c.Addr.AddrPort != server {
		t.Errorf("getsockname: %v, want %v", c.Addr, server)
	}
	clientPorts := map[uint16]bool{}
	for _, c := range []*trace.Call{sc[5], sc[7]} {
		if c.FD != ls || c.Ret <= int64(ls) || !c.MayBlock || c.Errno != "" {
			t.Errorf("accept: fd %d ret %d mayblock %v errno %s", c.FD, c.Ret, c.MayBlock, c.Errno)
		}
		if c.Addr.AddrPort.Addr() != server.Addr() || c.State.Peer != c.Addr || c.State.Local.AddrPort != server {
			t.Errorf("accept: peer %v, state local %v peer %v", c.Addr, c.State.Local, c.State.Peer)
		}
		if c.State.TCP == nil || c.State.TCP.State != "ESTAB" {
			t.Errorf("accept: the new connection's TCP state %+v", c.State.TCP)
		}
		clientPorts[c.Addr.AddrPort.Port()] = true
	}
	if c := sc[9]; c.FD != ls || c.Inode != sc[0].NewInode || c.Ret != 0 {
		t.Errorf("close of the listener: fd %d inode %d (want %d %d)", c.FD, c.Inode, ls, sc[0].NewInode)
	}

	// Clients and handlers, by what they did.
	var clients, handlers []int
	for _, f := range forks {
		cs := calls(ends, f.Proc.Pid, "")
		if len(cs) > 0 && cs[0].Name == "close" && len(cs) > 1 && cs[1].Name == "socket" {
			clients = append(clients, f.Proc.Pid)
		} else {
			handlers = append(handlers, f.Proc.Pid)
		}
	}
	if len(clients) != 2 || len(handlers) != 2 {
		logCalls(t, rec)
		t.Fatalf("clients %v handlers %v", clients, handlers)
	}
	sent := map[string]bool{}
	for _, pid := range clients {
		cs := calls(ends, pid, "")
		var got []string
		for _, c := range cs {
			got = append(got, c.Op())
		}
		if want := []string{"close", "socket", "connect", "send", "recv", "shutdown", "recv", "close"}; !slices.Equal(got, want) {
			t.Errorf("client %d calls %v, want %v", pid, got, want)
			continue
		}
		conn, send, echo, shut, eof := cs[2], cs[3], cs[4], cs[5], cs[6]
		if conn.Addr.AddrPort != server || conn.Ret != 0 || !clientPorts[conn.State.Local.AddrPort.Port()] || conn.State.Peer.AddrPort != server {
			t.Errorf("client %d connect to %v = %d, local %v peer %v", pid, conn.Addr, conn.Ret, conn.State.Local, conn.State.Peer)
		}
		msg := string(send.Data)
		if !strings.HasPrefix(msg, "hello ") || len(msg) != 7 || send.Ret != 7 || send.Len != 7 || send.DataLen != 7 {
			t.Errorf("client %d send %q = %d", pid, send.Data, send.Ret)
		}
		sent[msg] = true
		if send.State.TCP == nil || send.State.TCP.State != "ESTAB" || send.State.SndBuf <= 0 {
			t.Errorf("client %d send: state %+v", pid, send.State)
		}
		if string(echo.Data) != msg || echo.Ret != 7 || echo.Len != 64 || !echo.MayBlock {
			t.Errorf("client %d recv %q = %d (len %d)", pid, echo.Data, echo.Ret, echo.Len)
		}
		if shut.Describe() != "SHUT_WR" || shut.Ret != 0 {
			t.Errorf("client %d shutdown %s = %d", pid, shut.Describe(), shut.Ret)
		}
		if eof.Ret != 0 || len(eof.Data) != 0 {
			t.Errorf("client %d: the end of stream recv = %d %q", pid, eof.Ret, eof.Data)
		}
	}
	if !sent["hello 0"] || !sent["hello 1"] {
		t.Errorf("clients sent %v", sent)
	}
	echoed := map[string]bool{}
	for _, pid := range handlers {
		cs := calls(ends, pid, "")
		var got []string
		for _, c := range cs {
			got = append(got, c.Op())
		}
		if want := []string{"close", "recv", "send", "recv", "close"}; !slices.Equal(got, want) {
			t.Errorf("handler %d calls %v, want %v", pid, got, want)
			continue
		}
		if cs[0].FD != ls {
			t.Errorf("handler %d first closes fd %d, want the listener %d", pid, cs[0].FD, ls)
		}
		in, back := cs[1], cs[2]
		if !bytes.Equal(in.Data, back.Data) || in.Ret != 7 || back.Ret != 7 {
			t.Errorf("handler %d read %q and sent %q", pid, in.Data, back.Data)
		}
		if in.State.Local.AddrPort != server || !clientPorts[in.State.Peer.AddrPort.Port()] {
			t.Errorf("handler %d socket %v → %v", pid, in.State.Local, in.State.Peer)
		}
		echoed[string(in.Data)] = true
		if cs[3].Ret != 0 {
			t.Errorf("handler %d: end of stream recv = %d", pid, cs[3].Ret)
		}
	}
	if !echoed["hello 0"] || !echoed["hello 1"] {
		t.Errorf("handlers echoed %v", echoed)
	}
	// Every CallStart has its CallEnd, and only calls that may wait have one.
	startIDs := map[uint64]bool{}
	for _, ev := range rec.kind(trace.CallStart) {
		startIDs[ev.Call.ID] = true
		if !ev.Call.MayBlock || !ev.Call.End.IsZero() {
			t.Errorf("CallStart %s: mayblock %v end %v", ev.Call.Name, ev.Call.MayBlock, ev.Call.End)
		}
	}
	for _, ev := range ends {
		if ev.Call.MayBlock != startIDs[ev.Call.ID] {
			t.Errorf("%s: MayBlock %v but CallStart %v", ev.Call.Name, ev.Call.MayBlock, startIDs[ev.Call.ID])
		}
	}
}

package timeline

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/internal/socktable"
)

// A table read after a call is a row where it was read (after the call,
// before the step's outcome and its step-end table); TableAt finds the
// table in force at any row; text prints only the step's table, JSON
// every table, those after a call with socket.after_call.
func TestModelTableAfterCall(t *testing.T) {
	d := &demos.Demo{Steps: []demos.Step{
		{Title: "one", Outcome: func(*sockcall.Run) (string, string) { return "said", "说" }},
		{Title: "two"},
	}}
	f := newFakeRun(d)
	f.step(1)
	f.call(sockcall.Call{Endpoint: "server", Op: "listen", Ret: 0, FD: 3}, 0)
	estab := socktable.Entry{Proto: socktable.TCP, State: socktable.Established, Local: cliAddr, Peer: srvAddr, Inode: 43}
	listen := socktable.Entry{Proto: socktable.TCP, State: socktable.Listen, Local: srvAddr, Inode: 42}
	at := f.tick()
	f.b.Add(demos.Event{Sockets: &demos.SocketTable{Step: 1, AfterCall: 1, At: at, Entries: []socktable.Entry{listen}, Owner: []string{"server"}}}, at)
	f.call(sockcall.Call{Endpoint: "client", Op: "connect", Ret: 0, FD: 3, Local: cliAddr, Peer: srvAddr}, 0)
	at = f.tick()
	f.b.Add(demos.Event{Sockets: &demos.SocketTable{Step: 1, AfterCall: 2, At: at, Entries: []socktable.Entry{listen, estab}, Owner: []string{"server", "client"}}}, at)
	f.call(sockcall.Call{Endpoint: "client", Op: "send", Ret: 5, FD: 3, Data: []byte("hello"), Local: cliAddr, Peer: srvAddr}, 0)
	f.call(sockcall.Call{Endpoint: "client", Op: "close", Ret: 0, FD: 3}, 0)
	at = f.tick()
	tw := socktable.Entry{Proto: socktable.TCP, State: socktable.TimeWait, Local: cliAddr, Peer: srvAddr}
	f.b.Add(demos.Event{Sockets: &demos.SocketTable{Step: 1, AfterCall: 4, At: at, Entries: []socktable.Entry{listen, tw}, Owner: []string{"server", ""}}}, at)
	at = f.tick()
	f.b.Add(demos.Event{Sockets: &demos.SocketTable{Step: 1, At: at, Entries: []socktable.Entry{listen, tw}, Owner: []string{"server", ""}}}, at)
	f.step(2)
	f.b.Finish(f.tick())
	tl := f.b.Build()

	var kinds []string
	for _, r := range tl.Rows {
		k := map[Kind]string{KindStep: "step", KindCall: "call", KindOutcome: "outcome", KindSockets: "sockets"}[r.Kind]
		if r.Kind == KindSockets && r.Sockets.AfterCall > 0 {
			k = "sockets-after-" + string(rune('0'+r.Sockets.AfterCall))
		}
		kinds = append(kinds, k)
	}
	want := []string{"step", "call", "sockets-after-1", "call", "sockets-after-2", "call", "call", "sockets-after-4", "outcome", "sockets", "step"}
	if !slices.Equal(kinds, want) {
		t.Fatalf("rows %v\nwant %v", kinds, want)
	}
	// The table in force: none before the first, then the latest.
	for i, w := range []int{-1, -1, 2, 2, 4, 4, 4, 7, 7, 9, 9} {
		if got := tl.TableAt(i); got != w {
			t.Errorf("TableAt(%d) = %d, want %d", i, got, w)
		}
	}
	if ch := tl.TableChanges(4); !slices.Equal(ch, []string{"+client tcp 127.0.0.1:40000→:7001 ESTAB"}) {
		t.Errorf("changes after connect %q", ch)
	}
	if ch := tl.TableChanges(7); !slices.Equal(ch, []string{"tcp 127.0.0.1:40000→:7001 client ESTAB→(kernel) TIME-WAIT"}) {
		t.Errorf("changes after close %q", ch)
	}
	if ch := tl.TableChanges(9); len(ch) != 0 {
		t.Errorf("the step's table, the same as the one before it: changes %q", ch)
	}
	if ch := tl.TableChanges(2); !slices.Equal(ch, []string{"+server tcp 127.0.0.1:7001 LISTEN"}) {
		t.Errorf("the first table's changes %q", ch)
	}

	text := string(NewTextPrinter().Print(nil, tl, time.Time{}))
	if n := strings.Count(text, "sockets in the lab"); n != 1 {
		t.Errorf("text prints %d tables, want the step's one:\n%s", n, text)
	}
	js := string(AppendJSON(nil, tl))
	var after []string
	for line := range strings.Lines(js) {
		if strings.Contains(line, `"type":"socket"`) {
			i := strings.Index(line, `"socket.after_call":`)
			if i < 0 {
				after = append(after, "end")
				continue
			}
			after = append(after, strings.TrimSuffix(strings.TrimSpace(line[i+len(`"socket.after_call":`):]), "}"))
		}
	}
	if !slices.Equal(after, []string{"1", "2", "2", "4", "4", "end", "end"}) {
		t.Errorf("socket objects' after_call %v; JSON:\n%s", after, js)
	}
	if !strings.Contains(js, `"socket.step":1,"socket.endpoint":"server","socket.proto":"tcp","socket.state":"LISTEN"`) {
		t.Errorf("the socket objects lost their keys:\n%s", js)
	}
}

// A socket that gets an address or a peer is the same socket (by inode);
// an AF_UNIX name is escaped.
func TestTableChangesAddresses(t *testing.T) {
	any5000 := netip.MustParseAddrPort("0.0.0.0:5000")
	lo5000 := netip.MustParseAddrPort("127.0.0.1:5000")
	nine := netip.MustParseAddrPort("127.0.0.1:9")
	prev := &demos.SocketTable{Entries: []socktable.Entry{
		{Proto: socktable.UDP, State: socktable.Close, Local: any5000, Inode: 7},
		{Proto: socktable.UnixStream, State: socktable.Close, Inode: 8},
	}, Owner: []string{"client", "server"}}
	cur := &demos.SocketTable{Entries: []socktable.Entry{
		{Proto: socktable.UDP, State: socktable.Established, Local: lo5000, Peer: nine, Inode: 7},
		{Proto: socktable.UnixStream, State: socktable.Close, Path: "/tmp/s\x1b[2J", Inode: 8},
	}, Owner: []string{"client", "server"}}
	got := tableChanges(prev, cur, false)
	want := []string{"client udp 0.0.0.0:5000 ⇒ 127.0.0.1:5000→:9 UNCONN→ESTAB", `server unix-stream * ⇒ /tmp/s\x1b[2J UNCONN`}
	if !slices.Equal(got, want) {
		t.Errorf("changes %q\nwant %q", got, want)
	}
}

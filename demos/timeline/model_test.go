package timeline

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/internal/socktable"
)

// Hand-made runs, to check the model without a kernel: lanes, arrows,
// sockets and their buffers moving with calls and frames, blocked calls,
// sendall's inner sends, kernel samples, waits and outcomes. (These were
// the demo view's own model tests before the view drew this model.)

var (
	srvAddr = netip.MustParseAddrPort("127.0.0.1:7001")
	cliAddr = netip.MustParseAddrPort("127.0.0.1:40000")
	t0      = time.Unix(1_700_000_000, 0)
)

// fakeRun feeds a Builder synthetic events: steps and calls through Add,
// decoded packets straight into the builder (no frame bytes: payloads come
// from the calls' data). The clock moves 10 µs per event unless told.
type fakeRun struct {
	b   *Builder
	now time.Time
	n   int
}

func newFakeRun(d *demos.Demo) *fakeRun { return &fakeRun{b: NewBuilder(d, false), now: t0} }

func (f *fakeRun) tick() time.Time { return f.wait(10 * time.Microsecond) }

func (f *fakeRun) wait(d time.Duration) time.Time {
	f.now = f.now.Add(d)
	return f.now
}

func (f *fakeRun) step(n int) { f.b.Add(demos.Event{Step: n}, f.tick()) }

// call records a call made now that returns after took (10 µs if 0), with
// the kernel's sample of every listed socket taken right after it.
func (f *fakeRun) call(c sockcall.Call, took time.Duration, samples ...sockcall.Sample) *sockcall.Call {
	if took == 0 {
		took = 10 * time.Microsecond
	}
	f.n++
	start := f.tick()
	end := f.wait(took)
	c.Number = f.n
	c.StartSec, c.StartNsec = start.Unix(), int64(start.Nanosecond())
	c.Sec, c.Nsec = end.Unix(), int64(end.Nanosecond())
	if c.Proto == "" {
		c.Proto = "tcp"
	}
	if c.SndBuf == 0 {
		c.SndBuf = -1
	}
	if c.RcvBuf == 0 {
		c.RcvBuf = -1
	}
	if len(samples) > 0 {
		c.Kernel = samples
		k := f.tick()
		c.KernelSec, c.KernelNsec = k.Unix(), int64(k.Nanosecond())
	}
	f.b.Add(demos.Event{Call: &c}, f.now)
	return &c
}

// packet records a decoded frame seen now.
func (f *fakeRun) packet(p decode.Packet) int {
	at := f.tick()
	p.Number = len(f.b.packets) + 1
	p.Sec, p.Nsec = at.Unix(), int64(at.Nanosecond())
	f.b.packets = append(f.b.packets, p)
	f.b.frames = append(f.b.frames, capture.Frame{})
	f.b.farrived = append(f.b.farrived, at)
	return p.Number
}

func seg(src, dst netip.AddrPort, flags uint16, seq, ack uint32, n int, win uint16) decode.Packet {
	return decode.Packet{
		Layers: decode.LayerIPv4 | decode.LayerTCP, IPVersion: 4,
		Src: src.Addr(), Dst: dst.Addr(), SrcPort: src.Port(), DstPort: dst.Port(),
		TCPFlags: flags, PayloadLen: n, Rel: decode.RelSeq{Seq: seq, Ack: ack}, Window: win,
	}
}

// states sets the tracker's conclusions on a segment.
func states(p decode.Packet, src, dst decode.TCPState) decode.Packet {
	p.Analysis.SrcState, p.Analysis.DstState = src, dst
	p.Analysis.SrcChanged = src != decode.StateUnknown
	p.Analysis.DstChanged = dst != decode.StateUnknown
	return p
}

func findRow(t *testing.T, tl *Timeline, kind Kind, text string) (int, *Row) {
	t.Helper()
	for i := range tl.Rows {
		if tl.Rows[i].Kind == kind && strings.Contains(tl.Rows[i].Text, text) {
			return i, &tl.Rows[i]
		}
	}
	t.Fatalf("no row of kind %d with %q", kind, text)
	return -1, nil
}

func sockOf(r *Row, lane, fd int) Sock {
	for _, s := range r.Socks {
		if s.Lane == lane && s.FD == fd {
			return s
		}
	}
	return Sock{Buffers: Buffers{SendQ: -99, RecvQ: -99}}
}

const (
	fin = decode.TCPFin
	syn = decode.TCPSyn
	psh = decode.TCPPsh
	ack = decode.TCPAck
)

// tcpEcho is a hand-made run of tcp-echo's first four steps.
func tcpEcho(t *testing.T) (*fakeRun, *Timeline) {
	f := newFakeRun(&demos.Demo{Steps: make([]demos.Step, 4)})
	f.step(1)
	f.call(sockcall.Call{Endpoint: "server", Op: "socket", Ret: 3, FD: 3, TCP: &sockcall.TCPInfo{State: "UNCONN"}}, 0)
	f.call(sockcall.Call{Endpoint: "server", Op: "bind", FD: 3, Local: srvAddr}, 0)
	f.call(sockcall.Call{Endpoint: "server", Op: "listen", Args: "5", FD: 3, Local: srvAddr, SendQ: 5, TCP: &sockcall.TCPInfo{State: "LISTEN"}}, 0)
	f.step(2)
	f.call(sockcall.Call{Endpoint: "client", Op: "socket", Ret: 4, FD: 4}, 0)
	f.call(sockcall.Call{Endpoint: "client", Op: "connect", FD: 4, Local: cliAddr, Peer: srvAddr, TCP: &sockcall.TCPInfo{State: "ESTAB"}}, 0)
	f.packet(states(seg(cliAddr, srvAddr, syn, 0, 0, 0, 65495), decode.StateSynSent, decode.StateUnknown))
	f.packet(states(seg(srvAddr, cliAddr, syn|ack, 0, 1, 0, 65483), decode.StateSynReceived, decode.StateEstablished))
	f.packet(states(seg(cliAddr, srvAddr, ack, 1, 1, 0, 64), decode.StateUnknown, decode.StateEstablished))
	f.call(sockcall.Call{Endpoint: "server", Op: "accept", FD: 3, Ret: 5, Local: srvAddr, Peer: cliAddr, TCP: &sockcall.TCPInfo{State: "ESTAB"}}, 0)
	f.step(3)
	f.call(sockcall.Call{Endpoint: "client", Op: "send", Args: `"hello"`, Len: 5, Ret: 5, FD: 4, Data: []byte("hello"),
		Local: cliAddr, Peer: srvAddr, SndBuf: 2626560, RcvBuf: 131072}, 0)
	f.packet(seg(cliAddr, srvAddr, psh|ack, 1, 1, 5, 64))
	f.packet(seg(srvAddr, cliAddr, ack, 1, 6, 0, 65483))
	f.step(4)
	f.wait(2 * time.Millisecond) // the bytes wait in the server's receive buffer
	f.call(sockcall.Call{Endpoint: "server", Op: "recv", Args: "1024", Len: 1024, Ret: 5, FD: 5, Data: []byte("hello"),
		Local: srvAddr, Peer: cliAddr, SndBuf: 2626560, RcvBuf: 131072}, 0,
		sockcall.Sample{Endpoint: "server", FD: 5, Proto: "tcp", SendQ: 0, RecvQ: 0, Drops: -1},
		sockcall.Sample{Endpoint: "client", FD: 4, Proto: "tcp", SendQ: 0, RecvQ: 0, Drops: -1})
	return f, f.b.Build()
}

func TestModelTCP(t *testing.T) {
	_, tl := tcpEcho(t)
	if got := strings.Join(tl.Lanes, ","); got != "server,client" {
		t.Errorf("lanes %s, want server,client (order of first call)", got)
	}
	for _, want := range []struct {
		label    string
		from, to int
	}{{"SYN seq=0 len=0", 1, 0}, {"SYN/ACK seq=0 ack=1 len=0", 0, 1}, {"ACK seq=1 ack=1 len=0", 1, 0}, {"PSH/ACK seq=1 ack=1 len=5", 1, 0}} {
		_, r := findRow(t, tl, KindFrame, want.label)
		if r.Lane != want.from || len(r.To) != 1 || r.To[0] != want.to {
			t.Errorf("%s: lanes %d → %v, want %d → %d", want.label, r.Lane, r.To, want.from, want.to)
		}
	}
	// States as ss names them, noted where they change.
	if _, r := findRow(t, tl, KindFrame, "SYN/ACK"); r.Note != "server SYN-RECV · client ESTAB" {
		t.Errorf("SYN/ACK note %q, want \"server SYN-RECV · client ESTAB\"", r.Note)
	}
	_, listen := findRow(t, tl, KindCall, "listen(5)")
	if s := sockOf(listen, 0, 3); !s.Listener || s.SendQ != 5 || s.RecvQ != 0 || s.State != "LISTEN" {
		t.Errorf("listener: %+v, want LISTEN with Send-Q 5 (backlog), Recv-Q 0 (accept queue)", s)
	}
	// The accept queue: the handshake's last ACK queues the connection,
	// accept takes it.
	_, hs := findRow(t, tl, KindFrame, "ACK seq=1 ack=1 len=0")
	if s := sockOf(hs, 0, 3); s.RecvQ != 1 {
		t.Errorf("after the handshake the accept queue is %d, want 1", s.RecvQ)
	}
	if s := sockOf(hs, 0, 0); s.State != "ESTAB" || s.FD != 0 {
		t.Errorf("the kernel's connection before accept: %+v, want fd 0 ESTAB", s)
	}
	_, acc := findRow(t, tl, KindCall, "accept()")
	if s := sockOf(acc, 0, 3); s.RecvQ != 0 {
		t.Errorf("after accept the accept queue is %d, want 0", s.RecvQ)
	}

	// The buffers: send fills the client's send buffer (not yet on the
	// wire), the segment moves the bytes into the server's receive buffer
	// (and they are on the wire), the ACK empties the send buffer, recv
	// empties the receive buffer.
	sendRow, send := findRow(t, tl, KindCall, `send("hello") = 5`)
	if s := sockOf(send, 1, 4); s.SendQ != 5 || s.Unsent != 5 || s.SndBuf != 2626560 || s.RcvBuf != 131072 || s.FromKernel {
		t.Errorf("after send: client %+v, want Send-Q 5 (5 unsent) of SndBuf 2626560, from the model", s)
	}
	if !contains(send.Changed, sockIndex(send, 1, 4)) {
		t.Errorf("send's row does not mark the client's socket as changed: %v", send.Changed)
	}
	_, data := findRow(t, tl, KindFrame, "PSH/ACK")
	if s := sockOf(data, 1, 4); s.SendQ != 5 || s.Unsent != 0 {
		t.Errorf("after the data segment: client Send-Q %d (%d unsent), want 5 (0 unsent)", s.SendQ, s.Unsent)
	}
	if s := sockOf(data, 0, 5); s.RecvQ != 5 || string(s.RecvData) != "hello" {
		t.Errorf("after the data segment: server Recv-Q %d %q, want 5 \"hello\"", s.RecvQ, s.RecvData)
	}
	_, ackRow := findRow(t, tl, KindFrame, "ack=6")
	if s := sockOf(ackRow, 1, 4); s.SendQ != 0 {
		t.Errorf("after the ACK: client Send-Q %d, want 0", s.SendQ)
	}
	if s := sockOf(ackRow, 0, 5); s.Window != 65483 {
		t.Errorf("the server's advertised window %d, want 65483 (its latest segment's)", s.Window)
	}
	recvRow, recv := findRow(t, tl, KindCall, "recv(1024) = 5")
	if s := sockOf(recv, 0, 5); s.RecvQ != 0 || len(s.RecvData) != 0 || s.RcvBuf != 131072 {
		t.Errorf("after recv: server %+v, want Recv-Q 0 of RcvBuf 131072", s)
	}
	// The kernel's samples after recv belong to its row, and agree.
	if s := sockOf(recv, 0, 5); s.Kernel == nil || s.Kernel.Call != recv.Num || s.Kernel.Differs != "" {
		t.Errorf("server's kernel sample at recv: %+v, want one that agrees", s.Kernel)
	}
	if s := sockOf(send, 1, 4); s.Kernel != nil {
		t.Errorf("a sample on send's row, where none was taken: %+v", s.Kernel)
	}
	if a, n := tl.Agreement(); n == 0 || a != n {
		t.Errorf("agreement %d of %d, want all", a, n)
	}
	// Before returns the socket on the previous row.
	if b := tl.Before(recvRow, sockOf(recv, 0, 5).ID); b == nil || b.RecvQ != 5 {
		t.Errorf("Before(recv) = %+v, want the server with Recv-Q 5", b)
	}
	if b := tl.Before(sendRow, sockOf(send, 1, 4).ID); b == nil || b.SendQ != 0 {
		t.Errorf("Before(send) = %+v, want the client with Send-Q 0", b)
	}

	// Steps: every row after rule n is in step n; call rows by number.
	if r := tl.Rows[tl.StepRow[3]+1]; r.Step != 3 || r.Kind != KindCall {
		t.Errorf("the row after step 3's rule: %+v", r)
	}
	for k, i := range tl.CallRows {
		if tl.Rows[i].Kind != KindCall || tl.Rows[i].Num != k+1 {
			t.Errorf("CallRows[%d] is row %d (%d #%d), want call #%d", k, i, tl.Rows[i].Kind, tl.Rows[i].Num, k+1)
		}
	}
	// Links: the send lights up its segment and the recv; the segment its
	// send and recv.
	calls, frames := tl.Linked(KindCall, send.Num)
	if !frames[data.Num] || !calls[recv.Num] {
		t.Errorf("send %d links: frames %v calls %v; want frame %d and call %d", send.Num, frames, calls, data.Num, recv.Num)
	}
	calls, _ = tl.Linked(KindFrame, data.Num)
	if !calls[send.Num] || !calls[recv.Num] {
		t.Errorf("frame %d links calls %v, want %d and %d", data.Num, calls, send.Num, recv.Num)
	}
	// Waits: the send's bytes left 20 µs after the call was made (10 µs
	// after it returned) and were acked after 30; the recv's waited from
	// the segment to its return.
	if w := tl.Waits[send.Num]; w.SendBuf != 20*time.Microsecond || w.Ack != 30*time.Microsecond || w.RecvBuf != -1 {
		t.Errorf("send waits %+v, want SendBuf 20µs Ack 30µs", w)
	}
	if w := tl.Waits[recv.Num]; w.RecvBuf < 2*time.Millisecond || w.RecvBuf > 3*time.Millisecond || w.SendBuf != -1 {
		t.Errorf("recv waits %+v, want RecvBuf about 2ms", w)
	}
	if tl.NoWire || tl.UnixOnly || tl.MaxSocks != 2 {
		t.Errorf("NoWire %v UnixOnly %v MaxSocks %d, want false false 2", tl.NoWire, tl.UnixOnly, tl.MaxSocks)
	}
}

func sockIndex(r *Row, lane, fd int) int {
	for i, s := range r.Socks {
		if s.Lane == lane && s.FD == fd {
			return i
		}
	}
	return -1
}

// A send that blocks (a full send buffer) has a second row where it
// returned; its bytes count in the send buffer as frames show them leave
// and in full at the return. A sendall groups its inner sends.
func TestModelBlockedSendAndSendall(t *testing.T) {
	f, _ := tcpEcho(t)
	f.step(5)
	big := []byte(strings.Repeat("x", 100))
	f.call(sockcall.Call{Endpoint: "client", Op: "send", Args: `"xxx…"`, Len: 100, Ret: 100, FD: 4, Data: big, Local: cliAddr, Peer: srvAddr, Waited: true}, 1500*time.Millisecond)
	// The frames of the blocked send came while it waited: make them now,
	// with the clock behind the call's return.
	f.now = f.now.Add(-1400 * time.Millisecond)
	f.packet(seg(cliAddr, srvAddr, psh|ack, 6, 1, 60, 64))
	f.now = f.now.Add(1500 * time.Millisecond)
	inner := f.call(sockcall.Call{Endpoint: "server", Op: "send", Args: `"ok"`, Len: 2, Ret: 2, FD: 5, Data: []byte("ok"), Local: srvAddr, Peer: cliAddr}, 0)
	f.call(sockcall.Call{Endpoint: "server", Op: "sendall", Args: `"ok"`, Len: 2, Ret: 2, FD: 5, Data: []byte("ok"), Local: srvAddr, Peer: cliAddr, Inner: []int{inner.Number}}, 0)
	tl := f.b.Build()

	callRow, call := findRow(t, tl, KindCall, `send("xxx…") = 100`)
	if call.Blocked < 1500*time.Millisecond || call.Blocked > 1501*time.Millisecond {
		t.Errorf("blocked %v, want 1.5s", call.Blocked)
	}
	retRow, ret := findRow(t, tl, KindReturn, `send("xxx…") = 100`)
	if ret.Num != call.Num || retRow <= callRow || ret.Blocked != call.Blocked {
		t.Errorf("return row %d %+v, want after row %d for call %d", retRow, ret, callRow, call.Num)
	}
	if s := sockOf(call, 1, 4); s.SendQ != 0 {
		t.Errorf("at the blocked send's start the client's Send-Q is %d, want 0 (nothing known to be in yet)", s.SendQ)
	}
	_, part := findRow(t, tl, KindFrame, "seq=6 ack=1 len=60")
	if s := sockOf(part, 1, 4); s.SendQ != 60 {
		t.Errorf("after the first 60 bytes left, Send-Q %d, want 60", s.SendQ)
	}
	if s := sockOf(ret, 1, 4); s.SendQ != 100 || s.Unsent != 40 {
		t.Errorf("at the return Send-Q %d (%d unsent), want 100 (40 unsent)", s.SendQ, s.Unsent)
	}
	// The text puts the kernel's figures, sampled after the return, on
	// the return row, not on the row where the call was made.
	if text := string(appendTextRow(nil, tl, callRow)); strings.Contains(text, "kernel at return:") || !strings.Contains(text, "blocked 1.50 s") {
		t.Errorf("the blocked send's row: %q, want it blocked and no kernel figures", text)
	}
	if text := string(appendTextRow(nil, tl, retRow)); !strings.Contains(text, "returned after 1.50 s  kernel at return: Send-Q") {
		t.Errorf("the blocked send's return row: %q, want the kernel's figures", text)
	}
	if tl.Within[inner.Number] == 0 {
		t.Errorf("Within %v: the send is not within the sendall", tl.Within)
	}
	for _, r := range tl.Rows {
		if r.Kind == KindCall && r.Num == inner.Number && !r.Inner {
			t.Errorf("the sendall's send is not marked Inner")
		}
	}
	// The sendall's bytes count once: its inner send's.
	if _, r := findRow(t, tl, KindCall, `sendall("ok")`); sockOf(r, 0, 5).SendQ != 2 {
		t.Errorf("after sendall the server's Send-Q is %d, want 2", sockOf(r, 0, 5).SendQ)
	}
}

// A kernel sample that disagrees with the model says so, and why where it
// is understood.
func TestModelKernelDiffers(t *testing.T) {
	f := newFakeRun(&demos.Demo{})
	f.call(sockcall.Call{Endpoint: "client", Op: "socket", Ret: 4, FD: 4}, 0)
	f.call(sockcall.Call{Endpoint: "client", Op: "connect", FD: 4, Local: cliAddr, Peer: srvAddr}, 0)
	f.packet(seg(cliAddr, srvAddr, syn, 0, 0, 0, 65495))
	f.call(sockcall.Call{Endpoint: "client", Op: "send", Args: `"hello"`, Len: 5, Ret: 5, FD: 4, Data: []byte("hello"), Local: cliAddr, Peer: srvAddr}, 0,
		sockcall.Sample{Endpoint: "client", FD: 4, Proto: "tcp", SendQ: 3, RecvQ: 0, Drops: -1})
	tl := f.b.Build()
	_, r := findRow(t, tl, KindCall, "send(")
	s := sockOf(r, 0, 4)
	if s.Kernel == nil || s.Kernel.SendQ != 3 || !strings.Contains(s.Kernel.Differs, "kernel Send-Q 3") {
		t.Fatalf("kernel sample %+v, want Send-Q 3 differing from the model's 5", s.Kernel)
	}
	var found bool
	for _, c := range tl.Checks {
		if c.Call == r.Num && c.What == "Send-Q" && !c.Agree && c.Model == 5 && c.Kernel == 3 && c.FD == 4 && c.Endpoint == "client" {
			found = true
		}
	}
	if !found {
		t.Errorf("no failed Send-Q check for call %d: %+v", r.Num, tl.Checks)
	}
	if a, n := tl.Agreement(); a == n {
		t.Errorf("agreement %d of %d, want a disagreement", a, n)
	}
}

func TestModelBroadcast(t *testing.T) {
	f := newFakeRun(&demos.Demo{})
	bind := netip.MustParseAddrPort("0.0.0.0:7003")
	for i, name := range []string{"receiver-1", "receiver-2", "receiver-3"} {
		f.call(sockcall.Call{Endpoint: name, Proto: "udp", Op: "socket", Ret: 3 + i, FD: 3 + i}, 0)
		f.call(sockcall.Call{Endpoint: name, Proto: "udp", Op: "bind", FD: 3 + i, Local: bind, RcvBuf: 212992}, 0)
	}
	sender := netip.MustParseAddrPort("0.0.0.0:50000")
	f.call(sockcall.Call{Endpoint: "sender", Proto: "udp", Op: "socket", Ret: 9, FD: 9}, 0)
	f.call(sockcall.Call{Endpoint: "sender", Proto: "udp", Op: "sendto", Ret: 5, Len: 5, FD: 9, Local: sender, Peer: netip.MustParseAddrPort("127.255.255.255:7003")}, 0)
	f.packet(decode.Packet{Layers: decode.LayerIPv4 | decode.LayerUDP, IPVersion: 4,
		Src: netip.MustParseAddr("127.0.0.1"), SrcPort: 50000, Dst: netip.MustParseAddr("127.255.255.255"), DstPort: 7003, PayloadLen: 5})
	f.call(sockcall.Call{Endpoint: "receiver-2", Proto: "udp", Op: "recvfrom", Args: "1024", Ret: 5, Len: 1024, FD: 4, Local: bind, Peer: netip.MustParseAddrPort("127.0.0.1:50000")}, 0,
		sockcall.Sample{Endpoint: "receiver-3", FD: 5, Proto: "udp", SendQ: 0, RecvQ: 5, Drops: 0})
	tl := f.b.Build()
	_, r := findRow(t, tl, KindFrame, "broadcast UDP len=5")
	if tl.Lanes[r.Lane] != "sender" || len(r.To) != 3 || !r.Broadcast {
		t.Fatalf("datagram: %d → %v broadcast %v, want sender → three receivers (lanes %v)", r.Lane, r.To, r.Broadcast, tl.Lanes)
	}
	for i := range 3 {
		if s := sockOf(r, i, 3+i); s.RecvQ != 5 || s.Datagrams != 1 || s.RcvBuf != 212992 {
			t.Errorf("receiver-%d after the datagram: Recv-Q %d in %d datagrams of %d, want 5 in 1 of 212992", i+1, s.RecvQ, s.Datagrams, s.RcvBuf)
		}
	}
	_, recv := findRow(t, tl, KindCall, "recvfrom(")
	if s := sockOf(recv, 1, 4); s.RecvQ != 0 || s.Datagrams != 0 {
		t.Errorf("receiver-2 after recvfrom: Recv-Q %d (%d datagrams), want 0", s.RecvQ, s.Datagrams)
	}
	if s := sockOf(recv, 2, 5); s.RecvQ != 5 || s.Kernel == nil || s.Kernel.Differs != "" || s.Dropped != 0 {
		t.Errorf("receiver-3 after receiver-2's recvfrom: %+v (kernel %+v), want Recv-Q 5 agreeing with the kernel", s, s.Kernel)
	}
}

func TestModelUnix(t *testing.T) {
	f := newFakeRun(&demos.Demo{})
	f.call(sockcall.Call{Endpoint: "server", Proto: "unix", Op: "socket", Ret: 3, FD: 3}, 0)
	f.call(sockcall.Call{Endpoint: "client", Proto: "unix", Op: "send", Ret: 5, FD: 4, SendQ: 768, RecvQ: 0}, 0)
	tl := f.b.Build()
	if !tl.UnixOnly || !tl.NoWire {
		t.Errorf("UnixOnly %v NoWire %v, want both", tl.UnixOnly, tl.NoWire)
	}
	if s := sockOf(&tl.Rows[1], 1, 4); s.SendQ != 768 || !s.FromKernel {
		t.Errorf("AF_UNIX socket with no pair seen: Send-Q %d FromKernel %v, want the kernel's 768", s.SendQ, s.FromKernel)
	}
}

// A step's outcome comes after its rows, once the next step began or the
// run finished, in the language asked for.
func TestModelOutcome(t *testing.T) {
	d := &demos.Demo{Steps: []demos.Step{
		{Title: "one", Outcome: func(r *sockcall.Run) (string, string) { return "one call", "一次调用" }},
		{Title: "two", TitleZH: "二", Outcome: func(r *sockcall.Run) (string, string) { return "done", "完成" }},
	}}
	for _, zh := range []bool{false, true} {
		f := newFakeRun(d)
		f.b.zh = zh
		f.step(1)
		f.call(sockcall.Call{Endpoint: "a", Proto: "udp", Op: "socket", Ret: 3, FD: 3}, 0)
		f.step(2)
		f.call(sockcall.Call{Endpoint: "a", Proto: "udp", Op: "close", FD: 3}, 0)
		tl := f.b.Build()
		var kinds []Kind
		for _, r := range tl.Rows {
			kinds = append(kinds, r.Kind)
		}
		if want := []Kind{KindStep, KindCall, KindOutcome, KindStep, KindCall}; !slices.Equal(kinds, want) {
			t.Errorf("zh %v: rows %v before Finish, want %v", zh, kinds, want)
		}
		f.b.Finish(f.tick())
		tl = f.b.Build()
		last := tl.Rows[len(tl.Rows)-1]
		want := "done"
		if zh {
			want = "完成"
		}
		if last.Kind != KindOutcome || last.Num != 2 || last.Text != want || !tl.Finished {
			t.Errorf("zh %v: last row %+v, want step 2's outcome %q", zh, last, want)
		}
		if zh && tl.Rows[tl.StepRow[2]].Text != "二" {
			t.Errorf("step 2's rule says %q, want 二", tl.Rows[tl.StepRow[2]].Text)
		}
	}
}

func TestQuoteAndDuration(t *testing.T) {
	if got := Quote([]byte("hello你好world"), 8); got != `"hello"…` {
		t.Errorf("Quote cut inside 你 = %s, want \"hello\"…", got)
	}
	if got := Quote([]byte("a\x1b[2Jb"), 64); got != `"a\x1b[2Jb"` {
		t.Errorf("Quote(ESC) = %s", got)
	}
	for _, c := range []struct {
		d    time.Duration
		want string
	}{{12 * time.Microsecond, "12 µs"}, {41900 * time.Microsecond, "41.9 ms"}, {1234 * time.Millisecond, "1.23 s"}} {
		if got := sockcall.FormatDuration(c.d); got != c.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

// A datagram dropped for a full buffer shows once, where the kernel's
// count grows; a later call whose sample repeats the count changes
// nothing, and the text prints no line for it (it printed the socket's
// bare name). One datagram waiting is "1 datagram"; a sendto's wait is
// its datagram's, not a segment's.
func TestModelUDPDropsOnce(t *testing.T) {
	f := newFakeRun(&demos.Demo{})
	rcv := netip.MustParseAddrPort("127.0.0.1:7013")
	snd := netip.MustParseAddrPort("127.0.0.1:50000")
	f.call(sockcall.Call{Endpoint: "receiver", Proto: "udp", Op: "socket", Ret: 3, FD: 3}, 0)
	f.call(sockcall.Call{Endpoint: "receiver", Proto: "udp", Op: "bind", FD: 3, Local: rcv, RcvBuf: 16384}, 0)
	f.call(sockcall.Call{Endpoint: "sender", Proto: "udp", Op: "socket", Ret: 4, FD: 4}, 0)
	dgram := decode.Packet{Layers: decode.LayerIPv4 | decode.LayerUDP, IPVersion: 4,
		Src: snd.Addr(), SrcPort: snd.Port(), Dst: rcv.Addr(), DstPort: rcv.Port(), PayloadLen: 1024}
	for _, drops := range []int{0, 1} {
		f.call(sockcall.Call{Endpoint: "sender", Proto: "udp", Op: "sendto", Ret: 1024, Len: 1024, FD: 4, Local: snd, Peer: rcv}, 0)
		f.packet(dgram)
		f.call(sockcall.Call{Endpoint: "sender", Proto: "udp", Op: "getsockopt", Args: "SOL_SOCKET, SO_SNDBUF", Ret: 0, FD: 4, Local: snd}, 0,
			sockcall.Sample{Endpoint: "receiver", FD: 3, Proto: "udp", SendQ: 0, RecvQ: 1024, Drops: drops})
	}
	f.call(sockcall.Call{Endpoint: "receiver", Proto: "udp", Op: "fcntl", Args: "F_SETFL, O_NONBLOCK", Ret: 0, FD: 3, Local: rcv}, 0,
		sockcall.Sample{Endpoint: "receiver", FD: 3, Proto: "udp", SendQ: 0, RecvQ: 1024, Drops: 1})
	tl := f.b.Build()
	i, r := findRow(t, tl, KindCall, "fcntl(")
	if len(r.Changed) != 0 {
		t.Errorf("fcntl after the drops were counted: %d sockets changed, want none", len(r.Changed))
	}
	text := string(appendTextRow(nil, tl, i))
	if strings.Contains(text, "\n                    receiver fd 3\n") || strings.Count(text, "\n") != 1 {
		t.Errorf("fcntl's text:\n%s\nwant one line, no buffer line", text)
	}
	all := string(NewTextPrinter().Print(nil, tl, time.Time{}))
	if !strings.Contains(all, "(1 datagram) / 16384") || strings.Contains(all, "(1 datagrams)") {
		t.Errorf("one datagram waiting is not \"1 datagram\":\n%s", all)
	}
	if !strings.Contains(all, "bytes: its datagram left 20 µs after the call was made") || strings.Contains(all, "segment") {
		t.Errorf("a sendto's wait is not worded for a datagram:\n%s", all)
	}
	if strings.Count(all, "dropped 1") != 1 {
		t.Errorf("the drop is not shown exactly once:\n%s", all)
	}
}

// A call that may wait shows as waiting from when it was made until its
// record comes; then only the call is left. A run that ended with a call
// still waiting (Ctrl-C) shows none.
// A call that took long without sleeping in the kernel (a busy machine
// delayed it) did not block: no "blocked" and no return row.
func TestModelSlowIsNotBlocked(t *testing.T) {
	f, _ := tcpEcho(t)
	f.call(sockcall.Call{Endpoint: "client", Op: "send", Args: `"x"`, Len: 1, Ret: 1, FD: 4, Data: []byte("x"), Local: cliAddr, Peer: srvAddr}, 3*time.Millisecond)
	for _, r := range f.b.Build().Rows {
		if r.Blocked != 0 || r.Kind == KindReturn {
			t.Errorf("a slow call that did not wait shows as blocked: %+v", r)
		}
	}
}

func TestModelWaiting(t *testing.T) {
	f := newFakeRun(&demos.Demo{Steps: make([]demos.Step, 1)})
	f.step(1)
	f.call(sockcall.Call{Endpoint: "server", Op: "socket", Ret: 3, FD: 3}, 0)
	f.call(sockcall.Call{Endpoint: "server", Op: "listen", Args: "5", FD: 3, Local: srvAddr, SendQ: 5}, 0)
	start := f.tick()
	acc := sockcall.Call{Endpoint: "server", Op: "accept", FD: 3, StartSec: start.Unix(), StartNsec: int64(start.Nanosecond())}
	f.b.Add(demos.Event{Started: &acc}, start)
	tl := f.b.Build()
	i, r := findRow(t, tl, KindWaiting, "accept() …")
	if r.Lane != 0 || r.Waiting == nil || r.Waiting.Op != "accept" || i != len(tl.Rows)-1 {
		t.Errorf("waiting row %d of %d: lane %d, %+v", i, len(tl.Rows), r.Lane, r.Waiting)
	}
	text := string(NewTextPrinter().Print(nil, tl, time.Time{}))
	if !strings.Contains(text, "#?   server     accept() …") || !strings.Contains(text, "not returned yet") {
		t.Errorf("text of a waiting accept:\n%s", text)
	}
	// The accept returns: its row replaces the waiting one.
	end := f.wait(time.Millisecond)
	done := acc
	done.Number, done.Ret, done.Local, done.Peer = 3, 5, srvAddr, cliAddr
	done.Sec, done.Nsec = end.Unix(), int64(end.Nanosecond())
	f.b.Add(demos.Event{Call: &done}, end)
	tl = f.b.Build()
	for _, r := range tl.Rows {
		if r.Kind == KindWaiting {
			t.Errorf("a returned call still shows as waiting: %+v", r)
		}
	}
	findRow(t, tl, KindCall, "accept() = 5")
	// A call left waiting when the run ends is not shown.
	s2 := f.tick()
	rc := sockcall.Call{Endpoint: "server", Op: "recv", Args: "1024", FD: 5, StartSec: s2.Unix(), StartNsec: int64(s2.Nanosecond())}
	f.b.Add(demos.Event{Started: &rc}, s2)
	if tl := f.b.Build(); tl.Rows[len(tl.Rows)-1].Kind != KindWaiting {
		t.Errorf("a recv waiting is not the last row")
	}
	f.b.Finish(f.tick())
	for _, r := range f.b.Build().Rows {
		if r.Kind == KindWaiting {
			t.Errorf("after the run ended, still waiting: %+v", r)
		}
	}
}

// A step's socket table is a row after its outcome and before the next
// step, printed as a table in text and as socket objects in JSON.
func TestModelSocketTable(t *testing.T) {
	d := &demos.Demo{Steps: []demos.Step{
		{Title: "one", Outcome: func(*sockcall.Run) (string, string) { return "said", "说" }},
		{Title: "two"},
	}}
	f := newFakeRun(d)
	f.step(1)
	f.call(sockcall.Call{Endpoint: "server", Op: "socket", Ret: 3, FD: 3}, 0)
	at := f.tick()
	tbl := &demos.SocketTable{Step: 1, At: at, Entries: []socktable.Entry{
		{Proto: socktable.TCP, State: socktable.Listen, Local: srvAddr, Inode: 42},
		{Proto: socktable.TCP, State: socktable.TimeWait, Local: cliAddr, Peer: srvAddr, Timer: socktable.TimeWaitT, TimerMS: 59000},
	}, Owner: []string{"server", ""}}
	f.b.Add(demos.Event{Sockets: tbl}, at)
	f.step(2)
	tl := f.b.Build()
	var kinds []Kind
	for _, r := range tl.Rows {
		kinds = append(kinds, r.Kind)
	}
	if !slices.Equal(kinds, []Kind{KindStep, KindCall, KindOutcome, KindSockets, KindStep}) {
		t.Fatalf("rows %v, want step, call, outcome, sockets, step", kinds)
	}
	text := string(NewTextPrinter().Print(nil, tl, time.Time{}))
	if !strings.Contains(text, "sockets in the lab after step 1") || !strings.Contains(text, "TIME-WAIT") ||
		!strings.Contains(text, "timer:(timewait,59sec,0)") || !strings.Contains(text, "server") {
		t.Errorf("text:\n%s", text)
	}
	js := string(AppendJSON(nil, tl))
	if strings.Count(js, `"type":"socket"`) != 2 || !strings.Contains(js, `"socket.step":1,"socket.endpoint":"server"`) {
		t.Errorf("JSON:\n%s", js)
	}
}

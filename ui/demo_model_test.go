package ui

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/internal/textcol"
)

// A hand-made run of tcp-echo's first steps, to check the ladder's model
// without a kernel: lanes, arrows, and the gauges moving with calls and
// ACKs.

var (
	demoSrvAddr = netip.MustParseAddrPort("127.0.0.1:7001")
	demoCliAddr = netip.MustParseAddrPort("127.0.0.1:40000")
	demoT0      = time.Unix(1_700_000_000, 0)
)

type demoFakeRun struct {
	d   *demoData
	now time.Time
	n   int
}

func newDemoFakeRun() *demoFakeRun { return &demoFakeRun{d: newDemoData(), now: demoT0} }

func (f *demoFakeRun) tick() time.Time {
	f.now = f.now.Add(time.Millisecond)
	return f.now
}

func (f *demoFakeRun) step(n int) { f.d.steps = append(f.d.steps, demoStepMark{n, f.tick()}) }

func (f *demoFakeRun) call(c sockcall.Call) {
	f.n++
	start := f.tick()
	end := f.tick()
	c.Number = f.n
	c.StartSec, c.StartNsec = start.Unix(), int64(start.Nanosecond())
	c.Sec, c.Nsec = end.Unix(), int64(end.Nanosecond())
	if c.Proto == "" {
		c.Proto = "tcp"
	}
	f.d.calls = append(f.d.calls, c)
}

func (f *demoFakeRun) packet(p decode.Packet) {
	at := f.tick()
	p.Number = len(f.d.packets) + 1
	p.Sec, p.Nsec = at.Unix(), int64(at.Nanosecond())
	f.d.packets = append(f.d.packets, p)
	f.d.previews = append(f.d.previews, "")
}

func demoSeg(src, dst netip.AddrPort, flags uint16, seq, ack uint32, n int) decode.Packet {
	return decode.Packet{
		Layers: decode.LayerIPv4 | decode.LayerTCP, IPVersion: 4,
		Src: src.Addr(), Dst: dst.Addr(), SrcPort: src.Port(), DstPort: dst.Port(),
		TCPFlags: flags, PayloadLen: n, Rel: decode.RelSeq{Seq: seq, Ack: ack},
	}
}

func (l *demoLadder) find(t *testing.T, kind demoRowKind, text string) *demoRow {
	t.Helper()
	for i := range l.rows {
		if l.rows[i].kind == kind && strings.Contains(l.rows[i].text, text) {
			return &l.rows[i]
		}
	}
	t.Fatalf("no row %q", text)
	return nil
}

func demoSockOf(r *demoRow, lane, fd int) demoSock {
	for _, s := range r.socks {
		if s.lane == lane && s.fd == fd {
			return s
		}
	}
	return demoSock{sendQ: -99, recvQ: -99}
}

func TestLadderModelTCP(t *testing.T) {
	f := newDemoFakeRun()
	const ack, psh, syn = decode.TCPAck, decode.TCPPsh, decode.TCPSyn
	f.step(1)
	f.call(sockcall.Call{Endpoint: "server", Op: "socket", Ret: 3, FD: 3, TCP: &sockcall.TCPInfo{State: "CLOSE"}})
	f.call(sockcall.Call{Endpoint: "server", Op: "bind", FD: 3, Local: demoSrvAddr})
	f.call(sockcall.Call{Endpoint: "server", Op: "listen", Args: "5", FD: 3, Local: demoSrvAddr, SendQ: 5, TCP: &sockcall.TCPInfo{State: "LISTEN"}})
	f.step(2)
	f.call(sockcall.Call{Endpoint: "client", Op: "socket", Ret: 4, FD: 4})
	f.call(sockcall.Call{Endpoint: "client", Op: "connect", FD: 4, Local: demoCliAddr, Peer: demoSrvAddr, TCP: &sockcall.TCPInfo{State: "ESTAB"}})
	f.packet(demoSeg(demoCliAddr, demoSrvAddr, syn, 0, 0, 0))
	f.packet(demoSeg(demoSrvAddr, demoCliAddr, syn|ack, 0, 1, 0))
	f.packet(demoSeg(demoCliAddr, demoSrvAddr, ack, 1, 1, 0))
	f.call(sockcall.Call{Endpoint: "server", Op: "accept", FD: 3, Ret: 5, Local: demoSrvAddr, Peer: demoCliAddr, TCP: &sockcall.TCPInfo{State: "ESTAB"}})
	f.step(3)
	f.call(sockcall.Call{Endpoint: "client", Op: "send", Args: `"hello"`, Len: 5, Ret: 5, FD: 4, Local: demoCliAddr, Peer: demoSrvAddr})
	f.packet(demoSeg(demoCliAddr, demoSrvAddr, psh|ack, 1, 1, 5))
	f.packet(demoSeg(demoSrvAddr, demoCliAddr, ack, 1, 6, 0))
	f.step(4)
	f.call(sockcall.Call{Endpoint: "server", Op: "recv", Args: "1024", Len: 1024, Ret: 5, FD: 5, Local: demoSrvAddr, Peer: demoCliAddr})

	l := buildDemoLadder(f.d, &demos.Demo{Steps: make([]demos.Step, 4)}, false)
	if got := strings.Join(l.lanes, ","); got != "server,client" {
		t.Errorf("lanes %s, want server,client (order of first appearance)", got)
	}
	for _, want := range []struct {
		label    string
		from, to int
	}{{"SYN seq=0 len=0", 1, 0}, {"SYN/ACK seq=0 ack=1 len=0", 0, 1}, {"ACK seq=1 ack=1 len=0", 1, 0}, {"PSH/ACK seq=1 ack=1 len=5", 1, 0}} {
		r := l.find(t, demoRowPacket, want.label)
		if r.lane != want.from || len(r.to) != 1 || r.to[0] != want.to {
			t.Errorf("%s: lanes %d → %v, want %d → %d", want.label, r.lane, r.to, want.from, want.to)
		}
	}
	// The gauges: send fills the client's Send-Q, the segment the server's
	// Recv-Q, the ACK empties the Send-Q, recv empties the Recv-Q.
	send := l.find(t, demoRowCall, `send("hello") = 5`)
	if s := demoSockOf(send, 1, 4); s.sendQ != 5 {
		t.Errorf("after send: client Send-Q %d, want 5", s.sendQ)
	}
	data := l.find(t, demoRowPacket, "PSH/ACK")
	if s := demoSockOf(data, 0, 5); s.recvQ != 5 {
		t.Errorf("after the data segment: server Recv-Q %d, want 5", s.recvQ)
	}
	ackRow := l.find(t, demoRowPacket, "ack=6")
	if s := demoSockOf(ackRow, 1, 4); s.sendQ != 0 {
		t.Errorf("after the ACK: client Send-Q %d, want 0", s.sendQ)
	}
	recv := l.find(t, demoRowCall, "recv(1024) = 5")
	if s := demoSockOf(recv, 0, 5); s.recvQ != 0 {
		t.Errorf("after recv: server Recv-Q %d, want 0", s.recvQ)
	}
	listen := l.find(t, demoRowCall, "listen(5)")
	if s := demoSockOf(listen, 0, 3); !s.listener || s.sendQ != 5 || s.recvQ != 0 || s.state != "LISTEN" {
		t.Errorf("listener: %+v, want LISTEN with Send-Q 5 (backlog), Recv-Q 0", s)
	}
	// Steps: every row after rule n is in step n.
	if r := l.rows[l.stepRow[3]+1]; r.step != 3 || r.kind != demoRowCall {
		t.Errorf("the row after step 3's rule: %+v", r)
	}
	// Links: the send lights up its segment and the recv.
	calls, frames := l.linked(demoRowCall, send.num)
	if !frames[data.num] || !calls[recv.num] {
		t.Errorf("send %d links: frames %v calls %v; want frame %d and call %d", send.num, frames, calls, data.num, recv.num)
	}
	calls, _ = l.linked(demoRowPacket, data.num)
	if !calls[send.num] || !calls[recv.num] {
		t.Errorf("frame %d links calls %v, want %d and %d", data.num, calls, send.num, recv.num)
	}
}

func TestLadderModelBroadcast(t *testing.T) {
	f := newDemoFakeRun()
	bind := netip.MustParseAddrPort("0.0.0.0:7003")
	for i, name := range []string{"receiver-1", "receiver-2", "receiver-3"} {
		f.call(sockcall.Call{Endpoint: name, Proto: "udp", Op: "socket", Ret: 3 + i, FD: 3 + i})
		f.call(sockcall.Call{Endpoint: name, Proto: "udp", Op: "bind", FD: 3 + i, Local: bind})
	}
	sender := netip.MustParseAddrPort("0.0.0.0:50000")
	f.call(sockcall.Call{Endpoint: "sender", Proto: "udp", Op: "socket", Ret: 9, FD: 9})
	f.call(sockcall.Call{Endpoint: "sender", Proto: "udp", Op: "sendto", Ret: 5, Len: 5, FD: 9, Local: sender, Peer: netip.MustParseAddrPort("127.255.255.255:7003")})
	f.packet(decode.Packet{Layers: decode.LayerIPv4 | decode.LayerUDP, IPVersion: 4,
		Src: netip.MustParseAddr("127.0.0.1"), SrcPort: 50000, Dst: netip.MustParseAddr("127.255.255.255"), DstPort: 7003, PayloadLen: 5})
	dg := f.d.packets[0]
	l := buildDemoLadder(f.d, &demos.Demo{}, false)
	r := l.find(t, demoRowPacket, "broadcast UDP len=5")
	if l.lanes[r.lane] != "sender" || len(r.to) != 3 {
		t.Fatalf("datagram %d: %d → %v, want sender → three receivers (lanes %v)", dg.Number, r.lane, r.to, l.lanes)
	}
	for i := range 3 {
		if s := demoSockOf(r, i, 3+i); s.recvQ != 5 {
			t.Errorf("receiver-%d Recv-Q %d after the datagram, want 5", i+1, s.recvQ)
		}
	}
}

func TestLadderModelUnix(t *testing.T) {
	f := newDemoFakeRun()
	f.call(sockcall.Call{Endpoint: "server", Proto: "unix", Op: "socket", Ret: 3, FD: 3})
	f.call(sockcall.Call{Endpoint: "client", Proto: "unix", Op: "send", Ret: 5, FD: 4, SendQ: 768, RecvQ: 0})
	l := buildDemoLadder(f.d, &demos.Demo{}, false)
	if !l.unixOnly || !l.noWire {
		t.Errorf("unixOnly %v noWire %v, want both", l.unixOnly, l.noWire)
	}
	if s := demoSockOf(&l.rows[1], 1, 4); s.sendQ != 768 {
		t.Errorf("AF_UNIX Send-Q %d, want the kernel's 768", s.sendQ)
	}
}

func TestWrapText(t *testing.T) {
	for _, tc := range []struct {
		s     string
		width int
	}{
		{"The client calls send three times: b\"hello\", \"你好\".encode() (6 bytes in UTF-8) and b\"world\".", 20},
		{"服务器调用 recv(1024)，一次就拿到了全部 16 个字节：\"hello你好world\"。TCP 是字节流：它保证字节的顺序，却不保留每次 send 之间的边界。", 17},
		{"averyveryveryverylongwordwithoutanyspaceatall", 10},
	} {
		lines := textcol.Wrap(tc.s, tc.width)
		joined := ""
		for _, l := range lines {
			if w := textcol.Width(l); w > tc.width {
				t.Errorf("line %q is %d columns, want ≤ %d", l, w, tc.width)
			}
			joined += l
		}
		if strip := func(s string) string { return strings.ReplaceAll(s, " ", "") }; strip(joined) != strip(tc.s) {
			t.Errorf("wrap lost text:\n%q\n%q", joined, tc.s)
		}
	}
	for _, l := range textcol.Wrap("一二。三四。", 4) {
		if strings.HasPrefix(l, "。") {
			t.Errorf(`wrapText("一二。三四。", 4) has a line %q: "。" must not begin a line`, l)
		}
	}
	if got := textcol.Truncate("你好world", 5); got != "你好…" || textcol.Width(got) != 5 {
		t.Errorf("truncate = %q", got)
	}
	if got := safeCluster("\x1b"); got != `\x1b` {
		t.Errorf("ESC printed as %q", got)
	}
}

func TestStepper(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s := newDemoStepper(0, true)
	if err := s.wait(ctx, 1); err != nil {
		t.Fatal("step 1 must pass a paused gate")
	}
	s.enter(1)
	passed := make(chan int, 1)
	go func() {
		if s.wait(ctx, 2) == nil {
			passed <- 2
		}
	}()
	select {
	case <-passed:
		t.Fatal("a paused gate let step 2 in")
	case <-time.After(50 * time.Millisecond):
	}
	if s.holding() != 2 {
		t.Errorf("holding %d, want 2", s.holding())
	}
	s.next()
	select {
	case <-passed:
	case <-time.After(2 * time.Second):
		t.Fatal("n did not release step 2")
	}
	s.enter(2)
	// Playing at a pace: step 3 waits about the pace.
	s.pace = 100 * time.Millisecond
	s.setPaused(false)
	start := time.Now()
	if err := s.wait(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("step 3 came after %v, want about the pace (100ms)", d)
	}
	// Cancel while held.
	s.setPaused(true)
	c2, cancel2 := context.WithCancel(ctx)
	go func() { time.Sleep(20 * time.Millisecond); cancel2() }()
	if err := s.wait(c2, 4); err == nil {
		t.Fatal("a cancelled gate returned nil")
	}
}

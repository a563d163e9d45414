//go:build linux

package demos

import (
	"bytes"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
)

var echoBytes = []byte(strings.Join(EchoMessages, "")) // "hello你好world", 16 bytes

// tcpPackets returns the TCP packets to or from port.
func tcpPackets(r *result, port uint16) []wirePacket {
	var out []wirePacket
	for _, p := range r.wire {
		if p.IsTCP() && (p.SrcPort == port || p.DstPort == port) {
			out = append(out, p)
		}
	}
	return out
}

const (
	syn    = decode.TCPSyn
	synAck = decode.TCPSyn | decode.TCPAck
	ack    = decode.TCPAck
)

// checkTCPConn asserts the wire facts of one TCP connection from client
// (an address:port) to server: the handshake in order, the payload in each
// direction, a FIN from each side (the client's first), no RST.
func checkTCPConn(t *testing.T, pkts []wirePacket, client, server netip.AddrPort, up, down []byte) {
	t.Helper()
	var conn []wirePacket
	for _, p := range pkts {
		src := netip.AddrPortFrom(p.Src, p.SrcPort)
		dst := netip.AddrPortFrom(p.Dst, p.DstPort)
		if src == client && dst == server || src == server && dst == client {
			conn = append(conn, p)
		}
	}
	if len(conn) < 3 {
		t.Fatalf("%v ↔ %v: %d packets on the wire", client, server, len(conn))
	}
	fromClient := func(p wirePacket) bool { return netip.AddrPortFrom(p.Src, p.SrcPort) == client }
	flags := func(p wirePacket) uint16 { return p.TCPFlags &^ (decode.TCPEce | decode.TCPCwr) }
	if !fromClient(conn[0]) || flags(conn[0]) != syn ||
		fromClient(conn[1]) || flags(conn[1]) != synAck ||
		!fromClient(conn[2]) || flags(conn[2]) != ack || conn[2].PayloadLen != 0 {
		t.Errorf("%v ↔ %v: handshake is not SYN, SYN/ACK, ACK: flags %#x %#x %#x", client, server,
			conn[0].TCPFlags, conn[1].TCPFlags, conn[2].TCPFlags)
	}
	var gotUp, gotDown []byte
	finClient, finServer := -1, -1
	for i, p := range conn {
		if p.TCPFlags&decode.TCPRst != 0 {
			t.Errorf("%v ↔ %v: RST in packet %d", client, server, p.Number)
		}
		if fromClient(p) {
			gotUp = append(gotUp, p.Payload...)
		} else {
			gotDown = append(gotDown, p.Payload...)
		}
		if p.TCPFlags&decode.TCPFin != 0 {
			switch {
			case fromClient(p) && finClient < 0:
				finClient = i
			case !fromClient(p) && finServer < 0:
				finServer = i
			default:
				t.Errorf("%v ↔ %v: a second FIN from the same side (packet %d)", client, server, p.Number)
			}
		}
	}
	if !bytes.Equal(gotUp, up) {
		t.Errorf("%v → %v on the wire: %q, sent %q", client, server, gotUp, up)
	}
	if !bytes.Equal(gotDown, down) {
		t.Errorf("%v → %v on the wire: %q, sent %q", server, client, gotDown, down)
	}
	if finClient < 0 || finServer < 0 {
		t.Errorf("%v ↔ %v: FIN from client at %d, from server at %d; want one from each", client, server, finClient, finServer)
	} else if finClient > finServer {
		t.Errorf("%v ↔ %v: the server's FIN came first; the client closes first", client, server)
	}
	// The last packet acknowledges the server's FIN.
	if last := conn[len(conn)-1]; !fromClient(last) || last.TCPFlags != ack {
		t.Errorf("%v ↔ %v: last packet flags %#x from %v:%d, want the client's ACK of the server's FIN", client, server, last.TCPFlags, last.Src, last.SrcPort)
	}
}

func TestTCPEcho(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemo(t, "tcp-echo")
	server := wantOps(t, r, "server", "socket setsockopt bind listen accept recv send sendall recv close close")
	client := wantOps(t, r, "client", "socket connect send send send recv close")
	if t.Failed() {
		t.FailNow()
	}
	serverAddr := netip.MustParseAddrPort(TCPEchoAddr)

	// Server setup.
	if c := server[1]; c.Args != "SOL_SOCKET, SO_REUSEADDR, 1" || c.Ret != 0 {
		t.Errorf("setsockopt: %+v", c)
	}
	if c := server[2]; c.Local != serverAddr || c.Ret != 0 {
		t.Errorf("bind: Local %v Ret %d", c.Local, c.Ret)
	}
	if c := server[3]; c.TCP == nil || c.TCP.State != "LISTEN" || c.SendQ != 5 || c.RecvQ != 0 {
		t.Errorf("listen: state %v Send-Q %d Recv-Q %d; want LISTEN, backlog 5, accept queue 0", c.TCP, c.SendQ, c.RecvQ)
	}

	// Handshake: connect returns 0, both ends ESTABLISHED.
	conn := client[1]
	if conn.Ret != 0 || conn.Errno != "" || conn.Peer != serverAddr || !conn.Local.IsValid() {
		t.Errorf("connect: %+v", conn)
	}
	if conn.TCP == nil || conn.TCP.State != "ESTAB" || conn.TCP.SndMSS == 0 {
		t.Errorf("client after connect: %+v", conn.TCP)
	}
	acc := server[4]
	if acc.Ret <= 0 || acc.Ret == acc.FD || acc.Peer != conn.Local || acc.Local != serverAddr {
		t.Errorf("accept: fd %d ret %d peer %v local %v; client is %v", acc.FD, acc.Ret, acc.Peer, acc.Local, conn.Local)
	}
	if acc.TCP == nil || acc.TCP.State != "ESTAB" {
		t.Errorf("accepted connection: %+v", acc.TCP)
	}

	// Three sends, then one recv of all 16 bytes: the byte stream (粘包).
	for i, m := range EchoMessages {
		c := client[2+i]
		if c.Ret != len(m) || string(c.Data) != m || c.Len != len(m) {
			t.Errorf("send %d: Ret %d Data %q, want %q", i+1, c.Ret, c.Data, m)
		}
		if c.SendQ < 0 || c.RecvQ != 0 {
			t.Errorf("send %d: Send-Q %d Recv-Q %d", i+1, c.SendQ, c.RecvQ)
		}
	}
	recv := server[5]
	if recv.Len != 1024 || recv.Ret != len(echoBytes) || !bytes.Equal(recv.Data, echoBytes) {
		t.Errorf("server's first recv(1024) = %d %q; want all %d bytes %q in one call", recv.Ret, recv.Data, len(echoBytes), echoBytes)
	}
	if recv.FD != acc.Ret || recv.RecvQ != 0 {
		t.Errorf("server recv: fd %d (accepted %d), Recv-Q after %d", recv.FD, acc.Ret, recv.RecvQ)
	}
	if echo := server[6]; !bytes.Equal(echo.Data, echoBytes) || echo.Ret != len(echoBytes) {
		t.Errorf("server send: %d %q", echo.Ret, echo.Data)
	}
	if got := data(client, "recv"); !bytes.Equal(got, echoBytes) {
		t.Errorf("client received %q, sent %q", got, echoBytes)
	}

	// Teardown: the server's recv returns 0 in CLOSE_WAIT, before its close.
	if sa := server[7]; sa.Op != "sendall" || len(sa.Inner) != 1 || sa.Inner[0] != server[6].Number || sa.Ret != len(echoBytes) {
		t.Errorf("server sendall: %+v; want one inner send #%d of %d bytes", sa, server[6].Number, len(echoBytes))
	}
	eof := server[8]
	if eof.Ret != 0 || eof.TCP == nil || eof.TCP.State != "CLOSE-WAIT" {
		t.Errorf("server's last recv: Ret %d state %v; want 0 in CLOSE_WAIT", eof.Ret, eof.TCP)
	}
	if server[9].FD != acc.Ret || server[10].FD != acc.FD {
		t.Errorf("server closes fds %d, %d; want the connection %d, then the listener %d", server[9].FD, server[10].FD, acc.Ret, acc.FD)
	}
	for _, c := range []sockcall.Call{server[9], server[10], client[6]} {
		if c.SendQ != -1 || c.RecvQ != -1 || c.TCP != nil {
			t.Errorf("close of fd %d reports a socket state: %+v", c.FD, c)
		}
	}

	// Steps: calls fall in the step that explains them.
	wantSteps := map[string][]int{
		"server": {1, 1, 1, 1, 2, 4, 4, 4, 6, 7, 7},
		"client": {2, 2, 3, 3, 3, 5, 6},
	}
	for ep, want := range wantSteps {
		var got []int
		for _, c := range r.of(ep) {
			got = append(got, c.Step)
		}
		if !equalInts(got, want) {
			t.Errorf("%s's steps %v, want %v", ep, got, want)
		}
	}

	// The wire.
	pkts := tcpPackets(r, 7001)
	checkTCPConn(t, pkts, conn.Local, serverAddr, echoBytes, echoBytes)
	data := 0
	for _, p := range pkts {
		if p.PayloadLen > 0 && p.SrcPort != 7001 {
			data++
		}
	}
	if data < 1 || data > len(EchoMessages) {
		t.Errorf("%d data segments from the client for %d sends", data, len(EchoMessages))
	}
	// The first FIN is the client's. (Not compared with the calls' times:
	// a frame's capture time can trail the call that caused it — the SYN
	// stamped 60 µs after connect returned, once in 150 runs.)
	for _, p := range pkts {
		if p.TCPFlags&decode.TCPFin != 0 {
			if p.SrcPort == 7001 {
				t.Errorf("the first FIN is from port %d; the client closes first", p.SrcPort)
			}
			break
		}
	}
}

func TestTCPMulti(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemo(t, "tcp-multi")
	serverAddr := netip.MustParseAddrPort(TCPMultiAddr)
	server := wantOps(t, r, "server", "socket setsockopt bind listen accept accept accept close")
	clientByAddr := map[netip.AddrPort]int{}
	for i := 1; i <= TCPMultiClients; i++ {
		name := "client-" + string(rune('0'+i))
		calls := r.of(name)
		if got := ops(calls); !strings.HasPrefix(got, "socket connect getsockname send sendall recv") || !strings.HasSuffix(got, "recv close") {
			t.Errorf("%s calls: %s", name, got)
			continue
		}
		if calls[1].Ret != 0 || calls[1].TCP == nil || calls[1].TCP.State != "ESTAB" {
			t.Errorf("%s connect: %+v", name, calls[1])
		}
		// The kernel picked the client's port in connect; getsockname says which.
		if calls[2].Ret != 0 || calls[2].Local != calls[1].Local || calls[2].Local.Port() == 0 || calls[2].Args != "addr → "+calls[1].Local.String() {
			t.Errorf("%s getsockname: %+v after connect from %v", name, calls[2], calls[1].Local)
		}
		msg := []byte(TCPMultiMessage(i))
		if got := data(calls, "recv"); !bytes.Equal(got, msg) || !bytes.Equal(data(calls, "send"), msg) {
			t.Errorf("%s sent %q, got back %q", name, data(calls, "send"), got)
		}
		clientByAddr[calls[1].Local] = i
	}
	if len(clientByAddr) != TCPMultiClients {
		t.Fatalf("client addresses: %v", clientByAddr)
	}
	// Each handler served one client, the one at the peer address of its
	// accepted connection, and recv saw 0 (CLOSE_WAIT) before its close.
	seen := map[int]bool{}
	for i := 1; i <= TCPMultiClients; i++ {
		name := "handler-" + string(rune('0'+i))
		calls := wantOps(t, r, name, "getpeername recv send sendall recv close")
		if len(calls) != 6 {
			continue
		}
		acc := server[4+i-1]
		if calls[0].Ret != 0 || calls[0].Peer != acc.Peer || calls[0].Args != "addr → "+acc.Peer.String() {
			t.Errorf("%s getpeername: %+v, accept returned %v", name, calls[0], acc.Peer)
		}
		calls = calls[1:]
		if calls[0].FD != acc.Ret || calls[0].Peer != acc.Peer || calls[0].Local != serverAddr {
			t.Errorf("%s: fd %d peer %v; accept %d returned fd %d from %v", name, calls[0].FD, calls[0].Peer, i, acc.Ret, acc.Peer)
		}
		c, ok := clientByAddr[acc.Peer]
		if !ok || seen[c] {
			t.Errorf("%s serves %v, which is no client or another handler's", name, acc.Peer)
			continue
		}
		seen[c] = true
		msg := []byte(TCPMultiMessage(c))
		if !bytes.Equal(calls[0].Data, msg) || !bytes.Equal(calls[1].Data, msg) {
			t.Errorf("%s received %q and sent %q; client-%d sent %q", name, calls[0].Data, calls[1].Data, c, msg)
		}
		if calls[3].Ret != 0 || calls[3].TCP == nil || calls[3].TCP.State != "CLOSE-WAIT" {
			t.Errorf("%s's last recv: %d in %v, want 0 in CLOSE-WAIT", name, calls[3].Ret, calls[3].TCP)
		}
	}

	// The wire: three whole connections, interleaved.
	pkts := tcpPackets(r, 7002)
	// The listener was closed after the third accept, before any data:
	// the accepted connections carried every byte after it.
	if lc := server[len(server)-1]; lc.FD != server[3].FD || lc.Ret != 0 {
		t.Errorf("the server's last call is %+v, want the listener's close", lc)
	} else {
		for _, p := range pkts {
			if p.PayloadLen > 0 && !time.Unix(p.Sec, p.Nsec).After(time.Unix(lc.Sec, lc.Nsec)) {
				t.Errorf("frame %d carried data before the listener's close (call %d)", p.Number, lc.Number)
			}
		}
	}
	conns := map[netip.AddrPort]bool{}
	for addr, i := range clientByAddr {
		msg := []byte(TCPMultiMessage(i))
		checkTCPConn(t, pkts, addr, serverAddr, msg, msg)
		conns[addr] = true
	}
	// Interleaved: some connection's packets are not all in one run.
	runs := 0
	var prev netip.AddrPort
	for _, p := range pkts {
		a := netip.AddrPortFrom(p.Src, p.SrcPort)
		if a == serverAddr {
			a = netip.AddrPortFrom(p.Dst, p.DstPort)
		}
		if a != prev {
			runs++
			prev = a
		}
	}
	if runs <= len(conns) {
		t.Errorf("the three connections' packets are not interleaved (%d runs)", runs)
	}
	// The handshakes all come before the first data (the clients wait for
	// each other), so all three connections are open at once.
	lastSyn, firstData := -1, len(pkts)
	for i, p := range pkts {
		if p.TCPFlags&decode.TCPSyn != 0 {
			lastSyn = i
		}
		if p.PayloadLen > 0 && i < firstData {
			firstData = i
		}
	}
	if lastSyn > firstData {
		t.Errorf("a handshake (packet %d) after the first data (packet %d)", lastSyn, firstData)
	}
}

func TestUDPEcho(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemo(t, "udp-echo")
	server := wantOps(t, r, "server", "socket bind recvfrom sendto recvfrom sendto recvfrom sendto close")
	client := wantOps(t, r, "client", "socket sendto sendto sendto recvfrom recvfrom recvfrom close")
	if t.Failed() {
		t.FailNow()
	}
	serverAddr := netip.MustParseAddrPort(UDPEchoAddr)
	// An unconnected UDP socket's implicit bind is to 0.0.0.0 and an
	// ephemeral port.
	clientAddr := client[1].Local
	if !clientAddr.IsValid() || clientAddr.Port() == 0 || !clientAddr.Addr().IsUnspecified() || client[0].Local.Port() != 0 {
		t.Errorf("client at %v after socket, %v after its first sendto; want 0.0.0.0 and an ephemeral port", client[0].Local, clientAddr)
	}
	for i, m := range EchoMessages {
		s := client[1+i]
		if s.Ret != len(m) || string(s.Data) != m || s.Peer != serverAddr || s.Proto != "udp" || s.TCP != nil {
			t.Errorf("client sendto %d: %+v", i+1, s)
		}
		// Each recvfrom returns exactly one datagram, although all three
		// were waiting; Recv-Q (SIOCINQ) is then the next one's size.
		rf := server[2+2*i]
		if rf.Len != 1024 || rf.Ret != len(m) || string(rf.Data) != m || rf.Peer != fromLo(clientAddr) {
			t.Errorf("server recvfrom %d: %d %q from %v; want %q from %v", i+1, rf.Ret, rf.Data, rf.Peer, m, clientAddr)
		}
		next := 0
		if i+1 < len(EchoMessages) {
			next = len(EchoMessages[i+1])
		}
		if rf.RecvQ != next {
			t.Errorf("server recvfrom %d: Recv-Q %d, want %d (the next datagram)", i+1, rf.RecvQ, next)
		}
		st := server[3+2*i]
		if st.Peer != fromLo(clientAddr) || string(st.Data) != m {
			t.Errorf("server sendto %d: %q to %v", i+1, st.Data, st.Peer)
		}
		cr := client[4+i]
		if string(cr.Data) != m || cr.Peer != serverAddr {
			t.Errorf("client recvfrom %d: %q from %v", i+1, cr.Data, cr.Peer)
		}
	}

	// The wire: six datagrams, one per sendto, in order; no TCP.
	var got []string
	for _, p := range r.wire {
		if p.IsTCP() {
			t.Errorf("a TCP packet in a UDP demo: %v:%d → %v:%d", p.Src, p.SrcPort, p.Dst, p.DstPort)
		}
		if p.IsUDP() && (p.SrcPort == 7004 || p.DstPort == 7004) {
			dir := ">"
			if p.SrcPort == 7004 {
				dir = "<"
			}
			got = append(got, dir+string(p.Payload))
		}
	}
	want := []string{">hello", ">你好", ">world", "<hello", "<你好", "<world"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("datagrams on the wire: %q, want %q", got, want)
	}
}

func TestUDPBroadcast(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemo(t, "udp-broadcast")
	sender := wantOps(t, r, "sender", "socket sendto setsockopt sendto close")
	if t.Failed() {
		t.FailNow()
	}
	bcast := netip.MustParseAddrPort(BroadcastAddr)
	if c := sender[1]; c.Ret != -1 || c.Errno != "EACCES" || c.Data != nil || c.Peer != bcast {
		t.Errorf("sendto without SO_BROADCAST: Ret %d Errno %q; want -1 EACCES", c.Ret, c.Errno)
	}
	if c := sender[2]; c.Args != "SOL_SOCKET, SO_BROADCAST, 1" || c.Ret != 0 {
		t.Errorf("setsockopt: %+v", c)
	}
	sent := sender[3]
	if sent.Ret != len(BroadcastMessage) || string(sent.Data) != BroadcastMessage || sent.Peer != bcast {
		t.Errorf("broadcast sendto: %+v", sent)
	}
	for i := 1; i <= BroadcastReceivers; i++ {
		name := "receiver-" + string(rune('0'+i))
		calls := wantOps(t, r, name, "socket setsockopt bind recvfrom close")
		if len(calls) != 5 {
			continue
		}
		if calls[1].Args != "SOL_SOCKET, SO_REUSEADDR, 1" || calls[2].Ret != 0 {
			t.Errorf("%s: setsockopt %q, bind %d %s", name, calls[1].Args, calls[2].Ret, calls[2].Errno)
		}
		rf := calls[3]
		if string(rf.Data) != BroadcastMessage || rf.Peer != fromLo(sent.Local) {
			t.Errorf("%s recvfrom: %q from %v; want %q from %v", name, rf.Data, rf.Peer, BroadcastMessage, sent.Local)
		}
		if rf.RecvQ != 0 {
			t.Errorf("%s: Recv-Q %d after its recvfrom; want 0 (one copy each)", name, rf.RecvQ)
		}
	}

	// The wire: exactly one datagram, to the broadcast address.
	var udp []wirePacket
	for _, p := range r.wire {
		if p.IsUDP() && p.DstPort == 7003 {
			udp = append(udp, p)
		}
	}
	if len(udp) != 1 {
		t.Fatalf("%d datagrams to port 7003 on the wire, want 1", len(udp))
	}
	if p := udp[0]; p.Dst != bcast.Addr() || string(p.Payload) != BroadcastMessage || p.SrcPort != sent.Local.Port() {
		t.Errorf("the datagram: %v:%d → %v:%d %q", p.Src, p.SrcPort, p.Dst, p.DstPort, p.Payload)
	}
}

func TestUnixStream(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemo(t, "unix-stream")
	server := wantOps(t, r, "server", "socket bind listen accept recv send sendall recv close close")
	client := wantOps(t, r, "client", "socket connect send send send recv close")
	if t.Failed() {
		t.FailNow()
	}
	path := filepath.Join(r.dir, UnixSocketName)
	for _, c := range r.calls {
		if c.Proto != "unix" || c.TCP != nil || c.Local.IsValid() || c.Peer.IsValid() {
			t.Errorf("call %d (%s %s): proto %q tcp %v local %v peer %v", c.Number, c.Endpoint, c.Op, c.Proto, c.TCP, c.Local, c.Peer)
		}
		if c.Op != "socket" && c.Op != "close" && c.Path != path {
			t.Errorf("call %d (%s %s): Path %q, want %q", c.Number, c.Endpoint, c.Op, c.Path, path)
		}
	}
	if c := client[1]; c.Ret != 0 || c.Args != path {
		t.Errorf("connect: %+v", c)
	}
	// The sends wait in the server's queue: the client's Send-Q (kernel
	// memory) grows, and accept finds all 16 bytes in Recv-Q.
	for i := range EchoMessages {
		if c := client[2+i]; c.SendQ <= 0 || (i > 0 && c.SendQ <= client[1+i].SendQ) {
			t.Errorf("send %d: Send-Q %d (before: %d); want it to grow", i+1, c.SendQ, client[1+i].SendQ)
		}
	}
	acc := server[3]
	if acc.RecvQ != len(echoBytes) {
		t.Errorf("accept: Recv-Q %d, want the %d bytes already sent", acc.RecvQ, len(echoBytes))
	}
	if c := server[4]; c.Ret != len(echoBytes) || !bytes.Equal(c.Data, echoBytes) || c.RecvQ != 0 {
		t.Errorf("server recv(1024): %d %q Recv-Q %d; want all %d bytes in one call", c.Ret, c.Data, c.RecvQ, len(echoBytes))
	}
	if got := data(client, "recv"); !bytes.Equal(got, echoBytes) {
		t.Errorf("client received %q", got)
	}
	if c := server[7]; c.Ret != 0 {
		t.Errorf("server's last recv: %d", c.Ret)
	}

	// No packets at all.
	if len(r.wire) != 0 {
		t.Errorf("%d packets on lo during an AF_UNIX demo; want none", len(r.wire))
	}
}

func callTime(c sockcall.Call) time.Time { return time.Unix(c.Sec, c.Nsec) }

// fromLo is where a datagram from a socket bound to 0.0.0.0:port comes
// from on loopback.
func fromLo(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), a.Port())
}

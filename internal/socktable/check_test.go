package socktable

import (
	"net/netip"
	"strings"
	"testing"
)

// find returns the first entry for which match is true, or nil.
func find(es []Entry, match func(*Entry) bool) *Entry {
	for i := range es {
		if match(&es[i]) {
			return &es[i]
		}
	}
	return nil
}

// The lab's fixed ports (lab_linux_test.go makes the sockets; the
// recordings in testdata were made from the same lab).
const (
	labListen = 7001
	labUDP    = 7002
	labV6     = 7003
	labDual   = 7004
	labUDP6   = 7005
	labAbstr  = "@sockscope-socktable"
)

var lo4 = netip.MustParseAddr("127.0.0.1")

// checkLab asserts what the table must say of the lab's sockets, whether
// read live or from a recording.
func checkLab(t *testing.T, es []Entry) {
	t.Helper()
	table := string(AppendTable(nil, es))
	want := func(what string, match func(*Entry) bool) *Entry {
		t.Helper()
		e := find(es, match)
		if e == nil {
			t.Errorf("no %s in the table:\n%s", what, table)
		}
		return e
	}
	local := func(p Proto, port uint16) func(*Entry) bool {
		return func(e *Entry) bool { return e.Proto == p && e.Local.Port() == port }
	}

	// The IPv4 listener: one connection waits in its accept queue of 5.
	if e := want("TCP listener on 127.0.0.1:7001", func(e *Entry) bool {
		return e.Proto == TCP && e.State == Listen && e.Local == netip.AddrPortFrom(lo4, labListen)
	}); e != nil {
		if e.RecvQ != 1 || e.SendQ != 5 {
			t.Errorf("listener: Recv-Q %d Send-Q %d, want 1 (the connection not accepted) and 5 (the backlog)", e.RecvQ, e.SendQ)
		}
		if e.Inode == 0 || e.PeerString() != "0.0.0.0:*" || e.LocalString() != "127.0.0.1:7001" {
			t.Errorf("listener: inode %d, local %q, peer %q", e.Inode, e.LocalString(), e.PeerString())
		}
	}
	// Connection A: the 5 bytes wait in the server's receive queue; the
	// client's keep-alive timer runs.
	var clientA uint16
	if e := want("server side of A with 5 bytes unread", func(e *Entry) bool {
		return e.Proto == TCP && e.State == Established && e.Local.Port() == labListen && e.RecvQ == 5
	}); e != nil {
		clientA = e.Peer.Port()
		if e.Inode == 0 || e.SendQ != 0 {
			t.Errorf("server side of A: inode %d, Send-Q %d", e.Inode, e.SendQ)
		}
	}
	if e := want("client A with its keep-alive timer", func(e *Entry) bool {
		return e.Proto == TCP && e.Peer.Port() == labListen && e.Timer == KeepAlive
	}); e != nil {
		if e.Local.Port() != clientA || e.State != Established {
			t.Errorf("client A: %s %s, want ESTAB from port %d", e.State, e.LocalString(), clientA)
		}
		if e.TimerMS == 0 || e.TimerMS > 30000 || !strings.HasPrefix(e.TimerString(), "timer:(keepalive,") {
			t.Errorf("client A: timer %q (%d ms), want keepalive within 30 s", e.TimerString(), e.TimerMS)
		}
	}
	// Connection C: closed by the server first, so TIME-WAIT on the
	// server's side, with no file (inode 0) and its timer.
	if e := want("TIME-WAIT from 127.0.0.1:7001", func(e *Entry) bool {
		return e.Proto == TCP && e.State == TimeWait && e.Local.Port() == labListen
	}); e != nil {
		if e.Inode != 0 || e.RecvQ != 0 || e.SendQ != 0 {
			t.Errorf("TIME-WAIT: inode %d, queues %d/%d; want 0, 0, 0", e.Inode, e.RecvQ, e.SendQ)
		}
		if e.Timer != TimeWaitT || e.TimerMS == 0 || e.TimerMS > 60000 {
			t.Errorf("TIME-WAIT: timer %v %d ms, want timewait within 60 s", e.Timer, e.TimerMS)
		}
		if s := e.TimerString(); !strings.HasPrefix(s, "timer:(timewait,") || !strings.HasSuffix(s, ",0)") {
			t.Errorf("TIME-WAIT: timer %q", s)
		}
	}
	// Connection B: handshake done, not accepted: an ESTAB socket without
	// a file, on the listener's port.
	if e := want("connection B in the accept queue (ESTAB, inode 0)", func(e *Entry) bool {
		return e.Proto == TCP && e.State == Established && e.Local.Port() == labListen && e.Inode == 0
	}); e != nil {
		if find(es, func(c *Entry) bool { return c.Proto == TCP && c.Local == e.Peer && c.Peer == e.Local && c.Inode != 0 }) == nil {
			t.Errorf("no client socket for the queued connection %s", e.PeerString())
		}
	}

	// UDP over IPv4.
	if e := want("UDP 127.0.0.1:7002", local(UDP, labUDP)); e != nil {
		if e.State != Close || e.State.String() != "UNCONN" || e.RecvQ == 0 || e.PeerString() != "0.0.0.0:*" {
			t.Errorf("UDP 7002: %s Recv-Q %d peer %q; want UNCONN, the datagram's memory, 0.0.0.0:*", e.State, e.RecvQ, e.PeerString())
		}
	}
	want("connected UDP sender", func(e *Entry) bool {
		return e.Proto == UDP && e.State == Established && e.Peer == netip.AddrPortFrom(lo4, labUDP)
	})

	// IPv6.
	if e := want("TCP listener [::1]:7003", local(TCP, labV6)); e != nil {
		if e.State != Listen || !e.V6Only || e.LocalString() != "[::1]:7003" || e.PeerString() != "[::]:*" {
			t.Errorf("[::1]:7003: %s v6only=%v local %q peer %q", e.State, e.V6Only, e.LocalString(), e.PeerString())
		}
	}
	want("IPv6 connection to [::1]:7003", func(e *Entry) bool {
		return e.Proto == TCP && e.State == Established && e.Peer.Port() == labV6 && e.PeerString() == "[::1]:7003"
	})
	if e := want("dual-stack listener *:7004", func(e *Entry) bool {
		return e.Proto == TCP && e.State == Listen && e.Local.Port() == labDual
	}); e != nil && (e.V6Only || e.LocalString() != "*:7004" || e.PeerString() != "*:*") {
		t.Errorf("dual-stack listener: v6only=%v local %q peer %q, want *:7004 and *:*", e.V6Only, e.LocalString(), e.PeerString())
	}
	want("the IPv4 client accepted by the dual-stack listener, as [::ffff:127.0.0.1]:7004", func(e *Entry) bool {
		return e.Proto == TCP && e.State == Established && e.LocalString() == "[::ffff:127.0.0.1]:7004"
	})
	if e := want("UDP [::]:7005", local(UDP, labUDP6)); e != nil && e.LocalString() != "[::]:7005" {
		t.Errorf("UDP 7005 (v6only): local %q, want [::]:7005", e.LocalString())
	}

	// AF_UNIX.
	var listener *Entry
	if e := want("AF_UNIX stream listener", func(e *Entry) bool {
		return e.Proto == UnixStream && e.State == Listen
	}); e != nil {
		listener = e
		if !strings.HasSuffix(e.Path, "/s.sock") || e.RecvQ != 0 || e.SendQ != 4 {
			t.Errorf("unix listener: path %q, queues %d/%d; want …/s.sock, 0 and 4 (the backlog)", e.Path, e.RecvQ, e.SendQ)
		}
	}
	if server := want("accepted AF_UNIX connection with 5 bytes unread", func(e *Entry) bool {
		return e.Proto == UnixStream && e.State == Established && e.RecvQ == 5
	}); server != nil && listener != nil {
		if server.Path != listener.Path {
			t.Errorf("accepted unix socket named %q, want the listener's %q", server.Path, listener.Path)
		}
		client := find(es, func(e *Entry) bool { return e.Inode == server.PeerInode })
		if client == nil || client.PeerInode != server.Inode || client.LocalString() != "*" || client.PeerString() != listener.Path {
			t.Errorf("unix client of %d: %+v; want unnamed, its peer %d named %q", server.PeerInode, client, server.Inode, listener.Path)
		}
	}
	want("abstract AF_UNIX datagram socket", func(e *Entry) bool {
		return e.Proto == UnixDgram && e.State == Close && e.Path == labAbstr
	})
	if e := want("seqpacket socketpair", func(e *Entry) bool { return e.Proto == UnixSeqpacket }); e != nil {
		if p := find(es, func(c *Entry) bool { return c.Inode == e.PeerInode }); p == nil || p.PeerInode != e.Inode || p.Proto != UnixSeqpacket {
			t.Errorf("seqpacket %d: peer %d not found or not its pair", e.Inode, e.PeerInode)
		}
	}
	for _, e := range es {
		if e.Proto == TCP && e.State == Listen && e.Timer != NoTimer {
			t.Errorf("listener %s with a timer %s", e.LocalString(), e.TimerString())
		}
	}
}

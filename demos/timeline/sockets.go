package timeline

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// sockModel is a socket while the timeline is built.
type sockModel struct {
	Sock
	gone    bool // closed and nothing left to show
	wire    bool // a frame of this socket has been seen
	counted bool // a pending connection counted in its listener's accept queue
	acceptQ int  // listener: connections waiting for accept
	backlog int
	// what the kernel said after the socket's latest own call
	kSendQ, kRecvQ int
	out, in        *stream    // TCP and AF_UNIX streams
	pair           *sockModel // AF_UNIX: the other end
	dgrams         []dgram    // UDP: datagrams waiting to be read
	// blocked are the numbers of this socket's calls still blocked at the
	// current row (made, not yet returned).
	blocked []int
}

type dgram struct {
	size int
	data []byte
}

type laneFD struct{ lane, fd int }

type flowKey struct{ src, dst netip.AddrPort }

type sockBuilder struct {
	socks   []*sockModel
	byFD    map[laneFD]*sockModel
	streams map[flowKey]*stream
	lanes   []string
	// analysis says whether the frames carry endpoint states
	// (Packet.Analysis); then TCP states come from the wire, and a call's
	// TCP_INFO (taken when it returned) only where the call sorts at its
	// return or the socket is not on the wire.
	analysis bool
}

func newSockBuilder(lanes []string, analysis bool) *sockBuilder {
	return &sockBuilder{byFD: map[laneFD]*sockModel{}, streams: map[flowKey]*stream{}, lanes: lanes, analysis: analysis}
}

func (b *sockBuilder) open(lane, fd int, proto string) *sockModel {
	if old := b.byFD[laneFD{lane, fd}]; old != nil { // fd reused after a close we did not see
		old.Closed = true
		old.gone = true
	}
	s := &sockModel{Sock: Sock{ID: len(b.socks), Lane: lane, Endpoint: b.lanes[lane], FD: fd, Proto: proto}, kSendQ: -1, kRecvQ: -1}
	s.SendQ, s.Unsent, s.RecvQ = -1, -1, -1
	s.SndBuf, s.RcvBuf, s.Window = -1, -1, -1
	b.socks = append(b.socks, s)
	if fd > 0 {
		b.byFD[laneFD{lane, fd}] = s
	}
	return s
}

func (b *sockBuilder) stream(k flowKey) *stream {
	st := b.streams[k]
	if st == nil {
		st = &stream{}
		b.streams[k] = st
	}
	return st
}

// bind ties a TCP socket to its connection's two streams once its
// addresses are known.
func (b *sockBuilder) bind(s *sockModel) {
	if s.Proto != "tcp" || s.Listener || s.out != nil || !s.Local.IsValid() || !s.Peer.IsValid() {
		return
	}
	s.out = b.stream(flowKey{s.Local, s.Peer})
	s.in = b.stream(flowKey{s.Peer, s.Local})
}

// flow finds the TCP socket with these local and peer addresses.
func (b *sockBuilder) flow(local, peer netip.AddrPort) *sockModel {
	for i := len(b.socks) - 1; i >= 0; i-- {
		s := b.socks[i]
		if s.Proto == "tcp" && !s.Listener && s.Local == local && s.Peer == peer {
			return s
		}
	}
	return nil
}

// listenerFor finds lane's open listening socket for port.
func (b *sockBuilder) listenerFor(lane int, port uint16) *sockModel {
	for i := len(b.socks) - 1; i >= 0; i-- {
		s := b.socks[i]
		if s.Lane == lane && s.Listener && !s.Closed && s.Local.Port() == port {
			return s
		}
	}
	return nil
}

// unixListener finds the open AF_UNIX listening socket bound to path.
func (b *sockBuilder) unixListener(path string) *sockModel {
	for i := len(b.socks) - 1; i >= 0; i-- {
		s := b.socks[i]
		if s.Proto == "unix" && s.Listener && !s.Closed && s.Path == path {
			return s
		}
	}
	return nil
}

// udpSock finds lane's UDP socket bound to port.
func (b *sockBuilder) udpSock(lane int, port uint16) *sockModel {
	for i := len(b.socks) - 1; i >= 0; i-- {
		s := b.socks[i]
		if s.Lane == lane && s.Proto == "udp" && !s.gone && s.Local.Port() == port {
			return s
		}
	}
	return nil
}

// sortsAtReturn: calls that wait for something (accept, recv) sort where
// they returned, so the state the kernel reported then is the state at
// their row; the others sort where they were made.
func sortsAtReturn(op string) bool {
	switch op {
	case "accept", "recv", "recvfrom", "read":
		return true
	}
	return false
}

func isSend(op string) bool {
	switch op {
	case "send", "write", "sendto", "sendall":
		return true
	}
	return false
}

// find returns the socket a call is about (creating it for socket and
// accept), moving a connection handed to another endpoint to its lane.
func (b *sockBuilder) find(c *sockcall.Call, lane int) *sockModel {
	switch {
	case c.Op == "socket" && c.Ret >= 0:
		return b.open(lane, c.Ret, c.Proto)
	case c.Op == "accept" && c.Ret >= 0:
		var s *sockModel
		for _, p := range b.socks { // the connection the kernel already holds
			if p.Lane == lane && p.FD == 0 && !p.gone && p.Proto == c.Proto &&
				(c.Proto != "unix" && p.Local == c.Local && p.Peer == c.Peer || c.Proto == "unix" && p.Path == c.Path) {
				s = p
				break
			}
		}
		if s == nil {
			s = b.open(lane, c.Ret, c.Proto)
		} else {
			s.FD = c.Ret
			b.byFD[laneFD{lane, c.Ret}] = s
		}
		if s.counted {
			if l := b.byFD[laneFD{lane, c.FD}]; l != nil && l.acceptQ > 0 {
				l.acceptQ--
				b.refresh(l)
			}
			s.counted = false
		}
		return s
	}
	if s := b.byFD[laneFD{lane, c.FD}]; s != nil {
		return s
	}
	// A connection handed over: another lane's open socket with this fd
	// and these addresses.
	for i := len(b.socks) - 1; i >= 0; i-- {
		s := b.socks[i]
		if !s.Closed && s.FD == c.FD && s.Proto == c.Proto && (c.Local == s.Local && c.Peer == s.Peer || c.Proto == "unix") {
			delete(b.byFD, laneFD{s.Lane, s.FD})
			s.Lane, s.Endpoint = lane, b.lanes[lane]
			b.byFD[laneFD{lane, s.FD}] = s
			return s
		}
	}
	return b.open(lane, c.FD, c.Proto)
}

// call applies one socket call where it sorts; blocked says it is a call
// that causes packets and took BlockedAfter or more (its bytes are then
// counted as the frames show them leave, and in full at its return). It
// returns the new TCP state if the call changed it.
func (b *sockBuilder) call(c *sockcall.Call, lane int, blocked bool, inner bool) string {
	if c.FD < 0 { // no socket: gethostname, a name the hosts file answers
		return ""
	}
	s := b.find(c, lane)
	if s.Proto == "" {
		s.Proto = c.Proto
	}
	before := s.State
	if c.Local.IsValid() && c.Local.Port() != 0 {
		s.Local = c.Local
	}
	if c.Peer.IsValid() && s.Proto != "udp" {
		s.Peer = c.Peer
	}
	if c.Path != "" {
		s.Path = c.Path
	}
	if c.TCP != nil && (!b.analysis || sortsAtReturn(c.Op) || !s.wire && c.Op != "connect") {
		s.State = c.TCP.State
	}
	if c.Op == "listen" && c.Ret == 0 {
		s.Listener = true
		if s.Proto == "tcp" {
			s.State = "LISTEN"
		}
		s.acceptQ = max(c.RecvQ, 0)
		s.backlog = c.SendQ
		if n, err := strconv.Atoi(c.Args); err == nil && s.backlog < 0 {
			s.backlog = n
		}
	}
	if c.SndBuf >= 0 {
		s.SndBuf = c.SndBuf
	}
	if c.RcvBuf >= 0 {
		s.RcvBuf = c.RcvBuf
	}
	s.kSendQ, s.kRecvQ = c.SendQ, c.RecvQ
	b.bind(s)
	switch s.Proto {
	case "tcp":
		switch {
		case isSend(c.Op) && c.Ret > 0 && !(c.Op == "sendall" && len(c.Inner) > 0) && s.out != nil:
			s.out.write(c.Number, c.Data, c.Ret, blocked)
			if blocked {
				s.blocked = append(s.blocked, c.Number)
			}
		case (c.Op == "recv" || c.Op == "read") && c.Ret > 0 && s.in != nil:
			s.in.read += uint32(c.Ret)
			s.in.arrived = max(s.in.arrived, s.in.read)
		case (c.Op == "shutdown" && c.Args != "SHUT_RD" || c.Op == "close") && c.Ret == 0 && s.out != nil && !s.Listener:
			s.out.finQueued = true
		}
	case "udp":
		if c.Ret >= 0 && (c.Op == "recvfrom" || c.Op == "recv") && len(s.dgrams) > 0 {
			s.dgrams = s.dgrams[1:] // one call takes one datagram, cut or not
		}
	case "unix":
		switch {
		case c.Op == "connect" && c.Ret == 0:
			if l := b.unixListener(c.Path); l != nil && s.out == nil {
				p := b.open(l.Lane, 0, "unix") // the kernel's end of the pair, until accept takes it
				p.Path = c.Path
				s.out, s.in = &stream{}, &stream{}
				p.out, p.in = s.in, s.out
				s.pair, p.pair = p, s
			}
		case isSend(c.Op) && c.Ret > 0 && !(c.Op == "sendall" && len(c.Inner) > 0) && s.out != nil:
			s.out.write(c.Number, c.Data, c.Ret, false)
			s.out.arrived = s.out.written // no wire: in the peer's queue at once
		case (c.Op == "recv" || c.Op == "read") && c.Ret > 0 && s.in != nil:
			s.in.read += uint32(c.Ret)
		}
	}
	if c.Op == "close" && c.Ret == 0 {
		s.Closed = true
		delete(b.byFD, laneFD{lane, c.FD})
		if s.Proto != "tcp" || s.Listener || s.State == "" || s.State == "UNCONN" {
			s.gone = true
		}
	}
	b.refresh(s)
	if s.pair != nil {
		b.refresh(s.pair)
	}
	if s.State != before && s.State != "" && !(before == "" && s.State == "UNCONN") {
		return s.State
	}
	return ""
}

// waiting notes a send that was made and has not returned: its socket's
// Send-Q is a lower bound from here on (Buffers.Blocked -1).
func (b *sockBuilder) waiting(c *sockcall.Call, lane int) {
	s := b.byFD[laneFD{lane, c.FD}]
	if s == nil || !isSend(c.Op) || s.Proto != "tcp" || slices.Contains(s.blocked, -1) {
		return
	}
	s.blocked = append(s.blocked, -1)
	b.refresh(s)
}

// returned applies the return of a call that blocked.
func (b *sockBuilder) returned(c *sockcall.Call, lane int) {
	var s *sockModel
	for _, x := range b.socks {
		for i, n := range x.blocked {
			if n == c.Number {
				s = x
				x.blocked = append(x.blocked[:i], x.blocked[i+1:]...)
				break
			}
		}
	}
	if s == nil || s.out == nil {
		return
	}
	for _, ch := range s.out.chunks {
		if ch.call == c.Number {
			s.out.returned(ch.off + uint32(len(ch.data)))
		}
	}
	b.refresh(s)
}

// refresh computes a socket's buffers from the model: for TCP on the
// wire the byte journey, for a listener the accept queue and backlog, for
// UDP the datagrams waiting, for AF_UNIX the pair's streams; otherwise
// (traffic not seen) what the kernel said after the latest call.
func (b *sockBuilder) refresh(s *sockModel) {
	buf := &s.Buffers
	buf.SendQ, buf.RecvQ, buf.Unsent = s.kSendQ, s.kRecvQ, -1
	buf.FromKernel = true
	buf.RecvData = nil
	buf.Datagrams = 0
	buf.Blocked = 0
	if len(s.blocked) > 0 {
		buf.Blocked = s.blocked[0]
	}
	switch {
	case s.Closed:
		buf.SendQ, buf.RecvQ, buf.FromKernel = -1, -1, false
	case s.Listener && s.Proto == "tcp":
		buf.SendQ, buf.RecvQ, buf.FromKernel = s.backlog, s.acceptQ, false
	case s.Listener:
		buf.SendQ, buf.RecvQ, buf.FromKernel = -1, -1, false
	case s.Proto == "tcp" && s.wire && s.out != nil:
		buf.SendQ, buf.Unsent, buf.RecvQ = s.out.sendQ(), s.out.unsent(), s.in.recvQ()
		buf.RecvData = s.in.bytes(s.in.read+1, min(buf.RecvQ, 64))
		buf.FromKernel = false
	case s.Proto == "udp" && (s.wire || len(s.dgrams) > 0):
		n := 0
		for _, d := range s.dgrams {
			n += d.size
		}
		buf.SendQ, buf.Unsent, buf.RecvQ, buf.Datagrams = 0, 0, n, len(s.dgrams)
		if len(s.dgrams) > 0 {
			buf.RecvData = s.dgrams[0].data
		}
		buf.FromKernel = false
	case s.Proto == "unix" && s.out != nil:
		// An AF_UNIX stream has no send buffer of bytes: a send puts them
		// straight into the peer's receive queue (and the kernel's Send-Q
		// counts the memory they take there), so only Recv-Q is modelled.
		buf.SendQ, buf.Unsent, buf.RecvQ = -1, -1, int(s.in.written)-int(min(s.in.read, s.in.written))
		buf.RecvData = s.in.bytes(s.in.read+1, min(buf.RecvQ, 64))
		buf.FromKernel = false
	}
	if buf.FromKernel && s.kSendQ < 0 && s.kRecvQ < 0 {
		buf.FromKernel = false
	}
}

// tcpFrame applies a TCP segment; it returns the endpoint states it
// changed, as "client FIN-WAIT-1".
func (b *sockBuilder) tcpFrame(p *decode.Packet, to []int) []string {
	src := netip.AddrPortFrom(p.Src, p.SrcPort)
	dst := netip.AddrPortFrom(p.Dst, p.DstPort)
	ss, ds := b.flow(src, dst), b.flow(dst, src)
	if ds == nil && p.TCPFlags&(decode.TCPSyn|decode.TCPAck) == decode.TCPSyn && len(to) == 1 {
		if b.listenerFor(to[0], p.DstPort) != nil {
			ds = b.open(to[0], 0, "tcp") // the kernel's new connection, not accepted yet
			ds.Local, ds.Peer = dst, src
			b.bind(ds)
		}
	}
	var notes []string
	a := &p.Analysis
	for _, side := range []struct {
		s       *sockModel
		changed bool
		state   decode.TCPState
	}{{ss, a.SrcChanged, a.SrcState}, {ds, a.DstChanged, a.DstState}} {
		if side.s == nil {
			continue
		}
		side.s.wire = true
		// A connection the kernel made for a SYN is not the listener:
		// its story starts at SYN-RECV.
		if side.changed && side.state != decode.StateUnknown && !(side.s.FD == 0 && side.state == decode.StateListen) {
			if name := sockcall.StateName(side.state); name != side.s.State {
				side.s.State = name
				notes = append(notes, b.lanes[side.s.Lane]+" "+name)
			}
		}
	}
	at := time.Unix(p.Sec, p.Nsec)
	out := b.stream(flowKey{src, dst})
	out.segment(p.Rel.Seq, p.PayloadLen, p.TCPFlags&decode.TCPFin != 0)
	out.touched(at, p.Number)
	if p.TCPFlags&decode.TCPAck != 0 {
		back := b.stream(flowKey{dst, src})
		back.ack(p.Rel.Ack)
		back.touched(at, p.Number)
	}
	if ss != nil {
		ss.Window = int(p.Window)
		if p.Analysis.WindowScaled {
			ss.Window = int(p.Analysis.WindowSize)
		}
	}
	if ds != nil {
		if ds.FD == 0 && !ds.counted && a.DstChanged && a.DstState == decode.StateEstablished {
			if l := b.listenerFor(ds.Lane, p.DstPort); l != nil {
				l.acceptQ++
				ds.counted = true
				b.refresh(l)
			}
		}
		b.refresh(ds)
	}
	if ss != nil {
		b.refresh(ss)
	}
	return notes
}

// udpFrame applies a datagram: it waits in every receiver's queue.
func (b *sockBuilder) udpFrame(p *decode.Packet, from int, to []int, payload []byte) {
	if from >= 0 {
		if s := b.udpSock(from, p.SrcPort); s != nil {
			s.wire = true
			b.refresh(s)
		}
	}
	if len(payload) > 64 {
		payload = payload[:64]
	}
	for _, lane := range to {
		if s := b.udpSock(lane, p.DstPort); s != nil {
			s.wire = true
			s.dgrams = append(s.dgrams, dgram{size: p.PayloadLen, data: payload})
			b.refresh(s)
		}
	}
}

// bySample finds the open socket a kernel sample is about.
func (b *sockBuilder) bySample(k *sockcall.Sample, laneOf map[string]int) *sockModel {
	if lane, ok := laneOf[k.Endpoint]; ok {
		if s := b.byFD[laneFD{lane, k.FD}]; s != nil && !s.Closed {
			return s
		}
	}
	for i := len(b.socks) - 1; i >= 0; i-- {
		s := b.socks[i]
		if !s.Closed && s.FD == k.FD && s.Proto == k.Proto {
			return s
		}
	}
	return nil
}

// dropped applies the kernel's count of a UDP socket's dropped datagrams:
// they were the latest to arrive (a full buffer drops what comes next).
func (b *sockBuilder) dropped(s *sockModel, drops int) {
	if s.Proto != "udp" || drops <= s.Dropped {
		return
	}
	n := min(drops-s.Dropped, len(s.dgrams))
	s.dgrams = s.dgrams[:len(s.dgrams)-n]
	s.Dropped = drops
	b.refresh(s)
}

// snapshot copies every socket that is still there.
func (b *sockBuilder) snapshot() []Sock {
	out := make([]Sock, 0, len(b.socks))
	for _, s := range b.socks {
		if s.Closed && (s.State == "" || s.State == "UNCONN") {
			s.gone = true // nothing left of it, in the program or the kernel
		}
		if !s.gone {
			out = append(out, s.Sock)
		}
	}
	return out
}

// label names a socket: "server fd 9".
func (s *Sock) label(zh bool) string {
	var b strings.Builder
	b.WriteString(s.Endpoint)
	if s.FD > 0 {
		b.WriteString(" fd ")
		b.WriteString(strconv.Itoa(s.FD))
	} else {
		b.WriteString(pick(zh, " (not accepted)", "（未被 accept）"))
	}
	return b.String()
}

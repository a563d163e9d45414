package ui

import (
	"net/netip"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// The demo view's model: everything a demo run has produced (steps, calls,
// frames), and the ladder computed from it. The ladder is rebuilt from
// scratch whenever something new arrives — a demo makes tens of calls and
// packets, so a rebuild costs microseconds, and a packet that arrives after
// the call that caused it simply sorts into its place.

// demoRowKind says what a ladder row shows.
type demoRowKind uint8

const (
	demoRowStep   demoRowKind = iota + 1 // the start of a step: a rule with its title
	demoRowCall                          // a socket call beside its endpoint's lane
	demoRowPacket                        // a segment or datagram: an arrow between lanes
)

// demoEvent is one event as the view received it.
type demoEvent struct {
	ev demos.Event
	at time.Time // when it arrived: a step sorts here
}

// demoData is what the view has learnt so far. Only the goroutine that
// draws touches it (under DemoView.mu).
type demoData struct {
	dec      *decode.Decoder
	calls    []sockcall.Call
	packets  []decode.Packet
	previews []string // a packet's payload, quoted and cut short
	steps    []demoStepMark
}

type demoStepMark struct {
	n  int
	at time.Time
}

func newDemoData() *demoData { return &demoData{dec: decode.NewDecoder()} }

func (d *demoData) add(e demoEvent) {
	switch {
	case e.ev.Step > 0:
		d.steps = append(d.steps, demoStepMark{e.ev.Step, e.at})
	case e.ev.Call != nil:
		d.calls = append(d.calls, *e.ev.Call)
	case e.ev.Frame != nil:
		var p decode.Packet
		d.dec.Decode(e.ev.Frame, len(d.packets)+1, &p)
		p.DNS.QName = append([]byte(nil), p.DNS.QName...) // outlives the decoder's scratch
		d.packets = append(d.packets, p)
		d.previews = append(d.previews, demoPayloadPreview(e.ev.Frame, &p))
	}
}

// demoPayloadPreview quotes the start of a TCP or UDP payload ("hello"), or
// returns "". Only Ethernet framing (what lo gives) is understood.
func demoPayloadPreview(f *capture.Frame, p *decode.Packet) string {
	if p.PayloadLen <= 0 || f.LinkType != capture.LinkEthernet || p.Layers&(decode.LayerTCP|decode.LayerUDP) == 0 {
		return ""
	}
	ip := 14 + 4*int(p.NVLAN)
	var end int
	switch p.IPVersion {
	case 4:
		end = ip + int(p.IPLen)
	case 6:
		end = ip + 40 + int(p.IPv6Plen)
	default:
		return ""
	}
	start := end - p.PayloadLen
	if start < ip || end > len(f.Data) {
		return ""
	}
	return demoQuote(f.Data[start:end], 24)
}

// demoQuote quotes b as a Go string (control bytes escaped, so nothing
// reaches the terminal raw), cut after about max bytes.
func demoQuote(b []byte, max int) string {
	cut := false
	if len(b) > max {
		b, cut = b[:max], true
		for len(b) > 0 && b[len(b)-1]&0xc0 == 0x80 { // don't split a UTF-8 sequence
			b = b[:len(b)-1]
		}
		if len(b) > 0 && b[len(b)-1] >= 0xc0 {
			b = b[:len(b)-1]
		}
	}
	q := strconv.Quote(string(b))
	if cut {
		q += "…"
	}
	return q
}

// demoLadder is one snapshot of the diagram.
type demoLadder struct {
	lanes []string  // endpoint names, in order of first appearance
	rows  []demoRow // in time order
	links *sockcall.Links
	// callRows are the indexes of the call rows, by call number.
	callRows []int
	// stepRow maps a step to the index of its rule.
	stepRow map[int]int
	// noWire: calls were made and no packet was seen; unixOnly: every
	// call was on an AF_UNIX socket (the wire is empty by nature).
	noWire, unixOnly bool
	// sendScale and recvScale are the gauges' full scale (bytes).
	sendScale, recvScale int
	// maxSocks is the most sockets any lane shows at once.
	maxSocks int
}

// demoRow is one line of the diagram.
type demoRow struct {
	kind  demoRowKind
	at    time.Time
	step  int // the step in force
	index int // rowStep: the step; rowCall: index in calls; rowPacket: index in packets
	num   int // call or frame number (what a selection remembers)
	lane  int // call: its lane; packet: the sender's lane (-1 unknown)
	to    []int
	text  string // step title, call label or arrow label
	note  string // endpoint states that changed here
	fail  bool   // a call that returned an error
	// packet look
	expert, control, pureAck, broadcast bool
	socks                               []demoSock // every socket after this row
}

// demoSock is one socket as a lane shows it at some moment.
type demoSock struct {
	lane        int
	fd          int // 0: a connection the kernel holds that accept has not taken yet
	proto       string
	local, peer netip.AddrPort
	path        string
	listener    bool
	state       string // TCP state, kernel names (ESTABLISHED, FIN_WAIT1, …)
	sendQ       int    // bytes; -1 unknown
	recvQ       int
	closed      bool // the program closed its descriptor (TCP may linger: TIME_WAIT)
	order       int
}

// demoSockModel is a socket while the ladder is built.
type demoSockModel struct {
	demoSock
	gone bool // closed and nothing left to show
	// The byte-stream model (TCP): sent and read count the program's
	// calls, acked and arrived what the wire has shown.
	sent, acked, arrived, read uint32
	wire                       bool  // a packet of this socket has been seen
	dgrams                     []int // UDP: datagrams queued to be read
	kSendQ, kRecvQ             int   // what the kernel said after the latest call
	acceptQ                    int   // listener: connections waiting for accept
	counted                    bool  // a pending connection counted in its listener's accept queue
}

type demoLaneFD struct{ lane, fd int }

type demoSockBuilder struct {
	socks []*demoSockModel
	byFD  map[demoLaneFD]*demoSockModel
	// analysis says whether the packets carry endpoint states
	// (Packet.Analysis); then TCP states come from the wire, and a
	// call's TCP_INFO (taken when it returned) only where the call sorts
	// at its return or the socket is not on the wire.
	analysis bool
}

func (b *demoSockBuilder) open(lane, fd int, proto string) *demoSockModel {
	if old := b.byFD[demoLaneFD{lane, fd}]; old != nil { // fd reused after a close we did not see
		old.closed = true
		old.gone = true
	}
	s := &demoSockModel{demoSock: demoSock{lane: lane, fd: fd, proto: proto, sendQ: -1, recvQ: -1, order: len(b.socks)}, kSendQ: -1, kRecvQ: -1}
	b.socks = append(b.socks, s)
	if fd > 0 {
		b.byFD[demoLaneFD{lane, fd}] = s
	}
	return s
}

// flow finds the TCP socket with these local and peer addresses.
func (b *demoSockBuilder) flow(local, peer netip.AddrPort) *demoSockModel {
	for i := len(b.socks) - 1; i >= 0; i-- {
		s := b.socks[i]
		if s.proto == "tcp" && !s.listener && s.local == local && s.peer == peer {
			return s
		}
	}
	return nil
}

// listenerFor finds lane's open listening socket for port.
func (b *demoSockBuilder) listenerFor(lane int, port uint16) *demoSockModel {
	for i := len(b.socks) - 1; i >= 0; i-- {
		s := b.socks[i]
		if s.lane == lane && s.listener && !s.closed && s.local.Port() == port {
			return s
		}
	}
	return nil
}

// udpSock finds lane's UDP socket bound to port.
func (b *demoSockBuilder) udpSock(lane int, port uint16) *demoSockModel {
	for i := len(b.socks) - 1; i >= 0; i-- {
		s := b.socks[i]
		if s.lane == lane && s.proto == "udp" && !s.gone && s.local.Port() == port {
			return s
		}
	}
	return nil
}

// sortsAtReturn: accept and recv sort where they returned, so the state
// the kernel reported then is the state at their row.
func demoSortsAtReturn(op string) bool {
	switch op {
	case "accept", "recv", "recvfrom", "read":
		return true
	}
	return false
}

// call applies one socket call; it returns the new TCP state if the call
// changed it.
func (b *demoSockBuilder) call(c *sockcall.Call, lane int) string {
	var s *demoSockModel
	switch {
	case c.Op == "socket" && c.Ret >= 0:
		s = b.open(lane, c.Ret, c.Proto)
	case c.Op == "accept" && c.Ret >= 0:
		for _, p := range b.socks { // the connection the kernel already holds
			if p.lane == lane && p.fd == 0 && p.local == c.Local && p.peer == c.Peer {
				s = p
				break
			}
		}
		if s == nil {
			s = b.open(lane, c.Ret, c.Proto)
		} else {
			s.fd = c.Ret
			b.byFD[demoLaneFD{lane, c.Ret}] = s
		}
		if s.counted {
			if l := b.byFD[demoLaneFD{lane, c.FD}]; l != nil && l.acceptQ > 0 {
				l.acceptQ--
				b.refresh(l)
			}
			s.counted = false
		}
	default:
		s = b.byFD[demoLaneFD{lane, c.FD}]
		if s == nil {
			s = b.open(lane, c.FD, c.Proto)
		}
	}
	if s.proto == "" {
		s.proto = c.Proto
	}
	before := s.state
	if c.Local.IsValid() && c.Local.Port() != 0 {
		s.local = c.Local
	}
	if c.Peer.IsValid() && s.proto != "udp" {
		s.peer = c.Peer
	}
	if c.Path != "" {
		s.path = c.Path
	}
	if c.TCP != nil && (!b.analysis || demoSortsAtReturn(c.Op) || !s.wire && c.Op != "connect") {
		s.state = demoKernelState(c.TCP.State)
	}
	if c.Op == "listen" && c.Ret == 0 {
		s.listener = true
		if s.proto == "tcp" {
			s.state = "LISTEN"
		}
		s.acceptQ = max(c.RecvQ, 0)
	}
	s.kSendQ, s.kRecvQ = c.SendQ, c.RecvQ
	if c.Ret > 0 {
		switch c.Op {
		case "send", "sendall", "write":
			if s.proto == "tcp" {
				s.sent += uint32(c.Ret)
			}
		case "recv", "read":
			if s.proto == "tcp" {
				s.read += uint32(c.Ret)
				s.arrived = max(s.arrived, s.read)
			}
		}
	}
	if s.proto == "udp" && c.Ret >= 0 && (c.Op == "recvfrom" || c.Op == "recv") && len(s.dgrams) > 0 {
		s.dgrams = s.dgrams[1:] // one call takes one datagram, cut or not
	}
	if c.Op == "close" && c.Ret == 0 {
		s.closed = true
		delete(b.byFD, demoLaneFD{lane, c.FD})
		if s.proto != "tcp" || s.listener || s.state == "" || s.state == "UNCONN" {
			s.gone = true
		}
	}
	b.refresh(s)
	if s.state != before && s.state != "" && !(before == "" && s.state == "UNCONN") {
		return s.state
	}
	return ""
}

// refresh computes what a socket's gauges show: for TCP on the wire, the
// byte-stream model (Send-Q = bytes sent and not yet acknowledged, Recv-Q
// = bytes arrived and not yet read), so the gauges move as calls and ACKs
// happen; for a listener, the backlog and the accept queue; for UDP on the
// wire, the datagrams waiting; otherwise (AF_UNIX, no capture) what the
// kernel said after the latest call.
func (b *demoSockBuilder) refresh(s *demoSockModel) {
	s.sendQ, s.recvQ = s.kSendQ, s.kRecvQ
	switch {
	case s.closed:
		s.sendQ, s.recvQ = -1, -1
	case s.listener && s.proto == "tcp":
		s.recvQ = s.acceptQ
	case s.proto == "tcp" && s.wire:
		s.sendQ = int(s.sent - min(s.acked, s.sent))
		s.recvQ = int(s.arrived - min(s.read, s.arrived))
	case s.proto == "udp" && s.wire:
		n := 0
		for _, d := range s.dgrams {
			n += d
		}
		s.recvQ = n
		if s.sendQ < 0 {
			s.sendQ = 0
		}
	}
}

// tcpPacket applies a TCP segment; it returns the endpoint states it
// changed, as "client FIN_WAIT1".
func (b *demoSockBuilder) tcpPacket(p *decode.Packet, from int, to []int, lanes []string) []string {
	src := netip.AddrPortFrom(p.Src, p.SrcPort)
	dst := netip.AddrPortFrom(p.Dst, p.DstPort)
	ss, ds := b.flow(src, dst), b.flow(dst, src)
	if ds == nil && p.TCPFlags&(decode.TCPSyn|decode.TCPAck) == decode.TCPSyn && len(to) == 1 {
		if b.listenerFor(to[0], p.DstPort) != nil {
			ds = b.open(to[0], 0, "tcp") // the kernel's new connection, not accepted yet
			ds.local, ds.peer = dst, src
		}
	}
	var notes []string
	a := &p.Analysis
	for _, side := range []struct {
		s       *demoSockModel
		changed bool
		state   decode.TCPState
	}{{ss, a.SrcChanged, a.SrcState}, {ds, a.DstChanged, a.DstState}} {
		if side.s == nil {
			continue
		}
		side.s.wire = true
		// A connection the kernel made for a SYN is not the listener:
		// its story starts at SYN_RECV.
		if side.changed && side.state != decode.StateUnknown && !(side.s.fd == 0 && side.state == decode.StateListen) {
			if name := demoRFCState(side.state); name != side.s.state {
				side.s.state = name
				notes = append(notes, lanes[side.s.lane]+" "+name)
			}
		}
	}
	if ds != nil {
		if p.PayloadLen > 0 {
			ds.arrived = max(ds.arrived, p.Rel.Seq+uint32(p.PayloadLen)-1)
		}
		if p.TCPFlags&decode.TCPAck != 0 && p.Rel.Ack > 0 {
			ds.acked = max(ds.acked, min(p.Rel.Ack-1, ds.sent))
		}
		if ds.fd == 0 && !ds.counted && a.DstChanged && a.DstState == decode.StateEstablished {
			if l := b.listenerFor(ds.lane, p.DstPort); l != nil {
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

// udpPacket applies a datagram: it waits in every receiver's queue.
func (b *demoSockBuilder) udpPacket(p *decode.Packet, from int, to []int) {
	if from >= 0 {
		if s := b.udpSock(from, p.SrcPort); s != nil {
			s.wire = true
			b.refresh(s)
		}
	}
	for _, lane := range to {
		if s := b.udpSock(lane, p.DstPort); s != nil {
			s.wire = true
			s.dgrams = append(s.dgrams, p.PayloadLen)
			b.refresh(s)
		}
	}
}

func (b *demoSockBuilder) snapshot() []demoSock {
	out := make([]demoSock, 0, len(b.socks))
	for _, s := range b.socks {
		if s.closed && (s.state == "" || s.state == "UNCONN") {
			s.gone = true // nothing left of it, in the program or the kernel
		}
		if !s.gone {
			out = append(out, s.demoSock)
		}
	}
	return out
}

// demoKernelState is a TCP_INFO state name, already as ss prints it.
func demoKernelState(s string) string { return s }

// demoRFCState names a packet-implied state as ss does.
func demoRFCState(s decode.TCPState) string {
	switch s {
	case decode.StateClosed:
		return "UNCONN"
	case decode.StateListen:
		return "LISTEN"
	case decode.StateSynSent:
		return "SYN-SENT"
	case decode.StateSynReceived:
		return "SYN-RECV"
	case decode.StateEstablished:
		return "ESTAB"
	case decode.StateFinWait1:
		return "FIN-WAIT-1"
	case decode.StateFinWait2:
		return "FIN-WAIT-2"
	case decode.StateClosing:
		return "CLOSING"
	case decode.StateTimeWait:
		return "TIME-WAIT"
	case decode.StateCloseWait:
		return "CLOSE-WAIT"
	case decode.StateLastAck:
		return "LAST-ACK"
	}
	return ""
}

// demoAddrBook maps a packet's addresses to lanes through the calls' local
// addresses, as the text timeline's endpointOf does; a socket bound to the
// wildcard address answers for its port.
type demoAddrBook struct {
	exact    map[netip.AddrPort]int
	wildcard map[string]map[uint16][]int // proto → port → lanes
}

func newDemoAddrBook(calls []sockcall.Call, laneOf map[string]int) *demoAddrBook {
	b := &demoAddrBook{exact: map[netip.AddrPort]int{}, wildcard: map[string]map[uint16][]int{}}
	for i := range calls {
		c := &calls[i]
		if !c.Local.IsValid() || c.Local.Port() == 0 || c.Ret < 0 {
			continue
		}
		lane := laneOf[c.Endpoint]
		if c.Local.Addr().IsUnspecified() {
			m := b.wildcard[c.Proto]
			if m == nil {
				m = map[uint16][]int{}
				b.wildcard[c.Proto] = m
			}
			if !demoContains(m[c.Local.Port()], lane) {
				m[c.Local.Port()] = append(m[c.Local.Port()], lane)
			}
			continue
		}
		if _, ok := b.exact[c.Local]; !ok {
			b.exact[c.Local] = lane
		}
	}
	return b
}

func demoContains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func demoProto(p *decode.Packet) string {
	switch {
	case p.IsTCP():
		return "tcp"
	case p.IsUDP():
		return "udp"
	}
	return ""
}

// isBroadcast: the limited broadcast address or loopback's directed
// broadcast, the ones the demos use.
func demoIsBroadcast(a netip.Addr) bool {
	return a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) || a == netip.AddrFrom4([4]byte{127, 255, 255, 255})
}

// route returns the lanes a packet goes from and to (from is -1 when its
// sender is not a demo endpoint). A broadcast datagram goes to every lane
// with a socket bound to its port; a unicast datagram to a port several
// sockets share goes to the one whose recvfrom took it.
func (b *demoAddrBook) route(p *decode.Packet, links *sockcall.Links, calls []sockcall.Call, laneOf map[string]int) (from int, to []int) {
	proto := demoProto(p)
	src := netip.AddrPortFrom(p.Src, p.SrcPort)
	dst := netip.AddrPortFrom(p.Dst, p.DstPort)
	from = -1
	if l, ok := b.exact[src]; ok {
		from = l
	} else if ls := b.wildcard[proto][p.SrcPort]; len(ls) > 0 {
		from = ls[0]
	}
	if proto == "udp" && demoIsBroadcast(p.Dst) {
		for _, l := range b.wildcard[proto][p.DstPort] {
			if l != from {
				to = append(to, l)
			}
		}
		if l, ok := b.exact[dst]; ok && l != from && !demoContains(to, l) {
			to = append(to, l)
		}
		return from, to
	}
	if l, ok := b.exact[dst]; ok {
		return from, []int{l}
	}
	ls := b.wildcard[proto][p.DstPort]
	if len(ls) == 1 {
		return from, ls
	}
	if len(ls) > 1 {
		for _, n := range links.FrameCalls(p.Number) {
			if n >= 1 && n <= len(calls) {
				c := &calls[n-1]
				if demoSortsAtReturn(c.Op) && c.Number == n {
					return from, []int{laneOf[c.Endpoint]}
				}
			}
		}
		return from, ls[:1]
	}
	return from, nil
}

// demoTCPFlags in the order people say them: SYN/ACK, PSH/ACK, FIN/ACK.
var demoTCPFlags = []struct {
	bit  uint16
	name string
}{
	{decode.TCPFin, "FIN"}, {decode.TCPSyn, "SYN"}, {decode.TCPRst, "RST"}, {decode.TCPPsh, "PSH"},
	{decode.TCPAck, "ACK"}, {decode.TCPUrg, "URG"}, {decode.TCPEce, "ECE"}, {decode.TCPCwr, "CWR"},
}

// demoPacketLabel is an arrow's text: expert flags, TCP flags, relative
// seq/ack, length and the start of the payload.
func demoPacketLabel(p *decode.Packet, preview string) string {
	var b strings.Builder
	if p.Analysis.Flags != 0 {
		q := *p // only the expert markers, not the state changes
		q.Analysis.SrcChanged, q.Analysis.DstChanged = false, false
		b.WriteString(strings.TrimSpace(string(decode.AppendAnalysisMarkers(nil, &q))))
		b.WriteByte(' ')
	}
	switch {
	case p.IsTCP():
		n := 0
		for _, f := range demoTCPFlags {
			if p.TCPFlags&f.bit != 0 {
				if n > 0 {
					b.WriteByte('/')
				}
				b.WriteString(f.name)
				n++
			}
		}
		if n == 0 {
			b.WriteString("<none>")
		}
		b.WriteString(" seq=")
		b.WriteString(strconv.FormatUint(uint64(p.Rel.Seq), 10))
		if p.TCPFlags&decode.TCPAck != 0 {
			b.WriteString(" ack=")
			b.WriteString(strconv.FormatUint(uint64(p.Rel.Ack), 10))
		}
		if p.Analysis.Flags&(decode.ExpertZeroWindow|decode.ExpertWindowUpdate|decode.ExpertWindowFull) != 0 {
			b.WriteString(" win=")
			b.WriteString(strconv.FormatUint(uint64(p.Analysis.WindowSize), 10))
		}
		b.WriteString(" len=")
		b.WriteString(strconv.Itoa(p.PayloadLen))
	case p.IsUDP():
		if demoIsBroadcast(p.Dst) {
			b.WriteString("broadcast ")
		}
		b.WriteString("UDP len=")
		b.WriteString(strconv.Itoa(p.PayloadLen))
	default:
		return string(decode.AppendSummary(nil, p))
	}
	if preview != "" {
		b.WriteByte(' ')
		b.WriteString(preview)
	}
	return b.String()
}

// buildDemoLadder computes the diagram from everything received so far.
func buildDemoLadder(d *demoData, demo *demos.Demo, zh bool) *demoLadder {
	l := &demoLadder{links: sockcall.Correlate(d.calls, d.packets), stepRow: map[int]int{}}
	laneOf := map[string]int{}
	unix := len(d.calls) > 0
	for i := range d.calls {
		c := &d.calls[i]
		if _, ok := laneOf[c.Endpoint]; !ok {
			laneOf[c.Endpoint] = len(l.lanes)
			l.lanes = append(l.lanes, c.Endpoint)
		}
		if c.Proto != "unix" {
			unix = false
		}
	}
	l.noWire = len(d.calls) > 0 && len(d.packets) == 0
	l.unixOnly = unix

	type item struct {
		at    time.Time
		kind  demoRowKind
		index int
	}
	items := make([]item, 0, len(d.steps)+len(d.calls)+len(d.packets))
	for i, s := range d.steps {
		items = append(items, item{s.at, demoRowStep, i})
	}
	for i := range d.calls {
		items = append(items, item{d.calls[i].SortTime(), demoRowCall, i})
	}
	analysis := false
	for i := range d.packets {
		p := &d.packets[i]
		items = append(items, item{time.Unix(p.Sec, p.Nsec), demoRowPacket, i})
		if p.Analysis.SrcState != decode.StateUnknown || p.Analysis.DstState != decode.StateUnknown {
			analysis = true
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if !a.at.Equal(b.at) {
			return a.at.Before(b.at)
		}
		return a.kind < b.kind // a step, then a call, then the packets of the same instant
	})

	book := newDemoAddrBook(d.calls, laneOf)
	sb := &demoSockBuilder{byFD: map[demoLaneFD]*demoSockModel{}, analysis: analysis}
	step := 0
	l.rows = make([]demoRow, 0, len(items))
	for _, it := range items {
		r := demoRow{kind: it.kind, at: it.at, index: it.index, lane: -1}
		switch it.kind {
		case demoRowStep:
			n := d.steps[it.index].n
			step = n
			r.index, r.num = n, n
			if n >= 1 && n <= len(demo.Steps) {
				r.text = demo.Steps[n-1].Title
				if zh && demo.Steps[n-1].TitleZH != "" {
					r.text = demo.Steps[n-1].TitleZH
				}
			}
			l.stepRow[n] = len(l.rows)
		case demoRowCall:
			c := &d.calls[it.index]
			r.num, r.lane = c.Number, laneOf[c.Endpoint]
			r.text = string(sockcall.AppendCallLabel(nil, c))
			r.fail = c.Errno != ""
			if st := sb.call(c, r.lane); st != "" {
				r.note = st
			}
		case demoRowPacket:
			p := &d.packets[it.index]
			r.num = p.Number
			r.lane, r.to = book.route(p, l.links, d.calls, laneOf)
			r.text = demoPacketLabel(p, d.previews[it.index])
			r.expert = p.Analysis.Flags != 0
			r.broadcast = p.IsUDP() && demoIsBroadcast(p.Dst)
			if p.IsTCP() {
				r.control = p.TCPFlags&(decode.TCPSyn|decode.TCPFin|decode.TCPRst) != 0
				r.pureAck = !r.control && p.PayloadLen == 0
				r.note = strings.Join(sb.tcpPacket(p, r.lane, r.to, l.lanes), " · ")
			} else if p.IsUDP() {
				sb.udpPacket(p, r.lane, r.to)
			}
		}
		r.step = step
		r.socks = sb.snapshot()
		l.rows = append(l.rows, r)
	}

	// Call rows by call number, gauge scales, sockets per lane.
	for i := range l.rows {
		r := &l.rows[i]
		if r.kind == demoRowCall {
			l.callRows = append(l.callRows, i)
		}
		perLane := map[int]int{}
		for _, s := range r.socks {
			if s.listener {
				continue // a listener's gauges have their own scale: the backlog
			}
			l.sendScale = max(l.sendScale, s.sendQ)
			l.recvScale = max(l.recvScale, s.recvQ)
			perLane[s.lane]++
		}
		for _, s := range r.socks {
			if s.listener {
				perLane[s.lane]++
			}
		}
		for _, n := range perLane {
			l.maxSocks = max(l.maxSocks, n)
		}
	}
	sort.Slice(l.callRows, func(i, j int) bool { return l.rows[l.callRows[i]].num < l.rows[l.callRows[j]].num })
	l.sendScale, l.recvScale = demoGaugeScale(l.sendScale), demoGaugeScale(l.recvScale)
	return l
}

// demoGaugeScale rounds a gauge's full scale up to a power of two, at least 16
// bytes, so that the bars of one run compare.
func demoGaugeScale(n int) int {
	s := 16
	for s < n {
		s *= 2
	}
	return s
}

// linked returns what the row with this selection is tied to: for a call,
// the packets that carried its bytes (or that it caused), the ACK of its
// last byte, and the calls at the other end; for a packet, its calls.
func (l *demoLadder) linked(kind demoRowKind, num int) (calls, frames map[int]bool) {
	calls, frames = map[int]bool{}, map[int]bool{}
	switch kind {
	case demoRowCall:
		if cl := l.links.Call(num); cl != nil {
			for _, f := range cl.Frames {
				frames[f] = true
			}
			if cl.AckFrame != 0 {
				frames[cl.AckFrame] = true
			}
			for _, n := range cl.Peers {
				calls[n] = true
			}
		}
	case demoRowPacket:
		for _, n := range l.links.FrameCalls(num) {
			calls[n] = true
		}
	}
	return calls, frames
}

// demoSockLabel names a socket in a lane's header: "fd 9 127.0.0.1:7001".
func demoSockLabel(s *demoSock, zh bool) string {
	var b strings.Builder
	if s.fd > 0 {
		b.WriteString("fd ")
		b.WriteString(strconv.Itoa(s.fd))
	} else if zh {
		b.WriteString("(待 accept)")
	} else {
		b.WriteString("(not accepted)")
	}
	switch {
	case s.path != "":
		b.WriteString(" ")
		b.WriteString(filepath.Base(s.path))
	case s.local.IsValid():
		b.WriteString(" ")
		b.WriteString(s.local.String())
	}
	if s.listener && s.state == "" {
		if zh {
			b.WriteString(" 监听中")
		} else {
			b.WriteString(" listening")
		}
	}
	if s.closed {
		if zh {
			b.WriteString(" 已关闭")
		} else {
			b.WriteString(" closed")
		}
	}
	return b.String()
}

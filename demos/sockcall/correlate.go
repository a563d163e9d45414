package sockcall

import (
	"net/netip"
	"slices"
	"sort"

	"github.com/sockscope/sockscope/decode"
)

// Links ties a demo's socket calls to the packets that carried them, both
// ways. It is a lookup, not a guess: TCP is a byte stream numbered from 1
// in each direction (relative sequence numbers), so a send returning n
// covers the next n bytes of its direction, a segment covers [seq,
// seq+len), and a recv returning m consumes the next m bytes; UDP keeps
// datagrams whole, so the k-th sendto from A to B is the k-th datagram
// from A to B on the wire.
type Links struct {
	calls  map[int]*CallLinks // by Call.Number
	frames map[int][]int      // frame number → call numbers
}

// CallLinks are the links of one call.
type CallLinks struct {
	// First and Last are the stream bytes a TCP send or recv covered
	// (relative, 1-based, inclusive); HasBytes says whether it did.
	First, Last uint32
	HasBytes    bool
	// Frames are the packets that carried the call's bytes (data segments,
	// retransmissions included; the datagram of a sendto or recvfrom), or
	// for connect, accept, shutdown and close the packets the call caused:
	// the handshake or the FIN/RST it sent.
	Frames []int
	// AckFrame is the first segment acknowledging the last byte of a send
	// (0 if none was seen).
	AckFrame int
	// Peers are the calls on the other end: for a send, the recvs that read
	// its bytes; for a recv, the sends its bytes came from; for sendto and
	// recvfrom, the matching calls of the datagram.
	Peers []int
}

// Call returns the links of call number n (nil when it has none).
func (l *Links) Call(n int) *CallLinks { return l.calls[n] }

// FrameCalls returns the calls tied to frame n.
func (l *Links) FrameCalls(n int) []int { return l.frames[n] }

func (l *Links) get(n int) *CallLinks {
	c := l.calls[n]
	if c == nil {
		c = &CallLinks{}
		l.calls[n] = c
	}
	return c
}

func (l *Links) tie(call, frame int) {
	c := l.get(call)
	c.Frames = append(c.Frames, frame)
	l.frames[frame] = append(l.frames[frame], call)
}

// flowKey is one direction of a conversation.
type flowKey struct{ src, dst netip.AddrPort }

type sentRange struct {
	call        int
	first, last uint32
}

// Correlate computes the links between calls and packets. Packets must have
// gone through a Decoder (relative sequence numbers); calls are those of
// one demo run. Neither needs to be in time order.
func Correlate(calls []Call, packets []decode.Packet) *Links {
	calls = Normalized(calls)
	l := &Links{calls: make(map[int]*CallLinks), frames: make(map[int][]int)}
	byNumber := make(map[int]*Call, len(calls))
	for i := range calls {
		byNumber[calls[i].Number] = &calls[i]
	}
	ordered := make([]*Call, 0, len(calls))
	for i := range calls {
		ordered = append(ordered, &calls[i])
	}
	sort.SliceStable(ordered, func(i, j int) bool { return ordered[i].Number < ordered[j].Number })

	correlateTCP(l, ordered, packets)
	correlateUDP(l, ordered, packets)
	groupInner(l, ordered)
	return l
}

// groupInner gives a call that made others (a sendall) the links of the
// calls inside it: their bytes, frames and peers, and the ACK of the last.
// Peers only where the inner calls' data goes one way (a sendall's sends,
// a readline's recvs): a name lookup's send and recvfrom have peers of
// both kinds, which one word ("read by", "sent by") cannot name.
func groupInner(l *Links, calls []*Call) {
	op := map[int]string{}
	for _, c := range calls {
		op[c.Number] = c.Op
	}
	for _, c := range calls {
		if len(c.Inner) == 0 {
			continue
		}
		g := l.get(c.Number)
		sends, recvs := false, false
		for _, n := range c.Inner {
			switch op[n] {
			case "send", "sendto", "sendall", "write":
				sends = true
			case "recv", "recvfrom", "read":
				recvs = true
			}
		}
		for _, n := range c.Inner {
			in := l.calls[n]
			if in == nil {
				continue
			}
			if in.HasBytes {
				if !g.HasBytes {
					g.First, g.HasBytes = in.First, true
				}
				g.Last = in.Last
			}
			for _, f := range in.Frames {
				if !slices.Contains(g.Frames, f) {
					g.Frames = append(g.Frames, f)
				}
			}
			if in.AckFrame != 0 {
				g.AckFrame = in.AckFrame
			}
			for _, p := range in.Peers {
				if !slices.Contains(g.Peers, p) && !(sends && recvs) {
					g.Peers = append(g.Peers, p)
				}
			}
		}
		sort.Ints(g.Frames)
		sort.Ints(g.Peers)
	}
}

func correlateTCP(l *Links, calls []*Call, packets []decode.Packet) {
	// Stream byte ranges of each send and recv, per direction.
	sent := map[flowKey][]sentRange{}
	read := map[flowKey][]sentRange{}
	next := map[flowKey]uint32{}
	readNext := map[flowKey]uint32{}
	for _, c := range calls {
		if c.Proto != "tcp" || c.Ret <= 0 || !c.Local.IsValid() || !c.Peer.IsValid() {
			continue
		}
		switch c.Op {
		case "sendall":
			if len(c.Inner) > 0 {
				continue // its send calls carry the bytes
			}
			fallthrough
		case "send", "write":
			k := flowKey{c.Local, c.Peer}
			first := next[k] + 1
			next[k] += uint32(c.Ret)
			sent[k] = append(sent[k], sentRange{c.Number, first, next[k]})
			cl := l.get(c.Number)
			cl.First, cl.Last, cl.HasBytes = first, next[k], true
		case "recv", "read":
			k := flowKey{c.Peer, c.Local} // bytes flowing to this socket
			first := readNext[k] + 1
			readNext[k] += uint32(c.Ret)
			read[k] = append(read[k], sentRange{c.Number, first, readNext[k]})
			cl := l.get(c.Number)
			cl.First, cl.Last, cl.HasBytes = first, readNext[k], true
		}
	}
	// Sends ↔ recvs by overlapping ranges (both lists ascend).
	for k, sends := range sent {
		for _, s := range sends {
			for _, r := range overlapping(read[k], s.first, s.last) {
				l.get(s.call).Peers = append(l.get(s.call).Peers, r.call)
				l.get(r.call).Peers = append(l.get(r.call).Peers, s.call)
			}
		}
	}
	// Segments carrying each send's bytes, and the first ACK of its last
	// byte: ACKs are cumulative, so per direction one index walks the
	// sends as the acknowledged bytes grow.
	acked := map[flowKey]int{}
	for i := range packets {
		p := &packets[i]
		if !p.IsTCP() {
			continue
		}
		k := flowKey{netip.AddrPortFrom(p.Src, p.SrcPort), netip.AddrPortFrom(p.Dst, p.DstPort)}
		if p.PayloadLen > 0 {
			first, last := p.Rel.Seq, p.Rel.Seq+uint32(p.PayloadLen)-1
			for _, s := range overlapping(sent[k], first, last) {
				l.tie(s.call, p.Number)
			}
			for _, r := range overlapping(read[k], first, last) {
				l.tie(r.call, p.Number)
			}
		}
		if p.TCPFlags&decode.TCPAck != 0 {
			back := flowKey{k.dst, k.src}
			sends := sent[back]
			j := acked[back]
			for ; j < len(sends) && p.Rel.Ack > sends[j].last; j++ {
				if c := l.get(sends[j].call); c.AckFrame == 0 {
					c.AckFrame = p.Number
				}
			}
			acked[back] = j
		}
	}
	tieControl(l, calls, packets)
}

// overlapping returns the ranges of rs (ascending, contiguous) that
// overlap bytes first…last.
func overlapping(rs []sentRange, first, last uint32) []sentRange {
	i := sort.Search(len(rs), func(i int) bool { return rs[i].last >= first })
	j := i
	for j < len(rs) && rs[j].first <= last {
		j++
	}
	return rs[i:j]
}

// tieControl links connect and accept to their connection's handshake, and
// shutdown and close to the FIN or RST their side sent.
func tieControl(l *Links, calls []*Call, packets []decode.Packet) {
	type ctl struct{ syn, synack, ack, fin, rst int }
	seen := map[flowKey]*ctl{}
	for i := range packets {
		p := &packets[i]
		if !p.IsTCP() {
			continue
		}
		k := flowKey{netip.AddrPortFrom(p.Src, p.SrcPort), netip.AddrPortFrom(p.Dst, p.DstPort)}
		c := seen[k]
		if c == nil {
			c = &ctl{}
			seen[k] = c
		}
		f := p.TCPFlags
		switch {
		case f&decode.TCPSyn != 0 && f&decode.TCPAck == 0 && c.syn == 0:
			c.syn = p.Number
		case f&decode.TCPSyn != 0 && f&decode.TCPAck != 0 && c.synack == 0:
			c.synack = p.Number
		case f&decode.TCPFin != 0 && c.fin == 0:
			c.fin = p.Number
		case f&decode.TCPRst != 0 && c.rst == 0:
			c.rst = p.Number
		}
		// The handshake's ACK: the client's first pure ACK after the SYN/ACK.
		if back := seen[flowKey{k.dst, k.src}]; back != nil && back.synack != 0 && c.ack == 0 &&
			f == decode.TCPAck && p.PayloadLen == 0 && c.syn != 0 {
			c.ack = p.Number
		}
	}
	// A closed socket has no addresses left to report: take them from the
	// socket's earlier calls.
	type sock struct {
		endpoint string
		fd       int
	}
	known := map[sock]flowKey{}
	finBy := map[flowKey]bool{} // the direction's FIN or RST is tied to a call already
	for _, call := range calls {
		if call.Proto != "tcp" {
			continue
		}
		local, peer := call.Local, call.Peer
		fd := call.FD
		if call.Op == "accept" {
			fd = call.Ret // the new socket's calls use the returned fd
		}
		if local.IsValid() && peer.IsValid() {
			known[sock{call.Endpoint, fd}] = flowKey{local, peer}
		} else if k, ok := known[sock{call.Endpoint, call.FD}]; ok && (call.Op == "close" || call.Op == "shutdown") {
			local, peer = k.src, k.dst
		}
		if call.Op == "connect" && call.Errno != "" && !peer.IsValid() {
			tieRefused(l, call, packets)
			continue
		}
		if !local.IsValid() || !peer.IsValid() {
			continue
		}
		out, in := seen[flowKey{local, peer}], seen[flowKey{peer, local}]
		switch call.Op {
		case "connect", "accept":
			client, server := out, in
			if call.Op == "accept" {
				client, server = in, out
			}
			if client != nil && server != nil {
				for _, n := range []int{client.syn, server.synack, client.ack} {
					if n != 0 {
						l.tie(call.Number, n)
					}
				}
			}
		case "shutdown", "close":
			// The FIN goes with the first of them: a close after
			// shutdown(SHUT_WR) sends nothing more.
			k := flowKey{local, peer}
			if finBy[k] {
				continue
			}
			if out != nil && out.fin != 0 && !(call.Op == "shutdown" && call.Args == "SHUT_RD") {
				l.tie(call.Number, out.fin)
				finBy[k] = true
			} else if out != nil && out.rst != 0 {
				l.tie(call.Number, out.rst)
				finBy[k] = true
			}
		}
	}
}

// tieRefused links a connect that failed — the socket then has no peer to
// report — to its SYN (to the call's peer, sent while the call ran)
// and the RST that answered it.
func tieRefused(l *Links, call *Call, packets []decode.Packet) {
	start := call.StartSec*1e9 + call.StartNsec
	end := call.Sec*1e9 + call.Nsec
	dst, err := netip.ParseAddrPort(call.Args)
	if err != nil {
		return
	}
	for i := range packets {
		p := &packets[i]
		at := p.Sec*1e9 + p.Nsec
		if !p.IsTCP() || p.TCPFlags&decode.TCPSyn == 0 || p.TCPFlags&decode.TCPAck != 0 ||
			netip.AddrPortFrom(p.Dst, p.DstPort) != dst || at < start || at > end {
			continue
		}
		l.tie(call.Number, p.Number)
		src := netip.AddrPortFrom(p.Src, p.SrcPort)
		for j := i + 1; j < len(packets); j++ {
			q := &packets[j]
			if q.IsTCP() && q.TCPFlags&decode.TCPRst != 0 && netip.AddrPortFrom(q.Src, q.SrcPort) == dst && netip.AddrPortFrom(q.Dst, q.DstPort) == src {
				l.tie(call.Number, q.Number)
				break
			}
		}
		return
	}
}

func correlateUDP(l *Links, calls []*Call, packets []decode.Packet) {
	// Datagrams per (source, destination), in wire order.
	type dgram struct{ frame, length int }
	flows := map[flowKey][]dgram{}
	var all []flowKey
	for i := range packets {
		p := &packets[i]
		if !p.IsUDP() || p.MoreFragments() || p.Layers&decode.LayerIPv6Frag != 0 && p.V6FragOffset != 0 {
			continue
		}
		k := flowKey{netip.AddrPortFrom(p.Src, p.SrcPort), netip.AddrPortFrom(p.Dst, p.DstPort)}
		if _, ok := flows[k]; !ok {
			all = append(all, k)
		}
		flows[k] = append(flows[k], dgram{p.Number, p.PayloadLen})
	}
	// The k-th sendto from A to B is the k-th datagram from A to B.
	sentCount := map[flowKey]int{}
	datagramSender := map[int]int{} // frame → sendto call
	for _, c := range calls {
		if c.Proto != "udp" || c.Ret < 0 || (c.Op != "sendto" && c.Op != "send") {
			continue
		}
		// An unbound socket reports 0.0.0.0 as its address; the wire shows
		// the address the kernel chose.
		k := flowKey{c.Local, c.Peer}
		if c.Local.Addr().IsUnspecified() {
			for _, f := range all {
				if f.dst == c.Peer && f.src.Port() == c.Local.Port() {
					k = f
					break
				}
			}
		}
		i := sentCount[k]
		sentCount[k]++
		if i < len(flows[k]) {
			l.tie(c.Number, flows[k][i].frame)
			datagramSender[flows[k][i].frame] = c.Number
		}
	}
	// Each receiving socket reads, in order, the datagrams from its peer
	// that could reach it: to its port, and to its address, a broadcast
	// address or any address when it is bound to the wildcard.
	type reader struct {
		endpoint    string
		fd          int
		local, peer netip.AddrPort
	}
	readCount := map[reader]int{}
	for _, c := range calls {
		if c.Proto != "udp" || c.Ret < 0 || (c.Op != "recvfrom" && c.Op != "recv") {
			continue
		}
		var candidates []dgram
		for _, k := range all {
			if k.src != c.Peer || k.dst.Port() != c.Local.Port() {
				continue
			}
			if !c.Local.Addr().IsUnspecified() && k.dst.Addr() != c.Local.Addr() && !isBroadcast(k.dst.Addr()) {
				continue
			}
			candidates = append(candidates, flows[k]...)
		}
		sort.Slice(candidates, func(i, j int) bool { return candidates[i].frame < candidates[j].frame })
		rk := reader{c.Endpoint, c.FD, c.Local, c.Peer}
		i := readCount[rk]
		readCount[rk]++
		if i >= len(candidates) {
			continue
		}
		frame := candidates[i].frame
		l.tie(c.Number, frame)
		if s, ok := datagramSender[frame]; ok {
			l.get(c.Number).Peers = append(l.get(c.Number).Peers, s)
			l.get(s).Peers = append(l.get(s).Peers, c.Number)
		}
	}
}

// isBroadcast reports whether a is the limited broadcast address or
// loopback's directed broadcast (127.255.255.255), the ones the demos use.
// A directed broadcast on another network cannot be told from unicast
// without its netmask.
func isBroadcast(a netip.Addr) bool {
	return a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) || a == netip.AddrFrom4([4]byte{127, 255, 255, 255})
}

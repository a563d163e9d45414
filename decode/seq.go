package decode

import "net/netip"

// RelSeq holds a TCP segment's relative numbers in the two conventions
// people compare sockscope with.
type RelSeq struct {
	// Stream numbers TCP conversations in order of first appearance, like
	// Wireshark's tcp.stream (a SYN that reuses a 4-tuple with a different
	// initial sequence number starts a new one).
	Stream int
	// Seq, Ack and NextSeq are Wireshark's relative numbers (tcp.seq,
	// tcp.ack, tcp.nxtseq): each direction counts from its initial sequence
	// number, so the SYN is 0 and the first data byte is 1. A conversation
	// first seen mid-stream starts at 1.
	Seq, Ack, NextSeq uint32
	// TDSeq and TDAck are what tcpdump prints (print-tcp.c): absolute on a
	// conversation's first ACK-carrying segment and on every SYN/ACK,
	// relative to those afterwards. TDRelative says which.
	TDSeq, TDAck uint32
	TDRelative   bool
}

// SeqTracker keeps just enough per-connection state to compute RelSeq. Its
// memory grows with the number of TCP connections, not packets.
type SeqTracker struct {
	conns   map[connKey]*seqConn
	streams int
}

type connKey struct{ lo, hi netip.AddrPort }

type seqConn struct {
	stream  int
	base    [2]uint32 // Wireshark: initial sequence number per direction (0: lo→hi)
	baseSet [2]bool
	// tcpdump's th->seq and th->ack: the lo→hi sequence base and the hi→lo one.
	tdSeq, tdAck uint32
	tdSet        bool
}

// NewSeqTracker returns an empty tracker.
func NewSeqTracker() *SeqTracker {
	return &SeqTracker{conns: make(map[connKey]*seqConn)}
}

// Conns is the number of connections tracked.
func (t *SeqTracker) Conns() int { return len(t.conns) }

// Track fills p.Rel from p's addresses, ports, flags and raw numbers.
func (t *SeqTracker) Track(p *Packet) {
	src := netip.AddrPortFrom(p.Src, p.SrcPort)
	dst := netip.AddrPortFrom(p.Dst, p.DstPort)
	key, dir := connKey{src, dst}, 0
	if src.Compare(dst) > 0 {
		key, dir = connKey{dst, src}, 1
	}
	syn, ack := p.TCPFlags&TCPSyn != 0, p.TCPFlags&TCPAck != 0
	c := t.conns[key]
	if c == nil || (syn && !ack && c.baseSet[dir] && c.base[dir] != p.Seq) {
		c = &seqConn{stream: t.streams}
		t.streams++
		t.conns[key] = c
	}
	r := &p.Rel
	r.Stream = c.stream
	if p.MoreFragments() {
		// A first fragment: the segment's length is unknown, so Wireshark
		// leaves it out of sequence analysis and shows raw numbers; so do we.
		r.Seq, r.Ack, r.TDSeq, r.TDAck = p.Seq, p.Ack, p.Seq, p.Ack
		return
	}

	// Wireshark (packet-tcp.c): a direction's base is its SYN's sequence
	// number, else one less than the first sequence number seen, else one
	// less than what the other side first acknowledged.
	if !c.baseSet[dir] {
		c.base[dir], c.baseSet[dir] = p.Seq-1, true
		if syn {
			c.base[dir] = p.Seq
		}
	}
	if ack && !c.baseSet[1-dir] {
		c.base[1-dir], c.baseSet[1-dir] = p.Ack-1, true
	}
	r.Seq = p.Seq - c.base[dir]
	if ack {
		r.Ack = p.Ack - c.base[1-dir]
	}
	r.NextSeq = r.Seq + uint32(p.PayloadLen)
	if p.TCPFlags&(TCPSyn|TCPFin) != 0 { // one sequence number, even with both
		r.NextSeq++
	}

	// tcpdump only relativises segments with ACK set; a SYN/ACK (or the
	// first ACK of a conversation) sets the bases and prints absolute.
	r.TDSeq, r.TDAck = p.Seq, p.Ack
	if !ack {
		return
	}
	if !c.tdSet || syn {
		if dir == 1 {
			c.tdAck, c.tdSeq = p.Seq, p.Ack-1
		} else {
			c.tdSeq, c.tdAck = p.Seq, p.Ack-1
		}
		c.tdSet = true
		return
	}
	r.TDRelative = true
	if dir == 1 {
		r.TDSeq, r.TDAck = p.Seq-c.tdAck, p.Ack-c.tdSeq
	} else {
		r.TDSeq, r.TDAck = p.Seq-c.tdSeq, p.Ack-c.tdAck
	}
}

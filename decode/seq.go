package decode

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

// SeqTracker is the connection tracker's former name: it numbered streams
// and computed RelSeq before it grew expert analysis, endpoint states and
// conversations. Decoder.Seq keeps the name.
type SeqTracker = Tracker

// NewSeqTracker returns an empty tracker (NewTracker).
func NewSeqTracker() *Tracker { return NewTracker() }

// tdRelative fills tcpdump's relative numbers (print-tcp.c): tcpdump only
// relativises segments with ACK set; a SYN/ACK (or the first ACK of a
// conversation) sets the bases and prints absolute. dir is the sender's
// side of the connection key.
func (c *Conn) tdRelative(p *Packet, dir int) {
	r := &p.Rel
	r.TDSeq, r.TDAck = p.Seq, p.Ack
	if p.TCPFlags&TCPAck == 0 {
		return
	}
	if !c.tdSet || p.TCPFlags&TCPSyn != 0 {
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

package decode

// Wireshark's TCP expert analysis (tcp.analysis.*), as TShark 4.0 computes
// it in packet-tcp.c, tcp_analyze_sequence_number (checked against TShark
// 4.0.17 on crafted captures where 3.x and 4.x differ: spurious
// retransmissions before out-of-order, a retransmitted SYN or FIN is not
// out-of-order, one ACKed-unseen flag per loss, the window of a SYN/ACK is
// not scaled for window full), and as the "TCP
// Analysis" section of the Wireshark User's Guide describes it. The checks
// run in Wireshark's order on the raw sequence and acknowledgment numbers
// and the raw (unscaled) window of each segment; the order matters, since
// some checks end the first part early. Each rule is written above its
// check. "Next expected sequence number" is the highest seq+len (+1 for
// SYN/FIN) seen in the segment's direction; 0 means none seen yet, a quirk
// kept on purpose so that the flags agree with Wireshark's.

// Sequence-number comparisons modulo 2^32 (packet-tcp.h: GT_SEQ and friends).
func seqGT(x, y uint32) bool { return int32(y-x) < 0 }
func seqLT(x, y uint32) bool { return int32(x-y) < 0 }
func seqGE(x, y uint32) bool { return int32(y-x) <= 0 }
func seqLE(x, y uint32) bool { return int32(x-y) <= 0 }

// analyze sets p.Analysis.Flags, the duplicate-ACK number and frame and
// the acknowledged frame, and updates both directions' analysis state.
// fwd is the segment's direction, rev the other one; now is its time.
func (c *Conn) analyze(p *Packet, fwd, rev *tcpFlow, now int64) {
	a := &p.Analysis
	seq, ack, window := p.Seq, p.Ack, uint32(p.Window)
	seglen := uint32(p.PayloadLen)
	flags := p.TCPFlags
	sfr := flags&(TCPSyn|TCPFin|TCPRst) != 0
	c.analyzeFwd(p, fwd, rev, seq, ack, window, seglen, sfr)

	// finished_fwd: a new acknowledgment number resets the duplicate-ACK
	// count, and this frame becomes the one later duplicates refer to.
	if ack != fwd.lastAck {
		fwd.lastNonDupAck = int32(p.Number)
		fwd.dupAckNum = 0
	}

	// ACKED UNSEEN SEGMENT (tcp.analysis.ack_lost_segment): the segment
	// acknowledges beyond the highest contiguous sequence number seen in the
	// other direction, so we missed segments going the other way. Checked
	// only once some sequence numbers were seen there. To report one loss
	// once: if that direction has sent beyond the mark since (its next
	// expected sequence number is above it; a plain comparison, as in
	// Wireshark), the mark moves up to it and the flag is set; else the
	// flag is set only if that direction's ACK changed since the last
	// report (its duplicate-ACK count is then set to -1), so a run of pure
	// ACKs over one hole is flagged once. (TShark 4.0.17's behaviour, checked
	// on crafted captures and the corpus.)
	if rev.maxSeqToBeAcked != 0 && seqGT(ack, rev.maxSeqToBeAcked) && flags&TCPAck != 0 {
		if rev.maxSeqToBeAcked < rev.nextSeq {
			rev.maxSeqToBeAcked = rev.nextSeq
			a.Flags |= ExpertAckLostSegment
		} else {
			if rev.dupAckNum == 0 {
				a.Flags |= ExpertAckLostSegment
			}
			rev.dupAckNum = -1
		}
	}

	// RETRANSMISSION / FAST RETRANSMISSION / SPURIOUS / OUT-OF-ORDER: a
	// segment with data, SYN or FIN that does not advance the sequence
	// number is one of these, once the next expected sequence number is
	// known. A keep-alive is none of them.
	if seglen > 0 || flags&(TCPSyn|TCPFin) != 0 {
		c.analyzeRetransmission(p, fwd, rev, seq, seglen, now)
	}

	// The segment joins the unacknowledged list of its direction (if it
	// carries data, SYN or FIN and the list is not full); a SYN or FIN
	// counts one sequence number only then, as in Wireshark.
	nextSeq := seq + seglen
	if (seglen > 0 || flags&(TCPSyn|TCPFin) != 0) && len(fwd.unacked) < maxUnacked {
		if flags&(TCPSyn|TCPFin) != 0 {
			nextSeq++
		}
		if n := len(fwd.unacked); n > 0 && seqLT(nextSeq, fwd.unacked[n-1].nextSeq) {
			fwd.sorted = false
		}
		fwd.unacked = append(fwd.unacked, unackedSeg{frame: uint32(p.Number), nextSeq: nextSeq})
	}

	// The highest next sequence number seen so far, to notice holes; a
	// zero window probe does not advance it.
	zwp := a.Flags&ExpertZeroWindowProbe != 0
	if (seqGT(nextSeq, fwd.nextSeq) || fwd.nextSeq == 0) && !zwp {
		fwd.nextSeq = nextSeq
		fwd.nextSeqTime = now
	}
	// The highest contiguous next sequence number, for ACKed unseen segment.
	if (seq == fwd.maxSeqToBeAcked || fwd.maxSeqToBeAcked == 0) && !zwp {
		fwd.maxSeqToBeAcked = fwd.nextSeq
	}

	// Remember the window and ACK for window updates, duplicate ACKs and
	// fast retransmissions, and this segment's flags (keep-alive ACK and
	// zero window probe ACK look at the other direction's last segment).
	fwd.window = window
	fwd.windowFromSYN = flags&TCPSyn != 0
	fwd.lastAck = ack
	fwd.lastAckTime = now
	fwd.lastFlags = a.Flags

	// tcp.analysis.acks_frame: the oldest unacknowledged segment of the
	// other direction whose next sequence number this ACK equals. Every
	// segment it reaches or passes leaves the list. (Wireshark does this
	// whether or not the ACK flag is set, with whatever the field holds.)
	c.ackSegments(a, rev, ack)
}

// analyzeFwd is the first part of Wireshark's analysis, up to the
// finished_fwd label: window and keep-alive checks and duplicate ACKs.
func (c *Conn) analyzeFwd(p *Packet, fwd, rev *tcpFlow, seq, ack, window, seglen uint32, sfr bool) {
	a := &p.Analysis
	flags := p.TCPFlags

	// ZERO WINDOW PROBE (tcp.analysis.zero_window_probe): exactly one byte,
	// at the next expected sequence number, while the other side's window
	// is zero.
	if seglen == 1 && seq == fwd.nextSeq && rev.window == 0 {
		a.Flags |= ExpertZeroWindowProbe
		return
	}

	// ZERO WINDOW (tcp.analysis.zero_window): the window is zero and none of
	// SYN, FIN, RST is set.
	if window == 0 && !sfr {
		a.Flags |= ExpertZeroWindow
	}

	// PREVIOUS SEGMENT NOT CAPTURED (tcp.analysis.lost_segment): the segment
	// starts beyond the next expected sequence number, so some earlier
	// segment was missed. Only once segments were seen; never for RST.
	if fwd.nextSeq != 0 && seqGT(seq, fwd.nextSeq) && flags&TCPRst == 0 {
		a.Flags |= ExpertLostSegment
	}

	// KEEP-ALIVE (tcp.analysis.keep_alive): zero or one byte starting one
	// before the next expected sequence number; SYN, FIN and RST segments
	// are never keep-alives.
	if seglen <= 1 && seq == fwd.nextSeq-1 && !sfr {
		a.Flags |= ExpertKeepAlive
	}

	// WINDOW UPDATE (tcp.analysis.window_update): no data, a non-zero window
	// that differs from the last one this side advertised, and the same
	// next expected sequence number and ACK as before; not SYN/FIN/RST.
	if seglen == 0 && window != 0 && window != fwd.window && seq == fwd.nextSeq &&
		ack == fwd.lastAck && !sfr {
		a.Flags |= ExpertWindowUpdate
	}

	// WINDOW FULL (tcp.analysis.window_full): once the other side's window
	// scaling is known (signalled or known absent), a data segment that
	// reaches exactly the right edge of the window the other side last
	// advertised (its last ACK plus its window, scaled unless it came in a
	// SYN: is_first_ack); not SYN/FIN/RST.
	if seglen > 0 && rev.winScale != -1 && !sfr {
		shift := uint(0)
		if rev.winScale >= 0 && !rev.windowFromSYN {
			shift = uint(rev.winScale)
		}
		if seq+seglen == rev.lastAck+(rev.window<<shift) {
			a.Flags |= ExpertWindowFull
		}
	}

	// KEEP-ALIVE ACK (tcp.analysis.keep_alive_ack): no data, the same
	// non-zero window, next expected sequence number and ACK as this side's
	// last segment, and the other side's last segment was a keep-alive.
	if seglen == 0 && window != 0 && window == fwd.window && seq == fwd.nextSeq &&
		ack == fwd.lastAck && rev.lastFlags&ExpertKeepAlive != 0 && !sfr {
		a.Flags |= ExpertKeepAliveAck
		return
	}

	// ZERO WINDOW PROBE ACK (tcp.analysis.zero_window_probe_ack): no data,
	// the window still zero, the same next expected sequence number and ACK,
	// and the other side's last segment was a zero window probe.
	if seglen == 0 && window == 0 && window == fwd.window && seq == fwd.nextSeq &&
		ack == fwd.lastAck && rev.lastFlags&ExpertZeroWindowProbe != 0 && !sfr {
		a.Flags |= ExpertZeroWindowProbeAck
		return
	}

	// DUPLICATE ACK (tcp.analysis.duplicate_ack, _num, _frame): no data,
	// the same non-zero window, next expected sequence number and ACK as
	// this side's last segment; not SYN/FIN/RST. Number n of the frame that
	// last changed the ACK. (A count of -1, left by an ACKed unseen segment
	// in the other direction, restarts at 1.)
	if seglen == 0 && window != 0 && window == fwd.window && seq == fwd.nextSeq &&
		ack == fwd.lastAck && !sfr {
		if fwd.dupAckNum < 0 {
			fwd.dupAckNum = 0
		}
		fwd.dupAckNum++
		a.Flags |= ExpertDuplicateAck
		a.DupAckNum = int(fwd.dupAckNum)
		a.DupAckFrame = int(fwd.lastNonDupAck)
	}
}

// analyzeRetransmission classifies a segment with data, SYN or FIN.
func (c *Conn) analyzeRetransmission(p *Packet, fwd, rev *tcpFlow, seq, seglen uint32, now int64) {
	a := &p.Analysis
	if a.Flags&ExpertKeepAlive != 0 {
		return
	}
	seqNotAdvanced := fwd.nextSeq != 0 && seqLT(seq, fwd.nextSeq)
	// Not a retransmission if the segment brings more than one new byte and
	// starts one before the next expected sequence number (the byte before
	// was a zero window probe); spurious retransmissions are still checked.
	if seglen > 1 && fwd.nextSeq-1 == seq {
		seqNotAdvanced = false
	}

	// SPURIOUS RETRANSMISSION (tcp.analysis.spurious_retransmission): data
	// that the other side has already acknowledged (seq+len at or before
	// its last ACK). Checked first since Wireshark 4.0.
	if seglen > 0 && rev.lastAck != 0 && seqLE(seq+seglen, rev.lastAck) {
		a.Flags |= ExpertSpuriousRetransmission
		return
	}

	// FAST RETRANSMISSION (tcp.analysis.fast_retransmission): not advancing,
	// at least two duplicate ACKs came the other way, their ACK is this
	// segment's sequence number, and less than 20 ms passed since the last
	// of them. (Checked before out-of-order: Wireshark's default
	// tcp.fastrt_supersedes_ooo preference.)
	if seqNotAdvanced && rev.dupAckNum >= 2 && rev.lastAck == seq &&
		uint64(now-rev.lastAckTime) < 20_000_000 {
		a.Flags |= ExpertFastRetransmission
		return
	}

	// OUT-OF-ORDER (tcp.analysis.out_of_order): not advancing, within the
	// connection's first RTT (3 ms when unknown) of the segment that set the
	// highest sequence number, and not ending (SYN and FIN counted) where
	// that one ended.
	threshold := uint64(3_000_000)
	if c.firstRTT != 0 {
		threshold = uint64(c.firstRTT)
	}
	end := seq + seglen
	if p.TCPFlags&(TCPSyn|TCPFin) != 0 {
		end++
	}
	if seqNotAdvanced && uint64(now-fwd.nextSeqTime) < threshold && fwd.nextSeq != end {
		a.Flags |= ExpertOutOfOrder
		return
	}

	// RETRANSMISSION (tcp.analysis.retransmission): any other segment that
	// does not advance the sequence number.
	if seqNotAdvanced {
		a.Flags |= ExpertRetransmission
	}
}

// ackSegments removes from rev's unacknowledged list what ack reaches and
// sets AcksFrame to the oldest segment whose end it equals.
func (c *Conn) ackSegments(a *TCPAnalysis, rev *tcpFlow, ack uint32) {
	segs := rev.unacked
	if len(segs) == 0 {
		return
	}
	if rev.sorted {
		// Ascending ends: what the ACK reaches is a prefix.
		n := 0
		for n < len(segs) && seqLE(segs[n].nextSeq, ack) {
			if a.AcksFrame == 0 && segs[n].nextSeq == ack {
				a.AcksFrame = int(segs[n].frame)
			}
			n++
		}
		if n > 0 {
			rev.unacked = segs[:copy(segs, segs[n:])]
		}
	} else {
		kept := segs[:0]
		for _, s := range segs {
			switch {
			case s.nextSeq == ack:
				if a.AcksFrame == 0 {
					a.AcksFrame = int(s.frame)
				}
			case seqGT(s.nextSeq, ack):
				kept = append(kept, s)
			}
		}
		rev.unacked = kept
	}
	if len(rev.unacked) == 0 {
		rev.sorted = true
	}
}

// IsRetransmission reports whether Wireshark shows tcp.analysis.retransmission
// for the segment: every kind of retransmission carries it.
func (a *TCPAnalysis) IsRetransmission() bool {
	return a.Flags&(ExpertRetransmission|ExpertFastRetransmission|ExpertSpuriousRetransmission) != 0
}

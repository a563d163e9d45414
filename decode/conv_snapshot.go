package decode

// ConvSnapshot is a tracker's conversation list as it stood when Snapshot
// was called, readable from any goroutine while the tracker goes on
// tracking: what the inspector's conversations pane shows during a
// capture. The retired flows' rows are shared with the tracker, which
// never writes again where it has written a row, and so is the part of
// the row index before the oldest live flow; a snapshot costs rows for
// the flows then live (at most MaxFlows) and the rest of the index, not a
// copy of every conversation: with a million flows, 3 MiB instead of the
// 143 MiB of a million decoded summaries.
type ConvSnapshot struct {
	tcpN, udpN       int
	rows             rowSlab // the tracker's chunks, capped, then the live flows' rows
	tcpRows, udpRows rowIndex
}

// Snapshot returns the conversations as they are now: the same list, in
// the same order, as ConversationAt. It must be called from the goroutine
// that calls Track.
func (t *Tracker) Snapshot() *ConvSnapshot {
	s := &ConvSnapshot{tcpN: t.tcp.n, udpN: t.udps.n}
	s.rows.chunks = make([][]byte, len(t.rows.chunks))
	for i, c := range t.rows.chunks {
		// Capped: the snapshot's own rows go to chunks of its own.
		s.rows.chunks[i] = c[:len(c):len(c)]
	}
	s.tcpRows, s.udpRows = t.tcpRows.clone(t.tcp.base), t.udpRows.clone(t.udps.base)
	var sc retireScratch
	for c := t.tcpLRU.head; c != nil; c = c.lru.next {
		ia := int(max(c.life.a, 0))
		c.fill(&sc.conv, sc.hist[0][:c.life.nhist[ia]], sc.hist[1][:c.life.nhist[1-ia]], sc.events[:0])
		s.tcpRows.set(int(c.stream), s.rows.add(&sc.conv))
	}
	for u := t.udpLRU.head; u != nil; u = u.lru.next {
		v := u.conversation()
		s.udpRows.set(u.id, s.rows.add(&v))
	}
	return s
}

// NumConversations is the number of conversations ConversationAt indexes.
func (s *ConvSnapshot) NumConversations() int { return s.tcpN + s.udpN }

// ConversationAt returns conversation i: TCP connections by tcp.stream,
// then UDP conversations by udp.stream; false past the end or for a flow
// retired without a summary.
func (s *ConvSnapshot) ConversationAt(i int) (Conversation, bool) {
	rows, id := &s.tcpRows, i
	if i >= s.tcpN {
		rows, id = &s.udpRows, i-s.tcpN
	}
	if i < 0 || i >= s.tcpN+s.udpN {
		return Conversation{}, false
	}
	pos, ok := rows.get(id)
	if !ok {
		return Conversation{}, false
	}
	return s.rows.get(pos), true
}

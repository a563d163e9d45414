package store

import (
	"net/netip"
	"runtime/debug"
	"time"

	"github.com/sockscope/sockscope/decode"
)

// ConvRow is one line of the conversations pane: a Conversation without
// its history and events.
type ConvRow struct {
	Proto                 uint8
	ID                    int
	A, B                  netip.AddrPort
	State                 string
	ClientServer          bool
	Handshake             decode.HandshakeKind
	Teardown              decode.TeardownKind
	ClosedBy              decode.Role
	PktsAB, PktsBA        uint64
	BytesAB, BytesBA      uint64
	StartNS               int64
	Dur                   time.Duration
	FirstFrame, LastFrame int
	Retrans               int
}

// ConvList is the conversations pane's list: while the source runs, a
// snapshot of the tracker (decode.ConvSnapshot: it shares the retired
// flows' rows with the tracker), and at the end of a file the frozen
// tracker itself. Either keeps compact summaries (about 65 bytes a
// conversation) that are made into rows only as they are drawn — a
// million one-SYN flows would otherwise take 150 bytes each as ConvRows,
// twice over while a new snapshot replaces the old.
type ConvList struct {
	snap *decode.ConvSnapshot
	tr   *decode.Tracker // frozen
}

// Len is the number of conversations.
func (l ConvList) Len() int {
	switch {
	case l.tr != nil:
		return l.tr.NumConversations()
	case l.snap != nil:
		return l.snap.NumConversations()
	}
	return 0
}

// At is conversation i's row, made as it is asked for.
func (l ConvList) At(i int) ConvRow {
	var c decode.Conversation
	switch {
	case l.tr != nil:
		c, _ = l.tr.ConversationAt(i)
	case l.snap != nil:
		c, _ = l.snap.ConversationAt(i)
	}
	return convRowOf(&c)
}

func convRowOf(c *decode.Conversation) ConvRow {
	return ConvRow{
		Proto: c.Proto, ID: c.ID, A: c.A, B: c.B, State: c.State(), ClientServer: c.ClientServer,
		Handshake: c.Handshake, Teardown: c.Teardown, ClosedBy: c.ClosedBy,
		PktsAB: c.PacketsAB, PktsBA: c.PacketsBA, BytesAB: c.BytesAB, BytesBA: c.BytesBA,
		StartNS: c.StartSec*1e9 + c.StartNsec, Dur: c.Duration,
		FirstFrame: c.FirstFrame, LastFrame: c.LastFrame, Retrans: c.Retransmissions,
	}
}

// SetConvs publishes the tracker's conversations: a snapshot while the
// source runs (the tracker goes on), or, once the source has finished
// (Finish was called), the tracker itself, frozen (setFinalConvs).
func (s *Store) SetConvs(tr *decode.Tracker) {
	s.mu.RLock()
	done := s.done
	s.mu.RUnlock()
	if done {
		s.setFinalConvs(tr)
		return
	}
	snap := tr.Snapshot()
	s.mu.Lock()
	s.convs, s.convsAt = ConvList{snap: snap}, time.Now()
	s.retired = tr.Retired().Total()
	s.notify()
	s.mu.Unlock()
}

// setFinalConvs freezes the tracker of a finished source and publishes it
// as the conversation list, then returns the memory the tracker's live
// state took to the system: after a one-off pass over a file, Go's heap
// would otherwise keep its high-water mark resident.
func (s *Store) setFinalConvs(tr *decode.Tracker) {
	retired := tr.Retired().Total()
	tr.Freeze()
	s.mu.Lock()
	s.convs, s.convsAt = ConvList{tr: tr}, time.Now()
	s.retired = retired
	s.notify()
	s.mu.Unlock()
	debug.FreeOSMemory()
}

package store

import (
	"time"

	"github.com/sockscope/sockscope/decode"
)

// Status is what the status bar shows of a store, read at one instant.
type Status struct {
	First, End uint64 // the packets held, [First, End)
	Source     string // what the status bar calls the source
	Live       bool
	Done       bool  // the source has ended
	Err        error // why, if not the clean end of a file
	Note       string
	Progress   int // percent of the file indexed; -1 when not known or done
	Convs      int // conversations in the list last published
	ConvsAt    time.Time
	Retired    uint64 // flows the tracker retired
}

// Status returns the store's state.
func (s *Store) Status() Status {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := Status{
		First: s.first, End: s.end,
		Source: s.source, Live: s.live, Done: s.done, Err: s.err, Note: s.note,
		Progress: -1,
		Convs:    s.convs.Len(), ConvsAt: s.convsAt, Retired: s.retired,
	}
	if s.size > 0 && !s.done {
		st.Progress = int(s.read * 100 / s.size)
	}
	return st
}

// Err is why the source ended, if not the clean end of a file.
func (s *Store) Err() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.err
}

// SetSource sets what the status bar calls the source.
func (s *Store) SetSource(name string) {
	s.mu.Lock()
	s.source = name
	s.mu.Unlock()
}

// SetNote sets the status bar's note on the source.
func (s *Store) SetNote(note string) {
	s.mu.Lock()
	s.note = note
	s.mu.Unlock()
}

// SetFlowLimits sets the tracker limits the sources give their tracker
// (nil: the defaults); call it before the source starts.
func (s *Store) SetFlowLimits(l *decode.Limits) {
	s.mu.Lock()
	s.flows = l
	s.mu.Unlock()
}

// T0 is the capture time of the first packet with one, ns.
func (s *Store) T0() (int64, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.t0, s.haveT0
}

// WantConvs says whether a view shows the conversation list: while it
// does, the source publishes snapshots of the tracker (SetConvs) about
// once a second.
func (s *Store) WantConvs(on bool) { s.convWanted.Store(on) }

// Convs returns the conversation list last published and T0.
func (s *Store) Convs() (ConvList, int64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.convs, s.t0
}

// NumExceptions is the number of records with an exception held.
func (s *Store) NumExceptions() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.exc)
}

// ConvPackets returns the abs of the packets held of conversation ref.
func (s *Store) ConvPackets(ref decode.ConvRef) []uint64 {
	kind := uint8(recTCP)
	if ref.Proto == "udp" {
		kind = recUDP
	}
	stream := uint32(ref.Stream)
	return s.Select(0, func(r *Record) bool { return r.kind&kind != 0 && r.stream == stream }, 0)
}

// Live reports whether the store holds a live capture (fixed when made).
func (s *Store) Live() bool { return s.live }

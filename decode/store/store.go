package store

import (
	"context"
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
)

// Store is what the inspector's views read: one Record per packet
// (record.go) and a way to get each packet's frame again — by
// its offset in an uncompressed capture file (the file index), or from a
// frameArena in memory (live captures, compressed files, stdin), bounded
// by a packet count and a byte budget with the oldest packets evicted
// first.
//
// Packets are numbered by their absolute index (abs, from 0) in everything
// the source produced; first and end bound those still held, so a view's
// rows survive eviction. One goroutine appends (the source); any goroutine
// reads, under mu.
type Store struct {
	mu     sync.RWMutex
	recs   [][]Record // chunks of storeChunk records; recs[0] holds abs chunk0*storeChunk…
	chunk0 uint64
	first  uint64 // oldest packet held
	end    uint64 // one past the newest
	exc    []exception
	arena  *frameArena            // memory store; nil for a file index
	file   *capture.IndexedReader // file index
	path   string                 // the file, for sequential scans

	maxPackets uint64 // 0: no bound
	maxBytes   int64  // arena bytes; 0: no bound

	source   string // what the status bar calls the source
	live     bool
	t0       int64 // capture time of the first packet, ns
	haveT0   bool
	done     bool  // the source has ended
	err      error // why, if not the clean end of a file
	read     int64 // bytes of the file indexed
	size     int64 // the file's size, -1 if not known
	note     string
	stats    capture.LiveStats
	hasStats bool

	convs      ConvList
	convsAt    time.Time
	convWanted atomic.Bool
	retired    uint64         // flows the tracker retired (decode.Limits)
	flows      *decode.Limits // the source's tracker limits; nil: the defaults

	subs []chan struct{}
}

const storeChunk = 1 << 16

// Defaults for the memory store's bounds.
const (
	DefaultMaxPackets = 1_000_000
	DefaultMaxBytes   = 1 << 30
)

// NewFile returns a store indexing the uncompressed file ir reads (at path).
func NewFile(ir *capture.IndexedReader, path string) *Store {
	return &Store{file: ir, path: path, source: ir.Name(), size: ir.Size()}
}

// NewMem returns a store keeping frames in memory, at most maxPackets
// packets and maxBytes bytes of frames (0: no bound), oldest evicted first.
func NewMem(source string, live bool, maxPackets uint64, maxBytes int64) *Store {
	return &Store{arena: &frameArena{}, source: source, live: live, maxPackets: maxPackets, maxBytes: maxBytes, size: -1}
}

// rec returns the record of abs; the caller holds mu and checks bounds.
func (s *Store) rec(abs uint64) *Record {
	c := abs/storeChunk - s.chunk0
	return &s.recs[c][abs%storeChunk]
}

// excOf returns abs's exception; the caller holds mu.
func (s *Store) excOf(abs uint64) *exception {
	i := sort.Search(len(s.exc), func(i int) bool { return s.exc[i].abs >= abs })
	if i < len(s.exc) && s.exc[i].abs == abs {
		return &s.exc[i]
	}
	return nil
}

// Subscribe returns a channel that receives a value (without blocking
// the store) whenever packets are added or the source ends.
func (s *Store) Subscribe() chan struct{} {
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	s.subs = append(s.subs, ch)
	s.mu.Unlock()
	return ch
}

// SubscribeTemp is Subscribe for a job: unsubscribe when it ends.
func (s *Store) SubscribeTemp() (chan struct{}, func()) {
	ch := s.Subscribe()
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, c := range s.subs {
			if c == ch {
				s.subs = append(s.subs[:i], s.subs[i+1:]...)
				break
			}
		}
	}
}

func (s *Store) notify() {
	for _, ch := range s.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// addLocked appends one record (frame bytes already placed); mu held.
func (s *Store) addLocked(r Record, exc *exception) {
	abs := s.end
	if abs%storeChunk == 0 {
		size := storeChunk
		if len(s.recs) == 0 {
			size = 1024 // small captures stay small; the first chunk grows
		}
		s.recs = append(s.recs, make([]Record, 0, size))
	}
	last := &s.recs[len(s.recs)-1]
	if len(*last) == cap(*last) {
		// The first chunk grows fourfold, not by append's 1.25: growing
		// to a full chunk that way would leave 15 MiB of copies behind.
		*last = append(make([]Record, 0, min(4*cap(*last), storeChunk)), *last...)
	}
	*last = append(*last, r)
	if exc != nil {
		exc.abs = abs
		s.exc = append(s.exc, *exc)
	}
	if !s.haveT0 && r.kind&recNoTime == 0 {
		s.t0, s.haveT0 = r.ns, true
	}
	s.end++
	if s.maxPackets > 0 && s.end-s.first > s.maxPackets {
		s.evictLocked(s.end - s.maxPackets)
	}
	if s.arena != nil && s.maxBytes > 0 {
		for s.arena.held > s.maxBytes && s.end-s.first > 1 {
			pos, ok := s.arena.secondChunk()
			if !ok {
				break
			}
			// Evict every packet in the oldest chunk.
			to := s.first
			for to < s.end-1 && s.rec(to).off < pos {
				to++
			}
			s.evictLocked(to)
		}
	}
}

// evictLocked drops the packets before abs to; mu held.
func (s *Store) evictLocked(to uint64) {
	if to <= s.first {
		return
	}
	s.first = to
	for (s.chunk0+1)*storeChunk <= s.first {
		s.recs[0] = nil
		s.recs = s.recs[1:]
		s.chunk0++
	}
	k := sort.Search(len(s.exc), func(i int) bool { return s.exc[i].abs >= to })
	if k > 0 {
		s.exc = append(s.exc[:0:0], s.exc[k:]...)
	}
	if s.arena != nil && s.first < s.end {
		s.arena.dropBefore(s.rec(s.first).off)
	}
}

// AddFrame appends a packet whose frame goes into the arena.
func (s *Store) AddFrame(f *capture.Frame, p *decode.Packet) {
	r, exc, has := packRecord(p, 0)
	s.mu.Lock()
	r.off = s.arena.add(f, r.ns)
	if has {
		s.addLocked(r, &exc)
	} else {
		s.addLocked(r, nil)
	}
	s.notify()
	s.mu.Unlock()
}

// addBatch appends records of a file index with, in order, the
// exceptions of those that have recExc; read is how far the file has been
// read.
func (s *Store) addBatch(recs []Record, excs []exception, read int64) {
	s.mu.Lock()
	for i := range recs {
		if recs[i].kind&recExc != 0 {
			s.addLocked(recs[i], &excs[0])
			excs = excs[1:]
		} else {
			s.addLocked(recs[i], nil)
		}
	}
	s.read = read
	s.notify()
	s.mu.Unlock()
}

// setRetired records how many flows the tracker has retired so far.
func (s *Store) setRetired(n uint64) {
	s.mu.Lock()
	s.retired = n
	s.mu.Unlock()
}

// Finish records that the source has ended, with its error.
func (s *Store) Finish(err error) {
	s.mu.Lock()
	s.done = true
	if err != nil && !errors.Is(err, context.Canceled) {
		s.err = err
	}
	s.read = s.size
	s.notify()
	s.mu.Unlock()
}

// Bounds returns the packets held, [first, end).
func (s *Store) Bounds() (first, end uint64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.first, s.end
}

// Record returns a copy of abs's record.
func (s *Store) Record(abs uint64) (Record, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if abs < s.first || abs >= s.end {
		return Record{}, false
	}
	return *s.rec(abs), true
}

// Find returns the abs of the packet numbered n, if held. Numbers grow
// with abs, so this is a binary search.
func (s *Store) Find(n int) (uint64, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	lo, hi := s.first, s.end
	for lo < hi {
		m := lo + (hi-lo)/2
		if int(s.rec(m).number) < n {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < s.end && int(s.rec(lo).number) == n {
		return lo, true
	}
	return 0, false
}

// Select returns the abs of the records in [from, end) that match, at
// most max of them (0: no limit).
func (s *Store) Select(from uint64, match func(*Record) bool, max int) []uint64 {
	var out []uint64
	s.mu.RLock()
	defer s.mu.RUnlock()
	for abs := max64(from, s.first); abs < s.end; abs++ {
		if match(s.rec(abs)) {
			out = append(out, abs)
			if max > 0 && len(out) >= max {
				break
			}
		}
	}
	return out
}

func max64(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

package ui

import (
	"context"
	"errors"
	"io"
	"net/netip"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
)

// pktStore is what the inspector's views read: one pktRecord per packet
// (inspector_record.go) and a way to get each packet's frame again — by
// its offset in an uncompressed capture file (the file index), or from a
// frameArena in memory (live captures, compressed files, stdin), bounded
// by a packet count and a byte budget with the oldest packets evicted
// first.
//
// Packets are numbered by their absolute index (abs, from 0) in everything
// the source produced; first and end bound those still held, so a view's
// rows survive eviction. One goroutine appends (the source); any goroutine
// reads, under mu.
type pktStore struct {
	mu     sync.RWMutex
	recs   [][]pktRecord // chunks of storeChunk records; recs[0] holds abs chunk0*storeChunk…
	chunk0 uint64
	first  uint64 // oldest packet held
	end    uint64 // one past the newest
	exc    []pktException
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

	convs      convList
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

// convRow is one line of the conversations pane: a Conversation without
// its history and events.
type convRow struct {
	proto                 uint8
	id                    int
	a, b                  netip.AddrPort
	state                 string
	clientServer          bool
	handshake             decode.HandshakeKind
	teardown              decode.TeardownKind
	closedBy              decode.Role
	pktsAB, pktsBA        uint64
	bytesAB, bytesBA      uint64
	startNS               int64
	dur                   time.Duration
	firstFrame, lastFrame int
	retrans               int
}

func newFileStore(ir *capture.IndexedReader, path string) *pktStore {
	return &pktStore{file: ir, path: path, source: ir.Name(), size: ir.Size()}
}

func newMemStore(source string, live bool, maxPackets uint64, maxBytes int64) *pktStore {
	return &pktStore{arena: &frameArena{}, source: source, live: live, maxPackets: maxPackets, maxBytes: maxBytes, size: -1}
}

// rec returns the record of abs; the caller holds mu and checks bounds.
func (s *pktStore) rec(abs uint64) *pktRecord {
	c := abs/storeChunk - s.chunk0
	return &s.recs[c][abs%storeChunk]
}

// excOf returns abs's exception; the caller holds mu.
func (s *pktStore) excOf(abs uint64) *pktException {
	i := sort.Search(len(s.exc), func(i int) bool { return s.exc[i].abs >= abs })
	if i < len(s.exc) && s.exc[i].abs == abs {
		return &s.exc[i]
	}
	return nil
}

// subscribe returns a channel that receives a value (without blocking
// the store) whenever packets are added or the source ends.
func (s *pktStore) subscribe() chan struct{} {
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	s.subs = append(s.subs, ch)
	s.mu.Unlock()
	return ch
}

// subscribeTemp is subscribe for a job: unsubscribe when it ends.
func (s *pktStore) subscribeTemp() (chan struct{}, func()) {
	ch := s.subscribe()
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

func (s *pktStore) notify() {
	for _, ch := range s.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// addLocked appends one record (frame bytes already placed); mu held.
func (s *pktStore) addLocked(r pktRecord, exc *pktException) {
	abs := s.end
	if abs%storeChunk == 0 {
		size := storeChunk
		if len(s.recs) == 0 {
			size = 1024 // small captures stay small; the first chunk grows
		}
		s.recs = append(s.recs, make([]pktRecord, 0, size))
	}
	last := &s.recs[len(s.recs)-1]
	if len(*last) == cap(*last) {
		// The first chunk grows fourfold, not by append's 1.25: growing
		// to a full chunk that way would leave 15 MiB of copies behind.
		*last = append(make([]pktRecord, 0, min(4*cap(*last), storeChunk)), *last...)
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
func (s *pktStore) evictLocked(to uint64) {
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

// addFrame appends a packet whose frame goes into the arena.
func (s *pktStore) addFrame(f *capture.Frame, p *decode.Packet) {
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
func (s *pktStore) addBatch(recs []pktRecord, excs []pktException, read int64) {
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
func (s *pktStore) setRetired(n uint64) {
	s.mu.Lock()
	s.retired = n
	s.mu.Unlock()
}

// finish records that the source has ended, with its error.
func (s *pktStore) finish(err error) {
	s.mu.Lock()
	s.done = true
	if err != nil && !errors.Is(err, context.Canceled) {
		s.err = err
	}
	s.read = s.size
	s.notify()
	s.mu.Unlock()
}

// convList is the conversations pane's list: while the source runs, a
// snapshot of the tracker (decode.ConvSnapshot: it shares the retired
// flows' rows with the tracker), and at the end of a file the frozen
// tracker itself. Either keeps compact summaries (about 65 bytes a
// conversation) that are made into rows only as they are drawn — a
// million one-SYN flows would otherwise take 150 bytes each as convRows,
// twice over while a new snapshot replaces the old.
type convList struct {
	snap *decode.ConvSnapshot
	tr   *decode.Tracker // frozen
}

func (l convList) len() int {
	switch {
	case l.tr != nil:
		return l.tr.NumConversations()
	case l.snap != nil:
		return l.snap.NumConversations()
	}
	return 0
}

func (l convList) at(i int) convRow {
	var c decode.Conversation
	switch {
	case l.tr != nil:
		c, _ = l.tr.ConversationAt(i)
	case l.snap != nil:
		c, _ = l.snap.ConversationAt(i)
	}
	return convRowOf(&c)
}

func convRowOf(c *decode.Conversation) convRow {
	return convRow{
		proto: c.Proto, id: c.ID, a: c.A, b: c.B, state: c.State(), clientServer: c.ClientServer,
		handshake: c.Handshake, teardown: c.Teardown, closedBy: c.ClosedBy,
		pktsAB: c.PacketsAB, pktsBA: c.PacketsBA, bytesAB: c.BytesAB, bytesBA: c.BytesBA,
		startNS: c.StartSec*1e9 + c.StartNsec, dur: c.Duration,
		firstFrame: c.FirstFrame, lastFrame: c.LastFrame, retrans: c.Retransmissions,
	}
}

// setConvs publishes the tracker's conversations: a snapshot while the
// source runs (the tracker goes on), or, once the source has finished
// (finish was called), the tracker itself, frozen (setFinalConvs).
func (s *pktStore) setConvs(tr *decode.Tracker) {
	s.mu.RLock()
	done := s.done
	s.mu.RUnlock()
	if done {
		s.setFinalConvs(tr)
		return
	}
	snap := tr.Snapshot()
	s.mu.Lock()
	s.convs, s.convsAt = convList{snap: snap}, time.Now()
	s.retired = tr.Retired().Total()
	s.notify()
	s.mu.Unlock()
}

// setFinalConvs freezes the tracker of a finished source and publishes it
// as the conversation list, then returns the memory the tracker's live
// state took to the system: after a one-off pass over a file, Go's heap
// would otherwise keep its high-water mark resident.
func (s *pktStore) setFinalConvs(tr *decode.Tracker) {
	retired := tr.Retired().Total()
	tr.Freeze()
	s.mu.Lock()
	s.convs, s.convsAt = convList{tr: tr}, time.Now()
	s.retired = retired
	s.notify()
	s.mu.Unlock()
	debug.FreeOSMemory()
}

// pktReader decodes packets of a store for one goroutine.
type pktReader struct {
	dec *decode.Decoder
	f   capture.Frame
	p   decode.Packet
	abs uint64
}

func newPktReader() *pktReader {
	d := decode.NewDecoder()
	d.Seq = nil // the records hold the tracker's results
	return &pktReader{dec: d}
}

// load decodes packet abs into rd. It reports false when the packet is no
// longer (or not yet) held or its frame cannot be read.
func (s *pktStore) load(abs uint64, rd *pktReader) bool {
	s.mu.RLock()
	if abs < s.first || abs >= s.end {
		s.mu.RUnlock()
		return false
	}
	r := *s.rec(abs)
	var exc pktException
	hasExc := false
	if r.kind&recExc != 0 {
		if e := s.excOf(abs); e != nil {
			exc, hasExc = *e, true
		}
	}
	if s.arena != nil {
		ok := s.arena.frame(r.off, r.ns, r.kind&recNoTime != 0, &rd.f)
		s.mu.RUnlock()
		if !ok {
			return false
		}
	} else {
		s.mu.RUnlock()
		if err := s.file.ReadAt(int64(r.off), &rd.f); err != nil {
			return false
		}
	}
	rd.decode(&r, &exc, hasExc, abs)
	return true
}

func (rd *pktReader) decode(r *pktRecord, exc *pktException, hasExc bool, abs uint64) {
	rd.dec.Decode(&rd.f, int(r.number), &rd.p)
	if hasExc {
		unpackRecord(r, exc, &rd.p)
	} else {
		unpackRecord(r, nil, &rd.p)
	}
	rd.abs = abs
}

// bounds returns the packets held, [first, end).
func (s *pktStore) bounds() (first, end uint64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.first, s.end
}

// record returns a copy of abs's record.
func (s *pktStore) record(abs uint64) (pktRecord, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if abs < s.first || abs >= s.end {
		return pktRecord{}, false
	}
	return *s.rec(abs), true
}

// find returns the abs of the packet numbered n, if held. Numbers grow
// with abs, so this is a binary search.
func (s *pktStore) find(n int) (uint64, bool) {
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

// select returns the abs of the records in [from, end) that match, at
// most max of them (0: no limit).
func (s *pktStore) selectRecs(from uint64, match func(*pktRecord) bool, max int) []uint64 {
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

// pktScanner visits the packets of a store in order, resuming where it
// stopped as the store grows. On a file index it reads the file again from
// the start (far faster than reading each frame by offset); elsewhere it
// loads each packet.
type pktScanner struct {
	s    *pktStore
	next uint64
	rd   *pktReader
	seq  *capture.FileReader
	seqN int // frames read from seq
	recs []pktRecord
	excs []pktException
	has  []bool
}

func newPktScanner(s *pktStore, from uint64) *pktScanner {
	return &pktScanner{s: s, next: from, rd: newPktReader()}
}

func (sc *pktScanner) close() {
	if sc.seq != nil {
		sc.seq.Close()
		sc.seq = nil
	}
}

// step visits up to max packets available now, calling fn for each with
// the packet in sc.rd. It returns how many it visited.
func (sc *pktScanner) step(max int, fn func(rd *pktReader)) (int, error) {
	s := sc.s
	s.mu.RLock()
	if sc.next < s.first {
		sc.next = s.first
	}
	from := sc.next
	to := min(s.end, from+uint64(max))
	file := s.arena == nil
	if file {
		sc.recs, sc.excs, sc.has = sc.recs[:0], sc.excs[:0], sc.has[:0]
		for abs := from; abs < to; abs++ {
			r := *s.rec(abs)
			sc.recs = append(sc.recs, r)
			var e pktException
			ok := false
			if r.kind&recExc != 0 {
				if p := s.excOf(abs); p != nil {
					e, ok = *p, true
				}
			}
			sc.excs = append(sc.excs, e)
			sc.has = append(sc.has, ok)
		}
	}
	s.mu.RUnlock()
	if !file {
		n := 0
		for abs := from; abs < to; abs++ {
			if s.load(abs, sc.rd) {
				fn(sc.rd)
				n++
			}
		}
		sc.next = to
		return n, nil
	}
	if sc.seq == nil && from < to {
		r, err := capture.Open(sc.s.path)
		if err != nil {
			return 0, err
		}
		sc.seq, sc.seqN = r, 0
	}
	for i := range sc.recs {
		r := &sc.recs[i]
		for sc.seqN < int(r.number) {
			if err := sc.seq.Next(&sc.rd.f); err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return i, err
			}
			sc.seqN++
		}
		sc.rd.decode(r, &sc.excs[i], sc.has[i], from+uint64(i))
		fn(sc.rd)
	}
	sc.next = to
	return len(sc.recs), nil
}

package store

import (
	"io"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
)

// Reader decodes packets of a store for one goroutine.
type Reader struct {
	Dec    *decode.Decoder // decodes without a tracker: the records hold its results
	Frame  capture.Frame   // the packet's frame
	Packet decode.Packet   // the packet, with the tracker's results laid over it
	Abs    uint64          // the packet's place in the store
}

// NewReader returns a Reader with its own decoder (no tracker).
func NewReader() *Reader {
	d := decode.NewDecoder()
	d.Seq = nil // the records hold the tracker's results
	return &Reader{Dec: d}
}

// Load decodes packet abs into rd. It reports false when the packet is no
// longer (or not yet) held or its frame cannot be read.
func (s *Store) Load(abs uint64, rd *Reader) bool {
	s.mu.RLock()
	if abs < s.first || abs >= s.end {
		s.mu.RUnlock()
		return false
	}
	r := *s.rec(abs)
	var exc exception
	hasExc := false
	if r.kind&recExc != 0 {
		if e := s.excOf(abs); e != nil {
			exc, hasExc = *e, true
		}
	}
	if s.arena != nil {
		ok := s.arena.frame(r.off, r.ns, r.kind&recNoTime != 0, &rd.Frame)
		s.mu.RUnlock()
		if !ok {
			return false
		}
	} else {
		s.mu.RUnlock()
		if err := s.file.ReadAt(int64(r.off), &rd.Frame); err != nil {
			return false
		}
	}
	rd.decode(&r, &exc, hasExc, abs)
	return true
}

func (rd *Reader) decode(r *Record, exc *exception, hasExc bool, abs uint64) {
	rd.Dec.Decode(&rd.Frame, int(r.number), &rd.Packet)
	if hasExc {
		unpackRecord(r, exc, &rd.Packet)
	} else {
		unpackRecord(r, nil, &rd.Packet)
	}
	rd.Abs = abs
}

// Scanner visits the packets of a store in order, resuming where it
// stopped as the store grows. On a file index it reads the file again from
// the start (far faster than reading each frame by offset); elsewhere it
// loads each packet.
type Scanner struct {
	s    *Store
	next uint64
	rd   *Reader
	seq  *capture.FileReader
	seqN int // frames read from seq
	recs []Record
	excs []exception
	has  []bool
}

// NewScanner returns a Scanner of s starting at abs from.
func NewScanner(s *Store, from uint64) *Scanner {
	return &Scanner{s: s, next: from, rd: NewReader()}
}

// Next is the abs of the next packet Step visits.
func (sc *Scanner) Next() uint64 { return sc.next }

// CaughtUp reports whether the source has ended and Step has visited
// every packet it added.
func (sc *Scanner) CaughtUp() bool {
	sc.s.mu.RLock()
	defer sc.s.mu.RUnlock()
	return sc.s.done && sc.next >= sc.s.end
}

// Close closes the file a Scanner of a file index reads.
func (sc *Scanner) Close() {
	if sc.seq != nil {
		sc.seq.Close()
		sc.seq = nil
	}
}

// Step visits up to max packets available now, calling fn for each with
// the packet in sc.rd. It returns how many it visited.
func (sc *Scanner) Step(max int, fn func(rd *Reader)) (int, error) {
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
			var e exception
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
			if s.Load(abs, sc.rd) {
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
			if err := sc.seq.Next(&sc.rd.Frame); err != nil {
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

package pipeline

import (
	"io"
	"sync"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
)

// A task is one step of one batch, done by whichever worker is free.
type task int

const (
	taskNone   task = iota // nothing more will come: the worker ends
	taskRead               // read the next batch from the source
	taskTrack              // track the next batch in order
	taskFormat             // format a tracked batch's lines
)

// schedule hands the workers their tasks. Reading and tracking are done
// one batch at a time (the source and the tracker belong to one goroutine
// at a time) and tracking in the order read; formatting is done by any
// number of workers at once. A worker asks for its next task when it is
// done with one, and waits only when no task is ready. Tasks are given in
// this order of preference: tracking (every later batch waits for it),
// reading (it feeds the rest), formatting (it frees batches for reading).
type schedule struct {
	mu   sync.Mutex
	cond sync.Cond

	free     []*batch         // batches nobody uses
	toTrack  [nBatches]*batch // by seq % nBatches, until tracked
	toFormat []*batch

	reading, tracking bool // a worker is at it
	ended             bool // nothing more is read: the source ended, or stop
	nextRead          int  // seq of the next batch read
	nextTrack         int  // seq of the next batch to track
	busy              int  // batches read and not yet done by the workers

	// order has the batches read, in order, for the caller; it never
	// blocks: there are nBatches batches.
	order chan *batch
}

func newSchedule(size int) *schedule {
	s := &schedule{order: make(chan *batch, nBatches)}
	s.cond.L = &s.mu
	for range nBatches {
		s.free = append(s.free, &batch{
			numbers: make([]int, size), frames: make([]capture.Frame, size), tracking: make([]decode.Tracking, size),
			arena: make([]byte, 0, arenaBytes(size)), done: make(chan struct{}, 1),
		})
	}
	return s
}

// next waits for a task that is ready and returns it with its batch;
// taskNone once nothing more will be read and every batch read is done.
func (s *schedule) next() (task, *batch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if b := s.toTrack[s.nextTrack%nBatches]; !s.tracking && b != nil && b.seq == s.nextTrack {
			s.toTrack[s.nextTrack%nBatches] = nil
			s.tracking = true
			return taskTrack, b
		}
		if !s.reading && !s.ended && len(s.free) > 0 {
			b := s.free[len(s.free)-1]
			s.free = s.free[:len(s.free)-1]
			s.reading = true
			return taskRead, b
		}
		if n := len(s.toFormat); n > 0 {
			b := s.toFormat[0]
			s.toFormat = s.toFormat[1:]
			return taskFormat, b
		}
		if s.ended && !s.reading && s.busy == 0 {
			return taskNone, nil
		}
		s.cond.Wait()
	}
}

// read takes back b, into which readBatch read n packets before err
// (io.EOF at the end), and queues it for tracking and for the caller.
func (s *schedule) read(b *batch, n int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reading = false
	if err != nil {
		s.ended = true
		if err != io.EOF {
			b.err = err
		}
	}
	if n == 0 && b.err == nil {
		s.free = append(s.free, b)
	} else {
		b.seq = s.nextRead
		s.nextRead++
		s.busy++
		s.order <- b
		s.toTrack[b.seq%nBatches] = b
	}
	s.cond.Broadcast()
}

// tracked takes back the batch just tracked, to be formatted; the next
// may be tracked now.
func (s *schedule) tracked(b *batch) {
	s.mu.Lock()
	s.tracking = false
	s.nextTrack++
	s.toFormat = append(s.toFormat, b)
	s.mu.Unlock()
	s.cond.Broadcast()
}

// formatted takes back a batch whose lines are made: it is done.
func (s *schedule) formatted(b *batch) {
	s.mu.Lock()
	s.busy--
	b.done <- struct{}{}
	s.mu.Unlock()
	s.cond.Broadcast()
}

// release takes back a batch the caller has passed on, for reading into.
func (s *schedule) release(b *batch) {
	s.mu.Lock()
	s.free = append(s.free, b)
	s.mu.Unlock()
	s.cond.Broadcast()
}

// stop ends the reading: the batches read are still taken through, and
// the caller drains them.
func (s *schedule) stop() {
	s.mu.Lock()
	s.ended = true
	s.mu.Unlock()
	s.cond.Broadcast()
}

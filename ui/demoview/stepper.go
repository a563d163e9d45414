package demoview

import (
	"context"
	"sync"
	"time"
)

// demoStepper decides when a demo may enter its next step. It is the gate the
// view hands to demos.Session (Env.Gate): playing, it lets step n in once
// pace has passed since step n-1 began; paused, it waits for the person to
// press n. The demo's endpoints block in wait; the view's key handler only
// flips fields and closes a channel, so it never blocks.
type demoStepper struct {
	mu        sync.Mutex
	pace      time.Duration
	paused    bool
	released  int       // steps up to this one may begin whatever the pace
	entered   int       // the latest step begun
	enteredAt time.Time // when it began
	waiting   int       // the step a gate is waiting for, 0 if none
	changed   chan struct{}
	// onHold, if set, is called (without mu) when a gate begins or stops
	// holding a step, so that the view can say so.
	onHold func()
}

func newDemoStepper(pace time.Duration, paused bool) *demoStepper {
	return &demoStepper{pace: pace, paused: paused, released: 1, changed: make(chan struct{})}
}

// broadcast wakes every waiting gate; call with mu held.
func (s *demoStepper) broadcast() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// wait is the gate: it returns when step n may begin, or ctx's error.
func (s *demoStepper) wait(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		if n <= s.released {
			s.waiting = 0
			s.mu.Unlock()
			return nil
		}
		newly := s.waiting != n
		s.waiting = n
		changed := s.changed
		var timer *time.Timer
		var fire <-chan time.Time
		if !s.paused {
			left := s.pace - time.Since(s.enteredAt)
			if left <= 0 || s.enteredAt.IsZero() {
				s.released = max(s.released, n)
				s.waiting = 0
				s.mu.Unlock()
				return nil
			}
			timer = time.NewTimer(left)
			fire = timer.C
		}
		s.mu.Unlock()
		if newly && s.onHold != nil {
			s.onHold()
		}
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			s.mu.Lock()
			s.waiting = 0
			s.mu.Unlock()
			return ctx.Err()
		case <-changed:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// enter records that step n has begun (the pace counts from here).
func (s *demoStepper) enter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n > s.entered {
		s.entered, s.enteredAt = n, time.Now()
	}
	s.broadcast()
}

// next lets the step after the latest one begin now.
func (s *demoStepper) next() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.released = max(s.released, s.entered+1)
	s.broadcast()
}

// setPaused pauses or resumes auto-advance. Resuming starts the pace anew,
// so the next step comes pace after the key, not at once.
func (s *demoStepper) setPaused(p bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.paused && !p {
		s.enteredAt = time.Now()
	}
	s.paused = p
	s.broadcast()
}

func (s *demoStepper) isPaused() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paused
}

// holding reports the step a gate is held at (0 if none).
func (s *demoStepper) holding() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waiting
}

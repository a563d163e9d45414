package demos

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/internal/socktable"
)

// Event is one thing that happened while a demo ran: a socket call, a
// frame on the wire, or the start of a step. Exactly one of its parts is
// set.
type Event struct {
	Call  *sockcall.Call
	Frame *capture.Frame // a copy: Data belongs to the event
	Step  int            // > 0: the demo enters this step
	// Started is a call that was just made and may wait (accept, connect,
	// recv, recvfrom, send, sendto, sendall on a blocking socket): no
	// number or result yet, only what the call is and when it was made
	// (StartSec, StartNsec). Its Call event follows when it returns, with
	// the same start time.
	Started *sockcall.Call
	// Sockets is the lesson's socket table (every socket of the lab's
	// namespace, as ss shows it) as a step ended: taken before the next
	// step begins, and once more when the lesson is over.
	Sockets *SocketTable
}

// SocketTable is the namespace's sockets at one moment, with the lesson
// endpoint that holds each (by inode; "" for a socket no endpoint has a
// descriptor for: TIME-WAIT, a connection not accepted yet).
type SocketTable struct {
	Step    int // the step that just ended
	At      time.Time
	Entries []socktable.Entry
	Owner   []string // per entry
}

// Session runs one demo with a live capture on the loopback interface of
// whatever network namespace it runs in (the lab's own, or the host's with
// --host-net), and hands every event to a sink.
type Session struct {
	Demo *Demo
	Pace time.Duration
	// Interface is the capture interface; "" means "lo".
	Interface string
	// Sink receives the events, never concurrently: calls and steps in
	// order, frames in capture order (a frame may come after a call that
	// returned later than the frame was sent).
	Sink func(Event)
	// Gate, if set, holds the demo before each step until it returns (see
	// Env.Gate); a viewer runs at Pace 0 and paces the steps itself.
	Gate func(ctx context.Context, step int) error
	// LinkType is set once the capture is open.
	LinkType uint32
}

// Run opens the capture, runs the demo, then waits until every frame the
// kernel has queued for the capture has been handed to the sink, and
// returns the demo's error (or the capture's).
func (s *Session) Run(ctx context.Context) error {
	iface := s.Interface
	if iface == "" {
		iface = "lo"
	}
	src, err := capture.OpenLive(capture.LiveOptions{Interface: iface})
	if err != nil {
		return fmt.Errorf("demo %s: %w", s.Demo.Name, err)
	}
	defer src.Close()
	s.LinkType = src.LinkType()

	var mu sync.Mutex // serialises the sink
	emit := func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		s.Sink(e)
	}
	capCtx, stopCapture := context.WithCancel(ctx)
	defer stopCapture()
	capErr := make(chan error, 1)
	go func() {
		var f capture.Frame
		for {
			if err := src.Next(capCtx, &f); err != nil {
				if capCtx.Err() != nil || errors.Is(err, capture.ErrLiveClosed) {
					err = nil
				}
				capErr <- err
				return
			}
			c := f
			c.Data = append([]byte(nil), f.Data...)
			emit(Event{Frame: &c})
		}
	}()

	env := &Env{
		Pace:    s.Pace,
		Record:  func(c sockcall.Call) { emit(Event{Call: &c}) },
		OnStart: func(c sockcall.Call) { emit(Event{Started: &c}) },
		Gate:    s.Gate,
	}
	env.OnStep = func(n int) {
		if n > 1 {
			s.snapshot(env, n-1, emit)
		}
		emit(Event{Step: n})
	}
	runErr := s.Demo.Run(ctx, env)
	drainCapture(ctx, src)
	if runErr == nil && ctx.Err() == nil {
		s.snapshot(env, env.CurrentStep(), emit)
	}
	stopCapture()
	if err := <-capErr; err != nil && runErr == nil {
		runErr = err
	}
	return runErr
}

// snapshot emits the socket table as step ended — in the lab only: on the
// host (--host-net) the table would be the host's sockets.
func (s *Session) snapshot(env *Env, step int, emit func(Event)) {
	if !InLab() {
		return
	}
	es, owner, err := env.socketTable()
	if err != nil {
		return // the lesson goes on without its table
	}
	emit(Event{Sockets: &SocketTable{Step: step, At: time.Now(), Entries: es, Owner: owner}})
}

// drainCapture waits until the capture has taken every frame the kernel
// accepted for it (its counters say so), so that the last FIN and ACK are
// not lost. Loopback delivers a demo's packets as its calls make them; the
// kernel's own answers (the ACK of a FIN) follow within microseconds, so
// the counters must agree twice, 10 ms apart.
func drainCapture(ctx context.Context, src *capture.LiveSource) {
	deadline := time.Now().Add(2 * time.Second)
	settled := 0
	for settled < 2 && time.Now().Before(deadline) && ctx.Err() == nil {
		st, err := src.Stats()
		if err != nil {
			return
		}
		if st.Captured+st.Dropped >= st.Received {
			settled++
		} else {
			settled = 0
		}
		time.Sleep(10 * time.Millisecond)
	}
}

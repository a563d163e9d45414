package demos

import "context"

// A gate lets a viewer hold a demo between its steps: the terminal UI runs
// a demo at Pace 0 and releases each step when the person presses n (or
// when its own auto-advance timer fires), so that a paused demo really
// waits — its sockets stay as they are, and the capture keeps running.
//
// Env.Gate is asked once before each step, including the first, after the
// Pace wait and before OnStep. It blocks the endpoint that is about to
// enter the step (the other endpoints carry on with the calls of the
// current step, as they would during a Pace wait) and returns nil to let it
// in, or an error — ctx's when ctx is cancelled — which Step returns and
// which stops the demo as a cancel does. Session.Gate is handed to the
// Env of the run.

// gate asks e.Gate, if set, whether step n may begin.
func (e *Env) gate(ctx context.Context, n int) error {
	if e.Gate == nil {
		return nil
	}
	return e.Gate(ctx, n)
}

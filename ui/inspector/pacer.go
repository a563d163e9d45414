package inspector

import (
	"strconv"
	"time"
)

// pacer decides how many of the store's packets the views show: all of
// them at speed "max" (0), or, replaying a file, those whose capture time
// the replay clock has reached, the clock running at speed times real
// time. Paused, nothing more is shown (a live capture goes on capturing
// into the store). It belongs to the refresh goroutine; the key handlers
// change it through the inspector's mutex.
type pacer struct {
	speed  float64 // 0: max
	paused bool
	live   bool
	shown  uint64 // abs end of what the views show
	// The replay clock: at wall time base it read capBase (ns, capture time).
	base    time.Time
	capBase int64
	started bool
}

// speeds are the steps of + and -.
var speeds = []float64{0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 0}

// speedName says a speed as the status bar does: "max", "1x", "0.5x".
func speedName(v float64) string {
	if v == 0 {
		return "max"
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + "x"
}

// ParseSpeed reads a --speed value: "max" or a positive factor ("1",
// "0.5", "8x").
func ParseSpeed(s string) (float64, error) {
	if s == "max" || s == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(trimX(s), 64)
	if err != nil || v <= 0 {
		return 0, &speedError{s}
	}
	return v, nil
}

type speedError struct{ s string }

func (e *speedError) Error() string {
	return "--speed wants max or a positive factor such as 1, 0.5 or 8, got " + strconv.Quote(e.s)
}

func trimX(s string) string {
	if n := len(s); n > 0 && (s[n-1] == 'x' || s[n-1] == 'X') {
		return s[:n-1]
	}
	return s
}

// faster and slower step the speed.
func (pc *pacer) faster(now time.Time) { pc.setSpeed(now, +1) }
func (pc *pacer) slower(now time.Time) { pc.setSpeed(now, -1) }

func (pc *pacer) setSpeed(now time.Time, dir int) {
	i := len(speeds) - 1
	for j, v := range speeds {
		if v == pc.speed {
			i = j
		}
	}
	i = max(0, min(len(speeds)-1, i+dir))
	pc.rebase(now)
	pc.speed = speeds[i]
}

// rebase starts the replay clock anew at now, where it stands.
func (pc *pacer) rebase(now time.Time) {
	if pc.started && !pc.paused && pc.speed != 0 {
		pc.capBase += int64(float64(now.Sub(pc.base)) * pc.speed)
	}
	pc.base = now
}

func (pc *pacer) setPaused(now time.Time, p bool) {
	if p == pc.paused {
		return
	}
	pc.rebase(now)
	pc.paused = p
}

// advance moves shown on: ns returns the capture time of a packet (ok
// false when it has none).
func (pc *pacer) advance(now time.Time, first, end uint64, ns func(abs uint64) (int64, bool)) {
	if pc.shown < first {
		pc.shown = first
	}
	if pc.paused {
		return
	}
	if pc.speed == 0 || pc.live {
		pc.shown = end
		pc.started = false
		return
	}
	if pc.shown >= end {
		return
	}
	if !pc.started {
		t, ok := ns(pc.shown)
		if !ok {
			t = 0
		}
		pc.started, pc.base, pc.capBase = true, now, t
	}
	clock := pc.capBase + int64(float64(now.Sub(pc.base))*pc.speed)
	for pc.shown < end {
		t, ok := ns(pc.shown)
		if ok && t > clock {
			break
		}
		pc.shown++
	}
}

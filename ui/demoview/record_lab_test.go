//go:build linux

package demoview

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/internal/netns"
)

// TestRecordLessons runs every lesson once in a lab of its own and writes its
// recorded run to testdata/runs (SOCKSCOPE_RECORD_DEMOS=1; a lesson's name
// instead of 1 records that one). Without the variable it does nothing.
func TestRecordLessons(t *testing.T) {
	which := os.Getenv("SOCKSCOPE_RECORD_DEMOS")
	if which == "" {
		t.Skip("SOCKSCOPE_RECORD_DEMOS=1 records the lessons' runs for the screens test")
	}
	for _, d := range demos.List() {
		if which != "1" && which != d.Name {
			continue
		}
		// Each lesson in a namespace of its own, as the program runs it:
		// no other lesson's sockets in its tables.
		t.Run(d.Name, func(t *testing.T) {
			if netns.ReexecTest(t) {
				return
			}
			r := recordLesson(t, d)
			if err := saveRecording(r); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d events", d.Name, len(r.Events))
		})
	}
}

// recordLesson runs one lesson at full speed in this namespace, as the
// view would (a session with a gate that never waits), and keeps its
// events.
func recordLesson(t *testing.T, d *demos.Demo) *demoRecording {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	r := &demoRecording{Lesson: d.Name}
	s := &demos.Session{Demo: d, Sink: func(e demos.Event) {
		r.Events = append(r.Events, recordedEvent{Event: e, At: time.Now()})
	}, Gate: func(context.Context, int) error { return nil }}
	if err := s.Run(ctx); err != nil {
		t.Fatalf("%s: %v", d.Name, err)
	}
	r.End = time.Now()
	return r
}

// TestDemoScreensLive (SOCKSCOPE_DEMO_SCREENS=live) runs every lesson
// afresh, each in a lab of its own, and checks its screens as
// TestDemoScreensLessons checks the recorded ones (no golden files: a
// fresh run's ports and timings differ).
func TestDemoScreensLive(t *testing.T) {
	if os.Getenv("SOCKSCOPE_DEMO_SCREENS") != "live" {
		t.Skip("SOCKSCOPE_DEMO_SCREENS=live runs every lesson and checks its screens")
	}
	for _, d := range demos.List() {
		t.Run(d.Name, func(t *testing.T) {
			if netns.ReexecTest(t) {
				return
			}
			checkLessonScreens(t, recordLesson(t, d), false)
		})
	}
}

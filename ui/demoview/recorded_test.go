package demoview

import (
	"bytes"
	"compress/gzip"
	"encoding/gob"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sockscope/sockscope/demos"
)

// A recorded run is every event one run of a lesson gave the view, with
// the time each arrived, and when the run ended: replayed into a View it
// draws exactly what that run drew, with no namespace, no capture and no
// clock. The screens test (screens_test.go) draws the lessons from the
// recordings in testdata/runs, so its golden screens do not change from
// run to run; SOCKSCOPE_RECORD_DEMOS=1 (TestRecordLessons, in the lab)
// writes them anew.

// demoRecording is one recorded run (gob, gzip).
type demoRecording struct {
	Lesson string
	Events []recordedEvent
	End    time.Time
	Err    string
}

type recordedEvent struct {
	Event demos.Event
	At    time.Time
}

func recordingPath(name string) string { return filepath.Join("testdata", "runs", name+".gob.gz") }

// loadRecording reads the recorded run of a lesson.
func loadRecording(t *testing.T, name string) *demoRecording {
	t.Helper()
	f, err := os.Open(recordingPath(name))
	if err != nil {
		t.Fatalf("%v (SOCKSCOPE_RECORD_DEMOS=1 go test -run TestRecordLessons ./ui/demoview records it)", err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", recordingPath(name), err)
	}
	var r demoRecording
	if err := gob.NewDecoder(z).Decode(&r); err != nil {
		t.Fatalf("%s: %v", recordingPath(name), err)
	}
	return &r
}

func saveRecording(r *demoRecording) error {
	var buf bytes.Buffer
	z, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err := gob.NewEncoder(z).Encode(r); err != nil {
		return err
	}
	if err := z.Close(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(recordingPath(r.Lesson)), 0o755); err != nil {
		return err
	}
	return os.WriteFile(recordingPath(r.Lesson), buf.Bytes(), 0o644)
}

// replayView is a view of the recorded run as it was when step `step`
// began (its events up to the next step's start), or, with step 0, at
// the end of the run.
func replayView(t *testing.T, r *demoRecording, lang string, step int) *View {
	t.Helper()
	d, ok := demos.Get(r.Lesson)
	if !ok {
		t.Fatalf("no lesson %q", r.Lesson)
	}
	v := New(d, Options{Lang: lang, Paused: step > 0})
	// The run went on without waiting between steps; a person's view
	// waits before step+1 and meanwhile receives the packets sent before
	// it (the capture hands them over a little later): those are kept.
	var in []demoEvent
	var cut time.Time
	for _, e := range r.Events {
		if step > 0 && e.Event.Step > step && cut.IsZero() {
			cut = e.At
		}
		if !cut.IsZero() {
			f := e.Event.Frame
			if f == nil || !time.Unix(f.Sec, f.Nsec).Before(cut) {
				continue
			}
		}
		in = append(in, demoEvent{ev: e.Event, at: e.At})
		if e.Event.Step > 0 {
			v.step.enter(e.Event.Step)
		}
	}
	v.inbox = in
	if step == 0 {
		v.finished, v.finishedAt = true, r.End
	}
	v.mu.Lock()
	v.sync()
	v.mu.Unlock()
	return v
}

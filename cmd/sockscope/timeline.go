package main

import (
	"fmt"
	"io"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/demos/timeline"
)

// lessonPrinter prints a lesson run's timeline (demos/timeline's one
// model): text as events happen (held back a little, so that a packet
// captured just after the call that caused it still sorts in its place),
// JSON at the end, when every link is known. Its methods are called under
// one lock (demos.Session serialises events; the flusher takes the same
// lock).
type lessonPrinter struct {
	json bool
	out  io.Writer
	b    *timeline.Builder
	text *timeline.TextPrinter
}

func newLessonPrinter(d *demos.Demo, zh, json bool, out io.Writer) *lessonPrinter {
	return &lessonPrinter{json: json, out: out, b: timeline.NewBuilder(d, zh), text: timeline.NewTextPrinter()}
}

// add takes one event from the session.
func (l *lessonPrinter) add(e demos.Event) { l.b.Add(e, time.Now()) }

// flush prints the rows that arrived before cutoff; a zero cutoff is the
// end of the run: everything, and JSON.
func (l *lessonPrinter) flush(cutoff time.Time) error {
	if cutoff.IsZero() {
		l.b.Finish(time.Now())
	}
	if l.json && !cutoff.IsZero() {
		return nil
	}
	t := l.b.Build()
	var buf []byte
	if l.json {
		buf = timeline.AppendJSON(nil, t)
	} else {
		buf = l.text.Print(nil, t, cutoff)
	}
	if len(buf) == 0 {
		return nil
	}
	_, err := l.out.Write(buf)
	return err
}

// writeCapture writes the lesson's frames to w and closes it, each frame
// tied to calls carrying a comment that names them (pcapng; Wireshark
// shows it).
func (l *lessonPrinter) writeCapture(w *capture.FileWriter) error {
	t := l.b.Build()
	frames := l.b.Frames()
	for i := range frames {
		var comment []byte
		for _, n := range t.Run.Links.FrameCalls(i + 1) {
			c := t.Run.Call(n)
			if c == nil {
				continue
			}
			if len(comment) > 0 {
				comment = append(comment, "; "...)
			}
			comment = fmt.Appendf(comment, "#%d %s ", c.Number, c.Endpoint)
			comment = sockcall.AppendCallLabel(comment, c)
			if cl := t.Run.Links.Call(n); cl != nil && cl.HasBytes {
				comment = fmt.Appendf(comment, " (bytes %d–%d)", cl.First, cl.Last)
			}
		}
		if err := w.WriteFrameComment(&frames[i], string(comment)); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}

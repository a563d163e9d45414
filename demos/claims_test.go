//go:build linux

package demos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/internal/glossary"
	"github.com/sockscope/sockscope/internal/textcol"
)

// LessonRunsEnv sets how many times TestLessonClaims runs each lesson
// (default 20; scripts/test.sh sets 3 unless it is set).
const LessonRunsEnv = "SOCKSCOPE_LESSON_RUNS"

// TestLessonClaims runs every lesson of List() many times in the lab, at
// full speed, and for every run checks that its words hold: Demo.Check
// finds no fixed claim the run contradicts, and every Step.Outcome,
// given the finished run, has something to say in both languages, in
// printable text, and never panics — neither on the finished run nor on
// the run as a view sees it while it happens (every prefix of its calls
// and frames) or with frames missing. It ends with a table of runs and
// failed runs per lesson.
//
// Each lesson runs in a lab child of its own (so that one lesson's
// timeout is its own); the child prints one line per lesson that the
// parent gathers into the table.
func TestLessonClaims(t *testing.T) {
	n := lessonRuns(t)
	if n == 0 {
		t.Skip(LessonRunsEnv + "=0")
	}
	var rows []claimsRow
	for _, d := range List() {
		t.Run(d.Name, func(t *testing.T) {
			if InLab() {
				runClaims(t, d, n)
				return
			}
			rows = append(rows, claimsInLab(t, d, n))
		})
	}
	if InLab() || len(rows) == 0 {
		return
	}
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "lesson\truns\tfailed runs\tCheck\toutcomes\t")
	for _, r := range rows {
		check := "yes"
		if !r.check {
			check = "none"
		}
		runs := strconv.Itoa(r.runs)
		if r.err != "" {
			runs += " (" + r.err + ")"
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%d of %d steps\t\n", r.name, runs, r.failed, check, r.outcomes, r.steps)
	}
	w.Flush()
	t.Logf("%d runs per lesson (%s):\n%s", n, LessonRunsEnv, b.String())
}

// claimsRow is one lesson's line of the table.
type claimsRow struct {
	name            string
	runs, failed    int
	check           bool
	outcomes, steps int
	err             string // why the runs could not all be made
}

func lessonRuns(t *testing.T) int {
	v, ok := os.LookupEnv(LessonRunsEnv)
	if !ok || v == "" {
		return 20
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a count of runs", LessonRunsEnv, v)
	}
	return n
}

// claimsLine is what a lab child prints for its lesson.
var claimsLine = regexp.MustCompile(`(?m)^lesson-claims: (\S+) runs=(\d+) failed=(\d+)$`)

// claimsInLab runs the lesson's subtest in a lab child and reads its line.
func claimsInLab(t *testing.T, d *Demo, n int) claimsRow {
	row := claimsRow{name: d.Name, check: d.Check != nil, steps: len(d.Steps)}
	for _, s := range d.Steps {
		if s.Outcome != nil {
			row.outcomes++
		}
	}
	timeout := time.Minute + time.Duration(n)*15*time.Second
	var out bytes.Buffer
	opts := LabOptions{
		Args: []string{
			"-test.run=^TestLessonClaims$/^" + regexp.QuoteMeta(d.Name) + "$",
			"-test.count=1", "-test.timeout=" + timeout.String(),
		},
		Env:    []string{LessonRunsEnv + "=" + strconv.Itoa(n)},
		Stdout: &out, Stderr: &out,
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout+30*time.Second)
	defer cancel()
	err := RunIsolated(ctx, opts)
	if errors.Is(err, ErrNoNamespace) && os.Geteuid() != 0 {
		t.Skipf("no lab here: %v", err)
	}
	m := claimsLine.FindStringSubmatch(out.String())
	if m == nil || m[1] != d.Name {
		row.err = "no result"
		t.Errorf("%s in the lab: %v\n%s", d.Name, err, out.String())
		return row
	}
	row.runs, _ = strconv.Atoi(m[2])
	row.failed, _ = strconv.Atoi(m[3])
	if err != nil || row.failed > 0 || row.runs != n {
		if row.runs != n {
			row.err = fmt.Sprintf("of %d", n)
		}
		t.Errorf("%s: %d of %d runs failed (%v):\n%s", d.Name, row.failed, row.runs, err, out.String())
	}
	return row
}

// runClaims runs lesson d n times (in the lab) and prints its line.
func runClaims(t *testing.T, d *Demo, n int) {
	runs, failed := 0, 0
	for i := 1; i <= n; i++ {
		runs++
		if !t.Run("run"+strconv.Itoa(i), func(t *testing.T) { checkClaims(t, d) }) {
			failed++
		}
	}
	fmt.Printf("lesson-claims: %s runs=%d failed=%d\n", d.Name, runs, failed)
}

// checkClaims runs d once and checks its words against the run.
func checkClaims(t *testing.T, d *Demo) {
	r := runDemo(t, d.Name)
	defer func() {
		if t.Failed() {
			t.Logf("the run:\n%s", r.timeline())
		}
	}()
	run := r.run()
	if d.Check != nil {
		if err := d.Check(run); err != nil {
			t.Errorf("%s: Check: %v", d.Name, err)
		}
	}
	for i, s := range d.Steps {
		if s.Outcome == nil {
			continue
		}
		en, zh, err := outcome(s, run)
		switch {
		case err != nil:
			t.Errorf("%s step %d: Outcome of the finished run: %v", d.Name, i+1, err)
		case en == "" || zh == "":
			t.Errorf("%s step %d: Outcome of the finished run says nothing: en %q, zh %q", d.Name, i+1, en, zh)
		}
		for _, w := range []string{en, zh} {
			if bad := controlByte(w); bad >= 0 {
				t.Errorf("%s step %d: Outcome has a control byte %U: %q", d.Name, i+1, []rune(w)[bad], w)
			}
		}
		checkChinese(t, fmt.Sprintf("%s step %d: Outcome", d.Name, i+1), zh)
	}
	// The run as a view holds it while it happens, and with frames lost.
	for _, part := range partialRuns(r) {
		for i, s := range d.Steps {
			if s.Outcome == nil {
				continue
			}
			en, zh, err := outcome(s, part.run)
			if err != nil {
				t.Errorf("%s step %d: Outcome of %s: %v", d.Name, i+1, part.what, err)
				continue
			}
			for _, w := range []string{en, zh} {
				if bad := controlByte(w); bad >= 0 {
					t.Errorf("%s step %d: Outcome of %s has a control byte: %q", d.Name, i+1, part.what, w)
				}
			}
		}
	}
}

// outcome calls s.Outcome, turning a panic into an error.
func outcome(s Step, r *sockcall.Run) (en, zh string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	en, zh = s.Outcome(r)
	return en, zh, nil
}

// controlByte returns the index (in runes) of the first control character
// of s (C0, DEL, C1), or -1.
func controlByte(s string) int {
	for i, r := range []rune(s) {
		if unicode.IsControl(r) {
			return i
		}
	}
	return -1
}

// run is the result as a sockcall.Run: the calls, the decoded packets
// (with their payloads) and the links between them.
func (r *result) run() *sockcall.Run {
	return sockcall.NewRun(append([]sockcall.Call(nil), r.calls...), r.packets(nil))
}

// packets returns the decoded packets that keep accepts (all when keep is
// nil), renumbered from 1 as a capture that never saw the others would.
func (r *result) packets(keep func(i int, p *wirePacket) bool) []decode.Packet {
	var out []decode.Packet
	for i := range r.wire {
		w := &r.wire[i]
		if keep != nil && !keep(i, w) {
			continue
		}
		p := w.Packet
		p.Payload = w.Payload
		p.Number = len(out) + 1
		out = append(out, p)
	}
	return out
}

// partialRun is a run as a view may hold it.
type partialRun struct {
	what string
	run  *sockcall.Run
}

// partialRuns are the finished run cut short (cutsInOrder), and the whole
// run with no frames, with every other frame, and without its last frame.
func partialRuns(r *result) []partialRun {
	out := cutsInOrder(r)
	calls := append([]sockcall.Call(nil), r.calls...)
	return append(out,
		partialRun{"the run without frames", sockcall.NewRun(calls, nil)},
		partialRun{"the run with every other frame lost", sockcall.NewRun(calls, r.packets(func(i int, _ *wirePacket) bool { return i%2 == 0 }))},
		partialRun{"the run with the odd frames lost", sockcall.NewRun(calls, r.packets(func(i int, _ *wirePacket) bool { return i%2 == 1 }))},
		partialRun{"the run without its last frame", sockcall.NewRun(calls, r.packets(func(i int, _ *wirePacket) bool { return i < len(r.wire)-1 }))},
	)
}

// cutsInOrder is the run cut after every call and every frame in time
// order, and with the frames two behind or two ahead of the calls: what a
// view holds while the run happens.
func cutsInOrder(r *result) []partialRun {
	var out []partialRun
	// Events in time order; a cut after each.
	type event struct {
		t     time.Time
		calls int // calls in, after this event
		wire  int // frames in
	}
	ci, wi := 0, 0
	var cuts []event
	for ci < len(r.calls) || wi < len(r.wire) {
		if wi == len(r.wire) || ci < len(r.calls) && !callTime(r.calls[ci]).After(r.wire[wi].time()) {
			ci++
		} else {
			wi++
		}
		cuts = append(cuts, event{calls: ci, wire: wi})
	}
	cut := func(what string, calls, wire int) {
		calls, wire = max(0, min(calls, len(r.calls))), max(0, min(wire, len(r.wire)))
		out = append(out, partialRun{
			what: fmt.Sprintf("the run cut after %d calls and %d frames (%s)", calls, wire, what),
			run:  sockcall.NewRun(append([]sockcall.Call(nil), r.calls[:calls]...), r.packets(func(i int, _ *wirePacket) bool { return i < wire })),
		})
	}
	cut("nothing yet", 0, 0)
	for _, c := range cuts {
		cut("in time order", c.calls, c.wire)
		cut("frames lagging", c.calls, c.wire-2)
		cut("calls lagging", c.calls-2, c.wire)
	}
	return out
}

// TestOutcomesWaitForFacts: every lesson's Outcome words, given the
// run as a view holds it while it happens (cut after any call or frame,
// frames lagging or leading), say nothing or exactly what they say of the
// finished run — never something the rest of the run could change. Their
// Check and Outcome take any part of a run, or none, without a panic.
func TestOutcomesWaitForFacts(t *testing.T) {
	if !labTest(t) {
		return
	}
	for _, d0 := range List() {
		name := d0.Name
		d, ok := Get(name)
		if !ok {
			t.Errorf("no lesson %s", name)
			continue
		}
		r := runDemo(t, name)
		run := r.run()
		for _, part := range append(partialRuns(r), partialRun{"a nil run", nil}) {
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("%s: Check of %s panics: %v", name, part.what, p)
					}
				}()
				d.Check(part.run)
				for _, s := range d.Steps {
					if s.Outcome != nil {
						s.Outcome(part.run)
					}
				}
			}()
		}
		for i, s := range d.Steps {
			if s.Outcome == nil {
				continue
			}
			en, zh := s.Outcome(run)
			for _, part := range cutsInOrder(r) {
				pen, pzh := s.Outcome(part.run)
				if pen != "" && pen != en || pzh != "" && pzh != zh || (pen == "") != (pzh == "") {
					t.Errorf("%s step %d, %s:\n  says %q\n       %q\n  the finished run: %q\n       %q", name, i+1, part.what, pen, pzh, en, zh)
				}
			}
		}
	}
}

// checkChinese checks a Chinese text a run produced (an Outcome, with the
// run's numbers in it) as TestSources checks the fixed ones: the glossary
// and the punctuation rules, and line breaking at every width a view
// wraps it to.
func checkChinese(t *testing.T, what, zh string) {
	t.Helper()
	terms, err := glossary.Terms()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range glossary.Check(zh, terms) {
		t.Errorf("%s: %s (in %q)", what, p, zh)
	}
	for w := 20; w <= 100; w++ {
		if lines := textcol.Wrap(zh, w); textcol.BadBreak(lines) >= 0 {
			t.Errorf("%s wrapped at %d columns breaks a line-breaking rule: %q", what, w, lines)
			break
		}
	}
}

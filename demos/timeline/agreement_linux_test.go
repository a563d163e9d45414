package timeline_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/demos/timeline"
	"github.com/sockscope/sockscope/internal/netns"
)

// lessonRuns is how many times the lesson tests run each lesson:
// SOCKSCOPE_LESSON_RUNS (scripts/test.sh sets a small count; the README
// says how to run the full 20).
func lessonRuns(t *testing.T, def int) int {
	if v := os.Getenv("SOCKSCOPE_LESSON_RUNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("SOCKSCOPE_LESSON_RUNS=%q: want a count of 1 or more", v)
		}
		return n
	}
	return def
}

// runLesson runs one lesson at full speed in this namespace and builds
// its timeline.
func runLesson(t *testing.T, d *demos.Demo) *timeline.Timeline {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b := timeline.NewBuilder(d, false)
	s := &demos.Session{Demo: d, Sink: func(e demos.Event) { b.Add(e, time.Now()) }}
	if err := s.Run(ctx); err != nil {
		t.Fatalf("%s: %v", d.Name, err)
	}
	b.Finish(time.Now())
	return b.Build()
}

// TestKernelAgreement runs every lesson and compares the model's buffers
// with every kernel sample (SIOCOUTQ/SIOCINQ of every socket after every
// call). It prints the table of agreements and every disagreement with
// its reason, and wants the two to agree on at least 95% of the samples.
func TestKernelAgreement(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	runs := lessonRuns(t, 1)
	type tally struct{ agree, total, explained int }
	per := map[string]*tally{}
	var names []string
	var diffs []string
	for _, d := range demos.List() {
		names = append(names, d.Name)
		per[d.Name] = &tally{}
		for i := 0; i < runs; i++ {
			tl := runLesson(t, d)
			for _, c := range tl.Checks {
				tt := per[d.Name]
				tt.total++
				if c.Agree {
					tt.agree++
					continue
				}
				if c.Reason != "" {
					tt.explained++
				}
				reason := c.Reason
				if reason == "" {
					reason = "UNEXPLAINED"
				}
				diffs = append(diffs, fmt.Sprintf("%-18s run %d after call %-4d %s fd %d (%s) %s: model %d, kernel %d — %s",
					d.Name, i+1, c.Call, c.Endpoint, c.FD, c.Proto, c.What, c.Model, c.Kernel, reason))
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-20s %8s %8s %8s %10s\n", "lesson", "samples", "agree", "%", "explained")
	agree, total := 0, 0
	for _, n := range names {
		tt := per[n]
		agree += tt.agree
		total += tt.total
		pct := 100.0
		if tt.total > 0 {
			pct = 100 * float64(tt.agree) / float64(tt.total)
		}
		fmt.Fprintf(&b, "%-20s %8d %8d %7.1f%% %10d\n", n, tt.total, tt.agree, pct, tt.explained)
	}
	pct := 100 * float64(agree) / float64(max(total, 1))
	fmt.Fprintf(&b, "%-20s %8d %8d %7.1f%%\n", "all", total, agree, pct)
	sort.Strings(diffs)
	for _, d := range diffs {
		b.WriteString(d)
		b.WriteByte('\n')
	}
	t.Logf("model vs kernel, %d run(s) per lesson:\n%s", runs, b.String())
	if total == 0 {
		t.Fatal("no kernel samples were compared")
	}
	if pct < 95 {
		t.Errorf("model and kernel agree on %.1f%% of %d samples, want ≥ 95%%", pct, total)
	}
}

//go:build unix

package demos

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sockscope/sockscope/demos/sockcall"
)

// TestGateHoldsSteps runs unix-stream (AF_UNIX: no lab needed) with a gate
// that holds step 3 until released: nothing of step 3 happens before, and
// the demo finishes after.
func TestGateHoldsSteps(t *testing.T) {
	d, _ := Get("unix-stream")
	var mu sync.Mutex
	var calls []sockcall.Call
	var asked []int
	release := make(chan struct{})
	held := make(chan struct{})
	env := &Env{
		Dir:    t.TempDir(),
		Record: func(c sockcall.Call) { mu.Lock(); calls = append(calls, c); mu.Unlock() },
		Gate: func(ctx context.Context, step int) error {
			mu.Lock()
			asked = append(asked, step)
			mu.Unlock()
			if step != 3 {
				return nil
			}
			close(held)
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, env) }()
	<-held
	time.Sleep(50 * time.Millisecond) // time for a step-3 call to slip through, were the gate ignored
	mu.Lock()
	for _, c := range calls {
		if c.Step >= 3 {
			t.Errorf("call %d %s %s is in step %d while step 3 is held", c.Number, c.Endpoint, c.Op, c.Step)
		}
	}
	if env.CurrentStep() != 2 {
		t.Errorf("held before step 3, the demo is in step %d", env.CurrentStep())
	}
	mu.Unlock()
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := []int{1, 2, 3, 4, 5}
	if len(asked) != len(want) {
		t.Fatalf("the gate was asked for steps %v, want each of %v once", asked, want)
	}
	seen := map[int]bool{}
	for _, n := range asked {
		seen[n] = true
	}
	for _, n := range want {
		if !seen[n] {
			t.Errorf("the gate was never asked for step %d (asked %v)", n, asked)
		}
	}
}

// TestGateCancel: cancelling while a step is held ends the demo with the
// context's error.
func TestGateCancel(t *testing.T) {
	d, _ := Get("unix-stream")
	ctx, cancel := context.WithCancel(context.Background())
	env := &Env{
		Dir: t.TempDir(),
		Gate: func(ctx context.Context, step int) error {
			if step < 2 {
				return nil
			}
			cancel()
			<-ctx.Done()
			return ctx.Err()
		},
	}
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, env) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the demo did not stop when cancelled at a gate")
	}
}
